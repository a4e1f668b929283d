"""Section 10 · Information theory: symbolic."""
