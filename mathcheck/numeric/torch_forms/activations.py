"""Section 4 · Activations in Torch: device-agnostic, dtype-preserving, no host round-trips.

Same numerical choices as the NumPy forms (see there): no exp of a positive argument, the
GELU-tanh cubic on a clipped input, erfc for the exact GELU.
"""

from __future__ import annotations

import torch

_SQRT1_2 = 0.7071067811865476
_GELU_SIGMOID_K = 1.702
_GELU_TANH_2K = 1.5957691216057308  # 2·√(2/π)
_GELU_TANH_C = 0.044715
_GELU_TANH_CLIP = 50.0


def _neg_abs(x: torch.Tensor) -> torch.Tensor:
    """−|x| as a branch: autograd of abs() is 0 at x = 0, which would make σ'(0) = 0."""
    return torch.where(x >= 0, -x, x)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    e = torch.exp(_neg_abs(x))
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x: torch.Tensor) -> torch.Tensor:
    """A branch rather than clamp: its gradient at 0 is 0, the convention of the table. The
    test is x ≤ 0 (not x > 0), so a NaN propagates instead of becoming 0."""
    return torch.where(x <= 0, torch.zeros_like(x), x)


def _times(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """x·g, where g = 0 gives 0 even at x = ±∞ (the limit; the product alone is NaN)."""
    return torch.where(g == 0, torch.zeros_like(x), x * g)


def leaky_relu(x: torch.Tensor, alpha: float = 0.01) -> torch.Tensor:
    return torch.where(x > 0, x, alpha * x)


def gelu(x: torch.Tensor) -> torch.Tensor:
    """x·½erfc(−x/√2): accurate in the left tail, where 1 + erf cancels."""
    return _times(x, 0.5 * torch.special.erfc(-x * _SQRT1_2))


def gelu_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return _times(x, sigmoid(_GELU_SIGMOID_K * x))


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """½x(1 + tanh u) = x·σ(2u), which does not cancel for u ≪ 0."""
    c = x.clamp(-_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    return _times(x, sigmoid(_GELU_TANH_2K * (c * (1 + _GELU_TANH_C * (c * c)))))


def silu(x: torch.Tensor) -> torch.Tensor:
    """x·σ(x) with the numerator for x < 0 as (x·e^{x/2})·e^{x/2} (no subnormal intermediate)."""
    h = torch.exp(_neg_abs(x) / 2)
    return torch.where(x >= 0, x, _times(_times(x, h), h)) / (1 + h * h)


def tanh(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x)


def softmax(z: torch.Tensor) -> torch.Tensor:
    e = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def log_softmax(z: torch.Tensor) -> torch.Tensor:
    shifted = z - z.amax(dim=-1, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def softplus(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0) + log1p(e^{−|x|}), with max(x, 0) and −|x| both taken as branches on x ≥ 0:
    autograd of each branch is then exact (σ(0) = ½; abs() or clamp would break the tie)."""
    return torch.where(x >= 0, x, 0.0) + torch.log1p(torch.exp(_neg_abs(x)))


def softplus_threshold(x: torch.Tensor, threshold: float = 20.0) -> torch.Tensor:
    """PyTorch's F.softplus (β = 1): x itself where x > threshold, else softplus."""
    return torch.where(x > threshold, x, softplus(x))


def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """−softplus(−x) = min(x, 0) − log1p(e^{−|x|}), bit for bit; autograd gives σ(−x)."""
    return -softplus(-x)


def erf(x: torch.Tensor) -> torch.Tensor:
    """torch.special.erf, as act.gelu uses torch.special.erfc; fp16/bf16 are computed in fp32
    and rounded once: torch's own half/bfloat16 CPU kernel is accurate only absolutely (4.7
    ulp at x = 8.3e-5 in fp16, 0 for 1.1e-20 in bf16)."""
    if x.dtype in (torch.float16, torch.bfloat16):
        return torch.special.erf(x.float()).to(x.dtype)
    return torch.special.erf(x)
