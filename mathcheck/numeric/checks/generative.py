"""Section 12 · Generative models: checks."""
