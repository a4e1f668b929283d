"""Section 10 · Information theory: checks."""
