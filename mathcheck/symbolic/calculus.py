"""Section 2 · Calculus: SymPy forms, the stated derivatives, and the rules as identities.

The derivative-table entries are the functions themselves; their `*_stated` companions are
the derivatives the cheatsheet states, which SymPy's own derivative must equal. The three
rules are proven for *undefined* functions f, g (so they hold for every differentiable pair),
and each also has one concrete composite that the numeric forms and autograd run on.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

x = real("x")
xp = real("x", positive=True)
n_exp = real("n")
u = real("u")

# --------------------------------------------------------------------- derivative table


def power() -> SymForm:
    """xⁿ on x > 0, with the exponent n a parameter (so the proof holds for every real n)."""
    return SymForm(xp**n_exp, {"x": xp}, {"n": n_exp})


def d_power_stated(form: SymForm) -> sp.Expr:
    """n·xⁿ⁻¹."""
    (base,) = form.args.values()
    n = form.params["n"]
    return n * base ** (n - 1)


def exp() -> SymForm:
    return SymForm(sp.exp(x), {"x": x})


def d_exp_stated(form: SymForm) -> sp.Expr:
    """eˣ."""
    return sp.exp(form.args["x"])


def log() -> SymForm:
    return SymForm(sp.log(xp), {"x": xp})


def d_log_stated(form: SymForm) -> sp.Expr:
    """1/x."""
    return 1 / form.args["x"]


def sigmoid() -> SymForm:
    return SymForm(1 / (1 + sp.exp(-x)), {"x": x})


def d_sigmoid_stated(form: SymForm) -> sp.Expr:
    """σ(x)(1 − σ(x))."""
    return form.expr * (1 - form.expr)


def tanh() -> SymForm:
    return SymForm(sp.tanh(x), {"x": x})


def d_tanh_stated(form: SymForm) -> sp.Expr:
    """1 − tanh²(x)."""
    return 1 - form.expr**2


# --------------------------------------------------------------------- the three rules

_f, _g = sp.Function("f"), sp.Function("g")


def _prime(h: sp.Function, at: sp.Expr) -> sp.Expr:
    """h′ evaluated at `at` (h′(g(x)) needs a bound variable: Subs(dh/du, u, at))."""
    return sp.Subs(sp.Derivative(h(u), u), u, at) if at != x else sp.Derivative(h(x), x)


def chain_rule_general() -> Equation:
    """(f∘g)′ = f′(g(x))·g′(x) for undefined f, g."""
    return Equation(sp.diff(_f(_g(x)), x), _prime(_f, _g(x)) * _prime(_g, x))


def product_rule_general() -> Equation:
    """(fg)′ = f′g + fg′ for undefined f, g."""
    lhs = sp.diff(_f(x) * _g(x), x)
    return Equation(lhs, _prime(_f, x) * _g(x) + _f(x) * _prime(_g, x))


def sum_rule_general() -> Equation:
    """(f + g)′ = f′ + g′ for undefined f, g."""
    return Equation(sp.diff(_f(x) + _g(x), x), _prime(_f, x) + _prime(_g, x))


# Concrete composites, chosen so that every term of the stated derivative has one sign (no
# cancellation): then autograd is relatively accurate everywhere and the budget is honest.
def _chain_parts() -> tuple[sp.Lambda, sp.Lambda]:
    """f(u) = log(1 + u), g(x) = x²."""
    return sp.Lambda(u, sp.log(1 + u)), sp.Lambda(x, x**2)


def _product_parts() -> tuple[sp.Lambda, sp.Lambda]:
    """f(x) = x², g(x) = eˣ on x > 0."""
    return sp.Lambda(xp, xp**2), sp.Lambda(xp, sp.exp(xp))


def _sum_parts() -> tuple[sp.Lambda, sp.Lambda]:
    """f(x) = x², g(x) = eˣ on x > 0."""
    return sp.Lambda(xp, xp**2), sp.Lambda(xp, sp.exp(xp))


def chain_rule() -> SymForm:
    """log(1 + x²) = f(g(x))."""
    f, g = _chain_parts()
    return SymForm(f(g(x)), {"x": x})


def d_chain_rule_stated(form: SymForm) -> sp.Expr:
    """f′(g(x))·g′(x), with f′ and g′ taken separately and only then combined."""
    f, g = _chain_parts()
    t = form.args["x"]
    return sp.diff(f(u), u).subs(u, g(t)) * sp.diff(g(t), t)


def product_rule() -> SymForm:
    """x²·eˣ = f(x)·g(x)."""
    f, g = _product_parts()
    return SymForm(f(xp) * g(xp), {"x": xp})


def d_product_rule_stated(form: SymForm) -> sp.Expr:
    f, g = _product_parts()
    t = form.args["x"]
    return sp.diff(f(t), t) * g(t) + f(t) * sp.diff(g(t), t)


def sum_rule() -> SymForm:
    """x² + eˣ = f(x) + g(x)."""
    f, g = _sum_parts()
    return SymForm(f(xp) + g(xp), {"x": xp})


def d_sum_rule_stated(form: SymForm) -> sp.Expr:
    f, g = _sum_parts()
    t = form.args["x"]
    return sp.diff(f(t), t) + sp.diff(g(t), t)


# --------------------------------------------------------------------- multivariate


def _rosenbrock(z: sp.Matrix) -> sp.Expr:
    n = z.shape[0]
    return sum(
        (100 * (z[i + 1] - z[i] ** 2) ** 2 + (1 - z[i]) ** 2 for i in range(n - 1)),
        sp.Integer(0),
    )


def gradient(n: int) -> SymForm:
    """The Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)²: f: Rⁿ → R."""
    z = vector("x", n)
    return SymForm(_rosenbrock(z), {"x": z})


def d_gradient_stated(form: SymForm) -> sp.Matrix:
    """∇f by hand: ∂f/∂x_i = −400x_i(x_{i+1} − x_i²) − 2(1 − x_i) + 200(x_i − x_{i−1}²)."""
    z = form.args["x"]
    n = z.shape[0]
    grad = []
    for i in range(n):
        g = sp.Integer(0)
        if i < n - 1:
            g += -400 * z[i] * (z[i + 1] - z[i] ** 2) - 2 * (1 - z[i])
        if i > 0:
            g += 200 * (z[i] - z[i - 1] ** 2)
        grad.append(g)
    return sp.Matrix(grad)


def jacobian(m: int, n: int) -> SymForm:
    """A layer tanh(Wx + b): f: Rⁿ → Rᵐ, with tanh s written 1 − 2/(e^{2s} + 1) (the same
    function; SymPy simplifies exponentials far faster than hyperbolic functions)."""
    W, z, b = matrix("W", m, n), vector("x", n), vector("b", m)
    layer = (W * z + b).applyfunc(lambda s: 1 - 2 / (sp.exp(2 * s) + 1))
    return SymForm(layer, {"W": W, "x": z, "b": b})


def d_jacobian_stated(form: SymForm) -> sp.Matrix:
    """J_ij = ∂f_i/∂x_j = (1 − f_i²)·W_ij, i.e. diag(1 − y²)·W."""
    y, W = form.expr, form.args["W"]
    return sp.Matrix(W.shape[0], W.shape[1], lambda i, j: (1 - y[i] ** 2) * W[i, j])


def hessian(n: int) -> SymForm:
    """SymPy's Hessian of the Rosenbrock function (the numeric forms are a hand-written one)."""
    z = vector("x", n)
    return SymForm(sp.hessian(_rosenbrock(z), list(z)), {"x": z})


def hessian_stated(n: int) -> sp.Matrix:
    """By hand: tridiagonal, H_ii = 1200x_i² − 400x_{i+1} + 2 (+200), H_i,i+1 = −400x_i."""
    z = vector("x", n)
    H = sp.zeros(n, n)
    for i in range(n):
        if i < n - 1:
            H[i, i] += 1200 * z[i] ** 2 - 400 * z[i + 1] + 2
            H[i, i + 1] = H[i + 1, i] = -400 * z[i]
        if i > 0:
            H[i, i] += 200
    return H


def hessian_closed_form(n: int = 3) -> Equation:
    """SymPy's Hessian equals the hand-written tridiagonal one."""
    return Equation(hessian(n).expr, hessian_stated(n))


def hessian_mixed_partials(n: int = 3) -> Equation:
    """∂²f/∂x_i∂x_j = ∂²f/∂x_j∂x_i, differentiating in both orders explicitly."""
    z = vector("x", n)
    f = _rosenbrock(z)
    ij = sp.Matrix(n, n, lambda i, j: sp.diff(sp.diff(f, z[i]), z[j]))
    ji = sp.Matrix(n, n, lambda i, j: sp.diff(sp.diff(f, z[j]), z[i]))
    return Equation(ij, ji)
