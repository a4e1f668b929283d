"""Section 6 · Optimization forms: shapes, dtypes, the facts each step and schedule must show."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mathcheck.formulas import all_entries
from mathcheck.numeric.numpy_forms import optimization as npf
from mathcheck.numeric.torch_forms import optimization as tf
from mathcheck.outcome import CheckContext

ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
SCHEDULE = {"eta_max": 3e-4, "eta_min": 3e-5, "T": 200.0}


def test_steps_return_the_stacked_state_with_batch_dims_and_dtype():
    x = torch.randn(2, 3, 5, dtype=torch.float32)
    assert tf.gd(x, x, lr=0.1).shape == (2, 3, 5)
    assert tf.sgd_momentum(x, x, x, lr=0.1, momentum=0.9).shape == (2, 3, 2, 5)
    out = tf.adam(x, x, x.abs(), x, t=1, **ADAM)
    assert out.shape == (2, 3, 3, 5) and out.dtype == torch.float32
    for dtype in (torch.float16, torch.bfloat16):
        low = x.to(dtype)
        assert tf.adamw(low, low, low.abs(), low, t=2, **ADAM).dtype == dtype


def test_first_adam_step_from_zero_moments_moves_by_lr_times_sign():
    """With bias correction, m̂₁ = g and v̂₁ = g², so the first step is η·sign(g) (up to ε)."""
    g = np.array([3.0, -0.2, 1e-3])
    out = npf.adam(np.zeros(3), np.zeros(3), np.zeros(3), g, t=1, **ADAM)
    np.testing.assert_allclose(out[0], -ADAM["lr"] * np.sign(g), rtol=1e-4)


def test_adamw_decay_acts_on_theta_not_on_the_moments():
    theta, z = np.array([2.0, -1.0]), np.zeros(2)
    g = np.array([0.5, 0.5])
    plain = npf.adam(theta, z, z, g, t=1, **ADAM)
    decoupled = npf.adamw(theta, z, z, g, t=1, weight_decay=0.1, **ADAM)
    np.testing.assert_array_equal(plain[1:], decoupled[1:])
    np.testing.assert_allclose(decoupled[0] - plain[0], -ADAM["lr"] * 0.1 * theta)


def test_numpy_and_torch_steps_agree():
    rng = np.random.default_rng(0)
    theta, m, g = rng.normal(size=(3, 4))
    v = rng.uniform(0, 1, 4)
    a = npf.adamw(theta, m, v, g, t=7, weight_decay=0.1, **ADAM)
    b = tf.adamw(*map(torch.as_tensor, (theta, m, v, g)), t=7, weight_decay=0.1, **ADAM).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-15, atol=1e-15)


def test_clip_leaves_small_gradients_and_rescales_large_ones():
    g = torch.tensor([[3.0, 4.0], [0.3, 0.4]], dtype=torch.float64)
    out = tf.clip_grad_norm(g, max_norm=1.0)
    torch.testing.assert_close(out[0], torch.tensor([0.6, 0.8], dtype=torch.float64))
    assert torch.equal(out[1], g[1])


def test_clip_norm_does_not_overflow_or_divide_by_zero():
    big = torch.full((4,), 1e30, dtype=torch.float32)  # ‖g‖² = 4e60 overflows fp32
    torch.testing.assert_close(tf.clip_grad_norm(big, max_norm=1.0), torch.full((4,), 0.5))
    zero = np.zeros(3, dtype=np.float32)
    assert np.array_equal(npf.clip_grad_norm(zero, max_norm=1.0), zero)


@pytest.mark.parametrize("clip", [npf.clip_grad_norm, tf.clip_grad_norm])
def test_clipping_a_huge_gradient_to_a_small_norm_keeps_full_precision(clip):
    """c/‖g‖ = 0.02347/4.5e307 is subnormal: scaling g by it lost 9 ulp (found by drawing c)."""
    g = np.array([[4.4942328371557763e307]])
    out = clip(g if clip is npf.clip_grad_norm else torch.from_numpy(g), max_norm=0.02347)
    assert float(np.asarray(out)[0, 0]) == 0.02347


@pytest.mark.parametrize("clip", [npf.clip_grad_norm, tf.clip_grad_norm])
def test_clipping_keeps_small_entries_next_to_a_huge_one_exact(clip):
    """g/m is subnormal for an entry 5e-4 beside m = 1.6e306; c·g/‖g‖ = 3e-308 is normal and
    must come out correctly rounded (the first fix lost 37 ulp there; found at c = 100)."""
    g = np.array([[4.8738096260558805e-4, -1.6189872921274105e306]])
    out = clip(g if clip is npf.clip_grad_norm else torch.from_numpy(g), max_norm=100.0)
    exact = 100.0 * 4.8738096260558805e-4 / 1.6189872921274105e306
    assert abs(float(np.asarray(out)[0, 0]) - exact) <= 2 * np.spacing(exact)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_cosine_endpoints_are_exact_and_held_after_T(dtype):
    t = torch.tensor([0.0, 200.0, 220.0, 250.0], dtype=dtype)
    eta = tf.cosine(t, **SCHEDULE)
    assert eta[0] == torch.tensor(3e-4, dtype=dtype)
    assert torch.all(eta[1:] == torch.tensor(3e-5, dtype=dtype))


def test_cosine_midpoint_is_the_mean_of_the_extremes():
    assert math.isclose(float(tf.cosine(torch.tensor(100.0, dtype=torch.float64), **SCHEDULE)),
                        (3e-4 + 3e-5) / 2, rel_tol=1e-15)


def test_cosine_is_accurate_near_T_even_with_eta_min_zero():
    """½(1 + cos πs) cancels near s = 1; the sin² form keeps full relative accuracy."""
    t = np.array([199.0], dtype=np.float32)
    got = npf.cosine(t, eta_max=1.0, eta_min=0.0, T=200.0)
    exact = math.sin(math.pi / 400) ** 2
    assert abs(float(got[0]) - exact) / exact < 4 * np.finfo(np.float32).eps


def test_warmup_is_linear_then_decays_from_eta_max():
    params = {**SCHEDULE, "warmup": 20.0}
    t = np.arange(0.0, 260.0)
    eta = npf.warmup_cosine(t, **params)
    np.testing.assert_allclose(eta[:20], 3e-4 * t[:20] / 20, rtol=1e-15)
    assert eta[20] == 3e-4 and eta[200] == 3e-5 and np.all(eta[200:] == 3e-5)
    assert np.all(np.diff(eta[20:201]) <= 0)


def test_penalties_and_their_autograd():
    theta = torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(tf.l2(theta, lam=0.01).sum(), theta)
    torch.testing.assert_close(grad, 0.02 * theta.detach())
    assert float(tf.l1(theta.detach(), lam=0.01)) == pytest.approx(0.035)
    assert npf.l2(np.array([3.0, 4.0]), lam=0.5) == 12.5


def test_dropout_scales_survivors_and_zeroes_the_rest():
    h = np.array([1.0, 2.0, 3.0])
    out = npf.dropout(h, np.array([1.0, 0.0, 1.0]), p=0.5)
    np.testing.assert_array_equal(out, [2.0, 0.0, 6.0])


@pytest.mark.parametrize("name", ["dropout_expectation", "dropout_matches_torch", "jensen_convex",
                                  "nonconvex_counterexample", "adamw_is_not_adam_on_l2",
                                  "clip_matches_torch", "cosine_matches_torch"])
def test_custom_checks_pass(name):
    from mathcheck.numeric.checks import optimization as checks

    owner = next(e for e in all_entries() for c in e.claims
                 if getattr(getattr(c, "run", None), "name", None) == name)  # its catalog entry
    outcome = getattr(checks, name)(CheckContext("torch", "float64", "cpu", 0, 10, entry=owner))
    assert outcome.status in ("passed", "confirmed"), outcome.detail
