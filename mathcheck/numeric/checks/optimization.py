"""Section 6 · Optimization: many-step runs against the exact recurrence, torch.optim,
schedules at every step, dropout statistics and convexity.

The exact recurrence is the entry's own SymPy step iterated at 50 digits with exact gradients.
Each run reports two figures: the worst single-step error along the way (the numeric state fed
to both the form and the exact step) against the step budget, and the drift of the whole
trajectory against steps × step budget (errors add up at most linearly while the step map is
non-expansive, which the chosen learning rates ensure on these objectives).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from mathcheck.numeric._backend import Backend
from mathcheck.numeric._dtypes import round_to, ulp
from mathcheck.numeric.checks._compare import within
from mathcheck.numeric.checks._context import (
    agreement_budget,
    backend_of,
    catalog_form,
    form_under_test,
    numpy_rng,
    stated_params,
    torch_rng,
)
from mathcheck.numeric.checks._properties import Args, Form, outside, ulps_apart
from mathcheck.outcome import CheckContext, Outcome

DIGITS = 50
STEPS = 120
N = 4  # parameters per objective


# ------------------------------------------------------------------ objectives


@dataclass(frozen=True)
class Objective:
    """A test loss: SymPy expression (for exact gradients), a NumPy fp64 gradient, a start."""

    name: str
    build: Callable[[list[sp.Symbol]], sp.Expr]
    grad: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, ...]
    lr: dict[str, float]  # per optimizer: small enough that the step map is non-expansive


A_WELL = np.array([1.0, 2.0, 3.0, 4.0])
A_ILL = np.array([1e-3, 1e-2, 1e-1, 1.0])
C = np.array([1.0, -2.0, 0.5, 3.0])
X_DATA = np.array([[1.0, 2.0, -1.0, 0.5], [-1.5, 0.5, 2.0, 1.0], [0.5, -1.0, 1.0, -2.0],
                   [2.0, 1.0, 0.0, 1.5], [-0.5, -2.0, 1.5, 0.5], [1.0, 0.0, -1.0, -1.0]])
Y_DATA = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])


def _quadratic(a: np.ndarray) -> Callable[[list[sp.Symbol]], sp.Expr]:
    return lambda th: sum(sp.Rational(str(ai)) * (t - sp.Rational(str(ci))) ** 2 / 2
                          for ai, t, ci in zip(a, th, C, strict=True))


def _rosenbrock(th: list[sp.Symbol]) -> sp.Expr:
    return sum(100 * (th[i + 1] - th[i] ** 2) ** 2 + (1 - th[i]) ** 2 for i in (0, 2))


def _rosenbrock_grad(th: np.ndarray) -> np.ndarray:
    g = np.zeros_like(th)
    for i in (0, 2):
        r = th[i + 1] - th[i] ** 2
        g[i] = -400 * th[i] * r - 2 * (1 - th[i])
        g[i + 1] = 200 * r
    return g


def _logistic(th: list[sp.Symbol]) -> sp.Expr:
    rows = [sum(sp.Rational(str(x)) * t for x, t in zip(row, th, strict=True)) for row in X_DATA]
    return sum(sp.log(1 + sp.exp(-int(y) * z)) for y, z in zip(Y_DATA, rows, strict=True))


def _logistic_grad(th: np.ndarray) -> np.ndarray:
    margins = Y_DATA * (X_DATA @ th)
    weights = -Y_DATA * np.exp(-np.logaddexp(0.0, margins))  # −y·σ(−margin), stable
    return X_DATA.T @ weights


OBJECTIVES: tuple[Objective, ...] = (
    Objective("quadratic", _quadratic(A_WELL), lambda th: A_WELL * (th - C), (3.0, 1.0, -2.0, 0.0),
              {"gd": 0.2, "sgd_momentum": 0.05, "adam": 0.05, "adamw": 0.05}),
    Objective("ill-conditioned quadratic", _quadratic(A_ILL), lambda th: A_ILL * (th - C),
              (3.0, 1.0, -2.0, 0.0), {"gd": 1.0, "sgd_momentum": 0.1, "adam": 0.05, "adamw": 0.05}),
    Objective("rosenbrock", _rosenbrock, _rosenbrock_grad, (-1.25, 1.0, 0.5, 0.5),
              {"gd": 2e-4, "sgd_momentum": 2e-5, "adam": 1e-3, "adamw": 1e-3}),
    Objective("logistic regression", _logistic, _logistic_grad, (0.5, -0.5, 0.25, 1.0),
              {"gd": 0.1, "sgd_momentum": 0.02, "adam": 0.02, "adamw": 0.02}),
)


# ------------------------------------------------------------------ optimizers


@dataclass(frozen=True)
class Optimizer:
    """How to drive one step form: its state buffers, fixed parameters, SymPy builder."""

    name: str
    buffers: tuple[str, ...]  # state rows after θ, in the form's argument order
    params: dict[str, float]
    uses_step: bool = False  # Adam-type: pass t = 1, 2, ...


OPTIMIZERS: dict[str, Optimizer] = {
    "gd": Optimizer("gd", (), {}),
    "sgd_momentum": Optimizer("sgd_momentum", ("v",), {"momentum": 0.9}),
    "adam": Optimizer("adam", ("m", "v"), {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, True),
    "adamw": Optimizer("adamw", ("m", "v"),
                       {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1}, True),
}


def _params(opt: Optimizer, objective: Objective, t: int) -> dict[str, float]:
    params = {"lr": objective.lr[opt.name], **opt.params}
    if opt.uses_step:
        params["t"] = float(t)
    return params


@cache
def _exact_step(name: str) -> tuple[Callable[..., Any], list[str], list[str]]:
    """The SymPy step at n = N, compiled for mpmath: f(*state, g, *params) -> flat new state."""
    from mathcheck.symbolic import optimization as sym

    form = getattr(sym, name)(N)
    arg_names = list(form.args)
    param_names = list(form.params)
    symbols = [s for a in arg_names for s in form.args[a]] + [form.params[p] for p in param_names]
    return sp.lambdify(symbols, list(form.expr), modules="mpmath"), arg_names, param_names


@cache
def _exact_gradient(index: int) -> Callable[..., Any]:
    th = list(sp.symbols(f"theta_0:{N}", real=True))
    loss = OBJECTIVES[index].build(th)
    return sp.lambdify(th, [sp.diff(loss, t) for t in th], modules="mpmath")


def _exact_call(name: str, state: dict[str, list[Any]], params: dict[str, float]) -> np.ndarray:
    """One exact step from `state` (arg name -> values); returns the rows as an mpf array."""
    f, arg_names, param_names = _exact_step(name)
    point = [mpmath.mpf(v) if not isinstance(v, mpmath.mpf) else v
             for a in arg_names for v in state[a]]
    point += [mpmath.mpf(params[p]) for p in param_names]
    return np.array(f(*point), dtype=object).reshape(-1, N)


@cache
def _exact_trajectory(opt_name: str, index: int, steps: int) -> np.ndarray:
    """θ_0 … θ_steps of the exact recurrence with exact gradients (fp64 copies of 50 digits)."""
    opt, objective = OPTIMIZERS[opt_name], OBJECTIVES[index]
    grad = _exact_gradient(index)
    with mpmath.workdps(DIGITS):
        theta = [mpmath.mpf(v) for v in objective.start]
        buffers = {b: [mpmath.mpf(0)] * N for b in opt.buffers}
        path = [[float(v) for v in theta]]
        for t in range(1, steps + 1):
            state = {"theta": theta, **buffers, "g": list(grad(*theta))}
            rows = _exact_call(opt.name, state, _params(opt, objective, t))
            theta = list(rows[0])
            buffers = {b: list(rows[k + 1]) for k, b in enumerate(opt.buffers)}
            path.append([float(v) for v in theta])
    return np.array(path)


def run_many_steps(
    opt_name: str,
    step: Callable[..., Any],
    backend: Backend,
    step_budget: float,
    steps: int = STEPS,
    objectives: Sequence[int] | None = None,
) -> Outcome:
    """Iterate `step` from each objective's start for `steps` steps (gradients in fp64,
    rounded to the dtype); compare every step with the exact step from the same state, and
    the trajectory with the exact recurrence."""
    opt = OPTIMIZERS[opt_name]
    dtype = backend.dtype
    worst_step, worst_drift, where = 0.0, 0.0, ""
    drift_budget = steps * step_budget
    for index in objectives if objectives is not None else range(len(OBJECTIVES)):
        objective = OBJECTIVES[index]
        exact_path = _exact_trajectory(opt_name, index, steps)
        theta = round_to(np.array(objective.start), dtype)
        buffers = {b: np.zeros(N) for b in opt.buffers}
        for t in range(1, steps + 1):
            g = round_to(objective.grad(theta), dtype)
            params = _params(opt, objective, t)
            state = {"theta": theta, **buffers, "g": g}
            out = backend.to_numpy(step(**{k: backend.asarray(v) for k, v in state.items()},
                                        **params))
            rows = out.reshape(-1, N)
            with mpmath.workdps(DIGITS):
                exact = _exact_call(opt_name, state, params)
            exact_hi = np.array([[float(v) for v in row] for row in exact])
            err = float(np.max(ulps_apart(rows, exact_hi, dtype)))
            if not err <= worst_step:
                worst_step = err
                if not err <= step_budget:
                    where = f"{objective.name}, step {t}"
            theta = rows[0]
            buffers = {b: rows[k + 1] for k, b in enumerate(opt.buffers)}
            drift = float(np.max(ulps_apart(theta, exact_path[t], dtype)))
            worst_drift = max(worst_drift, drift) if drift == drift else float("inf")
    names = ", ".join(OBJECTIVES[i].name for i in (objectives or range(len(OBJECTIVES))))
    detail = (f"{steps} steps on {names}: worst step {worst_step:.3g} ulp (budget "
              f"{step_budget:g}), trajectory drift {worst_drift:.3g} ulp (budget {steps} × "
              f"{step_budget:g} = {drift_budget:g})")
    ok = worst_step <= step_budget and worst_drift <= drift_budget
    if not ok and not where:
        where = "trajectory drift"
    return Outcome.verdict(ok, detail + ("" if ok else f"; worst at {where}"),
                           worst_step, step_budget, "ulp", where or None,
                           {"drift": worst_drift, "drift_budget": drift_budget})


def _many_steps(opt_name: str, ctx: CheckContext) -> Outcome:
    """The form under test (`uses_form`) for many steps; the step budget is the entry's
    agreement budget (one step against the oracle)."""
    step = form_under_test(ctx, "optimization", opt_name)
    budget = agreement_budget(ctx).allowed(ctx.dtype, {})
    return run_many_steps(opt_name, step, backend_of(ctx), budget)


gd_many_steps = partial(_many_steps, "gd")
sgd_momentum_many_steps = partial(_many_steps, "sgd_momentum")
adam_many_steps = partial(_many_steps, "adam")
adamw_many_steps = partial(_many_steps, "adamw")


# ------------------------------------------------------------------ torch.optim


def run_against_torch(opt_name: str, step: Callable[..., Any], steps: int = STEPS,
                      budget: float = 2.0) -> Outcome:
    """Our Torch step vs torch.optim on every objective in fp64; budget = steps × `budget` ulp.

    Conventions: torch.optim.SGD keeps b = γb + g and steps θ −= ηb, which is the
    cheatsheet's v = γv + ηg with v = ηb while η is constant; Adam/AdamW put ε outside √v̂ and
    bias-correct with the step count as here; AdamW scales θ by (1 − ηλ) before the Adam step.
    """
    import torch

    opt = OPTIMIZERS[opt_name]
    worst = 0.0
    for objective in OBJECTIVES:
        lr = objective.lr[opt_name]
        param = torch.tensor(objective.start, dtype=torch.float64, requires_grad=True)
        if opt_name in ("gd", "sgd_momentum"):
            builtin = torch.optim.SGD([param], lr=lr, momentum=opt.params.get("momentum", 0.0))
        elif opt_name == "adam":
            builtin = torch.optim.Adam([param], lr=lr, betas=(0.9, 0.999), eps=1e-8)
        else:
            builtin = torch.optim.AdamW([param], lr=lr, betas=(0.9, 0.999), eps=1e-8,
                                        weight_decay=opt.params["weight_decay"])
        theta = torch.tensor(objective.start, dtype=torch.float64)
        buffers = {b: torch.zeros(N, dtype=torch.float64) for b in opt.buffers}
        for t in range(1, steps + 1):
            g_ref = torch.as_tensor(objective.grad(param.detach().numpy()))
            param.grad = g_ref.clone()
            builtin.step()
            g = torch.as_tensor(objective.grad(theta.numpy()))
            rows = step(theta=theta, **buffers, g=g, **_params(opt, objective, t))
            rows = rows.reshape(-1, N)
            theta = rows[0]
            buffers = {b: rows[k + 1] for k, b in enumerate(opt.buffers)}
            err = ulps_apart(theta.numpy(), param.detach().numpy(), "float64")
            worst = max(worst, float(np.max(err)))
    return within(worst, steps * budget, f"{steps} steps on {len(OBJECTIVES)} objectives in "
                  f"fp64: trajectories differ by at most {worst:.3g} ulp (budget {steps} × "
                  f"{budget:g})", "ulp")


def _matches_torch(opt_name: str, ctx: CheckContext) -> Outcome:
    """Our Torch step (the catalog's) against torch.optim."""
    return run_against_torch(opt_name, catalog_form("optimization", opt_name, "torch"))


gd_matches_torch = partial(_matches_torch, "gd")
sgd_momentum_matches_torch = partial(_matches_torch, "sgd_momentum")
adam_matches_torch = partial(_matches_torch, "adam")
adamw_matches_torch = partial(_matches_torch, "adamw")


def adamw_is_not_adam_on_l2(ctx: CheckContext) -> Outcome:
    """AdamW ≠ Adam on L + (λ/2)‖θ‖²: their steps differ symbolically (exhibited at a point)."""
    from mathcheck.symbolic import optimization as sym

    decoupled, coupled = sym.adamw(1), sym.adam_on_l2(1)
    point = {**{s: sp.Rational(1) for s in decoupled.args["theta"]},
             **{s: sp.Rational(1, 10) for s in decoupled.args["m"]},
             **{s: sp.Rational(1, 100) for s in decoupled.args["v"]},
             **{s: sp.Rational(1, 2) for s in decoupled.args["g"]},
             sym.lr: sp.Rational(1, 100), sym.beta1: sp.Rational(9, 10),
             sym.beta2: sp.Rational(999, 1000), sym.eps: sp.Rational(1, 10**8),
             sym.weight_decay: sp.Rational(1, 10), sym.step: 1}
    a = sp.N(decoupled.expr.subs(point), 30)
    b = sp.N(coupled.expr.subs(point), 30)
    gap = float(abs(a[0] - b[0]))
    return Outcome.verdict(  # a gap at a point: not the prover's
        gap > 1e-6, f"θ' differs by {gap:.3g} at θ = 1, m = 0.1, v = 0.01, g = 0.5, η = 0.01, "
        "λ = 0.1, t = 1 (exact arithmetic, evaluated to 30 digits; an inequality, not a proof "
        "by the prover): the decay must not pass through the moments", gap, None, "absolute",
        success="confirmed")


# ------------------------------------------------------------------ schedules

def _schedule_every_step(
    name: str, ctx: CheckContext, f: Callable[..., Any] | None = None
) -> Outcome:
    """The schedule at every integer t in [0, 1.25·T] against the oracle, plus exact endpoints;
    `f` replaces the form under test."""
    from mathcheck.numeric._oracle import Oracle
    from mathcheck.numeric._ulps import ulp_errors
    from mathcheck.symbolic import optimization as sym

    params = stated_params(ctx)
    horizon = int(params["T"])
    b = backend_of(ctx)
    fn = f or form_under_test(ctx, "optimization", name)
    t = np.arange(0, horizon + horizon // 4 + 1, dtype=np.float64)
    got = b.to_numpy(fn(t=b.asarray(t), **params))
    oracle = Oracle(getattr(sym, name)(), params, {"t": 0})
    hi, lo = oracle({"t": t})
    allowed = agreement_budget(ctx).allowed(ctx.dtype, {})
    err = ulp_errors(got, hi, lo, np.abs(hi), ctx.dtype)
    worst = int(np.argmax(err))
    problems = []
    eta_max = round_to(params["eta_max"], ctx.dtype)
    eta_min = round_to(params["eta_min"], ctx.dtype)
    start = 0.0 if name == "warmup_cosine" else eta_max
    if got[0] != start:
        problems.append(f"η(0) = {got[0]!r}, not {start!r}")
    if name == "warmup_cosine":
        warm = int(params["warmup"])
        if got[warm] != eta_max:
            problems.append(f"η(T_w) = {got[warm]!r}, not η_max = {eta_max!r}")
        decay = got[warm:horizon + 1]
        if np.any(np.diff(decay) > 0):
            problems.append("not non-increasing after warmup")
    if got[horizon] != eta_min:
        problems.append(f"η(T) = {got[horizon]!r}, not η_min = {eta_min!r}")
    if np.any(got[horizon:] != eta_min):
        problems.append("not held at η_min for t > T")
    ok = float(err[worst]) <= allowed and not problems
    detail = (f"t = 0 … {len(t) - 1} (T = {horizon}): worst {err[worst]:.3g} ulp at "
              f"t = {t[worst]:g}; η(0), η(T) exact and η = η_min for t > T")
    if problems:
        detail += "; " + "; ".join(problems)
    return Outcome.verdict(ok, detail, float(err[worst]), allowed, "ulp",
                           f"t={t[worst]:g}")


cosine_every_step = partial(_schedule_every_step, "cosine")
warmup_cosine_every_step = partial(_schedule_every_step, "warmup_cosine")


def cosine_matches_torch(ctx: CheckContext) -> Outcome:
    """Ours vs torch.optim.lr_scheduler.CosineAnnealingLR for t = 0 … T (fp64).

    torch updates the rate recursively (each step from the previous one), so its rounding
    accumulates: budget T × 2 ulp. For t > T torch's formula rises again (period 2T); ours
    holds η_min, so the comparison stops at T.
    """
    import torch

    from mathcheck.numeric.torch_forms.optimization import cosine

    params = stated_params(ctx)
    horizon = int(params["T"])
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=params["eta_max"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=horizon,
                                                       eta_min=params["eta_min"])
    theirs = []
    for _ in range(horizon + 1):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    t = torch.arange(horizon + 1, dtype=torch.float64)
    err = ulps_apart(np.array(theirs), cosine(t, **params).numpy(), "float64", "elementwise")
    allowed = 2.0 * horizon
    return within(float(err.max()), allowed, f"t = 0 … {horizon}: worst {err.max():.3g} ulp "
                  f"(budget {allowed:g}); for t > T torch's cosine rises again, ours holds "
                  "η_min", "ulp")


# ------------------------------------------------------------------ dropout

DROPOUT_RATES = (0.1, 0.5, 0.9)
DROPOUT_DRAWS = 4000
CONFIDENCE = 0.999  # family-wise, Bonferroni over every (rate, unit) test


def run_dropout_expectation(f: Callable[..., Any], backend: Backend, seed: int) -> Outcome:
    """Monte-Carlo mean of f(h, mask) over masks ~ Bernoulli(1 − p) vs h: a z-test per unit."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    h = round_to(rng.uniform(-3.0, 3.0, 32), backend.dtype)
    tests = len(DROPOUT_RATES) * h.size
    critical = float(norm.ppf(1 - (1 - CONFIDENCE) / (2 * tests)))
    worst = 0.0
    for p in DROPOUT_RATES:
        mask = (rng.random((DROPOUT_DRAWS, h.size)) >= p).astype(np.float64)
        out = backend.to_numpy(f(h=backend.asarray(np.broadcast_to(h, mask.shape).copy()),
                                 mask=backend.asarray(mask), p=p))
        sd = np.abs(h) * np.sqrt(p / (1 - p)) / np.sqrt(DROPOUT_DRAWS)  # sd of the mean
        z = np.abs(out.mean(axis=0) - h) / np.where(sd > 0, sd, 1.0)
        worst = max(worst, float(z.max()))
    return Outcome.verdict(
        worst <= critical, f"E[mask⊙h/(1 − p)] = h: {DROPOUT_DRAWS} masks per p in "
        f"{DROPOUT_RATES}, 32 units; largest |z| {worst:.3g} ≤ {critical:.3g} ({CONFIDENCE:.1%} "
        f"family-wise, Bonferroni over {tests} tests, seed {seed})", worst, critical, "z")


def dropout_expectation(ctx: CheckContext) -> Outcome:
    dropout = form_under_test(ctx, "optimization", "dropout")
    return run_dropout_expectation(dropout, backend_of(ctx), ctx.seed)


def dropout_matches_torch(ctx: CheckContext) -> Outcome:
    """torch.nn.functional.dropout is inverted dropout: each output is our form with the mask
    it drew (out ≠ 0), and its drop rate is p (binomial test at 99.9 %)."""
    import torch
    import torch.nn.functional as F
    from scipy.stats import binomtest

    from mathcheck.numeric.torch_forms.optimization import dropout

    gen = torch_rng(ctx)
    h = torch.rand(20000, generator=gen, dtype=torch.float64) + 0.5  # nonzero, so out = 0 ⇔ dropped
    p = 0.3
    torch.manual_seed(ctx.seed)
    out = F.dropout(h, p=p, training=True)
    mask = (out != 0).to(h.dtype)
    error = float((out - dropout(h, mask, p=p)).abs().max() / ulp(2.0 / 0.7, "float64"))
    dropped = int((mask == 0).sum())
    pvalue = binomtest(dropped, h.numel(), p).pvalue
    return Outcome.verdict(
        error <= 1.0 and pvalue >= 0.001, f"outputs equal mask⊙h/(1 − p) within {error:.3g} ulp; "
        f"dropped {dropped} of {h.numel()} (p = {p}), binomial p-value {pvalue:.3g} ≥ 0.001",
        error, 1.0, "ulp")


# ------------------------------------------------------------------ convexity


def _convex_losses() -> dict[str, tuple[Callable[[sp.Matrix], sp.Expr], int]]:
    """Convex losses of a parameter vector w (fixed rational data), with their dimension."""
    x = sp.Matrix([sp.Rational(1, 2), -2, sp.Rational(3, 2)])
    return {
        "MSE (w·x − 1)²": (lambda w: (w.dot(x) - 1) ** 2, 3),
        "logistic log(1 + e^{−w·x})": (lambda w: sp.log(1 + sp.exp(-w.dot(x))), 3),
        "log-sum-exp": (lambda w: sp.log(sum(sp.exp(v) for v in w)), 3),
        "hinge max(0, 1 − w·x)": (lambda w: sp.Max(0, 1 - w.dot(x)), 3),
        "L1 ‖w‖₁": (lambda w: sum(sp.Abs(v) for v in w), 3),
        "L2 ‖w‖²": (lambda w: sum(v**2 for v in w), 3),
        "softplus": (lambda w: sp.log(1 + sp.exp(w[0])), 1),
    }


def jensen_convex(ctx: CheckContext, points: int = 40) -> Outcome:
    """f(λx + (1 − λ)y) ≤ λf(x) + (1 − λ)f(y) at random x, y, λ, evaluated at 50 digits."""
    rng = numpy_rng(ctx)
    worst, where = np.inf, ""
    with mpmath.workdps(DIGITS):
        for name, (loss, dim) in _convex_losses().items():
            w = sp.Matrix(sp.symbols(f"w0:{dim}", real=True))
            f = sp.lambdify(list(w), loss(w), modules=["mpmath", "sympy"])
            for _ in range(points):
                x, y = rng.uniform(-4, 4, dim), rng.uniform(-4, 4, dim)
                lam = mpmath.mpf(float(rng.uniform(0, 1)))
                mid = [lam * mpmath.mpf(a) + (1 - lam) * mpmath.mpf(b)
                       for a, b in zip(x, y, strict=True)]
                gap = lam * f(*map(mpmath.mpf, x)) + (1 - lam) * f(*map(mpmath.mpf, y)) - f(*mid)
                gap = float(gap)
                if gap < worst:
                    worst, where = gap, f"{name} at x={x.tolist()}, y={y.tolist()}"
    return Outcome.verdict(
        worst >= -1e-40, f"{len(_convex_losses())} convex losses × {points} random (x, y, λ) at "
        f"{DIGITS} digits: smallest Jensen gap {worst:.3g} (≥ 0 up to 1e-40)", max(0.0, -worst),
        1e-40, "absolute", where, success="confirmed")


def nonconvex_counterexample(ctx: CheckContext) -> Outcome:
    """f(a, b) = (ab − 1)², the loss of a depth-2 linear net on one example, breaks Jensen:
    at x = (1, 1), y = (−1, −1) both minima (f = 0) but the midpoint (0, 0) has f = 1 — and
    (0, 0) is a saddle (Hessian eigenvalues ±2). Exact rational arithmetic."""
    a, b = sp.symbols("a b", real=True)
    f = (a * b - 1) ** 2
    at = lambda u, v: f.subs({a: u, b: v})  # noqa: E731
    half = sp.Rational(1, 2)
    lhs = at(half * 1 + half * -1, half * 1 + half * -1)
    rhs = half * at(1, 1) + half * at(-1, -1)
    eigen = sorted(sp.hessian(f, (a, b)).subs({a: 0, b: 0}).eigenvals())
    return Outcome.verdict(
        lhs > rhs and eigen == [-2, 2], f"f(½x + ½y) = {lhs} > ½f(x) + ½f(y) = {rhs}; Hessian at "
        f"the midpoint has eigenvalues {eigen} (a saddle point); exact rational arithmetic, an "
        "inequality, not a proof by the prover", float(lhs - rhs), None, "absolute",
        success="confirmed")


# ------------------------------------------------------------------ gradient clipping


def clipped_norm_bounded(f: Form, args: Args, backend: Backend) -> float:
    """How far ‖ĝ‖ exceeds c, in eps relative to c (0 when within); the norm in fp64."""
    c = float(getattr(f, "keywords", {}).get("max_norm", 1.0))
    norms = np.linalg.norm(backend.to_numpy(f(**args)), axis=-1)
    return outside(norms, high=c) / c / backend.eps


def clip_matches_torch(ctx: CheckContext) -> Outcome:
    """Ours vs torch.nn.utils.clip_grad_norm_ (fp64): torch scales by c/(‖g‖ + 1e-6), so the
    two differ by the relative amount 1e-6/(‖g‖ + 1e-6) when clipping, not at all otherwise."""
    import torch

    from mathcheck.numeric.torch_forms.optimization import clip_grad_norm

    rng = numpy_rng(ctx)
    worst, allowed = 0.0, 4.0
    for scale in (0.1, 1.0, 10.0, 1e3):
        g = torch.as_tensor(rng.normal(0.0, scale, 16))
        param = torch.zeros(16, dtype=torch.float64, requires_grad=True)
        param.grad = g.clone()
        torch.nn.utils.clip_grad_norm_([param], max_norm=1.0)
        ours = clip_grad_norm(g, max_norm=1.0).numpy()
        norm = float(np.linalg.norm(g.numpy()))
        convention = norm / (norm + 1e-6) if norm > 1.0 else 1.0  # torch's coefficient / ours
        err = ulps_apart(param.grad.numpy(), ours * convention, "float64", "row")
        worst = max(worst, float(err.max()))
    return within(worst, allowed, f"‖g‖ from 0.4 to 4e3: torch = ours × ‖g‖/(‖g‖ + 1e-6) "
                  f"within {worst:.3g} ulp (norm-wise; budget {allowed:g}: two norms, two "
                  "scalings)", "ulp")
