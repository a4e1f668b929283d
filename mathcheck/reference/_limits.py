"""A time limit that nests: an inner limit never cancels the outer one.

`mathcheck._timeout.time_limit` switches the interval timer off when it exits, which is right
for the engine (one limit per check) but would silently lift an enclosing limit here, where a
display's budget encloses the budgets of its proofs. This one restores what was running.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mathcheck.errors import CheckTimeout

#: What a display catches: any error, and running out of its time budget (a BaseException).
FAILURES: tuple[type[BaseException], ...] = (Exception, CheckTimeout)


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise CheckTimeout(f"ran past its time budget of {seconds:g} s")

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    budget = min(seconds, outer_left) if outer_left > 0 else seconds
    signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
