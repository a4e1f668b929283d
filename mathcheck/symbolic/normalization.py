"""Section 7 · Normalization: symbolic."""
