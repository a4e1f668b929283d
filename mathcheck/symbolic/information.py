"""Section 10 · Information theory: SymPy forms and the derivations behind the claims.

0·log 0 = 0 is written as a Piecewise so the oracle honours it at exact zeros; q = 0 where
p > 0 evaluates to +∞ (mpmath's log 0 = −∞), which is the value the numeric forms must return.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.outcome import CheckContext, Outcome
from mathcheck.symbolic._form import Equation, SymForm, matrix, vector


def xlogy(x: sp.Expr, y: sp.Expr) -> sp.Expr:
    """x·log y with the convention 0·log y = 0 (also for y = 0)."""
    return sp.Piecewise((0, sp.Eq(x, 0)), (x * sp.log(y), True))


def entropy(n: int) -> SymForm:
    p = vector("p", n)
    return SymForm(-sum(xlogy(pi, pi) for pi in p), {"p": p})


def cross_entropy(n: int) -> SymForm:
    p, q = vector("p", n), vector("q", n)
    return SymForm(-sum(xlogy(pi, qi) for pi, qi in zip(p, q, strict=True)), {"p": p, "q": q})


def kl(n: int) -> SymForm:
    p, q = vector("p", n), vector("q", n)
    terms = (xlogy(pi, pi) - xlogy(pi, qi) for pi, qi in zip(p, q, strict=True))
    return SymForm(sum(terms), {"p": p, "q": q})


def ce_decomposition(n: int) -> SymForm:
    """The oracle is H(p, q) itself; the numeric forms compute H(p) + KL(p‖q)."""
    return cross_entropy(n)


def perplexity(T: int) -> SymForm:
    logp = vector("logp", T)
    return SymForm(sp.exp(-sum(logp) / T), {"logp": logp})


def mutual_information(m: int, n: int) -> SymForm:
    """I(X;Y) of the joint table P/ΣP (normalised, so rounding cannot leave the simplex)."""
    w = matrix("P", m, n)
    total = sum(w)
    rows = [sum(w[i, :]) for i in range(m)]
    cols = [sum(w[:, j]) for j in range(n)]
    expr = sum(
        xlogy(w[i, j] / total, w[i, j] * total / (rows[i] * cols[j]))
        for i in range(m)
        for j in range(n)
    )
    return SymForm(expr, {"P": w})


# --------------------------------------------------------------------------- identities


def _positive(name: str, n: int) -> sp.Matrix:
    return vector(name, n, positive=True)


def ce_equals_entropy_plus_kl(n: int = 3) -> Equation:
    """H(p,q) = H(p) + KL(p‖q) for positive p, q (terms with p = 0 vanish on both sides)."""
    p, q = _positive("p", n), _positive("q", n)
    ce = -sum(pi * sp.log(qi) for pi, qi in zip(p, q, strict=True))
    h = -sum(pi * sp.log(pi) for pi in p)
    kl_ = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    return Equation(ce, h + kl_)


def ce_gradient_equals_kl_gradient(n: int = 3) -> Equation:
    """∇_q H(p,q) = ∇_q KL(p‖q): minimising cross-entropy in q is minimising KL."""
    p, q = _positive("p", n), _positive("q", n)
    ce = -sum(pi * sp.log(qi) for pi, qi in zip(p, q, strict=True))
    kl_ = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    return Equation(sp.Matrix([ce]).jacobian(q), sp.Matrix([kl_]).jacobian(q))


def perplexity_of_uniform(T: int = 3) -> Equation:
    """Every token has probability 1/V: PPL = V."""
    v = sp.Symbol("V", positive=True)
    return Equation(sp.exp(-sum(sp.log(1 / v) for _ in range(T)) / T), v)


def perplexity_is_inverse_geometric_mean(T: int = 3) -> Equation:
    """exp(−(1/T)Σ log P_t) = (Π P_t)^(−1/T)."""
    probs = _positive("P", T)
    lhs = sp.exp(-sum(sp.log(pt) for pt in probs) / T)
    return Equation(lhs, sp.Mul(*probs) ** sp.Rational(-1, T))


def mi_is_entropy_minus_conditional(m: int = 2, n: int = 2) -> Equation:
    """I(X;Y) = H(X) − H(X|Y), with H(X|Y) = −Σ P(x,y) log P(x|y)."""
    w = matrix("P", m, n, positive=True)
    total = sum(w)
    p = w / total
    px = [sum(p[i, :]) for i in range(m)]
    py = [sum(p[:, j]) for j in range(n)]
    mi = sum(p[i, j] * sp.log(p[i, j] / (px[i] * py[j])) for i in range(m) for j in range(n))
    hx = -sum(pxi * sp.log(pxi) for pxi in px)
    hx_given_y = -sum(p[i, j] * sp.log(p[i, j] / py[j]) for i in range(m) for j in range(n))
    return Equation(sp.expand_log(mi, force=True), sp.expand_log(hx - hx_given_y, force=True),
                    {s: (0.05, 1.0) for s in w})


def gibbs_inequality(ctx: CheckContext) -> Outcome:
    """KL(p‖q) ≥ 0 with equality iff q = p, derived (n = 3): on the simplex KL is strictly
    convex in q (Hessian diag(p_i/q_i²) ≻ 0) and its only stationary point (Lagrange) is q = p,
    where KL = 0. A strictly convex function's stationary point is its unique minimum."""
    n = 3
    p, q = _positive("p", n), _positive("q", n)
    lam = sp.Symbol("lambda")
    kl_ = sum(pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    lagrangian = kl_ + lam * (sum(q) - 1)
    stationary = [sp.diff(lagrangian, qi) for qi in q] + [sum(q) - 1]
    constraint_p = {p[-1]: 1 - sum(p[:-1])}
    solutions = sp.solve([e.subs(constraint_p) for e in stationary], [*q, lam], dict=True)
    if len(solutions) != 1:
        return Outcome("failed", f"expected one stationary point, got {solutions}")
    sol = solutions[0]
    if any(sp.simplify(sol[qi] - pi.subs(constraint_p)) != 0 for qi, pi in zip(q, p, strict=True)):
        return Outcome("failed", f"stationary point is not q = p: {sol}")
    hessian = sp.hessian(kl_, q)
    off_diagonal_zero = all(hessian[i, j] == 0 for i in range(n) for j in range(n) if i != j)
    diagonal_positive = all(hessian[i, i].is_positive for i in range(n))
    at_p = sp.simplify(kl_.subs(dict(zip(q, p, strict=True))))
    if not (off_diagonal_zero and diagonal_positive and at_p == 0):
        return Outcome("failed", f"Hessian {hessian}, KL(p‖p) = {at_p}")
    return Outcome("confirmed", "unique stationary point q = p (λ = 1), Hessian "
                   "diag(p_i/q_i²) ≻ 0, KL(p‖p) = 0 ⇒ KL ≥ 0 with equality iff q = p (solved "
                   "and classified exactly by SymPy, not a proof by the prover)")


# ------------------------------------------------------------------ convention variants


def kl_reversed(n: int) -> SymForm:
    """KL(q‖p) = Σ q(log q − log p): the arguments swapped — what F.kl_div(log p, q) computes
    when its (input = log-prediction, target) order is read as (p, q)."""
    p, q = vector("p", n), vector("q", n)
    terms = (xlogy(qi, qi) - xlogy(qi, pi) for pi, qi in zip(p, q, strict=True))
    return SymForm(sum(terms), {"p": p, "q": q})


def kl_mean(n: int) -> SymForm:
    """KL(p‖q)/n: F.kl_div's reduction='mean' (the mean over elements, not over rows;
    'batchmean' is the true KL per row of a 2-D batch, but on a 1-D row it divides by
    size(0) = n as well)."""
    form = kl(n)
    return SymForm(form.expr / n, form.args)


def _in_bits(form: SymForm) -> SymForm:
    """The same quantity in bits: nats / ln 2 (log₂ in place of ln)."""
    return SymForm(form.expr / sp.log(2), form.args, form.params)


def entropy_bits(n: int) -> SymForm:
    """H(p) in bits, −Σ p log₂ p (scipy.stats.entropy(p, base=2), information-theory texts)."""
    return _in_bits(entropy(n))


def cross_entropy_bits(n: int) -> SymForm:
    """H(p, q) in bits, −Σ p log₂ q."""
    return _in_bits(cross_entropy(n))


def kl_bits(n: int) -> SymForm:
    """KL(p‖q) in bits, Σ p(log₂ p − log₂ q) (scipy.stats.entropy(p, q, base=2))."""
    return _in_bits(kl(n))
