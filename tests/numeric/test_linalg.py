"""Section 1 · Linear algebra forms: values, stability, dtypes, batching, both backends."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from mathcheck.numeric import backend
from mathcheck.numeric.checks import linalg as checks
from mathcheck.numeric.numpy_forms import linalg as npf
from mathcheck.numeric.torch_forms import linalg as thf
from mathcheck.outcome import CheckContext

RNG = np.random.default_rng(0)
TORCH_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def t(x, dtype=torch.float64):
    return torch.as_tensor(np.asarray(x, dtype=np.float64)).to(dtype)


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e200), (np.float32, 1e30)])
def test_l2_norm_does_not_overflow_numpy(dtype, big):
    a = np.array([big, -big, big / 2], dtype=dtype)
    with np.errstate(all="raise"):
        y = npf.l2_norm(a)
    assert y.dtype == dtype
    assert np.isclose(float(y), float(big) * 1.5, rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize(("dtype", "big"), [(torch.float64, 1e200), (torch.float32, 1e30)])
def test_l2_norm_does_not_overflow_torch(dtype, big):
    y = thf.l2_norm(t([big, -big, big / 2], dtype))
    assert y.dtype == dtype
    assert torch.isfinite(y)
    assert abs(float(y) / (big * 1.5) - 1) < 4 * torch.finfo(dtype).eps


def test_l2_norm_tiny_and_zero():
    """Subnormal entries are scaled up exactly; the zero vector has norm 0 (no NaN)."""
    assert float(npf.l2_norm(np.array([3e-320, 4e-320]))) == pytest.approx(5e-320, rel=1e-3)
    assert float(npf.l2_norm(np.zeros(3))) == 0.0
    assert float(thf.l2_norm(torch.zeros(3))) == 0.0


def test_l2_norm_gradient_is_a_over_norm():
    a = t([3.0, -4.0]).requires_grad_()
    thf.l2_norm(a).backward()
    assert torch.allclose(a.grad, torch.tensor([0.6, -0.8], dtype=torch.float64))


def test_l1_norm_and_subgradient():
    a = t([1.5, -2.0, 0.0]).requires_grad_()
    y = thf.l1_norm(a)
    y.backward()
    assert float(y.detach()) == 3.5 == float(npf.l1_norm(np.array([1.5, -2.0, 0.0])))
    assert a.grad.tolist() == [1.0, -1.0, 0.0]


# ---------------------------------------------------------------- vectors


def test_dot_batched_and_commutative():
    a, b = RNG.standard_normal((3, 5)), RNG.standard_normal((3, 5))
    assert np.allclose(npf.dot(a, b), (a * b).sum(-1))
    assert torch.equal(thf.dot(t(a), t(b)), thf.dot(t(b), t(a)))


def test_cosine_zero_vector_range_and_scaling():
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    b = np.array([[2.0, 4.0, 6.0], [1.0, 1.0, 1.0]])
    y = npf.cosine_similarity(a, b)
    assert y.tolist() == [1.0, 0.0]  # parallel: exactly 1 after clipping; zero vector: 0
    yt = thf.cosine_similarity(t(a), t(b))
    assert yt.tolist() == [1.0, 0.0]
    x, z = RNG.standard_normal(4), RNG.standard_normal(4)
    assert npf.cosine_similarity(16 * x, z) == npf.cosine_similarity(x, z)


def test_projection_idempotent_and_zero_b():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 1.0])
    p = npf.projection(a, b)
    assert np.allclose(p, [2.0, 0.0, 2.0])
    assert np.allclose(npf.projection(p, b), p)
    assert abs(np.dot(a - p, b)) < 1e-15
    assert np.all(npf.projection(a, np.zeros(3)) == 0)
    assert torch.all(thf.projection(t(a), torch.zeros(3, dtype=torch.float64)) == 0)


def test_projection_no_overflow_for_huge_b():
    """‖b‖² would overflow fp32 for b ~ 1e30; the power-of-two scaling avoids it."""
    a, b = np.array([1.0, 1.0], np.float32), np.array([1e30, 0.0], np.float32)
    assert npf.projection(a, b).tolist() == [1.0, 0.0]
    assert thf.projection(t(a, torch.float32), t(b, torch.float32)).tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- matrices


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
def test_torch_forms_preserve_dtype(dtype):
    a = t(RNG.standard_normal((2, 3, 3)), dtype)
    s = (a + a.mT) / 2
    for out in (thf.matmul(a, a), thf.transpose(a), thf.inverse(a + 4 * torch.eye(3, dtype=dtype)),
                thf.trace(a), thf.hadamard(a, a), thf.eigendecomposition(s), thf.svd(a),
                thf.low_rank(a), thf.pca_svd(a), thf.gram(a), thf.symmetric_part(a),
                thf.lora_product(a, a), thf.quadratic_form(a[..., 0], a)):
        assert out.dtype == dtype


def test_inverse_float16_runs_in_float32_and_rounds_back():
    a = np.array([[4.0, 1.0], [2.0, 3.0]], dtype=np.float16)
    x = npf.inverse(a)
    assert x.dtype == np.float16
    assert np.allclose(x.astype(np.float64), np.linalg.inv(a.astype(np.float64)), rtol=1e-3)


def test_matrix_forms_agree_between_backends():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 3))
    sq = RNG.standard_normal((2, 3, 3))
    pairs = [
        (npf.matmul(a, b), thf.matmul(t(a), t(b))),
        (npf.transpose(a), thf.transpose(t(a))),
        (npf.inverse(sq), thf.inverse(t(sq))),
        (npf.trace(sq), thf.trace(t(sq))),
        (npf.gram(a), thf.gram(t(a))),
        (npf.symmetric_part(sq), thf.symmetric_part(t(sq))),
        (npf.svd(a), thf.svd(t(a))),
        (npf.low_rank(a, k=2), thf.low_rank(t(a), k=2)),
        (npf.quadratic_form(sq[..., 0], sq), thf.quadratic_form(t(sq[..., 0]), t(sq))),
    ]
    for x, y in pairs:
        assert np.allclose(x, y.numpy(), atol=1e-12)


def test_symmetric_part_is_exactly_symmetric_and_cannot_overflow():
    a = np.array([[65504.0, 65504.0], [65504.0, 1.0]], dtype=np.float16)
    s = npf.symmetric_part(a)
    assert np.isfinite(s).all() and np.array_equal(s, s.T)


# ---------------------------------------------------------------- decompositions


def test_eigendecomposition_vectors_reconstruct():
    b = RNG.standard_normal((3, 4, 4))
    a = (b + np.swapaxes(b, -1, -2)) / 2
    w, p = npf.eigendecomposition(a, vectors=True)
    assert np.all(np.diff(w, axis=-1) >= 0)
    assert np.allclose((p * w[..., None, :]) @ np.swapaxes(p, -1, -2), a)
    wt, _ = thf.eigendecomposition(t(a), vectors=True)
    assert np.allclose(wt.numpy(), w)


def test_svd_vectors_and_sigma_squared():
    a = RNG.standard_normal((2, 4, 3))
    u, s, vh = npf.svd(a, vectors=True)
    assert np.allclose((u * s[..., None, :]) @ vh, a)
    lam = np.linalg.eigvalsh(np.swapaxes(a, -1, -2) @ a)[..., ::-1]
    assert np.allclose(s**2, lam)


def test_low_rank_eckart_young():
    a = RNG.standard_normal((4, 3))
    s = np.linalg.svd(a, compute_uv=False)
    for k in (1, 2, 3):
        ak = npf.low_rank(a, k=k)
        assert np.linalg.matrix_rank(ak) == k
        expected = s[k] if k < 3 else 0.0
        assert np.isclose(np.linalg.norm(a - ak, 2), expected, atol=1e-12)


def test_pca_sign_convention_and_covariance():
    x = RNG.standard_normal((20, 3)) * [3.0, 1.0, 0.3]
    z, v = npf.pca_svd(x, k=2, vectors=True)
    assert np.all(v[np.argmax(np.abs(v), axis=0), [0, 1]] > 0)
    cov = np.cov(x, rowvar=False)
    _, e = np.linalg.eigh(cov)
    for j in range(2):
        assert abs(abs(v[:, j] @ e[:, -1 - j]) - 1) < 1e-12
    zt, vt = thf.pca_svd(t(x), k=2, vectors=True)
    assert np.allclose(vt.numpy(), v) and np.allclose(zt.numpy(), z)
    assert np.allclose(z, (x - x.mean(0)) @ v)


def test_lora_product_rank():
    b, a = RNG.standard_normal((6, 2)), RNG.standard_normal((2, 5))
    assert np.linalg.matrix_rank(npf.lora_product(b, a)) == 2


# ---------------------------------------------------------------- property checks


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_decomposition_properties_hold_for_the_forms(dtype):
    be = backend("numpy", dtype)
    b = RNG.uniform(-10, 10, (3, 4, 4))
    sym = {"A": be.asarray((b + np.swapaxes(b, -1, -2)) / 2)}
    rect = {"A": be.asarray(b[:, :, :3])}
    assert checks.eig_residual(npf.eigendecomposition, sym, be) <= 16
    assert checks.eig_orthogonal(npf.eigendecomposition, sym, be) <= 16
    assert checks.eig_det_product(npf.eigendecomposition, sym, be) <= 16
    assert checks.svd_reconstruction(npf.svd, rect, be) <= 64
    assert checks.sigma_squared_eig(npf.svd, rect, be) <= 16
    assert checks.eckart_young(functools.partial(npf.low_rank, k=1), rect, be) <= 16
    x = {"X": be.asarray(RNG.uniform(-10, 10, (2, 6, 3)))}
    assert checks.pca_matches_covariance(functools.partial(npf.pca_svd, k=2), x, be) <= 64


def test_inverse_properties_scale_with_condition():
    be = backend("torch", "float32")
    a = RNG.uniform(-10, 10, (3, 3, 3))
    b = RNG.uniform(-10, 10, (3, 3, 3))
    args = {"A": be.asarray(a), "B": be.asarray(b)}
    assert checks.inverse_residual(thf.inverse, args, be) <= 16
    assert checks.inverse_of_product(thf.inverse, args, be) <= 16


def test_custom_checks_pass():
    ctx = CheckContext("torch", "float64", "cpu", 0, 20)
    for run in (checks.general_eig_facts, checks.eckart_young_optimal,
                checks.orthogonal_det_numeric, checks.symmetric_real_spectrum,
                checks.lora_rank_numeric):
        assert run(ctx).status == "passed", run.__name__
    for run in (checks.sigma_squared_eig_exact, checks.pca_equals_covariance_eig):
        assert run(ctx).status == "confirmed", run.__name__


def test_rank_property_at_tiny_entries_is_not_fooled_by_its_own_error_scale():
    """The issue's case: B = ones(3,1), A = 1.6e-286·ones(1,3) in fp64; the scale ‖|B||A|‖_F
    once squared entries to 0 and reported the exact product 8.28e20 eps off."""
    from mathcheck.numeric import backend
    from mathcheck.numeric.checks.linalg import rank_at_most_r
    from mathcheck.numeric.numpy_forms.linalg import lora_product

    be = backend("numpy", "float64", "cpu")
    args = {"B": np.ones((3, 1)), "A": np.full((1, 3), 1.6e-286)}
    assert rank_at_most_r(lora_product, args, be) <= 2
