"""Section 6 · Optimization: checks."""
