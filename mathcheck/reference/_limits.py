"""Time limits for building displays: `mathcheck._timeout.time_limit`, which nests.

A display's budget encloses the budgets of its proofs; an inner limit never lifts the outer
one, and the outer one keeps firing until its block ends.
"""

from __future__ import annotations

from mathcheck._timeout import time_limit as limit
from mathcheck.errors import CheckTimeout

#: What a display catches: any error, and running out of its time budget (a BaseException).
FAILURES: tuple[type[BaseException], ...] = (Exception, CheckTimeout)

__all__ = ["FAILURES", "limit"]
