"""Section 1 · Linear algebra: symbolic."""
