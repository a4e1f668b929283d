"""Exhaustive accuracy sweeps: every input of a dtype, sharded, on Ray or in-process.

`sweep(entry_id, dtype, ...)` runs an elementwise one-input entry's form (or a user's
`module:callable` checked against it) on all 2¹⁶ fp16/bf16 or 2³² fp32 bit patterns (fp64: a
stated sample), scores each against a vectorised fp64 reference, keeps histograms and the
worst inputs per shard, persists each shard as it finishes, and confirms the worst cases with
the mpmath oracle. See README.md in this folder.
"""

from __future__ import annotations

import os
from typing import Any

from mathcheck.crosscheck.cluster import where
from mathcheck.sweep._report import render, writable, write_json, write_plot
from mathcheck.sweep._result import confirm, merge
from mathcheck.sweep._run import Progress, results_dir, run_shards
from mathcheck.sweep._spec import SweepSpec, make_spec, sweepable
from mathcheck.sweep._table import Row, default_rows, load_rows, markdown, table, write_table

__all__ = ["Row", "SweepSpec", "default_rows", "load_rows", "make_spec", "markdown", "render",
           "run", "sweep", "sweepable", "table", "writable", "write_json", "write_plot",
           "write_table"]


def run(spec: SweepSpec, *, results: str | None = None, address: str | None = None,
        in_process: bool | None = None, num_cpus: int | None = None,
        progress: Progress | None = None) -> dict[str, Any]:
    """Run (or resume) `spec` and return its confirmed result.

    `in_process=None`: a single shard runs here, several go to Ray (an `address` always does).
    """
    folder = results_dir(spec, results)
    use_ray = bool(address) or (not in_process and spec.shards > 1)
    shards, computed = run_shards(spec, folder, use_ray=use_ray, address=address,
                                  num_cpus=num_cpus, progress=progress)
    merged = merge(spec, shards)
    result = confirm(spec, merged)
    result.update(profile=merged["profile"], results=str(folder), computed_shards=computed,
                  resumed_shards=spec.shards - computed,
                  runner=where(address) if use_ray else "in-process")
    return result


def sweep(entry_id: str, dtype: str = "float32", *, backend: str = "torch",
          impl: str | None = None, shard_bits: int = 24, sample_bits: int = 28,
          device: str = "cpu", **options: Any) -> dict[str, Any]:
    """`make_spec` then `run`: the Python face of `mathcheck sweep`."""
    spec = make_spec(entry_id, dtype, backend, impl, shard_bits, sample_bits,
                     paths=(os.getcwd(),), device=device)
    return run(spec, **options)
