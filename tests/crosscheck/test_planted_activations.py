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
from scipy import special

from mathcheck.formulas import Derivative, Identity, get
from mathcheck.numeric.numpy_forms import activations as np_forms
from mathcheck.numeric.torch_forms import activations as torch_forms
from mathcheck.symbolic import Equation
from tests.crosscheck.planted import FAST, NUMPY, TORCH, only, run, statuses

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


# ------------------------------------------------- softplus, log-sigmoid, erf (all claim kinds)

X = sp.Symbol("x", real=True)
SQRT2 = 1.4142135623730951


def rejects(entry, options=FAST, **planted) -> None:
    """The catalog's form passes (or proves) the claims; the planted one fails every check."""
    assert statuses(run(entry, options)) <= {"passed", "proven"}
    assert statuses(run(entry, options, **planted)) == {"failed"}


def with_claim(entry_id: str, claim) -> object:
    return dataclasses.replace(get(entry_id), claims=(claim,), kinks=())


def softplus_naive_np(x):
    return np.log(1 + np.exp(x))


def softplus_naive_torch(x):
    return torch.log(1 + torch.exp(x))


def test_agreement_rejects_naive_softplus():
    """log(1 + eˣ): eˣ overflows for x > 88.7 (fp32), so ∞ where softplus is x; and
    1 + eˣ rounds to 1 for x ≪ 0, so 0 where softplus is eˣ."""
    rejects(only("act.softplus", "agreement"), numpy=softplus_naive_np,
            torch=softplus_naive_torch)


def test_agreement_rejects_torch_threshold_softplus_in_fp64():
    """PyTorch's threshold convention (x itself for x > 20) is ~6·10⁵ ulp off in fp64: the
    entry's variant, not the formula."""
    fp64 = dataclasses.replace(TORCH, dtypes=("float64",))
    rejects(only("act.softplus", "agreement"), fp64, torch=torch_forms.softplus_threshold)


def test_agreement_rejects_log_of_sigmoid():
    """log(σ(x)) is −∞ once σ(x) underflows (x < −103.3 in fp32) and 0 once it rounds to 1."""
    rejects(only("act.log_sigmoid", "agreement"),
            numpy=lambda x: np.log(np_forms.sigmoid(x)),
            torch=lambda x: torch.log(torch_forms.sigmoid(x)))


def test_agreement_rejects_log_sigmoid_as_x_minus_softplus():
    """x − softplus(x) = log σ(x) exactly, but cancels for x ≫ 0 (and is ∞ − ∞ at x = ∞)."""
    rejects(only("act.log_sigmoid", "agreement"),
            numpy=lambda x: x - np_forms.softplus(x), torch=lambda x: x - torch_forms.softplus(x))


def test_agreement_rejects_erf_with_a_rounded_sqrt2():
    """erf(x) = 2Φ(√2·x) − 1 with √2 rounded to 1.414: off by ~1.5·10⁻⁴ relative."""
    rejects(only("act.erf", "agreement"), numpy=lambda x: 2 * special.ndtr(1.414 * x) - 1,
            torch=lambda x: 2 * torch.special.ndtr(1.414 * x) - 1)


def test_agreement_rejects_erf_through_the_normal_cdf():
    """2Φ(√2·x) − 1 with the right constant still cancels for |x| ≪ 1 (0 at x = 1e-8)."""
    rejects(only("act.erf", "agreement"), numpy=lambda x: 2 * special.ndtr(SQRT2 * x) - 1,
            torch=lambda x: 2 * torch.special.ndtr(SQRT2 * x) - 1)


def sigma(t):
    return 1 / (1 + sp.exp(-t))


def test_derivative_rejects_wrong_stated_derivatives():
    """softplus' = σ(−x) (a sign slip), log-sigmoid' = σ(x) (softplus' instead), and erf'
    with the normal density's exponent e^{−x²/2}."""
    wrong = {
        "act.softplus": lambda form: sigma(-X),
        "act.log_sigmoid": lambda form: sigma(X),
        "act.erf": lambda form: 2 / sp.sqrt(sp.pi) * sp.exp(-(X**2) / 2),
    }
    for entry_id, stated in wrong.items():
        assert statuses(run(only(entry_id, "derivative"))) == {"proven"}
        assert statuses(run(with_claim(entry_id, Derivative(stated, wrt="x")))) == {"failed"}


