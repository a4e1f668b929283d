"""Section 7 · Normalization in Torch: device-agnostic, dtype-preserving, differentiable.

float16/bfloat16 inputs are normalised in float32 (statistics accumulated in fp32, as the
fused kernels do) and rounded once. Statistics use the corrected two-pass algorithm (see the
NumPy forms), which autograd differentiates like the plain one.
"""

from __future__ import annotations

import torch

_LOW = (torch.float16, torch.bfloat16)


def _up(x: torch.Tensor) -> torch.Tensor:
    return x.float() if x.dtype in _LOW else x


def _standardize(x: torch.Tensor, dim: int, eps: float) -> torch.Tensor:
    d = x - x.mean(dim=dim, keepdim=True)
    d = d - d.mean(dim=dim, keepdim=True)
    return d / torch.sqrt((d * d).mean(dim=dim, keepdim=True) + eps)


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, *,
               eps: float = 1e-5) -> torch.Tensor:
    return (_up(gamma) * _standardize(_up(x), -1, eps) + _up(beta)).to(x.dtype)


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, *,
               eps: float = 1e-5) -> torch.Tensor:
    """Training-mode BatchNorm of x (..., m samples, n features): statistics over dim −2."""
    g, b = _up(gamma).unsqueeze(-2), _up(beta).unsqueeze(-2)
    return (g * _standardize(_up(x), -2, eps) + b).to(x.dtype)


def rms_norm(x: torch.Tensor, gamma: torch.Tensor, *, eps: float = 1e-6) -> torch.Tensor:
    """γ·x/√(mean(x²) + ε)."""
    w = _up(x)
    return (_up(gamma) * w / torch.sqrt((w * w).mean(dim=-1, keepdim=True) + eps)).to(x.dtype)


def rms_norm_cast_before_weight(x: torch.Tensor, gamma: torch.Tensor, *,
                                eps: float = 1e-6) -> torch.Tensor:
    """The LLaMA casting order: normalise in fp32, round to the input dtype, then multiply by
    γ in that dtype (two roundings in fp16/bf16 instead of one)."""
    w = _up(x)
    return gamma * (w * torch.rsqrt((w * w).mean(dim=-1, keepdim=True) + eps)).to(x.dtype)
