"""Section 7 · Normalization: numpy forms."""
