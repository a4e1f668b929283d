"""Section 1 · Linear algebra: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, derivative, identity, gradient, property,
check); each test also runs the catalog's own form through the same claim, so a rejection
means the bug was caught, not that the claim can never pass.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Check, Derivative, Identity, get
from mathcheck.outcome import CheckContext, Outcome
from mathcheck.symbolic import Equation, matrix
from tests.crosscheck.planted import FAST, QUICK, only, run, statuses

FP64 = dataclasses.replace(FAST, dtypes=("float64",))
# QUICK for planted bugs that fail at once: Hypothesis then spends its time shrinking the
# counterexample, which is slow where the oracle is (adjugates at 50 digits).
NUMPY64 = dataclasses.replace(QUICK, dtypes=("float64",), backends=("numpy",))


# ---------------------------------------------------------------- agreement


def naive_l2_np(a):
    return np.sqrt(np.sum(a * a, axis=-1))


def naive_l2_torch(a):
    return torch.sqrt((a * a).sum(dim=-1))


def test_agreement_rejects_l2_norm_that_squares_unscaled():
    """(1e200)² overflows fp64 and (1e30)² fp32: √inf = inf where the norm is finite."""
    entry = only("linalg.l2_norm", "agreement")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, QUICK, numpy=naive_l2_np, torch=naive_l2_torch)) == {"failed"}


def test_property_rejects_l2_norm_that_overflows():
    entry = only("linalg.l2_norm", "property", "no overflow")
    assert statuses(run(entry, QUICK)) == {"passed"}
    assert statuses(run(entry, QUICK, numpy=naive_l2_np, torch=naive_l2_torch)) == {"failed"}


def inverse_transposed_np(A):
    return np.swapaxes(np.linalg.inv(A), -1, -2)


def test_agreement_rejects_transposed_inverse():
    """(A⁻¹)ᵀ is the inverse of Aᵀ, not of A: wrong by far more than κ(A)·n² ulp."""
    entry = only("linalg.inverse", "agreement")
    assert statuses(run(entry, NUMPY64, numpy=inverse_transposed_np)) == {"failed"}


# ---------------------------------------------------------------- derivative and identity


def test_derivative_rejects_l2_gradient_without_the_root():
    """∇‖a‖ stated as a/‖a‖² (the gradient of log‖a‖) is not SymPy's a/‖a‖."""
    def wrong(form):
        a = form.args["a"]
        return a / (a.T * a)[0, 0]

    entry = only("linalg.l2_norm", "derivative")
    assert statuses(run(entry)) == {"proven"}
    planted = dataclasses.replace(entry, claims=(Derivative(wrong, wrt="a"),))
    assert statuses(run(planted)) == {"failed"}


def test_identity_rejects_transpose_of_product_in_the_wrong_order():
    """(AB)ᵀ = AᵀBᵀ is false for square A, B (it is BᵀAᵀ)."""
    def wrong(n: int = 2) -> Equation:
        a, b = matrix("A", n, n), matrix("B", n, n)
        return Equation((a * b).T, a.T * b.T)

    planted = dataclasses.replace(get("linalg.matmul"),
                                  claims=(Identity("(AB)ᵀ = AᵀBᵀ", wrong),))
    assert statuses(run(planted)) == {"failed"}


def test_identity_rejects_trace_as_product_of_eigenvalues():
    def wrong() -> Equation:
        a = matrix("A", 2, 2)
        lam = list(a.eigenvals(multiple=True))
        return Equation(sp.Mul(*lam), a.trace())

    planted = dataclasses.replace(get("linalg.trace"), claims=(Identity("tr = Πλ", wrong),))
    assert statuses(run(planted)) == {"failed"}


# ---------------------------------------------------------------- gradient


def l2_half_detached_torch(a):
    """The value is right but half the graph is cut: autograd returns a/(2‖a‖)."""
    return torch.sqrt((a * a.detach()).sum(dim=-1))


def test_gradient_rejects_half_detached_l2_norm():
    entry = only("linalg.l2_norm", "gradient")
    assert statuses(run(entry)) == {"passed"}
    assert statuses(run(entry, torch=l2_half_detached_torch)) == {"failed"}


# ---------------------------------------------------------------- properties


