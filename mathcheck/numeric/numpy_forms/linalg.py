"""Section 1 · Linear algebra: numpy forms."""
