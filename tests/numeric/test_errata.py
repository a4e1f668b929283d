"""Errata: well-formed data, every evidence function reproduces its erratum, JSON-ready rows."""

from __future__ import annotations

import json
import re

from mathcheck.formulas import _registry
from mathcheck.formulas.errata import ERRATA
from mathcheck.numeric.checks.errata import collect

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
