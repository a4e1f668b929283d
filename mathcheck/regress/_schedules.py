"""Learning-rate schedules over every step: `check_schedule`.

A schedule is a torch `LRScheduler` class (stepped on an SGD optimizer whose base rate is
the entry's η_max) or a function of the step count (an optax schedule). Its rate at every
step t = 0 … `steps` is compared with the entry's form in NumPy `longdouble`, in ulps of the
rate. Budget: the entry's agreement budget B at each step for a closed form; torch's
schedulers are *chainable* (ηₜ computed from ηₜ₋₁), so each step may add B: the budget at
step t is (t + 1)·B. The first step over it is the counterexample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mathcheck.errors import InvalidInputError, NotSupportedError
from mathcheck.formulas import get, resolve
from mathcheck.regress._api import CheckResult
from mathcheck.regress._findings import Finding
from mathcheck.regress._optimizers import entry_budget


def _rates(schedule: Any, steps: int, base: float, init: Mapping[str, Any]) -> list[float]:
    import torch

    if isinstance(schedule, type) and issubclass(schedule, torch.optim.lr_scheduler.LRScheduler):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
        sched = schedule(opt, **init)
        rates = []
        for _ in range(steps + 1):
            rates.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            sched.step()
        return rates
    if callable(schedule):
        if init:
            raise InvalidInputError("init= is for torch LRScheduler classes; build the "
                                    "schedule function with its arguments instead")
        return [float(np.asarray(schedule(t))) for t in range(steps + 1)]
    raise InvalidInputError(f"{schedule!r} is neither a torch LRScheduler class nor a "
                            "function of the step count")


def check_schedule(
    formula_id: str,
    schedule: Any,
    *,
    steps: int | None = None,
    init: Mapping[str, Any] | None = None,
    **params: Any,
) -> CheckResult:
    """Compare `schedule`'s rate at t = 0 … steps (default: the entry's T) with the entry.

        check_schedule("sched.cosine", CosineAnnealingLR, init={"T_max": 200, "eta_min": 3e-5},
                       eta_max=3e-4, eta_min=3e-5, T=200)
        check_schedule("sched.cosine", optax.cosine_decay_schedule(3e-4, 200, alpha=0.1),
                       eta_max=3e-4, eta_min=3e-5, T=200)
    """
    entry = get(formula_id)
    if not formula_id.startswith("sched.") or entry.domain is None:
        raise NotSupportedError(f"{formula_id} is not a learning-rate schedule (a sched.* entry)")
    if unknown := set(params) - set(entry.domain.params):
        raise InvalidInputError(f"{formula_id} has no parameter {sorted(unknown)[0]!r} "
                                f"(its parameters: {', '.join(entry.domain.params)})")
    values = {**entry.domain.params, **params}
    steps = int(values.get("T", 100)) if steps is None else steps
    if not (isinstance(steps, int) and 1 <= steps <= 1_000_000):
        raise InvalidInputError(f"steps must be an integer in 1…1000000, got {steps!r}")
    got = np.array(_rates(schedule, steps, float(values["eta_max"]), init or {}))
    t = np.arange(steps + 1, dtype=np.longdouble)
    per_step = entry_budget(entry)("float64") - 1.0  # no carried state: B itself
    references = {"canonical": resolve(entry.numpy)}
    references |= {v.name: resolve(v.numpy) for v in entry.variants if v.numpy is not None}
    gaps = {name: _gaps(got, np.asarray(f(t, **values), dtype=np.longdouble))
            for name, f in references.items()}
    budget = (t + 1) * per_step
    return _result(formula_id, got, gaps, budget, references["canonical"](t, **values), steps)


def _gaps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    scale = np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    return np.abs(got.astype(np.longdouble) - want) / (scale * np.finfo(np.float64).eps)


def _result(formula_id: str, got: np.ndarray, gaps: Mapping[str, np.ndarray],
            budget: np.ndarray, want: np.ndarray, steps: int) -> CheckResult:
    key = "float64/cpu"
    canonical = gaps["canonical"]
    worst = float(np.max(canonical))
    at = int(np.argmax(canonical))
    shown = {key: worst}
    allowed = {key: float(budget[at])}
    misses = {
        name: "matches" if np.all(g <= budget) else f"misses by {float(np.max(g)):.3g} ulp"
        for name, g in gaps.items() if name != "canonical"
    }
    if np.all(canonical <= budget):
        return CheckResult(formula_id, "pass", shown, allowed, per_dtype={key: "pass"},
                           variant_misses=misses, isolation=f"in this process (t = 0…{steps})")
    first = int(np.argmax(canonical > budget))
    counterexample = (f"step {first}: rate {float(got[first])!r} vs {float(want[first])!r} "
                      f"({float(canonical[first]):.3g} ulp > {float(budget[first]):g})")
    variant = next((n for n, m in misses.items() if m == "matches"), None)
    verdict = "variant" if variant else "fail"
    in_fp32 = canonical * float(np.finfo(np.float64).eps / np.finfo(np.float32).eps)
    found = () if variant or not np.all(in_fp32 <= budget) else (Finding(
        "internal_precision", key,
        f"behaves like float32 internally: worst {float(np.max(in_fp32)):.3g} float32 ulp",
    ),)
    reason = "; ".join([str(f) for f in found]
                       + [f"t = 0…{steps}: first over budget at {counterexample}"])
    return CheckResult(formula_id, verdict, shown, allowed, counterexample, reason, variant,
                       misses, per_dtype={key: variant or "fail"}, findings=found,
                       isolation=f"in this process (t = 0…{steps})")

