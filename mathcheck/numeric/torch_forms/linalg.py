"""Section 1 · Linear algebra: torch forms."""
