"""Only `prove_equal` says "proven": no custom check may, in source or at run time.

Identity and Derivative claims go through the prover; a Check that solves, classifies or
evaluates exactly reports "confirmed". Running every Check of the catalog takes minutes, so
the source of every module a Check claim points at is scanned instead, and the engine's guard
is tested with a planted check.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest

import mathcheck
from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.formulas import Check, all_entries
from mathcheck.formulas._model import Ref
from mathcheck.outcome import CheckContext, Outcome

CHECKS_DIR = Path(mathcheck.__file__).parent / "numeric" / "checks"


def _check_modules() -> set[str]:
    """Every module a Check claim of the catalog runs from, plus all of numeric/checks."""
    modules = {f"mathcheck.numeric.checks.{p.stem}" for p in CHECKS_DIR.glob("*.py")}
    for entry in all_entries():
        for claim in entry.claims:
            if isinstance(claim, Check) and isinstance(claim.run, Ref):
                modules.add(claim.run.target.partition(":")[0])
    return modules


def _proven_literals(module: str) -> list[int]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "proven"
    ]


@pytest.mark.parametrize("module", sorted(_check_modules()))
def test_no_check_module_says_proven(module):
    assert _proven_literals(module) == [], f"{module} spells 'proven' at these lines"


def test_the_scan_would_see_a_proven_literal(tmp_path, monkeypatch):
    (tmp_path / "planted_proven.py").write_text(
        'from mathcheck.outcome import Outcome\n\n\ndef f(ctx):\n    return Outcome("proven")\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _proven_literals("planted_proven") == [5]


def _says_proven(ctx: CheckContext) -> Outcome:
    return Outcome("proven", "solved it myself")


def test_the_engine_turns_a_checks_proven_into_an_error():
    planted = replace(all_entries()[0], claims=(Check("planted", _says_proven),))
    (result,) = verify_entry(planted, RunOptions(examples=2))
    assert result.status == "error" and "only the prover proves" in result.detail
