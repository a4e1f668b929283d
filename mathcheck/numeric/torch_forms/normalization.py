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


def _shrink(x: torch.Tensor, dim: int) -> torch.Tensor:
    """The exponent k ≥ 0 of the power of two nearest max|x| (see NumPy): x/2^k is exact and
    its squares cannot overflow."""
    top = x.abs().amax(dim=dim, keepdim=True)
    _, k = torch.frexp(torch.where(torch.isfinite(top), top, torch.ones_like(top)))
    return k.clamp(min=0).to(x.dtype)


def _scaled_eps(eps: float, k: torch.Tensor) -> torch.Tensor:
    """ε/4^k, at least the smallest normal number (a constant row gives 0, not 0/0)."""
    scaled = torch.ldexp(torch.full_like(k, eps), -k) * torch.exp2(-k)
    return scaled.clamp(min=torch.finfo(k.dtype).tiny)


def _standardize(x: torch.Tensor, dim: int, eps: float) -> torch.Tensor:
    """(x − μ)/√(σ² + ε) computed on x/2^k (exact), with ε/4^k."""
    k = _shrink(x, dim)
    x = torch.ldexp(x, -k)
    d = x - x.mean(dim=dim, keepdim=True)
    d = d - d.mean(dim=dim, keepdim=True)
    return d / torch.sqrt((d * d).mean(dim=dim, keepdim=True) + _scaled_eps(eps, k))


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, *,
               eps: float = 1e-5) -> torch.Tensor:
    return (_up(gamma) * _standardize(_up(x), -1, eps) + _up(beta)).to(x.dtype)


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, *,
               eps: float = 1e-5) -> torch.Tensor:
    """Training-mode BatchNorm of x (..., m samples, n features): statistics over dim −2."""
    g, b = _up(gamma).unsqueeze(-2), _up(beta).unsqueeze(-2)
    return (g * _standardize(_up(x), -2, eps) + b).to(x.dtype)


def rms_norm(x: torch.Tensor, gamma: torch.Tensor, *, eps: float = 1e-6) -> torch.Tensor:
    """γ·x/√(mean(x²) + ε), on x/2^k (exact) so that x² cannot overflow."""
    w = _up(x)
    k = _shrink(w, -1)
    w = torch.ldexp(w, -k)
    rms = torch.sqrt((w * w).mean(dim=-1, keepdim=True) + _scaled_eps(eps, k))
    return (_up(gamma) * w / rms).to(x.dtype)


def rms_norm_cast_before_weight(x: torch.Tensor, gamma: torch.Tensor, *,
                                eps: float = 1e-6) -> torch.Tensor:
    """The LLaMA casting order: normalise in fp32, round to the input dtype, then multiply by
    γ in that dtype (two roundings in fp16/bf16 instead of one)."""
    w = _up(x)
    k = _shrink(w, -1)
    w = torch.ldexp(w, -k)
    rms = torch.sqrt((w * w).mean(dim=-1, keepdim=True) + _scaled_eps(eps, k))
    return gamma * (w / rms).to(x.dtype)


def rms_norm_gemma(x: torch.Tensor, gamma: torch.Tensor, *, eps: float = 1e-6) -> torch.Tensor:
    """Variant (Gemma): (1 + γ)·x/√(mean(x²) + ε), in fp32 for fp16/bf16 and cast after the
    weight, as Gemma's RMSNorm does."""
    w = _up(x)
    k = _shrink(w, -1)
    w = torch.ldexp(w, -k)
    rms = torch.sqrt((w * w).mean(dim=-1, keepdim=True) + _scaled_eps(eps, k))
    return ((1 + _up(gamma)) * (w / rms)).to(x.dtype)
