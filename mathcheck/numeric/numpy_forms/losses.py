"""Section 5 · Losses: numpy forms."""
