"""Section 17 · Numbers to know: wrong conventions the checks must reject.

The section's claims are identities and checks over counts; planted here: the FLOP identity
in multiply-adds (a factor of 2 off), and parameter-count formulas missing a term, which the
real-model comparison must catch.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from mathcheck.formulas import Identity, get
from mathcheck.numeric.checks import numbers
from mathcheck.symbolic import Equation
from mathcheck.symbolic import numbers as sym
from tests.crosscheck.planted import QUICK, run, statuses

FP64 = dataclasses.replace(QUICK, dtypes=("float64",))


def test_identity_rejects_ffn_flops_counted_in_multiply_adds():
    entry = get("num.ffn_flops")

    def macs(**_: int) -> Equation:
        return Equation(
            (sym.n * sym.d * sym.d_ff * 2).subs(sym.d_ff, 4 * sym.d), 16 * sym.n * sym.d**2
        )

    results = run(dataclasses.replace(entry, claims=(Identity("planted", macs),)), FP64)
    assert statuses(results) == {"failed"}


def test_identity_rejects_swiglu_with_d_ff_4d():
    entry = get("num.ffn_flops")

    def wrong(**_: int) -> Equation:
        return Equation(
            (3 * 2 * sym.n * sym.d * sym.d_ff).subs(sym.d_ff, 4 * sym.d), 16 * sym.n * sym.d**2
        )

    results = run(dataclasses.replace(entry, claims=(Identity("planted", wrong),)), FP64)
    assert statuses(results) == {"failed"}


def test_real_model_count_rejects_a_formula_without_biases():
    small = numbers.Gpt(d=48, layers=3, heads=4, vocab=101, ctx=32)
    real = numbers._numel(numbers._tiny_gpt(small))
    no_bias = small.layers * 12 * small.d**2 + (small.vocab + small.ctx) * small.d
    assert real == numbers.gpt_param_count(small) and real != no_bias


def test_real_model_count_rejects_llama_without_gqa():
    small = numbers.Llama(d=64, layers=2, heads=8, kv_heads=2, d_ff=176, vocab=97)
    real = numbers._numel(numbers._tiny_llama(small))
    assert real == numbers.llama_param_count(small)
    assert real != numbers.llama_param_count(small, kv_heads=small.heads)


def test_symbolic_identity_is_proven_for_the_catalog():
    results = run(
        dataclasses.replace(
            get("num.ffn_flops"),
            claims=tuple(c for c in get("num.ffn_flops").claims if c.kind == "identity"),
        ),
        FP64,
    )
    assert statuses(results) == {"proven"}
    assert sp.simplify(sym.ffn_flops_at_4d().lhs - 16 * sym.n * sym.d**2) == 0
