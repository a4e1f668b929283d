"""Section 9 · LLM-specific: checks."""
