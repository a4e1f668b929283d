"""`mathcheck regress` does what the Python API does: the working directory is importable from
the console script, --backend numpy, classes built per input shape (--init, --state), every
pyproject key (params, sizes, ranges, state, adapters), one bad target reported as its own row
while the others are checked, packs from the `mathcheck.packs` entry-point group held to
their recorded verdicts, and `mathcheck show` printing the canonical signature."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mathcheck.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_SCRIPT = Path(sys.executable).with_name("mathcheck")  # the venv's `mathcheck`
QUICK = ["--examples", "3", "--inputs", "200"]

OPS = '''
import numpy as np
import torch

NOT_CALLABLE = 3


def softmax(z):
    return torch.softmax(z, dim=-1)


def naive_np_softmax(z):  # no max-shift: overflows past z = 709
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_of_one_row(z):  # written for one row only
    assert z.ndim == 1, z.shape
    return torch.softmax(z, dim=0)


def huber_2(y, y_hat):  # its delta is built in
    return torch.nn.functional.huber_loss(y_hat, y, reduction="none", delta=2.0)


class RMSNorm(torch.nn.Module):
    """Correct for fp32 and narrower: it computes in fp64."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        x64 = x.double()
        rms = torch.sqrt(x64.pow(2).mean(-1, keepdim=True) + self.eps)
        return (x64 / rms * self.weight.double()).to(x.dtype)
