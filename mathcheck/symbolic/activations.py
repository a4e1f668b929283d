"""Section 4 · Activations: SymPy forms and the derivatives the cheatsheet states."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import SymForm, real, vector

x = real("x")


def sigmoid() -> SymForm:
    return SymForm(1 / (1 + sp.exp(-x)), {"x": x})


def d_sigmoid_stated(form: SymForm) -> sp.Expr:
    """σ(x)(1 − σ(x))."""
    return form.expr * (1 - form.expr)


def softmax(n: int) -> SymForm:
    z = vector("z", n)
    e = z.applyfunc(sp.exp)
    return SymForm(e / sum(e), {"z": z})


def d_softmax_stated(form: SymForm) -> sp.Matrix:
    """The Jacobian s_i(δ_ij − s_j)."""
    s = form.expr
    n = s.shape[0]
    return sp.Matrix(n, n, lambda i, j: s[i] * (sp.KroneckerDelta(i, j) - s[j]))


def log_softmax(n: int) -> SymForm:
    z = vector("z", n)
    return SymForm(z - sp.ones(n, 1) * sp.log(sum(z.applyfunc(sp.exp))), {"z": z})
