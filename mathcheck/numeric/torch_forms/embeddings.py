"""Section 11 · Embeddings & similarity: torch forms."""
