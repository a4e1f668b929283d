"""`mathcheck sweep`: sharding does not change the result, shards resume, a planted bug is
found, a separately started Ray head gives the local result, bad input is one line (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def test_separate_ray_head_matches_local(tmp_path: Path, ray_head) -> None:
    address, env = ray_head
    out = tmp_path / "ray.json"
    remote = mathcheck("sweep", "act.sigmoid", "--dtype", "bf16", "--shard-bits", "14",
                       "--address", address, "--results", str(tmp_path / "remote"),
                       "--json", str(out), env=env)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    assert "ray 127.0.0.1" in remote.stdout
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
    from mathcheck.sweep._table import Row, markdown, table

    rows = (Row("act.tanh", "torch:tanh", "torch", "torch.tanh"),
            Row("act.tanh", "numpy:tanh", "numpy", "numpy.tanh", dtypes=("float16",)))
    cells = table(("float16", "bfloat16"), lambda r, d: run(
        make_spec(r.entry, d, r.backend, r.impl), results=str(tmp_path)), rows)
    assert [c["dtype"] for c in cells] == ["float16", "bfloat16", "float16", "bfloat16"]
    assert cells[0]["verdict"] == "pass" and cells[0]["worst_ulps"] <= 0.5 + 1e-3
    assert cells[3]["skipped"] == "numpy.tanh has no bfloat16 kernel"
    text = markdown(cells)
    assert text.count("\n") == 6 and "| act.tanh | numpy.tanh | bfloat16 | — |" in text


def test_device_must_be_cpu_or_a_visible_cuda() -> None:
    import torch

    bad = [("act.gelu", "--device", "tpu"), ("act.gelu", "--backend", "numpy", "--device", "cuda")]
    if not torch.cuda.is_available():
        bad.append(("act.gelu", "--dtype", "fp16", "--device", "cuda"))
    for args in bad:
        test_bad_input_is_one_line_exit_2(args)


def test_cuda_sweep_scores_the_gpu_output_on_the_cpu(tmp_path: Path) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device present")
    cuda = run(make_spec("act.silu", "fp16", device="cuda"), results=str(tmp_path))
    cpu = run(make_spec("act.silu", "fp16"), results=str(tmp_path))
    assert cuda["device"] == "cuda" and "CPU" in cuda["where"]
    assert cuda["inputs"] == cpu["inputs"] and cuda["verdict"] == "pass"


def test_rows_file_is_read_and_bad_rows_are_one_line(tmp_path: Path) -> None:
    from mathcheck.errors import InvalidInputError
    from mathcheck.sweep._table import Row, default_rows, load_rows

    good = tmp_path / "rows.toml"
    good.write_text('[[row]]\nentry = "act.tanh"\nimpl = "numpy:tanh"\nbackend = "numpy"\n'
                    'label = "numpy.tanh"\n')
    assert load_rows(str(good)) == (Row("act.tanh", "numpy:tanh", "numpy", "numpy.tanh"),)
    for text in ('[[row]]\nentry = "act.tanh"\n', '[[row]]\nentry="a"\nbackend="b"\n'
                 'label="c"\ncolour="red"\n', "not toml [", ""):
        (tmp_path / "bad.toml").write_text(text)
        with pytest.raises(InvalidInputError):
            load_rows(str(tmp_path / "bad.toml"))
    labels = {r.label for r in default_rows()}
    assert {"torch F.silu", "scipy.special.expit", "jax.nn.silu"} <= labels


def test_jax_takes_ml_dtypes_bfloat16_through_the_numpy_backend(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason="jax is not installed (the `jax` extra)")
    result = run(make_spec("act.tanh", "bf16", "numpy", "jax.numpy:tanh"),
                 results=str(tmp_path))
    assert result["dtype"] == "bfloat16" and result["inputs"] > 65000
    assert result["verdict"] == "pass" and not result["returned_dtypes"]
