"""A per-check time budget, so one hanging check never stops the others.

Uses SIGALRM (an interval timer) in the main thread: it interrupts pure-Python work such as
SymPy's simplify and a user's looping implementation, at no cost per check (no subprocess, no
re-import of Torch). Off the main thread, or where SIGALRM does not exist, it degrades to no
limit rather than to a wrong result.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mathcheck.errors import CheckTimeout


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise CheckTimeout(f"ran past its time budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # an enclosing limit was running: re-arm what is left of it
            signal.setitimer(signal.ITIMER_REAL, old_delay, old_interval)
