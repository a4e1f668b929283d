"""Section 14 · Backpropagation in Torch (σ = tanh for δ), batched, device-agnostic."""

from __future__ import annotations

import torch


def _dtanh(z: torch.Tensor) -> torch.Tensor:
    """sech²(z) = (2e^{−|z|}/(1 + e^{−2|z|}))²: see the NumPy form."""
    e = torch.exp(-z.abs())
    return torch.square(2 * e / (1 + e * e))


def delta(W: torch.Tensor, delta_next: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    back = torch.einsum("...mn,...m->...n", W, delta_next)
    return back * _dtanh(z)


def weight_grad(delta: torch.Tensor, a_prev: torch.Tensor) -> torch.Tensor:
    return delta[..., :, None] * a_prev[..., None, :]


def bias_grad(delta: torch.Tensor) -> torch.Tensor:
    return delta.clone()


def gradient_product(W: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """∏_{l=L…1} diag(tanh′(z_l)) W_l; W (…, L, n, n), z (…, L, n). Loops over layers only."""
    jac = _dtanh(z[..., 0, :])[..., :, None] * W[..., 0, :, :]
    for layer in range(1, W.shape[-3]):
        jac = (_dtanh(z[..., layer, :])[..., :, None] * W[..., layer, :, :]) @ jac
    return jac


def xavier(n_in: torch.Tensor, n_out: torch.Tensor) -> torch.Tensor:
    return 2 / (n_in + n_out)


def he(n_in: torch.Tensor) -> torch.Tensor:
    return 2 / n_in
