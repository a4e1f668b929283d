"""Section 14 · Backpropagation: SymPy forms, and the chain-rule derivations they come from.

Each stated gradient is proven by differentiating a scalar loss whose upstream gradient is
the symbolic δ: L = δ_{l+1}ᵀ z_{l+1} has ∂L/∂z_{l+1} = δ_{l+1} exactly, so whatever SymPy's
derivative with respect to z_l, W_l or b_l is, it is the backpropagated one.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector


def _dsigma(z: sp.Matrix) -> sp.Matrix:
    """tanh'(z) = 1 − tanh²(z), elementwise (tanh is the activation of the symbolic forms)."""
    return z.applyfunc(lambda t: 1 - sp.tanh(t) ** 2)


def delta(m: int, n: int) -> SymForm:
    """δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ′(z_l), σ = tanh; W_{l+1} is m×n (n units in layer l)."""
    W, d, z = matrix("W", m, n), vector("d", m), vector("z", n)
    return SymForm((W.T * d).multiply_elementwise(_dsigma(z)), {"W": W, "delta_next": d, "z": z})


def delta_from_chain_rule(m: int = 3, n: int = 2) -> Equation:
    """∂/∂z_l of δ_{l+1}ᵀ(W_{l+1} σ(z_l) + b_{l+1}) equals the stated recursion."""
    form = delta(m, n)
    W, d, z = form.args["W"], form.args["delta_next"], form.args["z"]
    b = vector("b", m)
    loss = (d.T * (W * z.applyfunc(sp.tanh) + b))[0, 0]
    return Equation(sp.Matrix([sp.diff(loss, zi) for zi in z]), form.expr)


def weight_grad(m: int, n: int) -> SymForm:
    """∂L/∂W_l = δ_l a_{l−1}ᵀ (an m×n outer product)."""
    d, a = vector("d", m), vector("a", n)
    return SymForm(d * a.T, {"delta": d, "a_prev": a})


def weight_grad_from_chain_rule(m: int = 3, n: int = 2) -> Equation:
    """∂/∂W_{ij} of δᵀ(W a + b) is δ_i a_j."""
    form = weight_grad(m, n)
    d, a = form.args["delta"], form.args["a_prev"]
    W, b = matrix("W", m, n), vector("b", m)
    loss = (d.T * (W * a + b))[0, 0]
    return Equation(sp.Matrix(m, n, lambda i, j: sp.diff(loss, W[i, j])), form.expr)


def bias_grad(m: int) -> SymForm:
    """∂L/∂b_l = δ_l."""
    d = vector("d", m)
    return SymForm(d, {"delta": d})


def bias_grad_from_chain_rule(m: int = 3, n: int = 2) -> Equation:
    d, a = vector("d", m), vector("a", n)
    W, b = matrix("W", m, n), vector("b", m)
    loss = (d.T * (W * a + b))[0, 0]
    return Equation(sp.Matrix([sp.diff(loss, bi) for bi in b]), d)


n_in, n_out = real("n_in", positive=True), real("n_out", positive=True)


def xavier() -> SymForm:
    """Var(W) = 2/(n_in + n_out): the harmonic compromise of 1/n_in (forward) and 1/n_out
    (backward) variance preservation."""
    return SymForm(2 / (n_in + n_out), {"n_in": n_in, "n_out": n_out})


def he() -> SymForm:
    """Var(W) = 2/n_in."""
    return SymForm(2 / n_in, {"n_in": n_in})


def _uniform_variance(bound: sp.Expr) -> sp.Expr:
    t = sp.Symbol("t", real=True)
    return sp.integrate(t**2 / (2 * bound), (t, -bound, bound))


def xavier_uniform_variance() -> Equation:
    """U(−a, a) with a = √(6/(n_in + n_out)) (xavier_uniform_) has the stated variance."""
    return Equation(_uniform_variance(sp.sqrt(6 / (n_in + n_out))), xavier().expr)


def he_uniform_variance() -> Equation:
    """U(−a, a) with a = √(6/n_in) (kaiming_uniform_, ReLU gain √2) has the stated variance."""
    return Equation(_uniform_variance(sp.sqrt(6 / n_in)), he().expr)


def he_from_relu_second_moment() -> Equation:
    """Why the 2: for z ~ N(0, s²), E[ReLU(z)²] = s²/2, so Var(z_{l+1}) = n_in·Var(W)·s²/2
    equals s² exactly when Var(W) = 2/n_in. Proven by integrating the half-Gaussian moment."""
    x, s = sp.Symbol("x", real=True), sp.Symbol("s", positive=True)
    density = sp.exp(-(x**2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))
    second_moment = sp.integrate(x**2 * density, (x, 0, sp.oo))
    return Equation(n_in * he().expr * second_moment, s**2)
