"""Section 12 · Generative models: properties and statistical checks.

Statistical checks use a fixed seed (from the context) and accept a deviation of at most
Z = 5 standard errors per compared quantity: a false alarm rate below 6e-7 each, so below
1e-5 for every check here together; a real formula error (σ² for σ, β for ᾱ) moves the
compared quantities by hundreds of standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._compare import eps_apart, within
from mathcheck.numeric.checks._context import torch_rng
from mathcheck.numeric.checks._properties import Args, Form, componentwise
from mathcheck.outcome import CheckContext, Outcome

# The shared properties, under the names this section's entries use.
in_unit_interval = _properties.in_unit_interval
non_positive = _properties.non_positive

Z = 5.0
#: The observation noise s of the linear-Gaussian VAE; must equal vae.elbo's domain params.
OBSERVATION_SCALE = 0.5


def _np(backend: Backend, args: Mapping[str, Any], *names: str) -> list[np.ndarray]:
    return [backend.to_numpy(args[n]) for n in names]


def reparameterization_error_bound(f: Form, args: Args, backend: Backend) -> float:
    """Signed μ and ε cancel, so bound componentwise: |fl(μ + σε) − (μ + σε)| ≤ u|σε| +
    u(|μ| + |σε|)(1 + u) ≤ eps·(|μ| + |σε|). Reference in extended precision."""
    mu, sigma, eps = (v.astype(np.longdouble) for v in _np(backend, args, "mu", "sigma", "eps"))
    exact = mu + sigma * eps
    got = backend.to_numpy(f(**args))
    return componentwise(got, exact, np.abs(mu) + np.abs(sigma * eps), backend, 4)


def forward_error_bound(f: Form, args: Args, backend: Backend) -> float:
    """|fl(√(1−β)x + √β ε) − exact| ≤ 2·eps·(|√(1−β)x| + |√β ε|): 1 − β, two square roots,
    two products and one sum, each ≤ ½ ulp, the roots halving their argument's error."""
    x, eps, beta = (v.astype(np.longdouble) for v in _np(backend, args, "x_prev", "eps", "beta"))
    a, c = np.sqrt(1 - beta) * x, np.sqrt(beta) * eps
    return componentwise(backend.to_numpy(f(**args)), a + c, np.abs(a) + np.abs(c), backend, 4)


def _log_evidence(x: np.ndarray, w: np.ndarray, b: np.ndarray, s: float) -> np.ndarray:
    """log N(x; b, WWᵀ + s²I) per batch row, in fp64."""
    cov = w @ np.swapaxes(w, -1, -2) + s * s * np.eye(x.shape[-1])
    r = x - b
    _, logdet = np.linalg.slogdet(cov)
    quad = (r * np.linalg.solve(cov, r[..., None])[..., 0]).sum(axis=-1)
    return -0.5 * (x.shape[-1] * math.log(2 * math.pi) + logdet + quad)


def elbo_below_evidence(f: Form, args: Args, backend: Backend) -> float:
    """ELBO(q) ≤ log p(x) for every q: how far above log p(x) the form's ELBO goes, in eps of
    max(|log p(x)|, 1)."""
    x, w, b = _np(backend, args, "x", "W", "b")
    log_px = _log_evidence(x, w, b, OBSERVATION_SCALE)
    got = backend.to_numpy(f(**args))
    if np.isnan(got).any():
        return float("inf")
    excess = np.maximum(got - log_px, 0.0) / np.maximum(np.abs(log_px), 1.0)
    return float(np.max(excess)) / backend.eps


def elbo_tight_at_posterior(f: Form, args: Args, backend: Backend) -> float:
    """With one latent (k = 1) the exact posterior is Gaussian: N(m*, v*), v* = s²/(s² + ‖w‖²),
    m* = wᵀ(x − b)/(s² + ‖w‖²). There the ELBO equals log p(x); in eps of max(|log p|, 1)."""
    x, w, b = _np(backend, args, "x", "W", "b")
    w = w[..., :1]  # the first latent column only
    s2 = OBSERVATION_SCALE**2
    norm2 = (w[..., 0] ** 2).sum(axis=-1)
    v_star = s2 / (s2 + norm2)
    m_star = (w[..., 0] * (x - b)).sum(axis=-1) / (s2 + norm2)
    inputs = {"x": x, "W": w, "b": b, "m": m_star[..., None], "logv": np.log(v_star)[..., None]}
    # Round the posterior to the dtype first: the comparison is at what the form receives.
    arrays = {k: backend.asarray(v) for k, v in inputs.items()}
    rounded = {k: backend.to_numpy(v) for k, v in arrays.items()}
    got = backend.to_numpy(f(**arrays))
    exact_at_rounded = _elbo64(rounded)
    log_px = _log_evidence(rounded["x"], rounded["W"], rounded["b"], OBSERVATION_SCALE)
    # the rounded q is slightly off the posterior: the gap it opens is second order in u
    if eps_apart(exact_at_rounded, log_px, 1.0, elementwise=True, eps=backend.eps) > 64:
        return float("inf")
    return eps_apart(got, log_px, 1.0, elementwise=True, eps=backend.eps)


