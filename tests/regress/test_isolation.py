"""Code under test cannot take mathcheck down: every hostile implementation in `hostile`
ends in its verdict, within its budget, and the next check still runs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

import mathcheck
from mathcheck.errors import InvalidInputError, MathcheckError, NotSupportedError
from tests.regress import hostile

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 1.5
OPTIONS = {"examples": 3, "gradients": False, "dtypes": ("float32",), "time_budget": BUDGET}
#: The slowest a broken check may take: its budget, the kill's grace, a worker restart.
WITHIN = BUDGET + 1.0 + 20.0

CASES = [
    (hostile.c_hang, "timeout", "timed out after 1.5 s"),
    (hostile.python_hang, "timeout", "timed out after 1.5 s"),
    (hostile.allocating_loop, "timeout", "timed out after 1.5 s"),
    (hostile.swallowing_loop, "timeout", "timed out after 1.5 s"),
    (hostile.exits_zero, "crashed", "process exited with 0"),
    (hostile.exits_seven, "crashed", "process exited with 7"),
    (hostile.calls_sys_exit, "crashed", "sys.exit(3)"),
    (hostile.segfaults, "crashed", "SIGSEGV"),
    (hostile.raises_base_exception, "crashed", "raised Escape"),
    (hostile.raises_keyboard_interrupt, "crashed", "KeyboardInterrupt"),
    (hostile.returns_none, "fail", ""),
    (hostile.returns_string, "fail", ""),
    (hostile.returns_wrong_shape, "fail", "shape"),
    (hostile.returns_int_tensor, "fail", ""),
    (hostile.buggy, "fail", "ulp"),
]


@pytest.mark.parametrize(("impl", "verdict", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_hostile_implementation_gets_its_verdict_and_the_next_check_runs(impl, verdict, words):
    start = time.monotonic()
    result = mathcheck.check("act.softmax", impl, **OPTIONS)
    assert time.monotonic() - start < WITHIN
    assert result.verdict == verdict, str(result)
    assert words in result.reason, str(result)
    after = mathcheck.check("act.softmax", hostile.good, **OPTIONS)
    assert after.verdict == "pass", str(after)


def test_the_time_limit_leaves_sigalrm_alone_and_works_off_the_main_thread():
    before = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 0)
    verdicts = []

    def run() -> None:
        verdicts.append(mathcheck.check("act.softmax", hostile.python_hang, **OPTIONS).verdict)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert verdicts == ["timeout"]
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_in_process_limit_survives_a_raise_that_is_swallowed():
    """A raise lost once (in a gc callback, as Hypothesis's hook loses it, or an `except
    BaseException`) is raised again: the limit still ends the block. (Code that swallows
    every raise for ever is what the worker's kill is for.)"""
    from mathcheck._timeout import time_limit
    from mathcheck.errors import CheckTimeout

    swallowed = 0
    start = time.monotonic()
    with pytest.raises(CheckTimeout):
        with time_limit(0.3):
            while True:
                try:
                    sum(range(1000))
                except CheckTimeout:
                    if swallowed >= 3:
                        raise
                    swallowed += 1
    assert swallowed == 3 and time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"devices": []}, InvalidInputError, "devices is empty"),
        ({"dtypes": []}, InvalidInputError, "dtypes is empty"),
        ({"dtypes": "float32"}, InvalidInputError, "list of names"),
        ({"dtypes": ["fp8"]}, InvalidInputError, "unknown dtype"),
        ({"devices": ["tpu"]}, InvalidInputError, "unknown device"),
        ({"backend": "jax"}, InvalidInputError, "unknown backend"),
        ({"backend": "numpy", "dtypes": ["bf16"]}, NotSupportedError, "bfloat16"),
        ({"time_budget": -1}, InvalidInputError, "time_budget"),
        ({"time_budget": 0}, InvalidInputError, "time_budget"),
        ({"seed": -1}, InvalidInputError, "seed"),
        ({"examples": 0}, InvalidInputError, "examples"),
        ({"target_budget": -5}, InvalidInputError, "target_budget"),
    ],
)
def test_a_check_that_would_verify_nothing_is_a_usage_error(options, error, words):
    with pytest.raises(error, match=words) as caught:
        mathcheck.check("act.softmax", hostile.good, **{**OPTIONS, **options})
    assert "\n" not in str(caught.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_an_absent_device_is_a_usage_error_unless_skipped():
    with pytest.raises(InvalidInputError, match="cuda is not available"):
        mathcheck.check("act.softmax", hostile.good, **{**OPTIONS, "devices": ["cuda"]})
    only_cuda = mathcheck.check(
        "act.softmax", hostile.good, **{**OPTIONS, "devices": ["cuda"]},
        skip_missing_devices=True,
    )
    assert only_cuda.verdict == "not checked" and "CUDA" in only_cuda.reason


def test_a_formula_without_an_agreement_claim_is_a_usage_error():
    from mathcheck.formulas import all_entries

    entry = next(e for e in all_entries() if not any(c.kind == "agreement" for c in e.claims))
    with pytest.raises(MathcheckError, match="no numeric agreement claim"):
        mathcheck.check(entry.id, hostile.good, **OPTIONS)


def test_warnings_of_the_code_under_test_are_counted_not_printed(capfd):
    def warns(z):
        import warnings

        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
        return torch.softmax(z, dim=-1)

    result = mathcheck.check("act.softmax", warns, **OPTIONS)
    assert result.verdict == "pass"
    assert result.warnings > 0 and "deprecated thing" in result.first_warning
    assert "deprecated thing" not in capfd.readouterr().err


def test_an_unpicklable_implementation_runs_here_and_says_so():
    lock = threading.Lock()

    def softmax_with_lock(z):
        with lock:
            return torch.softmax(z, dim=-1)

    result = mathcheck.check("act.softmax", softmax_with_lock, **OPTIONS)
    assert result.verdict == "pass" and "in this process" in result.isolation
    with pytest.raises(InvalidInputError, match="cannot send"):
        mathcheck.check("act.softmax", softmax_with_lock, **OPTIONS, isolate=True)


def test_regress_over_hostile_targets_finishes_in_budget_with_exit_3(tmp_path):
    """The issue's end-to-end run: a C-level hang, os._exit(0), an allocating loop, a module
    that exits at import, then a buggy and a good target — each gets its verdict."""
    names = {
        "tests.regress.hostile:c_hang": "timeout",
        "tests.regress.hostile:exits_zero": "crashed",
        "tests.regress.hostile:allocating_loop": "timeout",
        "tests.regress.hostile_import_exit:softmax": "crashed",
        "tests.regress.hostile:buggy": "fail",
        "tests.regress.hostile:good": "pass",
    }
    report = tmp_path / "regress.json"
    command = [sys.executable, "-m", "mathcheck", "regress",
               *[f"{name}=act.softmax" for name in names],
               "--dtype", "fp32", "--examples", "3", "--time-budget", "2",
               "--json", str(report)]
    start = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - start
    assert run.returncode == 3, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    rows = {row["name"]: row for row in json.loads(report.read_text())["targets"]}
    assert {name: rows[name]["verdict"] for name in names} == names
    assert "process exited with 5" in rows["tests.regress.hostile_import_exit:softmax"]["note"]
    assert "process exited with 0" in rows["tests.regress.hostile:exits_zero"]["note"]
    assert elapsed < 120, f"took {elapsed:.0f} s"
