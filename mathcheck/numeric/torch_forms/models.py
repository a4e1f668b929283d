"""Section 15 · Model-specific: torch forms."""
