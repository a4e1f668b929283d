"""`verify --address`: the catalog's tasks as Ray tasks give the records of a local run, on a
local instance and through a separately started head; a dying worker fails its task; no Ray
is one line (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mathcheck.crosscheck import verify_entries
from mathcheck.formulas import select
from tests.cli.test_exit_codes import one_line_error
from tests.crosscheck.test_parallel import SMALL, _dying, records

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("ray", reason="ray is not installed (the `distributed` extra)")


def test_local_ray_gives_the_records_of_one_process_in_plan_order():
    entries = select((), ("act.*", "calc.chain_rule"))
    seen: list[bool] = []
    on_ray = verify_entries(entries, SMALL, lambda t, r: seen.append(r is None), jobs=2,
                            address="local")
    serial = verify_entries(entries, SMALL, jobs=1)
    assert len(serial) > 40
    assert records(on_ray) == records(serial)
    assert seen.count(True) == seen.count(False) == len(serial)


def test_a_ray_worker_that_dies_fails_its_task_and_the_others_still_run():
    entries = (_dying("act.relu", "exits_seven"), *select((), ("act.sigmoid",)))
    results = verify_entries(entries, SMALL, jobs=2, address="local")
    assert results[0].claim == "exits_seven" and results[0].status == "failed"
    assert "Ray task failed" in results[0].detail
    assert all(r.ok for r in results[1:]), [(r.claim, r.detail) for r in results[1:]]


def _verify(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mathcheck", "verify", *args], cwd=ROOT,
                          text=True, capture_output=True, timeout=300, env=env)


def _checks(path: Path) -> list[dict]:
    report = json.loads(path.read_text())
    return [{k: v for k, v in c.items() if k != "seconds"} for c in report["results"]]


def test_a_separately_started_head_gives_the_local_report(tmp_path: Path, ray_head) -> None:
    address, env = ray_head
    args = ("--formula", "act.sigmoid", "--formula", "calc.d_tanh", "--dtype", "fp32",
            "--no-cache")
    remote = _verify(*args, "--address", address, "--json", str(tmp_path / "r.json"), env=env)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    local_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    local = _verify(*args, "-j", "1", "--json", str(tmp_path / "l.json"), env=local_env)
    assert local.returncode == 0, local.stdout + local.stderr
    assert _checks(tmp_path / "r.json") == _checks(tmp_path / "l.json")


def test_without_ray_address_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "ray.py"
    blocker.write_text("raise ImportError('no ray here')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    result = _verify("--formula", "act.relu", "--address", "local", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "mathcheck[distributed]" in one_line_error(result)
