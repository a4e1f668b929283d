"""Running the shards: in this process or as Ray tasks, persisted one file per shard.

Each finished shard is written to the results folder (`shard_00042.json`, atomically) as soon
as it arrives, so a killed sweep resumes where it stopped and a finished one is read back,
never recomputed. Ray is optional (the `distributed` extra) and started or joined through the
task layer `verify --address` uses (`crosscheck.cluster.session`): without `address` a local
instance with this machine's cores; with one, the driver joins that cluster. The results stay
on the driver's disk: workers only return summaries.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mathcheck._paths import cache_root
from mathcheck.crosscheck.cluster import session
from mathcheck.errors import InvalidInputError
from mathcheck.sweep._kernel import run_shard
from mathcheck.sweep._spec import SweepSpec, key

Progress = Callable[[int, int], None]  # (shards now done, inputs computed in this run)


def results_dir(spec: SweepSpec, results: str | None) -> Path:
    """`results`/<key>, by default under the cache folder (`MATHCHECK_CACHE_DIR` moves it)."""
    base = Path(results) if results else Path(cache_root()) / "sweeps"
    folder = base / key(spec)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"cannot create the results folder {folder}: {exc}") from exc
    return folder


def shard_path(folder: Path, index: int) -> Path:
    return folder / f"shard_{index:05d}.json"


def load_done(folder: Path, spec: SweepSpec) -> dict[int, dict[str, Any]]:
    """The shards already in `folder`; an unreadable (half-written) file is recomputed."""
    done: dict[int, dict[str, Any]] = {}
    for index in range(spec.shards):
        path = shard_path(folder, index)
        if path.exists():
            try:
                done[index] = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
    return done


def save(folder: Path, summary: dict[str, Any]) -> None:
    path = shard_path(folder, int(summary["index"]))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary))
    os.replace(tmp, path)


def run_shards(
    spec: SweepSpec, folder: Path, *, use_ray: bool, address: str | None = None,
    num_cpus: int | None = None, progress: Progress | None = None,
) -> tuple[dict[int, dict[str, Any]], int]:
    """Every shard's summary (by index) and how many were computed now (not read back)."""
    done = load_done(folder, spec)
    todo = [i for i in range(spec.shards) if i not in done]
    computed = 0
    inputs = 0
    if progress:
        progress(len(done), 0)
    stream = _ray(spec, todo, address, num_cpus) if use_ray and todo else _local(spec, todo)
    for summary in stream:
        save(folder, summary)
        done[int(summary["index"])] = summary
        computed += 1
        inputs += int(summary["patterns"])
        if progress:
            progress(len(done), inputs)
    return done, computed


def _local(spec: SweepSpec, todo: list[int]) -> Iterator[dict[str, Any]]:
    for index in todo:
        yield run_shard(spec, index)


def _ray(spec: SweepSpec, todo: list[int], address: str | None,
         num_cpus: int | None) -> Iterator[dict[str, Any]]:
    """The shards as Ray tasks (one CPU each, one GPU each on CUDA), in completion order."""
    with session(address, num_cpus) as ray:
        gpus = 1 if spec.device == "cuda" else 0
        task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=2)(run_shard)
        pending = [task.remote(spec, i) for i in todo]
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    yield ray.get(ref)
        finally:  # a cluster outlives this driver: its queued shards are cancelled
            for ref in pending:
                ray.cancel(ref)


def rate(inputs: int, since: float) -> float:
    return inputs / max(time.perf_counter() - since, 1e-9)
