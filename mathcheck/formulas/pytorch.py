"""Section 16 · PyTorch quick reference."""

from mathcheck.formulas._model import Entry, Section

SECTION = Section(16, "pytorch", "PyTorch quick reference")

ENTRIES: tuple[Entry, ...] = ()
