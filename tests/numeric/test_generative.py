"""Section 12 · Generative models: the forms against direct formulas and torch built-ins."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mathcheck.formulas import get
from mathcheck.numeric.checks import generative as checks
from mathcheck.numeric.numpy_forms import generative as npf
from mathcheck.numeric.torch_forms import generative as tf

RNG = np.random.default_rng(0)


def test_observation_scale_matches_the_catalog():
    assert get("vae.elbo").domain.params["s"] == checks.OBSERVATION_SCALE


def test_elbo_is_tight_at_the_posterior_and_below_elsewhere():
    x, w, b, s = np.array([0.3, -1.2]), np.array([[0.8], [-0.4]]), np.array([0.1, 0.2]), 0.5
    log_px = checks._log_evidence(x, w, b, s)
    norm2 = float((w**2).sum())
    v_star = s * s / (s * s + norm2)
    m_star = float(w[:, 0] @ (x - b)) / (s * s + norm2)
    at_post = npf.elbo(x, w, b, np.array([m_star]), np.array([math.log(v_star)]), s=s)
    assert at_post == pytest.approx(log_px, rel=1e-14)
    elsewhere = npf.elbo(x, w, b, np.array([m_star + 0.3]), np.array([0.0]), s=s)
    assert elsewhere < log_px
    torch_value = tf.elbo(*(torch.from_numpy(v) for v in (x, w, b, np.array([m_star]),
                                                          np.array([math.log(v_star)]))), s=s)
    assert float(torch_value) == pytest.approx(log_px, rel=1e-14)


def test_gan_minimax_is_stable_when_the_discriminator_saturates():
    real, fake = np.array([1000.0, -1000.0]), np.array([-1000.0, 1000.0])
    value = npf.gan_minimax(real, fake)
    assert value == pytest.approx(-(0 + 1000) / 2 - (0 + 1000) / 2)
    t = tf.gan_minimax(torch.tensor(real), torch.tensor(fake))
    assert float(t) == pytest.approx(float(value))
    logits = torch.tensor([0.0, 25.0, -25.0], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(tf.softplus(logits).sum(), logits)
    torch.testing.assert_close(grad, torch.sigmoid(logits.detach()), rtol=1e-15, atol=0)


def test_optimal_discriminator_and_equilibrium():
    assert npf.optimal_discriminator(np.array(3.0), np.array(1.0)) == 0.75
    p = RNG.dirichlet(np.ones(6))
    assert npf.gan_equilibrium(p, p) == pytest.approx(-math.log(4), rel=1e-15)
    q = RNG.dirichlet(np.ones(6))
    mix = (p + q) / 2
    jsd = 0.5 * (p * np.log(p / mix)).sum() + 0.5 * (q * np.log(q / mix)).sum()
    assert npf.gan_equilibrium(p, q) == pytest.approx(-math.log(4) + 2 * jsd, rel=1e-14)
    disjoint = npf.gan_equilibrium(np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    assert disjoint == 0.0


def test_ddpm_marginal_is_one_forward_step_for_t_1_and_composes():
    x0, eps, beta = np.array([1.5, -0.5]), np.array([0.3, 2.0]), np.array([0.02])
    np.testing.assert_allclose(npf.ddpm_marginal(x0, eps, beta),
                               npf.ddpm_forward(x0, eps, beta[0]), rtol=1e-15)
    betas = np.linspace(1e-4, 0.02, 1000)
    abar = np.prod(1 - betas)
    np.testing.assert_allclose(npf.ddpm_marginal(x0, np.zeros(2), betas), math.sqrt(abar) * x0,
                               rtol=1e-12)
    np.testing.assert_allclose(npf.ddpm_marginal(np.zeros(2), np.ones(2), betas),
                               math.sqrt(1 - abar), rtol=1e-12)
    t = tf.ddpm_marginal(*(torch.from_numpy(v) for v in (x0, eps, betas)))
    np.testing.assert_allclose(t.numpy(), npf.ddpm_marginal(x0, eps, betas), rtol=1e-14)


def test_ddpm_reverse_recovers_the_posterior_mean():
    """With the true ε, μ_θ equals the x₀-form of the posterior mean μ̃(x_t, x₀)."""
    x0, eps, beta, abar_prev = 0.7, -1.1, 0.05, 0.6
    abar = abar_prev * (1 - beta)
    x_t = math.sqrt(abar) * x0 + math.sqrt(1 - abar) * eps
    mu_tilde = (math.sqrt(abar_prev) * beta / (1 - abar) * x0
                + math.sqrt(1 - beta) * (1 - abar_prev) / (1 - abar) * x_t)
    got = npf.ddpm_reverse(np.array(x_t), np.array(eps), np.array(beta), np.array(abar_prev))
    assert float(got) == pytest.approx(mu_tilde, rel=1e-14)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_torch_forms_preserve_dtype(dtype):
    x = torch.rand(3, 4, dtype=torch.float64).to(dtype)
    beta = torch.full((3, 4), 0.1, dtype=torch.float64).to(dtype)
    assert tf.ddpm_forward(x, x, beta).dtype == dtype
    assert tf.ddpm_marginal(x, x, beta).dtype == dtype
    assert tf.ddpm_reverse(x, x, beta, x).dtype == dtype
    assert tf.ddpm_loss(x, x).dtype == dtype
    assert tf.gan_minimax(x, x).dtype == dtype
    assert tf.gan_equilibrium(x, x).dtype == dtype
    assert tf.reparameterization(x, x, x).dtype == dtype
