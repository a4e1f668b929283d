"""Section 3 · Probability & statistics: numpy forms."""
