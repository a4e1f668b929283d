"""Section 8 · Transformer & attention: torch forms."""
