"""Section 14 · Backpropagation: forms against autograd and closed forms; the checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mathcheck.numeric.checks import backprop as checks
from mathcheck.numeric.numpy_forms import backprop as np_forms
from mathcheck.numeric.torch_forms import backprop as torch_forms
from mathcheck.outcome import CheckContext

CTX = CheckContext("torch", "float64", "cpu", 0, 20)
RNG = np.random.default_rng(1)


def test_delta_matches_autograd_for_one_tanh_layer():
    W = torch.from_numpy(RNG.normal(size=(3, 4)))
    z = torch.from_numpy(RNG.normal(size=4)).requires_grad_(True)
    d_next = torch.from_numpy(RNG.normal(size=3))
    (auto,) = torch.autograd.grad(d_next @ (W @ torch.tanh(z)), z)
    ours = torch_forms.delta(W, d_next, z.detach())
    torch.testing.assert_close(ours, auto, rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        np_forms.delta(W.numpy(), d_next.numpy(), z.detach().numpy()), auto.numpy(), rtol=1e-14
    )


def test_tanh_derivative_is_accurate_in_the_tails():
    z = np.array([20.0, -30.0])
    exact = 4 * np.exp(-2 * np.abs(z))  # sech² to ~1e-17 relative here
    np.testing.assert_allclose(np_forms.delta(np.eye(2), np.ones(2), z), exact, rtol=1e-14)


def test_weight_and_bias_grad_shapes_and_values():
    d, a = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 4))
    out = np_forms.weight_grad(d, a)
    assert out.shape == (5, 3, 4)
    np.testing.assert_array_equal(out[2], np.outer(d[2], a[2]))
    np.testing.assert_array_equal(
        torch_forms.weight_grad(torch.from_numpy(d), torch.from_numpy(a)).numpy(), out
    )
    dt = torch.from_numpy(d)
    assert torch_forms.bias_grad(dt) is not dt and torch.equal(torch_forms.bias_grad(dt), dt)


def test_gradient_product_numpy_equals_torch():
    W, z = RNG.normal(size=(2, 4, 3, 3)), RNG.normal(size=(2, 4, 3))
    np.testing.assert_allclose(
        np_forms.gradient_product(W, z),
        torch_forms.gradient_product(torch.from_numpy(W), torch.from_numpy(z)).numpy(),
        rtol=1e-13,
    )


def test_init_variances():
    assert np_forms.xavier(np.float64(256), np.float64(128)) == 2 / 384
    assert float(torch_forms.he(torch.tensor(512.0))) == 2 / 512


@pytest.mark.parametrize(
    "name",
    [
        "delta_vs_autograd",
        "weight_grad_vs_autograd",
        "bias_grad_vs_autograd",
        "gradient_product_vs_autograd",
        "vanishing_exploding",
        "xavier_vs_torch",
        "he_vs_torch",
        "he_through_depth",
    ],
)
def test_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status == "passed", outcome.detail


def test_variance_z_flags_a_wrong_variance():
    """The statistical test has power: 10 % too much variance at N = 32768 is |z| ≫ 3.89."""
    w = torch.randn(128, 256, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert abs(checks._variance_z(w * 1.05, 1.0, 3.0)) > 3.89 * 3
