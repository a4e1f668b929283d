"""Section 7 · Normalization in NumPy (biased variance, ε inside the square root).

Statistics use the corrected two-pass algorithm: after d = x − μ, the mean of d (the rounding
error of μ) is subtracted again, so rows with |μ| ≫ σ keep full accuracy. float16 inputs are
normalised in float32 and rounded once.
"""

from __future__ import annotations

import numpy as np


def _work(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _standardize(x: np.ndarray, axis: int, eps: float) -> np.ndarray:
    d = x - x.mean(axis=axis, keepdims=True)
    d = d - d.mean(axis=axis, keepdims=True)
    return d / np.sqrt((d * d).mean(axis=axis, keepdims=True) + eps)


def layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5
) -> np.ndarray:
    y = _work(gamma) * _standardize(_work(x), -1, eps) + _work(beta)
    return y.astype(x.dtype)


def batch_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5
) -> np.ndarray:
    """Training-mode BatchNorm of x (..., m samples, n features): statistics over axis −2."""
    g, b = _work(gamma)[..., None, :], _work(beta)[..., None, :]
    return (g * _standardize(_work(x), -2, eps) + b).astype(x.dtype)


def rms_norm(x: np.ndarray, gamma: np.ndarray, *, eps: float = 1e-6) -> np.ndarray:
    """γ·x/√(mean(x²) + ε); x² overflows only beyond ~1e154 (fp64), ~1e19 (fp32, fp16)."""
    w = _work(x)
    return (_work(gamma) * w / np.sqrt((w * w).mean(axis=-1, keepdims=True) + eps)).astype(x.dtype)
