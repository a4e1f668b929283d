"""Section 7 · Normalization forms: statistics, conventions, accuracy, autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.numeric.numpy_forms import normalization as npf
from mathcheck.numeric.torch_forms import normalization as tf


def test_layer_norm_standardizes_the_last_axis_with_biased_variance():
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    y = npf.layer_norm(x, np.ones(4), np.zeros(4), eps=0.0)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-15)
    np.testing.assert_allclose(y.var(axis=-1), 1.0, rtol=1e-15)


def test_batch_norm_standardizes_over_the_batch_axis():
    x = np.random.default_rng(0).normal(5.0, 3.0, (2, 8, 3))
    y = npf.batch_norm(x, np.ones(3), np.zeros(3), eps=0.0)
    np.testing.assert_allclose(y.mean(axis=-2), 0.0, atol=1e-14)
    np.testing.assert_allclose(y.var(axis=-2), 1.0, rtol=1e-14)


def test_rms_norm_has_unit_rms_and_no_mean_subtraction():
    x = np.array([1.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(npf.rms_norm(x, np.ones(4), eps=0.0), x)  # LayerNorm would give 0


def test_layer_norm_keeps_accuracy_under_a_large_offset():
    """Corrected two-pass: |μ|/σ = 1e4 in fp32 still gives a few-ulp x̂."""
    x = (1e4 + np.array([0.0, 0.5, 1.0, 1.5])).astype(np.float32)
    y = npf.layer_norm(x, np.ones(4, np.float32), np.zeros(4, np.float32), eps=0.0)
    exact = (np.arange(4) - 1.5) / np.sqrt(1.25)
    assert np.max(np.abs(y - exact)) < 8 * np.finfo(np.float32).eps


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_is_normalized_in_fp32_and_rounded_once(dtype):
    gen = torch.Generator().manual_seed(0)
    x, g, b = (torch.randn(s, generator=gen).to(dtype) for s in ((4, 16), (16,), (16,)))
    low = tf.layer_norm(x, g, b, eps=1e-5)
    assert low.dtype == dtype
    assert torch.equal(low, tf.layer_norm(x.float(), g.float(), b.float(), eps=1e-5).to(dtype))
    exact = tf.layer_norm(x.double(), g.double(), b.double(), eps=1e-5)
    ulp = torch.finfo(dtype).eps * exact.abs().clamp(min=1.0)
    assert torch.all((low.double() - exact).abs() <= ulp)  # 0.5 ulp of max(|y|, 1), at most 1


def test_torch_forms_match_builtins_and_their_gradients():
    x = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    g, b = torch.rand(6, dtype=torch.float64) + 0.5, torch.randn(6, dtype=torch.float64)
    ours, theirs = tf.layer_norm(x, g, b, eps=1e-5), F.layer_norm(x, (6,), g, b, eps=1e-5)
    torch.testing.assert_close(ours, theirs)
    v = torch.randn(3, 6, dtype=torch.float64)
    (d_ours,) = torch.autograd.grad((ours * v).sum(), x)
    (d_theirs,) = torch.autograd.grad((theirs * v).sum(), x)
    torch.testing.assert_close(d_ours, d_theirs)
    torch.testing.assert_close(tf.rms_norm(x, g, eps=1e-6), F.rms_norm(x, (6,), g, eps=1e-6))


def test_numpy_and_torch_forms_agree():
    x = np.random.default_rng(1).normal(size=(2, 5, 3))
    g, b = np.ones(3) * 1.5, np.full(3, -0.25)
    a = npf.batch_norm(x, g, b, eps=1e-5)
    t = tf.batch_norm(torch.as_tensor(x), torch.as_tensor(g), torch.as_tensor(b), eps=1e-5)
    np.testing.assert_allclose(a, t.numpy(), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", ["matches_torch_layer_norm", "matches_torch_rms_norm",
                                  "matches_torch_batch_norm"])
def test_builtin_comparisons_pass(name):
    from mathcheck.numeric.checks import normalization as checks
    from mathcheck.outcome import CheckContext

    outcome = getattr(checks, name)(CheckContext("torch", "float32", "cpu", 0, 10))
    assert outcome.status == "passed", outcome.detail
