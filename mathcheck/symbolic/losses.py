"""Section 5 · Losses: symbolic."""
