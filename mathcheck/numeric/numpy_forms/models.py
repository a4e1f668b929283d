"""Section 15 · Model-specific in NumPy: vectorised over leading batch dimensions."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def convolution(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Full convolution Σ_τ f(τ)g(t − τ): windows of the zero-padded f against the flipped g."""
    k = g.shape[-1]
    pad = [(0, 0)] * (f.ndim - 1) + [(k - 1, k - 1)]
    windows = sliding_window_view(np.pad(f, pad), k, axis=-1)  # (…, n + k − 1, k)
    return (windows * np.flip(g, axis=-1)[..., None, :]).sum(axis=-1)


def output_size(n: np.ndarray, k: np.ndarray, p: np.ndarray, s: np.ndarray) -> np.ndarray:
    """⌊(n + 2p − k)/s⌋ + 1 with exact floor division (no rounded quotient is floored)."""
    return np.floor_divide(n + 2 * p - k, s) + 1


def rnn_step(
    h: np.ndarray, x: np.ndarray, W_h: np.ndarray, W_x: np.ndarray, b: np.ndarray
) -> np.ndarray:
    pre = np.einsum("...ij,...j->...i", W_h, h) + np.einsum("...ij,...j->...i", W_x, x) + b
    return np.tanh(pre)


def _sigmoid(t: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1 / (1 + e), e / (1 + e)).astype(t.dtype, copy=False)


def lstm_cell(
    x: np.ndarray, h: np.ndarray, c: np.ndarray, W: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Gates in the cheatsheet's order [f; i; c̃; o]; returns [h_t, c_t] concatenated."""
    pre = np.einsum("...ij,...j->...i", W, np.concatenate([h, x], axis=-1)) + b
    f, i, g, o = np.split(pre, 4, axis=-1)
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h_new = _sigmoid(o) * np.tanh(c_new)
    return np.concatenate([h_new, c_new], axis=-1)


def gcn_layer(A: np.ndarray, H: np.ndarray, W: np.ndarray) -> np.ndarray:
    """ReLU(D̂^{−1/2}(A + I)D̂^{−1/2} H W), scaling rows and columns instead of forming D̂."""
    A_hat = A + np.eye(A.shape[-1], dtype=A.dtype)
    r = 1 / np.sqrt(A_hat.sum(axis=-1))
    norm = r[..., :, None] * A_hat * r[..., None, :]
    return np.maximum(norm @ (H @ W), 0)


def cross_correlation(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Variant: full cross-correlation Σ_j f_pad(t + j) g(j), what conv layers compute."""
    k = g.shape[-1]
    pad = [(0, 0)] * (f.ndim - 1) + [(k - 1, k - 1)]
    windows = sliding_window_view(np.pad(f, pad), k, axis=-1)
    return (windows * g[..., None, :]).sum(axis=-1)
