"""Section 12 · Generative models, as the papers write them: the ELBO as reconstruction minus
KL with the Gaussian KL in closed form (Kingma & Welling), the GAN value and its optimum
(Goodfellow et al., 2014), the DDPM steps with α_t = 1 − β_t and ᾱ_t = Π α_s (Ho et al.).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._blocks import SqNorm
from mathcheck.symbolic.notation._core import Defined, Notation
from mathcheck.symbolic.notation.activations import Log, Plus, Sigmoid, Times, pending
from mathcheck.symbolic.notation.linalg import ByEntry, Elem, Paren, Term, XLog, mat, vec

n, k, d, T = sp.symbols("n k d t", integer=True, positive=True)
i, j, s, c = sp.symbols("i j s c", integer=True, positive=True)
HALF = sp.Rational(1, 2)


class ColumnSqNorm(sp.Expr):
    """‖w_j‖², the squared norm of column j (1-based) of W, printed with its column's name."""

    is_commutative = True

    def __new__(cls, w: Any, j: Any, tex: Any) -> Any:
        w, j = sp.sympify(w), sp.sympify(j)
        tex = tex if isinstance(tex, sp.Symbol) else sp.Symbol(tex)
        if not pending(w) and j.is_Integer:
            explicit = sp.Matrix(w.as_explicit() if isinstance(w, MatrixExpr) else w)
            return sp.Add(*(e**2 for e in explicit[:, int(j) - 1]))
        return super().__new__(cls, w, j, tex)

    def _latex(self, printer: Any) -> str:
        name = self.args[2].name % printer._print(self.args[1])
        return r"\lVert " + name + r" \rVert^{2}"


class Sequence(Defined):
    """A column vector given by its element formula in one index (α_s = 1 − β_s), printed as
    its name, with that formula as a line of its own. Built by `sequence`."""

    def definition(self) -> tuple[sp.Basic, sp.Basic]:
        index = self.args[4][0]
        return Tex(self.args[0].name + "_{" + sp.latex(index) + "}"), self.args[3]


def sequence(name: str, rows: Any, element: sp.Expr, index: sp.Symbol) -> Sequence:
    return Sequence(name, rows, 1, element, (index, c))


class MatPlus(sp.MatAdd):
    """A sum of matrices printed in the order given (x − Wμ − b, √ᾱ x₀ + √(1 − ᾱ) ε)."""

    def _latex(self, printer: Any) -> str:
        text = ""
        for k, term in enumerate(self.args):
            negative = term.could_extract_minus_sign()
            body = printer._print(-term if negative else term)
            text += ("- " if negative else "") + body if k == 0 else \
                (" - " if negative else " + ") + body
        return text


# --------------------------------------------------------------------------- VAE


def elbo(n: Any = n, k: Any = k) -> Notation:
    x, b = vec(r"\mathbf{x}", n), vec(r"\mathbf{b}", n)
    W = mat(r"\mathbf{W}", n, k)
    mu, var, logvar = vec(r"\boldsymbol{\mu}", k), vec(r"\boldsymbol{\sigma}^{2}", k), \
        vec(r"\log\boldsymbol{\sigma}^{2}", k)
    s_ = sp.Symbol("s", positive=True)
    recon = Tex(r"\mathbb{E}_{q(\mathbf{z} \mid \mathbf{x})}\left[\log p(\mathbf{x} \mid "
                r"\mathbf{z})\right]")
    kl = Tex(r"D_{\mathrm{KL}}\left(q(\mathbf{z} \mid \mathbf{x}) \parallel p(\mathbf{z})\right)")
    bound = Tex(r"\operatorname{ELBO}\left(\mathbf{x}\right)")
    residual = MatPlus(x, -sp.MatMul(W, mu), -b)
    var_j, logvar_j = Term(var, r"\sigma_{#1}^{2}", j), Term(logvar, r"\log \sigma_{#1}^{2}", j)
    spread = sp.Sum(Times(var_j, ColumnSqNorm(W, j, r"\mathbf{w}_{%s}")), (j, 1, k))
    lines = (
        (recon, Plus(-Times(n / 2, Log(2 * sp.pi * s_**2)),
                     -Times(1 / (2 * s_**2), Plus(SqNorm(residual), spread)))),
        (kl, -HALF * sp.Sum(Paren(Plus(1, logvar_j, -mu.at(j) ** 2, -var_j)), (j, 1, k))),
        (bound, recon - kl),
    )
    return Notation(lines, bound,
                    {x: "x", b: "b", W: "W", mu: "m",
                     var: lambda args: args["logv"].applyfunc(sp.exp), logvar: "logv"},
                    shown=(2, 0, 1),
                    where="p(z) = N(0, I), p(x | z) = N(Wz + b, s²I) and q(z | x) = N(μ, "
                          "diag σ²), with the encoder's μ and log σ², make both terms "
                          "closed-form; w_j is the j-th column of W; ELBO ≤ log p(x)")


def reparameterization() -> Notation:
    z, mu, sigma, e = Tex("z"), Tex(r"\mu"), Tex(r"\sigma"), Tex(r"\epsilon")
    return Notation(((z, Plus(mu, Times(sigma, e))),), z,
                    {mu: "mu", sigma: "sigma", e: "eps"},
                    where="ε ~ N(0, 1) is an input, elementwise (z = μ + σ ⊙ ε for "
                          "vectors): ∂z/∂μ = 1, ∂z/∂σ = ε")


# --------------------------------------------------------------------------- GAN


