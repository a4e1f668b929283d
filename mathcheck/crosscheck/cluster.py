"""The Ray task layer: one way to start or join a cluster, used by `verify` and `sweep`.

Ray is optional (the `distributed` extra). `session(address)` joins the cluster at `address`
or, with none (or "local"), starts a fresh local instance with `num_cpus` CPUs: quiet, no
dashboard, worker logs not forwarded, never one a `ray start` left running here. Workers get
the pool's environment (one thread per BLAS/OpenMP library, Hypothesis's files in the user
cache), so a task runs as it would in a pool worker.

`run_on_ray` runs verify's planned tasks as Ray tasks (one per task, dispatched longest
first, as the pool does): the entries and options are put in the object store once, each
task is its key, and the results are `Result` field dicts, so a cluster run gives the
results of a local one, in plan order. Ray's retries are off: a worker that dies fails its
task with Ray's reason, as a dead pool worker does. A task hung inside C is not killed
here (the pool kills it); the in-task watchdog still ends a task that overruns in Python.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mathcheck.crosscheck._pool import (
    Key,
    Progress,
    _base,
    _cost,
    _result_dict,
    pack,
    task_for,
    worker_environment,
)
from mathcheck.crosscheck._results import Result, RunOptions
from mathcheck.errors import InvalidInputError, NotSupportedError

#: `--address` values that mean "a fresh instance on this machine".
LOCAL = (None, "", "local")


def ray_module() -> Any:
    """`ray`, or a one-line usage error (exit 2) naming the extra that installs it."""
    try:
        import ray
    except ImportError:
        raise NotSupportedError(
            "running on Ray needs ray, which is not installed: pip install "
            "'mathcheck[distributed]'") from None
    return ray


def where(address: str | None) -> str:
    return "ray local" if address in LOCAL else f"ray {address}"


@contextmanager
def session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, started or joined for the duration; a session already open is used as it is."""
    ray = ray_module()
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    started_here = not ray.is_initialized()
    if started_here:
        variables = {k: v for k, v in worker_environment().items()
                     if k in _FORWARDED or k.startswith("MATHCHECK_")}
        options: dict[str, Any] = {
            "logging_level": logging.ERROR, "log_to_driver": False,
            "include_dashboard": False, "configure_logging": True,
            "runtime_env": {"env_vars": variables},
        }
        try:
            if address in LOCAL:
                ray.init(address="local", num_cpus=num_cpus or os.cpu_count() or 1, **options)
            else:
                ray.init(address=address, **options)
        except Exception as exc:  # e.g. no cluster at that address
            raise InvalidInputError(
                f"cannot start or join {where(address).removeprefix('ray ')} on Ray: "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    try:
        yield ray
    finally:
        if started_here:
            ray.shutdown()


_FORWARDED = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "HYPOTHESIS_STORAGE_DIRECTORY")

# ----------------------------------------------------------------------- verify on Ray

_LOADED: dict[str, tuple[tuple[Any, ...], RunOptions]] = {}


def _serve(payload: bytes, digest: str, key: Key) -> dict[str, Any]:
    """One task in a Ray worker; the entries are unpickled once per worker process."""
    import cloudpickle

    from mathcheck.crosscheck._engine import run_task

    if digest not in _LOADED:
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 1))
        _LOADED.clear()
        _LOADED[digest] = cloudpickle.loads(payload)
    entries, options = _LOADED[digest]
    return _result_dict(run_task(task_for(entries, key), options))


def run_on_ray(
    entries: Sequence[Any],
    options: RunOptions,
    tasks: Sequence[Any],
    keys: Sequence[Key],
    address: str | None,
    num_cpus: int | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """`tasks` (with their `keys`) as Ray tasks; results in the order of `tasks`."""
    payload = pack(entries, options)
    digest = hashlib.sha256(payload).hexdigest()
    results: list[Result | None] = [None] * len(tasks)
    with session(address, num_cpus) as ray:
        remote = ray.remote(num_cpus=1, max_retries=0)(_serve)
        shared = ray.put(payload)
        order = sorted(range(len(tasks)), key=lambda i: -_cost(tasks[i]))
        refs = {remote.remote(shared, digest, keys[i]): i for i in order}
        pending = list(refs)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    index = refs[ref]
                    task = tasks[index]
                    try:
                        result = Result(**ray.get(ref))
                    except Exception as exc:  # the worker died, or Ray lost the task
                        why = str(exc).strip().splitlines()[-1] if str(exc) else repr(exc)
                        result = Result(**_base(task), status="failed",
                                        detail=f"the Ray task failed: {why}")
                    results[index] = result
                    if progress:
                        progress(task, None)
                        progress(task, result)
        finally:
            for ref in pending:  # a cluster outlives this driver: its queue is cancelled
                ray.cancel(ref)
    return [r for r in results if r is not None]
