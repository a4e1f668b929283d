"""Section 3 · Probability & statistics: properties over generated inputs and custom checks
(random finite joint tables, near-singular covariances, a sampling check of the MLE's bias,
the Laplace-prior MAP as soft-thresholding)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric._dtypes import fmt, round_to
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._compare import both_forms, within
from mathcheck.numeric.checks._context import backend_of, form_under_test, numpy_rng
from mathcheck.numeric.checks._properties import Args, Form, outside, ulps_apart
from mathcheck.outcome import CheckContext, Outcome

# The shared properties, under the names this section's entries use.
sums_to_one = _properties.sums_to_one  # the posterior sums to 1

# --------------------------------------------------------------------- properties


def union_counted_directly(f: Form, args: Args, backend: Backend) -> float:
    """|rule − Σ_{ω ∈ A∪B} p(ω)| in eps: the union's probability summed outcome by outcome."""
    p, a, b = (backend.to_numpy(args[k]) for k in ("p", "a", "b"))
    direct = np.sum(p * np.maximum(a, b), axis=-1)
    return float(np.max(np.abs(backend.to_numpy(f(**args)) - direct))) / backend.eps


def in_unit_ball(f: Form, args: Args, backend: Backend) -> float:
    """How far |ρ| exceeds 1, in eps; rows with a zero variance (ρ undefined, NaN) are skipped."""
    x, y = backend.to_numpy(args["x"]), backend.to_numpy(args["y"])
    rho = backend.to_numpy(f(**args))
    defined = (np.ptp(x, axis=-1) > 0) & (np.ptp(y, axis=-1) > 0)
    return outside(rho[defined], -1.0, 1.0) / backend.eps


def _exact_variance(x: np.ndarray, p: np.ndarray) -> float:
    xs = [Fraction(float(v)) for v in x]
    ps = [Fraction(float(v)) for v in p]
    total = sum(ps)
    if total == 0:
        return float("nan")
    m = sum(pi * xi for pi, xi in zip(ps, xs, strict=True)) / total
    return float(sum(pi * (xi - m) ** 2 for pi, xi in zip(ps, xs, strict=True)) / total)


def offset_stable(f: Form, args: Args, backend: Backend) -> float:
    """Var(x + c) vs the exact Var(x), relative, in eps, for integer x and c = 1/eps.

    c = 2^(p−1) keeps x + c exact in every format for |x| ≤ 50 while E[X²] ≈ c² dwarfs the
    variance: E[X²] − (EX)² would lose all digits (fp16: E[X²] even overflows).
    """
    x, p = backend.to_numpy(args["x"]), backend.to_numpy(args["p"])
    c = 1.0 / backend.eps
    shifted = backend.to_numpy(f(x=backend.asarray(x + c), p=args["p"]))
    worst = 0.0
    for index in np.ndindex(*x.shape[:-1]):
        exact = _exact_variance(x[index], p[index])
        if np.isnan(exact):
            continue
        if not np.isfinite(shifted[index]):
            return float("inf")  # e.g. E[X²] ≈ c² overflowing fp16
        err = abs(shifted[index] - exact) / max(exact, np.finfo(np.float64).tiny)
        worst = max(worst, err if exact > 0 else abs(shifted[index]) / backend.eps)
    return worst / backend.eps


# --------------------------------------------------------------------- joint tables


def _forms(name: str, ctx: CheckContext) -> tuple[Any, Backend]:
    """The form under test (the catalog's `name` of this section) and the backend."""
    return form_under_test(ctx, "probability", name), backend_of(ctx)


def _tables(ctx: CheckContext) -> list[np.ndarray]:
    """Random joint tables P(X, Y) of shapes 1×1 … 4×5, Dirichlet(1) over the cells."""
    rng = numpy_rng(ctx)
    return [rng.dirichlet(np.ones(k * m)).reshape(k, m)
            for k, m in [(1 + t % 4, 1 + (t * 3) % 5) for t in range(max(ctx.examples, 8))]]


