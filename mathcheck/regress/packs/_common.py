"""Pieces shared by the target packs: job builders and custom verdicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mathcheck.regress._api import CheckResult, check
from mathcheck.regress._runner import Job


def fn_job(name: str, formula: str, impl: Callable[..., Any], *, adapter: Any = None,
           note: str = "", expect: str = "pass", **options: Any) -> Job:
    """A job that runs `check` on a callable (with an adapter when its signature differs)."""

    def run(defaults: dict[str, Any]) -> CheckResult:
        return check(formula, impl, adapter=adapter, **{**defaults, **options})

    return Job(name, formula, run, note, expect)


def custom_job(name: str, formula: str, compare: Callable[[], CheckResult], *, note: str = "",
               expect: str = "pass") -> Job:
    """A job whose verdict comes from its own comparison (optimizers over many steps...)."""
    return Job(name, formula, lambda defaults: compare(), note, expect)


def verdict(formula: str, ok: bool, error_ulp: float, reason: str = "", *,
            variant: str | None = None, key: str = "float64/cpu",
            budget: float | None = None) -> CheckResult:
    state = "variant" if variant else ("pass" if ok else "fail")
    return CheckResult(formula, state, {key: error_ulp}, {key: budget}, None, reason, variant)


def batched(fn: Callable[..., Any], weight_names: tuple[str, ...]) -> Callable[..., Any]:
    """vmap `fn` over a leading batch dimension when the (per-row) weights carry one."""
    import torch

    def call(**kwargs: Any) -> Any:
        first = kwargs[weight_names[0]]
        unbatched_ndim = getattr(call, "weight_ndim", {}).get(weight_names[0])
        if unbatched_ndim is not None and first.ndim > unbatched_ndim:
            names = list(kwargs)
            return torch.vmap(lambda *xs: call(**dict(zip(names, xs, strict=True))))(
                *kwargs.values())
        return fn(**kwargs)

    return call