def test_identity_rejects_wrong_identities():
    """A stable softplus missing its |x|, log σ(x) = −softplus(x), and erf called even."""
    softplus = sp.log(1 + sp.exp(X))
    wrong = {
        "act.softplus": lambda: Equation(softplus, sp.Max(X, 0) + sp.log(1 + sp.exp(-X))),
        "act.log_sigmoid": lambda: Equation(sp.log(sigma(X)), -softplus),
        "act.erf": lambda: Equation(sp.erf(-X), sp.erf(X)),
    }
    for entry_id, build in wrong.items():
        assert statuses(run(only(entry_id, "identity"))) == {"proven"}
        assert statuses(run(with_claim(entry_id, Identity("planted", build)))) == {"failed"}


def softplus_abs_clamp_torch(x):
    """The right values; autograd of clamp_min and abs at 0 gives 1 + 0, not σ(0) = ½."""
    return torch.clamp_min(x, 0) + torch.log1p(torch.exp(-torch.abs(x)))


def log_sigmoid_abs_clamp_torch(x):
    return torch.clamp_max(x, 0) - torch.log1p(torch.exp(-torch.abs(x)))


def erf_gaussian_backward_torch(x):
    """erf's value, the backward of √2·erf(x/√2): (2/√π)e^{−x²/2} (straight-through trick)."""
    wide = SQRT2 * torch.special.erf(x / SQRT2)
    return torch.special.erf(x).detach() + (wide - wide.detach())


def test_gradient_rejects_wrong_backward_passes():
    """abs()/clamp make the gradient at the tie x = 0 (an extreme every run includes) 1;
    the erf backward with e^{−x²/2} is wrong for every x ≠ 0."""
    planted = {
        "act.softplus": (softplus_abs_clamp_torch, np_forms.softplus),
        "act.log_sigmoid": (log_sigmoid_abs_clamp_torch, np_forms.log_sigmoid),
        "act.erf": (erf_gaussian_backward_torch, np_forms.erf),
    }
    for entry_id, (torch_fn, numpy_fn) in planted.items():
        rejects(only(entry_id, "gradient"), TORCH, torch=torch_fn, numpy=numpy_fn)


def test_property_rejects_clipped_softplus_and_shifted_softplus():
    """Clipping x to ±20 before exp breaks softplus(x) − softplus(−x) = x at |x| > 20;
    SchNet's shifted softplus (softplus − log 2) goes negative for x < 0."""
    clipped = lambda x: np.log1p(np.exp(np.clip(x, -20, 20)))  # noqa: E731
    rejects(only("act.softplus", "property", "softplus(x) − softplus(−x) = x"), NUMPY,
            numpy=clipped)
    shifted = lambda x: np_forms.softplus(x) - np.log(2).astype(x.dtype)  # noqa: E731
    rejects(only("act.softplus", "property", "softplus ≥ 0"), NUMPY, numpy=shifted)


def test_property_rejects_log_sigmoid_with_its_sign_dropped():
    """softplus(−x) = −log σ(x) (the BCE loss) is positive."""
    rejects(only("act.log_sigmoid", "property"), NUMPY, numpy=lambda x: np_forms.softplus(-x))


def test_property_rejects_erf_without_its_sign_and_a_truncated_series():
    """erf(|x|) is even; (2/√π)(x − x³/3), the series cut after two terms, leaves [−1, 1]."""
    rejects(only("act.erf", "property", "odd"), NUMPY,
            numpy=lambda x: np_forms.erf(np.abs(x)))
    series = lambda x: (1.1283791670955126 * (x - x**3 / 3)).astype(x.dtype)  # noqa: E731
    rejects(only("act.erf", "property", "range [−1, 1]"), NUMPY, numpy=series)
