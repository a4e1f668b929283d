"""The textbook notations of linear algebra, calculus, probability, information theory and
embeddings: each proven equal to its entry's SymPy form at two size sets, and one planted
wrong notation per building block rejected (so a proof compares, never passes by itself)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import sympy as sp

from mathcheck.formulas import all_entries
from mathcheck.formulas._model import resolve
from mathcheck.symbolic import calculus as calc_forms
from mathcheck.symbolic import embeddings as emb_forms
from mathcheck.symbolic import information as info_forms
from mathcheck.symbolic import linalg as linalg_forms
from mathcheck.symbolic import numbers as num_forms
from mathcheck.symbolic import optimization as opt_forms
from mathcheck.symbolic import probability as prob_forms
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation import calculus as calc
from mathcheck.symbolic.notation import embeddings as emb
from mathcheck.symbolic.notation import information as info
from mathcheck.symbolic.notation import linalg as la
from mathcheck.symbolic.notation import notation_latex, prove_notation
from mathcheck.symbolic.notation import numbers as num
from mathcheck.symbolic.notation import optimization as opt
from mathcheck.symbolic.notation import probability as prob
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.calculus import Partial2
from mathcheck.symbolic.notation.linalg import (
    Adj,
    ByEntry,
    Det,
    Divisor,
    Dot,
    Guard,
    Inv,
    Ordered,
    Paren,
    Scalar,
    Scaled,
    Term,
    Terms,
    Tr,
    VNorm,
    XLog,
    mat,
    vec,
)
from mathcheck.symbolic.notation.optimization import Cases

MINE = ("linalg.", "calc.", "prob.", "info.", "emb.", "sim.")
#: Size sets where the default (2, then 3 for every size) does not fit the domain or the time.
SIZES: dict[str, list[dict[str, int]]] = {
    "linalg.rank": [{"d": 3, "r": 1, "k": 3}, {"d": 3, "r": 2, "k": 4}],
    "info.mutual_information": [{"m": 2, "n": 2}, {"m": 2, "n": 3}],
    "calc.jacobian": [{"m": 2, "n": 2}, {"m": 2, "n": 3}],
}


def _sizes(entry_id: str, form_builder: Any) -> list[dict[str, int]]:
    if entry_id in SIZES:
        return SIZES[entry_id]
    names = [name for name, p in inspect.signature(form_builder).parameters.items()
             if p.default is inspect.Parameter.empty]
    return [{name: size for name in names} for size in (2, 3)] if names else [{}]


ENTRIES = [e for e in all_entries() if e.id.startswith(MINE) and e.notation is not None]


def test_every_entry_of_these_sections_with_a_closed_form_has_a_notation():
    ids = {e.id for e in ENTRIES}
    assert len(ids) >= 46
    assert {"linalg.inverse", "calc.hessian", "prob.multivariate_gaussian",
            "info.mutual_information", "sim.cosine"} <= ids


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_notation_is_proven_equal_to_the_form(entry):
    builder, form_builder = resolve(entry.notation), resolve(entry.symbolic)
    status, detail = prove_notation(builder, form_builder, _sizes(entry.id, form_builder))
    assert status == "proven", detail
    text = notation_latex(builder())
    assert r"\operatorname{" + entry.id.split(".")[1] not in text  # no code names as heads


def test_tanh_as_exponentials_is_tanh():
    tanh, as_exp = calc.TANH_IDENTITY
    assert sp.simplify((tanh - as_exp).rewrite(sp.exp)) == 0


# --------------------------------------------------------------------------- planted errors

n = sp.Symbol("n", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, positive=True)


def _rejected(builder: Any, form_builder: Any, sizes: list[dict[str, int]]) -> None:
    status, detail = prove_notation(builder, form_builder, sizes, time_budget=5.0)
    assert status == "failed", detail


TWO = [{"n": 2}]  # one size set suffices to reject


def _cos_squared(n: Any = n) -> Notation:  # Dot, VNorm, Divisor: ‖a‖² in the denominator
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    cos = Tex(r"\cos\theta")
    return Notation(((cos, Dot(a, b) / Divisor(VNorm(a) ** 2 * VNorm(b), 1)),), cos,
                    {a: "a", b: "b"})


def _dot_swapped(n: Any = n) -> Notation:  # Dot with the wrong vector: a · a
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    s = Tex("s")
    return Notation(((s, Dot(a, a)),), s, {a: "a", b: "b"})


def _l1_for_l2(n: Any = n) -> Notation:  # VNorm(·, 1) where the form is ‖·‖₂
    a = vec(r"\mathbf{a}", n)
    s = Tex("s")
    return Notation(((s, VNorm(a, 1)),), s, {a: "a"})


def _projection_unnormalised(n: Any = n) -> Notation:  # Paren: ‖b‖ for ‖b‖²
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    proj = TexMatrix("p", n, 1)
    return Notation(((proj, Paren(Dot(a, b) / Divisor(VNorm(b), 1)) * b),), proj,
                    {a: "a", b: "b"})


def _inverse_transposed(n: Any = n) -> Notation:  # Adj, Det: adj(A)ᵀ/det A
    A = mat(r"\mathbf{A}", n, n)
    inv = TexMatrix("X", n, n)
    return Notation(((inv, sp.MatMul(1 / Divisor(Det(A), sp.nan), sp.Transpose(Adj(A)))),),
                    inv, {A: "A"})


def _trace_of_square(n: Any = n) -> Notation:  # Tr: tr(A²) for tr A
    A = mat(r"\mathbf{A}", n, n)
    t = Tex("t")
    return Notation(((t, Tr(sp.MatMul(A, A))),), t, {A: "A"})


def _transpose_not_transposed(m: Any = 2, n: Any = 2) -> Notation:  # ByEntry, Elem: A_ij
    A = mat(r"\mathbf{A}", m, n)
    T = TexMatrix("T", n, m)
    return Notation(((T, ByEntry(A.at(i, j), (i, j), n, m)),), T, {A: "A"})


def _dot_shifted(n: Any = n) -> Notation:  # Elem: a 0-based slip, a_i b_{i+1} (cyclic)
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    s = Tex("s")
    k = sp.Symbol("k", integer=True, positive=True)
    return Notation(((s, sp.Sum(a.at(k) * b.at(k % n + 1), (k, 1, n))),), s, {a: "a", b: "b"})


def _gaussian_wrong(n: Any = n, sign: int = 1, inverse: bool = True,
                    guard: bool = True) -> Notation:  # Scaled, Scalar, Inv, Guard
    x, mu = vec(r"\mathbf{x}", n), vec(r"\boldsymbol{\mu}", n)
    S = mat(r"\boldsymbol{\Sigma}", n, n)
    d = sp.MatAdd(x, -mu)
    middle = Inv(S) if inverse else S
    maha = Scalar(sp.MatMul(sp.Transpose(d), middle, d))
    value = Scaled(sp.Rational(-sign, 2), maha + sp.log(Det(S)) + n * sp.log(2 * sp.pi))
    lhs = Tex("L")
    rhs = Guard(value, Det(S) > 0) if guard else value
    return Notation(((lhs, rhs),), lhs, {x: "x", mu: "mu", S: "sigma"})


def _gaussian_plus_half(n: Any = n) -> Notation:
    return _gaussian_wrong(n, sign=-1)


def _gaussian_sigma_not_inverted(n: Any = n) -> Notation:
    return _gaussian_wrong(n, inverse=False)


def _bayes_unnormalised(n: Any = n) -> Notation:  # Term: the prior alone
    prior, lik = vec(r"\mathbf{p}", n), vec(r"\mathbf{l}", n)
    post = TexMatrix("q", n, 1)
    c = sp.Symbol("c", integer=True, positive=True)
    return Notation(((post, ByEntry(Term(prior, r"P(A_{#1})", i), (i, c), n, 1)),), post,
                    {prior: "prior", lik: "likelihood"})


def _entropy_in_bits(n: Any = n) -> Notation:  # XLog: −Σ p log₂ p, bits for the form's nats
    p = vec(r"\mathbf{p}", n)
    h = Tex("H")
    return Notation(((h, -sp.Sum(XLog(p.at(i), sp.log(p.at(i), 2)), (i, 1, n))),), h, {p: "p"})


def _hessian_first_order(n: Any = n) -> Notation:  # Partial2: ∂²f/∂x_i∂x_i on the diagonal
    x = vec(r"\mathbf{x}", n)
    f, H = Tex("f"), TexMatrix("H", n, n)
    lines = ((f, calc._rosenbrock(x, n)), (H, ByEntry(Partial2(f, x, i, i), (i, j), n, n)))
    return Notation(lines, H, {x: "x"})


PLANTED = [
    ("Dot/VNorm/Divisor", _cos_squared, linalg_forms.cosine_similarity, TWO),
    ("Dot", _dot_swapped, linalg_forms.dot, TWO),
    ("VNorm p=1", _l1_for_l2, linalg_forms.l2_norm, TWO),
    ("Paren", _projection_unnormalised, linalg_forms.projection, TWO),
    ("Adj/Det", _inverse_transposed, linalg_forms.inverse, TWO),
    ("Tr", _trace_of_square, linalg_forms.trace, TWO),
    ("ByEntry", _transpose_not_transposed, linalg_forms.transpose, [{"m": 2, "n": 2}]),
    ("Elem", _dot_shifted, linalg_forms.dot, TWO),
    ("Scaled/Guard", _gaussian_plus_half, prob_forms.multivariate_gaussian, TWO),
    ("Inv/Scalar", _gaussian_sigma_not_inverted, prob_forms.multivariate_gaussian, TWO),
    ("Term", _bayes_unnormalised, prob_forms.bayes, TWO),
    ("XLog", _entropy_in_bits, info_forms.entropy, TWO),
    ("Partial2", _hessian_first_order, calc_forms.hessian, TWO),
]


@pytest.mark.parametrize(("block", "builder", "form", "sizes"), PLANTED,
                         ids=[p[0] for p in PLANTED])
def test_planted_wrong_notation_is_rejected(block, builder, form, sizes):
    _rejected(builder, form, sizes)


def test_module_builders_print_with_symbolic_sizes():
    for module in (la, calc, prob, info, emb):
        for name, fn in vars(module).items():
            if (inspect.isfunction(fn) and fn.__module__ == module.__name__
                    and not name.startswith("_")
                    and inspect.signature(fn).return_annotation in ("Notation", Notation)):
                assert notation_latex(fn()), name
    assert emb_forms.cosine  # the embeddings section has its own cosine guard (‖a‖²‖b‖²)


# --------------------------------------------------------------------------- optimization, numbers
# The schedules, clipping, penalties and dropout (Cases, Ordered) and the numbers to know
# (Terms, Ordered): each wired entry proven, a planted slip rejected, the printed shape pinned.

WIRED_HERE = ("opt.clip_grad_norm", "sched.cosine", "sched.warmup_cosine", "reg.l2", "reg.l1",
              "reg.dropout", "num.gpt3_params", "num.llama2_70b_params", "num.fp16_memory",
              "num.int4_memory", "num.chinchilla_tokens", "num.attention_flops",
              "num.ffn_flops")


@pytest.mark.parametrize("entry_id", WIRED_HERE)
def test_wired_optimization_and_numbers_notation_is_proven(entry_id):
    entry = next(e for e in all_entries() if e.id == entry_id)
    assert entry.notation is not None, entry_id
    builder, form_builder = resolve(entry.notation), resolve(entry.symbolic)
    sizes = [{"n": 2}, {"n": 3}] if "n" in inspect.signature(builder).parameters else [{}]
    status, detail = prove_notation(builder, form_builder, sizes)
    assert status == "proven", detail
    text = notation_latex(builder())
    assert r"\operatorname{" not in text and r"\_" not in text  # no code names


T_, ETA = opt.T_, opt.ETA


def _cosine_half_period() -> Notation:  # cos(πt/(2T)): a quarter wave, not a half
    rhs = Cases.of((opt._cosine_decay(T_, 0, 2 * opt_forms.horizon), sp.Le(T_, opt_forms.horizon)),
                   (opt_forms.eta_min, sp.true))
    return Notation(((ETA, rhs),), ETA, {T_: "t"})


def _warmup_from_one() -> Notation:  # (t + 1)/T_w: the other codebases' warmup
    rhs = Cases.of(
        (Ordered(opt_forms.eta_max, T_ + 1) / opt_forms.warmup, sp.Lt(T_, opt_forms.warmup)),
        (opt._cosine_decay(T_, opt_forms.warmup, opt_forms.horizon - opt_forms.warmup),
         sp.Le(T_, opt_forms.horizon)),
        (opt_forms.eta_min, sp.true))
    return Notation(((ETA, rhs),), ETA, {T_: "t"})


def _clip_not_normalised(n: Any = n) -> Notation:  # c·g_i, not c·g_i/‖g‖
    good = opt.clip_grad_norm(n)
    (norm, first), (clipped, _) = good.lines
    g, k = opt.G_, opt.I_
    rhs = Cases.of((g[k], sp.Le(norm, opt_forms.max_norm)), (opt_forms.max_norm * g[k], sp.true))
    return Notation(((norm, first), (clipped, rhs)), clipped, good.inputs, index=good.index)


def _dropout_scaled_by_p() -> Notation:  # m h/p: the kept fraction is 1 − p
    h, mask, out = Tex("h"), Tex("m"), Tex(r"\tilde{h}")
    return Notation(((out, Ordered(mask, h) / opt_forms.p),), out, {h: "h", mask: "mask"})


def _l1_squared(n: Any = n) -> Notation:  # λΣθ² where the form is λΣ|θ|
    return opt.l2(n)


def _gpt_layer_12d(*_: Any) -> Notation:  # 12d² + 12d per layer: the LayerNorms' 4d dropped
    d = num_forms.d
    good = num.gpt_params()
    (layer, _), params_line = good.lines
    return Notation(((layer, Terms(Ordered(12, d**2), Ordered(12, d))), params_line),
                    good.result, {})


def _ffn_one_matmul() -> Notation:  # 2 n d d_ff: half the FFN
    flops = Tex("F")
    return Notation(((flops, Ordered(2, num_forms.n, num_forms.d, num_forms.d_ff)),), flops, {})


PLANTED_HERE = [
    ("Cases/Ordered cosine", _cosine_half_period, opt_forms.cosine, [{}]),
    ("Cases warmup", _warmup_from_one, opt_forms.warmup_cosine, [{}]),
    ("Cases clip", _clip_not_normalised, opt_forms.clip_grad_norm, TWO),
    ("Ordered dropout", _dropout_scaled_by_p, opt_forms.dropout, [{}]),
    ("l2 for l1", _l1_squared, opt_forms.l1, TWO),
    ("Terms gpt", _gpt_layer_12d, num_forms.gpt_params, [{}]),
    ("Ordered ffn", _ffn_one_matmul, num_forms.ffn_flops, [{}]),
]


@pytest.mark.parametrize(("block", "builder", "form", "sizes"), PLANTED_HERE,
                         ids=[p[0] for p in PLANTED_HERE])
def test_planted_wrong_optimization_and_numbers_notation_is_rejected(block, builder, form,
                                                                      sizes):
    _rejected(builder, form, sizes)


def test_schedules_print_as_cases_with_the_conditions_as_written():
    cosine = notation_latex(opt.cosine())
    assert cosine.count(r"\text{if }") == 1 and r"\text{otherwise}" in cosine
    assert r"t \leq T" in cosine and r"\tfrac{1}{2} \left(\eta_{\mathrm{max}}" in cosine
    warmup = notation_latex(opt.warmup_cosine())
    assert warmup.count(r"\text{if }") == 2 and r"t < T_{w}" in warmup
    assert r"\frac{\eta_{\mathrm{max}} t}{T_{w}}" in warmup
    clip = notation_latex(opt.clip_grad_norm())
    assert clip.count("&=") == 2 and r"\lVert\mathbf{g}\rVert \leq c" in clip
    assert notation_latex(opt.dropout()) == r"\tilde{h} = \frac{m h}{1 - p}"


def test_numbers_print_in_the_papers_order():
    gpt = notation_latex(num.gpt_params())
    assert gpt.count("&=") == 2
    assert r"N_{\mathrm{layer}} &= 12 d^{2} + 13 d" in gpt
    assert r"L N_{\mathrm{layer}} + \left(V + T\right) d + 2 d" in gpt
    assert notation_latex(num.attention_flops()) == r"\mathrm{FLOPs}_{\mathrm{attn}} = 2 n^{2} d"
    assert notation_latex(num.ffn_flops()).endswith(r"= 2 \cdot 2 n d d_{\mathrm{ff}}")
    assert notation_latex(num.memory()) == "M = N b"


def test_written_order_nodes_evaluate_as_sympy_would():
    x, y = sp.symbols("x y", positive=True)
    assert Ordered(sp.Rational(1, 2), x + 1, y).doit() == (x + 1) * y / 2
    assert Terms(y, x, 2).doit() == x + y + 2
    cases = Cases.of((x, sp.Le(x, y)), (y, sp.true))
    assert cases.doit() == sp.Piecewise((x, x <= y), (y, True))
    assert cases.xreplace({y: 3}).doit().subs(x, 5) == 3  # rebuilt from flat args
