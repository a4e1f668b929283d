"""Section 14 · Backpropagation: checks."""
