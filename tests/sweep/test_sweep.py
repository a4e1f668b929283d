"""`mathcheck sweep`: sharding does not change the result, shards resume, a planted bug is
found, a separately started Ray head gives the local result, bad input is one line (exit 2)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mathcheck.sweep import make_spec, run

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("inputs", "worst_ulps", "worst_x", "worst_got", "histogram", "correctly_rounded",
            "nonfinite", "worst", "nan_not_propagated", "verdict")


def mathcheck(*args: str, timeout: float = 240,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = env or {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mathcheck", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout, env=env)


def same(a: dict, b: dict) -> None:
    for name in COMPARED:
        assert a[name] == b[name], name


def test_sharded_fp16_equals_one_batch(tmp_path: Path) -> None:
    whole = run(make_spec("act.gelu", "fp16", shard_bits=16), results=str(tmp_path),
                in_process=True)
    sharded = run(make_spec("act.gelu", "fp16", shard_bits=11), results=str(tmp_path),
                  in_process=True)
    assert whole["shards"] == 1 and sharded["shards"] == 32
    same(whole, sharded)
    assert whole["search"] == "exhaustive" and whole["patterns"] == 2**16
    assert whole["verdict"] == "pass" and 0.5 < whole["worst_ulps"] <= whole["budget_ulps"]
    assert sum(whole["histogram"].values()) == whole["inputs"]


def test_resume_skips_finished_shards(tmp_path: Path) -> None:
    spec = make_spec("act.silu", "bf16", shard_bits=12)
    first = run(spec, results=str(tmp_path), in_process=True)
    assert first["computed_shards"] == 16
    folder = Path(first["results"])
    for index in (3, 7, 11):
        (folder / f"shard_{index:05d}.json").unlink()
    (folder / "shard_00005.json").write_text("{half-writ")  # a shard killed mid-write
    again = run(spec, results=str(tmp_path), in_process=True)
    assert again["computed_shards"] == 4 and again["resumed_shards"] == 12
    same(first, again)
    assert run(spec, results=str(tmp_path), in_process=True)["computed_shards"] == 0


def test_planted_wrong_constant_is_far_over_budget(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run_ = mathcheck("sweep", "--impl", "tests.sweep.planted:gelu_wrong_constant",
                     "--formula", "act.gelu", "--dtype", "fp16", "--results", str(tmp_path),
                     "--json", str(out))
    assert run_.returncode == 1, run_.stdout + run_.stderr
    result = json.loads(out.read_text())
    assert result["verdict"] == "fail"
    assert result["worst_ulps"] > 10 * result["budget_ulps"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_separate_ray_head_matches_local(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="ray is not installed (the `distributed` extra)")
    ray_bin = Path(sys.executable).with_name("ray")
    port = _free_port()
    # one token for the head and the client (Ray ≥ 2.5x authenticates its clients)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    # --block: the head lives as long as this process, which the test ends itself
    head = subprocess.Popen(
        [str(ray_bin), "start", "--head", f"--port={port}", "--num-cpus=1",
         "--include-dashboard=false", "--disable-usage-stats", "--block"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    try:  # no wait for the head: ray.init retries until its GCS answers
        out = tmp_path / "ray.json"
        remote = mathcheck("sweep", "act.sigmoid", "--dtype", "bf16", "--shard-bits", "14",
                           "--address", f"127.0.0.1:{port}", "--results",
                           str(tmp_path / "remote"), "--json", str(out), env=env)
        assert remote.returncode == 0, remote.stdout + remote.stderr
        assert "ray 127.0.0.1" in remote.stdout
    finally:  # the head's whole process group, which this test started (ray stop: all)
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=3)
        except subprocess.TimeoutExpired:  # a graceful stop takes ~30 s
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=30)
        # the killed head's pointer would send a later address-less ray.init() to it
        pointer = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if pointer.exists() and pointer.read_text().strip().endswith(f":{port}"):
            pointer.unlink()
    local = run(make_spec("act.sigmoid", "bf16", shard_bits=14), results=str(tmp_path),
                in_process=True)
    got = json.loads(out.read_text())
    assert got["shards"] == 4
    for name in ("inputs", "worst_ulps", "worst_x", "correctly_rounded", "histogram"):
        assert got[name] == local[name], name


@pytest.mark.parametrize("args", [
    ("act.nope",),
    ("act.softmax",),
    ("act.gelu", "--dtype", "fp8"),
    ("act.gelu", "--backend", "jaxx"),
    ("act.gelu", "--dtype", "bf16", "--backend", "numpy"),
    ("--impl", "tests.sweep.planted:missing", "--formula", "act.gelu"),
])
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...]) -> None:
    result = mathcheck("sweep", *args, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mathcheck: error: "), result.stderr


def test_table_cells_and_markdown(tmp_path: Path) -> None:
    from mathcheck.sweep._table import markdown, table

    rows = (("act.tanh", "torch:tanh", "torch", "torch.tanh"),
            ("act.tanh", "numpy:tanh", "numpy", "numpy.tanh"))
    cells = table(("float16", "bfloat16"),
                  lambda e, d, b, i: run(make_spec(e, d, b, i), results=str(tmp_path)), rows)
    assert [c["dtype"] for c in cells] == ["float16", "bfloat16", "float16", "bfloat16"]
    assert cells[0]["verdict"] == "pass" and cells[0]["worst_ulps"] <= 0.5 + 1e-3
    assert "NumPy has no bfloat16" in cells[3]["skipped"]
    text = markdown(cells)
    assert text.count("\n") == 6 and "| act.tanh | numpy.tanh | bfloat16 | — |" in text