def joint_recovered(ctx: CheckContext) -> Outcome:
    """P(X)·P(Y|X) gives back P(X, Y): marginal and conditional computed exactly from the table
    (fp64) and rounded to the dtype; the form's product then errs by ≤ 1.5 ulp (three
    roundings of 0.5 ulp: P(X), P(Y|X), the product)."""
    f, bk = _forms("multiplication_rule", ctx)
    budget, worst, where = 1.5, 0.0, ""
    for J in _tables(ctx):
        J = round_to(J, ctx.dtype)
        px = J.sum(axis=1)
        cond = round_to(J / px[:, None], ctx.dtype)
        out = bk.to_numpy(f(px=bk.asarray(round_to(px, ctx.dtype)), cond=bk.asarray(cond)))
        err = float(np.max(ulps_apart(out, J, ctx.dtype, "elementwise")))
        if err > worst:
            worst, where = err, f"J={J.tolist()}"
    return Outcome.verdict(worst <= budget,
                           f"{len(_tables(ctx))} random joint tables (up to 4×5)", error=worst,
                           budget=budget, worst_input=where)


def posterior_from_joint(ctx: CheckContext) -> Outcome:
    """Bayes from the prior P(X) and likelihood P(Y=y|X) equals the joint's column y,
    normalised (P(X|Y=y) by definition). Both sides are computed from the table rounded to
    the dtype; error in ulps of the largest posterior: (n + 2) ulp for the form, 2 more for
    the rounded P(X) and P(Y|X), 1 for the reference."""
    f, bk = _forms("bayes", ctx)
    worst, budget_worst, where, ok = 0.0, 0.0, "", True
    for J in _tables(ctx):
        J = round_to(J, ctx.dtype)
        k = J.shape[0]
        prior = round_to(J.sum(axis=1), ctx.dtype)
        budget = k + 5.0
        for y in range(J.shape[1]):
            column = J[:, y]
            if column.sum() == 0:
                continue
            lik = round_to(column / J.sum(axis=1), ctx.dtype)
            out = bk.to_numpy(f(prior=bk.asarray(prior), likelihood=bk.asarray(lik)))
            reference = column / column.sum()
            err = float(np.max(ulps_apart(out, reference, ctx.dtype, "row")))
            if err / budget > worst / max(budget_worst, 1):
                worst, budget_worst, where = err, budget, f"J={J.tolist()}, y={y}"
            ok &= err <= budget
    return Outcome.verdict(ok, "posterior vs normalised joint column on "
                           f"{len(_tables(ctx))} random tables; allowed k + 5 ulp", error=worst,
                           budget=budget_worst, worst_input=where)


# --------------------------------------------------------------------- multivariate Gaussian


def _mvn_exact(x: np.ndarray, mu: np.ndarray, S: np.ndarray) -> float:
    with mpmath.workdps(50):
        Sm = mpmath.matrix(S.tolist())
        d = mpmath.matrix((x - mu).tolist())
        maha = (d.T * mpmath.inverse(Sm) * d)[0]
        return float(-(maha + mpmath.log(mpmath.det(Sm)) + len(x) * mpmath.log(2 * mpmath.pi)) / 2)


