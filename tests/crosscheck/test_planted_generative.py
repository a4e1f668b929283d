"""Section 12 · Generative models: deliberately wrong implementations the engine must reject."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from mathcheck.formulas import Derivative, get
from mathcheck.numeric.numpy_forms import generative as np_forms
from mathcheck.numeric.torch_forms import generative as torch_forms
from tests.crosscheck.planted import only, run, statuses


def reparam_variance_np(mu, sigma, eps):
    return mu + sigma * sigma * eps


def reparam_variance_torch(mu, sigma, eps):
    return mu + sigma * sigma * eps


def test_agreement_and_gradient_reject_reparameterisation_with_variance():
    """z = μ + σ²ε: wrong values, and ∂z/∂σ = 2σε instead of ε."""
    for kind in ("agreement", "gradient"):
        entry = only("vae.reparameterization", kind)
        assert statuses(run(entry)) == {"passed"}, kind
        results = run(entry, numpy=reparam_variance_np, torch=reparam_variance_torch)
        assert statuses(results) == {"failed"}, kind


def test_derivative_rejects_a_wrong_stated_derivative():
    """∂z/∂σ stated as 2σε (what the σ² bug would have) is not SymPy's ε."""
    entry = get("vae.reparameterization")
    wrong = dataclasses.replace(entry, claims=(
        Derivative(lambda form: 2 * form.args["sigma"] * form.args["eps"], wrt="sigma"),))
    assert statuses(run(wrong)) == {"failed"}


def marginal_with_beta_np(x0, eps, betas):
    """Uses the last β_t where ᾱ_t belongs (one step instead of the composed t steps)."""
    beta = betas[..., -1:]
    return np.sqrt(1 - beta) * x0 + np.sqrt(beta) * eps


def marginal_with_beta_torch(x0, eps, betas):
    beta = betas[..., -1:]
    return torch.sqrt(1 - beta) * x0 + torch.sqrt(beta) * eps


def test_agreement_rejects_ddpm_marginal_with_beta_for_alpha_bar():
    entry = only("ddpm.marginal", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=marginal_with_beta_np, torch=marginal_with_beta_torch)
    assert statuses(results) == {"failed"}


def elbo_plus_kl_np(x, W, b, m, logv, s):
    """The KL term added instead of subtracted."""
    kl = 0.5 * (np.exp(logv) + m * m - 1 - logv).sum(axis=-1)
    return np_forms.elbo(x, W, b, m, logv, s) + 2 * kl


def elbo_plus_kl_torch(x, W, b, m, logv, s):
    kl = 0.5 * (torch.exp(logv) + m * m - 1 - logv).sum(dim=-1)
    return torch_forms.elbo(x, W, b, m, logv, s) + 2 * kl


def test_property_rejects_elbo_above_the_evidence():
    """+KL lifts the 'bound' above log p(x) wherever q ≠ p(z)."""
    entry = only("vae.elbo", "property", "ELBO ≤ log p(x) (known evidence N(b, WWᵀ + s²I))")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=elbo_plus_kl_np, torch=elbo_plus_kl_torch)
    assert statuses(results) == {"failed"}


def discriminator_swapped(p_data, p_g):
    return p_g / (p_data + p_g)


def test_agreement_rejects_swapped_optimal_discriminator():
    entry = only("gan.optimal_discriminator", "agreement")
    results = run(entry, numpy=discriminator_swapped, torch=discriminator_swapped)
    assert statuses(results) == {"failed"}
