"""Section 2 · Calculus, as the field writes it: each rule or definition stated in general,
then the instance it is checked at (Goodfellow et al., §4.3; the cheatsheet's table).

Why the instance is on the page: the checked forms are concrete (the chain rule's form is
log(1 + x²), the gradient's the Rosenbrock function), while the page should state the rule.
So a display is the rule line, (f∘g)′(x) = f′(g(x)) g′(x), and the lines that define its f
and g ("checked at f(u) = log(1 + u), g(x) = x²"). The proof ties both to the form:

- the instance lines compose to the form (f(g(x)) is what the form computes);
- the rule line, evaluated at that instance, equals SymPy's derivative of the composite: the
  result the proof compares is `composite + (d/dx composite − rule)`, so a wrong rule
  (f′(x) g′(x), say) leaves a non-zero term and the proof fails.

A matrix-valued rule line (a Jacobian) enters as (J − J′)t with t a column of fresh symbols,
which vanishes identically only if every entry of J − J′ does.

Building blocks:
- `Call(body, u, arg, "f")`: f(arg), f defined by a line `f(u) = body`; `Prime(…)`: f′(arg);
- `DerivOf(expr, x)`: d expr/dx, evaluated by `sympy.diff` (used in results, never printed);
- `Partial(f, x, i)`, `Partial(f, x, i, j)`: ∂f/∂x_i, ∂f_i/∂x_j; `Partial2`: ∂²f/∂x_i∂x_j;
- `GradientOf(f, x, n)`: (∂f/∂x₁, …, ∂f/∂xₙ)ᵀ; `Diag(v)`: diag(v);
- `SquareOf(f)`: f²(x) printed with the exponent on the function name (tanh²(x)).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.precedence import PRECEDENCE

from mathcheck.symbolic.calculus import d_gradient_stated, n_exp
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Apply, Notation
from mathcheck.symbolic.notation.linalg import ByEntry, Scalar, mat, vec
from mathcheck.symbolic.notation.numbers import Terms
from mathcheck.symbolic.notation.optimization import Ordered

X = Tex("x")
U = sp.Symbol("u")  # f's own variable in the chain rule (never bound: a placeholder)
n, m = sp.symbols("n m", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, positive=True)


def _checked(text: str) -> Tex:
    r"""The left-hand side of an instance line: \text{checked at } f(x)."""
    return Tex(r"\text{checked at } " + text)


def _name(name: Any) -> sp.Symbol:
    return name if isinstance(name, sp.Symbol) else sp.Symbol(name)


def _bound(x: Any) -> bool:
    """No notation symbol left in x: it can be evaluated."""
    return not x.atoms(Tex, TexMatrix)


# --------------------------------------------------------------------------- building blocks


class Call(sp.Expr):
    """f(arg), f given by a line `f(u) = body` (`body` is that line's left-hand side until
    the line is evaluated); printed f(arg), evaluated as body with u replaced by arg."""

    is_commutative = True

    def __new__(cls, body: Any, var: Any, arg: Any, name: Any) -> Call:
        return super().__new__(cls, sp.sympify(body), sp.sympify(var), sp.sympify(arg),
                               _name(name))

    def doit(self, **hints: Any) -> sp.Basic:
        body, var, arg, _ = (a.doit(**hints) if isinstance(a, sp.Basic) else a
                             for a in self.args)
        return body.xreplace({var: arg}) if _bound(body) and _bound(arg) else self

    def _latex(self, printer: Any) -> str:
        return self.args[3].name + "(" + printer._print(self.args[2]) + ")"


class Prime(Call):
    """f′(arg): the derivative of f's body in its variable, at arg."""

    def doit(self, **hints: Any) -> sp.Basic:
        body, var, arg, _ = (a.doit(**hints) if isinstance(a, sp.Basic) else a
                             for a in self.args)
        if not (_bound(body) and _bound(arg)):
            return self
        return sp.diff(body, var).xreplace({var: arg})

    def _latex(self, printer: Any) -> str:
        return (self.args[3].name + r"^{\prime}(" + printer._print(self.args[2])
                + ")")


