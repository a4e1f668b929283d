"""Section 10 · Information theory: torch forms."""
