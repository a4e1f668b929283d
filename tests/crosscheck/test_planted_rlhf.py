"""Section 13 · Alignment & RLHF: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, identity, derivative, gradient, property);
each catalog form is also run through the same claim, so a rejection means the bug was caught.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Derivative, Identity, get
from mathcheck.numeric.numpy_forms import rlhf as np_forms
from mathcheck.numeric.torch_forms import rlhf as torch_forms
from mathcheck.symbolic import Equation
from mathcheck.symbolic import rlhf as sym
from tests.crosscheck.planted import NUMPY, TORCH, only, run, statuses

# ---------------------------------------------------------------- agreement


def test_agreement_rejects_bradley_terry_with_swapped_responses():
    entry = only("rlhf.bradley_terry", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(
        entry,
        numpy=lambda r_w, r_l: np_forms.bradley_terry(r_l, r_w),
        torch=lambda r_w, r_l: torch_forms.bradley_terry(r_l, r_w),
    )
    assert statuses(results) == {"failed"}


def test_agreement_rejects_dpo_without_the_reference_model():
    """Dropping π_ref (a common shortcut) is a different loss."""
    entry = only("rlhf.dpo", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(
        entry,
        NUMPY,
        numpy=lambda logp_w, logp_l, ref_w, ref_l, beta: np_forms.dpo(
            logp_w, logp_l, 0 * ref_w, 0 * ref_l, beta=beta
        ),
    )
    assert statuses(results) == {"failed"}


def test_agreement_rejects_sft_averaged_over_all_tokens():
    entry = only("rlhf.sft", "agreement")
    results = run(entry, NUMPY, numpy=lambda z, y, mask: np_forms.sft(z, y, mask) / z.shape[-2])
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- identity / derivative


def test_identity_rejects_dpo_with_the_wrong_sign_of_the_implicit_reward():
    entry = get("rlhf.dpo")

    def wrong(**_: int) -> Equation:
        right = sym.dpo_is_bradley_terry()
        return Equation(right.lhs, right.rhs.subs(sym.beta, -sym.beta))

    results = run(dataclasses.replace(entry, claims=(Identity("planted", wrong),)))
    assert statuses(results) == {"failed"}


def test_derivative_rejects_dpo_gradient_without_the_sigmoid_weight():
    """∂L/∂log π_w = −β·σ(r̂_l − r̂_w); '−β' alone (uniform weighting) must fail."""
    entry = get("rlhf.dpo")
    wrong = Derivative(lambda form: -sym.beta + 0 * sp.Integer(1), wrt="logp_w")
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}
    assert statuses(run(only("rlhf.dpo", "derivative"))) == {"proven"}


# ---------------------------------------------------------------- gradient


def dpo_detached_reference_grad(logp_w, logp_l, ref_w, ref_l, beta=0.1):
    """The value is right; the backward treats the *policy* log-probs as constants."""
    return torch_forms.dpo(logp_w.detach(), logp_l.detach(), ref_w, ref_l, beta=beta)


def test_gradient_rejects_dpo_with_a_detached_policy():
    entry = only("rlhf.dpo", "gradient")
    assert statuses(run(entry, TORCH)) == {"passed"}
    results = run(entry, TORCH, torch=dpo_detached_reference_grad, numpy=np_forms.dpo)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- property


def test_property_rejects_ppo_with_max_instead_of_min():
    """An optimistic (max) surrogate exceeds the unclipped objective."""
    entry = only("rlhf.ppo_clip", "property")
    assert statuses(run(entry)) == {"passed"}
    results = run(
        entry,
        numpy=lambda r, A, eps: np.maximum(r * A, np.clip(r, 1 - eps, 1 + eps) * A),
        torch=lambda r, A, eps: torch.maximum(r * A, torch.clamp(r, 1 - eps, 1 + eps) * A),
    )
    assert statuses(results) == {"failed"}


def test_property_rejects_sft_that_ignores_the_mask():
    entry = only("rlhf.sft", "property")
    results = run(entry, NUMPY, numpy=lambda z, y, mask: np_forms.sft(z, y, np.ones_like(mask)))
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- check (autograd)


def test_check_rejects_ppo_clipped_symmetrically(monkeypatch):
    """Clipping the ratio without the min (clip(r)·A alone) also kills the gradient on the
    unclipped side of the range: the direction check must fail."""
    import mathcheck.numeric.torch_forms.rlhf as forms

    entry = only("rlhf.ppo_clip", "check")
    assert statuses(run(entry)) == {"passed"}
    monkeypatch.setattr(
        forms, "ppo_clip", lambda r, A, eps=0.2: torch.clamp(r, 1 - eps, 1 + eps) * A
    )
    assert statuses(run(entry)) == {"failed"}
