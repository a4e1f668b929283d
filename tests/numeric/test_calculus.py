"""Section 2 · Calculus: the NumPy and Torch forms on their own (dtype, batch, no warnings,
agreement with the built-ins and with autograd), and the section's custom checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mathcheck.numeric.checks import calculus as checks
from mathcheck.numeric.numpy_forms import calculus as np_forms
from mathcheck.numeric.torch_forms import calculus as torch_forms
from mathcheck.outcome import CheckContext

ELEMENTWISE = ["exp", "log", "sigmoid", "tanh", "chain_rule", "product_rule", "sum_rule"]
X = np.array([1e-4, 1e-3, 0.5, 1.0, 3.0, 9.0, 40.0, 200.0, 700.0])
CTX = CheckContext("torch", "float64", "cpu", seed=0, examples=8)


def _inputs(name: str, dtype: str) -> np.ndarray:
    x = X if name in ("log", "product_rule", "sum_rule") else np.concatenate([-X, [0.0], X])
    return x.astype(dtype)


@pytest.mark.parametrize("name", [*ELEMENTWISE, "power"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_numpy_forms_preserve_dtype_and_raise_no_fp_warnings(name, dtype):
    x = _inputs(name, dtype)
    params = {"n": 2.5} if name == "power" else {}
    if name == "power":
        x = np.abs(x)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        y = getattr(np_forms, name)(x, **params)
    assert y.dtype == np.dtype(dtype) and y.shape == x.shape
    assert not np.isnan(y).any()


@pytest.mark.parametrize("name", [*ELEMENTWISE, "power"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_torch_forms_preserve_dtype_and_device(name, dtype, device):
    x = torch.tensor(_inputs(name, "float64"), dtype=dtype, device=device)
    params = {"n": 2.5} if name == "power" else {}
    if name == "power":
        x = x.abs()
    y = getattr(torch_forms, name)(x, **params)
    assert y.dtype == dtype and y.device == x.device and y.shape == x.shape


def test_tanh_form_is_within_its_five_ulp_budget():
    x = np.linspace(-20, 20, 40001).astype(np.float32)
    exact = np.tanh(x.astype(np.float64))  # fp64 is exact enough for an fp32 error
    for got in (np_forms.tanh(x), torch_forms.tanh(torch.as_tensor(x)).numpy()):
        spacing = np.spacing(np.maximum(np.abs(exact), 1e-30).astype(np.float32))
        assert (np.abs(got.astype(np.float64) - exact) / spacing).max() <= 5


def test_tanh_autograd_is_relatively_accurate_where_torch_tanh_is_not():
    """The reason the form is not torch.tanh: 1 − y² from a rounded y loses digits."""
    x = torch.tensor([3.0, 9.0, -9.0], dtype=torch.float32, requires_grad=True)
    exact = torch.tensor([4 * math.exp(-2 * abs(v)) / (1 + math.exp(-2 * abs(v))) ** 2
                          for v in (3.0, 9.0, -9.0)], dtype=torch.float64)
    (ours,) = torch.autograd.grad(torch_forms.tanh(x).sum(), x)
    (builtin,) = torch.autograd.grad(torch.tanh(x).sum(), x)
    assert ((ours.double() - exact).abs() / exact).max() < 4 * 2**-24 * 2
    assert ((builtin.double() - exact).abs() / exact).max() > 0.4  # half of the digits gone


def test_tanh_gradient_at_zero_is_one():
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch_forms.tanh(x).sum().backward()
    assert x.grad.item() == 1.0


def test_rosenbrock_forms_agree_with_autograd_and_each_other():
    x = torch.tensor([[0.3, -1.2, 1.7], [1.0, 1.0, 1.0]], dtype=torch.float64)
    xn = x.numpy()
    np.testing.assert_allclose(np_forms.gradient(xn), torch_forms.gradient(x).numpy())
    assert np_forms.gradient(np.ones((1, 4)))[0] == 0.0  # the minimum
    xg = x.clone().requires_grad_(True)
    (auto,) = torch.autograd.grad(torch_forms.gradient(xg).sum(), xg)
    np.testing.assert_allclose(auto.numpy(), np_forms.gradient_closed_form(xn), rtol=1e-13)
    H = np_forms.hessian(xn)
    np.testing.assert_allclose(H, torch_forms.hessian(x).numpy())
    assert H.shape == (2, 3, 3) and np.array_equal(H, np.swapaxes(H, -1, -2))
    assert np.all(np.linalg.eigvalsh(H[1]) > 0)  # positive definite at the minimum (1, 1, 1)


def test_layer_form_matches_torch_tanh_linear():
    g = torch.Generator().manual_seed(0)
    shapes = ((2, 3, 4), (2, 4), (2, 3))
    W, x, b = (torch.randn(s, generator=g, dtype=torch.float64) for s in shapes)
    expected = torch.tanh(torch.einsum("bij,bj->bi", W, x) + b)
    torch.testing.assert_close(torch_forms.jacobian(W, x, b), expected)
    np.testing.assert_allclose(np_forms.jacobian(W.numpy(), x.numpy(), b.numpy()),
                               expected.numpy(), rtol=1e-14)


@pytest.mark.parametrize("name", ["autograd_chain", "autograd_product", "autograd_sum",
                                  "full_jacobian", "full_hessian", "critical_points_numeric",
                                  "steepest_ascent"])
def test_numeric_checks_pass(name):
    assert getattr(checks, name)(CTX).status == "passed"


def test_critical_points_are_classified_exactly_but_not_called_proven():
    outcome = checks.critical_points_symbolic(CTX)
    assert outcome.status == "confirmed", outcome.detail


def test_symmetric_property_is_zero_for_the_hessian():
    from mathcheck.numeric._backend import backend

    bk = backend("numpy", "float32")
    args = {"x": bk.asarray(np.array([[0.5, -1.0, 2.0]]))}
    assert checks.symmetric(np_forms.hessian, args, bk) == 0.0
