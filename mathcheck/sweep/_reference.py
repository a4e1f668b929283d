"""Vectorised fp64 references for the sweep, each with its stated error bound.

A sweep scores up to 2³² outputs, so its reference must be a NumPy kernel, and it must be far
more accurate than half an ulp of the dtype under test, or "correctly rounded" means nothing.
These are hand-written stable fp64 forms (never generated from SymPy). Every fp32/fp16/bf16
input is exact in fp64, so the only errors are the fp64 roundings of each step, amplified by
the function's condition number; `BOUND` states the resulting relative error (each is at most
2⁻⁴⁰, i.e. ≤ 2⁻¹⁷ ulp of fp32). Entries without one here fall back to the engine's screen
(`numeric._screen.Screen`: the SymPy form in `longdouble`, or fp64 where SciPy needs it),
which has no stated bound: then only the oracle-confirmed cases are certain, and the result
says so. The mpmath oracle re-measures the worst cases and those near a rounding boundary
either way, and the sweep reports the largest reference-vs-oracle gap it saw.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

SQRT1_2 = 0.7071067811865476
GELU_TANH_2K = 1.5957691216057308  # 2·√(2/π)
GELU_TANH_C = 0.044715
GELU_SIGMOID_K = 1.702


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^{−x}): e^{−x} (≤ 1 ulp) enters with condition e/(1+e) ≤ 1."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def gelu(x: np.ndarray) -> np.ndarray:
    # ½x·erfc(−x/√2): no cancellation; the rounding of x/√2 (2⁻⁵³) enters with condition ≈ x²,
    # against a scale of max(|y|, 1) that makes the left tail absolute.
    return 0.5 * x * special.erfc(-x * SQRT1_2)


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    # ½x(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³); x³ cannot overflow fp64 for an fp32 x
    c = np.clip(x, -1e100, 1e100)
    return x * _sigmoid(GELU_TANH_2K * (c + GELU_TANH_C * c * c * c))


def gelu_sigmoid(x: np.ndarray) -> np.ndarray:
    return x * _sigmoid(GELU_SIGMOID_K * x)


def silu(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return x / (1.0 + np.exp(-x))


def softplus(x: np.ndarray) -> np.ndarray:
    # max(x, 0) + log1p(e^{−|x|}): exp never overflows, log1p keeps e^{x} for x ≪ 0
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -softplus(-x)


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    return np.where(x > 0, x, alpha * x)


def relu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, 0.0)


def d_exp(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.exp(x)


def d_log(x: np.ndarray) -> np.ndarray:
    return np.log(x)


REFERENCES: dict[str, Callable[..., np.ndarray]] = {
    "act.gelu": gelu,
    "act.gelu_tanh": gelu_tanh,
    "act.gelu_sigmoid": gelu_sigmoid,
    "act.silu": silu,
    "act.sigmoid": _sigmoid,
    "act.tanh": np.tanh,
    "act.softplus": softplus,
    "act.log_sigmoid": log_sigmoid,
    "act.erf": special.erf,
    "act.relu": relu,
    "act.leaky_relu": leaky_relu,
    "calc.d_exp": d_exp,
    "calc.d_log": d_log,
}

#: The relative error of each reference (in units of its error scale), and why.
BOUND: dict[str, tuple[float, str]] = {
    "act.gelu": (2.0**-44, "SciPy erfc (a few fp64 ulp) at −x/√2 rounded once (condition "
                 "≈ x² ≤ 2⁸ where the value is above the max(|y|, 1) scale's noise)"),
    "act.gelu_tanh": (2.0**-44, "σ(2u) with u's four roundings amplified by |2u·(1−σ)|, which "
                      "is large only where x·σ(2u) is far below the max(|y|, 1) scale"),
    "act.gelu_sigmoid": (2.0**-48, "σ(1.702x): the exp (1 ulp) and three roundings"),
    "act.silu": (2.0**-49, "x/(1 + e^{−x}): the exp (1 ulp) and two roundings"),
    "act.sigmoid": (2.0**-49, "1/(1 + e^{−x}): the exp (1 ulp) and two roundings"),
    "act.tanh": (2.0**-50, "NumPy's fp64 tanh (≤ 2 ulp)"),
    "act.softplus": (2.0**-48, "exp and log1p (≤ 4 fp64 ulp each, NumPy's SIMD loops "
                     "included; exp's error enters with condition ≤ 1) and one add: ≤ 8.5 ulp"),
    "act.log_sigmoid": (2.0**-48, "−softplus(−x): softplus's bound, the negations exact"),
    "act.erf": (2.0**-50, "SciPy's Cephes erf (3.7e-16 peak relative, documented)"),
    "act.relu": (0.0, "exact"),
    "act.leaky_relu": (2.0**-53, "one rounding of αx"),
    "calc.d_exp": (2.0**-50, "NumPy's fp64 exp (≤ 1 ulp; the input is exact)"),
    "calc.d_log": (2.0**-50, "NumPy's fp64 log (≤ 1 ulp relative, also near x = 1)"),
}


def reference_for(entry_id: str) -> Callable[..., np.ndarray] | None:
    return REFERENCES.get(entry_id)
