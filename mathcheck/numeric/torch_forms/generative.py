"""Section 12 · Generative models: torch forms."""
