"""Section 8 · Transformer & attention: numpy forms."""
