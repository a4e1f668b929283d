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


def vmap_rows(fn: Callable[..., Any], weight: str, ndim: int,
              randomness: str = "error") -> Callable[..., Any]:
    """Call fn(**kwargs), vmapped over the leading batch dimension the engine gives weights
    (one set of weights per row) when `weight` has one more dimension than `ndim`."""
    import torch

    def call(**kwargs: Any) -> Any:
        if kwargs[weight].ndim > ndim:
            names = list(kwargs)
            return torch.vmap(lambda *xs: fn(**dict(zip(names, xs, strict=True))),
                              randomness=randomness)(*kwargs.values())
        return fn(**kwargs)

    return call
