"""Stateful optimizers over trajectories: `check_optimizer` and `check_schedule`.

The catalog's `opt.*` entries are single steps (state in, state out). A real optimizer keeps
its state inside (`torch.optim.Optimizer`, an optax `GradientTransformation`), so it is run
for `steps` steps on several objectives and compared with the entry's recurrence iterated on
the *same gradients*: at step t both consume gᵗ = ∇L(θᵗ_impl), computed in fp64 from the
implementation's own iterate and rounded to the dtype. The reference iterates in NumPy
`longdouble` from the same θ⁰. So no objective dynamics amplify anything: the gap at step t
is the implementation's own rounding, accumulated.

Error model: a step from exact states is within the entry's one-step budget B (ulps of
max(|θ|, 1)); the states it carries forward (m, v, the momentum buffer) add their rounding,
which enters the next steps scaled by η and damped by the β's. The budget at step t is
t·(B + 1) ulps: linear accumulation with one ulp of slack per step for the carried state.

Objectives: a quadratic ½‖Aθ − b‖², logistic regression, a constant gradient (the bias
corrections alone), tiny gradients (|g| ≈ 1e-8 ≈ ε, where the placement of ε decides the
step) and the quadratic with the rate changed at every step, as a scheduler does (torch only:
an optax transformation's rate is fixed when it is built). θ is two parameter tensors, so a
step count or state shared between parameters shows. A miss is reported with the step and
objective where the gap first exceeded the budget; the entry's variants are iterated the same
way, so a known convention is named.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from mathcheck.errors import InvalidInputError, NotSupportedError
from mathcheck.formulas import DTYPES, get, resolve
from mathcheck.numeric import FORMATS, canonical
from mathcheck.regress import _findings
from mathcheck.regress._api import CheckResult

STEPS = 200
#: canonical hyperparameter names -> how torch.optim spells them
TORCH_NAMES = {"lr": "lr", "eps": "eps", "weight_decay": "weight_decay", "momentum": "momentum"}


@dataclass(frozen=True)
class Objective:
    """A loss by its fp64 gradient, with the starting point; `rate(t, steps)` scales the
    learning rate at step t (a scheduler's change between steps), None: constant."""

    name: str
    grad: Callable[[np.ndarray], np.ndarray]
    theta0: np.ndarray
    rate: Callable[[int, int], float] | None = None


#: θ is held as two parameter tensors (of 4 and n − 4 entries), as models hold many: an
#: implementation that keeps one step count or state for all of them shows.
SPLIT = 4


def objectives(n: int = 6, seed: int = 0) -> tuple[Objective, ...]:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((2 * n, n)) / math.sqrt(2 * n)
    b = rng.standard_normal(2 * n)
    X = rng.standard_normal((32, n))
    y = (rng.random(32) < 0.5).astype(float)
    c = rng.uniform(-1, 1, n)
    start = rng.uniform(-1, 1, n)

    def logistic(theta: np.ndarray) -> np.ndarray:
        return X.T @ (1 / (1 + np.exp(-(X @ theta))) - y) / len(y)

    def quadratic(theta: np.ndarray) -> np.ndarray:
        return A.T @ (A @ theta - b)

    return (
        Objective("quadratic ½‖Aθ − b‖²", quadratic, start),
        Objective("logistic regression", logistic, start),
        Objective("constant gradient", lambda th: c.copy(), start),
        Objective("tiny gradients (|g| ≈ 1e-8)", lambda th: 1e-8 * (th - c), start),
        Objective("quadratic, rate decayed linearly to ½ (as a scheduler sets it)", quadratic,
                  start, rate=lambda t, steps: 1.0 - 0.5 * (t - 1) / steps),
    )


# --- the implementation's side: torch.optim or optax ----------------------------------------


def _torch_runner(cls: Any, hyper: Mapping[str, Any], extra: Mapping[str, Any]) -> Callable:
    import torch

    kwargs = {TORCH_NAMES[k]: v for k, v in hyper.items() if k in TORCH_NAMES}
    if "beta1" in hyper or "beta2" in hyper:
        kwargs["betas"] = (hyper.get("beta1", 0.9), hyper.get("beta2", 0.999))
    kwargs.update(extra)

    def run(obj: Objective, dtype: str, steps: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        theta0 = torch.tensor(_rounded(obj.theta0, dtype), dtype=_torch(dtype))
        params = [torch.nn.Parameter(part.clone()) for part in theta0.split(
            [SPLIT, len(theta0) - SPLIT])]
        opt = cls(params, **kwargs)
        base = [group["lr"] for group in opt.param_groups]
        for t in range(1, steps + 1):
            theta = torch.cat([p.detach() for p in params]).double().numpy()
            g = _rounded(obj.grad(theta), dtype)
            for p, part in zip(params, np.split(g, [SPLIT]), strict=True):
                p.grad = torch.tensor(part, dtype=_torch(dtype))
            if obj.rate is not None:
                for group, lr in zip(opt.param_groups, base, strict=True):
                    group["lr"] = lr * obj.rate(t, steps)
            opt.step()
            yield g, torch.cat([p.detach() for p in params]).double().numpy().copy()

    return run


def _optax_runner(tx: Any) -> Callable:
    import jax

    jax.config.update("jax_enable_x64", True)  # fp64 means fp64 (a process-wide setting)
    import jax.numpy as jnp
    import optax

    def run(obj: Objective, dtype: str, steps: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        if obj.rate is not None:
            return  # a built transformation's rate cannot be changed from outside
        jdtype = jnp.bfloat16 if dtype == "bfloat16" else jnp.dtype(dtype)

        def tree(x: np.ndarray) -> tuple[Any, Any]:
            return tuple(jnp.asarray(part, dtype=jdtype) for part in np.split(x, [SPLIT]))

        def flat(params: tuple[Any, Any]) -> np.ndarray:
            return np.concatenate([np.asarray(p, dtype=np.float64) for p in params])

        params = tree(_rounded(obj.theta0, dtype))
        state = tx.init(params)
        for _ in range(steps):
            g = _rounded(obj.grad(flat(params)), dtype)
            updates, state = tx.update(tree(g), state, params)
            params = optax.apply_updates(params, updates)
            yield g, flat(params)

    return run


def _runner(optimizer: Any, hyper: Mapping[str, Any], extra: Mapping[str, Any]) -> Callable:
    if hasattr(optimizer, "init") and hasattr(optimizer, "update"):
        return _optax_runner(optimizer)
    try:
        import torch

        if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
            return _torch_runner(optimizer, hyper, extra)
    except ImportError:  # pragma: no cover
        pass
    raise InvalidInputError(
        f"{optimizer!r} is neither a torch.optim.Optimizer class nor an optax "
        "GradientTransformation"
    )


# --- the reference: the entry's recurrence in longdouble -------------------------------------


def _reference(step: Callable[..., np.ndarray], state_names: tuple[str, ...],
               params: Mapping[str, Any], uses_t: bool) -> Callable:
    def run(theta0: np.ndarray, grads: list[np.ndarray],
            rate: Callable[[int, int], float] | None = None) -> list[np.ndarray]:
        theta = theta0.astype(np.longdouble)
        state = {n: np.zeros_like(theta) for n in state_names}
        out = []
        for t, g in enumerate(grads, start=1):
            kw = {**params, **({"t": float(t)} if uses_t else {})}
            if rate is not None:
                kw["lr"] = params["lr"] * rate(t, len(grads))
            new = step(theta, *state.values(), g.astype(np.longdouble), **kw)
            theta = new[..., 0, :] if state_names else new
            for i, n in enumerate(state_names, start=1):
                state[n] = new[..., i, :]
            out.append(theta)
        return out

    return run


@dataclass
class _Trace:
    """The worst gap over one dtype's runs, and where it first passed the budget."""

    worst: float = 0.0
    budget: float = 0.0
    first_miss: str | None = None
    nonfinite: str | None = None


def _compare(impl: list[tuple[np.ndarray, np.ndarray]], ref: list[np.ndarray], dtype: str,
             per_step: float, objective: str, trace: _Trace) -> None:
    eps = FORMATS[dtype].eps
    for t, ((_, got), want) in enumerate(zip(impl, ref, strict=True), start=1):
        if not np.all(np.isfinite(got)):
            trace.nonfinite = trace.nonfinite or f"step {t} of {objective}: θ = {got.tolist()}"
            trace.worst = math.inf
            return
        scale = max(float(np.max(np.abs(want))), 1.0)
        gap = float(np.max(np.abs(got.astype(np.longdouble) - want))) / (eps * scale)
        budget = t * per_step
        if gap > trace.worst:
            trace.worst, trace.budget = gap, budget
        if gap > budget and trace.first_miss is None:
            trace.first_miss = (f"step {t} of {objective}: θ = {got.tolist()} vs recurrence "
                                f"{[float(x) for x in want]} ({gap:.3g} ulp > {budget:g})")


def check_optimizer(
    formula_id: str,
    optimizer: Any,
    *,
    steps: int = STEPS,
    dtypes: Iterable[str] = DTYPES,
    seed: int = 0,
    options: Mapping[str, Any] | None = None,
    **hyper: Any,
) -> CheckResult:
    """Run `optimizer` for `steps` steps on several objectives against the entry's recurrence.

    `optimizer`: a `torch.optim.Optimizer` class (built here with the hyperparameters, torch
    spelling; `options` are extra constructor arguments such as `foreach=False`) or an optax
    `GradientTransformation` (already built: state its hyperparameters here too).
    `hyper` are the entry's parameters in its names (lr, beta1, beta2, eps, weight_decay,
    momentum); the rest keep the entry's stated values (`mathcheck show ID`).

        check_optimizer("opt.adamw", torch.optim.AdamW, lr=1e-3, weight_decay=0.1)
        check_optimizer("opt.adam", optax.adam(1e-3), lr=1e-3)
    """
    entry = get(formula_id)
    domain = entry.domain
    if domain is None or not formula_id.startswith("opt.") or "theta" not in {
        a.name for a in domain.args
    }:
        raise NotSupportedError(f"{formula_id} is not an optimizer step (an opt.* entry with θ)")
    if not (isinstance(steps, int) and 1 <= steps <= 100_000):
        raise InvalidInputError(f"steps must be an integer in 1…100000, got {steps!r}")
    if unknown := set(hyper) - set(domain.params):
        raise InvalidInputError(f"{formula_id} has no parameter {sorted(unknown)[0]!r} "
                                f"(its parameters: {', '.join(domain.params)})")
    dtypes = tuple(canonical(d) for d in dtypes)
    params = {k: v for k, v in {**domain.params, **hyper}.items() if k != "t"}
    uses_t = "t" in domain.params
    state_names = tuple(a.name for a in domain.args if a.name not in ("theta", "g"))
    run = _runner(optimizer, params, options or {})
    per_step = entry_budget(entry)
    references = {"canonical": _reference(resolve(entry.numpy), state_names, params, uses_t)}
    for v in entry.variants:
        if v.numpy is not None:
            references[v.name] = _reference(resolve(v.numpy), state_names, params, uses_t)
    traces: dict[str, dict[str, _Trace]] = {name: {} for name in references}
    for dtype in dtypes:
        for obj in objectives(seed=seed):
            impl = list(run(obj, dtype, steps))
            if not impl:  # a run this kind of optimizer cannot make (optax: a changed rate)
                continue
            theta0 = _rounded(obj.theta0, dtype)
            grads = [g for g, _ in impl]
            for name, reference in references.items():
                trace = traces[name].setdefault(dtype, _Trace())
                _compare(impl, reference(theta0, grads, obj.rate), dtype, per_step(dtype),
                         obj.name, trace)
    return _result(formula_id, traces, params, steps)


def entry_budget(entry: Any) -> Callable[[str], float]:
    """B + 1 ulps per step: the entry's one-step agreement budget and the carried state."""
    from mathcheck.formulas import Agreement

    budget = next(c.budget for c in entry.claims if isinstance(c, Agreement))

    def per_step(dtype: str) -> float:
        low = dtype in ("float16", "bfloat16") and budget.low_precision_ulps is not None
        return float(budget.low_precision_ulps if low else budget.ulps) + 1.0

    return per_step


def _result(formula_id: str, traces: Mapping[str, Mapping[str, _Trace]],
            params: Mapping[str, Any], steps: int) -> CheckResult:
    canonical_traces = traces["canonical"]
    worst = {f"{d}/cpu": t.worst for d, t in canonical_traces.items()}
    budgets = {f"{d}/cpu": t.budget or None for d, t in canonical_traces.items()}
    verdicts: dict[str, str] = {}
    found: list[_findings.Finding] = []
    for dtype, trace in canonical_traces.items():
        key = f"{dtype}/cpu"
        if trace.first_miss is None and trace.nonfinite is None:
            verdicts[key] = "pass"
            continue
        verdicts[key] = next(
            (name for name, by in traces.items() if name != "canonical"
             and by[dtype].first_miss is None and by[dtype].nonfinite is None),
            "fail",
        )
        if verdicts[key] == "fail":
            found.append(_finding(key, trace, params))
    misses = {
        name: ("matches in " + ", ".join(d for d, t in by.items() if t.first_miss is None
                                         and t.nonfinite is None)
               if any(t.first_miss is None and t.nonfinite is None for t in by.values())
               else f"misses by {max(t.worst for t in by.values()):.3g} ulp")
        for name, by in traces.items() if name != "canonical"
    }
    matched = {v for v in verdicts.values() if v not in ("pass", "fail")}
    misses_first = next((t.first_miss or t.nonfinite for t in canonical_traces.values()
                         if t.first_miss or t.nonfinite), None)
    summary = f"{steps} steps × {len(objectives())} objectives, θ in two tensors"
    if "fail" not in verdicts.values() and not matched:
        return CheckResult(formula_id, "pass", worst, budgets, reason="", per_dtype=verdicts,
                           variant_misses=misses, isolation=f"in this process ({summary})")
    where = {v: sorted(k for k, x in verdicts.items() if x == v) for v in matched}
    reason = "; ".join(
        [f"matches variant {v!r} in {', '.join(ks)}" for v, ks in sorted(where.items())]
        + [str(f) for f in found] + [f"first miss of the canonical recurrence: {misses_first}"]
    )
    verdict = "variant" if "fail" not in verdicts.values() and len(matched) == 1 else "fail"
    return CheckResult(formula_id, verdict, worst, budgets, misses_first, reason,
                       next(iter(sorted(matched)), None), misses, per_dtype=verdicts,
                       findings=tuple(found), isolation=f"in this process ({summary})")


def _finding(key: str, trace: _Trace, params: Mapping[str, Any]) -> _findings.Finding:
    dtype = key.split("/")[0]
    if trace.nonfinite is not None:
        fmt = FORMATS[dtype]
        under = [f"{k} = {v:g}" for k, v in params.items()
                 if isinstance(v, (int, float)) and 0 < abs(v) < fmt.tiny * fmt.eps / 2]
        because = f" because {', '.join(under)} underflows to 0 in {dtype}" if under else ""
        return _findings.Finding("nonfinite", key,
                                 f"NaN or ±∞ for {dtype}{because} ({trace.nonfinite})")
    if trace.worst <= _findings.NEAR_MISS * trace.budget:
        return _findings.Finding("over_budget", key,
                                 f"exceeds the budget: {trace.worst:.3g} > {trace.budget:g} ulp")
    return _findings.Finding("over_budget", key, f"{trace.worst:.3g} ulp from the recurrence")


def _rounded(x: np.ndarray, dtype: str) -> np.ndarray:
    """x rounded to `dtype`, as float64 values (bfloat16 through the project's rounding)."""
    from mathcheck.numeric import round_to

    return np.asarray(round_to(np.asarray(x, dtype=np.float64), dtype), dtype=np.float64)


def _torch(dtype: str) -> Any:
    import torch

    return getattr(torch, dtype)


__all__ = ["check_optimizer"]
