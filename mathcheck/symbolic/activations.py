"""Section 4 · Activations: SymPy forms and the derivatives the cheatsheet states.

The stated derivatives are written out by hand (as on the cheatsheet), never obtained from
`sp.diff`: the cross-checker differentiates the form and must prove them equal.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p

from mathcheck.symbolic._form import Equation, SymForm, real, vector

x = real("x")
alpha = real("alpha", positive=True)

#: The constants of the GELU approximations, exact as written in the papers and frameworks.
GELU_SIGMOID_K = sp.Rational(1702, 1000)
GELU_TANH_C = sp.Rational(44715, 1000000)


def _sigma(t: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-t))


def _Phi(t: sp.Expr) -> sp.Expr:
    """The standard normal CDF as ½erfc(−t/√2), unevaluated so that SymPy does not rewrite it
    as 1 − ½erfc(t/√2): that form cancels catastrophically in the oracle for t ≪ 0."""
    return sp.erfc(-t / sp.sqrt(2), evaluate=False) / 2


def _phi(t: sp.Expr) -> sp.Expr:
    return sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)


def sigmoid() -> SymForm:
    return SymForm(_sigma(x), {"x": x})


def d_sigmoid_stated(form: SymForm) -> sp.Expr:
    """σ(x)(1 − σ(x))."""
    return form.expr * (1 - form.expr)


def relu() -> SymForm:
    """max(0, x), written as the piecewise function whose branches the derivative table uses."""
    return SymForm(sp.Piecewise((x, x > 0), (0, True)), {"x": x})


def d_relu_stated(form: SymForm) -> sp.Expr:
    """1 for x > 0, 0 for x ≤ 0 (the convention at the kink that frameworks use)."""
    return sp.Piecewise((1, x > 0), (0, True))


def leaky_relu() -> SymForm:
    """max(αx, x) for 0 < α < 1."""
    return SymForm(sp.Piecewise((x, x > 0), (alpha * x, True)), {"x": x}, {"alpha": alpha})


def d_leaky_relu_stated(form: SymForm) -> sp.Expr:
    """1 for x > 0, α for x ≤ 0."""
    return sp.Piecewise((1, x > 0), (alpha, True))


def gelu() -> SymForm:
    """Exact GELU, x·Φ(x)."""
    return SymForm(x * _Phi(x), {"x": x})


def d_gelu_stated(form: SymForm) -> sp.Expr:
    """Φ(x) + x·φ(x) (the cheatsheet says "complex"; this is the closed form)."""
    return _Phi(x) + x * _phi(x)


def gelu_sigmoid() -> SymForm:
    """The sigmoid approximation x·σ(1.702x)."""
    return SymForm(x * _sigma(GELU_SIGMOID_K * x), {"x": x})


def d_gelu_sigmoid_stated(form: SymForm) -> sp.Expr:
    """σ(kx) + k·x·σ(kx)(1 − σ(kx)), k = 1.702."""
    s = _sigma(GELU_SIGMOID_K * x)
    return s + GELU_SIGMOID_K * x * s * (1 - s)


def _gelu_tanh_inner(t: sp.Expr) -> sp.Expr:
    return sp.sqrt(2 / sp.pi) * (t + GELU_TANH_C * t**3)


def gelu_tanh() -> SymForm:
    """The tanh approximation frameworks ship: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return SymForm(x * (1 + sp.tanh(_gelu_tanh_inner(x))) / 2, {"x": x})


def d_gelu_tanh_stated(form: SymForm) -> sp.Expr:
    """½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²), u the inner polynomial."""
    u = _gelu_tanh_inner(x)
    du = sp.sqrt(2 / sp.pi) * (1 + 3 * GELU_TANH_C * x**2)
    return (1 + sp.tanh(u)) / 2 + x * (1 - sp.tanh(u) ** 2) * du / 2


