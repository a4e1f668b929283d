"""Section 4 · Activations: the NumPy and Torch forms on their own (dtype, batch, extremes,
no floating-point warnings, agreement with SciPy/Torch built-ins)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F

from mathcheck.numeric.numpy_forms import activations as np_forms
from mathcheck.numeric.torch_forms import activations as torch_forms

ELEMENTWISE = ["relu", "leaky_relu", "gelu", "gelu_sigmoid", "gelu_tanh", "silu", "sigmoid", "tanh"]
ROWWISE = ["softmax", "log_softmax"]
EXTREMES = np.array([-1000.0, -100.0, -40.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 40.0, 100.0, 1000.0])
X = np.concatenate([EXTREMES, np.linspace(-12, 12, 97)])


@pytest.mark.parametrize("name", ELEMENTWISE + ROWWISE)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_numpy_forms_preserve_dtype_and_raise_no_fp_warnings(name, dtype):
    x = X.astype(dtype).reshape(2, -1) if name in ROWWISE else X.astype(dtype)
    if name in ROWWISE:
        x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = getattr(np_forms, name)(x)
    assert y.dtype == np.dtype(dtype)
    assert y.shape == x.shape
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("name", ELEMENTWISE + ROWWISE)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_torch_forms_preserve_dtype_device_and_stay_finite(name, dtype, device):
    x = torch.tensor(X if name not in ROWWISE else [[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]],
                     dtype=dtype, device=device)
    y = getattr(torch_forms, name)(x)
    assert y.dtype == dtype and y.device == x.device and y.shape == x.shape
    assert torch.isfinite(y).all()


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("relu", lambda x: np.maximum(x, 0)),
        ("leaky_relu", lambda x: np.where(x > 0, x, 0.01 * x)),
        ("gelu", lambda x: x * scipy.special.ndtr(x)),
        ("sigmoid", scipy.special.expit),
        ("silu", lambda x: x * scipy.special.expit(x)),
        ("tanh", np.tanh),
    ],
)
def test_numpy_forms_match_scipy_in_float64(name, reference):
    got = getattr(np_forms, name)(X)
    np.testing.assert_allclose(got, reference(X), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("relu", F.relu),
        ("leaky_relu", F.leaky_relu),
        ("gelu", F.gelu),
        ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
        ("silu", F.silu),
        ("sigmoid", torch.sigmoid),
        ("tanh", torch.tanh),
    ],
)
def test_torch_forms_match_torch_builtins(name, builtin):
    x = torch.tensor(X, dtype=torch.float64)
    torch.testing.assert_close(getattr(torch_forms, name)(x), builtin(x), rtol=1e-14, atol=1e-15)


def test_batch_dimensions_are_supported():
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4)
    for name in ELEMENTWISE:
        assert getattr(np_forms, name)(x).shape == (2, 3, 4)
    s = np_forms.softmax(x)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-15)


def test_sigmoid_gradient_at_zero_is_a_quarter():
    """Regression: with exp(−|x|), autograd of abs() (0 at x = 0) made σ'(0) = 0."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch_forms.sigmoid(x).sum().backward()
    assert x.grad.item() == 0.25


def test_relu_gradient_at_zero_follows_the_table():
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch_forms.relu(x).sum().backward()
    assert x.grad.item() == 0.0


def test_silu_keeps_relative_accuracy_where_exp_is_subnormal():
    """x·eˣ normal while eˣ is subnormal (fp32, x ∈ [−91.8, −87.4]): no bits lost."""
    x = np.array([-88.0, -90.0, -91.5], dtype=np.float32)
    exact = x.astype(np.float64) * scipy.special.expit(x.astype(np.float64))
    np.testing.assert_allclose(np_forms.silu(x), exact, rtol=4 * 2.0**-24)


def test_gelu_tanh_does_not_overflow_its_cubic_in_float16():
    x = np.array([-1000.0, -300.0, 300.0, 1000.0], dtype=np.float16)
    with np.errstate(over="raise", invalid="raise"):
        y = np_forms.gelu_tanh(x)
    np.testing.assert_array_equal(y, np.array([0.0, 0.0, 300.0, 1000.0], dtype=np.float16))


def test_gelu_approximation_deviations_match_the_stated_figures():
    from mathcheck.numeric.checks import activations as checks
    from mathcheck.outcome import CheckContext

    ctx = CheckContext("sympy", "float64", "cpu", 0, 5)
    assert checks.gelu_sigmoid_max_deviation(ctx).status == "passed"
    assert checks.gelu_tanh_max_deviation(ctx).status == "passed"
    x = np.linspace(-6, 6, 120001)
    deviation = np.abs(np_forms.gelu_sigmoid(x) - np_forms.gelu(x))
    assert abs(deviation.max() - checks.GELU_SIGMOID_DEVIATION[0]) < 5e-6  # 4 digits
