"""Section 5 · Losses: torch forms."""
