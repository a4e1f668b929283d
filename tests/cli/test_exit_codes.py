"""The exit-code table (mathcheck.errors, README "Exit codes"), one case per row, run as a
user runs it: a subprocess, output read from the pipes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--dtype", "fp32", "--examples", "2"]


def mathcheck(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mathcheck", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout)


def one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mathcheck: error: "), run.stderr
    return lines[0]


def test_0_when_every_check_passes():
    run = mathcheck("verify", "--formula", "act.relu", "--backend", "numpy", *QUICK)
    assert run.returncode == 0, run.stdout + run.stderr


def test_1_when_a_check_fails():
    run = mathcheck("regress", "tests.regress.hostile:buggy=act.softmax", *QUICK)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "fail" in run.stdout


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_1_when_nothing_could_be_checked():
    run = mathcheck("regress", "tests.regress.hostile:good=act.softmax", "--device", "cuda",
                    "--skip-missing-devices", *QUICK)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "not checked" in run.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("verify", "--formula", "act.sofmax"), "did you mean act.softmax"),
        (("verify", "--formula", "act.relu", "--dtype", "fp8"), "unknown dtype 'fp8'"),
        (("verify", "--formula", "act.relu", "--json", "/no/such/folder/r.json"),
         "cannot write --json report"),
        (("regress", "tests.regress.hostile:good=act.softmax", "--junit", "/proc/r.xml"),
         "cannot write --junit report"),
        (("regress", "tests.regress.hostile:good=act.nope"), "unknown formula id"),
        (("regress", "no_such_module_xyz:f=act.softmax"), "cannot import"),
        (("regress", "tests.regress.hostile:good=act.softmax", "--dtype", "fp8"),
         "unknown dtype"),
        (("latex", "--results", "pyproject.toml"), "not JSON"),
    ],
)
def test_2_for_bad_usage_before_any_work(args, words):
    start = time.monotonic()
    run = mathcheck(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert words in one_line_error(run)
    assert time.monotonic() - start < 60  # found before the checks, not after them


@pytest.mark.parametrize("args", [("verify", "--seed", "-1"), ("regress", "--seed", "-1"),
                                  ("verify", "--profile", "bogus")])
def test_2_for_option_values_click_refuses(args):
    run = mathcheck(*args)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "Invalid value" in run.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("command", ["verify", "regress"])
def test_2_for_an_absent_device(command):
    target = ["tests.regress.hostile:good=act.softmax"] if command == "regress" else []
    run = mathcheck(command, *target, "--device", "cuda", *QUICK)
    assert run.returncode == 2
    assert "--skip-missing-devices" in one_line_error(run)


def test_3_when_the_code_under_test_crashes():
    run = mathcheck("regress", "tests.regress.hostile:exits_seven=act.softmax",
                    "tests.regress.hostile:good=act.softmax", *QUICK)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "process exited with 7" in run.stdout and "pass" in run.stdout


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(monkeypatch):
    from click.testing import CliRunner

    from mathcheck.cli import catalog, cli

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(catalog, "get", broken)
    plain = CliRunner().invoke(cli, ["show", "act.relu"])
    assert plain.exit_code == 4
    assert "internal error: ZeroDivisionError: a bug" in plain.output
    assert "Traceback" not in plain.output
    debug = CliRunner().invoke(cli, ["--debug", "show", "act.relu"])
    assert isinstance(debug.exception, ZeroDivisionError)


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "--section", "linalg", "--examples", "50"),
        ("regress", "tests.regress.hostile:good=act.softmax",
         "tests.regress.hostile:c_hang=act.softmax", "tests.regress.hostile:buggy=act.softmax",
         "--dtype", "fp32", "--time-budget", "100"),
    ],
    ids=["verify", "regress"],
)
def test_130_on_ctrl_c_with_the_partial_reports_marked_incomplete(tmp_path, args):
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    process = subprocess.Popen(
        [sys.executable, "-m", "mathcheck", *args, "--json", str(report), "--junit", str(junit)],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    time.sleep(15)  # imports, then some checks (the regress one hangs in C meanwhile)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    document = json.loads(report.read_text())
    assert document["complete"] is False and document["incomplete_reason"] == "interrupted"
    assert "incomplete_reason" in junit.read_text()


def test_a_ctrl_c_swallowed_in_a_gc_callback_is_not_reported_but_raised_again(monkeypatch):
    """The race the subprocess test above can lose: SIGINT landing in Hypothesis's gc hook.
    The hook's "Exception ignored" report (a traceback) is dropped; `check()` re-raises."""
    import types

    from mathcheck.cli._render import Interrupt

    def report(exc: BaseException) -> types.SimpleNamespace:
        return types.SimpleNamespace(exc_type=type(exc), exc_value=exc, exc_traceback=None,
                                     err_msg="Exception ignored in", object=None)

    reported: list[type] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))
    with Interrupt() as interrupt:
        with pytest.raises(KeyboardInterrupt):
            interrupt._handle(signal.SIGINT, None)
        sys.unraisablehook(report(KeyboardInterrupt()))
        assert reported == []
        sys.unraisablehook(report(ValueError("kept")))  # anything else is still reported
        assert reported == [ValueError]
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()


def test_141_and_no_message_when_the_reader_goes_away():
    """`mathcheck show ... | head -1`: the reader closes the pipe before mathcheck writes."""
    proc = subprocess.Popen([sys.executable, "-m", "mathcheck", "show", "pos.rope", "--where"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the interpreter has even imported click
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141
    assert err == b""