class DerivOf(sp.Expr):
    """d expr/dx by `sympy.diff`: the independent side a rule line is compared with."""

    is_commutative = True

    def __new__(cls, expr: Any, var: Any) -> DerivOf:
        return super().__new__(cls, sp.sympify(expr), sp.sympify(var))

    def doit(self, **hints: Any) -> sp.Basic:
        expr, var = (a.doit(**hints) for a in self.args)
        return sp.diff(expr, var) if _bound(expr) and _bound(var) else self

    def _latex(self, printer: Any) -> str:
        return (r"\frac{\mathrm{d}}{\mathrm{d}" + printer._print(self.args[1]) + r"}"
                + printer.parenthesize(self.args[0], PRECEDENCE["Mul"]))


class SquareOf(sp.Expr):
    """f(x)², printed f²(x) (tanh²(x)); `f` a line's left-hand side named `name`."""

    is_commutative = True

    def __new__(cls, value: Any, name: Any, arg: Any) -> Any:
        value = sp.sympify(value)
        if _bound(value):
            return value**2
        return super().__new__(cls, value, _name(name), sp.sympify(arg))

    def _latex(self, printer: Any) -> str:
        return (self.args[1].name + r"^{2}\left(" + printer._print(self.args[2])
                + r"\right)")


def _letter(x: Any) -> str:
    name = getattr(x, "name", "x")
    return name.replace(r"\mathbf{", "").rstrip("}") if name.startswith(r"\mathbf") else "x"


class Partial(sp.Expr):
    """∂f/∂x_i (f a scalar) or ∂f_i/∂x_j (f a vector), 1-based; evaluated by `sympy.diff`."""

    is_commutative = True

    def __new__(cls, f: Any, x: Any, i: Any, j: Any = None, name: Any = "f") -> Any:
        f, i = sp.sympify(f), sp.sympify(i)
        j = sp.S.Zero if j is None else sp.sympify(j)
        if isinstance(x, sp.MatrixBase) and isinstance(f, sp.MatrixBase | sp.Expr) \
                and _bound(f) and i.is_Integer and j.is_Integer:
            if j == 0:
                return sp.diff(f, x[int(i) - 1])
            return sp.diff(f[int(i) - 1], x[int(j) - 1])
        return super().__new__(cls, f, x, i, j, _name(name))

    def _latex(self, printer: Any) -> str:
        _, x, i, j, name = self.args
        if j == 0:
            return (r"\frac{\partial " + name.name + "}{\\partial " + _letter(x) + "_{"
                    + printer._print(i) + "}}")
        return (r"\frac{\partial " + name.name + "_{" + printer._print(i) + "}}{\\partial "
                + _letter(x) + "_{" + printer._print(j) + "}}")


class Partial2(sp.Expr):
    """∂²f/∂x_i∂x_j: f a scalar named by its LaTeX, x a vector, i, j 1-based indices."""

    is_commutative = True

    def __new__(cls, f: Any, x: Any, i: Any, j: Any, name: Any = "f") -> Any:
        i, j = sp.sympify(i), sp.sympify(j)
        name = _name(name)
        if isinstance(x, sp.MatrixBase) and i.is_Integer and j.is_Integer:
            return sp.diff(f, x[int(i) - 1], x[int(j) - 1])
        return super().__new__(cls, f, x, i, j, name)

    def _latex(self, printer: Any) -> str:
        _, x, i, j, name = self.args
        letter = _letter(x)
        wrt = [f"\\partial {letter}_{{{printer._print(k)}}}" for k in (i, j)]
        top = r"\partial^{2} " + name.name
        bottom = " ".join(wrt) if i != j else f"\\partial {letter}_{{{printer._print(i)}}}^{{2}}"
        return r"\frac{" + top + "}{" + bottom + "}"


class GradientOf(MatrixExpr):
    """(∂f/∂x₁, …, ∂f/∂xₙ)ᵀ, the column of partial derivatives of the scalar f."""

    def __new__(cls, f: Any, x: Any, size: Any, name: Any = "f") -> GradientOf:
        return super().__new__(cls, sp.sympify(f), sp.sympify(x), sp.sympify(size), _name(name))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[2], sp.S.One

    def as_explicit(self) -> sp.ImmutableMatrix:
        f, x = self.args[0], self.args[1]
        if not isinstance(x, sp.MatrixBase):
            x = x.as_explicit()
        return sp.ImmutableMatrix([sp.diff(f, xi) for xi in x])

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.as_explicit()[i, 0]

    def _latex(self, printer: Any) -> str:
        f, x, size, name = self.args
        last = Partial(f, x, size, name=name)
        first = Partial(f, x, 1, name=name)
        return (r"\left(" + printer._print(first) + r", \ldots, " + printer._print(last)
                + r"\right)^{\top}")


