"""Section 2 · Calculus: torch forms."""
