"""Section 13 · Alignment & RLHF in NumPy: stable (softplus, log-sum-exp), dtype-preserving."""

from __future__ import annotations

import numpy as np


def _sigmoid(t: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1 / (1 + e), e / (1 + e)).astype(t.dtype, copy=False)


def _softplus(t: np.ndarray) -> np.ndarray:
    """log(1 + e^t) = max(t, 0) + log1p(e^{−|t|}): no overflow for large t."""
    return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))


def bradley_terry(r_w: np.ndarray, r_l: np.ndarray) -> np.ndarray:
    return _sigmoid(r_w - r_l)


def ppo_clip(r: np.ndarray, A: np.ndarray, eps: float = 0.2) -> np.ndarray:
    return np.minimum(r * A, np.clip(r, 1 - eps, 1 + eps) * A)


def kl_penalty(p: np.ndarray, q: np.ndarray, r: np.ndarray, beta: float = 0.1) -> np.ndarray:
    """E_π[r] − β KL(π‖π_ref); log p − log q (not log(p/q), which overflows fp16); 0·log 0 = 0."""
    positive = p > 0
    log_ratio = np.log(np.where(positive, p, 1)) - np.log(np.where(positive, q, 1))
    kl = np.where(positive, p * log_ratio, 0).sum(axis=-1)
    return ((p * r).sum(axis=-1) - beta * kl).astype(p.dtype, copy=False)


def dpo(
    logp_w: np.ndarray, logp_l: np.ndarray, ref_w: np.ndarray, ref_l: np.ndarray, beta: float = 0.1
) -> np.ndarray:
    margin = (logp_w - ref_w) - (logp_l - ref_l)
    return _softplus(-beta * margin).astype(logp_w.dtype, copy=False)


def sft(z: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Masked token NLL, summed over the response tokens (mask = 1), as the cheatsheet writes it."""
    shifted = z - z.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -(mask * (y * log_probs).sum(axis=-1)).sum(axis=-1)
