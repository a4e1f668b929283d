"""Section 13 · Alignment & RLHF: checks."""
