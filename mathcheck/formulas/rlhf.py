"""Section 13 · Alignment & RLHF."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(13, "rlhf", "Alignment & RLHF")

ENTRIES: tuple[Entry, ...] = ()
