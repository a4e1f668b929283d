"""The command line: exit codes, one-line errors, reports."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from mathcheck.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_list_and_show():
    result = run("list", "--section", "activations")
    assert result.exit_code == 0 and "act.softmax" in result.output
    result = run("show", "act.softmax")
    assert result.exit_code == 0
    for part in ("LaTeX", "SymPy form", "NumPy form", "Torch form", "amax", "Claims"):
        assert part in result.output


def test_unknown_id_is_one_line_with_suggestions_and_exit_2():
    result = run("verify", "--formula", "act.softmx")
    assert result.exit_code == 2
    assert "did you mean act.softmax" in result.output
    assert "Traceback" not in result.output


def test_bad_dtype_and_section_exit_2():
    assert run("verify", "--formula", "act.sigmoid", "--dtype", "fp8").exit_code == 2
    assert run("verify", "--section", "nonsense").exit_code == 2


def test_verify_writes_reports_and_exits_0(tmp_path):
    json_path, junit_path = tmp_path / "r.json", tmp_path / "r.xml"
    result = run(
        "verify",
        "--formula",
        "act.sigmoid",
        "--profile",
        "quick",
        "--device",
        "cpu",
        "--json",
        str(json_path),
        "--junit",
        str(junit_path),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(json_path.read_text())
    assert report["schema"] == "mathcheck-report/1"
    assert {"python", "sympy", "numpy", "torch", "cuda", "gpu", "seed"} <= set(
        report["environment"]
    )
    record = report["results"][0]
    for key in (
        "entry_id",
        "claim",
        "kind",
        "backend",
        "dtype",
        "device",
        "status",
        "error",
        "budget",
        "budget_note",
        "worst_input",
        "seconds",
    ):
        assert key in record
    suites = ET.parse(junit_path).getroot()
    assert suites.find("testsuite").get("name") == "activations"


def test_help_does_not_import_torch_or_sympy():
    code = (
        "import sys; from mathcheck.cli import main\n"
        "try:\n    main(['list'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules and 'sympy' not in sys.modules, 'heavy import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_verify_on_a_broken_copy_fails_with_a_shrunk_counterexample(monkeypatch):
    """A deliberately broken NumPy softmax (no max shift) in the catalog: exit 1 and a
    reproduction snippet with a minimal overflowing input."""
    import numpy as np

    from mathcheck.numeric.numpy_forms import activations

    def broken(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    monkeypatch.setattr(activations, "softmax", broken)
    result = run(
        "verify",
        "--formula",
        "act.softmax",
        "--backend",
        "numpy",
        "--dtype",
        "fp64",
        "--profile",
        "quick",
        "-j",
        "1",  # the patch lives in this process; worker processes import the real form
    )
    assert result.exit_code == 1
    assert "FAILED act.softmax" in result.output
    assert "reproduce('act.softmax', backend='numpy', dtype='float64'" in result.output
