"""Section 14 · Backpropagation: numpy forms."""
