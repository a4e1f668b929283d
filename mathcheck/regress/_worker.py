"""Code under test runs in a worker process, so that it cannot take mathcheck down.

One warm worker (a fresh interpreter: safe with Torch and CUDA, unlike fork) runs every
piece of user code: importing a target, its adapter, the checks. The parent enforces the budgets: a
check that reports no progress within its budget, a target past its own budget, a worker
that exits (`os._exit`), is killed by a signal (a segfault) or hangs in C, is killed and
replaced, and the verdict says what happened. The worker reports each task it starts and
each result it finishes, so a killed worker's partial evidence survives it.

Inside the worker, time limits are the in-process watchdog's (`mathcheck._timeout`), which
turns a Python-level hang into a timed-out result; the parent's kill, `GRACE` later, covers
what the watchdog cannot interrupt. Nothing here uses signals in the user's process.
"""

from __future__ import annotations

import atexit
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import cloudpickle

from mathcheck.crosscheck import describe_exit
from mathcheck.errors import TargetError

#: True inside a worker: code there runs in-process (a worker never starts another).
IN_WORKER = False
#: Seconds a worker may take to start (spawn, then import NumPy, SymPy, Hypothesis, Torch).
STARTUP_BUDGET = 300.0


def grace(budget: float) -> float:
    """How long after a budget the parent kills: time for the watchdog to report first."""
    return min(max(1.0, 0.25 * budget), 10.0)


@dataclass
class Reply:
    """What came back from one call: a value, a raised error, or how the worker ended."""

    status: str  # "ok", "error" (raised MathcheckError), "raised", "timeout", "crashed"
    value: Any = None
    message: str = ""
    exit_code: int | None = None  # of a MathcheckError raised in the worker
    error_class: str = ""  # its class, "module:name" (an AdapterError stays one)
    results: list[Any] = field(default_factory=list)  # results finished before it ended
    current: str = ""  # the task running when it ended, if any


class Unpicklable(Exception):
    """The call cannot be sent to a worker (an open file, a lock, a generator in a closure)."""


def pack(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bytes:
    """The call, by value where needed (lambdas, closures, functions of `__main__`)."""
    try:
        return cloudpickle.dumps((fn, args, kwargs))
    except Exception as exc:
        raise Unpicklable(f"{type(exc).__name__}: {exc}") from None


def main(conn: Connection) -> None:
    """The worker's entry point: serve the parent on `conn` until it closes."""
    global IN_WORKER
    IN_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _serve(conn)


def _serve(conn: Any) -> None:
    """The worker's loop: receive (fn, args, kwargs) by cloudpickle, run, send the reply."""
    # The heavy imports, before "ready", so that no check's budget pays for them.
    import mathcheck.crosscheck as engine
    import mathcheck.regress  # noqa: F401

    engine.preload()

    conn.send(("ready",))

    def observe(task: Any, result: Any) -> None:
        if result is None:
            conn.send(("task", f"{task.claim.label} [{task.dtype} {task.device}]"))
        else:
            conn.send(("done", result))

    while True:
        try:
            fn, args, kwargs = cloudpickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            with engine.observing(observe), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # check() counts those of the code under test
                reply: tuple[Any, ...] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: a verdict
            reply = _raised(exc)
        try:
            conn.send(reply)
        except Exception as exc:  # a value that cannot be pickled back
            conn.send(("raised", f"its result could not be sent back: {exc}", None))


def _raised(exc: BaseException) -> tuple[Any, ...]:
    from mathcheck.errors import MathcheckError

    if isinstance(exc, MathcheckError):
        return ("error", str(exc), exc.exit_code, f"{type(exc).__module__}:{type(exc).__name__}")
    if isinstance(exc, SystemExit):
        return ("raised", f"the code under test called sys.exit({exc.code!r})", None)
    return ("raised", f"raised {type(exc).__name__}: {exc}", None)


class Worker:
    """A warm worker process, started on first use and replaced after it is killed."""

    def __init__(self) -> None:
        self._process: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        # A fresh interpreter, not multiprocessing's spawn: spawn re-runs the user's __main__
        # (a script without a main guard would start workers recursively). Its sys.path is
        # this process's, set before anything but the standard library is imported.
        ours, theirs = socket.socketpair()
        bootstrap = (
            "import sys; from multiprocessing.connection import Connection; "
            f"c = Connection({theirs.fileno()}); sys.path[:] = c.recv(); "
            f"from {__name__} import main; main(c)"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", bootstrap],
            stdin=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            close_fds=True,
        )
        theirs.close()
        conn = Connection(ours.detach())
        self._process, self._conn = process, conn
        conn.send(list(sys.path))
        try:
            started = conn.poll(STARTUP_BUDGET) and conn.recv() == ("ready",)
        except (EOFError, OSError):
            started = False
        if not started:
            code = self._exit_code() if process.poll() is not None else None
            self.close()
            why = (describe_exit(code, "process") if code is not None
                   else f"no answer in {STARTUP_BUDGET:g} s")
            raise TargetError(f"the worker process for the code under test failed to start ({why})")

    def close(self) -> None:
        """Kill the worker (if any); the next call starts a fresh one."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(5)
            self._conn.close()
        self._process = self._conn = None

    def call(self, payload: bytes, *, check_budget: float, total_budget: float) -> Reply:
        """Run a `pack`ed call in the worker.

        `check_budget` bounds each check (from one progress report to the next);
        `total_budget` bounds the whole call.
        """
        if self._process is None or self._process.poll() is not None:
            self.close()
            self._start()
        self._conn.send_bytes(payload)
        start = time.monotonic()
        results: list[Any] = []
        current = ""
        last = start
        while True:
            now = time.monotonic()
            check_deadline = last + check_budget + grace(check_budget)
            total_deadline = start + total_budget + grace(check_budget)
            wait = min(check_deadline, total_deadline) - now
            try:
                ready = wait > 0 and self._conn.poll(wait)
                message = self._conn.recv() if ready else None
            except (EOFError, OSError):
                code = self._exit_code()
                self.close()
                return Reply("crashed", message=describe_exit(code, "process"), results=results,
                             current=current)
            if message is None:  # a deadline passed with no word from the worker
                self.close()
                over_total = time.monotonic() >= total_deadline
                what = (
                    f"ran past its total budget of {total_budget:g} s"
                    if over_total
                    else f"timed out after {check_budget:g} s"
                )
                where = f" in {current}" if current else ""
                return Reply("timeout", message=f"{what}{where} (worker killed)",
                             results=results, current=current)
            kind = message[0]
            last = time.monotonic()
            if kind == "task":
                current = message[1]
            elif kind == "done":
                results.append(message[1])
                current = ""
            elif kind == "ok":
                return Reply("ok", value=message[1], results=results)
            else:  # "error" or "raised"
                return Reply(kind, message=message[1], exit_code=message[2], results=results,
                             current=current, error_class=message[3] if len(message) > 3 else "")

    def _exit_code(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(5)
        except subprocess.TimeoutExpired:
            return None


_shared: Worker | None = None


def shared() -> Worker:
    """The process-wide worker (closed at exit)."""
    global _shared
    if _shared is None:
        _shared = Worker()
        atexit.register(_shared.close)
    return _shared
