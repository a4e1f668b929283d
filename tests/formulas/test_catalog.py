"""The whole catalog through the engine, one test per entry and device.

A failure message carries each failed check's detail, its budget's derivation and a
reproduction snippet.
"""

from __future__ import annotations

import pytest

from mathcheck.crosscheck import verify_entry
from mathcheck.formulas import all_entries
from tests.conftest import run_options

ENTRIES = all_entries()


def _report(results: list) -> str:
    lines = []
    for r in results:
        if r.status in ("failed", "error"):
            lines.append(
                f"{r.claim} [{r.backend} {r.dtype} {r.device}]: {r.detail}\n"
                f"  budget: {r.budget_note}\n  reproduce: {r.worst_input}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_verifies(entry, device: str) -> None:
    results = verify_entry(entry, run_options(devices=(device,)))
    if device == "cuda":
        results = [r for r in results if r.device == "cuda"]
    assert results or device == "cuda", f"{entry.id} has no checks"
    failures = _report(results)
    assert not failures, f"{entry.id}:\n{failures}"


def test_catalog_ids_are_unique_and_well_formed() -> None:
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    for entry_id in ids:
        prefix, _, name = entry_id.partition(".")
        assert prefix and name and entry_id == entry_id.lower(), entry_id


def test_every_entry_has_claims_and_three_forms_or_a_reason() -> None:
    for e in ENTRIES:
        assert e.claims, e.id
        if e.numpy is None or e.torch is None:
            assert e.no_numeric_reason, f"{e.id} lacks a numeric form without saying why"
        for claim in e.claims:
            budget = getattr(claim, "budget", None)
            if budget is not None:
                assert budget.why.strip(), f"{e.id}: budget without a derivation"
