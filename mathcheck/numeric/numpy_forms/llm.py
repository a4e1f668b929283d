"""Section 9 · LLM-specific: numpy forms."""
