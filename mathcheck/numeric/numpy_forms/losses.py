"""Section 5 · Losses in NumPy: stable for logits of ±1e4, dtype-preserving.

Classification losses never take the log of a probability: they work with log-softmax
(max-shifted log-sum-exp) or softplus, so they stay finite where softmax underflows to 0.
Sums of non-negative terms are arranged so that nothing cancels.
"""

from __future__ import annotations

import numpy as np

from mathcheck.numeric.numpy_forms.activations import log_softmax


def _cast(value: np.ndarray, like: np.ndarray) -> np.ndarray:
    return np.asarray(value).astype(like.dtype, copy=False)


def cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−Σ yᵢ log softmax(z)ᵢ over the last axis; soft (probability) targets allowed."""
    return _cast(-(y * log_softmax(z)).sum(axis=-1), z)


def bce(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−[y log p + (1 − y) log(1 − p)] with log1p(−p): both terms are ≥ 0, so no cancellation,
    and log(1 − p) keeps its accuracy for small p."""
    return _cast(-(y * np.log(p) + (1 - y) * np.log1p(-p)), p)


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """softplus(z) − yz rearranged as (1 − y)z⁺ + y·z⁻ + log1p(e^{−|z|}) (z⁺, z⁻ = max(±z, 0)):
    every term is ≥ 0 for y ∈ [0, 1] and exp never sees a positive argument."""
    linear = np.where(z > 0, (1 - y) * z, -y * z)
    return _cast(linear + np.log1p(np.exp(-np.abs(z))), z)


def focal(z: np.ndarray, y: np.ndarray, alpha: float = 0.25, gamma: float = 2.0) -> np.ndarray:
    """−α(1 − ŷ_t)^γ log ŷ_t for one-hot y, with 1 − ŷ_t = −expm1(log ŷ_t): no cancellation
    when the model is confident (ŷ_t → 1), which is exactly where the focal factor matters."""
    log_pt = (y * log_softmax(z)).sum(axis=-1)
    one_minus = -np.expm1(log_pt)
    return _cast(-alpha * one_minus**gamma * log_pt, z)


def mse(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    return _cast(np.mean(np.square(y - y_hat), axis=-1), y)


def mae(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    return _cast(np.mean(np.abs(y - y_hat), axis=-1), y)


def huber(y: np.ndarray, y_hat: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Elementwise (reduction 'none'): ½r² inside |r| ≤ δ, δ(|r| − ½δ) outside."""
    r = y - y_hat
    a = np.abs(r)
    return _cast(np.where(a <= delta, 0.5 * (r * r), delta * (a - 0.5 * delta)), y)


def _normalize(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _logsumexp(s: np.ndarray) -> np.ndarray:
    m = s.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(s - m).sum(axis=-1, keepdims=True)))[..., 0]


def infonce(a: np.ndarray, b: np.ndarray, tau: float = 0.5) -> np.ndarray:
    """NT-Xent over the 2N views [a; b] (SimCLR): each view's positive is its pair, the
    denominator runs over the other 2N − 1 views (the diagonal is masked with −inf)."""
    n = a.shape[-2]
    zn = _normalize(np.concatenate([a, b], axis=-2))
    sim = (zn @ np.swapaxes(zn, -1, -2)) / tau
    m = 2 * n
    masked = np.where(np.eye(m, dtype=bool), -np.inf, sim)
    index = np.arange(m)
    positive = sim[..., index, (index + n) % m]
    return _cast(np.mean(_logsumexp(masked) - positive, axis=-1), a)


def infonce_clip(a: np.ndarray, b: np.ndarray, tau: float = 0.5) -> np.ndarray:
    """CLIP: ½[CE(rows of cos(a, b)/τ) + CE(columns)], the matching pair as target."""
    logits = (_normalize(a) @ np.swapaxes(_normalize(b), -1, -2)) / tau
    diagonal = np.diagonal(logits, axis1=-2, axis2=-1)
    rows = _logsumexp(logits) - diagonal
    cols = _logsumexp(np.swapaxes(logits, -1, -2)) - diagonal
    return _cast((rows.mean(axis=-1) + cols.mean(axis=-1)) / 2, a)


def triplet(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray,
            margin: float = 1.0) -> np.ndarray:
    """max(0, ‖a − p‖² − ‖a − n‖² + margin), squared distances (FaceNet, the cheatsheet)."""
    d_pos = np.square(anchor - positive).sum(axis=-1)
    d_neg = np.square(anchor - negative).sum(axis=-1)
    return _cast(np.maximum(d_pos - d_neg + margin, 0), anchor)


def smooth_l1(y: np.ndarray, y_hat: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Variant: SmoothL1 with β = δ, i.e. Huber/δ (torch F.smooth_l1_loss(beta=δ))."""
    a = np.abs(y - y_hat)
    return _cast(np.where(a < delta, 0.5 * (a * a) / delta, a - 0.5 * delta), y)


def triplet_plain(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray,
                  margin: float = 1.0, eps: float = 1e-6) -> np.ndarray:
    """Variant: unsquared distances ‖a − p + ε‖ (torch TripletMarginLoss, ε = 1e-6)."""
    e = np.asarray(eps, anchor.dtype)
    d_pos = np.linalg.norm(anchor - positive + e, axis=-1)
    d_neg = np.linalg.norm(anchor - negative + e, axis=-1)
    return _cast(np.maximum(d_pos - d_neg + margin, 0), anchor)


def mse_half(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    """Variant: ½·MSE, the mean of optax.l2_loss (½ is exact)."""
    return _cast(0.5 * mse(y, y_hat), y)


def _softplus(t: np.ndarray) -> np.ndarray:
    """log(1 + eᵗ) as max(t, 0) + log1p(e^{−|t|})."""
    return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))


def focal_sigmoid(z: np.ndarray, y: np.ndarray, alpha: float = 0.25,
                  gamma: float = 2.0) -> np.ndarray:
    """Variant: α-balanced sigmoid focal loss summed over classes (torchvision), with
    1 − p_t = exp(−softplus(s·z)) and CE = softplus(−s·z), s = 2y − 1: no 1 − σ(z)."""
    s = 2 * y - 1
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    terms = alpha_t * np.exp(-gamma * _softplus(s * z)) * _softplus(-s * z)
    return _cast(terms.sum(axis=-1), z)
