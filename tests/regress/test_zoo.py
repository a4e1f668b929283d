"""The zoo: deliberately buggy implementations of different entries, every one of which the
regression checker must catch, next to the correct built-ins, which must pass."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import mathcheck
from mathcheck.regress import positional, with_kwargs

FAST = {"examples": 12, "gradients": False, "dtypes": ("float64", "float32")}
LOW = {"examples": 12, "gradients": False, "dtypes": ("float16",)}


def softmax_no_max(z):
    e = torch.exp(z)
    return e / e.sum(-1, keepdim=True)


def rms_norm_with_mean(x, gamma, eps):
    c = x - x.mean(-1, keepdim=True)
    return gamma * c / torch.sqrt((c * c).mean(-1, keepdim=True) + eps)


def layer_norm_unbiased(x, gamma, beta, eps):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def attention_unscaled(Q, K, V):
    return torch.softmax(Q @ K.transpose(-1, -2), dim=-1) @ V


def tanh_by_exponentials(x):
    e, f = torch.exp(x), torch.exp(-x)
    return (e - f) / (e + f)


def bce_logits_naive(z, y):
    s = torch.sigmoid(z)
    return -(y * torch.log(s) + (1 - y) * torch.log(1 - s))


def kl_swapped(p, q):
    return (q * torch.log(q / p)).sum(-1)


ZOO = [
    ("act.softmax", softmax_no_max, None, FAST, "overflows without the max shift"),
    ("act.softmax", lambda z: torch.softmax(z, dim=0), None, FAST, "wrong axis"),
    ("act.sigmoid", lambda x: 1 / (1 + torch.exp(-1.01 * x)), None, FAST, "wrong constant"),
    ("act.gelu_tanh", lambda x: 0.5 * x * (1 + torch.tanh(0.7978845608 * (x + 0.04 * x**3))),
     None, FAST, "wrong cubic coefficient"),
    ("act.log_softmax", lambda z: torch.log(torch.softmax(z, -1)), None, FAST,
     "log of an underflowed softmax"),
    ("act.silu", lambda x: x * torch.tanh(x), None, FAST, "tanh instead of sigmoid"),
    ("act.leaky_relu", lambda x, alpha: torch.where(x > 0, alpha * x, x),
     positional("x", "alpha"), FAST, "slope on the wrong side"),
    ("act.tanh", tanh_by_exponentials, None, LOW, "overflows in fp16 beyond x ≈ 11"),
    ("norm.layer_norm", layer_norm_unbiased, positional("x", "gamma", "beta", "eps"), FAST,
     "unbiased variance"),
    ("norm.rms_norm", rms_norm_with_mean, positional("x", "gamma", "eps"), FAST,
     "subtracts the mean"),
    ("loss.bce_with_logits", bce_logits_naive, None, FAST, "log(σ(z)) underflows at ±1e4"),
    ("loss.mse", lambda y, y_hat: ((y - y_hat) ** 2).sum(-1), None, FAST, "sum, not mean"),
    ("loss.huber", lambda y, y_hat, delta: torch.where((y - y_hat).abs() <= delta,
                                                       (y - y_hat) ** 2,
                                                       delta * ((y - y_hat).abs() - delta / 2)),
     positional("y", "y_hat", "delta"), FAST, "missing the ½ on the quadratic branch"),
    ("attn.scaled_dot_product", attention_unscaled, None, FAST, "no 1/√d_k"),
    ("sim.cosine", lambda a, b: (a * b).sum(-1), None, FAST, "not normalised"),
    ("info.kl", kl_swapped, None, FAST, "arguments swapped"),
    ("linalg.l2_norm", lambda a: torch.sqrt((a * a).sum(-1)), None, FAST,
     "overflows for entries near 1e200"),
]


@pytest.mark.parametrize(("formula", "impl", "adapter", "options", "bug"), ZOO,
                         ids=[f"{z[0]}-{z[4]}" for z in ZOO])
def test_buggy_implementation_is_caught(formula, impl, adapter, options, bug):
    result = mathcheck.check(formula, impl, adapter=adapter, **options)
    assert result.verdict == "fail", f"{bug}: not caught\n{result}"
    assert result.reason
    assert len(ZOO) >= 15


CORRECT = [
    ("act.softmax", F.softmax, with_kwargs(dim=-1)),
    ("act.log_softmax", F.log_softmax, with_kwargs(dim=-1)),
    ("act.relu", F.relu, None),  # (F.gelu is a finding: see the torch pack's F.gelu job)
    ("act.tanh", torch.tanh, None),
    ("attn.scaled_dot_product", F.scaled_dot_product_attention, None),
    ("loss.mse", lambda y, y_hat: F.mse_loss(y_hat, y, reduction="none").mean(-1), None),
]


@pytest.mark.parametrize(("formula", "impl", "adapter"), CORRECT, ids=[c[0] for c in CORRECT])
def test_correct_builtins_pass(formula, impl, adapter):
    result = mathcheck.check(formula, impl, adapter=adapter, examples=12,
                             dtypes=("float64", "float32", "float16", "bfloat16"))
    assert result.verdict == "pass", str(result)


def test_convention_difference_is_reported_as_its_variant():
    result = mathcheck.check("act.gelu", F.gelu, adapter=with_kwargs(approximate="tanh"),
                             examples=12, gradients=False, dtypes=("float64",))
    assert result.verdict == "variant" and result.variant == "tanh"
    assert "tanh" in str(result)


def test_assert_matches_shows_counterexample_and_variant():
    with pytest.raises(AssertionError) as info:
        mathcheck.assert_matches("act.softmax", softmax_no_max, **FAST)
    message = str(info.value)
    assert "act.softmax: fail" in message and "reproduce(" in message
    result = mathcheck.assert_matches("act.gelu", F.gelu, adapter=with_kwargs(approximate="tanh"),
                                      allow_variants=["tanh"], examples=8, gradients=False,
                                      dtypes=("float64",))
    assert result.variant == "tanh"


def test_numpy_implementations_are_checked_too():
    def np_softmax(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    assert mathcheck.check("act.softmax", np_softmax, backend="numpy", examples=8,
                           dtypes=("float64", "float32")).verdict == "pass"
