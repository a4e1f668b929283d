"""Section 12 · Generative models: SymPy forms and the derivations (Gaussian KL, optimal
discriminator, GAN value, DDPM composition and posterior)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from mathcheck.outcome import CheckContext, Outcome
from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector
from mathcheck.symbolic.information import xlogy


def _sq(v: sp.Matrix) -> sp.Expr:
    return sum(e**2 for e in v)


# --------------------------------------------------------------------------- VAE


def elbo(n: int, k: int) -> SymForm:
    """Linear-Gaussian VAE: p(z) = N(0, I_k), p(x|z) = N(Wz + b, s²I_n), q(z|x) = N(m, diag e^ℓ).

    ELBO = E_q[log p(x|z)] − KL(q‖p), both in closed form:
    E_q log p(x|z) = −(n/2)log(2πs²) − (‖x − Wm − b‖² + Σ_j e^{ℓ_j}‖W_:j‖²)/(2s²).
    """
    x, b = vector("x", n), vector("b", n)
    w = matrix("W", n, k)
    m, logv = vector("m", k), vector("logv", k)
    s = sp.Symbol("s", positive=True)
    var = logv.applyfunc(sp.exp)
    spread = sum(var[j] * _sq(w[:, j]) for j in range(k))
    reconstruction = -sp.Rational(n, 2) * sp.log(2 * sp.pi * s**2) - (
        _sq(x - w * m - b) + spread) / (2 * s**2)
    kl = sum(var[j] + m[j] ** 2 - 1 - logv[j] for j in range(k)) / 2
    return SymForm(reconstruction - kl, {"x": x, "W": w, "b": b, "m": m, "logv": logv},
                   {"s": s})


@cache
def _standard_normal_moments(top: int = 4) -> tuple[sp.Expr, ...]:
    t = real("t")
    phi = sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)
    return tuple(sp.integrate(t**j * phi, (t, -sp.oo, sp.oo)) for j in range(top + 1))


def _expect_polynomial(expr: sp.Expr, t: sp.Symbol) -> sp.Expr:
    """E[expr(t)] for t ~ N(0, 1), expr a polynomial in t: integrate each moment."""
    moments = _standard_normal_moments()
    return sum(c * moments[power] for (power,), c in sp.Poly(sp.expand(expr), t).terms())


def gaussian_kl_closed_form() -> Equation:
    """KL(N(μ, σ²) ‖ N(0, 1)) = E_q[log q − log p], integrated with z = μ + σt, equals
    ½(σ² + μ² − 1 − log σ²)."""
    t, mu, sigma = real("t"), real("mu"), sp.Symbol("sigma", positive=True)
    z = mu + sigma * t
    log_q = -sp.log(sigma) - (z - mu) ** 2 / (2 * sigma**2)  # the common −½log 2π cancels
    log_p = -(z**2) / 2
    derived = _expect_polynomial(log_q - log_p, t)
    return Equation(derived, (sigma**2 + mu**2 - 1 - sp.log(sigma**2)) / 2)


def elbo_gap_is_posterior_kl() -> Equation:
    """n = k = 1: log p(x) − ELBO(m, v) = KL(N(m, v) ‖ p(z|x)), with p(x) = N(b, w² + s²) and
    the posterior N(m*, v*), v* = s²/(s² + w²), m* = w(x − b)/(s² + w²). A KL is ≥ 0 and 0 only
    at q = posterior (info.kl): log p(x) ≥ ELBO, with equality exactly there."""
    x, w, b, m, logv = (real(name) for name in ("x", "w", "b", "m", "logv"))
    s = sp.Symbol("s", positive=True)
    v = sp.exp(logv)
    form = elbo(1, 1)
    subs = {form.args["x"][0]: x, form.args["W"][0, 0]: w, form.args["b"][0]: b,
            form.args["m"][0]: m, form.args["logv"][0]: logv, form.params["s"]: s}
    elbo_value = form.expr.subs(subs)
    evidence_var = w**2 + s**2
    log_evidence = -sp.log(2 * sp.pi * evidence_var) / 2 - (x - b) ** 2 / (2 * evidence_var)
    v_star = s**2 / evidence_var
    m_star = w * (x - b) / evidence_var
    kl = (v / v_star + (m - m_star) ** 2 / v_star - 1 + sp.log(v_star) - logv) / 2
    return Equation(sp.expand_log(log_evidence - elbo_value, force=True),
                    sp.expand_log(kl, force=True))


def reparameterization() -> SymForm:
    mu, sigma, eps = real("mu"), sp.Symbol("sigma", positive=True), real("eps")
    return SymForm(mu + sigma * eps, {"mu": mu, "sigma": sigma, "eps": eps})


def d_reparameterization_d_mu(form: SymForm) -> sp.Expr:
    """∂z/∂μ = 1: gradients reach μ unchanged."""
    return sp.Integer(1)


def d_reparameterization_d_sigma(form: SymForm) -> sp.Expr:
    """∂z/∂σ = ε: the noise is an input, not a function of σ."""
    return form.args["eps"]


# --------------------------------------------------------------------------- GAN


def gan_minimax(n: int) -> SymForm:
    """V(D, G) on n real and n generated samples, D = σ(logit)."""
    a, b = vector("real_logits", n), vector("fake_logits", n)
    sig = lambda u: 1 / (1 + sp.exp(-u))  # noqa: E731
    value = sum(sp.log(sig(ai)) for ai in a) / n + sum(sp.log(1 - sig(bi)) for bi in b) / n
    return SymForm(value, {"real_logits": a, "fake_logits": b})


def optimal_discriminator() -> SymForm:
    p, q = sp.Symbol("p_data", nonnegative=True), sp.Symbol("p_g", nonnegative=True)
    return SymForm(p / (p + q), {"p_data": p, "p_g": q})


def optimal_discriminator_derived(ctx: CheckContext) -> Outcome:
    """Pointwise maximisation: for fixed x the integrand is f(D) = p log D + q log(1 − D);
    f'(D) = 0 has the single root p/(p + q), and f'' = −p/D² − q/(1 − D)² < 0: a maximum."""
    p, q = sp.symbols("p_data p_g", positive=True)
    d = sp.Symbol("D", positive=True)
    f = p * sp.log(d) + q * sp.log(1 - d)
    roots = sp.solve(sp.diff(f, d), d)
    stated = optimal_discriminator().expr.subs(
        {sp.Symbol("p_data", nonnegative=True): p, sp.Symbol("p_g", nonnegative=True): q})
    if len(roots) != 1 or sp.simplify(roots[0] - stated) != 0:
        return Outcome("failed", f"stationary points {roots}, stated {stated}")
    curvature = sp.simplify(sp.diff(f, d, 2).subs(d, roots[0]))
    if not curvature.is_negative:
        return Outcome("failed", f"f''(D*) = {curvature} is not negative")
    return Outcome("confirmed", f"f'(D) = 0 ⇔ D = p_data/(p_data + p_g); f''(D*) = {curvature} "
                   "< 0 (solved and classified exactly by SymPy, not a proof by the prover)")


