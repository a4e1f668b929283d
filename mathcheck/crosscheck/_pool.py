"""Parallel verification: the planned tasks run in a pool of worker processes.

Each worker is a fresh interpreter started as `regress._worker` starts one (subprocess +
socketpair + `multiprocessing.connection`), not `multiprocessing`'s spawn or forkserver and
not `ProcessPoolExecutor`: those re-import the caller's `__main__` in every worker (a script
without a main guard would run again, or start workers recursively), and one dead worker
breaks the whole executor. Here a worker that dies or hangs in C costs the task it was
running (a failed result that says why) and is replaced; the other tasks go on.

The parent sends the entries and options once, then tasks by key (entry index, claim index,
backend, dtype, device); results come back as `Result` field dicts. Results depend only on
(task, options), so they are those of an in-process run, returned in plan order; only
`seconds` differs. Tasks are dispatched longest-first by a rough estimate (symbolic claims
and custom checks first) to shorten the tail, except that a worker keeps to the entry it ran
last while that entry has tasks left (its SymPy forms and oracles are built there already).

Threads: every worker runs Torch, OpenMP, MKL and OpenBLAS with one thread
(`torch.set_num_threads(1)`, OMP/MKL/OPENBLAS_NUM_THREADS=1 unless the user set them), so
N workers use N cores instead of N × cores. Hypothesis's files go where the parent's go
(HYPOTHESIS_STORAGE_DIRECTORY, the user cache folder by default), never the working folder.
Ctrl-C is the parent's: workers ignore SIGINT and are killed when the parent stops.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import fields
from multiprocessing.connection import Connection, wait
from typing import Any

from mathcheck._paths import hypothesis_cache
from mathcheck.crosscheck._results import Result, RunOptions
from mathcheck.errors import InvalidInputError

#: Seconds a worker may take to start (a fresh interpreter importing SymPy, Torch, ...).
STARTUP_BUDGET = 300.0
#: Workers that die before their first answer, in a row, before the run gives up.
STARTUP_FAILURES = 3
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

Key = tuple[int, int, str, str, str]  # entry index, claim index, backend, dtype, device
Progress = Callable[[Any, "Result | None"], None]


class Unpicklable(Exception):
    """The entries cannot be sent to a worker (a form closing over a lock, a file...)."""


def parse_jobs(value: int | str | None) -> int:
    """A job count from `-j`: a positive integer, or "auto" (None) for os.cpu_count()."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return os.cpu_count() or 1
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InvalidInputError(
                f"-j/--jobs must be a positive integer or 'auto', got {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"-j/--jobs must be a positive integer or 'auto', got {value!r}")
    return value


def _cost(task: Any) -> int:
    """A rough rank of how long a task takes: higher first."""
    from mathcheck.formulas import Check, Derivative, Gradient, Identity

    if isinstance(task.claim, (Derivative, Identity, Check)):
        return 3
    if isinstance(task.claim, Gradient):
        return 2
    return 1


def _next(pending: deque[int], tasks: Sequence[Any], entry_id: str) -> int:
    """The next task for a worker: the first pending one of the entry it ran last (its forms
    and oracles are built there), else the first in longest-first order."""
    for position, index in enumerate(pending):
        if tasks[index].entry.id == entry_id:
            del pending[position]
            return index
    return pending.popleft()


def pack(entries: Sequence[Any], options: RunOptions) -> bytes:
    """The run as workers receive it once: the entries and the options, cloudpickled."""
    import cloudpickle

    try:
        return cloudpickle.dumps((tuple(entries), options))
    except Exception as exc:
        raise Unpicklable(f"{type(exc).__name__}: {exc}") from None


def task_for(entries: Sequence[Any], key: Key) -> Any:
    """The task a key names, rebuilt in a worker from the entries it received."""
    from mathcheck.crosscheck._engine import Task

    entry_index, claim_index, backend, dtype, device = key
    entry = entries[entry_index]
    return Task(entry, entry.checked_claims()[claim_index], backend, dtype, device)


def _result_dict(result: Result) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in fields(Result)}


def describe_exit(code: int | None, process: str = "the worker process") -> str:
    """Why `process` is gone, from its exit code (None: it is alive but silent)."""
    if code is None:
        return f"{process} stopped answering"
    if code < 0:
        try:
            return f"{process} crashed: {signal.Signals(-code).name}"
        except ValueError:
            return f"{process} crashed: signal {-code}"
    return f"{process} exited with {code}"


def _base(task: Any) -> dict[str, Any]:
    return {
        "entry_id": task.entry.id,
        "section": task.entry.section.slug,
        "claim": task.claim.label,
        "kind": task.claim.kind,
        "backend": task.backend,
        "dtype": task.dtype,
        "device": task.device,
    }


# --------------------------------------------------------------------------- the worker


