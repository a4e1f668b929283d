"""`-j N`: the same records as in-process, in plan order; a dying worker fails its task and
the run goes on; a bad job count is a one-line usage error."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.crosscheck._pool import parse_jobs, worker_environment
from mathcheck.formulas import Check, Ref, get, select
from tests.cli.test_exit_codes import mathcheck, one_line_error

ROOT = Path(__file__).resolve().parents[2]
SMALL = RunOptions(examples=3, dtypes=("float32",), devices=("cpu",))


def records(results) -> list[dict]:
    return [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in results]


def test_two_workers_give_the_records_of_one_process_in_plan_order():
    # activations: derivatives, agreement, gradients, properties; calculus: identities and checks
    entries = select(("activations",)) + select((), ("calc.chain_rule", "calc.hessian"))
    seen: list[tuple[str, bool]] = []
    parallel = verify_entries(entries, SMALL, lambda t, r: seen.append((t.entry.id, r is None)),
                              jobs=2)
    serial = verify_entries(entries, SMALL, jobs=1)
    assert len(serial) > 50
    assert records(parallel) == records(serial)
    assert len(seen) == 2 * len(serial)  # a start and a finish for every task
    assert {r.kind for r in serial} >= {"derivative", "identity", "check", "agreement"}


def _dying(entry_id: str, *hostile: str):
    entry = get(entry_id)
    kept = tuple(c for c in entry.claims if c.kind == "derivative")
    dying = tuple(Check(name, Ref(f"tests.regress.hostile:{name}")) for name in hostile)
    return dataclasses.replace(entry, claims=(*dying, *kept), kinks=())


def test_a_worker_that_dies_fails_its_task_and_the_others_still_run():
    entries = (_dying("act.relu", "exits_seven", "segfaults"), get("act.sigmoid"))
    results = verify_entries(entries, SMALL, jobs=2)
    assert [r.claim for r in results][:3] == ["exits_seven", "segfaults", "derivative"]
    exited, crashed = results[0], results[1]
    assert exited.status == "failed" and "exited with 7" in exited.detail
    assert crashed.status == "failed" and "SIGSEGV" in crashed.detail
    assert all(r.ok for r in results[2:]), [(r.claim, r.detail) for r in results[2:]]
    assert len(results) == len(verify_entries(entries[1:], SMALL)) + 3


def test_workers_do_not_rerun_the_callers_main(tmp_path):
    script = tmp_path / "no_main_guard.py"
    script.write_text(textwrap.dedent("""
        print("MAIN RAN")
        from mathcheck.crosscheck import RunOptions, verify_entries
        from mathcheck.formulas import select
        options = RunOptions(examples=2, dtypes=("float32",), devices=("cpu",))
        results = verify_entries(select((), ("act.relu", "act.sigmoid")), options, jobs=2)
        print("DONE", len(results), all(r.ok for r in results))
    """))
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env={"PATH": "/usr/bin:/bin",
                         "HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("MAIN RAN") == 1 and "True" in run.stdout, run.stdout
    assert {p.name for p in tmp_path.iterdir()} <= {"no_main_guard.py", "home"}  # no .hypothesis


def test_workers_get_one_thread_and_the_hypothesis_folder(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", "/somewhere/hypothesis")
    env = worker_environment()
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert env["HYPOTHESIS_STORAGE_DIRECTORY"] == "/somewhere/hypothesis"


def test_job_counts():
    assert parse_jobs("auto") == parse_jobs(None) >= 1
    assert parse_jobs("3") == parse_jobs(3) == 3


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5"])
def test_a_bad_job_count_is_a_one_line_usage_error(value):
    run = mathcheck("verify", "--formula", "act.relu", "-j", value)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "-j/--jobs must be a positive integer or 'auto'" in one_line_error(run)


def test_entries_that_cannot_travel_run_in_process():
    import threading

    from mathcheck.outcome import Outcome

    lock = threading.Lock()

    def holds_a_lock(ctx):
        with lock:
            return Outcome("passed", "ran here")

    entry = dataclasses.replace(get("act.relu"), claims=(Check("local", holds_a_lock),) * 2,
                                kinks=())
    results = verify_entries([entry], SMALL, jobs=2)
    assert [(r.status, r.detail) for r in results] == [("passed", "ran here")] * 2


def test_a_worker_hung_in_c_is_killed_at_its_budget_and_replaced():
    entries = (_dying("act.relu", "c_hang"),)
    options = dataclasses.replace(SMALL, time_budget=1.0)
    results = verify_entries(entries, options, jobs=2)
    hung = results[0]
    assert hung.status == "error" and "timed out after 1 s" in hung.detail
    assert hung.extra == {"timed_out": 1.0}
    assert len(results) == 2  # the other claim still ran (its verdict may be a timeout too)
