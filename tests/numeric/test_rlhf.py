"""Section 13 · Alignment & RLHF: the numeric forms on known values, NumPy vs Torch, dtypes,
and the custom checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.numeric.checks import rlhf as checks
from mathcheck.numeric.numpy_forms import rlhf as np_forms
from mathcheck.numeric.torch_forms import rlhf as torch_forms
from mathcheck.outcome import CheckContext

CTX = CheckContext("torch", "float64", "cpu", 0, 20)
RNG = np.random.default_rng(0)


def test_bradley_terry_is_two_way_softmax():
    r = RNG.normal(size=(10, 2)) * 5
    expected = torch.softmax(torch.from_numpy(r), dim=-1)[:, 0].numpy()
    np.testing.assert_allclose(np_forms.bradley_terry(r[:, 0], r[:, 1]), expected, rtol=1e-14)
    got = torch_forms.bradley_terry(torch.from_numpy(r[:, 0]), torch.from_numpy(r[:, 1]))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-14)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_bradley_terry_extremes_and_dtype(dtype):
    r_w = torch.tensor([1000.0, -1000.0, 0.0], dtype=dtype)
    out = torch_forms.bradley_terry(r_w, torch.zeros_like(r_w))
    assert out.dtype == dtype
    assert out.tolist() == [1.0, 0.0, 0.5]


def test_bradley_terry_gradient_at_zero_is_a_quarter():
    r = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(
        torch_forms.bradley_terry(r, torch.zeros(1, dtype=torch.float64)).sum(), r
    )
    assert float(g) == 0.25


def test_ppo_clip_values():
    r = np.array([0.5, 1.0, 1.5, 0.5, 1.5])
    a = np.array([1.0, 2.0, 1.0, -1.0, -1.0])
    expected = np.array([0.5, 2.0, 1.2, -0.8, -1.5])
    np.testing.assert_allclose(np_forms.ppo_clip(r, a), expected)
    np.testing.assert_allclose(
        torch_forms.ppo_clip(torch.from_numpy(r), torch.from_numpy(a)).numpy(), expected
    )


def test_kl_penalty_equals_reward_at_reference_and_handles_zero_probability():
    q = np.array([0.2, 0.3, 0.5])
    r = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(np_forms.kl_penalty(q, q, r), q @ r, rtol=1e-15)
    p = np.array([0.0, 0.5, 0.5])
    expected = p @ r - 0.1 * (0.5 * np.log(0.5 / 0.3) + 0.5 * np.log(0.5 / 0.5))
    np.testing.assert_allclose(np_forms.kl_penalty(p, q, r), expected, rtol=1e-14)
    pt = torch.tensor(p, requires_grad=True)
    out = torch_forms.kl_penalty(pt, torch.tensor(q), torch.tensor(r))
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-14)
    (g,) = torch.autograd.grad(out, pt)
    assert torch.isfinite(g).all()


def test_dpo_equals_logsigmoid_reference():
    x = RNG.normal(size=(4, 16)) * 10
    beta = 0.1
    ref = -F.logsigmoid(beta * torch.from_numpy((x[0] - x[2]) - (x[1] - x[3]))).numpy()
    np.testing.assert_allclose(np_forms.dpo(*x, beta=beta), ref, rtol=1e-13)
    got = torch_forms.dpo(*(torch.from_numpy(v) for v in x), beta=beta)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-13)


def test_dpo_large_margin_does_not_overflow():
    big = torch.tensor([1e4, -1e4], dtype=torch.float32)
    zero = torch.zeros(2)
    out = torch_forms.dpo(big, zero, zero, zero, beta=1.0)
    assert torch.isfinite(out).all() and out[1] == 1e4


def test_sft_masks_prompt_and_matches_cross_entropy():
    z = RNG.normal(size=(2, 5, 7))
    targets = RNG.integers(0, 7, size=(2, 5))
    y = np.eye(7)[targets]
    mask = np.array([[0, 0, 1, 1, 1], [0, 1, 1, 1, 1]], dtype=float)
    ce = (
        F.cross_entropy(
            torch.from_numpy(z).reshape(-1, 7),
            torch.from_numpy(targets).reshape(-1),
            reduction="none",
        )
        .reshape(2, 5)
        .numpy()
    )
    expected = (ce * mask).sum(-1)
    np.testing.assert_allclose(np_forms.sft(z, y, mask), expected, rtol=1e-13)
    got = torch_forms.sft(torch.from_numpy(z), torch.from_numpy(y), torch.from_numpy(mask))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-13)


@pytest.mark.parametrize(
    "name",
    [
        "ppo_gradient_vanishes",
        "kl_optimal_policy",
        "dpo_at_optimal_policy",
        "sft_matches_cross_entropy",
    ],
)
def test_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status == "passed", outcome.detail
