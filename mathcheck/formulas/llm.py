"""Section 9 · LLM-specific."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(9, "llm", "LLM-specific")

ENTRIES: tuple[Entry, ...] = ()
