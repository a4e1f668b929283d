"""Section 3 · Probability & statistics, as the field writes it: events and their probabilities
P(A), P(B | A); densities N(x; μ, σ²); estimators with hats; sample means with bars
(Goodfellow et al., ch. 3 and §5.5).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import (
    ByEntry,
    Det,
    Guard,
    Inv,
    Paren,
    Scalar,
    Scaled,
    Term,
    _pending,
    mat,
    vec,
)
from mathcheck.symbolic.notation.optimization import Ordered
from mathcheck.symbolic.probability import sigma as sigma_prior
from mathcheck.symbolic.probability import tau

n, k, m = sp.symbols("n k m", integer=True, positive=True)
i, j, c = sp.symbols("i j c", integer=True, positive=True)


class Exp(sp.Expr):
    """c·e^u printed c \\exp(u), the factor c (a fraction) in front: an exponent that is
    itself a fraction stays full size, and the density reads 1/(σ√(2π)) exp(…)."""

    is_commutative = True

    def __new__(cls, arg: Any, factor: Any = 1) -> Any:
        arg, factor = sp.sympify(arg), sp.sympify(factor)
        if not (arg.atoms(Tex) or factor.atoms(Tex)):
            return factor * sp.exp(arg)
        return super().__new__(cls, arg, factor)

    def _latex(self, printer: Any) -> str:
        arg, factor = self.args
        lead = "" if factor == 1 else printer._print(factor) + " "
        return lead + r"\exp\left(" + printer._print(arg) + r"\right)"


def _sum(term: sp.Expr, top: Any, index: sp.Symbol = i) -> sp.Sum:
    return sp.Sum(term, (index, 1, top))


def addition_rule(n: Any = n) -> Notation:
    p, a, b = vec(r"\mathbf{p}", n), vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    PA, PB, PAB, PU = Tex("P(A)"), Tex("P(B)"), Tex(r"P(A \cap B)"), Tex(r"P(A \cup B)")
    lines = (
        (PA, _sum(p.at(i) * a.at(i), n)),
        (PB, _sum(p.at(i) * b.at(i), n)),
        (PAB, _sum(p.at(i) * a.at(i) * b.at(i), n)),
        (PU, PA + PB - PAB),
    )
    return Notation(lines, PU, {p: "p", a: "a", b: "b"},
                    where="n outcomes of probabilities p_i; a_i, b_i ∈ {0, 1} indicate the "
                          "outcomes in A and in B")


def multiplication_rule(k: Any = k, m: Any = m) -> Notation:
    px, cond = vec(r"\mathbf{p}", k), mat(r"\mathbf{C}", k, m)
    joint = TexMatrix(r"P(X = i, Y = j)", k, m)
    element = Term(px, r"P(X = #1)", i) * Term(cond, r"P(Y = #2 \mid X = #1)", i, j)
    return Notation(((joint, ByEntry(element, (i, j), k, m)),), joint, {px: "px", cond: "cond"},
                    where="the joint table from the marginal of X and the conditional table "
                          "of Y given X")


def bayes(n: Any = n) -> Notation:
    prior, lik = vec(r"\mathbf{p}", n), vec(r"\mathbf{l}", n)
    PB = Tex("P(B)")
    post = TexMatrix(r"P(A_i \mid B)", n, 1)

    def joint(index: sp.Symbol) -> sp.Expr:
        return Term(lik, r"P(B \mid A_{#1})", index) * Term(prior, r"P(A_{#1})", index)

    lines = ((PB, _sum(joint(j), n, j)), (post, ByEntry(joint(i) / PB, (i, c), n, 1)))
    return Notation(lines, post, {prior: "prior", lik: "likelihood"},
                    where="A_1, …, A_n partition the outcomes; P(B) by total probability")


def bernoulli() -> Notation:
    x, p = Tex("x"), Tex("p")
    line = (Tex("P(X = x)"), Ordered(p**x, (1 - p) ** (1 - x)))
    return Notation((line,), line[0], {x: "x", p: "p"}, where="x ∈ {0, 1}, P(X = 1) = p")


def categorical(n: Any = n) -> Notation:
    p, x = vec(r"\mathbf{p}", n), vec(r"\mathbf{x}", n)
    line = (Tex(r"P(\mathbf{x})"), sp.Product(p.at(i) ** x.at(i), (i, 1, n)))
    return Notation((line,), line[0], {p: "p", x: "x"},
                    where="x one-hot (x_k = 1 for class k): P(X = k) = p_k")


def gaussian() -> Notation:
    x, mu, s, root = Tex("x"), Tex(r"\mu"), Tex(r"\sigma"), Tex(r"\sqrt{2\pi}")
    line = (Tex(r"\mathcal{N}(x; \mu, \sigma^{2})"),
            Exp(-((x - mu) ** 2) / (2 * s**2), 1 / (s * root)))
    return Notation((line,), line[0],
                    {x: "x", mu: "mu", s: "sigma", root: lambda args: sp.sqrt(2 * sp.pi)},
                    where="σ > 0")


def multivariate_gaussian(n: Any = n) -> Notation:
    x, mu, S = vec(r"\mathbf{x}", n), vec(r"\boldsymbol{\mu}", n), mat(r"\boldsymbol{\Sigma}", n, n)
    d = sp.MatAdd(x, -mu)
    maha = Scalar(sp.MatMul(sp.Transpose(d), Inv(S), d))
    log_pdf = Scaled(sp.Rational(-1, 2), maha + sp.log(Det(S)) + n * sp.log(2 * sp.pi))
    lhs = Tex(r"\log \mathcal{N}(\mathbf{x}; \boldsymbol{\mu}, \boldsymbol{\Sigma})")
    return Notation(((lhs, Guard(log_pdf, Det(S) > 0)),), lhs,
                    {x: "x", mu: "mu", S: "sigma"},
                    where="the log of N = exp(−½(x − μ)ᵀΣ⁻¹(x − μ)) / √((2π)ⁿ det Σ), for Σ "
                          "symmetric positive definite (det Σ > 0; NaN in the forms otherwise)")


class LogNormal(sp.Expr):
    """log N(x; μ, v) = −(x − μ)²/(2v) − ½ log(2πv), printed as the log-density."""

    is_commutative = True

    def __new__(cls, x: Any, mean: Any, var: Any) -> LogNormal:
        return super().__new__(cls, *(sp.sympify(a) for a in (x, mean, var)))

    def doit(self, **hints: Any) -> sp.Basic:
        x, mean, var = (a.doit(**hints) for a in self.args)
        if any(_pending(a) for a in (x, mean, var)):
            return LogNormal(x, mean, var)
        return -((x - mean) ** 2) / (2 * var) - sp.log(2 * sp.pi * var) / 2

    def _latex(self, printer: Any) -> str:
        x, mean, var = (printer._print(a) for a in self.args)
        return r"\log \mathcal{N}\left(" + f"{x}; {mean}, {var}" + r"\right)"


class ArgMax(sp.Expr):
    """argmax over `variables` of L, whose maximiser is `candidates`: printed
    argmax_θ L(θ) (= θ̂ with `show` set); evaluated as the `at`-th candidate plus ∂L/∂(its
    variable) at the candidates, which is the candidate exactly when the candidates are a
    stationary point of L: a proof against the form's estimate proves the stationarity (the
    maximum follows from L's concavity, stated in `where`)."""

    is_commutative = True

    def __new__(cls, objective: Any, variables: Any, candidates: Any, at: Any = 0,
                show: Any = False) -> ArgMax:
        return super().__new__(cls, sp.sympify(objective), sp.Tuple(*variables),
                               sp.Tuple(*candidates), sp.sympify(at), sp.sympify(show))

    def doit(self, **hints: Any) -> sp.Basic:
        objective, variables, candidates = (a.doit(**hints) for a in self.args[:3])
        if _pending(objective) or any(_pending(c) for c in candidates):
            return self
        k = int(self.args[3])
        point = dict(zip(variables, candidates, strict=True))
        return candidates[k] + sp.diff(objective, variables[k]).xreplace(point)

    def _latex(self, printer: Any) -> str:
        objective, variables, candidates, at, show = self.args
        under = ", ".join(printer._print(v) for v in variables)
        text = r"\operatorname*{arg\,max}_{" + under + "} " + printer._print(objective)
        return text + " = " + printer._print(candidates[int(at)]) if show else text


