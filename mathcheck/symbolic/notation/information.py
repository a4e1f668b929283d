"""Section 10 · Information theory, as the field writes it: H(p), H(p, q), D_KL(p ‖ q),
perplexity and I(X; Y) as sums over outcomes, natural log (nats), with the convention
0 log 0 = 0 (Goodfellow et al., §3.13; Cover & Thomas, ch. 2).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import ByEntry, Term, XLog, mat, vec

n, m, T = sp.symbols("n m T", integer=True, positive=True)
i, j, c, t = sp.symbols("i j c t", integer=True, positive=True)
ZERO_LOG = "0 log 0 = 0 (a term with p_i = 0 contributes 0)"

H_P, H_PQ, KL = Tex(r"H(p)"), Tex(r"H(p, q)"), Tex(r"D_{\mathrm{KL}}(p \parallel q)")


def _pq(n: Any) -> tuple[Any, Any, dict[sp.Basic, str]]:
    p, q = vec(r"\mathbf{p}", n), vec(r"\mathbf{q}", n)
    return p, q, {p: "p", q: "q"}


def _entropy(p: Any, n: Any) -> sp.Expr:
    return -sp.Sum(XLog(p.at(i), sp.log(p.at(i))), (i, 1, n))


def _cross_entropy(p: Any, q: Any, n: Any) -> sp.Expr:
    return -sp.Sum(XLog(p.at(i), sp.log(q.at(i))), (i, 1, n))


def _kl(p: Any, q: Any, n: Any) -> sp.Expr:
    return sp.Sum(XLog(p.at(i), sp.log(p.at(i)) - sp.log(q.at(i))), (i, 1, n))


def entropy(n: Any = n) -> Notation:
    p = vec(r"\mathbf{p}", n)
    return Notation(((H_P, _entropy(p, n)),), H_P, {p: "p"}, where=ZERO_LOG)


def cross_entropy(n: Any = n) -> Notation:
    p, q, inputs = _pq(n)
    return Notation(((H_PQ, _cross_entropy(p, q, n)),), H_PQ, inputs,
                    where=ZERO_LOG + "; q_i = 0 where p_i > 0 gives +∞")


def kl(n: Any = n) -> Notation:
    p, q, inputs = _pq(n)
    return Notation(((KL, _kl(p, q, n)),), KL, inputs,
                    where="= Σᵢ p_i log(p_i/q_i) for p, q > 0; " + ZERO_LOG)


def ce_decomposition(n: Any = n) -> Notation:
    p, q, inputs = _pq(n)
    lines = ((H_P, _entropy(p, n)), (KL, _kl(p, q, n)), (H_PQ, H_P + KL))
    return Notation(lines, H_PQ, inputs, where=ZERO_LOG)


def perplexity(T: Any = T) -> Notation:
    logp = vec(r"\boldsymbol{\ell}", T)
    ppl = Tex(r"\mathrm{PPL}")
    mean = sp.Sum(Term(logp, r"\log P(x_{#1} \mid x_{<#1})", t), (t, 1, T)) / T
    return Notation(((ppl, sp.exp(-mean)),), ppl, {logp: "logp"},
                    where="the model's log-probability of each of the T tokens given those "
                          "before it")


def mutual_information(m: Any = m, n: Any = n) -> Notation:
    P = mat(r"\mathbf{P}", m, n)
    joint = TexMatrix(r"P(x_i, y_j)", m, n)
    px, py = TexMatrix(r"P(x_i)", m, 1), TexMatrix(r"P(y_j)", n, 1)
    k, l_ = sp.symbols("k l", integer=True, positive=True)
    total = sp.Sum(P.at(k, l_), (k, 1, m), (l_, 1, n))

    def pxy(a: Any, b: Any) -> Term:
        return Term(joint, r"P(x_{#1}, y_{#2})", a, b)

    mi = Tex(r"I(X; Y)")
    ratio = pxy(i, j) / (Term(px, "P(x_{#1})", i) * Term(py, "P(y_{#1})", j))
    lines = (
        (joint, ByEntry(P.at(i, j) / total, (i, j), m, n)),
        (px, ByEntry(sp.Sum(pxy(i, j), (j, 1, n)), (i, c), m, 1)),
        (py, ByEntry(sp.Sum(pxy(i, j), (i, 1, m)), (j, c), n, 1)),
        (mi, sp.Sum(XLog(pxy(i, j), sp.log(ratio)), (i, 1, m), (j, 1, n))),
    )
    return Notation(lines, mi, {P: "P"},
                    where="P: the m × n table of joint weights, normalised by its sum; "
                          "I(X; Y) = H(X) − H(X | Y); " + "0 log 0 = 0")
