"""Section 8 · Transformer & attention."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(8, "attention", "Transformer & attention")

ENTRIES: tuple[Entry, ...] = ()
