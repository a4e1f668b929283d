"""Section 4 · Activations: backend-neutral properties (violations in machine epsilons)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend


def sums_to_one(f: Callable[..., Any], args: Mapping[str, Any], ctx: Backend) -> float:
    """|Σ_i s_i − 1| in eps of the dtype (the sum itself taken in fp64)."""
    s = ctx.to_numpy(f(**args))
    return float(np.max(np.abs(s.sum(axis=-1) - 1.0))) / ctx.eps


def shift_invariant(f: Callable[..., Any], args: Mapping[str, Any], ctx: Backend) -> float:
    """max |f(z + c) − f(z)| in eps, for integer z and c so that z + c is exact in any dtype."""
    z = ctx.to_numpy(args["z"])
    base = ctx.to_numpy(f(z=args["z"]))
    worst = 0.0
    for c in (-64.0, 3.0, 1000.0):
        shifted = ctx.to_numpy(f(z=ctx.asarray(z + c)))
        worst = max(worst, float(np.max(np.abs(shifted - base))))
    return worst / ctx.eps


def in_unit_interval(f: Callable[..., Any], args: Mapping[str, Any], ctx: Backend) -> float:
    """How far outside [0, 1] any output lies, in eps (0 when inside; inf for NaN)."""
    y = ctx.to_numpy(f(**args))
    if np.isnan(y).any():
        return float("inf")
    return float(np.max(np.maximum(0.0, np.maximum(y - 1.0, -y)))) / ctx.eps
