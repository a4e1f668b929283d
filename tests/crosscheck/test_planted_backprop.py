"""Section 14 · Backpropagation: deliberately wrong implementations the engine must reject
(agreement, identity, gradient); the catalog's forms pass the same claims."""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Identity, get
from mathcheck.numeric.numpy_forms import backprop as np_forms
from mathcheck.numeric.torch_forms import backprop as torch_forms
from mathcheck.symbolic import Equation
from mathcheck.symbolic import backprop as sym
from tests.crosscheck.planted import NUMPY, TORCH, only, run, statuses


def delta_with_sigmoid_derivative_np(W, delta_next, z):
    """σ′ of the wrong activation: σ(z)(1 − σ(z)) where the layer uses tanh."""
    s = 1 / (1 + np.exp(-z))
    return np.einsum("...mn,...m->...n", W, delta_next) * s * (1 - s)


def test_agreement_rejects_delta_with_the_wrong_activation_derivative():
    entry = only("bp.delta", "agreement")
    assert statuses(run(entry, NUMPY)) == {"passed"}
    assert statuses(run(entry, NUMPY, numpy=delta_with_sigmoid_derivative_np)) == {"failed"}


def test_agreement_rejects_weight_grad_with_a_half():
    """½δaᵀ: the ½ of ½‖·‖² applied twice."""
    entry = only("bp.weight_grad", "agreement")
    results = run(
        entry, TORCH, torch=lambda delta, a_prev: 0.5 * torch_forms.weight_grad(delta, a_prev)
    )
    assert statuses(results) == {"failed"}


def test_agreement_rejects_he_variance_from_fan_out_plus_fan_in():
    entry = only("init.he", "agreement")
    assert statuses(run(entry, NUMPY, numpy=lambda n_in: 1 / n_in)) == {"failed"}


def test_identity_rejects_delta_without_the_activation_derivative():
    entry = get("bp.delta")

    def wrong(m: int = 3, n: int = 2) -> Equation:
        form = sym.delta(m, n)
        W, d = form.args["W"], form.args["delta_next"]
        return Equation(sym.delta_from_chain_rule(m, n).lhs, W.T * d)

    results = run(
        dataclasses.replace(entry, claims=(Identity("planted", wrong, sizes={"m": 3, "n": 2}),))
    )
    assert statuses(results) == {"failed"}


def test_identity_rejects_he_with_the_full_gaussian_second_moment():
    """E[z²] instead of E[ReLU(z)²] (forgetting ReLU zeroes half) gives 1/n_in, not 2/n_in."""
    entry = get("init.he")

    def wrong(**_: int) -> Equation:
        s = sp.Symbol("s", positive=True)
        return Equation(sym.n_in * sym.he().expr * s**2, s**2)

    assert statuses(run(dataclasses.replace(entry, claims=(Identity("planted", wrong),)))) == {
        "failed"
    }


def delta_detached_torch(W, delta_next, z):
    return torch_forms.delta(W, delta_next.detach(), z)


def test_gradient_rejects_delta_with_a_detached_upstream_error():
    entry = only("bp.delta", "gradient")
    results = run(entry, TORCH, torch=delta_detached_torch, numpy=np_forms.delta)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- check (autograd comparison)


def test_check_rejects_delta_recursion_without_the_activation_derivative(monkeypatch):
    """The random-MLP check runs the catalog's torch δ for tanh layers: plant one without σ′."""
    import mathcheck.numeric.torch_forms.backprop as forms

    entry = only("bp.delta", "check")
    assert statuses(run(entry)) == {"passed"}
    monkeypatch.setattr(
        forms, "delta", lambda W, delta_next, z: torch.einsum("...mn,...m->...n", W, delta_next)
    )
    assert statuses(run(entry)) == {"failed"}
