"""Section 9 · LLM-specific: symbolic."""
