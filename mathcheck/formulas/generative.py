"""Section 12 · Generative models."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(12, "generative", "Generative models")

ENTRIES: tuple[Entry, ...] = ()
