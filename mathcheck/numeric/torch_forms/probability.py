"""Section 3 · Probability & statistics in Torch: device-agnostic, dtype-preserving, no host
round-trips; the same algorithms as the NumPy forms (two-pass moments, Cholesky)."""

from __future__ import annotations

import math

import torch

LOG_2PI = math.log(2 * math.pi)
SQRT_2PI = math.sqrt(2 * math.pi)


def addition_rule(p: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """P(A) + P(B) − P(A∩B) over outcomes with probabilities p and 0/1 indicators a, b."""
    return (p * a).sum(-1) + (p * b).sum(-1) - (p * (a * b)).sum(-1)


def multiplication_rule(px: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
    """P(X=i, Y=j) = P(X=i)·P(Y=j | X=i)."""
    return px.unsqueeze(-1) * cond


def bayes(prior: torch.Tensor, likelihood: torch.Tensor) -> torch.Tensor:
    """Posterior ∝ prior × likelihood/max(likelihood), normalised by the total probability."""
    w = prior * (likelihood / likelihood.amax(dim=-1, keepdim=True))
    return w / w.sum(dim=-1, keepdim=True)


def bernoulli(x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """p if x = 1 else 1 − p."""
    return torch.where(x > 0.5, p, 1 - p)


def categorical(p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """p_k for the class k that the one-hot x picks."""
    return (p * x).sum(-1)


def gaussian(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """N(x; μ, σ²) via the standardised t = (x − μ)/σ."""
    t = (x - mu) / sigma
    return torch.exp(-0.5 * (t * t)) / (sigma * SQRT_2PI)


def multivariate_gaussian(x: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """log N(x; μ, Σ) through Σ = LLᵀ (cholesky_ex: NaN, not an exception, where Σ is not
    positive definite). Half precision is factorised in fp32 and rounded once at the end."""
    work = torch.promote_types(x.dtype, torch.float32)
    d = (x.to(work) - mu.to(work)).unsqueeze(-1)
    L, info = torch.linalg.cholesky_ex(sigma.to(work))
    z = torch.linalg.solve_triangular(L, d, upper=False).squeeze(-1)
    maha = (z * z).sum(-1)
    logdet = 2 * torch.log(torch.diagonal(L, dim1=-2, dim2=-1)).sum(-1)
    out = -0.5 * (maha + logdet + d.shape[-2] * LOG_2PI)
    return torch.where(info == 0, out, torch.full_like(out, float("nan"))).to(x.dtype)


def _moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and biased variance, corrected two-pass (see the NumPy form)."""
    m = x.mean(-1, keepdim=True)
    m = torch.minimum(torch.maximum(m, x.amin(-1, keepdim=True)), x.amax(-1, keepdim=True))
    d = x - m
    return m.squeeze(-1), (d * d).mean(-1) - d.mean(-1) ** 2


def mle(x: torch.Tensor) -> torch.Tensor:
    """Gaussian MLE (μ̂, σ̂²) = (sample mean, biased sample variance) over the last axis."""
    m, v = _moments(x)
    return torch.stack([m, v], dim=-1)


def map_estimate(x: torch.Tensor, sigma: float, tau: float) -> torch.Tensor:
    """MAP of a Gaussian mean under a N(0, τ²) prior: Σx / (n + σ²/τ²)."""
    return x.sum(-1) / (x.shape[-1] + (sigma / tau) ** 2)


def map_laplace(x: torch.Tensor, sigma: float, b: float) -> torch.Tensor:
    """MAP under a Laplace(0, b) prior: x̄ soft-thresholded at σ²/(nb)."""
    m = x.mean(-1)
    return torch.sign(m) * torch.clamp(m.abs() - sigma**2 / (x.shape[-1] * b), min=0)


def expectation(x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """E[X] = Σ x_i p_i."""
    return (x * p).sum(-1)


def variance(x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Var X under weights p (normalised by Σp), corrected two-pass."""
    total = p.sum(-1, keepdim=True)
    m = (p * x).sum(-1, keepdim=True) / total
    m = torch.minimum(torch.maximum(m, x.amin(-1, keepdim=True)), x.amax(-1, keepdim=True))
    d = x - m
    w = p / total
    return (w * (d * d)).sum(-1) - (w * d).sum(-1) ** 2


def covariance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """E[(X − μ_X)(Y − μ_Y)] over the last axis, corrected two-pass."""
    dx = x - x.mean(-1, keepdim=True)
    dy = y - y.mean(-1, keepdim=True)
    return (dx * dy).mean(-1) - dx.mean(-1) * dy.mean(-1)


def _unit_deviations(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Deviations scaled to max |d| = 1 (x first scaled, exactly, by the power of two nearest
    max |x|) and Σd (see NumPy)."""
    _, exponent = torch.frexp(x.abs().amax(-1, keepdim=True))
    # torch.ldexp multiplies by 2**e, which overflows for subnormal data: two exact halves
    first = torch.div(-exponent, 2, rounding_mode="floor")
    x = torch.ldexp(torch.ldexp(x, first.to(x.dtype)), (-exponent - first).to(x.dtype))
    d = x - x.mean(-1, keepdim=True)
    d = d / d.abs().amax(-1, keepdim=True)
    return d, d.sum(-1)


def correlation(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ρ from unit-range deviations with corrected two-pass sums, clamped to [−1, 1]; NaN
    when a sample is constant."""
    n = x.shape[-1]
    dx, sx = _unit_deviations(x)
    dy, sy = _unit_deviations(y)
    sxy = (dx * dy).sum(-1) - sx * sy / n
    sxx = (dx * dx).sum(-1) - sx * sx / n
    syy = (dy * dy).sum(-1) - sy * sy / n
    return (sxy / torch.sqrt(sxx * syy)).clamp(-1, 1)
