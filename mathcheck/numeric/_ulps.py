"""Error of a computed result in ulps of its dtype, against an exact double-double value."""

from __future__ import annotations

import numpy as np

from mathcheck.numeric._dtypes import fmt, ulp


def ulp_errors(
    computed: np.ndarray,
    exact_hi: np.ndarray,
    exact_lo: np.ndarray,
    scale: np.ndarray,
    dtype: str,
) -> np.ndarray:
    """|ŷ − y| / ulp_dtype(scale), elementwise; y = hi + lo (double-double from the oracle).

    An exact value that overflows the format must come back as the infinity of its sign
    (error 0); any other non-finite result is an infinite error. Where the exact value is
    subnormal, the error is at most |ŷ − y| / (smallest normal): flushing to zero is allowed.
    """
    computed = np.asarray(computed, dtype=np.float64)
    f = fmt(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs((computed - exact_hi) - exact_lo) / ulp(scale, dtype)
        overflows = np.abs(exact_hi) >= f.overflow_threshold
        right_infinity = np.isinf(computed) & (np.sign(computed) == np.sign(exact_hi))
        err = np.where(overflows, np.where(right_infinity, 0.0, np.inf), err)
        err = np.where(~np.isfinite(computed) & ~overflows, np.inf, err)
        # Below the normal range, errors count in units of the smallest normal: results may
        # flush to zero (as CUDA's FTZ mode and fast-math builds do) without failing.
        subnormal = (np.abs(exact_hi) < f.tiny) & np.isfinite(computed)
        absolute = np.abs((computed - exact_hi) - exact_lo) / f.tiny
        err = np.where(subnormal, np.minimum(err, absolute), err)
    return np.where(np.isnan(err), np.inf, err)


def error_scale(exact_hi: np.ndarray, mode: str, vector_axes: int) -> np.ndarray:
    """The magnitude whose ulp measures the error (see `Budget.scale`).

    "row": the largest |y| over the output's own axes (the last `vector_axes`), broadcast back.
    """
    a = np.abs(exact_hi)
    if mode == "elementwise":
        return a
    if mode == "unit":
        return np.maximum(a, 1.0)
    if mode == "row":
        if vector_axes == 0:
            return a
        axes = tuple(range(a.ndim - vector_axes, a.ndim))
        return np.broadcast_to(np.max(a, axis=axes, keepdims=True), a.shape)
    raise ValueError(f"unknown error scale {mode!r}")


def condition_numbers(
    values: np.ndarray, kind: str, weights: np.ndarray | None = None
) -> np.ndarray:
    """Per-row condition numbers of an input (see `Budget.cond_kind`); inf where singular."""
    values = np.asarray(values, dtype=np.float64)
    if kind == "matrix":
        with np.errstate(all="ignore"):
            conds = np.linalg.cond(values)
    elif kind == "spread":
        conds = 1.0 + values.max(axis=-1) - values.min(axis=-1)
    elif kind == "magnitude":  # unreduced: the caller takes the max over each row's axes
        conds = np.abs(values)
    elif kind == "offset":
        # σ in extended precision, two-pass: distinct fp64 values differ by ≥ 1 ulp, which
        # 11 more bits resolve
        x = values.astype(np.longdouble)
        w = np.ones_like(x) if weights is None else np.asarray(weights, np.longdouble)
        w = w / w.sum(axis=-1, keepdims=True)
        mean = (w * x).sum(axis=-1, keepdims=True)
        sigma = np.sqrt((w * (x - mean) ** 2).sum(axis=-1))
        with np.errstate(all="ignore"):
            conds = (values.shape[-1] * np.abs(x).max(axis=-1) / sigma).astype(np.float64)
        conds = np.where(sigma == 0, 1.0, conds)  # constant rows: exact results are due
    else:
        raise ValueError(f"unknown condition kind {kind!r}")
    return np.where(np.isfinite(conds), conds, np.inf)