def _near_singular_cases(ctx: CheckContext) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Σ = Q diag(λ) Qᵀ with λ_min/λ_max down to 1/cond_max, and scaled Σ whose det leaves the
    range of the dtype (s^n underflows/overflows while Cholesky's Σ log L_ii does not)."""
    rng = numpy_rng(ctx)
    f = fmt(ctx.dtype)
    cases = []
    for n in (2, 3, 4):
        Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        for exponent in (2, 4, 6) if ctx.dtype == "float64" else (2, 3):
            lam = np.logspace(0, -exponent, n)
            S = round_to((Q * lam) @ Q.T, ctx.dtype)
            S = (S + S.T) / 2
            x = round_to(rng.normal(size=n), ctx.dtype)
            cases.append((f"n={n}, cond≈1e{exponent}", x, np.zeros(n), S))
        for scale in (f.tiny ** (1 / n) / 4, (f.max ** (1 / n)) * 4):
            S = round_to(scale * np.eye(n), ctx.dtype)
            x = round_to(np.sqrt(scale) * rng.normal(size=n), ctx.dtype)
            cases.append((f"n={n}, Σ = {scale:.3g}·I", x, np.zeros(n), S))
    return cases


def near_singular(ctx: CheckContext) -> Outcome:
    """Cholesky log-density against a 50-digit oracle on nearly singular and extremely scaled Σ.

    Error model (backward stable Cholesky and triangular solve): absolute error ≤
    4(n + 1)·u·cond(Σ)·(|maha| + n) + |y|·u, so we compare |ŷ − y| / (u·cond(Σ)·(maha + n + |y|)),
    allowed 4(n + 1). A det-based formula fails the scaled cases outright (det = 0 or ∞).
    """
    f, bk = _forms("multivariate_gaussian", ctx)
    u = fmt(ctx.dtype).eps / 2
    worst, where, ok = 0.0, "", True
    for label, x, mu, S in _near_singular_cases(ctx):
        exact = _mvn_exact(x, mu, S)
        got = float(bk.to_numpy(f(x=bk.asarray(x), mu=bk.asarray(mu), sigma=bk.asarray(S))))
        n = len(x)
        cond = float(np.linalg.cond(S))
        maha = abs(-2 * exact - np.linalg.slogdet(S)[1] - n * np.log(2 * np.pi))
        err = abs(got - exact) / (u * cond * (maha + n + abs(exact)))
        if not np.isfinite(got):
            err = float("inf")
        if err / (4 * (n + 1)) > worst:
            worst, where = err / (4 * (n + 1)), f"{label}: got {got!r}, exact {exact!r}"
        ok &= err <= 4 * (n + 1)
    return Outcome.verdict(ok, "near-singular and extremely scaled Σ vs a "
                           "50-digit oracle; error as a fraction of the backward-error bound "
                           "4(n+1)·u·cond(Σ)·(maha + n + |y|)", error=worst, budget=1.0,
                           unit="× bound", worst_input=where)


# --------------------------------------------------------------------- estimation


def mle_variance_bias(ctx: CheckContext) -> Outcome:
    """E[σ̂²] = (n − 1)σ²/n: the MLE of the variance is biased (sampling check, fixed seed).

    20 000 samples of size n = 5 from N(3, 4); the mean of σ̂² must lie within 4.4 standard
    errors (two-sided 99.999 %) of 3.2, and 4.0 (the unbiased value) must lie outside.
    """
    from mathcheck.numeric.numpy_forms.probability import mle

    rng = numpy_rng(ctx)
    n, sigma2, reps = 5, 4.0, 20_000
    est = mle(rng.normal(3.0, 2.0, size=(reps, n)))[:, 1]
    mean, se = float(est.mean()), float(est.std(ddof=1) / np.sqrt(reps))
    expected = (n - 1) * sigma2 / n
    z, z_unbiased = abs(mean - expected) / se, abs(mean - sigma2) / se
    return Outcome.verdict(z <= 4.4 and z_unbiased > 4.4,
                           f"mean σ̂² = {mean:.4f} ± {se:.4f} (seed {ctx.seed}); stated (n−1)σ²/n = "
                           f"{expected}; the unbiased σ² = 4 is {z_unbiased:.1f} SE away",
                           error=z, budget=4.4, unit="standard errors")


def laplace_soft_threshold_numeric(ctx: CheckContext) -> Outcome:
    """The NumPy and Torch map_laplace forms vs a dense-grid argmin of −log posterior (fp64)."""
    rng = numpy_rng(ctx)
    sigma, b = 1.0, 0.5
    grid = np.linspace(-4, 4, 400_001)
    spacing = grid[1] - grid[0]
    worst = 0.0
    for _ in range(max(ctx.examples // 2, 8)):
        n = int(rng.integers(1, 6))
        x = rng.normal(rng.uniform(-2, 2), 1.0, size=n)
        objective = ((x[:, None] - grid) ** 2).sum(0) / (2 * sigma**2) + np.abs(grid) / b
        best = grid[np.argmin(objective)]
        for got in both_forms("probability", "map_laplace", x, sigma, b):
            worst = max(worst, abs(float(got) - best) / spacing)
    return within(worst, 1.0, "soft-threshold forms vs argmin over a grid of step 2e-5 on "
                  "[−4, 4] (σ = 1, b = 0.5)", "grid steps")
