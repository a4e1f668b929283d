"""Section 2 · Calculus."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(2, "calculus", "Calculus")

ENTRIES: tuple[Entry, ...] = ()
