"""Section 11 · Embeddings & similarity: checks."""
