"""Section 17 · Numbers to know: symbolic."""
