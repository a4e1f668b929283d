"""Section 14 · Backpropagation: torch forms."""
