"""Section 8 · Transformer & attention: checks."""
