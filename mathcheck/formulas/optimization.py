"""Section 6 · Optimization."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(6, "optimization", "Optimization")

ENTRIES: tuple[Entry, ...] = ()
