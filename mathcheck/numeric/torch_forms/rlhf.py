"""Section 13 · Alignment & RLHF in Torch: device-agnostic, dtype-preserving, autograd-safe."""

from __future__ import annotations

import torch


def _sigmoid(t: torch.Tensor) -> torch.Tensor:
    """e = e^{−|t|} written as exp(where(t ≥ 0, −t, t)), so autograd sees a smooth branch with
    the right slope at t = 0 (|t| has slope 0 there). Value and gradient both stay relatively
    accurate; torch.sigmoid's backward forms 1 − σ, which cancels (~e^{|t|} ulp off)."""
    nonnegative = t >= 0
    e = torch.exp(torch.where(nonnegative, -t, t))
    return torch.where(nonnegative, 1 / (1 + e), e / (1 + e))


def _softplus(t: torch.Tensor) -> torch.Tensor:
    """log(1 + e^t) = max(t, 0) + log1p(e^{−|t|}), with both kinks written as branches whose
    slopes add up to σ(0) = 1/2 at t = 0. F.softplus is not used: it returns t itself above
    t = 20, ~1e6 fp64 ulps off there."""
    positive = t > 0
    return torch.where(positive, t, torch.zeros_like(t)) + torch.log1p(
        torch.exp(torch.where(positive, -t, t))
    )


def bradley_terry(r_w: torch.Tensor, r_l: torch.Tensor) -> torch.Tensor:
    return _sigmoid(r_w - r_l)


def ppo_clip(r: torch.Tensor, A: torch.Tensor, eps: float = 0.2) -> torch.Tensor:
    return torch.minimum(r * A, torch.clamp(r, 1 - eps, 1 + eps) * A)


def kl_penalty(
    p: torch.Tensor, q: torch.Tensor, r: torch.Tensor, beta: float = 0.1
) -> torch.Tensor:
    """E_π[r] − β KL(π‖π_ref); the log of 0 is never taken, so backward has no 0·∞ either."""
    positive = p > 0
    one = torch.ones_like(p)
    log_ratio = torch.log(torch.where(positive, p, one)) - torch.log(torch.where(positive, q, one))
    kl = torch.where(positive, p * log_ratio, torch.zeros_like(p)).sum(dim=-1)
    return (p * r).sum(dim=-1) - beta * kl


def dpo(
    logp_w: torch.Tensor,
    logp_l: torch.Tensor,
    ref_w: torch.Tensor,
    ref_l: torch.Tensor,
    beta: float = 0.1,
) -> torch.Tensor:
    margin = (logp_w - ref_w) - (logp_l - ref_l)
    return _softplus(-beta * margin)


def sft(z: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    log_probs = torch.log_softmax(z, dim=-1)
    return -(mask * (y * log_probs).sum(dim=-1)).sum(dim=-1)
