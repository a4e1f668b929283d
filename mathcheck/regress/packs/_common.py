"""Pieces shared by the target packs: job builders and custom verdicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from mathcheck.regress._api import CheckResult, check
from mathcheck.regress.runner import Job


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


def check_on(formula: str, impl: Callable[..., Any], args: dict[str, dict[str, Any]],
             *, properties: bool = True, **options: Any) -> Any:
    """`check` with some of the entry's argument ranges replaced (by name, in the entry's domain
    and in every claim's own domain): e.g. vectors with norms below torch's ε, or strictly
    positive probabilities where a built-in's convention at 0 would hide the one under test.

    `check` takes the narrowed entry itself. `properties=False` drops the entry's Property
    claims (for ranges where a stated property does not apply, e.g. KL ≥ 0 for unnormalised
    vectors).
    """
    from mathcheck.formulas import Property, get
    from mathcheck.regress import check

    entry = get(formula)

    def narrow(domain: Any) -> Any:
        if domain is None:
            return None
        new = tuple(dataclasses.replace(a, **args[a.name]) if a.name in args else a
                    for a in domain.args)
        return dataclasses.replace(domain, args=new)

    claims = tuple(dataclasses.replace(c, domain=narrow(c.domain))
                   if getattr(c, "domain", None) is not None else c for c in entry.claims
                   if properties or not isinstance(c, Property))
    narrowed = dataclasses.replace(entry, domain=narrow(entry.domain), claims=claims)
    return check(narrowed, impl, **options)


def domain_job(name: str, formula: str, impl: Callable[..., Any], args: dict[str, dict[str, Any]],
               *, note: str = "", expect: str = "pass", properties: bool = True,
               **options: Any) -> Job:
    """A job like `fn_job`, on the entry with some argument ranges replaced (`check_on`)."""
    return Job(name, formula, lambda defaults: check_on(
        formula, impl, args, properties=properties, **{**defaults, **options}), note, expect)
