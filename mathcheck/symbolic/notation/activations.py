"""Section 4 · Activations, as the field writes them: the GELU approximations with their
published constants (0.044715, 1.702, √(2/π)) and erf by its integral (Hendrycks & Gimpel;
Goodfellow et al., §6.3).

Also the scalar building blocks the generative and RLHF notations share. Each prints as
written and evaluates to its definition by `doit()` (which instantiation applies to every
line), so the proof checks the printed formula:

- `Sigmoid(u)`: σ(u) = 1/(1 + e^{−u}); `Log(u)`: log u, without parentheses where the
  papers write none (log σ(u), log p_i);
- `Plus(a, b, …)`, `Times(a, b, …)`: a sum and a product printed in the order given (SymPy's
  canonical order would print σε as ε σ, √(1 − β) x + √β ε in either order);
- `Softplus(u)`: softplus(u), evaluated as act.softplus's checked form;
- `Min2(a, b)`, `Clip(u, low, high)`: min(a, b) in the order given; clip(u, low, high) =
  min(max(u, low), high).

A displayed decimal constant (0.044715) is a `Tex` symbol bound to the exact rational the
form uses (`GELU_TANH_C`), never a float: the proof substitutes that rational.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE

from mathcheck.symbolic.activations import GELU_SIGMOID_K, GELU_TANH_C
from mathcheck.symbolic.activations import softplus as softplus_form
from mathcheck.symbolic.activations import x as form_x
from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation._core import Notation


def pending(*args: Any) -> bool:
    """Whether a notation symbol is still in the arguments (print them) or not (evaluate)."""
    return any(
        isinstance(a, sp.Basic) and bool(a.atoms(Tex, sp.MatrixSymbol)) for a in args
    )


class Sigmoid(sp.Function):
    """σ(u), the logistic function 1/(1 + e^{−u})."""

    def doit(self, **hints: Any) -> sp.Expr:
        u = self.args[0].doit(**hints)
        return 1 / (1 + sp.exp(-u))

    def _latex(self, printer: Any) -> str:
        return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"


class Log(sp.Function):
    """log u, natural; printed without parentheses around a single factor (log D(x_i),
    log σ(u), log p_i) or a fraction (β log π_θ/π_ref as \\frac), as the papers write it."""

    def doit(self, **hints: Any) -> sp.Expr:
        return sp.log(self.args[0].doit(**hints))

    def _latex(self, printer: Any) -> str:
        u = self.args[0]
        text = printer._print(u)
        bare = isinstance(u, (sp.Symbol, sp.Function, MatrixElement)) or (
            isinstance(u, sp.Mul) and sp.fraction(u)[1] != 1) or not isinstance(
            u, (sp.Add, sp.Mul, sp.Pow, Plus, Times))
        return r"\log " + text if bare else r"\log\left(" + text + r"\right)"


class Plus(sp.Expr):
    """a + b − c, printed in the order given; the sum once evaluated."""

    is_commutative = True
    precedence = PRECEDENCE["Add"]

    def __new__(cls, *terms: Any) -> Plus:
        return super().__new__(cls, *(sp.sympify(t) for t in terms))

    def doit(self, **hints: Any) -> sp.Expr:
        return sp.Add(*(t.doit(**hints) for t in self.args))

    def _latex(self, printer: Any) -> str:
        first, *rest = self.args
        text = printer._print(first)
        for term in rest:
            if term.could_extract_minus_sign():
                text += " - " + printer.parenthesize(-term, PRECEDENCE["Add"])
            else:
                text += " + " + printer.parenthesize(term, PRECEDENCE["Add"])
        return text


class Times(sp.Expr):
    """a b c, printed in the order given (coefficient, then variables); the product once
    evaluated."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, *factors: Any) -> Times:
        return super().__new__(cls, *(sp.sympify(f) for f in factors))

    def doit(self, **hints: Any) -> sp.Expr:
        return sp.Mul(*(f.doit(**hints) for f in self.args))

    def _latex(self, printer: Any) -> str:
        return " ".join(printer.parenthesize(f, PRECEDENCE["Mul"], strict=True)
                        for f in self.args)


