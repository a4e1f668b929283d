"""Helpers shared by the planted-bug tests: run one kind of claim of an entry, read statuses."""

from __future__ import annotations

import dataclasses

from mathcheck.formulas import Entry, get


def only(entry_id: str, kind: str, label: str | None = None) -> Entry:
    """The entry with just its claims of `kind` (and `label`, when given); there must be one.

    Kinks are planned from `Entry.kinks`, so they are kept only for kind "kink".
    """
    entry = get(entry_id)
    claims = tuple(c for c in entry.checked_claims()
                   if c.kind == kind and (label is None or c.label == label))
    assert claims, f"{entry_id} has no {kind} claim {label or ''}"
    if kind == "kink":
        return dataclasses.replace(entry, claims=())
    return dataclasses.replace(entry, claims=claims, kinks=())


def statuses(results) -> set[str]:
    """The statuses of the checks that ran (skips, e.g. NumPy bfloat16, left out)."""
    return {r.status for r in results if r.status != "skipped"}
