"""Section 10 · Information theory."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(10, "information", "Information theory")

ENTRIES: tuple[Entry, ...] = ()
