"""Same seed, same verdict: whatever was imported first, and wherever the run starts.

Hypothesis mixes in literals parsed from locally installed modules (an editable mathcheck
counts) unless `_search` keeps them out, and writes ./.hypothesis unless the CLI points it
elsewhere; both changed results or the user's folder before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json
{prior}
from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.formulas import select

entries = select((), ("linalg.rank", "opt.adam", "linalg.l2_norm"))
options = RunOptions(seed=3, examples=8, devices=("cpu",), dtypes=("float64", "float32"))
print(json.dumps([
    {{k: repr(v) for k, v in r.to_dict().items() if k != "seconds"}}
    for r in verify_entries(entries, options)
]))
"""
PRIORS = (
    "",
    "import mathcheck.symbolic.activations, mathcheck.numeric.numpy_forms.activations, "
    "mathcheck.regress, mathcheck.reference.build",
)


def _records(prior: str, cwd: Path) -> list[list[object]]:
    run = subprocess.run([sys.executable, "-c", SCRIPT.format(prior=prior)], cwd=cwd,
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_prior_imports_do_not_change_any_record(tmp_path):
    first, second = (_records(prior, ROOT) for prior in PRIORS)
    assert len(first) > 10
    assert first == second


def test_the_cli_writes_nothing_into_the_working_directory(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "mathcheck", "verify", "--formula", "act.softmax",
         "--dtype", "fp32", "--examples", "3"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"),
             "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == []


def test_the_python_api_writes_nothing_into_the_working_directory(tmp_path):
    """A script calling the engine (no CLI, no conftest), tok.bpe's check calling Hypothesis's
    `given` itself among them: Hypothesis's files go to the user cache folder, not
    ./.hypothesis."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    script = SCRIPT.format(prior="").replace('"linalg.l2_norm"', '"linalg.l2_norm", "tok.bpe"')
    run = subprocess.run([sys.executable, "-c", script], cwd=work,
                         capture_output=True, text=True, timeout=600,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(home),
                              "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(work.iterdir()) == []
