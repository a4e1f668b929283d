"""Section 10 · Information theory: the forms themselves (conventions, dtypes, batching)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mathcheck.numeric.numpy_forms import information as npf
from mathcheck.numeric.torch_forms import information as tf

P = np.array([[0.5, 0.25, 0.25, 0.0], [0.1, 0.2, 0.3, 0.4]])
Q = np.array([[0.25, 0.25, 0.25, 0.25], [0.4, 0.3, 0.2, 0.1]])


def reference_kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    from scipy.special import rel_entr

    return rel_entr(p, q).sum(axis=-1)


@pytest.mark.parametrize("forms", [npf, tf], ids=["numpy", "torch"])
def test_values_match_scipy(forms):
    as_ = (lambda a: a) if forms is npf else torch.from_numpy
    back = (lambda a: np.asarray(a)) if forms is npf else (lambda t: t.numpy())
    from scipy.stats import entropy as scipy_entropy

    np.testing.assert_allclose(back(forms.entropy(as_(P))), scipy_entropy(P, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(back(forms.kl(as_(P), as_(Q))), reference_kl(P, Q), rtol=1e-13)
    ce = -(P * np.log(Q)).sum(axis=-1)
    np.testing.assert_allclose(back(forms.cross_entropy(as_(P), as_(Q))), ce, rtol=1e-14)
    np.testing.assert_allclose(back(forms.ce_decomposition(as_(P), as_(Q))), ce, rtol=1e-13)


@pytest.mark.parametrize("forms", [npf, tf], ids=["numpy", "torch"])
def test_zero_conventions(forms):
    as_ = (lambda a: np.asarray(a, dtype=np.float64)) if forms is npf else (
        lambda a: torch.tensor(a, dtype=torch.float64))
    assert float(forms.entropy(as_([1.0, 0.0]))) == 0.0
    assert float(forms.kl(as_([1.0, 0.0]), as_([1.0, 0.0]))) == 0.0
    assert math.isinf(float(forms.kl(as_([0.5, 0.5]), as_([1.0, 0.0]))))
    assert math.isinf(float(forms.cross_entropy(as_([0.5, 0.5]), as_([1.0, 0.0]))))


def test_kl_is_asymmetric_and_nonnegative():
    p, q = np.array([0.5, 0.5]), np.array([15 / 16, 1 / 16])
    assert npf.kl(p, q) == pytest.approx(0.5 * math.log(64 / 15), rel=1e-15)
    assert abs(npf.kl(p, q) - npf.kl(q, p)) > 0.25
    rng = np.random.default_rng(0)
    a, b = rng.dirichlet(np.ones(5), 100), rng.dirichlet(np.ones(5), 100)
    assert (npf.kl(a, b) >= 0).all()


def test_perplexity_of_uniform_is_vocabulary_size():
    for v in (2, 1000, 50257):
        assert npf.perplexity(np.full(7, -math.log(v))) == pytest.approx(v, rel=1e-14)


def test_mutual_information_of_independent_and_copied_variables():
    px, py = np.array([0.2, 0.8]), np.array([0.3, 0.3, 0.4])
    assert abs(npf.mutual_information(np.outer(px, py))) < 1e-15
    copy = np.diag([0.25, 0.75])  # Y = X: I = H(X)
    assert npf.mutual_information(copy) == pytest.approx(npf.entropy(np.array([0.25, 0.75])))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_dtypes_preserved(dtype):
    p = P.astype(dtype)
    for f in (npf.entropy(p), npf.kl(p, Q.astype(dtype)), npf.perplexity(-p),
              npf.mutual_information(p[None, :, :3] + 0.1)):
        assert f.dtype == np.dtype(dtype)
    tp = torch.from_numpy(P).to(getattr(torch, dtype))
    assert tf.kl(tp, tp).dtype == tp.dtype
    assert tf.mutual_information(tp[None, :, :3] + 0.1).dtype == tp.dtype


def test_kl_fp16_does_not_overflow_for_small_q():
    """log(p/q) would overflow at p/q = 0.5/6e-8 in fp16; log p − log q does not."""
    p = np.array([0.5, 0.5], dtype=np.float16)
    q = np.array([1 - 2**-11, 2**-24], dtype=np.float16)
    exact = reference_kl(p.astype(np.float64), q.astype(np.float64))
    assert np.isfinite(npf.kl(p, q))
    assert float(npf.kl(p, q)) == pytest.approx(exact, rel=4e-3)
