"""Section 12 · Generative models: numpy forms."""
