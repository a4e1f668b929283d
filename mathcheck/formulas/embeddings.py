"""Section 11 · Embeddings & similarity."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(11, "embeddings", "Embeddings & similarity")

ENTRIES: tuple[Entry, ...] = ()
