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
from mathcheck.symbolic import probability as prob_forms
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation import calculus as calc
from mathcheck.symbolic.notation import embeddings as emb
from mathcheck.symbolic.notation import information as info
from mathcheck.symbolic.notation import linalg as la
from mathcheck.symbolic.notation import notation_latex, prove_notation
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
    Paren,
    Scalar,
    Scaled,
    Term,
    Tr,
    VNorm,
    XLog,
    mat,
    vec,
)

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
