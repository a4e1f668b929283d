"""Section 17 · Numbers to know: the counts, and the checks that confirm them on real models."""

from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.numeric.checks import numbers as checks
from mathcheck.outcome import CheckContext
from mathcheck.symbolic import numbers as sym

CTX = CheckContext("torch", "float64", "cpu", 0, 20)


def test_gpt3_count():
    assert checks.gpt_param_count(checks.GPT3) == 174_604_259_328


def test_llama2_70b_count_with_and_without_gqa():
    assert checks.llama_param_count(checks.LLAMA2_70B) == 68_976_648_192
    assert checks.llama_param_count(checks.LLAMA2_70B, kv_heads=64) == 78_371_889_152


def test_symbolic_counts_agree_with_integer_counts():
    g = sym.gpt_params()
    c = checks.GPT3
    value = g.expr.subs(
        {g.args["d"]: c.d, g.args["L"]: c.layers, g.args["V"]: c.vocab, g.args["T"]: c.ctx}
    )
    assert value == checks.gpt_param_count(c)
    m = sym.llama_params()
    ll = checks.LLAMA2_70B
    value = m.expr.subs(
        {
            m.args["d"]: ll.d,
            m.args["L"]: ll.layers,
            m.args["V"]: ll.vocab,
            m.args["d_ff"]: ll.d_ff,
            m.args["h_kv"]: ll.kv_heads,
            m.args["d_head"]: ll.d // ll.heads,
        }
    )
    assert value == checks.llama_param_count(ll)


def test_flop_identities():
    for build in (sym.ffn_flops_at_4d, sym.swiglu_flops_at_8d_over_3):
        eq = build()
        assert sp.simplify(eq.lhs - eq.rhs) == 0


def test_chinchilla_parametric_ratio_grows_with_compute():
    ratios = [checks.parametric_ratio(c)[2] for c in (1e21, 1e23, 1e25)]
    assert ratios == sorted(ratios) and ratios[0] > 20


@pytest.mark.parametrize(
    "name",
    [
        "gpt3_params",
        "llama2_70b_params",
        "fp16_memory",
        "int4_memory",
        "chinchilla_tokens",
        "attention_flops",
        "ffn_flops",
    ],
)
def test_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status == "passed", outcome.detail


@pytest.mark.parametrize("name", ["batch_size", "learning_rate"])
def test_underivable_figures_are_marked(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status == "skipped" and "not derivable" in outcome.detail
