"""Section 3 · Probability & statistics: SymPy forms and the derivations behind the claims.

Normalisation, means and variances are *derived* here (summed or integrated by SymPy), the
Gaussian MLE by solving the score equations, and the MAP penalties from −log p(θ).
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

x = real("x")
mu = real("mu")
sigma = real("sigma", positive=True)
tau = real("tau", positive=True)
b_scale = real("b", positive=True)
theta = real("theta")
p_sym = real("p", nonnegative=True)


def _simplex(n: int) -> tuple[sp.Matrix, dict[sp.Symbol, sp.Expr]]:
    """p_0 … p_{n−1} and the substitution p_{n−1} = 1 − Σ others (what 'sums to 1' means)."""
    p = vector("p", n, nonnegative=True)
    return p, {p[n - 1]: 1 - sum(p[: n - 1], sp.Integer(0))}


# --------------------------------------------------------------------- core rules


def addition_rule(n: int) -> SymForm:
    """P(A) + P(B) − P(A∩B) for events given by 0/1 indicators a, b over n outcomes."""
    p, a, b = vector("p", n), vector("a", n), vector("b", n)
    pa = sum((p[i] * a[i] for i in range(n)), sp.Integer(0))
    pb = sum((p[i] * b[i] for i in range(n)), sp.Integer(0))
    pab = sum((p[i] * a[i] * b[i] for i in range(n)), sp.Integer(0))
    return SymForm(pa + pb - pab, {"p": p, "a": a, "b": b})


def _table2x2() -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, sp.Symbol]:
    """The four cells P(A∩B), P(A∩¬B), P(¬A∩B), P(¬A∩¬B): any pair of events splits Ω so."""
    return sp.symbols("c_AB c_Ab c_aB c_ab", positive=True)


def addition_rule_table() -> Equation:
    """P(A∪B) (the three cells that touch A or B) = P(A) + P(B) − P(A∩B)."""
    ab, a_only, b_only, _ = _table2x2()
    return Equation(ab + a_only + b_only, (ab + a_only) + (ab + b_only) - ab)


def multiplication_rule(k: int, m: int) -> SymForm:
    """P(X=i, Y=j) = P(X=i)·P(Y=j | X=i): marginal × conditional table."""
    px = vector("px", k)
    cond = matrix("c", k, m)
    return SymForm(sp.Matrix(k, m, lambda i, j: px[i] * cond[i, j]), {"px": px, "cond": cond})


def multiplication_rule_table(k: int = 2, m: int = 3) -> Equation:
    """With P(X) = Σ_j J_ij and P(Y|X) = J_ij / P(X=i), the product gives back J."""
    J = matrix("J", k, m, positive=True)
    marginal = [sum(J.row(i)) for i in range(k)]
    product = sp.Matrix(k, m, lambda i, j: marginal[i] * (J[i, j] / marginal[i]))
    return Equation(product, J)


def bayes(n: int) -> SymForm:
    """P(A_i | B) = P(B | A_i) P(A_i) / Σ_j P(B | A_j) P(A_j) (total probability below)."""
    prior, lik = vector("prior", n), vector("likelihood", n)
    w = prior.multiply_elementwise(lik)
    return SymForm(w / sum(w), {"prior": prior, "likelihood": lik})


def bayes_table() -> Equation:
    """P(B|A)P(A)/P(B) = P(A∩B)/P(B) = P(A|B): the multiplication rule used both ways."""
    ab, a_only, b_only, _ = _table2x2()
    pa, pb = ab + a_only, ab + b_only
    return Equation((ab / pa) * pa / pb, ab / pb)


# --------------------------------------------------------------------- distributions


def bernoulli() -> SymForm:
    """pᵡ(1 − p)¹⁻ᵡ for x ∈ {0, 1}."""
    return SymForm(p_sym**x * (1 - p_sym) ** (1 - x), {"x": x, "p": p_sym})


def _bernoulli_moments() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    pmf = bernoulli().expr
    support = (0, 1)
    total = sum(pmf.subs(x, v) for v in support)
    mean = sum(v * pmf.subs(x, v) for v in support)
    var = sum((v - mean) ** 2 * pmf.subs(x, v) for v in support)
    return total, mean, var


def bernoulli_normalised() -> Equation:
    return Equation(_bernoulli_moments()[0], sp.Integer(1), {p_sym: (0.0, 1.0)})


def bernoulli_mean() -> Equation:
    return Equation(_bernoulli_moments()[1], p_sym, {p_sym: (0.0, 1.0)})


def bernoulli_variance() -> Equation:
    return Equation(_bernoulli_moments()[2], p_sym * (1 - p_sym), {p_sym: (0.0, 1.0)})


def categorical(n: int) -> SymForm:
    """Π_i p_iˣⁱ for a one-hot x: the probability of the class x picks."""
    p, onehot = vector("p", n), vector("x", n)
    return SymForm(sp.Mul(*(p[i] ** onehot[i] for i in range(n))), {"p": p, "x": onehot})


def _categorical_moments(n: int) -> tuple[sp.Expr, sp.Matrix, sp.Matrix, sp.Matrix]:
    p, on_simplex = _simplex(n)
    form = categorical(n)
    eye = sp.eye(n)
    probs = [form.expr.subs(dict(zip(form.args["x"], eye.col(k), strict=True))) for k in range(n)]
    probs = [q.subs(dict(zip(form.args["p"], p, strict=True))) for q in probs]
    total = sum(probs, sp.Integer(0)).subs(on_simplex)
    mean = sum((probs[k] * eye.col(k) for k in range(n)), sp.zeros(n, 1))
    cov = sum(((eye.col(k) - mean) * (eye.col(k) - mean).T * probs[k] for k in range(n)),
              sp.zeros(n, n))
    return total, mean.subs(on_simplex), cov.subs(on_simplex), p.subs(on_simplex)


def categorical_normalised(n: int = 3) -> Equation:
    return Equation(_categorical_moments(n)[0], sp.Integer(1))


def categorical_mean(n: int = 3) -> Equation:
    """E[one-hot x] = p."""
    _, mean, _, p = _categorical_moments(n)
    return Equation(mean, p)


def categorical_covariance(n: int = 3) -> Equation:
    """Cov[one-hot x] = diag(p) − ppᵀ."""
    _, _, cov, p = _categorical_moments(n)
    return Equation(cov, sp.diag(*p) - p * p.T)


def gaussian() -> SymForm:
    pdf = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
    return SymForm(pdf, {"x": x, "mu": mu, "sigma": sigma})


def _integral(expr: sp.Expr) -> sp.Expr:
    return sp.simplify(sp.integrate(expr, (x, -sp.oo, sp.oo)))


def gaussian_normalised() -> Equation:
    return Equation(_integral(gaussian().expr), sp.Integer(1))


def gaussian_mean() -> Equation:
    return Equation(_integral(x * gaussian().expr), mu)


def gaussian_variance() -> Equation:
    return Equation(_integral((x - mu) ** 2 * gaussian().expr), sigma**2)


def multivariate_gaussian(n: int) -> SymForm:
    """log N(x; μ, Σ) = −½[(x−μ)ᵀΣ⁻¹(x−μ) + log det Σ + n log 2π] (adjugate / det)."""
    xv, mv, S = vector("x", n), vector("mu", n), matrix("Sigma", n, n)
    d = xv - mv
    det = S.det()
    maha = (d.T * S.adjugate() * d)[0, 0] / det
    log_pdf = -(maha + sp.log(det) + n * sp.log(2 * sp.pi)) / 2
    # Undefined (NaN, which the engine skips as outside the domain) for a singular Σ, which
    # rounding a nearly singular Σ to fp16 can produce.
    return SymForm(sp.Piecewise((log_pdf, det > 0), (sp.nan, True)),
                   {"x": xv, "mu": mv, "sigma": S})


def _cholesky_factor(n: int) -> sp.Matrix:
    """A generic lower-triangular L with positive diagonal: Σ = LLᵀ is any SPD matrix."""
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"L_{i}{j}", positive=True) if i == j
                     else sp.Symbol(f"L_{i}{j}", real=True) if i > j else sp.Integer(0))


def multivariate_gaussian_change_of_variables(n: int = 2) -> Equation:
    """p(μ + Lz)·det L = Π φ(z_i): the MVN is an affine image of independent standard normals.

    With the 1-D results (∫φ = 1, ∫zφ = 0, ∫z²φ = 1) this gives normalisation, E[x] = μ and
    Cov[x] = L·I·Lᵀ = Σ.
    """
    L = _cholesky_factor(n)
    z, mv = vector("z", n), vector("mu", n)
    S = L * L.T
    xv = mv + L * z
    d = xv - mv
    maha = (d.T * S.inv() * d)[0, 0]
    pdf = sp.exp(-maha / 2) / sp.sqrt((2 * sp.pi) ** n * S.det())
    phi = sp.Mul(*(sp.exp(-z[i] ** 2 / 2) / sp.sqrt(2 * sp.pi) for i in range(n)))
    return Equation(sp.simplify(pdf * L.det()), phi)


def standard_normal_moments() -> Equation:
    """∫φ = 1, ∫zφ = 0, ∫z²φ = 1, integrated by SymPy."""
    phi = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
    moments = sp.Matrix([_integral(x**k * phi) for k in range(3)])
    return Equation(moments, sp.Matrix([1, 0, 1]))


# --------------------------------------------------------------------- estimation


def mle(n: int) -> SymForm:
    """The stated Gaussian MLE: (sample mean, biased variance) of n samples."""
    xs = vector("x", n)
    m = sum(xs, sp.Integer(0)) / n
    v = sum(((xi - m) ** 2 for xi in xs), sp.Integer(0)) / n
    return SymForm(sp.Matrix([m, v]), {"x": xs})


def _log_likelihood(xs: sp.Matrix, var: sp.Symbol) -> sp.Expr:
    return sum((-sp.log(2 * sp.pi * var) / 2 - (xi - mu) ** 2 / (2 * var) for xi in xs),
               sp.Integer(0))


def mle_score_equations(n: int = 3) -> Equation:
    """Solve ∂ℓ/∂μ = 0, ∂ℓ/∂σ² = 0 for the Gaussian log-likelihood: the unique solution."""
    xs, var = vector("x", n), real("v", positive=True)
    ell = _log_likelihood(xs, var)
    solutions = sp.solve([sp.diff(ell, mu), sp.diff(ell, var)], [mu, var], dict=True)
    if len(solutions) != 1:
        return Equation(sp.Integer(len(solutions)), sp.Integer(1))
    (s,) = solutions
    return Equation(sp.Matrix([s[mu], s[var]]), mle(n).expr)


def mle_is_maximum(n: int = 3) -> Equation:
    """The Hessian of ℓ at the solution is diag(−n/σ̂², −n/(2σ̂⁴)) ≺ 0: a maximum."""
    xs, var = vector("x", n), real("v", positive=True)
    ell = _log_likelihood(xs, var)
    m, v = mle(n).expr
    H = sp.hessian(ell, (mu, var)).subs({mu: m, var: v})
    return Equation(H, sp.diag(-n / v, -n / (2 * v**2)))


def map_estimate(n: int) -> SymForm:
    """MAP of a Gaussian mean (known σ) under a N(0, τ²) prior: Σx / (n + σ²/τ²) (ridge)."""
    xs = vector("x", n)
    return SymForm(sum(xs, sp.Integer(0)) / (n + sigma**2 / tau**2), {"x": xs},
                   {"sigma": sigma, "tau": tau})


def map_gaussian_prior_is_l2(n: int = 3) -> Equation:
    """−log Π N(θ_i; 0, τ²) = ‖θ‖²/(2τ²) + const: an L2 penalty with λ = 1/(2τ²)."""
    th = vector("theta", n)
    prior = sp.Mul(*(sp.exp(-t**2 / (2 * tau**2)) / (sp.sqrt(2 * sp.pi) * tau) for t in th))
    penalty = sum((t**2 for t in th), sp.Integer(0)) / (2 * tau**2)
    return Equation(sp.expand_log(-sp.log(prior), force=True),
                    penalty + n * sp.log(2 * sp.pi * tau**2) / 2)


def map_laplace_prior_is_l1(n: int = 3) -> Equation:
    """−log Π Laplace(θ_i; 0, b) = ‖θ‖₁/b + const: an L1 penalty with λ = 1/b."""
    th = vector("theta", n)
    prior = sp.Mul(*(sp.exp(-sp.Abs(t) / b_scale) / (2 * b_scale) for t in th))
    penalty = sum((sp.Abs(t) for t in th), sp.Integer(0)) / b_scale
    return Equation(sp.expand_log(-sp.log(prior), force=True), penalty + n * sp.log(2 * b_scale))


def map_penalised_score(n: int = 3) -> Equation:
    """Solving d/dθ[−Σ log N(x_i; θ, σ²) + θ²/(2τ²)] = 0 gives the stated MAP estimate."""
    xs = vector("x", n)
    objective = sum(((xi - theta) ** 2 / (2 * sigma**2) for xi in xs), sp.Integer(0))
    objective += theta**2 / (2 * tau**2)
    (solution,) = sp.solve(sp.diff(objective, theta), theta)
    return Equation(solution, map_estimate(n).expr)


def map_laplace_branches(n: int = 3) -> dict[str, sp.Expr]:
    """Stationary points of Σ(x_i − θ)²/(2σ²) + |θ|/b on the branches θ > 0 (|θ| = θ) and
    θ < 0 (|θ| = −θ): x̄ ∓ σ²/(nb), i.e. soft-thresholding of x̄ at σ²/(nb)."""
    xs = vector("x", n)
    fit = sum(((xi - theta) ** 2 / (2 * sigma**2) for xi in xs), sp.Integer(0))
    out: dict[str, sp.Expr] = {}
    for name, sign in (("positive", 1), ("negative", -1)):
        (out[name],) = sp.solve(sp.diff(fit + sign * theta / b_scale, theta), theta)
    out["mean"] = sum(xs, sp.Integer(0)) / n
    out["threshold"] = sigma**2 / (n * b_scale)
    return out


def map_laplace_soft_threshold(n: int = 3) -> Equation:
    """The branch stationary points are x̄ − σ²/(nb) (θ > 0) and x̄ + σ²/(nb) (θ < 0).

    With the subgradient condition at θ = 0 (|x̄| ≤ σ²/(nb) puts 0 in the subdifferential,
    stated in the entry) this is soft-thresholding of x̄ at σ²/(nb).
    """
    br = map_laplace_branches(n)
    m, t = br["mean"], br["threshold"]
    return Equation(sp.Matrix([br["positive"], br["negative"]]), sp.Matrix([m - t, m + t]))


# --------------------------------------------------------------------- moments


def expectation(n: int) -> SymForm:
    """E[X] = Σ x_i p_i."""
    xs, p = vector("x", n), vector("p", n)
    return SymForm(sum((xs[i] * p[i] for i in range(n)), sp.Integer(0)), {"x": xs, "p": p})


def expectation_linear(n: int = 3) -> Equation:
    """E[aX + c] = aE[X] + c when Σp = 1."""
    xs, (p, on_simplex) = vector("x", n), _simplex(n)
    a, c = sp.symbols("a c", real=True)
    e = sum((xs[i] * p[i] for i in range(n)), sp.Integer(0))
    lhs = sum(((a * xs[i] + c) * p[i] for i in range(n)), sp.Integer(0))
    return Equation(lhs.subs(on_simplex), (a * e + c).subs(on_simplex))


def variance(n: int) -> SymForm:
    """Var X = Σ p_i (x_i − μ)² / Σp, μ = Σ p_i x_i / Σp (weights normalised by their sum)."""
    xs, p = vector("x", n), vector("p", n)
    total = sum(p, sp.Integer(0))
    m = sum((xs[i] * p[i] for i in range(n)), sp.Integer(0)) / total
    return SymForm(sum((p[i] * (xs[i] - m) ** 2 for i in range(n)), sp.Integer(0)) / total,
                   {"x": xs, "p": p})


def variance_shortcut(n: int = 3) -> Equation:
    """Var X = E[X²] − (E X)² when Σp = 1."""
    xs, (p, on_simplex) = vector("x", n), _simplex(n)
    e1 = sum((xs[i] * p[i] for i in range(n)), sp.Integer(0))
    e2 = sum((xs[i] ** 2 * p[i] for i in range(n)), sp.Integer(0))
    definition = sum((p[i] * (xs[i] - e1) ** 2 for i in range(n)), sp.Integer(0))
    return Equation(definition.subs(on_simplex), (e2 - e1**2).subs(on_simplex))


def _centred(v: sp.Matrix) -> sp.Matrix:
    n = v.shape[0]
    return v - sp.ones(n, 1) * sum(v, sp.Integer(0)) / n


def covariance(n: int) -> SymForm:
    """Cov(X, Y) = E[(X − μ_X)(Y − μ_Y)] over n equally weighted samples."""
    xs, ys = vector("x", n), vector("y", n)
    return SymForm(_centred(xs).dot(_centred(ys)) / n, {"x": xs, "y": ys})


def covariance_shortcut(n: int = 3) -> Equation:
    """Cov(X, Y) = E[XY] − E[X]E[Y]."""
    xs, ys = vector("x", n), vector("y", n)
    exy = xs.dot(ys) / n
    means = sum(xs, sp.Integer(0)) * sum(ys, sp.Integer(0)) / n**2
    return Equation(covariance(n).expr, exy - means)


def correlation(n: int) -> SymForm:
    """ρ = Cov(X, Y) / (σ_X σ_Y)."""
    xs, ys = vector("x", n), vector("y", n)
    dx, dy = _centred(xs), _centred(ys)
    product = dx.dot(dx) * dy.dot(dy)
    # Undefined (NaN) when either sample is constant (σ = 0). At 50 digits the centred
    # constant sample is ~1e-50 relative, not 0 (x̄ = Σx/n is inexact): hence the threshold.
    defined = product > sp.Float("1e-60", 50) * xs.dot(xs) * ys.dot(ys)
    return SymForm(sp.Piecewise((dx.dot(dy) / sp.sqrt(product), defined), (sp.nan, True)),
                   {"x": xs, "y": ys})


def correlation_bound(n: int = 3) -> Equation:
    """‖dx‖²‖dy‖² − (dx·dy)² = Σ_{i<j}(dx_i dy_j − dx_j dy_i)² ≥ 0 (Lagrange), so |ρ| ≤ 1."""
    xs, ys = vector("x", n), vector("y", n)
    dx, dy = _centred(xs), _centred(ys)
    pairs = ((i, j) for i in range(n) for j in range(i + 1, n))
    lagrange = sum(((dx[i] * dy[j] - dx[j] * dy[i]) ** 2 for i, j in pairs), sp.Integer(0))
    return Equation(dx.dot(dx) * dy.dot(dy) - dx.dot(dy) ** 2, lagrange)
