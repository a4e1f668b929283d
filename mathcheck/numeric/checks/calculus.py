"""Section 2 · Calculus: checks that are not a single form against the oracle.

- the three rules, run by torch.autograd on composites of table functions and compared with
  the rule applied to the *stated* derivatives (and with fp64 central differences);
- full Jacobians and Hessians from autograd against the hand-written ones and differences;
- critical points classified by the signs of the Hessian's eigenvalues, symbolically and
  numerically (with a look at f around each point, which is what "minimum" means).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks._compare import EPS64, eps_apart, within
from mathcheck.numeric.checks._context import torch_rng
from mathcheck.numeric.checks._properties import Args, Form
from mathcheck.outcome import CheckContext, Outcome

FD_RTOL = 1e-6  # central differences in fp64 with step eps^(1/3): error ~ eps^(2/3) ≈ 4e-11
RULE_EPS = 8.0  # autograd vs the stated rule, both fp64: each side ≤ 4 roundings of its terms


def _torch() -> Any:
    import torch

    return torch


Fn = Callable[[Any], Any]


def _table() -> dict[str, tuple[Fn, Fn, Fn]]:
    """Table functions, the derivatives the cheatsheet states (never autograd's), and the
    magnitude that the stated derivative's rounding error scales with: 1 − tanh² computed from
    a rounded tanh errs by ~u(1 + tanh²), not u(1 − tanh²) (cancellation, in both sides)."""
    torch = _torch()
    sig = torch.sigmoid
    return {
        "exp": (torch.exp, torch.exp, torch.exp),
        "tanh": (torch.tanh, lambda t: 1 - torch.tanh(t) ** 2, lambda t: 1 + torch.tanh(t) ** 2),
        "sigmoid": (sig, lambda t: sig(t) * (1 - sig(t)), lambda t: sig(t) * (1 + sig(t))),
        "sin": (torch.sin, torch.cos, lambda t: torch.cos(t).abs()),
        "cube": (lambda t: t**3, lambda t: 3 * t**2, lambda t: 3 * t**2),
        "log(1+t²)": (lambda t: torch.log1p(t * t), lambda t: 2 * t / (1 + t * t),
                      lambda t: 2 * t.abs() / (1 + t * t)),
    }


def _central_difference(h: Callable[[Any], Any], x: Any) -> Any:
    step = np.finfo(np.float64).eps ** (1 / 3) * x.abs().clamp(min=1.0)
    return (h(x + step) - h(x - step)) / (2 * step)


def _rule_check(ctx: CheckContext, rule: str) -> Outcome:
    torch = _torch()
    gen = torch_rng(ctx)
    x0 = (torch.rand(max(ctx.examples, 16), generator=gen, dtype=torch.float64) - 0.5) * 4
    worst, worst_fd, where = 0.0, 0.0, ""
    table = _table()
    for fname, (f, df, mf) in table.items():
        for gname, (g, dg, mg) in table.items():
            if rule == "chain":
                h = lambda t, f=f, g=g: f(g(t))  # noqa: E731
                stated, scale = df(g(x0)) * dg(x0), mf(g(x0)) * mg(x0)
            elif rule == "product":
                h = lambda t, f=f, g=g: f(t) * g(t)  # noqa: E731
                stated = df(x0) * g(x0) + f(x0) * dg(x0)
                scale = mf(x0) * g(x0).abs() + f(x0).abs() * mg(x0)
            else:
                h = lambda t, f=f, g=g: f(t) + g(t)  # noqa: E731
                stated, scale = df(x0) + dg(x0), mf(x0) + mg(x0)
            x = x0.clone().requires_grad_(True)
            (auto,) = torch.autograd.grad(h(x).sum(), x)
            err = ((auto - stated).abs() / (EPS64 * scale.clamp(min=1e-300))).max().item()
            fd = _central_difference(h, x0)
            err_fd = ((fd - stated).abs() / scale.clamp(min=1.0)).max().item()
            if err > worst:
                worst, where = err, f"f={fname}, g={gname}"
            worst_fd = max(worst_fd, err_fd)
    ok = worst <= RULE_EPS and worst_fd <= FD_RTOL
    return Outcome.verdict(
        ok,
        f"{len(table) ** 2} composites × {x0.numel()} points in [−2, 2], fp64: autograd vs the "
        f"{rule} rule on stated derivatives (worst at {where}); central differences within "
        f"{worst_fd:.2g} relative (allowed {FD_RTOL:g})",
        error=worst,
        budget=RULE_EPS,
        unit="eps (of the terms' magnitude)",
        worst_input=where,
    )


autograd_chain = partial(_rule_check, rule="chain")
autograd_product = partial(_rule_check, rule="product")
autograd_sum = partial(_rule_check, rule="sum")


# --------------------------------------------------------------------- Jacobian / Hessian


def full_jacobian(ctx: CheckContext) -> Outcome:
    """torch.autograd.functional.jacobian of tanh(Wx + b) vs diag(1 − y²)W vs differences."""
    torch = _torch()
    from mathcheck.numeric.torch_forms.calculus import jacobian as layer

    gen = torch_rng(ctx)
    worst, worst_fd = 0.0, 0.0
    for trial in range(max(ctx.examples // 4, 4)):
        m, n = 2 + trial % 3, 1 + trial % 4
        W = torch.rand(m, n, generator=gen, dtype=torch.float64) * 2 - 1
        b = torch.rand(m, generator=gen, dtype=torch.float64) * 2 - 1
        x = torch.rand(n, generator=gen, dtype=torch.float64) * 4 - 2
        auto = torch.autograd.functional.jacobian(lambda t, W=W, b=b: layer(W, t, b), x)
        y = layer(W, x, b)
        stated = (1 - y * y)[:, None] * W
        worst = max(worst, ((auto - stated).abs().max() / EPS64).item())
        cols = [_central_difference(lambda s, j=j, W=W, x=x, b=b: layer(W, _with(x, j, s), b),
                                    x[j])
                for j in range(n)]
        fd = torch.stack(cols, dim=-1)
        worst_fd = max(worst_fd, (fd - stated).abs().max().item())
    ok = worst <= RULE_EPS and worst_fd <= FD_RTOL
    return Outcome.verdict(
        ok, f"autograd Jacobian vs diag(1 − y²)W on random layers (m ≤ 4, n ≤ 4), fp64; "
        f"central differences within {worst_fd:.2g} (allowed {FD_RTOL:g})",
        error=worst, budget=RULE_EPS, unit="eps (absolute, |J| ≤ 1)")


def _with(x: Any, j: int, value: Any) -> Any:
    y = x.clone()
    y[j] = value
    return y


def _random_points(ctx: CheckContext, gen: Any = None) -> Iterator[Any]:
    """max(examples/4, 4) random x ∈ [−2, 2]ⁿ (fp64), n = 2, 3, 4 in turn, each drawn from
    `gen` (the context's generator when None) as the caller's loop reaches it."""
    torch = _torch()
    gen = torch_rng(ctx) if gen is None else gen
    for trial in range(max(ctx.examples // 4, 4)):
        yield torch.rand(2 + trial % 3, generator=gen, dtype=torch.float64) * 4 - 2


def full_hessian(ctx: CheckContext) -> Outcome:
    """autograd Hessian of the Rosenbrock form vs the hand-written one vs differences of ∇f."""
    torch = _torch()
    from mathcheck.numeric.numpy_forms.calculus import gradient_closed_form
    from mathcheck.numeric.torch_forms.calculus import gradient as rosenbrock
    from mathcheck.numeric.torch_forms.calculus import hessian

    worst, worst_fd = 0.0, 0.0
    for x in _random_points(ctx):
        n = len(x)
        auto = torch.autograd.functional.hessian(rosenbrock, x)
        closed = hessian(x)
        scale = closed.abs().max().clamp(min=1.0)
        worst = max(worst, ((auto - closed).abs().max() / (EPS64 * scale)).item())
        xn = x.numpy()
        step = np.finfo(np.float64).eps ** (1 / 3) * np.maximum(np.abs(xn), 1.0)
        fd = np.stack([(gradient_closed_form(xn + step[j] * np.eye(n)[j])
                        - gradient_closed_form(xn - step[j] * np.eye(n)[j])) / (2 * step[j])
                       for j in range(n)], axis=-1)
        worst_fd = max(worst_fd, float(np.max(np.abs(fd - closed.numpy())) / scale.item()))
    budget = 64.0  # entries are sums of ≤ 4 terms up to 4800 in size: norm-wise ≤ 64 eps
    ok = worst <= budget and worst_fd <= FD_RTOL
    return Outcome.verdict(
        ok, f"autograd Hessian vs the closed form on Rosenbrock at random x ∈ [−2, 2]ⁿ, "
        f"fp64; central differences of ∇f within {worst_fd:.2g} (allowed {FD_RTOL:g})",
        error=worst, budget=budget, unit="eps (norm-wise)")


def steepest_ascent(ctx: CheckContext) -> Outcome:
    """∇f is the direction of steepest ascent: over unit directions u the directional
    derivative D_u f (fp64 central differences, independent of autograd) never exceeds ‖∇f‖
    (autograd), and along u = ∇f/‖∇f‖ it attains it. Rosenbrock at random points, 256
    directions each; differences are within FD_RTOL of max(‖∇f‖, 1)."""
    torch = _torch()
    from mathcheck.numeric.torch_forms.calculus import gradient as rosenbrock

    gen = torch_rng(ctx)
    h = EPS64 ** (1 / 3)
    worst = 0.0
    for x in _random_points(ctx, gen):
        n = len(x)
        xg = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(rosenbrock(xg), xg)
        u = torch.randn(257, n, generator=gen, dtype=torch.float64)
        u[-1] = g
        u = u / u.norm(dim=-1, keepdim=True)
        slopes = (rosenbrock(x + h * u) - rosenbrock(x - h * u)) / (2 * h)
        scale = max(g.norm().item(), 1.0)
        excess = (slopes.max() - g.norm()).item() / scale  # > 0: a direction beats ∇f
        attained = abs((g.norm() - slopes[-1]).item()) / scale
        worst = max(worst, excess, attained)
    return within(worst, FD_RTOL, "max over 256 unit directions of D_u f ≤ ‖∇f‖, attained along "
                  "∇f/‖∇f‖ (Rosenbrock, random x ∈ [−2, 2]ⁿ, fp64 differences)",
                  "relative to max(‖∇f‖, 1)")


def symmetric(f: Form, args: Args, backend: Backend) -> float:
    """max |H − Hᵀ| in eps of max |H| (0 for a Hessian that is symmetric by construction)."""
    H = backend.to_numpy(f(**args))
    return eps_apart(H, np.swapaxes(H, -1, -2), np.finfo(np.float64).tiny, eps=backend.eps)


# --------------------------------------------------------------------- critical points

#: (name, f(x, y) in SymPy/Torch-neutral form, {critical point: kind}). The first has all three.
EXAMPLES: tuple[tuple[str, str, dict[tuple[int, int], str]], ...] = (
    ("x³ − 3x + y³ − 3y", "x**3 - 3*x + y**3 - 3*y",
     {(1, 1): "minimum", (-1, -1): "maximum", (1, -1): "saddle", (-1, 1): "saddle"}),
    ("x² + y²", "x**2 + y**2", {(0, 0): "minimum"}),
    ("−x² − y²", "-x**2 - y**2", {(0, 0): "maximum"}),
    ("x² − y²", "x**2 - y**2", {(0, 0): "saddle"}),
    ("Rosenbrock", "100*(y - x**2)**2 + (1 - x)**2", {(1, 1): "minimum"}),
)


def _kind(eigenvalues: list[float]) -> str:
    if all(e > 0 for e in eigenvalues):
        return "minimum"
    if all(e < 0 for e in eigenvalues):
        return "maximum"
    if any(e > 0 for e in eigenvalues) and any(e < 0 for e in eigenvalues):
        return "saddle"
    return "degenerate"


def critical_points_symbolic(ctx: CheckContext) -> Outcome:
    """Solve ∇f = 0 exactly; classify by the signs of the exact Hessian eigenvalues."""
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    problems = []
    for name, text, expected in EXAMPLES:
        f = sp.sympify(text, locals={"x": x, "y": y})
        grad = [sp.diff(f, v) for v in (x, y)]
        H = sp.hessian(f, (x, y))
        found = {}
        for sol in sp.solve(grad, [x, y], dict=True):
            point = (int(sol[x]), int(sol[y]))
            eig = [float(e) for e, mult in H.subs(sol).eigenvals().items() for _ in range(mult)]
            found[point] = _kind(eig)
        if found != expected:
            problems.append(f"{name}: found {found}, stated {expected}")
    if problems:
        return Outcome("failed", "; ".join(problems))
    # solve-and-classify, not an equation: exact, but "confirmed" (only the prover proves)
    return Outcome("confirmed", f"∇f = 0 solved exactly and classified by Hessian eigenvalue "
                   f"signs for {len(EXAMPLES)} functions (minimum, maximum and saddle each "
                   "occur); exact SymPy arithmetic, not a proof by the prover")


def critical_points_numeric(ctx: CheckContext) -> Outcome:
    """autograd Hessian eigenvalue signs at each point, and f sampled around it agrees."""
    torch = _torch()
    gen = torch_rng(ctx)
    directions = torch.randn(64, 2, generator=gen, dtype=torch.float64)
    directions = directions / directions.norm(dim=-1, keepdim=True)
    problems = []
    for name, text, expected in EXAMPLES:
        def f(p: Any, text: str = text) -> Any:
            return eval(text, {}, {"x": p[..., 0], "y": p[..., 1]})  # a fixed table

        for point, kind in expected.items():
            p = torch.tensor(point, dtype=torch.float64)
            q = p.clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(f(q), q)
            H = torch.autograd.functional.hessian(f, p)
            eig_kind = _kind(torch.linalg.eigvalsh(H).tolist())
            delta = f(p + 1e-3 * directions) - f(p)
            local = ("minimum" if bool((delta > 0).all()) else "maximum"
                     if bool((delta < 0).all()) else "saddle")
            if eig_kind != kind or local != kind or bool(grad.abs().max() > 0):
                problems.append(f"{name} at {point}: ∇f = {grad.tolist()}, eigen {eig_kind}, "
                                f"sampled {local}, stated {kind}")
    if problems:
        return Outcome("failed", "; ".join(problems))
    return Outcome("passed", "∇f = 0 by autograd, Hessian eigenvalue signs and f on a circle "
                   "of radius 1e-3 (64 directions) agree with every stated classification, fp64")
