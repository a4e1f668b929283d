"""Section 17 · Numbers to know: numpy forms."""
