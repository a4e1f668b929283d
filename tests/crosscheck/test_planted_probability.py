"""Section 3 · Probability & statistics: deliberately wrong implementations the engine must
reject — one per kind of claim the section uses (agreement, identity, property, check) — each
next to the catalog's own form passing the same claim."""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.numeric.numpy_forms import probability as np_forms
from mathcheck.symbolic import Equation
from mathcheck.symbolic import probability as sym
from tests.crosscheck.planted import FAST, FP32, NUMPY, only, run, statuses

# Rejections shrink their counterexample (many oracle calls): one backend × dtype suffices.
ONE = dataclasses.replace(FP32, backends=("numpy",))


# ---------------------------------------------------------------- agreement


def textbook_variance_np(x, p):
    return np.sum(p * x * x, axis=-1) - np.sum(p * x, axis=-1) ** 2


def textbook_variance_torch(x, p):
    return (p * x * x).sum(-1) - (p * x).sum(-1) ** 2


def test_agreement_rejects_the_textbook_variance():
    """E[X²] − (EX)² cancels catastrophically when the spread is small against the mean."""
    entry = only("prob.variance", "agreement")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, ONE, numpy=textbook_variance_np)) == {"failed"}


def test_agreement_rejects_a_gaussian_normalised_by_variance():
    """1/(σ²√(2π)) instead of 1/(σ√(2π)): a classic slip."""
    entry = only("prob.gaussian", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(
        entry,
        numpy=lambda x, mu, sigma: np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma**2 * 2.5066),
        torch=lambda x, mu, sigma: torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma**2 * 2.5066),
    )
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- identity


def test_identity_rejects_the_unbiased_variance_as_the_mle():
    """The score equations give Σ(x − x̄)²/n; the n − 1 version is not their solution."""
    entry = only("prob.mle", "identity", "solves the score equations ∂ℓ/∂μ = ∂ℓ/∂σ² = 0")
    assert statuses(run(entry)) == {"proven"}

    def wrong(n: int = 3) -> Equation:
        solved = sym.mle_score_equations(n).lhs
        xs = sym.mle(n).args["x"]
        mean = sum(xs, sp.Integer(0)) / n
        unbiased = sum(((xi - mean) ** 2 for xi in xs), sp.Integer(0)) / (n - 1)
        return Equation(solved, sp.Matrix([mean, unbiased]))

    (claim,) = entry.claims
    planted = dataclasses.replace(entry, claims=(dataclasses.replace(claim, build=wrong),))
    assert statuses(run(planted)) == {"failed"}


# ---------------------------------------------------------------- property


def test_property_rejects_the_textbook_variance_under_an_offset():
    entry = only("prob.variance", "property")
    options = dataclasses.replace(FAST, dtypes=("float64", "float32", "float16"))
    assert statuses(run(entry, options)) == {"passed"}
    for dtype in ("float16", "float64"):  # fp16: E[X²] ≈ c² overflows; fp64: all digits lost
        planted = dataclasses.replace(ONE, dtypes=(dtype,), backends=("torch",))
        assert statuses(run(entry, planted, torch=textbook_variance_torch)) == {"failed"}


def test_property_rejects_an_unnormalised_posterior():
    entry = only("prob.bayes", "property")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, ONE, numpy=lambda prior, likelihood: prior * likelihood)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- checks


def naive_mvn_np(x, mu, sigma):
    """det and inverse: det Σ under/overflows for scaled Σ (log 0 = −inf)."""
    d = x - mu
    maha = np.einsum("...i,...ij,...j->...", d, np.linalg.inv(sigma), d)
    with np.errstate(divide="ignore"):
        return -0.5 * (maha + np.log(np.linalg.det(sigma)) + d.shape[-1] * np.log(2 * np.pi))


def test_check_rejects_a_det_based_gaussian_log_density(monkeypatch):
    entry = only("prob.multivariate_gaussian", "check")
    assert statuses(run(entry, NUMPY)) == {"passed"}
    monkeypatch.setattr(np_forms, "multivariate_gaussian", naive_mvn_np)
    assert statuses(run(entry, NUMPY)) == {"failed"}


def test_check_rejects_the_unbiased_variance_as_the_mle(monkeypatch):
    entry = only("prob.mle", "check")
    assert statuses(run(entry)) == {"passed"}

    def unbiased(x):
        return np.stack([x.mean(-1), x.var(-1, ddof=1)], axis=-1)

    monkeypatch.setattr(np_forms, "mle", unbiased)
    assert statuses(run(entry)) == {"failed"}


def test_check_rejects_a_transposed_joint(monkeypatch):
    entry = only("prob.multiplication_rule", "check")
    assert statuses(run(entry, NUMPY)) == {"passed"}
    monkeypatch.setattr(np_forms, "multiplication_rule", lambda px, cond: cond * px[..., -1:, None])
    assert statuses(run(entry, NUMPY)) == {"failed"}
