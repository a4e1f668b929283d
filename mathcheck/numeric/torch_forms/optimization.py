"""Section 6 · Optimization: torch forms."""