def _elbo64(a: Mapping[str, np.ndarray]) -> np.ndarray:
    from mathcheck.numeric.numpy_forms.generative import elbo

    return elbo(**{k: v.astype(np.float64) for k, v in a.items()}, s=OBSERVATION_SCALE)


def equilibrium_value(f: Form, args: Args, backend: Backend) -> float:
    """C(p, p) = −log 4·Σp (= −log 4 on the simplex; Σp of the rounded p is used so that the
    input's rounding does not count against the form), relative, in eps."""
    p = backend.to_numpy(args["p"])
    target = -math.log(4) * p.sum(axis=-1)
    got = backend.to_numpy(f(p=args["p"], q=args["p"]))
    return eps_apart(got, target, elementwise=True, eps=backend.eps)


def equilibrium_is_minimum(f: Form, args: Args, backend: Backend) -> float:
    """C(p, q) ≥ −log 2·(Σp + Σq) (= −log 4): how far below, in eps (log-sum inequality)."""
    p, q = _np(backend, args, "p", "q")
    floor = -math.log(2) * (p.sum(axis=-1) + q.sum(axis=-1))
    got = backend.to_numpy(f(**args))
    if np.isnan(got).any():
        return float("inf")
    return float(np.max(np.maximum(floor - got, 0.0))) / backend.eps


# --------------------------------------------------------------------------- checks


def _within(name: str, estimate: float, truth: float, se: float) -> tuple[bool, str]:
    z = abs(estimate - truth) / se
    return z <= Z, f"{name}: {estimate:.5g} vs {truth:.5g} ({z:.2f} SE)"


def _report(results: list[tuple[bool, str]], what: str) -> Outcome:
    worst = max(float(r[1].rsplit("(", 1)[1].split()[0]) for r in results)
    failed = [text for ok, text in results if not ok]
    detail = "; ".join(failed) if failed else f"{what}; worst {worst:.2f} SE"
    return Outcome.verdict(not failed, detail, worst, Z, "SE")


def reparameterization_gradients(ctx: CheckContext) -> Outcome:
    """z = μ + σε with 200 000 draws of ε (fp64, seeded): z has mean μ and variance σ², and
    autograd through the form gives ∇_{μ,σ} E[f(z)] equal to the analytic gradients for
    f(z) = z² (2μ, 2σ) and f(z) = sin z (cos μ·e^{−σ²/2}, −σ sin μ·e^{−σ²/2}); 5 SE each."""
    import torch

    from mathcheck.numeric.torch_forms.generative import reparameterization

    gen = torch_rng(ctx)
    n = 200_000
    eps = torch.randn(n, generator=gen, dtype=torch.float64)
    mu0, sigma0 = 0.7, 1.3
    damp = math.exp(-(sigma0**2) / 2)
    cases = {
        "z²": (lambda z: z * z, 2 * mu0, 2 * sigma0),
        "sin z": (torch.sin, math.cos(mu0) * damp, -sigma0 * math.sin(mu0) * damp),
    }
    results = []
    mu = torch.tensor(mu0, dtype=torch.float64, requires_grad=True)
    sigma = torch.tensor(sigma0, dtype=torch.float64, requires_grad=True)
    z = reparameterization(mu, sigma, eps)
    zd = z.detach()
    results.append(_within("mean z", float(zd.mean()), mu0, sigma0 / math.sqrt(n)))
    results.append(_within("var z", float(zd.var()), sigma0**2,
                           sigma0**2 * math.sqrt(2 / (n - 1))))
    for name, (fn, g_mu, g_sigma) in cases.items():
        per_sample = fn(z)
        d_mu, d_sigma = torch.autograd.grad(per_sample.mean(), (mu, sigma), retain_graph=True)
        # per-sample pathwise gradients f'(z)·1 and f'(z)·ε give the standard errors
        zz = zd.clone().requires_grad_(True)
        (fprime,) = torch.autograd.grad(fn(zz).sum(), zz)
        se_mu = float(fprime.std()) / math.sqrt(n)
        se_sigma = float((fprime * eps).std()) / math.sqrt(n)
        results.append(_within(f"∂μ E[{name}]", float(d_mu), g_mu, se_mu))
        results.append(_within(f"∂σ E[{name}]", float(d_sigma), g_sigma, se_sigma))
    return _report(results, "moments and 4 gradients match")