def gan_equilibrium(n: int) -> SymForm:
    """C(G) = V(D*, G) = Σ p log(p/(p+q)) + Σ q log(q/(p+q)) over n outcomes."""
    p, q = vector("p", n), vector("q", n)
    # u·log(u/(u+v)) as xlogy(u, u) − xlogy(u, u + v): no quotient that is 0/0 where u = v = 0
    # (the oracle's common-subexpression pass evaluates quotients ahead of the Piecewise).
    value = sum(xlogy(pi, pi) - xlogy(pi, pi + qi) + xlogy(qi, qi) - xlogy(qi, pi + qi)
                for pi, qi in zip(p, q, strict=True))
    return SymForm(value, {"p": p, "q": q})


def equilibrium_is_jsd() -> Equation:
    """Two outcomes, p = (a, 1 − a), q = (c, 1 − c): C = −log 4 + 2·JSD(p‖q) — minimised, at
    −log 4, exactly when p_g = p_data (JSD ≥ 0, = 0 iff equal)."""
    a, c = sp.symbols("a c", positive=True)
    p, q = [a, 1 - a], [c, 1 - c]
    total = [pi + qi for pi, qi in zip(p, q, strict=True)]
    value = sum(pi * sp.log(pi / ti) + qi * sp.log(qi / ti)
                for pi, qi, ti in zip(p, q, total, strict=True))

    def kl_to_mixture(u: list[sp.Expr]) -> sp.Expr:
        """KL(u‖m) with m = (p + q)/2, written u·log(2u/(p + q))."""
        return sum(ui * sp.log(2 * ui / ti) for ui, ti in zip(u, total, strict=True))

    jsd = (kl_to_mixture(p) + kl_to_mixture(q)) / 2
    return Equation(sp.expand_log(value, force=True),
                    sp.expand_log(-2 * sp.log(2) + 2 * jsd, force=True),
                    {a: (0.05, 0.95), c: (0.05, 0.95)})


# --------------------------------------------------------------------------- DDPM


def ddpm_forward() -> SymForm:
    x, eps = real("x_prev"), real("eps")
    beta = sp.Symbol("beta", positive=True)
    return SymForm(sp.sqrt(1 - beta) * x + sp.sqrt(beta) * eps,
                   {"x_prev": x, "eps": eps, "beta": beta})


def ddpm_marginal(d: int, T: int) -> SymForm:
    x0, eps, betas = vector("x0", d), vector("eps", d), vector("beta", T)
    alpha_bar = sp.Mul(*[1 - b for b in betas])
    return SymForm(sp.sqrt(alpha_bar) * x0 + sp.sqrt(1 - alpha_bar) * eps,
                   {"x0": x0, "eps": eps, "betas": betas})


