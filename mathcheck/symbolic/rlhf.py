"""Section 13 · Alignment & RLHF: symbolic."""