THETA = sp.Symbol("theta", real=True)


def map_estimate(n: Any = n) -> Notation:
    x = vec(r"\mathbf{x}", n)
    objective, lhs = Tex(r"\mathcal{L}(\theta)"), Tex(r"\hat{\theta}_{\mathrm{MAP}}")
    log_posterior = (_sum(LogNormal(x.at(i), THETA, sigma_prior**2), n)
                     + LogNormal(THETA, 0, tau**2))
    closed = _sum(x.at(i), n) / (n + sigma_prior**2 / tau**2)
    lines = ((objective, log_posterior), (lhs, ArgMax(objective, (THETA,), (closed,), show=True)))
    return Notation(lines, lhs, {x: "x"}, shown=(1, 0),
                    where="x_i ~ N(θ, σ²) with σ known, prior θ ~ N(0, τ²): L is the log "
                          "posterior up to a constant, concave in θ, so its stationary point "
                          "(what the proof checks) is the maximiser; an L2 penalty θ²/(2τ²)")


class _Variance(sp.Symbol):
    """σ² as one variable (the MLE maximises over the variance, not σ)."""

    def _latex(self, printer: Any) -> str:
        return r"\sigma^{2}"


MU, VAR = sp.Symbol("mu", real=True), _Variance("v", positive=True)


