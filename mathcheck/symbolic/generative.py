"""Section 12 · Generative models: symbolic."""
