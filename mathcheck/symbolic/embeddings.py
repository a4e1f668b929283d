"""Section 11 · Embeddings & similarity: symbolic."""
