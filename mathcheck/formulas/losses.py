"""Section 5 · Losses."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(5, "losses", "Losses")

ENTRIES: tuple[Entry, ...] = ()
