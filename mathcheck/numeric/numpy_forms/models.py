"""Section 15 · Model-specific: numpy forms."""
