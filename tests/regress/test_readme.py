"""The README's regression examples run as written (at a smaller effort: fewer inputs and
examples per check, every dtype), and the pytest-fixture example works in a real session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mathcheck
from mathcheck.regress import _api

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Regression-testing your own code"


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


@pytest.fixture
def small_effort(monkeypatch):
    """`check` (and so `assert_matches`) with 1,000 inputs and 5 examples per check."""
    full = _api.check

    def check(*args, **kwargs):
        return full(*args, **{"inputs": 1000, "examples": 5, **kwargs})

    monkeypatch.setattr(_api, "check", check)
    monkeypatch.setattr(mathcheck.regress, "check", check)
    return check


def test_the_python_example_runs_as_written(small_effort, capsys):
    code = _blocks("python")[0]
    assert "check_optimizer" in code and "assert_matches" in code
    exec(compile(code, "README.md (regression example)", "exec"), {})
    printed = capsys.readouterr().out
    assert "act.softmax: pass" in printed
    assert "behaves like float32 internally for float64 inputs" in printed
    assert "'float16/cpu': 'fail'" in printed  # torch AdamW's fp16 state


def test_the_fixture_example_runs_in_a_pytest_session(pytester):
    fixture_example = _blocks("python")[1]
    assert "def test_my_rmsnorm(mathcheck)" in fixture_example
    pytester.makepyfile(test_readme_fixture=(  # a correct RMSNorm: the catalog's own
        "from mathcheck.numeric.torch_forms.normalization import rms_norm as my_rms_norm\n\n"
        + fixture_example))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider",
                                           "--mathcheck-examples", "5")
    result.assert_outcomes(passed=1)