'''


def _project(tmp_path: Path, pyproject: str = "") -> Path:
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ops.py").write_text(OPS)
    (package / "layers.py").write_text("from mypkg.ops import RMSNorm\n")
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path


def _console(cwd: Path, *args: str, env: dict[str, str] | None = None):
    assert CONSOLE_SCRIPT.exists(), CONSOLE_SCRIPT
    return subprocess.run([str(CONSOLE_SCRIPT), *args], cwd=cwd, text=True, capture_output=True,
                          timeout=300, env={**os.environ, **(env or {})})


def _rows(report: Path) -> dict[str, dict]:
    return {f"{r['name']}={r['formula']}": r for r in json.loads(report.read_text())["targets"]}


def test_the_console_script_imports_the_working_directory_and_reports_bad_targets(tmp_path):
    """One bad target (unimportable, not callable, unknown formula, malformed) is its own row;
    the good one is still checked; exit 2 after the table, with one line on stderr."""
    project = _project(tmp_path)
    report = tmp_path / "r.json"
    run = _console(project, "regress", "mypkg.ops:softmax=act.softmax",
                   "mypkg.ops:NOT_CALLABLE=act.softmax", "no_such_module_xyz:f=act.softmax",
                   "mypkg.ops:softmax=act.sofmax", "mypkg.ops:softmax",
                   "--dtype", "fp32", *QUICK, "--json", str(report))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    (error,) = [line for line in run.stderr.splitlines() if line.strip()]
    assert error.startswith("mathcheck: error: 4 of 5 targets not checked: ")
    rows = json.loads(report.read_text())["targets"]
    assert [r["name"] for r in rows] == ["mypkg.ops:softmax", "mypkg.ops:NOT_CALLABLE",
                                         "no_such_module_xyz:f", "mypkg.ops:softmax",
                                         "mypkg.ops:softmax"]  # in the order given
    assert rows[0]["verdict"] == "pass"
    for row, words in zip(rows[1:], ["not callable", "cannot import", "did you mean act.softmax",
                                     "must be module:callable=FORMULA_ID"], strict=True):
        assert row["verdict"] == "not checked" and row["note"].startswith("usage error: ")
        assert words in row["note"], row
    assert "pass" in run.stdout and "not checked" in run.stdout


def test_3_wins_over_a_usage_error():
    run = subprocess.run(
        [sys.executable, "-m", "mathcheck", "regress", "tests.regress.hostile:exits_seven=act.relu",
         "no_such_module_xyz:f=act.relu", "--dtype", "fp32", *QUICK],
        cwd=ROOT, text=True, capture_output=True, timeout=300)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "process exited with 7" in run.stdout and "usage error" in run.stdout


def test_backend_numpy_and_class_targets_on_the_command_line():
    runner = CliRunner()
    numpy = runner.invoke(cli, ["regress", "numpy:tanh=act.tanh", "--backend", "numpy",
                                "--dtype", "fp64", *QUICK])
    assert numpy.exit_code == 0, numpy.output
    # A class is built per input shape (here with the wrong constructor argument) ...
    wrong = runner.invoke(cli, ["regress", "torch.nn:RMSNorm=norm.rms_norm", "--init", "dim=$n",
                                "--dtype", "fp32", *QUICK, "--json", "/dev/stdout"])
    assert "unexpected keyword argument 'dim'" in wrong.output, wrong.output
    assert "got an unexpected keyword argument 'gamma'" not in wrong.output
    # ... and with its own, its weight taken from the canonical gamma, it matches RMSNorm
    # (in fp16: in fp32 its x² overflows beyond |x| ≈ 1.8e19, a recorded torch finding).
    module = runner.invoke(cli, ["regress", "torch.nn:RMSNorm=norm.rms_norm",
                                 "--init", "normalized_shape=$n", "--init", "eps=$eps",
                                 "--state", "weight=gamma", "--dtype", "fp16", *QUICK])
    assert module.exit_code == 0, module.output
    assert re.search(r"norm\.rms_norm\s+│\s+(pass|variant)", module.output), module.output
    # --init and --state belong to a class; a function target refuses them.
    function = runner.invoke(cli, ["regress", "torch:tanh=act.tanh", "--state", "weight=gamma",
                                   "--dtype", "fp32", *QUICK])
    assert function.exit_code == 2 and "init and state build a class" in function.output
    bad = runner.invoke(cli, ["regress", "torch:tanh=act.tanh", "--state", "weight"])
    assert bad.exit_code == 2 and "--state 'weight'" in bad.output
    alone = runner.invoke(cli, ["regress", "--pack", "torch", "--backend", "numpy"])
    assert alone.exit_code == 2 and "--backend apply to command-line targets" in alone.output


PYPROJECT = """
[[tool.mathcheck.targets]]
target = "mypkg.ops:naive_np_softmax"
formula = "act.softmax"
backend = "numpy"
dtypes = ["float64"]
ranges = { z = [-5.0, 5.0] }     # where it is meant to work: no overflow

[[tool.mathcheck.targets]]
target = "mypkg.ops:RMSNorm"
formula = "norm.rms_norm"
init = { dim = "$n", eps = "$eps" }
state = { weight = "gamma" }
sizes = { n = [2, 6] }
dtypes = ["float32"]

[[tool.mathcheck.targets]]
target = "mypkg.ops:huber_2"
formula = "loss.huber"
params = { delta = 2.0 }
adapters = [{ drop = "delta" }]
dtypes = ["float32"]

[[tool.mathcheck.targets]]
target = "mypkg.ops:softmax_of_one_row"
formula = "act.softmax"
adapters = [{ per_row = true }]
dtypes = ["float32"]
"""


def _without(text: str, line: str) -> str:
    assert line in text
    return text.replace(line, "")


@pytest.mark.parametrize(
    ("drop", "failing"),
    [(None, None),
     ("ranges = { z = [-5.0, 5.0] }", "mypkg.ops:naive_np_softmax=act.softmax"),
     ('state = { weight = "gamma" }', "mypkg.ops:RMSNorm=norm.rms_norm"),
     ("params = { delta = 2.0 }", "mypkg.ops:huber_2=loss.huber"),
     ("adapters = [{ per_row = true }]", "mypkg.ops:softmax_of_one_row=act.softmax")],
    ids=["as-written", "without-ranges", "without-state", "without-params", "without-adapters"],
)
def test_pyproject_keys_reach_the_check(tmp_path, drop, failing):
    """Each key matters: without it the target that needs it fails (and only that one)."""
    text = PYPROJECT if drop is None else _without(PYPROJECT, drop)
    project = _project(tmp_path, text)
    report = tmp_path / "r.json"
    run = _console(project, "regress", *QUICK, "--json", str(report))
    assert "Traceback" not in run.stdout + run.stderr
    rows = _rows(report)
    assert len(rows) == 4
    for name, row in rows.items():
        want = "fail" if name == failing else "pass"
        assert row["verdict"] == want, (name, row["note"])
    assert run.returncode == (0 if failing is None else 1), run.stdout + run.stderr


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text()
    after = readme[readme.index("A pyproject target looks like"):]
    return re.search(r"```toml\n(.*?)```", after, re.S).group(1)


def test_the_readme_pyproject_example_runs_as_written(tmp_path):
    example = _readme_example()
    project = _project(tmp_path, example)
    run = _console(project, "regress", *QUICK)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode == 0, example + run.stdout + run.stderr


# --- packs from the entry-point group -------------------------------------------------------

PACK = '''
import torch
import torch.nn.functional as F

