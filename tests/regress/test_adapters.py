"""Adapters: the module docstring's examples run as written and pass; each adapter fits the
signature it is for, composes, and reports its own failures as adapter errors."""

from __future__ import annotations

import functools
import re

import pytest
import torch

import mathcheck
from mathcheck.errors import InvalidInputError
from mathcheck.regress import _adapters
from mathcheck.regress._adapters import (
    AdapterError,
    cast_output,
    chain,
    from_spec,
    layout,
    module,
    per_row,
    rename,
    shared,
    with_kwargs,
)

SMALL = {"dtypes": ("float64", "float32"), "examples": 5, "inputs": 1000, "gradients": False}


def _docstring_examples() -> str:
    doc = _adapters.__doc__ or ""
    block = doc.split("tests/regress/test_adapters.py):", 1)[1].split("\nAnything else", 1)[0]
    lines = [line[4:] if line.startswith("    ") else line for line in block.splitlines()]
    return "\n".join(lines)


def test_docstring_examples_run_as_written_and_pass():
    results = []

    def check(*args, **kwargs):
        result = mathcheck.check(*args, **{**SMALL, **kwargs})
        results.append(result)
        return result

    code = _docstring_examples()
    assert code.count("check(") >= 6
    # the examples' own `from mathcheck import check` is replaced by the small-effort one
    code = re.sub(r"^from mathcheck import check$", "", code, flags=re.M)
    exec(compile(code, "mathcheck/regress/_adapters.py (docstring)", "exec"), {"check": check})
    assert len(results) >= 6
    assert all(r.verdict == "pass" for r in results), "\n".join(map(str, results))


def _check(formula, impl, adapter, **kw):
    return mathcheck.check(formula, impl, adapter=adapter, isolate=False, **{**SMALL, **kw})


def test_per_row_gives_each_call_one_row_and_falls_back_to_a_loop():
    seen = set()

    def one_row_with_item(z):  # .item() cannot be vmapped: the loop fallback runs it
        seen.add(z.ndim)
        e = torch.exp(z - z.max().item())
        return e / e.sum()

    assert _check("act.softmax", one_row_with_item, per_row()).verdict == "pass"
    assert seen == {1}


def test_shared_weight_without_the_adapter_is_a_failure_not_a_pass():
    def rms(x, weight, eps):
        if weight.ndim != 1:
            raise ValueError("weight must be 1-D")
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight

    ranges = {"x": (-1e3, 1e3)}
    assert _check("norm.rms_norm", rms, None, ranges=ranges).verdict == "fail"
    assert _check("norm.rms_norm", rms, shared("gamma"), ranges=ranges).verdict == "pass"


def test_module_without_state_ignores_the_canonical_weights_and_fails():
    adapter = module(normalized_shape="$n", eps="$eps")  # weight stays ones, gamma is drawn
    result = _check("norm.rms_norm", torch.nn.RMSNorm, adapter, ranges={"x": (-1e3, 1e3)})
    assert result.verdict == "fail"


def test_layout_is_checked_against_the_wrong_one():
    def bshd(q, k, v):
        out = torch.nn.functional.scaled_dot_product_attention(
            *(t.transpose(1, 2) for t in (q, k, v)))
        return out.transpose(1, 2)

    assert _check("attn.scaled_dot_product", bshd, layout("bshd")).verdict == "pass"
    assert _check("attn.scaled_dot_product", bshd, layout("bhsd")).verdict == "fail"


def test_cast_output_is_what_makes_an_fp32_result_fit():
    def up(z):
        return torch.softmax(z.float(), -1)

    assert _check("act.softmax", up, cast_output(), dtypes=("float64",)).verdict == "fail"
    assert _check("act.softmax", up, cast_output(), dtypes=("float16",)).verdict == "pass"


def test_adapter_failures_are_adapter_errors_not_verdicts():
    bad_state = module(normalized_shape="$n", state={"weights": "gamma"})
    with pytest.raises(AdapterError, match="no parameter or buffer 'weights'"):
        _check("norm.rms_norm", torch.nn.RMSNorm, bad_state)
    with pytest.raises(AdapterError, match="names no canonical input"):
        _check("norm.rms_norm", torch.nn.RMSNorm, module(normalized_shape="$width"))
    with pytest.raises(AdapterError, match="shared"):
        _check("norm.rms_norm", torch.nn.RMSNorm, shared("weight"))
    assert issubclass(AdapterError, InvalidInputError)  # exit code 2


def test_composition_order_and_conventions_last():
    calls = []

    def impl(input, dim):
        calls.append(dim)
        return torch.softmax(input, dim)

    adapter = with_kwargs(dim=-1) | rename(z="input")
    assert _check("act.softmax", impl, adapter).verdict == "pass" and calls
    with pytest.raises(InvalidInputError, match="must come last"):
        chain(rename(z="input"), with_kwargs(dim=-1))


def test_from_spec_builds_the_same_adapters_and_names_bad_keys():
    adapter = from_spec([{"kwargs": {"dim": -1}}, {"rename": {"z": "input"}}], "targets[0]")
    assert _check("act.softmax", lambda input, dim: torch.softmax(input, dim),
                  adapter).verdict == "pass"
    with pytest.raises(InvalidInputError, match=r"targets\[0\]\[0\]\.vmap: unknown adapter 'vmap'"):
        from_spec([{"vmap": True}], "targets[0]")
    with pytest.raises(InvalidInputError, match=r"\[0\]\.per_row: write per_row = true"):
        from_spec([{"per_row": "yes"}], "adapters")
    with pytest.raises(InvalidInputError, match="one-key tables"):
        from_spec([], "adapters")


def test_plain_callables_still_work_as_adapters():
    adapter = functools.partial(lambda impl: (lambda z: impl(z, dim=-1)))
    assert _check("act.softmax", torch.softmax, adapter).verdict == "pass"
