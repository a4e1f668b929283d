"""Section 10 · Information theory in NumPy (sums over the last axis).

Conventions, stated once: 0·log 0 = 0 and 0·log q = 0 (an impossible outcome contributes
nothing); q = 0 where p > 0 gives +∞ for cross-entropy and KL (the true value), never NaN.
"""

from __future__ import annotations

import numpy as np


def xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·log y, exactly 0 where x = 0 (whatever y is); −∞·x where y = 0 < x."""
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(x == 0, np.ones_like(y), y)
        return np.where(x == 0, 0, x * np.log(safe))


def entropy(p: np.ndarray) -> np.ndarray:
    """−Σ p log p: every term is ≥ 0 for p ≤ 1, so the sum has no cancellation."""
    return -xlogy(p, p).sum(axis=-1)


def cross_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return -xlogy(p, q).sum(axis=-1)


def kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Σ p(log p − log q): a difference of logs, not log(p/q), so p/q cannot overflow in fp16."""
    return (xlogy(p, p) - xlogy(p, q)).sum(axis=-1)


def ce_decomposition(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """H(p, q) computed as H(p) + KL(p‖q) — the decomposition, evaluated."""
    return entropy(p) + kl(p, q)


def perplexity(logp: np.ndarray) -> np.ndarray:
    """exp of the mean negative log-likelihood over the T tokens (last axis)."""
    return np.exp(-logp.mean(axis=-1))


def mutual_information(P: np.ndarray) -> np.ndarray:
    """Σ P log(P / (P_x P_y)) over the last two axes, with P normalised by its total first."""
    joint = P / P.sum(axis=(-2, -1), keepdims=True)
    px = joint.sum(axis=-1, keepdims=True)
    py = joint.sum(axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # zero cells: replaced by 0 below
        log_ratio = np.log(joint) - np.log(px) - np.log(py)
        return np.where(joint == 0, 0, joint * log_ratio).sum(axis=(-2, -1))


def kl_reversed(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Variant: KL(q‖p), the arguments swapped."""
    return kl(q, p)


def kl_mean(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Variant: KL(p‖q)/n, F.kl_div's reduction='mean' over one row."""
    return (kl(p, q) / np.asarray(p.shape[-1], p.dtype)).astype(p.dtype, copy=False)


#: log₂ e: nats × LOG2_E = bits (one rounding of the constant, one of the product).
LOG2_E = 1.4426950408889634


def _bits(nats: np.ndarray) -> np.ndarray:
    return (nats * np.asarray(LOG2_E, nats.dtype)).astype(nats.dtype, copy=False)


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """Variant: H(p) in bits, the entropy in nats times log₂ e."""
    return _bits(entropy(p))


def cross_entropy_bits(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Variant: H(p, q) in bits."""
    return _bits(cross_entropy(p, q))


def kl_bits(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Variant: KL(p‖q) in bits."""
    return _bits(kl(p, q))
