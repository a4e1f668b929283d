"""Section 5 · Losses: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, derivative, identity, gradient); where it
is cheap the catalog's own form is run through the same claim and must pass.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Derivative, Identity, get
from mathcheck.numeric.numpy_forms import losses as np_forms
from mathcheck.numeric.torch_forms import losses as torch_forms
from mathcheck.symbolic import Equation
from tests.crosscheck.planted import NUMPY, TORCH, only, run, statuses

# ---------------------------------------------------------------- cross-entropy


def ce_log_of_softmax_np(z, y):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return -(y * np.log(e / e.sum(axis=-1, keepdims=True))).sum(axis=-1)


def ce_log_of_softmax_torch(z, y):
    return -(y * torch.log(torch.softmax(z, dim=-1))).sum(dim=-1)


def test_agreement_rejects_cross_entropy_as_log_of_softmax():
    """Even a max-shifted softmax underflows to 0 at logit gaps of 2e4: log 0 = −∞ (and
    0·(−∞) = NaN for a zero target)."""
    entry = only("loss.cross_entropy", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=ce_log_of_softmax_np, torch=ce_log_of_softmax_torch)
    assert statuses(results) == {"failed"}


def test_derivative_rejects_y_hat_minus_y_for_unconstrained_targets():
    """ŷ − y is the gradient only for Σy = 1; stated for arbitrary y it must fail, while the
    identity that constrains y to the simplex is proven."""
    entry = get("loss.cross_entropy")
    wrong = Derivative(lambda form: _softmax(form) - form.args["y"], wrt="z", sizes={"n": 3})
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}
    assert statuses(run(only("loss.cross_entropy", "identity"))) == {"proven"}


def _softmax(form):
    e = form.args["z"].applyfunc(sp.exp)
    return e / sum(e)


def ce_backward_halved_torch(z, y):
    value = torch_forms.cross_entropy(z, y)
    return value.detach() + 0.5 * (value - value.detach())


def test_gradient_rejects_cross_entropy_backward_off_by_a_factor():
    entry = only("loss.cross_entropy", "gradient")
    results = run(entry, TORCH, torch=ce_backward_halved_torch, numpy=np_forms.cross_entropy)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- binary cross-entropy


def bce_logits_naive_np(z, y):
    s = 1 / (1 + np.exp(-z))
    return -(y * np.log(s) + (1 - y) * np.log(1 - s))


def bce_logits_naive_torch(z, y):
    s = torch.sigmoid(z)
    return -(y * torch.log(s) + (1 - y) * torch.log(1 - s))


def test_agreement_rejects_bce_through_the_probability():
    """σ(1e4) = 1 exactly, so log(1 − σ) = −∞: the with-logits form exists to avoid this."""
    entry = only("loss.bce_with_logits", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=bce_logits_naive_np, torch=bce_logits_naive_torch)
    assert statuses(results) == {"failed"}


def test_agreement_rejects_softplus_as_log_one_plus_exp():
    """log(1 + eᶻ) − yz overflows to inf at z = 1e4."""
    results = run(only("loss.bce_with_logits", "agreement"), NUMPY,
                  numpy=lambda z, y: np.log(1 + np.exp(z)) - y * z)
    assert statuses(results) == {"failed"}


def test_derivative_rejects_bce_gradient_with_the_wrong_sign():
    entry = get("loss.bce_with_logits")
    wrong = Derivative(lambda form: form.args["y"] - 1 / (1 + sp.exp(-form.args["z"])), wrt="z")
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}


def bce_backward_doubled_torch(z, y):
    value = torch_forms.bce_with_logits(z, y)
    return value.detach() + 2 * (value - value.detach())


def test_gradient_rejects_bce_backward_off_by_a_factor():
    results = run(only("loss.bce_with_logits", "gradient"), TORCH,
                  torch=bce_backward_doubled_torch, numpy=np_forms.bce_with_logits)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- focal, regression


def focal_linear_gamma_torch(z, y, alpha, gamma):
    """γ used as a factor instead of an exponent."""
    log_pt = (y * torch.log_softmax(z, dim=-1)).sum(dim=-1)
    return -alpha * gamma * (-torch.expm1(log_pt)) * log_pt


def test_agreement_rejects_focal_with_gamma_as_a_factor():
    results = run(only("loss.focal", "agreement"), TORCH, torch=focal_linear_gamma_torch)
    assert statuses(results) == {"failed"}


def test_identity_rejects_focal_equal_to_ce_at_gamma_one():
    """At γ = 1 the focal factor (1 − ŷ_t) remains: it is not the cross-entropy."""
    from mathcheck.symbolic import losses as sym

    def build(n: int = 3) -> Equation:
        zs, ys = sym.vector("z", n), sym.vector("y", n)
        return Equation(sym._focal(zs, ys, sp.Integer(1), sp.Integer(1)), sym._ce(zs, ys))

    entry = dataclasses.replace(get("loss.focal"),
                                claims=(Identity("γ = 1 gives CE (wrong)", build),))
    assert statuses(run(entry)) == {"failed"}


def test_agreement_rejects_mse_summed_instead_of_averaged():
    results = run(only("loss.mse", "agreement"), NUMPY,
                  numpy=lambda y, y_hat: np.square(y - y_hat).sum(axis=-1))
    assert statuses(results) == {"failed"}


def huber_without_offset_np(y, y_hat, delta):
    a = np.abs(y - y_hat)
    return np.where(a <= delta, 0.5 * a * a, delta * a)


def test_agreement_rejects_huber_without_its_half_delta_squared_offset():
    """δ|r| without −½δ² jumps by ½δ² at the seam: the continuity the identity proves."""
    entry = only("loss.huber", "agreement")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, NUMPY, numpy=huber_without_offset_np)) == {"failed"}


def test_identity_rejects_a_discontinuous_huber():
    r = sp.Symbol("r", real=True)
    delta = sp.Symbol("delta", positive=True)

    def build() -> Equation:
        return Equation((r**2 / 2).subs(r, delta), (delta * sp.Abs(r)).subs(r, delta))

    entry = dataclasses.replace(get("loss.huber"),
                                claims=(Identity("continuous (wrong pieces)", build),))
    assert statuses(run(entry)) == {"failed"}


def test_gradient_rejects_mae_with_the_mse_gradient():
    """A straight-through MAE whose backward is that of ½·MSE."""
    def mae_with_mse_backward(y, y_hat):
        value = torch_forms.mae(y, y_hat)
        surrogate = 0.5 * torch_forms.mse(y, y_hat)
        return value.detach() + (surrogate - surrogate.detach())

    results = run(only("loss.mae", "gradient", "gradient (ŷ > y)"), TORCH,
                  torch=mae_with_mse_backward, numpy=np_forms.mae)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- contrastive, triplet


def infonce_keeping_self_similarity_np(a, b, tau):
    """The denominator over all k, including k = i (a common slip)."""
    n = a.shape[-2]
    z = np.concatenate([a, b], axis=-2)
    z = z / np.linalg.norm(z, axis=-1, keepdims=True)
    sim = (z @ np.swapaxes(z, -1, -2)) / tau
    index = np.arange(2 * n)
    lse = np.log(np.exp(sim).sum(axis=-1))
    return (lse - sim[..., index, (index + n) % (2 * n)]).mean(axis=-1)


def test_agreement_rejects_infonce_with_self_similarity_in_the_denominator():
    results = run(only("loss.infonce", "agreement"), NUMPY,
                  numpy=infonce_keeping_self_similarity_np)
    assert statuses(results) == {"failed"}


def test_agreement_rejects_triplet_with_unsquared_distances():
    """PyTorch's TripletMarginLoss convention is a different loss from the cheatsheet's."""
    def unsquared(anchor, positive, negative, margin):
        d_pos = np.linalg.norm(anchor - positive, axis=-1)
        d_neg = np.linalg.norm(anchor - negative, axis=-1)
        return np.maximum(d_pos - d_neg + margin, 0)

    entry = only("loss.triplet", "agreement")
    assert statuses(run(entry, NUMPY)) == {"passed"}
    assert statuses(run(entry, NUMPY, numpy=unsquared)) == {"failed"}
