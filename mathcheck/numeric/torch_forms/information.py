"""Section 10 · Information theory in Torch (0·log 0 = 0 via torch.xlogy; q = 0 < p gives +∞)."""

from __future__ import annotations

import torch


def entropy(p: torch.Tensor) -> torch.Tensor:
    return -torch.xlogy(p, p).sum(dim=-1)


def cross_entropy(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    return -torch.xlogy(p, q).sum(dim=-1)


def kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Σ p(log p − log q): a difference of logs, so p/q cannot overflow in fp16."""
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)


def ce_decomposition(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    return entropy(p) + kl(p, q)


def perplexity(logp: torch.Tensor) -> torch.Tensor:
    return torch.exp(-logp.mean(dim=-1))


def mutual_information(P: torch.Tensor) -> torch.Tensor:
    joint = P / P.sum(dim=(-2, -1), keepdim=True)
    px = joint.sum(dim=-1, keepdim=True)
    py = joint.sum(dim=-2, keepdim=True)
    log_ratio = torch.log(joint) - torch.log(px) - torch.log(py)
    return torch.where(joint == 0, 0, joint * log_ratio).sum(dim=(-2, -1))


def kl_reversed(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Variant: KL(q‖p), the arguments swapped."""
    return kl(q, p)


def kl_mean(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Variant: KL(p‖q)/n, F.kl_div's reduction='mean' over one row."""
    return kl(p, q) / p.shape[-1]


#: log₂ e: nats × LOG2_E = bits (one rounding of the constant, one of the product).
LOG2_E = 1.4426950408889634


def entropy_bits(p: torch.Tensor) -> torch.Tensor:
    """Variant: H(p) in bits, the entropy in nats times log₂ e."""
    return entropy(p) * LOG2_E


def cross_entropy_bits(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Variant: H(p, q) in bits."""
    return cross_entropy(p, q) * LOG2_E


def kl_bits(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Variant: KL(p‖q) in bits."""
    return kl(p, q) * LOG2_E