def cosine_without_zero_guard_np(a, b):
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def cosine_without_zero_guard_torch(a, b):
    return (a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))


def test_property_rejects_cosine_that_returns_nan_for_zero_vectors():
    entry = only("linalg.cosine_similarity", "property", "zero vector gives 0")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=cosine_without_zero_guard_np, torch=cosine_without_zero_guard_torch)
    assert statuses(results) == {"failed"}


def low_rank_smallest_np(A, k=1):
    """Keeps the k smallest singular triplets instead of the largest."""
    k = int(k)
    u, s, vh = np.linalg.svd(A, full_matrices=False)
    return (u[..., :, -k:] * s[..., None, -k:]) @ vh[..., -k:, :]


def low_rank_smallest_torch(A, k=1):
    k = int(k)
    u, s, vh = torch.linalg.svd(A, full_matrices=False)
    return (u[..., :, -k:] * s[..., None, -k:]) @ vh[..., -k:, :]


def test_property_rejects_low_rank_that_keeps_the_smallest_values():
    """‖A − A_k‖₂ is then σ₁, not σ_{k+1}: Eckart–Young catches it."""
    entry = only("linalg.low_rank", "property", "Eckart–Young: ‖A − A_k‖₂ = σ_{k+1}")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=low_rank_smallest_np, torch=low_rank_smallest_torch)
    assert statuses(results) == {"failed"}


def svd_half_flipped_np(A, vectors=False):
    """Flips the sign of U's first column but not of V's: σ right, A ≠ UΣVᵀ."""
    u, s, vh = np.linalg.svd(A, full_matrices=False)
    if not vectors:
        return s
    u = u.copy()
    u[..., :, 0] *= -1
    return u, s, vh


def test_property_rejects_svd_with_inconsistent_signs():
    entry = only("linalg.svd", "property", "A = UΣVᵀ")
    assert statuses(run(entry, FP64)) == {"passed"}
    assert "failed" in statuses(run(entry, FP64, numpy=svd_half_flipped_np))


def pca_uncentred_np(X, k=2, vectors=False):
    """Skips the centring: the directions of XᵀX, not of the covariance."""
    k = int(k)
    _, _, vh = np.linalg.svd(X, full_matrices=False)
    v = np.swapaxes(vh[..., :k, :], -1, -2)
    return (X @ v, v) if vectors else X @ v


def test_property_rejects_pca_without_centring():
    entry = only("linalg.pca_svd", "property", "directions = covariance eigenvectors (up to sign)")
    assert statuses(run(entry, FP64)) == {"passed"}
    assert "failed" in statuses(run(entry, FP64, numpy=pca_uncentred_np))


def eig_unsorted_vectors_np(A, vectors=False):
    """Eigenvalues right, eigenvectors in reversed order: Av ≠ λv."""
    w, p = np.linalg.eigh(A)
    return (w, p[..., :, ::-1]) if vectors else w


def test_property_rejects_eigenvectors_paired_with_the_wrong_values():
    entry = only("linalg.eigendecomposition", "property", "Av = λv")
    assert statuses(run(entry, FP64)) == {"passed"}
    assert "failed" in statuses(run(entry, FP64, numpy=eig_unsorted_vectors_np))


# ---------------------------------------------------------------- checks


def test_check_outcomes_pass_for_the_catalog_and_fail_on_a_wrong_claim():
    """Checks take no form; they must pass as catalogued, and a Check that states a false fact
    (here: a rank-k competitor built to beat A_k by using rank k + 1) must fail."""
    entry = only("linalg.low_rank", "check")
    assert statuses(run(entry)) == {"passed"}

    def rank_k_plus_one_beats_a_k(ctx: CheckContext):
        rng = np.random.default_rng(ctx.seed)
        a = rng.standard_normal((4, 4))
        s = np.linalg.svd(a, compute_uv=False)
        u, sv, vh = np.linalg.svd(a)
        b = (u[:, :2] * sv[:2]) @ vh[:2, :]  # rank 2, pretending to be rank 1
        gap = s[1] - np.linalg.norm(a - b, 2)
        return Outcome("passed" if gap <= 0 else "failed", f"gap {gap:.3g}")

    planted = dataclasses.replace(entry, claims=(Check("planted", rank_k_plus_one_beats_a_k),))
    assert statuses(run(planted)) == {"failed"}
