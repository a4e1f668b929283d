"""Section 12 · Generative models in NumPy (VAE, GAN, DDPM), dtype-preserving."""

from __future__ import annotations

import math

import numpy as np


def elbo(x: np.ndarray, W: np.ndarray, b: np.ndarray, m: np.ndarray, logv: np.ndarray,
         s: float) -> np.ndarray:
    """Closed-form ELBO of the linear-Gaussian VAE (see the SymPy form): no sampling needed."""
    n = x.shape[-1]
    var = np.exp(logv)
    residual = x - (W @ m[..., None])[..., 0] - b
    spread = (var * (W * W).sum(axis=-2)).sum(axis=-1)
    sq = (residual * residual).sum(axis=-1)
    log_norm = x.dtype.type(0.5 * n * math.log(2 * math.pi * s * s))
    kl = 0.5 * (var + m * m - 1 - logv).sum(axis=-1)
    return -log_norm - (sq + spread) / x.dtype.type(2 * s * s) - kl


def reparameterization(mu: np.ndarray, sigma: np.ndarray, eps: np.ndarray) -> np.ndarray:
    return mu + sigma * eps


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}): never overflows, accurate for x ≪ 0."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def gan_minimax(real_logits: np.ndarray, fake_logits: np.ndarray) -> np.ndarray:
    """mean log D(x) + mean log(1 − D(G(z))) with D = σ(logit): log σ(a) = −softplus(−a) and
    log(1 − σ(b)) = −softplus(b), so saturated discriminators stay finite and accurate."""
    return -softplus(-real_logits).mean(axis=-1) - softplus(fake_logits).mean(axis=-1)


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    return p_data / (p_data + p_g)


def gan_equilibrium(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Σ p log(p/(p+q)) + q log(q/(p+q)): each term −u·log1p(v/u) when v ≤ u (accurate for
    v ≪ u), else u·log(u/(u+v)) (ratio ≤ ½, log well conditioned); 0 where u = 0."""

    def term(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # unused branches
            small = -u * np.log1p(v / u)
            large = u * np.log(u / (u + v))
        return np.where(u == 0, 0, np.where(v <= u, small, large))

    return (term(p, q) + term(q, p)).sum(axis=-1)


def ddpm_forward(x_prev: np.ndarray, eps: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * eps


def ddpm_marginal(x0: np.ndarray, eps: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """√ᾱ x₀ + √(1 − ᾱ) ε with log ᾱ = Σ log1p(−β_s): 1 − ᾱ = −expm1(log ᾱ) keeps its
    relative accuracy when ᾱ ≈ 1 (few steps, small β)."""
    log_abar = np.log1p(-betas).sum(axis=-1, keepdims=True)
    return np.exp(0.5 * log_abar) * x0 + np.sqrt(-np.expm1(log_abar)) * eps


def ddpm_reverse(x_t: np.ndarray, eps: np.ndarray, beta: np.ndarray,
                 abar_prev: np.ndarray) -> np.ndarray:
    """μ_θ = (x_t − β/√(1 − ᾱ_t) ε)/√(1 − β), with 1 − ᾱ_t = (1 − ᾱ_{t−1}) + ᾱ_{t−1}β summed
    from non-negative parts (1 − ᾱ_{t−1}(1 − β) cancels catastrophically for small β)."""
    one_minus_abar = (1 - abar_prev) + abar_prev * beta
    return (x_t - beta / np.sqrt(one_minus_abar) * eps) / np.sqrt(1 - beta)


def ddpm_loss(eps: np.ndarray, eps_pred: np.ndarray) -> np.ndarray:
    diff = eps - eps_pred
    return (diff * diff).sum(axis=-1)
