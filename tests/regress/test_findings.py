"""Per-dtype verdicts and precision findings: a correct algorithm computing in fp32, a NaN in
one dtype beside a match in the others, and `allow_findings` as the explicit acceptance."""

from __future__ import annotations

import math

import pytest
import torch

import mathcheck
from mathcheck.errors import InvalidInputError
from mathcheck.regress._findings import NEAR_MISS, closest

SMALL = {"examples": 5, "inputs": 1000, "gradients": False, "isolate": False}
RANGES = {"x": (-1e3, 1e3)}


def llama_rms_norm(x, gamma, eps):
    """Hugging Face LlamaRMSNorm: the statistics in fp32 whatever the input dtype."""
    dtype = x.dtype
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return gamma * h.to(dtype)


def test_fp32_internally_is_a_named_finding_beside_a_pass_in_fp32():
    result = mathcheck.check("norm.rms_norm", llama_rms_norm, dtypes=("float64", "float32"),
                             ranges=RANGES, **SMALL)
    assert result.verdict == "fail"
    assert result.per_dtype == {"float64/cpu": "fail", "float32/cpu": "pass"}
    (finding,) = result.findings
    assert finding.kind == "internal_precision" and finding.where == "float64/cpu"
    assert "behaves like float32 internally for float64 inputs" in str(result)


def test_allow_findings_accepts_only_the_kind_named():
    options = {"dtypes": ("float64", "float32"), "ranges": RANGES, **SMALL}
    with pytest.raises(AssertionError, match="internal_precision"):
        mathcheck.assert_matches("norm.rms_norm", llama_rms_norm, **options)
    with pytest.raises(AssertionError):
        mathcheck.assert_matches("norm.rms_norm", llama_rms_norm, allow_findings=["nonfinite"],
                                 **options)
    result = mathcheck.assert_matches("norm.rms_norm", llama_rms_norm,
                                      allow_findings=["internal_precision"], **options)
    assert result.verdict == "fail"  # accepted by the caller, still not a pass
    with pytest.raises(InvalidInputError, match="unknown finding kind"):
        mathcheck.assert_matches("norm.rms_norm", llama_rms_norm, allow_findings=["fp32"],
                                 **options)


def test_a_wrong_formula_is_not_explained_as_lower_precision():
    def wrong(x, gamma, eps):  # the mean subtracted: another formula, in every dtype
        c = x - x.mean(-1, keepdim=True)
        return gamma * c * torch.rsqrt(c.pow(2).mean(-1, keepdim=True) + eps)

    result = mathcheck.check("norm.rms_norm", wrong, dtypes=("float64", "float32"),
                             ranges=RANGES, **SMALL)
    assert result.verdict == "fail" and not result.findings
    with pytest.raises(AssertionError):
        mathcheck.assert_matches("norm.rms_norm", wrong, dtypes=("float64", "float32"),
                                 ranges=RANGES, allow_findings=["internal_precision",
                                                                "over_budget"], **SMALL)


def test_nan_in_one_dtype_names_the_underflowing_parameter():
    def adam_step_in_dtype(theta, m, v, g, lr, beta1, beta2, eps, t):
        """One Adam step computed in the state's own dtype (ε = 1e-8 is 0 in fp16)."""
        m2 = beta1 * m + (1 - beta1) * g
        v2 = beta2 * v + (1 - beta2) * g * g
        mh = m2 / -math.expm1(t * math.log(beta1))  # 1 − βᵗ without cancellation
        vh = v2 / -math.expm1(t * math.log(beta2))
        return torch.stack((theta - lr * mh / (vh.sqrt() + eps), m2, v2), dim=-2)

    result = mathcheck.check("opt.adam", adam_step_in_dtype, params={"eps": 1e-8},
                             dtypes=("float64", "float16"), **SMALL)
    assert result.per_dtype["float64/cpu"] == "pass"
    assert result.per_dtype["float16/cpu"] == "fail"
    kinds = {f.kind: f for f in result.findings}
    assert "eps = 1e-08 underflows to 0 in float16" in kinds["nonfinite"].text


def test_closest_convention_needs_to_be_close_and_closer():
    assert closest({"tanh": 3.0}, 1e6, 2.0).startswith("closest convention: tanh")
    assert closest({"tanh": NEAR_MISS * 2.0 + 1}, 1e9, 2.0) is None  # not close
    assert closest({"tanh": 100.0}, 120.0, 2.0) is None  # not much closer than canonical