def silu() -> SymForm:
    """SiLU / Swish, x·σ(x)."""
    return SymForm(x * _sigma(x), {"x": x})


def d_silu_stated(form: SymForm) -> sp.Expr:
    """σ(x) + x·σ(x)(1 − σ(x))."""
    s = _sigma(x)
    return s + x * s * (1 - s)


def tanh() -> SymForm:
    """tanh x itself: the oracle evaluates the cheatsheet's (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) with total
    cancellation for |x| < 1e-50, so that ratio is a proven identity instead."""
    return SymForm(sp.tanh(x), {"x": x})


def tanh_exp_identity() -> Equation:
    """tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), the cheatsheet's definition."""
    return Equation(sp.tanh(x), (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)))


def d_tanh_stated(form: SymForm) -> sp.Expr:
    """1 − tanh²(x)."""
    return 1 - sp.tanh(x) ** 2


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


# --------------------------------------------------------------------------- softplus, erf

#: PyTorch's softplus returns x itself where βx exceeds this (its default threshold, β = 1).
SOFTPLUS_THRESHOLD = 20


def _softplus(t: sp.Expr) -> sp.Expr:
    """log(1 + eᵗ) split at 0 so that no branch exponentiates a positive number, with log1p:
    at 50 digits log(1 + eᵗ) rounds to 0 for t < −116 (the oracle would lose the value), and
    the screen's longdouble e^{t} overflows beyond t = 11356, flagging every such input."""
    return sp.Piecewise((t + log1p(sp.exp(-t)), t > 0), (log1p(sp.exp(t)), True))


def softplus() -> SymForm:
    """softplus(x) = log(1 + eˣ) (the identity claim proves the split form equal to it)."""
    return SymForm(_softplus(x), {"x": x})


def d_softplus_stated(form: SymForm) -> sp.Expr:
    """σ(x)."""
    return _sigma(x)


def softplus_threshold() -> SymForm:
    """PyTorch's convention, F.softplus(x, beta=1, threshold=20): x itself for x > 20, else
    softplus (it drops log1p(e^{−x}) ≤ 2.1·10⁻⁹ there: far below an ulp of x in fp32 and
    below, up to ~6·10⁵ ulp of x in fp64)."""
    return SymForm(sp.Piecewise((x, x > SOFTPLUS_THRESHOLD), (_softplus(x), True)), {"x": x})


def log_sigmoid() -> SymForm:
    """log σ(x) = −softplus(−x)."""
    return SymForm(-_softplus(-x), {"x": x})


def d_log_sigmoid_stated(form: SymForm) -> sp.Expr:
    """σ(−x) = 1 − σ(x)."""
    return 1 - _sigma(x)


def erf() -> SymForm:
    """The error function erf x = (2/√π)∫₀ˣ e^{−t²} dt, GELU's Φ(x) = ½(1 + erf(x/√2))."""
    return SymForm(sp.erf(x), {"x": x})


def d_erf_stated(form: SymForm) -> sp.Expr:
    """(2/√π)·e^{−x²}."""
    return 2 / sp.sqrt(sp.pi) * sp.exp(-(x**2))


def softplus_log_identity() -> Equation:
    """The split form is log(1 + eˣ) on both sides of 0."""
    return Equation(softplus().expr.rewrite(sp.log), sp.log(1 + sp.exp(x)))


def softplus_odd_part_identity() -> Equation:
    """softplus(x) − softplus(−x) = x, of log(1 + eˣ)."""
    f = sp.log(1 + sp.exp(x))
    return Equation(f - f.subs(x, -x), x)


def log_sigmoid_identity() -> Equation:
    """log σ(x) = −softplus(−x): the form is the log of the sigmoid."""
    return Equation(sp.log(_sigma(x)), log_sigmoid().expr.rewrite(sp.log))


def erf_odd_identity() -> Equation:
    """erf(−x) = −erf(x)."""
    return Equation(sp.erf(-x), -erf().expr)
