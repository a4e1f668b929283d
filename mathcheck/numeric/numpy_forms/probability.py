"""Section 3 · Probability & statistics in NumPy: vectorised over leading batch dimensions,
dtype-preserving, and written for accuracy (two-pass moments, Cholesky log-densities)."""

from __future__ import annotations

import math

import numpy as np

LOG_2PI = math.log(2 * math.pi)
SQRT_2PI = math.sqrt(2 * math.pi)


def addition_rule(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(A) + P(B) − P(A∩B) over outcomes with probabilities p and 0/1 indicators a, b."""
    pa = np.sum(p * a, axis=-1)
    pb = np.sum(p * b, axis=-1)
    pab = np.sum(p * (a * b), axis=-1)
    return pa + pb - pab


def multiplication_rule(px: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """P(X=i, Y=j) = P(X=i)·P(Y=j | X=i)."""
    return px[..., :, None] * cond


def bayes(prior: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Posterior ∝ prior × likelihood, normalised by the total probability.

    The likelihood is first divided by its maximum (Bayes is invariant to that), so tiny
    densities (1e-30 in fp32) do not underflow the products.
    """
    r = likelihood / np.max(likelihood, axis=-1, keepdims=True)
    w = prior * r
    return w / np.sum(w, axis=-1, keepdims=True)


def bernoulli(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """p if x = 1 else 1 − p (exactly the pmf, with no 0⁰ and no power)."""
    return np.where(x > 0.5, p, 1 - p).astype(p.dtype, copy=False)


def categorical(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """p_k for the class k that the one-hot x picks."""
    return np.sum(p * x, axis=-1)


def gaussian(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """N(x; μ, σ²) via the standardised t = (x − μ)/σ (no σ² that could overflow)."""
    t = (x - mu) / sigma
    return np.exp(-0.5 * (t * t)) / (sigma * SQRT_2PI)


def _working(dtype: np.dtype) -> np.dtype:
    """LAPACK has no half precision: fp16 is factorised in fp32 and the result rounded once."""
    return np.result_type(dtype, np.float32)


def multivariate_gaussian(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """log N(x; μ, Σ) through Σ = LLᵀ: log det Σ = 2Σ log L_ii, (x−μ)ᵀΣ⁻¹(x−μ) = ‖L⁻¹(x−μ)‖².

    Never forms Σ⁻¹ or det Σ (which under/overflows for scaled Σ and loses accuracy as Σ
    nears singularity). A Σ that is not positive definite (after rounding) gives NaN.
    """
    work = _working(x.dtype)
    S = np.asarray(sigma, dtype=work)
    d = np.asarray(x, dtype=work) - np.asarray(mu, dtype=work)
    n = d.shape[-1]
    try:
        L = np.linalg.cholesky(S)
        bad = np.zeros(S.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:
        bad = ~np.all(np.linalg.eigvalsh(S) > 0, axis=-1)
        L = np.linalg.cholesky(np.where(bad[..., None, None], np.eye(n, dtype=work), S))
    z = np.linalg.solve(L, d[..., None])[..., 0]
    maha = np.sum(z * z, axis=-1)
    logdet = 2 * np.sum(np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
    out = np.where(bad, np.nan, -0.5 * (maha + logdet + n * LOG_2PI))
    with np.errstate(over="ignore"):  # beyond fp16's range the right answer is −inf
        return out.astype(x.dtype)


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased variance by the corrected two-pass algorithm: the correction term
    removes the error of the first-pass mean, so a large common offset costs nothing."""
    m = np.mean(x, axis=-1, keepdims=True)
    m = np.clip(m, np.min(x, axis=-1, keepdims=True), np.max(x, axis=-1, keepdims=True))
    d = x - m
    v = np.mean(d * d, axis=-1) - np.mean(d, axis=-1) ** 2
    return m[..., 0], v


def mle(x: np.ndarray) -> np.ndarray:
    """Gaussian MLE (μ̂, σ̂²) = (sample mean, biased sample variance) over the last axis."""
    m, v = _moments(x)
    return np.stack([m, v], axis=-1)


def map_estimate(x: np.ndarray, sigma: float, tau: float) -> np.ndarray:
    """MAP of a Gaussian mean under a N(0, τ²) prior: Σx / (n + σ²/τ²) (ridge shrinkage)."""
    n = x.shape[-1]
    return np.sum(x, axis=-1) / np.asarray(n + (sigma / tau) ** 2, dtype=x.dtype)


def map_laplace(x: np.ndarray, sigma: float, b: float) -> np.ndarray:
    """MAP under a Laplace(0, b) prior: x̄ soft-thresholded at σ²/(nb) (the lasso solution)."""
    n = x.shape[-1]
    m = np.mean(x, axis=-1)
    return np.sign(m) * np.maximum(np.abs(m) - np.asarray(sigma**2 / (n * b), dtype=x.dtype), 0)


def expectation(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """E[X] = Σ x_i p_i."""
    return np.sum(x * p, axis=-1)


def variance(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Var X under weights p (normalised by Σp), corrected two-pass: no E[X²] − (EX)²
    cancellation, exact 0 for constant x, unaffected by a large offset."""
    total = np.sum(p, axis=-1, keepdims=True)
    m = np.sum(p * x, axis=-1, keepdims=True) / total
    m = np.clip(m, np.min(x, axis=-1, keepdims=True), np.max(x, axis=-1, keepdims=True))
    d = x - m
    w = p / total
    return np.sum(w * (d * d), axis=-1) - np.sum(w * d, axis=-1) ** 2


def covariance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E[(X − μ_X)(Y − μ_Y)] over the last axis, corrected two-pass."""
    dx = x - np.mean(x, axis=-1, keepdims=True)
    dy = y - np.mean(y, axis=-1, keepdims=True)
    return np.mean(dx * dy, axis=-1) - np.mean(dx, axis=-1) * np.mean(dy, axis=-1)


def _unit_deviations(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deviations from the mean, scaled to max |d| = 1, and their sum Σd (≈ 0; kept for the
    two-pass correction). x is first scaled by the power of two nearest max |x|, so subnormal
    data keeps its digits: exact, where dividing by max |x| itself would round every x_i by u
    relative, an error of u·|x| that a large common offset turns into n·u·max|x|/σ of ρ."""
    _, exponent = np.frexp(np.max(np.abs(x), axis=-1, keepdims=True))
    x = np.ldexp(x, -exponent)
    d = x - np.mean(x, axis=-1, keepdims=True)
    d = d / np.max(np.abs(d), axis=-1, keepdims=True)
    return d, np.sum(d, axis=-1)


def correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ρ = Cov/(σ_X σ_Y), scale-free, so each sample is first scaled to unit range (no
    overflow or underflow in fp16), with the corrected two-pass sums S_xy − S_x S_y / n (the
    first-pass mean's error cancels) and clamped to [−1, 1], which rounding could otherwise
    leave by an ulp. NaN when a sample is constant (σ = 0)."""
    n = x.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        dx, sx = _unit_deviations(x)
        dy, sy = _unit_deviations(y)
        sxy = np.sum(dx * dy, axis=-1) - sx * sy / n
        sxx = np.sum(dx * dx, axis=-1) - sx * sx / n
        syy = np.sum(dy * dy, axis=-1) - sy * sy / n
        rho = sxy / np.sqrt(sxx * syy)
    return np.clip(rho, -1, 1)
