"""Section 15 · Backpropagation and initialisation, in layer notation (superscript l)."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.backprop import n_in, n_out
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Apply, Notation

M, N = sp.Symbol("m", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
_U = sp.Symbol("u", real=True)
TANH_PRIME = sp.Lambda(_U, 1 - sp.tanh(_U) ** 2)
WHERE_TANH = "σ′ of the activation σ = tanh: σ′(u) = 1 − tanh²(u), elementwise"


def delta(m: int | sp.Symbol = M, n: int | sp.Symbol = N) -> Notation:
    w = TexMatrix(r"\mathbf{W}^{(l+1)}", m, n)
    d_next = TexMatrix(r"\boldsymbol{\delta}^{(l+1)}", m, 1)
    z = TexMatrix(r"\mathbf{z}^{(l)}", n, 1)
    d = TexMatrix(r"\boldsymbol{\delta}^{(l)}", n, 1)
    rhs = sp.HadamardProduct(w.T * d_next, Apply(TANH_PRIME, z, r"\sigma'"))
    return Notation(((d, rhs),), d, {w: "W", d_next: "delta_next", z: "z"}, where=WHERE_TANH)


def weight_grad(m: int | sp.Symbol = M, n: int | sp.Symbol = N) -> Notation:
    d = TexMatrix(r"\boldsymbol{\delta}^{(l)}", m, 1)
    a = TexMatrix(r"\mathbf{a}^{(l-1)}", n, 1)
    grad = TexMatrix(r"\frac{\partial \mathcal{L}}{\partial \mathbf{W}^{(l)}}", m, n)
    return Notation(((grad, d * a.T),), grad, {d: "delta", a: "a_prev"})


def bias_grad(m: int | sp.Symbol = M) -> Notation:
    d = TexMatrix(r"\boldsymbol{\delta}^{(l)}", m, 1)
    grad = TexMatrix(r"\frac{\partial \mathcal{L}}{\partial \mathbf{b}^{(l)}}", m, 1)
    return Notation(((grad, d),), grad, {d: "delta"})


VAR_W = Tex(r"\operatorname{Var}(W_{ij})")


def xavier() -> Notation:
    return Notation(((VAR_W, 2 / (n_in + n_out)),), VAR_W, {},
                    where="Glorot & Bengio: preserves the variance forward and backward")


def he() -> Notation:
    return Notation(((VAR_W, 2 / n_in),), VAR_W, {}, where="He et al., for ReLU layers")
