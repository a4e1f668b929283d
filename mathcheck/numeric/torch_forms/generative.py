"""Section 12 · Generative models in Torch (device-agnostic, dtype-preserving)."""

from __future__ import annotations

import math

import torch


def elbo(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, m: torch.Tensor,
         logv: torch.Tensor, s: float) -> torch.Tensor:
    n = x.shape[-1]
    var = torch.exp(logv)
    residual = x - (W @ m[..., None])[..., 0] - b
    spread = (var * (W * W).sum(dim=-2)).sum(dim=-1)
    sq = (residual * residual).sum(dim=-1)
    kl = 0.5 * (var + m * m - 1 - logv).sum(dim=-1)
    return -0.5 * n * math.log(2 * math.pi * s * s) - (sq + spread) / (2 * s * s) - kl


def reparameterization(mu: torch.Tensor, sigma: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    return mu + sigma * eps


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + eˣ), exact to rounding everywhere (torch's F.softplus returns x above its
    threshold of 20, a 1e-10 relative error). Both branches see clamped inputs, so neither
    overflows and autograd gets σ(x) everywhere, ½ at the branch point."""
    positive, negative = x.clamp(min=0), x.clamp(max=0)
    return torch.where(x > 0, positive + torch.log1p(torch.exp(-positive)),
                       torch.log1p(torch.exp(negative)))


def gan_minimax(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    return -softplus(-real_logits).mean(dim=-1) - softplus(fake_logits).mean(dim=-1)


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    return p_data / (p_data + p_g)


def gan_equilibrium(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    def term(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        small = -u * torch.log1p(v / u)
        large = u * torch.log(u / (u + v))
        return torch.where(u == 0, 0, torch.where(v <= u, small, large))

    return (term(p, q) + term(q, p)).sum(dim=-1)


def ddpm_forward(x_prev: torch.Tensor, eps: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(1 - beta) * x_prev + torch.sqrt(beta) * eps


def ddpm_marginal(x0: torch.Tensor, eps: torch.Tensor, betas: torch.Tensor) -> torch.Tensor:
    log_abar = torch.log1p(-betas).sum(dim=-1, keepdim=True)
    return torch.exp(0.5 * log_abar) * x0 + torch.sqrt(-torch.expm1(log_abar)) * eps


def ddpm_reverse(x_t: torch.Tensor, eps: torch.Tensor, beta: torch.Tensor,
                 abar_prev: torch.Tensor) -> torch.Tensor:
    one_minus_abar = (1 - abar_prev) + abar_prev * beta
    return (x_t - beta / torch.sqrt(one_minus_abar) * eps) / torch.sqrt(1 - beta)


def ddpm_loss(eps: torch.Tensor, eps_pred: torch.Tensor) -> torch.Tensor:
    diff = eps - eps_pred
    return (diff * diff).sum(dim=-1)
