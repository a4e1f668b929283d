"""Surviving mutants judged equivalent to the original form, by id, with the reason each.

A survivor listed here is left out of the "excluding equivalents" kill rate; the raw rate
still counts it. Only list a mutant after reading its diff: one that no input can tell apart
from the original (a comparison flipped where both branches agree at the boundary, a shift
that cancels exactly). A survivor that *could* be told apart is a gap in the checker, not an
equivalent. A listed mutant that gets killed is reported as stale.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {}
