"""Section 7 · Normalization: deliberately wrong implementations the engine must reject."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
import torch

from mathcheck.formulas import Derivative, get
from mathcheck.numeric.numpy_forms import normalization as np_forms
from tests.crosscheck.planted import FP32, failed_everywhere, only, run


def rms_norm_with_mean_np(x, gamma, *, eps):
    d = x - x.mean(axis=-1, keepdims=True)
    return gamma * d / np.sqrt((d * d).mean(axis=-1, keepdims=True) + eps)


def rms_norm_with_mean_torch(x, gamma, *, eps):
    d = x - x.mean(dim=-1, keepdim=True)
    return gamma * d / torch.sqrt((d * d).mean(dim=-1, keepdim=True) + eps)


def test_agreement_rejects_rms_norm_with_mean_subtraction():
    results = run(only("norm.rms_norm", "agreement"), FP32,
                  numpy=rms_norm_with_mean_np, torch=rms_norm_with_mean_torch)
    assert failed_everywhere(results)


def layer_norm_unbiased_np(x, gamma, beta, *, eps):
    d = x - x.mean(axis=-1, keepdims=True)
    return gamma * d / np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + eps) + beta


def layer_norm_unbiased_torch(x, gamma, beta, *, eps):
    d = x - x.mean(dim=-1, keepdim=True)
    return gamma * d / torch.sqrt(x.var(dim=-1, unbiased=True, keepdim=True) + eps) + beta


@pytest.mark.filterwarnings("ignore")  # n = 1 divides by n − 1 = 0: part of the bug
def test_agreement_rejects_layer_norm_with_unbiased_variance():
    results = run(only("norm.layer_norm", "agreement"), FP32,
                  numpy=layer_norm_unbiased_np, torch=layer_norm_unbiased_torch)
    assert failed_everywhere(results)


@pytest.mark.filterwarnings("ignore")
def test_property_rejects_layer_norm_with_unbiased_variance():
    claim = "pre-affine mean 0, variance σ²/(σ² + ε)"
    results = run(only("norm.layer_norm", "property", claim),
                  dataclasses.replace(FP32, backends=("numpy",)),
                  numpy=layer_norm_unbiased_np)
    assert failed_everywhere(results)


def layer_norm_eps_outside_np(x, gamma, beta, *, eps):
    d = x - x.mean(axis=-1, keepdims=True)
    return gamma * d / (np.sqrt((d * d).mean(axis=-1, keepdims=True)) + eps) + beta


def test_scale_property_rejects_eps_outside_the_square_root():
    results = run(only("norm.layer_norm", "property", "scale invariant (ε scaled by a²)"),
                  dataclasses.replace(FP32, backends=("numpy",)),
                  numpy=layer_norm_eps_outside_np)
    assert failed_everywhere(results)


def batch_norm_over_features_np(x, gamma, beta, *, eps):
    return np_forms.layer_norm(x, gamma[..., None, :], beta[..., None, :], eps=eps)


def test_agreement_rejects_batch_norm_over_the_wrong_axis():
    results = run(only("norm.batch_norm", "agreement"),
                  dataclasses.replace(FP32, backends=("numpy",)),
                  numpy=batch_norm_over_features_np)
    assert failed_everywhere(results)


def layer_norm_detached_stats_torch(x, gamma, beta, *, eps):
    """The classic backward bug: statistics treated as constants."""
    mu = x.mean(dim=-1, keepdim=True).detach()
    var = x.var(dim=-1, unbiased=False, keepdim=True).detach()
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def test_gradient_rejects_layer_norm_with_detached_statistics():
    results = run(only("norm.layer_norm", "gradient"), FP32,
                  torch=layer_norm_detached_stats_torch)
    assert failed_everywhere(results)


def test_derivative_rejects_a_jacobian_without_the_variance_term():
    from mathcheck.symbolic.normalization import _normalize

    def stated(form):
        x, gamma = form.args["x"], form.args["gamma"]
        n = x.shape[0]
        _, s = _normalize(x)
        return sp.Matrix(n, n, lambda i, j: gamma[i] / s
                         * (sp.KroneckerDelta(i, j) - sp.Rational(1, n)))

    claim = Derivative(stated, wrt="x", sizes={"n": 3})
    entry = dataclasses.replace(get("norm.layer_norm"), claims=(claim,))
    (result,) = run(entry, FP32)
    assert result.status == "failed"
