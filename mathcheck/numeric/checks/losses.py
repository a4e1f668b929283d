"""Section 5 · Losses: checks."""
