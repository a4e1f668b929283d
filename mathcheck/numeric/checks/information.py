"""Section 10 · Information theory: backend-neutral properties (violations in machine epsilons).

Fixed examples use values exactly representable in every dtype (halves, quarters, sixteenths),
so the only error left is the form's own rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend

Form = Callable[..., Any]


def _eval(f: Form, ctx: Backend, **inputs: Any) -> np.ndarray:
    return ctx.to_numpy(f(**{k: ctx.asarray(v) for k, v in inputs.items()}))


def _outside(values: np.ndarray, low: float, high: float) -> float:
    """How far outside [low, high] any value lies (inf for NaN)."""
    if np.isnan(values).any():
        return float("inf")
    return float(np.max(np.maximum(0.0, np.maximum(values - high, low - values)), initial=0.0))


def entropy_bounds(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """0 ≤ H(p) ≤ log n, in eps (absolute)."""
    h = ctx.to_numpy(f(**args))
    n = ctx.to_numpy(args["p"]).shape[-1]
    return _outside(h, 0.0, math.log(n)) / ctx.eps


def entropy_conventions(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """0·log 0 = 0: H(one-hot) = 0 and H(½, ½, 0) = log 2, not NaN."""
    one_hot = _eval(f, ctx, p=[[0.0, 1.0, 0.0]])
    half = _eval(f, ctx, p=[[0.5, 0.5, 0.0]])
    return max(abs(float(one_hot[0])), abs(float(half[0]) - math.log(2))) / ctx.eps


def gibbs(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """H(p, q) ≥ H(p) = H(p, p): how far below H(p, p) any H(p, q) falls, in eps."""
    ce = ctx.to_numpy(f(**args))
    self_ce = ctx.to_numpy(f(p=args["p"], q=args["p"]))
    if np.isnan(ce).any():
        return float("inf")
    return float(np.max(np.maximum(0.0, self_ce - ce))) / ctx.eps


def zero_probability_conventions(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """p = 0 contributes 0 (even where q = 0); q = 0 where p > 0 gives +∞ — never NaN."""
    finite = _eval(f, ctx, p=[[1.0, 0.0]], q=[[1.0, 0.0]])
    infinite = _eval(f, ctx, p=[[0.5, 0.5]], q=[[1.0, 0.0]])
    if not (np.isfinite(finite).all() and np.isposinf(infinite).all()):
        return float("inf")
    return abs(float(finite[0])) / ctx.eps


def non_negative(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """How far below 0 any output lies, in eps (absolute; inf for NaN; +∞ is ≥ 0)."""
    y = ctx.to_numpy(f(**args))
    if np.isnan(y).any():
        return float("inf")
    return float(np.max(np.maximum(0.0, -y), initial=0.0)) / ctx.eps


def kl_self_zero(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """KL(p‖p) = 0 exactly: log p − log p cancels bit for bit."""
    return float(np.max(np.abs(ctx.to_numpy(f(p=args["p"], q=args["p"]))))) / ctx.eps


#: p = (½, ½), q = (15/16, 1/16): KL(p‖q) = ½ log(64/15) ≈ 0.725 but KL(q‖p) ≈ 0.459.
ASYMMETRIC_P = [[0.5, 0.5]]
ASYMMETRIC_Q = [[15 / 16, 1 / 16]]
KL_PQ = 0.5 * math.log(64 / 15)
KL_QP = 15 / 16 * math.log(15 / 8) + 1 / 16 * math.log(1 / 8)


def kl_asymmetric_example(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """f(p, q) and f(q, p) each match their exact values, which differ by 0.27."""
    pq = float(_eval(f, ctx, p=ASYMMETRIC_P, q=ASYMMETRIC_Q)[0])
    qp = float(_eval(f, ctx, p=ASYMMETRIC_Q, q=ASYMMETRIC_P)[0])
    return max(abs(pq - KL_PQ), abs(qp - KL_QP)) / ctx.eps


def uniform_perplexity(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """Four tokens each with probability 1/V: PPL = V, for V in (2, 10, 1000, 50257).

    log(1/V) is rounded to the dtype first; that rounding (≤ ½ ulp of log V ≤ 11) is inside
    the tolerance. The violation is the relative error in eps.
    """
    worst = 0.0
    for v in (2, 10, 1000, 50257):
        ppl = float(_eval(f, ctx, logp=[[-math.log(v)] * 4])[0])
        worst = max(worst, abs(ppl - v) / v)
    return worst / ctx.eps


def mi_independent_zero(f: Form, args: Mapping[str, Any], ctx: Backend) -> float:
    """I(X;Y) = 0 when the joint is the product of its marginals (absolute, in eps)."""
    joint = ctx.to_numpy(args["P"])
    joint = joint / joint.sum(axis=(-2, -1), keepdims=True)
    product = joint.sum(axis=-1, keepdims=True) * joint.sum(axis=-2, keepdims=True)
    return float(np.max(np.abs(_eval(f, ctx, P=product)))) / ctx.eps
