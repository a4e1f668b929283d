"""Section 16 · PyTorch quick reference: numpy forms."""
