"""Section 7 · Normalization: checks."""