def forward_step_moments(ctx: CheckContext) -> Outcome:
    """One step of ddpm.forward from x_{t−1} = 1.5 with β = 0.1, 400 000 draws: mean √0.9·1.5
    and variance 0.1 (5 SE)."""
    import torch

    from mathcheck.numeric.torch_forms.generative import ddpm_forward

    gen = torch_rng(ctx)
    n, x, beta = 400_000, 1.5, 0.1
    eps = torch.randn(n, generator=gen, dtype=torch.float64)
    xt = ddpm_forward(torch.full((n,), x, dtype=torch.float64), eps,
                      torch.full((n,), beta, dtype=torch.float64))
    return _report([
        _within("mean", float(xt.mean()), math.sqrt(1 - beta) * x, math.sqrt(beta / n)),
        _within("var", float(xt.var()), beta, beta * math.sqrt(2 / (n - 1))),
    ], "q(x_t | x_{t−1}) moments match")


def many_steps_match_marginal(ctx: CheckContext) -> Outcome:
    """T = 200 steps of ddpm.forward (linear β from 1e-4 to 0.05: the DDPM schedule's shape,
    compressed so ᾱ_T ≈ 0.007 is reached in 200 steps) on 5000 chains for each of
    x₀ ∈ {−1, 0.5, 2}: the mean and variance of x_t match ddpm.marginal's √ᾱ_t x₀ and
    1 − ᾱ_t (5 SE each) at t = 10, 50 and 200."""
    import torch

    from mathcheck.numeric.torch_forms.generative import ddpm_forward, ddpm_marginal

    gen = torch_rng(ctx)
    chains, steps = 5000, 200
    betas = torch.linspace(1e-4, 0.05, steps, dtype=torch.float64)
    x0 = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)[:, None].expand(3, chains)
    x = x0.clone()
    results = []
    for t in range(steps):
        eps = torch.randn(3, chains, generator=gen, dtype=torch.float64)
        x = ddpm_forward(x, eps, betas[t])
        if t + 1 in (10, 50, steps):
            sched = betas[: t + 1]
            mean = ddpm_marginal(x0[:, :1], torch.zeros(3, 1, dtype=torch.float64),
                                 sched.expand(3, t + 1))[:, 0]
            sd = ddpm_marginal(torch.zeros(1, 1, dtype=torch.float64),
                               torch.ones(1, 1, dtype=torch.float64), sched[None])[0, 0]
            for i in range(3):
                results.append(_within(f"t={t + 1} x₀={float(x0[i, 0]):g} mean",
                                       float(x[i].mean()), float(mean[i]),
                                       float(sd) / math.sqrt(chains)))
                results.append(_within(f"t={t + 1} x₀={float(x0[i, 0]):g} var",
                                       float(x[i].var()), float(sd) ** 2,
                                       float(sd) ** 2 * math.sqrt(2 / (chains - 1))))
    return _report(results, "18 moments match after 10, 50 and 200 steps")


def minimax_matches_bce(ctx: CheckContext) -> Outcome:
    """V = −(BCE(D(x), 1) + BCE(D(G(z)), 0)) with torch's binary_cross_entropy_with_logits,
    within 8 eps of fp64 relative (both are softplus sums)."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.generative import gan_minimax

    gen = torch_rng(ctx)
    real = torch.randn(64, 32, generator=gen, dtype=torch.float64) * 5
    fake = torch.randn(64, 32, generator=gen, dtype=torch.float64) * 5
    ours = gan_minimax(real, fake)
    bce = -(F.binary_cross_entropy_with_logits(real, torch.ones_like(real), reduction="none")
            .mean(-1) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake),
                                                             reduction="none").mean(-1))
    err = eps_apart(ours, bce, elementwise=True)
    return within(err, 8, f"64 batches of 32: within {err:.2g} eps of BCE-with-logits")


def loss_matches_mse(ctx: CheckContext) -> Outcome:
    """ddpm.loss = F.mse_loss(ε̂, ε, reduction="sum") per sample (same squares, same sum)."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.generative import ddpm_loss

    gen = torch_rng(ctx)
    eps = torch.randn(16, 3 * 8 * 8, generator=gen, dtype=torch.float64)
    pred = eps + 0.3 * torch.randn(16, 3 * 8 * 8, generator=gen, dtype=torch.float64)
    ours = ddpm_loss(eps, pred)
    ref = torch.stack([F.mse_loss(pred[i], eps[i], reduction="sum") for i in range(16)])
    err = eps_apart(ours, ref, elementwise=True)
    return within(err, 8 * 192 ** 0.5, f"16 samples of 192 values: within {err:.2g} eps")
