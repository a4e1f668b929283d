"""Section 15 · Model-specific."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(15, "models", "Model-specific")

ENTRIES: tuple[Entry, ...] = ()
