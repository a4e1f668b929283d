"""Section 10 · Information theory: backend-neutral properties (violations in machine epsilons).

Fixed examples use values exactly representable in every dtype (halves, quarters, sixteenths),
so the only error left is the form's own rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._properties import Args, Form, outside

# The shared properties, under the names this section's entries use.
non_negative = _properties.non_negative


def _eval(f: Form, backend: Backend, **inputs: Any) -> np.ndarray:
    return backend.to_numpy(f(**{k: backend.asarray(v) for k, v in inputs.items()}))


def entropy_bounds(f: Form, args: Args, backend: Backend) -> float:
    """0 ≤ H(p) ≤ log n, in eps (absolute)."""
    h = backend.to_numpy(f(**args))
    n = backend.to_numpy(args["p"]).shape[-1]
    return outside(h, 0.0, math.log(n)) / backend.eps


def entropy_conventions(f: Form, args: Args, backend: Backend) -> float:
    """0·log 0 = 0: H(one-hot) = 0 and H(½, ½, 0) = log 2, not NaN."""
    one_hot = _eval(f, backend, p=[[0.0, 1.0, 0.0]])
    half = _eval(f, backend, p=[[0.5, 0.5, 0.0]])
    return max(abs(float(one_hot[0])), abs(float(half[0]) - math.log(2))) / backend.eps


def gibbs(f: Form, args: Args, backend: Backend) -> float:
    """H(p, q) ≥ H(p) = H(p, p): how far below H(p, p) any H(p, q) falls, in eps."""
    ce = backend.to_numpy(f(**args))
    self_ce = backend.to_numpy(f(p=args["p"], q=args["p"]))
    if np.isnan(ce).any():
        return float("inf")
    return float(np.max(np.maximum(0.0, self_ce - ce))) / backend.eps


def zero_probability_conventions(f: Form, args: Args, backend: Backend) -> float:
    """p = 0 contributes 0 (even where q = 0); q = 0 where p > 0 gives +∞ — never NaN."""
    finite = _eval(f, backend, p=[[1.0, 0.0]], q=[[1.0, 0.0]])
    infinite = _eval(f, backend, p=[[0.5, 0.5]], q=[[1.0, 0.0]])
    if not (np.isfinite(finite).all() and np.isposinf(infinite).all()):
        return float("inf")
    return abs(float(finite[0])) / backend.eps


def kl_self_zero(f: Form, args: Args, backend: Backend) -> float:
    """KL(p‖p) = 0 exactly: log p − log p cancels bit for bit."""
    return float(np.max(np.abs(backend.to_numpy(f(p=args["p"], q=args["p"]))))) / backend.eps


#: p = (½, ½), q = (15/16, 1/16): KL(p‖q) = ½ log(64/15) ≈ 0.725 but KL(q‖p) ≈ 0.459.
ASYMMETRIC_P = [[0.5, 0.5]]
ASYMMETRIC_Q = [[15 / 16, 1 / 16]]
KL_PQ = 0.5 * math.log(64 / 15)
KL_QP = 15 / 16 * math.log(15 / 8) + 1 / 16 * math.log(1 / 8)


def kl_asymmetric_example(f: Form, args: Args, backend: Backend) -> float:
    """f(p, q) and f(q, p) each match their exact values, which differ by 0.27."""
    pq = float(_eval(f, backend, p=ASYMMETRIC_P, q=ASYMMETRIC_Q)[0])
    qp = float(_eval(f, backend, p=ASYMMETRIC_Q, q=ASYMMETRIC_P)[0])
    return max(abs(pq - KL_PQ), abs(qp - KL_QP)) / backend.eps


def uniform_perplexity(f: Form, args: Args, backend: Backend) -> float:
    """Four tokens each with probability 1/V: PPL = V, for V in (2, 10, 1000, 50257).

    log(1/V) is rounded to the dtype first; that rounding (≤ ½ ulp of log V ≤ 11) is inside
    the tolerance. The violation is the relative error in eps.
    """
    worst = 0.0
    for v in (2, 10, 1000, 50257):
        ppl = float(_eval(f, backend, logp=[[-math.log(v)] * 4])[0])
        worst = max(worst, abs(ppl - v) / v)
    return worst / backend.eps


def mi_independent_zero(f: Form, args: Args, backend: Backend) -> float:
    """I(X;Y) = 0 when the joint is the product of its marginals (absolute, in eps)."""
    joint = backend.to_numpy(args["P"])
    joint = joint / joint.sum(axis=(-2, -1), keepdims=True)
    product = joint.sum(axis=-1, keepdims=True) * joint.sum(axis=-2, keepdims=True)
    return float(np.max(np.abs(_eval(f, backend, P=product)))) / backend.eps
