"""Section 4 · Activations: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, derivative, gradient, property); each
test also runs the catalog's own form through the same claim, so a rejection means the bug
was caught, not that the claim can never pass.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Derivative, get
from mathcheck.numeric.numpy_forms import activations as np_forms
from mathcheck.numeric.torch_forms import activations as torch_forms
from tests.crosscheck.planted import NUMPY, TORCH, only, run, statuses

# ---------------------------------------------------------------- agreement


def softmax_without_max_np(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_without_max_torch(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def test_agreement_rejects_softmax_without_max_subtraction():
    """exp(1e4) overflows: inf/inf = NaN where the exact softmax is one-hot."""
    entry = only("act.softmax", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=softmax_without_max_np, torch=softmax_without_max_torch)
    assert statuses(results) == {"failed"}


def sigmoid_exp_ratio_np(x):
    e = np.exp(x)
    return e / (1 + e)


def sigmoid_exp_ratio_torch(x):
    e = torch.exp(x)
    return e / (1 + e)


def test_agreement_rejects_sigmoid_that_overflows_at_1000():
    """eˣ/(1 + eˣ) is inf/inf = NaN at x = 1000 (the lead-in to the stable branch form)."""
    results = run(only("act.sigmoid", "agreement"), numpy=sigmoid_exp_ratio_np,
                  torch=sigmoid_exp_ratio_torch)
    assert statuses(results) == {"failed"}


def test_agreement_rejects_the_sigmoid_approximation_as_exact_gelu():
    """x·σ(1.702x) is off by up to 0.02: far outside any ulp budget for exact GELU."""
    results = run(only("act.gelu", "agreement"), numpy=np_forms.gelu_sigmoid,
                  torch=torch_forms.gelu_sigmoid)
    assert statuses(results) == {"failed"}


def gelu_tanh_wrong_constant_torch(x):
    return 0.5 * x * (1 + torch.tanh(0.8 * (x + 0.044715 * x**3)))


def test_agreement_rejects_gelu_tanh_with_a_rounded_constant():
    """√(2/π) = 0.79788… rounded to 0.8 moves the curve by ~1e-3."""
    entry = only("act.gelu_tanh", "agreement")
    results = run(entry, TORCH, torch=gelu_tanh_wrong_constant_torch)
    assert statuses(results) == {"failed"}


def leaky_relu_max_form_np(x, alpha):
    return np.maximum(alpha * x, x)


def test_agreement_rejects_leaky_relu_with_a_swapped_slope():
    """max(x, αx) with α > 1 (a slope of 1/α passed where α was meant) is wrong for x < 0."""
    entry = only("act.leaky_relu", "agreement")
    results = run(entry, NUMPY, numpy=lambda x, alpha: leaky_relu_max_form_np(x, 1 / alpha))
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- derivative


def test_derivative_rejects_sigmoid_derivative_off_by_a_factor():
    entry = get("act.sigmoid")
    wrong = Derivative(lambda form: 2 * form.expr * (1 - form.expr), wrt="x")
    results = run(dataclasses.replace(entry, claims=(wrong,)))
    assert statuses(results) == {"failed"}
    assert statuses(run(only("act.sigmoid", "derivative"))) == {"proven"}


def test_derivative_rejects_silu_derivative_missing_its_product_term():
    """d/dx xσ(x) = σ(x) + xσ(x)(1 − σ(x)); stating σ(x) alone must fail."""
    entry = get("act.silu")
    x = sp.Symbol("x", real=True)
    wrong = Derivative(lambda form: 1 / (1 + sp.exp(-x)), wrt="x")
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}


# ---------------------------------------------------------------- gradient


def sigmoid_backward_doubled_torch(x):
    """The right value, a backward pass twice too large (straight-through trick)."""
    s = torch_forms.sigmoid(x)
    return s.detach() + 2 * (s - s.detach())


def test_gradient_rejects_sigmoid_backward_off_by_a_factor():
    entry = only("act.sigmoid", "gradient")
    assert statuses(run(entry, TORCH)) == {"passed"}
    results = run(entry, TORCH, torch=sigmoid_backward_doubled_torch, numpy=np_forms.sigmoid)
    assert statuses(results) == {"failed"}


def relu_backward_leaks_torch(x):
    """ReLU whose backward lets 1 % through for x < 0 (a leaky backward on a plain ReLU)."""
    y = torch_forms.relu(x)
    leak = 0.01 * x
    return y + (leak - leak.detach())


def test_gradient_rejects_relu_with_a_leaky_backward():
    entry = only("act.relu", "gradient", "gradient (x < 0)")
    results = run(entry, TORCH, torch=relu_backward_leaks_torch, numpy=np_forms.relu)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- property


def test_property_rejects_tanh_that_overshoots():
    """A rational approximation that exceeds 1 for large |x| leaves tanh's range."""
    entry = only("act.tanh", "property")
    results = run(entry, NUMPY, numpy=lambda x: x * (27 + x * x) / (27 + 9 * x * x) * 1.001)
    assert statuses(results) == {"failed"}
