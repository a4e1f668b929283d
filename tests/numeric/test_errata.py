"""Errata: well-formed data, every evidence function reproduces its erratum, JSON-ready rows;
evidence that raises or hangs is an "error" row, under the engine's time budget."""

from __future__ import annotations

import dataclasses
import json
import re
import time

import pytest

from mathcheck.crosscheck import RunOptions
from mathcheck.crosscheck.errata import collect
from mathcheck.formulas import _registry
from mathcheck.formulas.errata import ERRATA
from mathcheck.outcome import CheckContext

OWN_SECTIONS = {13, 14, 15, 17}


def test_ids_unique_and_well_formed():
    ids = [e.id for e in ERRATA]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"errata\.[a-z0-9_]+", i) for i in ids)


def test_entries_exist_for_own_sections_and_are_well_formed_elsewhere():
    known = {e.id for e in _registry.all_entries()}
    for erratum in ERRATA:
        assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9_]+", erratum.entry)
        if erratum.section in OWN_SECTIONS:
            assert erratum.entry in known, erratum.entry
        assert erratum.stated and erratum.computed
        assert erratum.kind in ("wrong", "convention", "approximation", "notation", "empirical")


def test_collect_reproduces_every_erratum():
    rows = collect()
    assert len(rows) == len(ERRATA)
    json.dumps(rows)  # the report writes them as JSON
    failing = {r["id"]: r["evidence"] for r in rows if r["status"] != "reproduced"}
    assert not failing
    keys = {
        "id",
        "entry_id",
        "section",
        "kind",
        "stated",
        "computed",
        "convention",
        "status",
        "evidence",
        "values",
        "seconds",
    }
    assert all(keys <= set(r) for r in rows)


def _raises(ctx: CheckContext) -> dict:
    raise ValueError("no evidence here\nsecond line")


def _hangs(ctx: CheckContext) -> dict:
    while True:
        time.sleep(0.01)


def _seed(ctx: CheckContext) -> dict:
    return {"reproduced": ctx.seed == 7, "summary": f"seed {ctx.seed}",
            "values": {"backend": ctx.backend, "dtype": ctx.dtype, "examples": ctx.examples}}


def _with(*evidence) -> tuple:
    return tuple(dataclasses.replace(ERRATA[0], id=f"errata.fake_{i}", evidence=e)
                 for i, e in enumerate(evidence))


def test_evidence_gets_the_runs_context():
    rows = collect(RunOptions(seed=7, examples=3), errata=_with(_seed))
    assert rows[0]["status"] == "reproduced" and rows[0]["evidence"] == "seed 7"
    assert rows[0]["values"] == {"backend": "torch", "dtype": "float64", "examples": 3}
    assert collect(RunOptions(seed=1), errata=_with(_seed))[0]["status"] == "not reproduced"


def test_raising_or_hanging_evidence_is_an_error_row_and_the_others_go_on():
    start = time.perf_counter()
    rows = collect(RunOptions(time_budget=0.5), errata=_with(_raises, _hangs, _seed))
    assert time.perf_counter() - start < 20
    assert [r["status"] for r in rows] == ["error", "error", "not reproduced"]
    assert "ValueError: no evidence here" in rows[0]["evidence"]
    assert "\n" not in rows[0]["evidence"] and rows[0]["values"] == {}
    assert rows[1]["evidence"] == "timed out after 0.5 s"
    json.dumps(rows)


@pytest.mark.slow
def test_collect_in_worker_processes_equals_in_process():
    def strip(rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]

    assert strip(collect(jobs=2)) == strip(collect())
