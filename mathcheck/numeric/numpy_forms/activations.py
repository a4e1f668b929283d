"""Section 4 · Activations in NumPy: stable at the extremes, dtype-preserving.

No form overflows for any finite input of any dtype (so none raises a floating-point warning):
every `exp` sees a non-positive argument, and the cubic of the GELU-tanh form is evaluated on
an input clipped where the result is already decided.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfc

_SQRT1_2 = 0.7071067811865476  # 1/√2
_GELU_SIGMOID_K = 1.702
_GELU_TANH_2K = 1.5957691216057308  # 2·√(2/π)
_GELU_TANH_C = 0.044715
#: |x| beyond which σ(2u) of the GELU-tanh form is 0 or 1 in every dtype (|2u| > 9000) while
#: x(1 + c·x²) stays below the float16 maximum: the cubic is evaluated on x clipped to this.
_GELU_TANH_CLIP = 50.0


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Branch on the sign so exp never overflows: σ(x) = 1/(1+e^{−|x|}) or e^{−|x|}/(1+e^{−|x|})."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def relu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, np.zeros_like(x))


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """max(αx, x) for 0 < α < 1, as a branch (the max form is wrong for α > 1)."""
    return np.where(x > 0, x, (alpha * x).astype(x.dtype, copy=False))


def gelu(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) with Φ(x) = ½erfc(−x/√2): erfc keeps its relative accuracy in the left tail,
    where 1 + erf(x/√2) cancels to 0 (for x < −8 in float64)."""
    half = np.asarray(0.5, dtype=x.dtype)
    return (x * (half * erfc(-x * np.asarray(_SQRT1_2, dtype=x.dtype)))).astype(x.dtype, copy=False)


def gelu_sigmoid(x: np.ndarray) -> np.ndarray:
    return x * sigmoid(x * np.asarray(_GELU_SIGMOID_K, dtype=x.dtype))


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """½x(1 + tanh u) computed as x·σ(2u): 1 + tanh u = 2σ(2u), which does not cancel for
    u ≪ 0 the way 1 + tanh u does."""
    c = np.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    k = np.asarray(_GELU_TANH_2K, dtype=x.dtype)
    return x * sigmoid(k * (c * (1 + np.asarray(_GELU_TANH_C, dtype=x.dtype) * (c * c))))


def silu(x: np.ndarray) -> np.ndarray:
    """x·σ(x). For x < 0 the numerator x·e^{x} is formed as (x·e^{x/2})·e^{x/2}: e^{x} alone
    becomes subnormal (losing bits) while x·e^{x} is still a normal number."""
    h = np.exp(-np.abs(x) / 2)
    numerator = np.where(x >= 0, x, (x * h) * h)
    return (numerator / (1 + h * h)).astype(x.dtype, copy=False)


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def softmax(z: np.ndarray) -> np.ndarray:
    """Subtract the row max first: exp then only sees values ≤ 0, so logits of 1e4 are fine."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