def marginal_by_composition(T: int = 3) -> Equation:
    """Apply T forward steps x_t = √α_t x_{t−1} + √β_t ε_t to x_0 symbolically: the mean is
    √ᾱ_T x_0 and the independent noises' variances add to 1 − ᾱ_T."""
    x0 = real("x0")
    alphas = [sp.Symbol(f"alpha_{t}", positive=True) for t in range(1, T + 1)]
    noises = [real(f"eps_{t}") for t in range(1, T + 1)]
    x = x0
    for alpha, noise in zip(alphas, noises, strict=True):
        x = sp.sqrt(alpha) * x + sp.sqrt(1 - alpha) * noise
    x = sp.expand(x)
    mean = x.coeff(x0)
    variance = sum(x.coeff(noise) ** 2 for noise in noises)
    alpha_bar = sp.Mul(*alphas)
    return Equation(sp.Matrix([mean, variance]), sp.Matrix([sp.sqrt(alpha_bar), 1 - alpha_bar]),
                    {a: (0.05, 0.999) for a in alphas})


def ddpm_reverse() -> SymForm:
    """μ_θ(x_t, ε) = (x_t − β_t/√(1 − ᾱ_t) ε)/√α_t with ᾱ_t = ᾱ_{t−1}(1 − β_t)."""
    x, eps = real("x_t"), real("eps")
    beta, abar_prev = sp.Symbol("beta", positive=True), sp.Symbol("abar_prev", positive=True)
    abar = abar_prev * (1 - beta)
    return SymForm((x - beta / sp.sqrt(1 - abar) * eps) / sp.sqrt(1 - beta),
                   {"x_t": x, "eps": eps, "beta": beta, "abar_prev": abar_prev})


def posterior_mean_derived() -> Equation:
    """q(x_{t−1}|x_t, x_0) ∝ N(x_t; √α x_{t−1}, β)·N(x_{t−1}; √ᾱ_{t−1} x_0, 1 − ᾱ_{t−1}).
    Completing the square in y = x_{t−1}: precision A, mean B/A. With x_0 written through the
    noise, x_0 = (x_t − √(1 − ᾱ_t) ε)/√ᾱ_t, the mean is the ε-form of ddpm.reverse and the
    variance is β̃ = β(1 − ᾱ_{t−1})/(1 − ᾱ_t)."""
    y, x_t, x0, eps = real("y"), real("x_t"), real("x0"), real("eps")
    beta, abar_prev = sp.Symbol("beta", positive=True), sp.Symbol("abar_prev", positive=True)
    alpha = 1 - beta
    abar = abar_prev * alpha
    log_density = (-(x_t - sp.sqrt(alpha) * y) ** 2 / (2 * beta)
                   - (y - sp.sqrt(abar_prev) * x0) ** 2 / (2 * (1 - abar_prev)))
    poly = sp.Poly(sp.expand(log_density), y)
    precision = -2 * poly.coeff_monomial(y**2)
    mean = poly.coeff_monomial(y) / precision
    mean_eps = mean.subs(x0, (x_t - sp.sqrt(1 - abar) * eps) / sp.sqrt(abar))
    form = ddpm_reverse()
    stated_mean = form.expr.subs({form.args["x_t"]: x_t, form.args["eps"]: eps,
                                  form.args["beta"]: beta, form.args["abar_prev"]: abar_prev})
    return Equation(sp.Matrix([mean_eps, 1 / precision]),
                    sp.Matrix([stated_mean, beta * (1 - abar_prev) / (1 - abar)]),
                    {beta: (0.01, 0.5), abar_prev: (0.05, 0.95)})


def ddpm_loss(d: int) -> SymForm:
    eps, pred = vector("eps", d), vector("eps_pred", d)
    return SymForm(_sq(eps - pred), {"eps": eps, "eps_pred": pred})


def loss_is_weighted_mean_error() -> Equation:
    """Why predicting ε suffices: μ̃(x_t, ε) − μ_θ(x_t, ε̂) = β/(√α √(1 − ᾱ_t))·(ε̂ − ε), so the
    reverse-step KL, ‖μ̃ − μ_θ‖²/(2σ_t²), is a fixed weight times ‖ε − ε̂‖²."""
    x_t, eps, pred = real("x_t"), real("eps"), real("eps_pred")
    beta, abar_prev = sp.Symbol("beta", positive=True), sp.Symbol("abar_prev", positive=True)
    form = ddpm_reverse()
    mu = lambda e: form.expr.subs({form.args["x_t"]: x_t, form.args["eps"]: e,  # noqa: E731
                                   form.args["beta"]: beta, form.args["abar_prev"]: abar_prev})
    abar = abar_prev * (1 - beta)
    weight = beta**2 / ((1 - beta) * (1 - abar))
    return Equation((mu(eps) - mu(pred)) ** 2, weight * (eps - pred) ** 2,
                    {beta: (0.01, 0.5), abar_prev: (0.05, 0.95)})
