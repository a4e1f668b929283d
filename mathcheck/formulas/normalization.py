"""Section 7 · Normalization."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(7, "normalization", "Normalization")

ENTRIES: tuple[Entry, ...] = ()