class Diag(MatrixExpr):
    """diag(v): the square matrix with the vector v on its diagonal."""

    def __new__(cls, v: Any) -> Diag:
        return super().__new__(cls, sp.sympify(v))

    @property
    def shape(self) -> tuple[Any, Any]:
        rows = self.args[0].shape[0]
        return rows, rows

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        v = self.args[0]
        v = v.as_explicit() if isinstance(v, MatrixExpr) else v
        # a product's entry sums over a symbolic index: δ_ij v_i with the concrete one
        at = i if sp.sympify(i).is_Integer else j
        return sp.KroneckerDelta(i, j) * v[at, 0]

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{diag}\left(" + printer._print(self.args[0]) + r"\right)"


def _fresh(count_of: str) -> Any:
    """A column of fresh symbols t_1 … t_k (k the length of the form's input `count_of`)."""

    def bind(args: Any) -> sp.Matrix:
        k = len(args[count_of])
        return sp.Matrix(sp.symbols(f"t_1:{k + 1}", real=True))

    return bind


# --------------------------------------------------------------------------- derivative table


F_X, F_PRIME = Tex("f(x)"), Tex(r"f^{\prime}(x)")


def _table(value: sp.Expr, derivative: sp.Expr, f: Tex = F_X,
           f_prime: Tex = F_PRIME, where: str = "") -> Notation:
    """f(x) = value, f′(x) = derivative; the second proven to be f's derivative."""
    lines = ((f, value), (f_prime, derivative))
    return Notation(lines, f + (DerivOf(f, X) - f_prime), {X: "x"}, where=where)


def power() -> Notation:
    return _table(X**n_exp, n_exp * X ** (n_exp - 1), where="x > 0, any real exponent n")


def exp() -> Notation:
    return _table(sp.exp(X), sp.exp(X))


def log() -> Notation:
    return _table(sp.log(X), 1 / X, where="x > 0; log is the natural logarithm")


def sigmoid() -> Notation:
    s, s_prime = Tex(r"\sigma(x)"), Tex(r"\sigma^{\prime}(x)")
    return _table(1 / Terms(1, sp.exp(-X)), Ordered(s, 1 - s), s, s_prime)


def tanh() -> Notation:
    t, t_prime = Tex(r"\tanh(x)"), Tex(r"\tanh^{\prime}(x)")
    definition = (sp.exp(X) - sp.exp(-X)) / Terms(sp.exp(X), sp.exp(-X))
    return _table(definition, 1 - SquareOf(t, r"\tanh", X), t, t_prime)


# --------------------------------------------------------------------------- the three rules


def _rule(rule_lhs: Tex, rule: sp.Expr, composite: sp.Expr,
          instance: tuple[tuple[sp.Basic, sp.Basic], ...], where: str = "") -> Notation:
    """The rule line first, then its instance; the result ties both to the form."""
    lines = (*instance, (rule_lhs, rule))
    shown = (len(instance), *range(len(instance)))
    return Notation(lines, composite + (DerivOf(composite, X) - rule_lhs), {X: "x"},
                    shown=shown, where=where)


def chain_rule() -> Notation:
    """(f∘g)′(x) = f′(g(x)) g′(x), checked at f(u) = log(1 + u), g(x) = x²."""
    f_line, g_line = _checked("f(u)"), Tex("g(x)")
    g = Call(g_line, X, X, "g")
    rule = Ordered(Prime(f_line, U, g, "f"), Prime(g_line, X, X, "g"))
    instance = ((f_line, sp.log(1 + U)), (g_line, X**2))
    return _rule(Tex(r"(f \circ g)^{\prime}(x)"), rule, Call(f_line, U, g, "f"), instance)


def _two(combine: str) -> Notation:
    f_line, g_line = _checked("f(x)"), Tex("g(x)")
    f, g = Call(f_line, X, X, "f"), Call(g_line, X, X, "g")
    fp, gp = Prime(f_line, X, X, "f"), Prime(g_line, X, X, "g")
    instance = ((f_line, X**2), (g_line, sp.exp(X)))
    if combine == "product":
        rule = Terms(Ordered(fp, g), Ordered(f, gp))
        return _rule(Tex(r"(fg)^{\prime}(x)"), rule, f * g, instance, "x > 0")
    return _rule(Tex(r"(f + g)^{\prime}(x)"), Terms(fp, gp), f + g, instance, "x > 0")


