"""Bad input to the regression checker: one clear line and exit 2, never a traceback."""

from __future__ import annotations

import time

import pytest
import torch
from click.testing import CliRunner

import mathcheck
from mathcheck.cli import cli
from mathcheck.errors import InvalidInputError, UnknownFormulaError
from mathcheck.regress import from_pyproject, load_callable


def test_unimportable_and_non_callable_targets():
    with pytest.raises(InvalidInputError, match="cannot import"):
        load_callable("no_such_module_xyz:f")
    with pytest.raises(InvalidInputError, match="no attribute"):
        load_callable("torch:no_such_function")
    with pytest.raises(InvalidInputError, match="not callable"):
        load_callable("math:pi")
    with pytest.raises(InvalidInputError, match="module:callable"):
        load_callable("torch.softmax")


def test_unknown_formula_id():
    with pytest.raises(UnknownFormulaError, match=r"did you mean act\.softmax"):
        mathcheck.check("act.sofmax", torch.softmax)


def test_raising_hanging_nan_and_wrong_shape_are_verdicts():
    def raises(z):
        raise ValueError("no")

    def hangs(z):
        time.sleep(60)

    def nan(z):
        return torch.full_like(z, float("nan"))

    def wrong_shape(z):
        return z.sum(-1)

    opts = {"examples": 5, "gradients": False, "dtypes": ("float32",), "time_budget": 2.0}
    for impl, verdict, words in (
        (raises, "fail", "ValueError"),
        (hangs, "timeout", "timed out after 2 s"),  # a sleep in C: the worker is killed
        (nan, "fail", "ulp"),
        (wrong_shape, "fail", "shape"),
    ):
        start = time.monotonic()
        result = mathcheck.check("act.softmax", impl, **opts)
        assert result.verdict == verdict and words in result.reason, (impl.__name__, result)
        assert time.monotonic() - start < 10, impl.__name__


def test_cli_regress_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["regress", "torch.nn.functional:softmax=act.softmax",
                             "--kwargs", "dim=-1", "--dtype", "fp32", "--examples", "5"])
    assert ok.exit_code == 0, ok.output
    assert "pass" in ok.output
    bad = runner.invoke(cli, ["regress", "nope_mod:f=act.softmax"])
    assert bad.exit_code == 2 and "cannot import" in bad.output and "Traceback" not in bad.output
    wrong = runner.invoke(cli, ["regress", "torch:tanh=act.nope"])
    assert wrong.exit_code == 2 and "unknown formula id" in wrong.output
    failing = runner.invoke(cli, ["regress", "torch:exp=act.sigmoid", "--dtype", "fp64",
                                  "--examples", "5"])
    assert failing.exit_code == 1


def test_pyproject_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[[tool.mathcheck.targets]]\ntarget = "torch:tanh"\nformula = "act.tanh"\n'
                    'dtypes = ["float32"]\n')
    (target,) = from_pyproject(path)
    assert target.formula == "act.tanh" and target.dtypes == ("float32",)
    result = CliRunner().invoke(cli, ["regress", "--config", str(path), "--examples", "5"])
    assert result.exit_code == 0, result.output
    path.write_text("[tool.mathcheck]\n")
    with pytest.raises(InvalidInputError):
        from_pyproject(path)
