"""Section 8 · Transformer & attention: symbolic."""
