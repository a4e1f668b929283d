"""What the caller states about the implementation: its parameter values (`params=`) reach
every claim, kinks included, and `ranges=` narrows where inputs and parameters are drawn."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import mathcheck
from mathcheck.errors import InvalidInputError

SMALL = {"examples": 5, "inputs": 1000, "dtypes": ("float64", "float32"), "isolate": False}


def test_a_stated_slope_is_the_subgradient_the_kink_claim_expects():
    assert mathcheck.check("act.leaky_relu", lambda x, alpha: F.leaky_relu(x, alpha),
                           params={"alpha": 0.2}, **SMALL).verdict == "pass"
    fixed = mathcheck.check("act.leaky_relu", lambda x, alpha: F.leaky_relu(x, 0.01),
                            params={"alpha": 0.2}, **SMALL)
    assert fixed.verdict == "fail"


def test_ranges_narrow_the_inputs_and_only_then_does_an_overflowing_norm_pass():
    def rms(x, gamma, eps):  # x² overflows beyond |x| ≈ 1.3e154 in fp64
        return gamma * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)

    options = {**SMALL, "dtypes": ("float64",), "gradients": False}
    assert mathcheck.check("norm.rms_norm", rms, **options).verdict != "pass"
    narrowed = mathcheck.check("norm.rms_norm", rms, ranges={"x": (-1e3, 1e3)}, **options)
    assert narrowed.verdict == "pass", str(narrowed)


def test_a_parameter_range_is_where_the_parameter_is_drawn():
    def huber_ignoring_delta(y, y_hat, delta):  # right only at δ = 1
        r = (y - y_hat).abs()
        return torch.where(r <= 1.0, 0.5 * r * r, r - 0.5)  # elementwise, like the entry

    options = {**SMALL, "gradients": False}
    assert mathcheck.check("loss.huber", huber_ignoring_delta, ranges={"delta": (1.0, 1.0)},
                           **options).verdict == "pass"
    assert mathcheck.check("loss.huber", huber_ignoring_delta, **options).verdict == "fail"


@pytest.mark.parametrize(("ranges", "params", "message"), [
    ({"w": (0, 1)}, {}, "no size, parameter or input named"),
    ({"x": (1, 0)}, {}, "low ≤ high"),
    ({"x": "wide"}, {}, "low ≤ high"),
    ({"eps": (1e-8, 1e-5)}, {"eps": 1e-6}, "both a value and a range"),
])
def test_bad_ranges_are_usage_errors(ranges, params, message):
    with pytest.raises(InvalidInputError, match=message):
        mathcheck.check("norm.rms_norm", torch.nn.functional.rms_norm, ranges=ranges,
                        params=params, **SMALL)
