"""Section 2 · Calculus: symbolic."""
