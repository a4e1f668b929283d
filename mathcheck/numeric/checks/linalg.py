"""Section 1 · Linear algebra: checks."""
