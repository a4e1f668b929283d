"""Section 8 · Transformer & attention in NumPy: tokens are rows, any leading batch/head dims.

All weights broadcast against the batch (a weight may carry the same leading dims as x).
Softmax subtracts the row max; masked scores are −∞ so their weights are exactly 0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _scale(d: int, dtype: np.dtype) -> np.ndarray:
    """1/√d in the working dtype (one rounding)."""
    return np.asarray(1.0 / np.sqrt(d), dtype=dtype)


def scaled_dot_product(
    Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """softmax(Q Kᵀ/√d_k + mask) V; Q (..., n, d), K (..., m, d), V (..., m, e)."""
    scores = (Q @ np.swapaxes(K, -1, -2)) * _scale(Q.shape[-1], Q.dtype)
    if mask is not None:
        scores = scores + mask
    return (_softmax(scores) @ V).astype(Q.dtype, copy=False)


def causal_mask(n: int, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """0 on and below the diagonal (j ≤ i), −∞ above (j > i)."""
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    return np.where(upper, -np.inf, 0.0).astype(dtype)


def causal_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:
    return scaled_dot_product(Q, K, V, causal_mask(Q.shape[-2], Q.dtype))


def scaled_score(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """q·k/√d_k over the last axis."""
    return ((q * k).sum(axis=-1) * _scale(q.shape[-1], q.dtype)).astype(q.dtype, copy=False)


def _split_heads(x: np.ndarray, heads: int) -> np.ndarray:
    """(..., n, h·dh) → (..., h, n, dh)."""
    *lead, n, width = x.shape
    return np.swapaxes(x.reshape(*lead, n, heads, width // heads), -2, -3)


def _merge_heads(x: np.ndarray) -> np.ndarray:
    """(..., h, n, dh) → (..., n, h·dh) (Concat(head_1, …, head_h))."""
    x = np.swapaxes(x, -2, -3)
    return x.reshape(*x.shape[:-2], x.shape[-2] * x.shape[-1])


def multi_head(
    X: np.ndarray,
    WQ: np.ndarray,
    WK: np.ndarray,
    WV: np.ndarray,
    WO: np.ndarray,
    heads: float = 2,
    causal: bool = False,
) -> np.ndarray:
    """Concat(head_1..head_h) W_O with head_i = Attention of the i-th d_model/h column block."""
    h = int(heads)
    q, k, v = (_split_heads(X @ W, h) for W in (WQ, WK, WV))
    mask = causal_mask(X.shape[-2], X.dtype) if causal else None
    out = _merge_heads(scaled_dot_product(q, k, v, mask)) @ WO
    return out.astype(X.dtype, copy=False)


def rmsnorm(x: np.ndarray, g: np.ndarray, eps: float) -> np.ndarray:
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + np.asarray(eps, x.dtype))
    return (x / rms * g).astype(x.dtype, copy=False)


def gelu(t: np.ndarray) -> np.ndarray:
    """x·Φ(x) = x/2·(1 + erf(x/√2)); SciPy's erf works in ≥ fp32, cast back."""
    return (t / 2 * (1 + erf(t * np.asarray(np.sqrt(0.5), t.dtype)))).astype(t.dtype, copy=False)


def _linear(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """W x for x (..., d), W (..., f, d) → (..., f)."""
    return (W @ x[..., None])[..., 0]


def ffn_gelu(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    return (_linear(gelu(_linear(x, W1) + b1), W2) + b2).astype(x.dtype, copy=False)


def silu(t: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, t / (1 + e), t * e / (1 + e)).astype(t.dtype, copy=False)


def ffn_swiglu(x: np.ndarray, W1: np.ndarray, W3: np.ndarray, W2: np.ndarray) -> np.ndarray:
    return _linear(silu(_linear(x, W1)) * _linear(x, W3), W2).astype(x.dtype, copy=False)


def transformer_block(
    X: np.ndarray,
    WQ: np.ndarray,
    WK: np.ndarray,
    WV: np.ndarray,
    WO: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    heads: float = 2,
    eps: float = 1e-6,
    causal: bool = False,
) -> np.ndarray:
    """Pre-norm: h = x + MHA(RMSNorm(x)); y = h + FFN(RMSNorm(h)). Token-wise FFN on rows."""
    g1, g2, b1, b2 = (a[..., None, :] for a in (g1, g2, b1, b2))  # broadcast over tokens
    h = X + multi_head(rmsnorm(X, g1, eps), WQ, WK, WV, WO, heads, causal)
    a = rmsnorm(h, g2, eps)
    ffn = gelu(a @ np.swapaxes(W1, -1, -2) + b1) @ np.swapaxes(W2, -1, -2) + b2
    return (h + ffn).astype(X.dtype, copy=False)


def residual(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """x + tanh(W x)."""
    return (x + np.tanh(_linear(x, W))).astype(x.dtype, copy=False)
