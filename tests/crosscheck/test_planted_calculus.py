"""Section 2 · Calculus: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, derivative, identity, gradient, property,
check); each test also runs the catalog's own form through the same claim, so a rejection
means the bug was caught, not that the claim can never pass.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.numeric.checks import calculus as checks
from mathcheck.symbolic import Equation
from mathcheck.symbolic import calculus as sym
from tests.crosscheck.planted import NUMPY, only, run, statuses

# ---------------------------------------------------------------- agreement


def test_agreement_rejects_log_of_one_plus_square():
    """log(1 + x²) instead of log1p: 1 + 1e-12 keeps 4 digits of x², so tiny x is wrong."""
    entry = only("calc.chain_rule", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=lambda x: np.log(1 + x * x), torch=lambda x: torch.log(1 + x * x))
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- derivative


def test_derivative_rejects_a_wrong_stated_derivative():
    """tanh′ stated as 1 − tanh (a common slip) is not SymPy's derivative."""
    entry = only("calc.d_tanh", "derivative")
    assert statuses(run(entry)) == {"proven"}
    (claim,) = entry.claims
    wrong = dataclasses.replace(claim, expected=lambda form: 1 - form.expr)
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}


# ---------------------------------------------------------------- identity


def test_identity_rejects_a_hessian_missing_a_term():
    """The hand-written Hessian without the +200 of ∂²/∂x_i² (i > 0) is not SymPy's."""
    entry = only("calc.hessian", "identity", "closed form")
    assert statuses(run(entry)) == {"proven"}

    def wrong(n: int = 3) -> Equation:
        stated = sym.hessian_stated(n)
        for i in range(1, n):
            stated[i, i] -= 200
        return Equation(sym.hessian(n).expr, stated)

    (claim,) = entry.claims
    planted = dataclasses.replace(entry, claims=(dataclasses.replace(claim, build=wrong),))
    assert statuses(run(planted)) == {"failed"}


def test_identity_rejects_a_wrong_chain_rule():
    """(f∘g)′ = f′(x)·g′(x) is false for undefined f, g."""
    entry = only("calc.chain_rule", "identity")
    assert statuses(run(entry)) == {"proven"}
    x = sym.x
    f, g = sp.Function("f"), sp.Function("g")

    def wrong() -> Equation:
        return Equation(sp.diff(f(g(x)), x), sp.diff(f(x), x) * sp.diff(g(x), x))

    (claim,) = entry.claims
    planted = dataclasses.replace(entry, claims=(dataclasses.replace(claim, build=wrong),))
    assert statuses(run(planted)) <= {"failed", "error"} and statuses(run(planted))


# ---------------------------------------------------------------- gradient


class _ExpWithWrongBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * 1.001  # a hand-written backward off by 0.1 %


def test_gradient_rejects_a_wrong_backward():
    entry = only("calc.d_exp", "gradient")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, torch=_ExpWithWrongBackward.apply)) == {"failed"}


# ---------------------------------------------------------------- property


def _asymmetric_hessian_np(x):
    from mathcheck.numeric.numpy_forms.calculus import hessian

    H = hessian(x).copy()
    H[..., 0, 1] *= 1.0 + 2.0**-10  # ∂²f/∂x₀∂x₁ and ∂²f/∂x₁∂x₀ computed differently
    return H


def test_property_rejects_an_asymmetric_hessian():
    entry = only("calc.hessian", "property")
    assert statuses(run(entry, NUMPY)) == {"passed"}
    results = run(entry, NUMPY, numpy=_asymmetric_hessian_np)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- checks


def test_check_rejects_a_misclassified_critical_point(monkeypatch):
    entry = only("calc.hessian", "check", "critical points classified (exact)")
    assert statuses(run(entry)) == {"confirmed"}
    wrong = tuple((name, text, {p: "minimum" for p in kinds})  # "every critical point a minimum"
                  for name, text, kinds in checks.EXAMPLES)
    monkeypatch.setattr(checks, "EXAMPLES", wrong)
    assert statuses(run(entry)) == {"failed"}
    numeric = only("calc.hessian", "check", "critical points classified (autograd)")
    assert statuses(run(numeric)) == {"failed"}


def test_check_rejects_a_wrong_closed_form_hessian(monkeypatch):
    from mathcheck.numeric.torch_forms import calculus as torch_forms

    entry = only("calc.hessian", "check", "autograd Hessian = closed form = differences")
    assert statuses(run(entry)) == {"passed"}
    original = torch_forms.hessian
    monkeypatch.setattr(torch_forms, "hessian", lambda x: original(x) * (1 + 1e-9))
    assert statuses(run(entry)) == {"failed"}
