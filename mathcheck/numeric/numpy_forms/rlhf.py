"""Section 13 · Alignment & RLHF: numpy forms."""
