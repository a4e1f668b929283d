"""Section 13 · Alignment & RLHF: torch forms."""
