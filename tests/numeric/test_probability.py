"""Section 3 · Probability & statistics: the NumPy and Torch forms on their own, against
SciPy/NumPy references, and the stability the catalog claims (large offsets, scaled and
near-singular covariances)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import torch

from mathcheck.numeric.checks import probability as checks
from mathcheck.numeric.numpy_forms import probability as np_forms
from mathcheck.numeric.torch_forms import probability as torch_forms
from mathcheck.outcome import CheckContext

RNG = np.random.default_rng(0)
CTX = CheckContext("numpy", "float64", "cpu", seed=0, examples=8)


def both(name, *arrays, **params):
    """Run the NumPy and the Torch form on the same fp64 data; return both as NumPy."""
    a = getattr(np_forms, name)(*arrays, **params)
    b = getattr(torch_forms, name)(*(torch.as_tensor(x) for x in arrays), **params).numpy()
    return a, b


def test_gaussian_matches_scipy():
    x, mu, s = RNG.normal(size=50), RNG.normal(size=50), RNG.uniform(0.4, 5, size=50)
    for got in both("gaussian", x, mu, s):
        np.testing.assert_allclose(got, scipy.stats.norm.pdf(x, mu, s), rtol=1e-13)


def test_multivariate_gaussian_matches_scipy_batched():
    A = RNG.normal(size=(4, 3, 3))
    S = A @ np.swapaxes(A, -1, -2) + 0.1 * np.eye(3)
    x, mu = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    expected = [scipy.stats.multivariate_normal.logpdf(x[i], mu[i], S[i]) for i in range(4)]
    for got in both("multivariate_gaussian", x, mu, S):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_multivariate_gaussian_survives_scales_where_det_does_not():
    """Σ = 1e-20·I in fp32: det Σ = 1e-60 underflows to 0; Σ log L_ii does not."""
    S = (1e-20 * np.eye(3)).astype(np.float32)
    x = np.full(3, 1e-10, dtype=np.float32)
    mu = np.zeros(3, dtype=np.float32)
    assert np.linalg.det(S) == 0.0
    exact = scipy.stats.multivariate_normal.logpdf(x.astype(np.float64), mu, S.astype(np.float64))
    for got in both("multivariate_gaussian", x, mu, S):
        assert got.dtype == np.float32 and np.isfinite(got)
        assert abs(got - exact) <= 1e-5 * abs(exact)


def test_multivariate_gaussian_not_positive_definite_is_nan_not_an_exception():
    S = np.array([[[1.0, 2.0], [2.0, 1.0]], [[2.0, 0.0], [0.0, 1.0]]])
    x = np.zeros((2, 2))
    for got in both("multivariate_gaussian", x, x, S):
        assert np.isnan(got[0]) and np.isfinite(got[1])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_multivariate_gaussian_half_precision_is_rounded_once(dtype):
    S = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=dtype)
    x = torch.tensor([0.3, -0.7], dtype=dtype)
    got = torch_forms.multivariate_gaussian(x, torch.zeros_like(x), S)
    exact = scipy.stats.multivariate_normal.logpdf(x.double().numpy(), None, S.double().numpy())
    assert got.dtype == dtype
    assert abs(got.double().item() - exact) <= 2 ** -(8 if dtype == torch.bfloat16 else 11) * 4


def test_variance_is_stable_under_a_large_offset_unlike_the_textbook_formula():
    x = RNG.integers(-50, 51, size=8).astype(np.float32)
    p = RNG.dirichlet(np.ones(8)).astype(np.float32)
    exact = checks._exact_variance(x, p)
    shifted = x + np.float32(2**23)
    got = np_forms.variance(shifted, p)
    w = p.astype(np.float32)
    textbook = np.sum(w * shifted**2) - np.sum(w * shifted) ** 2
    assert abs(got - exact) <= 16 * np.finfo(np.float32).eps * exact
    assert abs(textbook - exact) > 0.5 * exact  # catastrophic cancellation


def test_variance_of_a_constant_is_exactly_zero():
    x = np.full((2, 5), 3.3, dtype=np.float16)
    p = np.full((2, 5), 0.2, dtype=np.float16)
    assert np.all(np_forms.variance(x, p) == 0)
    assert torch.all(torch_forms.variance(torch.as_tensor(x), torch.as_tensor(p)) == 0)


def test_moments_match_numpy():
    x, y = RNG.normal(size=(3, 7)), RNG.normal(size=(3, 7))
    p = RNG.dirichlet(np.ones(7), size=3)
    for got in both("expectation", x, p):
        np.testing.assert_allclose(got, np.sum(x * p, -1), rtol=1e-14)
    var = [np.cov(x[i], aweights=p[i], bias=True) for i in range(3)]
    for got in both("variance", x, p):
        np.testing.assert_allclose(got, var, rtol=1e-13)
    cov = [np.cov(x[i], y[i], bias=True)[0, 1] for i in range(3)]
    for got in both("covariance", x, y):
        np.testing.assert_allclose(got, cov, rtol=1e-12)
    rho = [np.corrcoef(x[i], y[i])[0, 1] for i in range(3)]
    for got in both("correlation", x, y):
        np.testing.assert_allclose(got, rho, rtol=1e-13)
    for got in both("mle", x):
        np.testing.assert_allclose(got, np.stack([x.mean(-1), x.var(-1)], -1), rtol=1e-13)


def test_correlation_is_clamped_and_nan_for_constants():
    x = np.array([[0.1, 0.7, 0.3], [1.0, 1.0, 1.0]], dtype=np.float32)
    for got in both("correlation", x, x):
        assert got[0] == 1.0 and np.isnan(got[1])
    big = np.array([1e4, -3e4, 2e4], dtype=np.float16)  # squares overflow fp16 without scaling
    assert np.isfinite(np_forms.correlation(big, big[::-1].copy()))


def test_rules_on_a_table():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    a, b = np.array([1.0, 1.0, 0.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])
    for got in both("addition_rule", p, a, b):
        assert got == pytest.approx(0.6)
    px, cond = np.array([0.25, 0.75]), np.array([[0.5, 0.5], [0.2, 0.8]])
    for got in both("multiplication_rule", px, cond):
        np.testing.assert_allclose(got, [[0.125, 0.125], [0.15, 0.6]])
    prior, lik = np.array([0.99, 0.01]), np.array([0.05, 0.95])  # a rare disease, a good test
    for got in both("bayes", prior, lik):
        np.testing.assert_allclose(got, [0.0495 / 0.0590, 0.0095 / 0.0590])


def test_bayes_tolerates_tiny_likelihoods():
    prior = torch.tensor([0.5, 0.5], dtype=torch.float32)
    lik = torch.tensor([1e-40, 3e-40], dtype=torch.float32)  # subnormal densities
    torch.testing.assert_close(torch_forms.bayes(prior, lik), torch.tensor([0.25, 0.75]),
                               rtol=1e-5, atol=0)


def test_pmfs():
    x, p = np.array([0.0, 1.0, 1.0]), np.array([0.3, 0.3, 0.0])
    for got in both("bernoulli", x, p):
        np.testing.assert_allclose(got, [0.7, 0.3, 0.0])
    probs, onehot = np.array([0.2, 0.5, 0.3]), np.array([0.0, 1.0, 0.0])
    for got in both("categorical", probs, onehot):
        assert got == 0.5


def test_map_estimates():
    x = np.array([[1.0, 2.0, 3.0]])
    for got in both("map_estimate", x, sigma=1.0, tau=0.5):
        np.testing.assert_allclose(got, [6.0 / 7.0])
    for got in both("map_laplace", np.array([[0.1, 0.2], [3.0, 1.0]]), sigma=1.0, b=0.5):
        np.testing.assert_allclose(got, [0.0, 1.0])  # threshold σ²/(nb) = 1


@pytest.mark.parametrize("name", ["joint_recovered", "posterior_from_joint", "near_singular",
                                  "mle_variance_bias", "laplace_soft_threshold_numeric"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_checks_pass(name, backend):
    ctx = CheckContext(backend, "float32", "cpu", seed=0, examples=8)
    outcome = getattr(checks, name)(ctx)
    assert outcome.status == "passed", outcome.detail


def test_soft_threshold_is_derived():
    from mathcheck.symbolic import prove_equal
    from mathcheck.symbolic.probability import map_laplace_soft_threshold

    eq = map_laplace_soft_threshold(3)
    assert prove_equal(eq.lhs, eq.rhs).status == "proven"
