"""Section 16 · PyTorch quick reference: torch forms."""
