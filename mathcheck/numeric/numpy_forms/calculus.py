"""Section 2 · Calculus: numpy forms."""
