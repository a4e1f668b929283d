"""Running the shards: in this process or as Ray tasks, persisted one file per shard.

Each finished shard is written to the results folder (`shard_00042.json`, atomically) as soon
as it arrives, so a killed sweep resumes where it stopped and a finished one is read back,
never recomputed. Ray is optional (the `distributed` extra): without `address` a local
instance with this machine's cores, quiet and without a dashboard; with one, the driver joins
that cluster. The results stay on the driver's disk: workers only return summaries.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mathcheck._paths import cache_root
from mathcheck.errors import InvalidInputError, NotSupportedError
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


def ray_module() -> Any:
    try:
        import ray
    except ImportError:
        raise NotSupportedError(
            "sharded sweeps run on Ray, which is not installed: pip install "
            "'mathcheck[distributed]' (or pass --in-process to run the shards here)") from None
    return ray


def _ray(spec: SweepSpec, todo: list[int], address: str | None,
         num_cpus: int | None) -> Iterator[dict[str, Any]]:
    ray = ray_module()
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False,
                                   "include_dashboard": False, "configure_logging": True}
        try:
            if address:
                ray.init(address=address, **options)
            else:
                # "local": a fresh instance, never one a `ray start` left running here
                ray.init(address="local", num_cpus=num_cpus or os.cpu_count() or 1, **options)
        except Exception as exc:  # e.g. no cluster at that address
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise InvalidInputError(f"cannot start or join {where}: {exc}") from exc
    task = ray.remote(num_cpus=1, max_retries=2)(run_shard)
    pending = [task.remote(spec, i) for i in todo]
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield ray.get(ref)
    finally:
        if address:  # a cluster outlives this driver: its queued shards are cancelled
            for ref in pending:
                ray.cancel(ref, force=True)
        if started_here:  # a local instance takes its tasks down with it
            ray.shutdown()


def rate(inputs: int, since: float) -> float:
    return inputs / max(time.perf_counter() - since, 1e-9)
