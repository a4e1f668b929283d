"""Section 6 · Optimization: symbolic."""