from mathcheck.regress.packs._common import fn_job

QUICK = dict(dtypes=("float64",), examples=3, inputs=200, gradients=False)


def unavailable():
    return None


def naive(z):
    return torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)


def jobs():
    return [
        fn_job("torch.softmax", "act.softmax", lambda z: torch.softmax(z, -1), **QUICK),
        fn_job("naive softmax", "act.softmax", naive, expect=EXPECT, note="overflows", **QUICK),
        fn_job("F.gelu tanh", "act.gelu", lambda x: F.gelu(x, approximate="tanh"),
               expect="tanh", **QUICK),
    ]
'''


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, str]:
    """A distribution that registers three packs: `fake` (every job at its recorded verdict,
    one a recorded fail), `fake_wrong` (one job records pass but fails), `gone` (no module)."""
    site = tmp_path_factory.mktemp("site")
    (site / "fake_pack.py").write_text('EXPECT = "fail"\n' + PACK)
    (site / "fake_wrong_pack.py").write_text('EXPECT = "pass"\n' + PACK)
    info = site / "fakepacks-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakepacks\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[mathcheck.packs]\nfake = fake_pack\nfake_wrong = fake_wrong_pack\n"
        "gone = no_such_pack_module_xyz\n")
    return {"PYTHONPATH": str(site)}


def test_a_pack_exits_0_when_every_job_gives_its_recorded_verdict(tmp_path, packs):
    report = tmp_path / "r.json"
    run = _console(tmp_path, "regress", "--pack", "fake", "--json", str(report), env=packs)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "expected" in run.stdout  # the table's column
    rows = json.loads(report.read_text())["targets"]
    assert [(r["verdict"], r["variant"], r["expected"]) for r in rows] == [
        ("pass", None, "pass"), ("fail", None, "fail"), ("variant", "tanh", "tanh")]
    strict = _console(tmp_path, "regress", "--pack", "fake", "--strict", env=packs)
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_a_pack_exits_1_naming_the_job_off_its_record(tmp_path, packs):
    run = _console(tmp_path, "regress", "--pack", "fake_wrong", env=packs)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "unexpected: naive softmax → act.softmax: expected pass, got fail" in run.stdout
    assert "≠ pass" in run.stdout


def test_missing_and_unknown_packs(tmp_path, packs):
    gone = _console(tmp_path, "regress", "--pack", "gone", env=packs)
    assert gone.returncode == 1, gone.stdout + gone.stderr
    assert "not checked" in gone.stdout and "no_such_pack_module_xyz" in gone.stdout
    unknown = _console(tmp_path, "regress", "--pack", "nope", env=packs)
    assert unknown.returncode == 2
    assert ("unknown pack 'nope'; known packs: fake, fake_wrong, gone, jax, scipy, torch, "
            "transformers") in unknown.stderr


# --- mathcheck show -------------------------------------------------------------------------


def test_show_prints_the_canonical_signature_parameters_and_variants():
    result = CliRunner().invoke(cli, ["show", "norm.rms_norm"])
    assert result.exit_code == 0, result.output
    out = result.output
    for part in ("f(x[..., n], gamma[n], *, eps) -> y[..., n]",
                 "x: shape (n,), real in [-10, 10]", "gamma: shape (n,), real in [-2, 2]",
                 "sizes: n in [1, 5]", "eps = 1e-06, also drawn from [1e-12, 0.001]",
                 "variants: cast before weight (LLaMA)"):
        assert part in out, part
    adamw = CliRunner().invoke(cli, ["show", "opt.adamw"]).output
    assert "t = 10\n" in adamw and "weight_decay = 0.1, also drawn from" in adamw


def test_allow_variants_in_pyproject_is_what_strict_accepts(tmp_path):
    """--strict fails on a variant unless the target's allow_variants names it."""
    project = _project(tmp_path)
    (project / "mypkg" / "act.py").write_text(
        "import torch\n\n"
        "def gelu(x):\n"
        "    return torch.nn.functional.gelu(x, approximate='tanh')\n")
    table = ('[[tool.mathcheck.targets]]\ntarget = "mypkg.act:gelu"\nformula = "act.gelu"\n'
             'dtypes = ["float64"]\n')
    (project / "pyproject.toml").write_text(table)
    refused = _console(project, "regress", "--strict", *QUICK)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    (project / "pyproject.toml").write_text(table + 'allow_variants = ["tanh"]\n')
    allowed = _console(project, "regress", "--strict", *QUICK)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
