"""Section 3 · Probability & statistics."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(3, "probability", "Probability & statistics")

ENTRIES: tuple[Entry, ...] = ()