def gan_minimax(n: Any = n) -> Notation:
    a, b_ = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    real = TexMatrix(r"D(\mathbf{x}_{i})", n, 1)
    fake = TexMatrix(r"D(G(\mathbf{z}_{i}))", n, 1)
    value = Tex(r"V(D, G)")
    mean_real = sp.Sum(Log(Term(real, r"D(\mathbf{x}_{#1})", i)), (i, 1, n)) / n
    mean_fake = sp.Sum(Log(1 - Term(fake, r"D(G(\mathbf{z}_{#1}))", i)), (i, 1, n)) / n
    lines = (
        (real, ByEntry(Sigmoid(a.at(i)), (i, c), n, 1)),
        (fake, ByEntry(Sigmoid(b_.at(i)), (i, c), n, 1)),
        (value, Plus(mean_real, mean_fake)),
    )
    return Notation(lines, value, {a: "real_logits", b_: "fake_logits"}, shown=(2, 0, 1),
                    where="a_i and b_i are the discriminator's logits on n real samples x_i "
                          "and n generated G(z_i): the sample means of the two expectations "
                          "of V; D maximises V, G minimises it")


def optimal_discriminator() -> Notation:
    p, q = Tex(r"p_{\mathrm{data}}(\mathbf{x})"), Tex(r"p_{g}(\mathbf{x})")
    lhs = Tex(r"D^{*}(\mathbf{x})")
    return Notation(((lhs, p / (p + q)),), lhs, {p: "p_data", q: "p_g"},
                    where="D* maximises V(D, G) for a fixed generator, pointwise in x")


def gan_equilibrium(n: Any = n) -> Notation:
    p, q = vec(r"\mathbf{p}", n), vec(r"\mathbf{q}", n)
    real = Tex(r"\mathbb{E}_{\mathbf{x} \sim p_{\mathrm{data}}}\left[\log D^{*}(\mathbf{x})"
               r"\right]")
    fake = Tex(r"\mathbb{E}_{\mathbf{x} \sim p_{g}}\left[\log\left(1 - D^{*}(\mathbf{x})"
               r"\right)\right]")
    value = Tex(r"C(G)")

    def term(u: Any) -> sp.Expr:
        return sp.Sum(Paren(Plus(XLog(u.at(i), Log(u.at(i))),
                                 -XLog(u.at(i), Log(p.at(i) + q.at(i))))), (i, 1, n))

    lines = ((real, term(p)), (fake, term(q)), (value, real + fake))
    return Notation(lines, value, {p: "p", q: "q"}, shown=(2, 0, 1),
                    where="p_i = p_data(x_i) and q_i = p_g(x_i) over n outcomes, D* = "
                          "p_data/(p_data + p_g) and 0 log 0 = 0: C(G) = V(D*, G) = −log 4 + "
                          "2 JSD(p_data ‖ p_g)")


# --------------------------------------------------------------------------- DDPM


def ddpm_forward() -> Notation:
    x0, e, beta, x = Tex(r"x_{t-1}"), Tex(r"\epsilon"), Tex(r"\beta_{t}"), Tex(r"x_{t}")
    rhs = Plus(Times(sp.sqrt(1 - beta), x0), Times(sp.sqrt(beta), e))
    return Notation(((x, rhs),), x, {x0: "x_prev", e: "eps", beta: "beta"},
                    where="ε ~ N(0, 1) is the noise, elementwise: a sample of q(x_t | "
                          "x_{t−1}) = N(√(1 − β_t) x_{t−1}, β_t I)")


def ddpm_marginal(d: Any = d, T: Any = T) -> Notation:
    x0, e = vec(r"\mathbf{x}_{0}", d), vec(r"\boldsymbol{\epsilon}", d)
    beta = vec(r"\boldsymbol{\beta}", T)
    alpha = sequence(r"\alpha", T, 1 - beta.at(s), s)
    abar, x = Tex(r"\bar{\alpha}_{t}"), TexMatrix(r"\mathbf{x}_{t}", d, 1)
    lines = (
        (abar, sp.Product(Elem(alpha, s - 1, 0), (s, 1, T))),
        (x, MatPlus(sp.MatMul(sp.sqrt(abar), x0), sp.MatMul(sp.sqrt(1 - abar), e))),
    )
    return Notation(lines, x, {x0: "x0", e: "eps", beta: "betas"}, shown=(1, 0),
                    where="ε ~ N(0, I) is the noise and β_1 … β_t the schedule: a sample "
                          "of q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) in one step")


def ddpm_reverse() -> Notation:
    x, e, beta, abar0 = Tex(r"x_{t}"), Tex(r"\epsilon_{\theta}(x_{t}, t)"), Tex(r"\beta_{t}"), \
        Tex(r"\bar{\alpha}_{t-1}")
    alpha, abar, mean = Tex(r"\alpha_{t}"), Tex(r"\bar{\alpha}_{t}"), Tex(r"\mu_{\theta}(x_{t}, t)")
    lines = (
        (alpha, 1 - beta),
        (abar, Times(abar0, alpha)),
        (mean, Times(1 / sp.sqrt(alpha), Plus(x, -Times(beta / sp.sqrt(1 - abar), e)))),
    )
    return Notation(lines, mean, {x: "x_t", e: "eps", beta: "beta", abar0: "abar_prev"},
                    shown=(2, 0, 1),
                    where="ε_θ is the network's noise prediction, elementwise: the mean of "
                          "p_θ(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t² I)")


def ddpm_loss(d: Any = d) -> Notation:
    e = vec(r"\boldsymbol{\epsilon}", d)
    pred = vec(r"\boldsymbol{\epsilon}_{\theta}(\mathbf{x}_{t}, t)", d)
    lhs = Tex(r"L_{\mathrm{simple}}")
    return Notation(((lhs, SqNorm(MatPlus(e, -pred))),), lhs, {e: "eps", pred: "eps_pred"},
                    where="x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, per sample; the training loss is "
                          "its mean over t, x_0 and ε")
