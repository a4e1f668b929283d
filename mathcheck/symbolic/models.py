"""Section 15 · Model-specific: symbolic."""
