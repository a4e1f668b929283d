"""Section 10 · Information theory: deliberately wrong implementations the engine must reject.

Each test runs one claim: first with the catalog's form (it passes, so the claim can pass),
then with the planted bug (it fails).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.crosscheck import RunOptions
from mathcheck.formulas import Identity, get
from mathcheck.numeric.numpy_forms import information as np_forms
from mathcheck.numeric.torch_forms import information as torch_forms
from mathcheck.symbolic import Equation, vector
from tests.crosscheck.planted import only, run, statuses


def kl_swapped_np(p, q):
    return np_forms.kl(q, p)


def kl_swapped_torch(p, q):
    return torch_forms.kl(q, p)


def test_agreement_rejects_kl_with_arguments_swapped():
    entry = only("info.kl", "agreement")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, numpy=kl_swapped_np, torch=kl_swapped_torch)) == {"failed"}


def test_asymmetric_example_rejects_kl_with_arguments_swapped():
    """KL(½,½‖15/16,1/16) = 0.725 but KL(15/16,1/16‖½,½) = 0.459: caught in every dtype."""
    label = "asymmetric: KL(½,½‖15/16,1/16) ≠ KL(15/16,1/16‖½,½)"
    entry = only("info.kl", "property", label)
    every_dtype = RunOptions(examples=5, devices=("cpu",))
    assert statuses(run(entry, every_dtype)) == {"passed"}
    results = run(entry, every_dtype, numpy=kl_swapped_np, torch=kl_swapped_torch)
    assert statuses(results) == {"failed"}


def entropy_naive_np(p):
    return -(p * np.log(p)).sum(axis=-1)


def entropy_naive_torch(p):
    return -(p * torch.log(p)).sum(dim=-1)


def test_property_rejects_entropy_without_zero_log_zero():
    """p·log p at p = 0 is 0·(−∞) = NaN."""
    entry = only("info.entropy", "property", "0·log 0 = 0")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=entropy_naive_np, torch=entropy_naive_torch)
    assert statuses(results) == {"failed"}


def entropy_detached_torch(p):
    """Right values, wrong backward: the p in front of log p is detached (−1/… missing)."""
    return -(p.detach() * torch.log(p)).sum(dim=-1)


def test_gradient_rejects_entropy_with_a_detached_factor():
    entry = only("info.entropy", "gradient")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, torch=entropy_detached_torch)) == {"failed"}


def decomposition_with_entropy_of_q(n: int = 3) -> Equation:
    """The wrong decomposition H(p,q) = H(q) + KL(p‖q)."""
    p, q = vector("p", n, positive=True), vector("q", n, positive=True)
    ce = -sum(pi * sp.log(qi) for pi, qi in zip(p, q, strict=True))
    h_q = -sum(qi * sp.log(qi) for qi in q)
    kl = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    return Equation(ce, h_q + kl)


def test_identity_rejects_decomposition_with_the_wrong_entropy():
    entry = get("info.ce_decomposition")
    wrong = dataclasses.replace(entry, claims=(
        Identity("H(p,q) = H(q) + KL(p‖q)", decomposition_with_entropy_of_q),))
    assert statuses(run(wrong)) == {"failed"}
