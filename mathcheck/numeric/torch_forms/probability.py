"""Section 3 · Probability & statistics: torch forms."""
