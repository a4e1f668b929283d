"""The id-prefix table of mathcheck/formulas/README.md matches the registry."""

from __future__ import annotations

import re
from collections import Counter
from importlib import import_module
from pathlib import Path

import mathcheck.formulas
from mathcheck.formulas import SECTION_MODULES, all_entries

README = Path(mathcheck.formulas.__file__).parent / "README.md"
HEADER = re.compile(r"^\|\s*prefix\s*\|\s*module\s*\|\s*entries\s*\|\s*$")


def registry_prefixes() -> dict[str, tuple[frozenset[str], int]]:
    """Each id prefix: the section module files that define its entries, and how many."""
    files: dict[str, set[str]] = {}
    counts: Counter[str] = Counter()
    for module in SECTION_MODULES:
        for entry in import_module(f"mathcheck.formulas.{module}").ENTRIES:
            prefix = entry.id.partition(".")[0]
            files.setdefault(prefix, set()).add(f"{module}.py")
            counts[prefix] += 1
    return {prefix: (frozenset(names), counts[prefix]) for prefix, names in files.items()}


def readme_prefixes(text: str) -> list[tuple[str, frozenset[str], str]]:
    """The rows of the table headed `| prefix | module | entries |`: (prefix, files, count)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if HEADER.match(line)), None)
    assert start is not None, "README.md has no `| prefix | module | entries |` table"
    rows = []
    for line in lines[start + 2:]:  # past the header and its |---| line
        if not line.startswith("|"):
            break
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 3, f"a row without three cells: {line!r}"
        files = frozenset(name.strip().strip("`") for name in cells[1].split(","))
        rows.append((cells[0], files, cells[2]))
    return rows


def problems(text: str, registry: dict[str, tuple[frozenset[str], int]]) -> list[str]:
    """What the README's table gets wrong against the registry (empty: nothing)."""
    rows = readme_prefixes(text)
    listed = [prefix for prefix, _, _ in rows]
    found = [f"listed twice: {p}" for p in sorted({p for p in listed if listed.count(p) > 1})]
    found += [f"missing: {p}" for p in sorted(set(registry) - set(listed))]
    found += [f"not a prefix of any id: {p}" for p in sorted(set(listed) - set(registry))]
    for prefix, files, count in rows:
        if prefix not in registry:
            continue
        want_files, want_count = registry[prefix]
        if files != want_files:
            found.append(f"{prefix}: module {sorted(files)}, not {sorted(want_files)}")
        if count != str(want_count):
            found.append(f"{prefix}: {count} entries, not {want_count}")
    return found


def test_readme_lists_every_prefix_with_its_module_and_count():
    registry = registry_prefixes()
    assert sum(count for _, count in registry.values()) == len(all_entries())
    assert problems(README.read_text(encoding="utf-8"), registry) == []


def test_a_missing_or_wrong_row_is_reported():
    registry = registry_prefixes()
    text = README.read_text(encoding="utf-8")
    rope = re.search(r"^\| `pos` \|.*$", text, re.MULTILINE)
    assert rope is not None
    assert problems(text.replace(rope.group(0) + "\n", ""), registry) == ["missing: pos"]
    wrong_count = text.replace(rope.group(0), "| `pos` | `llm.py` | 99 |")
    assert problems(wrong_count, registry) == [f"pos: 99 entries, not {registry['pos'][1]}"]
    wrong_module = text.replace(rope.group(0), f"| `pos` | `losses.py` | {registry['pos'][1]} |")
    assert problems(wrong_module, registry) == ["pos: module ['losses.py'], not ['llm.py']"]
    extra = text.replace(rope.group(0), rope.group(0) + "\n| `zzz` | `llm.py` | 1 |")
    assert problems(extra, registry) == ["not a prefix of any id: zzz"]
