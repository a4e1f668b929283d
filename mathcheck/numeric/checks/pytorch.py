"""Section 16 · PyTorch quick reference: checks."""
