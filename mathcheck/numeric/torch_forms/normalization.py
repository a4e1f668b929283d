"""Section 7 · Normalization: torch forms."""
