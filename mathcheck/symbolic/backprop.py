"""Section 14 · Backpropagation: symbolic."""
