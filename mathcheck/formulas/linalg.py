"""Section 1 · Linear algebra."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(1, "linalg", "Linear algebra")

ENTRIES: tuple[Entry, ...] = ()
