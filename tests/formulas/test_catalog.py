"""The whole catalog through the engine, one test per entry and device.

A failure message carries each failed check's detail, its budget's derivation and a
reproduction snippet.
"""

from __future__ import annotations

from collections import Counter

import pytest

from mathcheck.crosscheck import Task, plan, run_task
from mathcheck.formulas import all_entries
from tests.conftest import DEVICES, run_options

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


def _tasks(entry, device: str) -> list[Task]:
    """What the `device` case of an entry runs: on the CPU every task planned for it, the
    device-independent ones (symbolic, NumPy, run-once checks) included; on another device
    only the tasks on that device, so that nothing runs twice."""
    tasks = plan(entry, run_options(devices=(device,)))
    return tasks if device == "cpu" else [t for t in tasks if t.device == device]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_verifies(entry, device: str) -> None:
    tasks = _tasks(entry, device)
    if not tasks and device != "cpu":
        pytest.skip(f"not applicable: {entry.id} has no {device} task")
    assert tasks, f"{entry.id} has no checks"
    options = run_options(devices=(device,))
    results = [run_task(t, options) for t in tasks]
    if all(r.status == "skipped" for r in results):  # "not derivable", or no such device
        pytest.skip(f"{entry.id} ran no {device} check: "
                    + "; ".join(sorted({r.detail for r in results})))
    failures = _report(results)
    assert not failures, f"{entry.id}:\n{failures}"


def test_the_device_cases_run_each_task_once() -> None:
    """The CPU and CUDA cases of `test_entry_verifies` together run what one plan over both
    devices holds, each task once (planning only: no device is needed)."""
    def key(t: Task) -> tuple[str, str, str, str, str]:
        return (t.claim.kind, t.claim.label, t.backend, t.dtype, t.device)

    for entry in ENTRIES:
        cases = [key(t) for device in DEVICES for t in _tasks(entry, device)]
        both = [key(t) for t in plan(entry, run_options(devices=DEVICES))]
        assert Counter(cases) == Counter(both), entry.id


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
