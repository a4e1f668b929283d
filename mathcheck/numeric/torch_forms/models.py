"""Section 15 · Model-specific in Torch: device-agnostic, dtype-preserving, batched."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def convolution(f: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Full convolution Σ_τ f(τ)g(t − τ) = cross-correlation of the padded f with flip(g)."""
    k = g.shape[-1]
    windows = F.pad(f, (k - 1, k - 1)).unfold(-1, k, 1)  # (…, n + k − 1, k)
    return (windows * g.flip(-1)[..., None, :]).sum(dim=-1)


def output_size(n: torch.Tensor, k: torch.Tensor, p: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return torch.div(n + 2 * p - k, s, rounding_mode="floor") + 1


def rnn_step(
    h: torch.Tensor, x: torch.Tensor, W_h: torch.Tensor, W_x: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    pre = (W_h @ h[..., None]).squeeze(-1) + (W_x @ x[..., None]).squeeze(-1) + b
    return torch.tanh(pre)


def lstm_cell(
    x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, W: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """Gates in the cheatsheet's order [f; i; c̃; o] (torch.nn.LSTMCell uses [i; f; g; o])."""
    pre = (W @ torch.cat([h, x], dim=-1)[..., None]).squeeze(-1) + b
    f, i, g, o = pre.chunk(4, dim=-1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_new = torch.sigmoid(o) * torch.tanh(c_new)
    return torch.cat([h_new, c_new], dim=-1)


def gcn_layer(A: torch.Tensor, H: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    A_hat = A + torch.eye(A.shape[-1], dtype=A.dtype, device=A.device)
    r = torch.rsqrt(A_hat.sum(dim=-1))
    norm = r[..., :, None] * A_hat * r[..., None, :]
    return torch.relu(norm @ (H @ W))


def cross_correlation(f: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Variant: full cross-correlation Σ_j f_pad(t + j) g(j), what conv layers compute."""
    k = g.shape[-1]
    windows = F.pad(f, (k - 1, k - 1)).unfold(-1, k, 1)
    return (windows * g[..., None, :]).sum(dim=-1)