def product_rule() -> Notation:
    """(fg)′(x) = f′(x) g(x) + f(x) g′(x), checked at f(x) = x², g(x) = eˣ."""
    return _two("product")


def sum_rule() -> Notation:
    """(f + g)′(x) = f′(x) + g′(x), checked at f(x) = x², g(x) = eˣ."""
    return _two("sum")


# --------------------------------------------------------------------------- multivariate


def _rosenbrock(x: Any, n: Any) -> sp.Expr:
    k = sp.Symbol("i", integer=True, positive=True)
    term = 100 * (x.at(k + 1) - x.at(k) ** 2) ** 2 + (1 - x.at(k)) ** 2
    return sp.Sum(term, (k, 1, n - 1))


F_BOLD = Tex(r"f(\mathbf{x})")
F_CHECKED = _checked(r"f(\mathbf{x})")
_s = sp.Symbol("s", real=True)
TANH_AS_EXP = sp.Lambda(_s, 1 - 2 / (sp.exp(2 * _s) + 1))
TANH_IDENTITY = (sp.tanh(_s), TANH_AS_EXP(_s))  # equal: tanh s = 1 − 2/(e^{2s} + 1)


def gradient(n: Any = n) -> Notation:
    """∇f(x) = (∂f/∂x₁, …, ∂f/∂xₙ)ᵀ, checked at the Rosenbrock function; the gradient line
    is compared with the entry's hand-stated gradient (through fresh symbols t)."""
    x = vec(r"\mathbf{x}", n)
    grad = TexMatrix(r"\nabla f(\mathbf{x})", n, 1)
    stated, t = TexMatrix("g_{stated}", n, 1), TexMatrix("t", n, 1)
    lines = ((F_CHECKED, _rosenbrock(x, n)), (grad, GradientOf(F_CHECKED, x, n)))
    result = F_CHECKED + Scalar(sp.MatMul(sp.Transpose(t), sp.MatAdd(grad, -stated)))
    inputs = {x: "x",
              stated: lambda a: d_gradient_stated(SimpleNamespace(args=a)),
              t: _fresh("x")}
    return Notation(lines, result, inputs, shown=(1, 0),
                    where="f: ℝⁿ → ℝ; the checked f is the Rosenbrock function")


def jacobian(m: Any = m, n: Any = n) -> Notation:
    """J_ij = ∂f_i/∂x_j and J = diag(1 − tanh²(Wx + b)) W, checked at f(x) = tanh(Wx + b)."""
    W, x, b = mat(r"\mathbf{W}", m, n), vec(r"\mathbf{x}", n), vec(r"\mathbf{b}", m)
    f = TexMatrix(r"\text{checked at } \mathbf{f}(\mathbf{x})", m, 1)
    by_entry, closed = TexMatrix(r"J_{ij}", m, n), TexMatrix(r"\mathbf{J}", m, n)
    t = TexMatrix("t", n, 1)
    s = sp.MatAdd(sp.MatMul(W, x), b)
    # tanh s in the form's spelling 1 − 2/(e^{2s} + 1), the same function (`TANH_IDENTITY`,
    # proven in the tests): SymPy simplifies exponentials far faster than tanh
    slope = sp.Lambda(_s, 1 - TANH_AS_EXP(_s) ** 2)
    lines = (
        (f, Apply(TANH_AS_EXP, s, r"\tanh")),
        (by_entry, ByEntry(Partial(f, x, i, j, name=r"f"), (i, j), m, n)),
        (closed, sp.MatMul(Diag(Apply(slope, s, r"1 - \tanh^{2}")), W)),
    )
    result = f + sp.MatMul(sp.MatAdd(closed, -by_entry), t)
    return Notation(lines, result, {W: "W", x: "x", b: "b", t: _fresh("x")},
                    shown=(1, 2, 0), where="f: ℝⁿ → ℝᵐ, tanh elementwise")


def hessian(n: Any = n) -> Notation:
    """H_ij = ∂²f/∂x_i∂x_j, checked at the Rosenbrock function."""
    x = vec(r"\mathbf{x}", n)
    H = TexMatrix(r"H_{ij}", n, n)
    lines = ((F_CHECKED, _rosenbrock(x, n)),
             (H, ByEntry(Partial2(F_CHECKED, x, i, j), (i, j), n, n)))
    return Notation(lines, H, {x: "x"}, shown=(1, 0),
                    where="H = ∇²f(x); the checked f is the Rosenbrock function")
