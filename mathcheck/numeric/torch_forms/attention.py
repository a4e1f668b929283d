"""Section 8 · Transformer & attention in Torch: device-agnostic, dtype-preserving.

Tokens are rows; any leading batch/head dims; weights broadcast against the batch.
"""

from __future__ import annotations

import math

import torch


def _softmax(s: torch.Tensor) -> torch.Tensor:
    e = torch.exp(s - s.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def scaled_dot_product(
    Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(Q Kᵀ/√d_k + mask) V; Q (..., n, d), K (..., m, d), V (..., m, e)."""
    scores = (Q @ K.transpose(-1, -2)) * (1.0 / math.sqrt(Q.shape[-1]))
    if mask is not None:
        scores = scores + mask
    return _softmax(scores) @ V


def causal_mask(
    n: int, dtype: torch.dtype = torch.float64, device: torch.device | str | None = None
) -> torch.Tensor:
    """0 on and below the diagonal (j ≤ i), −∞ above (j > i)."""
    upper = torch.ones(n, n, dtype=torch.bool, device=device).triu(diagonal=1)
    zero = torch.zeros((), dtype=dtype, device=device)
    return zero.masked_fill(upper, float("-inf"))


def causal_attention(Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    return scaled_dot_product(Q, K, V, causal_mask(Q.shape[-2], Q.dtype, Q.device))


def scaled_score(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """q·k/√d_k over the last axis."""
    return (q * k).sum(dim=-1) * (1.0 / math.sqrt(q.shape[-1]))


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(..., n, h·dh) → (..., h, n, dh)."""
    return x.unflatten(-1, (heads, x.shape[-1] // heads)).transpose(-2, -3)


def _merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(..., h, n, dh) → (..., n, h·dh) (Concat(head_1, …, head_h))."""
    return x.transpose(-2, -3).flatten(-2)


def multi_head(
    X: torch.Tensor,
    WQ: torch.Tensor,
    WK: torch.Tensor,
    WV: torch.Tensor,
    WO: torch.Tensor,
    heads: float = 2,
    causal: bool = False,
) -> torch.Tensor:
    """Concat(head_1..head_h) W_O with head_i = Attention of the i-th d_model/h column block."""
    h = int(heads)
    q, k, v = (_split_heads(X @ W, h) for W in (WQ, WK, WV))
    mask = causal_mask(X.shape[-2], X.dtype, X.device) if causal else None
    return _merge_heads(scaled_dot_product(q, k, v, mask)) @ WO


def rmsnorm(x: torch.Tensor, g: torch.Tensor, eps: float) -> torch.Tensor:
    return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + eps) * g


def gelu(t: torch.Tensor) -> torch.Tensor:
    """x·Φ(x) = x/2·(1 + erf(x/√2))."""
    return t / 2 * (1 + torch.erf(t * math.sqrt(0.5)))


def _linear(x: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """W x for x (..., d), W (..., f, d) → (..., f)."""
    return (W @ x.unsqueeze(-1)).squeeze(-1)


def ffn_gelu(
    x: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> torch.Tensor:
    return _linear(gelu(_linear(x, W1) + b1), W2) + b2


def silu(t: torch.Tensor) -> torch.Tensor:
    return t * torch.sigmoid(t)


def ffn_swiglu(
    x: torch.Tensor, W1: torch.Tensor, W3: torch.Tensor, W2: torch.Tensor
) -> torch.Tensor:
    return _linear(silu(_linear(x, W1)) * _linear(x, W3), W2)


def transformer_block(
    X: torch.Tensor,
    WQ: torch.Tensor,
    WK: torch.Tensor,
    WV: torch.Tensor,
    WO: torch.Tensor,
    g1: torch.Tensor,
    g2: torch.Tensor,
    W1: torch.Tensor,
    b1: torch.Tensor,
    W2: torch.Tensor,
    b2: torch.Tensor,
    heads: float = 2,
    eps: float = 1e-6,
    causal: bool = False,
) -> torch.Tensor:
    """Pre-norm: h = x + MHA(RMSNorm(x)); y = h + FFN(RMSNorm(h)). Token-wise FFN on rows."""
    g1, g2, b1, b2 = (a.unsqueeze(-2) for a in (g1, g2, b1, b2))  # broadcast over tokens
    h = X + multi_head(rmsnorm(X, g1, eps), WQ, WK, WV, WO, heads, causal)
    a = rmsnorm(h, g2, eps)
    return h + gelu(a @ W1.transpose(-1, -2) + b1) @ W2.transpose(-1, -2) + b2


def residual(x: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """x + tanh(W x)."""
    return x + torch.tanh(_linear(x, W))
