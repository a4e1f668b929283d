"""Section 9 · LLM-specific: torch forms."""
