"""Section 10 · Information theory: numpy forms."""
