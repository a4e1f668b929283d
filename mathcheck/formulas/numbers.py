"""Section 17 · Numbers to know."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(17, "numbers", "Numbers to know")

ENTRIES: tuple[Entry, ...] = ()
