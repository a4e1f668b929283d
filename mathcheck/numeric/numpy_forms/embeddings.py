"""Section 11 · Embeddings & similarity: numpy forms."""
