"""Section 17 · Numbers to know: torch forms."""
