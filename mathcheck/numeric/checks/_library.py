"""The form under test against a library's implementation of the same formula (`Reference`
claims, and numeric-only variants in `regress`): one unit, one place.

The violation is the largest |form − library| in ulps of the output's scale in the dtype
under test: "row" (the largest |y| of each row, for reductions and vectors), "elementwise"
(each |y|, floored at 1 ulp of the smallest normal) or "unit" (max(|y|, 1)). Differing
shapes or a non-finite difference (NaN on one side) are an infinite violation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from mathcheck.numeric.checks._properties import ulps_apart

Scale = Literal["row", "elementwise", "unit"]


class SameAs:
    """`check(f, args, backend)`: how far `f` is from `library` on the same arguments."""

    def __init__(self, library: Callable[..., Any], name: str = "", scale: Scale = "row"):
        self.library = library  # takes the canonical arguments, like the form
        self.name = name or getattr(library, "__name__", "library")
        self.scale = scale

    def __call__(self, f: Any, args: dict[str, Any], backend: Any) -> float:
        got = np.asarray(backend.to_numpy(f(**args)), dtype=np.float64)
        keywords = getattr(f, "keywords", {}) or {}  # the parameters `bound` fixed
        want = np.asarray(backend.to_numpy(self.library(**args, **keywords)), dtype=np.float64)
        if got.shape != want.shape:
            return float("inf")
        with np.errstate(invalid="ignore"):
            diff = ulps_apart(got, want, backend.dtype, self.scale)
        same_special = (got == want) | (np.isnan(got) & np.isnan(want))
        diff = np.where(same_special, 0.0, np.where(np.isnan(diff), np.inf, diff))
        return float(np.max(diff)) if diff.size else 0.0

    def __repr__(self) -> str:
        return f"SameAs({self.name})"