def main(conn: Connection) -> None:
    """A worker's entry point: receive the run, then serve tasks until the parent closes."""
    import cloudpickle

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    entries, options = cloudpickle.loads(conn.recv_bytes())
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or 1))
    # The heavy imports before "ready", so that no task's budget pays for them.
    import mathcheck.crosscheck._agreement
    import mathcheck.crosscheck._gradient
    import mathcheck.crosscheck._property
    import mathcheck.crosscheck._symbolic  # noqa: F401
    from mathcheck.crosscheck._engine import run_task

    conn.send(("ready",))
    while True:
        try:
            key = conn.recv()
        except (EOFError, OSError):
            return
        if key is None:
            return
        task = task_for(entries, key)
        result = run_task(task, options)
        try:
            conn.send(("done", key, _result_dict(result)))
        except Exception as exc:  # a record that cannot be pickled back
            failed = Result(**_base(task), status="failed",
                            detail=f"its result could not be sent back: {exc}")
            conn.send(("done", key, _result_dict(failed)))


class _Worker:
    """One worker process of the pool, and the task it runs."""

    def __init__(self, payload: bytes, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        bootstrap = (
            "import sys; from multiprocessing.connection import Connection; "
            f"c = Connection({theirs.fileno()}); sys.path[:] = c.recv(); "
            f"from {__name__} import main; main(c)"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", bootstrap],
            stdin=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            close_fds=True,
            env=env,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.started = time.monotonic()
        self.current: int | None = None  # index of the task it runs
        self.last_entry = ""  # the entry of its last task: its forms are warm there
        self.deadline = 0.0
        self.conn.send(list(sys.path))
        self.conn.send_bytes(payload)

    def send(self, index: int, key: Key, deadline: float) -> None:
        self.current, self.deadline = index, deadline
        self.conn.send(key)

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a kill that did not take
            pass
        self.conn.close()


def worker_environment() -> dict[str, str]:
    """The environment of a worker: one thread per library, Hypothesis files in the cache."""
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env.setdefault(name, "1")
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", hypothesis_cache())
    return env


def _grace(budget: float) -> float:
    """How long after a task's budget the parent kills: time for the watchdog to report."""
    return min(max(1.0, 0.25 * budget), 10.0)


def run_parallel(
    entries: Sequence[Any],
    options: RunOptions,
    tasks: Sequence[Any],
    keys: Sequence[Key],
    jobs: int,
    progress: Progress | None = None,
) -> list[Result]:
    """`tasks` (with their `keys`) on `jobs` workers; results in the order of `tasks`."""
    payload = pack(entries, options)
    env = worker_environment()
    pending = deque(sorted(range(len(tasks)), key=lambda i: -_cost(tasks[i])))
    results: list[Result | None] = [None] * len(tasks)
    remaining = len(tasks)
    failures = 0
    limit = options.time_budget + _grace(options.time_budget)
    workers = [_Worker(payload, env) for _ in range(min(jobs, len(tasks)))]

    def finish(index: int, result: Result) -> None:
        nonlocal remaining
        results[index] = result
        remaining -= 1
        if progress:
            progress(tasks[index], result)

    def replace(worker: _Worker, why: str, timed_out: bool = False) -> None:
        """The worker died or hung: its task fails with `why`, a fresh one takes its place."""
        nonlocal failures
        worker.close()
        if worker.current is not None:
            task = tasks[worker.current]
            # as in-process: a budget that runs out is an error, a crash a failed check
            status, extra = ("error", {"timed_out": options.time_budget}) if timed_out else (
                "failed", {})
            finish(worker.current, Result(**_base(task), status=status, detail=why, extra=extra))
        elif not worker.ready:
            failures += 1
            if failures >= STARTUP_FAILURES:
                raise RuntimeError(f"the verification workers failed to start ({why})")
        workers.remove(worker)
        if pending:
            workers.append(_Worker(payload, env))

    try:
        while remaining:
            now = time.monotonic()
            for worker in workers:
                if worker.ready and worker.current is None and pending:
                    index = _next(pending, tasks, worker.last_entry)
                    worker.last_entry = tasks[index].entry.id
                    if progress:
                        progress(tasks[index], None)
                    worker.send(index, keys[index], time.monotonic() + limit)
            deadlines = [w.deadline if w.ready else w.started + STARTUP_BUDGET for w in workers
                         if w.current is not None or not w.ready]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            for conn in wait([w.conn for w in workers], timeout):
                worker = next(w for w in workers if w.conn is conn)
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    replace(worker, describe_exit(worker.exit_code()))
                    continue
                if message[0] == "ready":
                    worker.ready, failures = True, 0
                elif message[0] == "done":
                    index, worker.current = worker.current, None
                    assert index is not None and keys[index] == message[1]
                    finish(index, Result(**message[2]))
            now = time.monotonic()
            for worker in list(workers):
                if worker.current is not None and now > worker.deadline:
                    replace(worker, f"timed out after {options.time_budget:g} s "
                                    "(hung where the watchdog cannot reach; worker killed)",
                            timed_out=True)
                elif not worker.ready and now > worker.started + STARTUP_BUDGET:
                    replace(worker, f"no answer in {STARTUP_BUDGET:g} s")
    finally:
        for worker in workers:
            worker.close()
    return [r for r in results if r is not None]
