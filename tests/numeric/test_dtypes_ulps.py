"""The ulp rule, rounding to each format, and error measurement against double-doubles."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mathcheck.errors import InvalidInputError, NotSupportedError
from mathcheck.numeric import canonical, fmt, numpy_dtype, round_to, ulp, ulp_errors


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_ulp_matches_numpy_spacing(dtype):
    values = np.array([1.0, 0.75, 3.0, 1000.0, 1e-3], dtype=dtype)
    assert np.array_equal(ulp(values.astype(np.float64), dtype),
                          np.spacing(values).astype(np.float64))


def test_ulp_below_the_normal_range_is_the_subnormal_spacing():
    assert ulp(np.array([1e-320]), "float64")[0] == 2.0**-1074
    assert ulp(np.array([0.0]), "float16")[0] == 2.0**-24


def test_bfloat16_rounding_matches_torch():
    values = np.random.default_rng(0).standard_normal(1000) * 1e3
    expected = torch.tensor(values, dtype=torch.float32).to(torch.bfloat16).double().numpy()
    assert np.array_equal(round_to(values, "bfloat16"), expected)
    assert fmt("bf16").eps == 2.0**-7


def test_ulp_errors_handle_overflow_and_nan():
    hi = np.array([1.0, 1e300, 1.0])
    lo = np.zeros(3)
    computed = np.array([1.0 + 2**-23, np.inf, np.nan])
    err = ulp_errors(computed, hi, lo, np.abs(hi), "float32")
    assert err[0] == pytest.approx(1.0)
    assert err[1] == 0.0  # exact value overflows float32: +inf is right
    assert err[2] == np.inf  # NaN is never right


def test_double_double_exact_value_is_used():
    # 1/3 in fp64 is off from the exact 1/3 by ~1.85e-17: the lo word must catch that.
    hi, lo = np.array([1 / 3]), np.array([1 / 3 - float.fromhex("0x1.5555555555555p-2")])
    lo = np.array([1.850371707708594e-17])
    err = ulp_errors(np.array([1 / 3]), hi, lo, hi, "float64")
    assert 0.3 < err[0] < 0.4


def test_dtype_names():
    assert canonical("fp16") == "float16"
    with pytest.raises(InvalidInputError, match="unknown dtype"):
        canonical("fp8")
    with pytest.raises(NotSupportedError):
        numpy_dtype("bfloat16")
