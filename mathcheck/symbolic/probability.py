"""Section 3 · Probability & statistics: symbolic."""
