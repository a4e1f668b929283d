"""Section 14 · Backpropagation."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(14, "backprop", "Backpropagation")

ENTRIES: tuple[Entry, ...] = ()
