"""Section 2 · Calculus, as the field writes it: the functions of the derivative table and of
the three rules named f, g, h; the Rosenbrock function as a sum over its coordinates, its
Hessian by definition, H_ij = ∂²f/∂x_i∂x_j (Goodfellow et al., §4.3).

The forms compute the functions (their derivatives are claims, printed by the reference
below the main display), so these displays are the functions themselves: only the Hessian's
form is a derivative, and its display is the definition applied to f.

Building block: `Partial2(f, x, i, j)`, ∂²f/∂x_i∂x_j (1-based), evaluated by differentiating
the expression f is bound to.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.calculus import n_exp
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Apply, Notation
from mathcheck.symbolic.notation.linalg import ByEntry, mat, vec

X = Tex("x")
F_X, G_X, H_X = Tex("f(x)"), Tex("g(x)"), Tex("h(x)")
n, m = sp.symbols("n m", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, positive=True)


class Partial2(sp.Expr):
    """∂²f/∂x_i∂x_j: f a scalar named by its LaTeX, x a vector, i, j 1-based indices."""

    is_commutative = True

    def __new__(cls, f: Any, x: Any, i: Any, j: Any, name: Any = "f") -> Any:
        i, j = sp.sympify(i), sp.sympify(j)
        name = name if isinstance(name, sp.Symbol) else sp.Symbol(name)
        if isinstance(x, sp.MatrixBase) and i.is_Integer and j.is_Integer:
            return sp.diff(f, x[int(i) - 1], x[int(j) - 1])
        return super().__new__(cls, f, x, i, j, name)

    def _latex(self, printer: Any) -> str:
        _, x, i, j, name = self.args
        letter = r"x" if not hasattr(x, "name") else x.name.replace(r"\mathbf{", "").rstrip("}")
        wrt = [f"\\partial {letter}_{{{printer._print(k)}}}" for k in (i, j)]
        top = r"\partial^{2} " + name.name
        bottom = " ".join(wrt) if i != j else f"\\partial {letter}_{{{printer._print(i)}}}^{{2}}"
        return r"\frac{" + top + "}{" + bottom + "}"


def _scalar(rhs: sp.Expr, where: str = "") -> Notation:
    return Notation(((F_X, rhs),), F_X, {X: "x"}, where=where)


def power() -> Notation:
    return _scalar(X**n_exp, "x > 0, any real exponent n")


def exp() -> Notation:
    return _scalar(sp.exp(X))


def log() -> Notation:
    return _scalar(sp.log(X), "x > 0; log is the natural logarithm")


def chain_rule() -> Notation:
    """g(x) = x², f(u) = log(1 + u): the composite f(g(x))."""
    fg = Tex(r"f\left(g(x)\right)")
    lines = ((G_X, X**2), (fg, sp.log(1 + G_X)))
    return Notation(lines, fg, {X: "x"}, where="f(u) = log(1 + u)")


def _two(combine: str) -> Notation:
    lines = ((F_X, X**2), (G_X, sp.exp(X)),
             (H_X, F_X * G_X if combine == "product" else F_X + G_X))
    return Notation(lines, H_X, {X: "x"}, where="x > 0")


def product_rule() -> Notation:
    return _two("product")


def sum_rule() -> Notation:
    return _two("sum")


def _rosenbrock(x: Any, n: Any) -> sp.Expr:
    k = sp.Symbol("i", integer=True, positive=True)
    term = 100 * (x.at(k + 1) - x.at(k) ** 2) ** 2 + (1 - x.at(k)) ** 2
    return sp.Sum(term, (k, 1, n - 1))


F_BOLD = Tex(r"f(\mathbf{x})")
_s = sp.Symbol("s", real=True)
TANH_AS_EXP = sp.Lambda(_s, 1 - 2 / (sp.exp(2 * _s) + 1))
TANH_IDENTITY = (sp.tanh(_s), TANH_AS_EXP(_s))  # equal: tanh s = 1 − 2/(e^{2s} + 1)


def gradient(n: Any = n) -> Notation:
    x = vec(r"\mathbf{x}", n)
    return Notation(((F_BOLD, _rosenbrock(x, n)),), F_BOLD, {x: "x"},
                    where="the Rosenbrock function, f: ℝⁿ → ℝ; its gradient "
                          "∇f(x) = (∂f/∂x₁, …, ∂f/∂xₙ)ᵀ is checked below")


def jacobian(m: Any = m, n: Any = n) -> Notation:
    W, x, b = mat(r"\mathbf{W}", m, n), vec(r"\mathbf{x}", n), vec(r"\mathbf{b}", m)
    f = TexMatrix(r"\mathbf{f}(\mathbf{x})", m, 1)
    # tanh s in the form's spelling 1 − 2/(e^{2s} + 1), the same function (`TANH_IDENTITY`,
    # proven in the tests): SymPy simplifies exponentials far faster than tanh
    rhs = Apply(TANH_AS_EXP, sp.MatAdd(sp.MatMul(W, x), b), r"\tanh")
    return Notation(((f, rhs),), f, {W: "W", x: "x", b: "b"},
                    where="f: ℝⁿ → ℝᵐ, tanh elementwise; its Jacobian J_ij = ∂f_i/∂x_j is "
                          "checked below")


def hessian(n: Any = n) -> Notation:
    x = vec(r"\mathbf{x}", n)
    H = TexMatrix(r"H_{ij}", n, n)
    lines = ((F_BOLD, _rosenbrock(x, n)),
             (H, ByEntry(Partial2(F_BOLD, x, i, j), (i, j), n, n)))
    return Notation(lines, H, {x: "x"}, where="H = ∇²f(x), the Hessian of the Rosenbrock "
                                               "function")
