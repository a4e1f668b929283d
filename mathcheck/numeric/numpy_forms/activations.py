"""Section 4 · Activations in NumPy: stable at the extremes, dtype-preserving."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Branch on the sign so exp never overflows: σ(x) = 1/(1+e^{−|x|}) or e^{−|x|}/(1+e^{−|x|})."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def softmax(z: np.ndarray) -> np.ndarray:
    """Subtract the row max first: exp then only sees values ≤ 0, so logits of 1e4 are fine."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