def mle(n: Any = n) -> Notation:
    x = vec(r"\mathbf{x}", n)
    mu, var = Tex(r"\hat{\mu}"), Tex(r"\hat{\sigma}^{2}")
    ell, both = Tex(r"\ell(\mu, \sigma^{2})"), Tex(r"(\hat{\mu}, \hat{\sigma}^{2})")
    lines = (
        (ell, _sum(LogNormal(x.at(i), MU, VAR), n)),
        (mu, _sum(x.at(i), n) / n),
        (var, _sum((x.at(i) - mu) ** 2, n) / n),
        (both, ArgMax(ell, (MU, VAR), (mu, var))),
    )
    result = sp.ImmutableMatrix([ArgMax(ell, (MU, VAR), (mu, var), at) for at in (0, 1)])
    return Notation(lines, result, {x: "x"}, shown=(3, 1, 2, 0),
                    where="x_i ~ N(μ, σ²) independent; ℓ has the single stationary point "
                          "(μ̂, σ̂²), a maximum (the entry's identities): the biased variance, "
                          "1/n, not 1/(n − 1)")


def expectation(n: Any = n) -> Notation:
    x, p = vec(r"\mathbf{x}", n), vec(r"\mathbf{p}", n)
    line = (Tex(r"\mathbb{E}[X]"),
            _sum(Ordered(Term(x, "x_{#1}", i), Term(p, "P(x_{#1})", i)), n))
    return Notation((line,), line[0], {x: "x", p: "p"},
                    where="X takes the value x_i with probability P(x_i)")


def variance(n: Any = n) -> Notation:
    """Var(X) = E[X²] − (E[X])², with the form's weights normalised to P(x_i) = p_i / Σ_j p_j
    (the identity for the form's Σ p_i (x_i − μ)² / Σ p_i; exact, since Σ_i P(x_i) = 1)."""
    x, p = vec(r"\mathbf{x}", n), vec(r"\mathbf{p}", n)
    prob = TexMatrix(r"P(x_i)", n, 1)
    mean, square, var = Tex(r"\mathbb{E}[X]"), Tex(r"\mathbb{E}[X^{2}]"), Tex(r"\mathrm{Var}(X)")
    lines = (
        (prob, ByEntry(p.at(i) / _sum(p.at(j), n, j), (i, c), n, 1)),
        (mean, _sum(Ordered(Term(x, "x_{#1}", i), Term(prob, "P(x_{#1})", i)), n)),
        (square, _sum(Ordered(Term(x, "x_{#1}", i) ** 2, Term(prob, "P(x_{#1})", i)), n)),
        (var, square - Paren(mean) ** 2),
    )
    return Notation(lines, var, {x: "x", p: "p"}, shown=(3, 1, 2, 0),
                    where="X takes the value x_i with probability P(x_i): the form's weights "
                          "p_i normalised by their sum (a no-op for a distribution)")


def _bars(x: Any, y: Any, n: Any) -> tuple[tuple[tuple[sp.Basic, sp.Basic], ...], Tex, Tex]:
    xbar, ybar = Tex(r"\bar{x}"), Tex(r"\bar{y}")
    return ((xbar, _sum(x.at(i), n) / n), (ybar, _sum(y.at(i), n) / n)), xbar, ybar


def covariance(n: Any = n) -> Notation:
    x, y = vec(r"\mathbf{x}", n), vec(r"\mathbf{y}", n)
    means, xbar, ybar = _bars(x, y, n)
    cov = Tex(r"\mathrm{Cov}(X, Y)")
    lines = (*means, (cov, _sum((x.at(i) - xbar) * (y.at(i) - ybar), n) / n))
    return Notation(lines, cov, {x: "x", y: "y"},
                    where="over n equally weighted samples (x_i, y_i)")


def correlation(n: Any = n) -> Notation:
    x, y = vec(r"\mathbf{x}", n), vec(r"\mathbf{y}", n)
    means, xbar, ybar = _bars(x, y, n)
    rho = Tex(r"\rho")
    dx, dy = x.at(i) - xbar, y.at(i) - ybar
    spread = _sum(dx**2, n) * _sum(dy**2, n)
    # the form's test for a constant sample, at 50 digits (x̄ = Σx/n is inexact there)
    defined = spread > sp.Float("1e-60", 50) * _sum(x.at(i) ** 2, n) * _sum(y.at(i) ** 2, n)
    value = _sum(dx * dy, n) / sp.sqrt(spread)
    return Notation((*means, (rho, Guard(value, defined))), rho, {x: "x", y: "y"},
                    where="ρ = Cov(X, Y)/(σ_X σ_Y); undefined when a sample is constant "
                          "(σ = 0: NaN in the forms)")