class Min2(sp.Expr):
    """min(a, b), its arguments printed in the order given."""

    is_commutative = True

    def __new__(cls, a: Any, b: Any) -> Min2:
        return super().__new__(cls, sp.sympify(a), sp.sympify(b))

    def doit(self, **hints: Any) -> sp.Expr:
        return sp.Min(*(a.doit(**hints) for a in self.args))

    def _latex(self, printer: Any) -> str:
        return r"\min\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)"


class Clip(sp.Expr):
    """clip(u, low, high) = min(max(u, low), high)."""

    is_commutative = True

    def __new__(cls, u: Any, low: Any, high: Any) -> Clip:
        return super().__new__(cls, sp.sympify(u), sp.sympify(low), sp.sympify(high))

    def doit(self, **hints: Any) -> sp.Expr:
        u, low, high = (a.doit(**hints) for a in self.args)
        return sp.Min(sp.Max(u, low), high)

    def _latex(self, printer: Any) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        return r"\operatorname{clip}\left(" + inner + r"\right)"


class DefiniteIntegral(sp.Integral):
    """∫_a^b f(t) dt with the limits at the sign, as inline formulas write it."""

    def _latex(self, printer: Any) -> str:
        (t, low, high), = self.limits
        return (r"\int_{" + printer._print(low) + "}^{" + printer._print(high) + "} "
                + printer._print(self.function) + r" \, \mathrm{d}" + printer._print(t))


X = Tex("x")
HALF = sp.Rational(1, 2)


def gelu_tanh() -> Notation:
    c, root = Tex("0.044715"), Tex(r"\sqrt{2/\pi}")
    lhs = Tex(r"\operatorname{GELU}_{\tanh}\left(x\right)")
    inner = Times(root, Plus(X, Times(c, X**3)))
    rhs = Times(HALF, X, Plus(1, sp.tanh(inner)))
    return Notation(((lhs, rhs),), lhs,
                    {X: "x", c: lambda args: GELU_TANH_C, root: lambda args: sp.sqrt(2 / sp.pi)},
                    where="0.044715 and √(2/π) are exact: the tanh approximation of x Φ(x) "
                          "(Hendrycks & Gimpel; PyTorch approximate='tanh')")


def gelu_sigmoid() -> Notation:
    k = Tex("1.702")
    lhs = Tex(r"\operatorname{GELU}_{\sigma}\left(x\right)")
    return Notation(((lhs, Times(X, Sigmoid(Times(k, X)))),), lhs,
                    {X: "x", k: lambda args: GELU_SIGMOID_K},
                    where="1.702 is exact: the sigmoid approximation of x Φ(x)")


def erf() -> Notation:
    t = sp.Symbol("t", real=True)
    scale = Tex(r"\frac{2}{\sqrt{\pi}}")
    lhs = Tex(r"\operatorname{erf}\left(x\right)")
    rhs = Times(scale, DefiniteIntegral(sp.exp(-(t**2)), (t, 0, X)))
    return Notation(((lhs, rhs),), lhs, {X: "x", scale: lambda args: 2 / sp.sqrt(sp.pi)},
                    where="Φ(x) = ½(1 + erf(x/√2)) is the standard normal CDF")


def softplus() -> Notation:
    """log(1 + eˣ); the form's split log1p is proven equal by rewriting log1p as a log."""
    lhs = Tex(r"\operatorname{softplus}\left(x\right)")
    return Notation(((lhs, sp.log(Plus(1, sp.exp(X)))),), lhs, {X: "x"},
                    where="computed as max(x, 0) + log(1 + e^{−|x|})")


class Softplus(sp.Function):
    """softplus(u), evaluated as act.softplus's checked form (log(1 + eᵘ), split at 0 and
    computed with log1p; its identity with log(1 + eᵘ) is that entry's proven claim)."""

    def doit(self, **hints: Any) -> sp.Expr:
        return softplus_form().expr.xreplace({form_x: self.args[0].doit(**hints)})

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{softplus}\left(" + printer._print(self.args[0]) + r"\right)"


def log_sigmoid() -> Notation:
    lhs = Tex(r"\log \sigma\left(x\right)")
    return Notation(((lhs, -Softplus(-X)),), lhs, {X: "x"},
                    where="softplus(u) = log(1 + eᵘ) (act.softplus), so log σ(x) = "
                          "−log(1 + e^{−x})")
