"""Section 15 · Model-specific: checks."""
