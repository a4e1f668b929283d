"""The registry: lists, filters and looks up entries across the 17 section modules.

Section modules are imported on first use; each defines `SECTION` and `ENTRIES`.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from mathcheck.errors import InvalidInputError, UnknownFormulaError
from mathcheck.formulas._model import Entry, Section

#: The cheatsheet's sections, in order, by module name.
SECTION_MODULES: tuple[str, ...] = (
    "linalg",
    "calculus",
    "probability",
    "activations",
    "losses",
    "optimization",
    "normalization",
    "attention",
    "llm",
    "information",
    "embeddings",
    "generative",
    "rlhf",
    "backprop",
    "models",
    "pytorch",
    "numbers",
)


@cache
def sections() -> tuple[Section, ...]:
    return tuple(import_module(f"mathcheck.formulas.{m}").SECTION for m in SECTION_MODULES)


@cache
def all_entries() -> tuple[Entry, ...]:
    entries: list[Entry] = []
    for module in SECTION_MODULES:
        entries.extend(import_module(f"mathcheck.formulas.{module}").ENTRIES)
    ids = [e.id for e in entries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate catalog ids: {sorted(duplicates)}")
    return tuple(entries)


def get(formula_id: str) -> Entry:
    """The entry with this id; an unknown id raises an error naming the closest ids."""
    for entry in all_entries():
        if entry.id == formula_id:
            return entry
    raise UnknownFormulaError(formula_id, (e.id for e in all_entries()))


def find_section(name: str) -> Section:
    """A section by number ("4"), slug ("activations") or unambiguous slug prefix."""
    for section in sections():
        if name in (str(section.number), section.slug):
            return section
    matches = [s for s in sections() if s.slug.startswith(name.lower())]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(s.slug for s in sections())
    raise InvalidInputError(f"unknown section {name!r}; known sections: {known}")


def select(sections_: tuple[str, ...] = (), formulas: tuple[str, ...] = ()) -> tuple[Entry, ...]:
    """Entries filtered by section names and/or formula ids (a trailing '*' is a prefix glob)."""
    chosen = all_entries()
    if sections_:
        wanted = {find_section(s).number for s in sections_}
        chosen = tuple(e for e in chosen if e.section.number in wanted)
    if formulas:
        picked: list[Entry] = []
        for pattern in formulas:
            if pattern.endswith("*"):
                hits = [e for e in chosen if e.id.startswith(pattern[:-1])]
                if not hits:
                    raise UnknownFormulaError(pattern, (e.id for e in all_entries()))
                picked.extend(hits)
            else:
                entry = get(pattern)
                if entry.id not in {e.id for e in chosen}:
                    raise InvalidInputError(f"{pattern} is not in the selected sections")
                picked.append(entry)
        chosen = tuple({e.id: e for e in picked}.values())
    return chosen
