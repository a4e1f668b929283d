"""Section 2 · Calculus: checks."""
