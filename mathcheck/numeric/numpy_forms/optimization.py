"""Section 6 · Optimization: numpy forms."""
