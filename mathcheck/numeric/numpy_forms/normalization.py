"""Section 7 · Normalization in NumPy (biased variance, ε inside the square root).

Statistics use the corrected two-pass algorithm: after d = x − μ, the mean of d (the rounding
error of μ) is subtracted again, so rows with |μ| ≫ σ keep full accuracy. float16 inputs are
normalised in float32 and rounded once.
"""

from __future__ import annotations

import numpy as np


def _work(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _shrink(x: np.ndarray, axis: int) -> np.ndarray:
    """The exponent k ≥ 0 of the power of two nearest max|x|: x/2^k is exact, and its squares
    cannot overflow (x² does beyond ~1e154 in fp64, ~1e19 in fp32, making the result 0)."""
    top = np.max(np.abs(x), axis=axis, keepdims=True)
    _, k = np.frexp(np.where(np.isfinite(top), top, 1.0))
    return np.maximum(k, 0)


def _scaled_eps(eps: float, k: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """ε/4^k, kept at least the smallest normal number so a constant row gives 0, not 0/0."""
    return np.maximum(np.ldexp(np.asarray(eps, dtype), -2 * k), np.finfo(dtype).tiny)


def _standardize(x: np.ndarray, axis: int, eps: float) -> np.ndarray:
    """(x − μ)/√(σ² + ε) = (x' − μ')/√(σ'² + ε/4^k) with x' = x/2^k (exact)."""
    k = _shrink(x, axis)
    x = np.ldexp(x, -k)
    d = x - x.mean(axis=axis, keepdims=True)
    d = d - d.mean(axis=axis, keepdims=True)
    return d / np.sqrt((d * d).mean(axis=axis, keepdims=True) + _scaled_eps(eps, k, x.dtype))


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
    """γ·x/√(mean(x²) + ε), on x/2^k (exact) so that x² cannot overflow."""
    w = _work(x)
    k = _shrink(w, -1)
    w = np.ldexp(w, -k)
    rms = np.sqrt((w * w).mean(axis=-1, keepdims=True) + _scaled_eps(eps, k, w.dtype))
    return (_work(gamma) * w / rms).astype(x.dtype)


def _x_hat_rms(x: np.ndarray, eps: float) -> np.ndarray:
    """x/√(mean(x²) + ε) in the working precision (fp32 for fp16), on x/2^k (exact)."""
    w = _work(x)
    k = _shrink(w, -1)
    w = np.ldexp(w, -k)
    return w / np.sqrt((w * w).mean(axis=-1, keepdims=True) + _scaled_eps(eps, k, w.dtype))


def rms_norm_gemma(x: np.ndarray, gamma: np.ndarray, *, eps: float = 1e-6) -> np.ndarray:
    """Variant (Gemma): (1 + γ)·x/√(mean(x²) + ε), cast after the weight."""
    return ((1 + _work(gamma)) * _x_hat_rms(x, eps)).astype(x.dtype)


def rms_norm_cast_before_weight(x: np.ndarray, gamma: np.ndarray, *,
                                eps: float = 1e-6) -> np.ndarray:
    """Variant (LLaMA order): normalise in fp32, round to the input dtype, then γ·x̂ there."""
    return (gamma * _x_hat_rms(x, eps).astype(x.dtype)).astype(x.dtype, copy=False)
