"""Section 3 · Probability & statistics: checks."""
