"""Wall-clock time limits for trusted, in-process work (SymPy's simplify, the catalog's forms).

No signals: a watchdog thread raises `CheckTimeout` in the guarded thread through
`PyThreadState_SetAsyncExc`, so pytest-timeout's SIGALRM timer (or any other user of the
alarm) is left alone, and limits work off the main thread too. The exception is raised again
every `REFIRE` seconds until the guarded block ends: one that lands where it is swallowed
(inside a gc callback, as Hypothesis's hook does, or in a bare `except BaseException`) cannot
lose the limit. Limits nest: each has its own exception class, so an inner handler never
mistakes the outer limit for its own, and the outer one keeps firing until its block ends.

What this cannot stop is a call stuck in C: the exception is raised when the call returns.
Code under test therefore runs in a worker process that the parent kills (`regress._worker`).
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from types import TracebackType
from typing import Any

from mathcheck.errors import CheckTimeout

REFIRE = 0.05  # seconds between repeated raises, once the limit has passed
#: How many limits have run out in this process: work whose outcome may depend on the
#: machine's speed (`reference._work` caches such a display only when it had a core to itself).
expired = 0

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc  # (thread id, type or NULL)


def _quiet_unraisable() -> None:
    """Drop the "Exception ignored in gc callback" report of a swallowed `CheckTimeout`: the
    limit raises again, so nothing is lost, and the report would only clutter the output."""
    hook = sys.unraisablehook
    if getattr(hook, "_mathcheck", False):
        return

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, CheckTimeout):
            hook(unraisable)

    quiet._mathcheck = True  # type: ignore[attr-defined]
    sys.unraisablehook = quiet


class time_limit:
    """`with time_limit(seconds):` raises a `CheckTimeout` in this thread once `seconds` pass.

    `seconds=None` means no limit; a limit must otherwise be positive (a negative or zero
    budget is a usage error, never "no limit"). `owns(exc)` tells whether an exception is
    this limit's own (and not an enclosing one's).
    """

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and not seconds > 0:
            raise ValueError(f"a time limit must be positive, got {seconds!r}")
        self.seconds = seconds
        message = f"ran past its time budget of {seconds:g} s" if seconds else ""
        self.error = type("CheckTimeout", (CheckTimeout,), {"message": message})
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._fired = False
        self._thread_id = 0
        self._watchdog: threading.Thread | None = None

    def owns(self, exc: BaseException) -> bool:
        return isinstance(exc, self.error)

    @property
    def expired(self) -> bool:
        """Whether the limit fired: the block's outcome is a timeout, whatever it raised (a
        raise landing inside Hypothesis's generation comes out as another error)."""
        return self._fired

    def __enter__(self) -> time_limit:
        if self.seconds is None:
            return self
        self._thread_id = threading.get_ident()
        self._watchdog = threading.Thread(
            target=self._watch, name="mathcheck-time-limit", daemon=True
        )
        self._deadline = time.monotonic() + self.seconds
        _quiet_unraisable()
        self._watchdog.start()
        return self

    def _watch(self) -> None:
        global expired
        wait = self._deadline - time.monotonic()
        while not self._done.wait(max(wait, 0.0)):
            with self._lock:
                if self._done.is_set():
                    return
                if not self._fired:
                    expired += 1
                self._fired = True
                _set_async_exc(ctypes.c_ulong(self._thread_id), ctypes.py_object(self.error))
            wait = REFIRE

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.seconds is None:
            return
        while True:  # a raise landing inside this loop is caught and the stop retried
            try:
                self._stop()
                break
            except CheckTimeout:
                continue

    def _stop(self) -> None:
        with self._lock:
            self._done.set()
            if self._fired:  # drop a raise still pending for this thread
                _set_async_exc(ctypes.c_ulong(self._thread_id), None)  # None is NULL
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join()
