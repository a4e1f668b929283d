"""Property claims: an invariant over generated inputs, violation measured in eps."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from mathcheck.crosscheck._agreement import domain_of
from mathcheck.crosscheck._inputs import Case, search_domain
from mathcheck.crosscheck._search import no_inputs
from mathcheck.formulas import Entry, Property, resolve
from mathcheck.numeric import Backend
from mathcheck.outcome import Outcome


def run_property(
    entry: Entry,
    claim: Property,
    fn: Callable[..., Any],
    backend: Backend,
    *,
    examples: int,
    seed: int,
) -> Outcome:
    domain = domain_of(entry, claim.domain)
    check = _with_limits(resolve(claim.check), domain)

    def body(case: Case) -> tuple[float, Any]:
        args = {name: backend.asarray(values) for name, values in case.arrays.items()}
        violation = float(check(fn, args, backend))
        score = (
            violation / claim.tolerance
            if claim.tolerance
            else (0.0 if violation == 0 else float("inf"))
        )
        return score, violation

    found = search_domain(domain, backend.dtype, body, examples=examples, seed=seed)
    note = f"≤ {claim.tolerance:g} eps: {claim.why}"
    if (empty := no_inputs(found, backend.dtype)) is not None:
        return empty
    if found.failure is not None:
        case = found.failing_case
        args = case.snippet_args() if case is not None else None
        try:
            violation = float(
                check(fn, {k: backend.asarray(v) for k, v in case.arrays.items()}, backend)
            )
            detail = f"violated by {violation:.3g} eps > {claim.tolerance:g} at {args}"
        except Exception as exc:
            violation, detail = None, f"raised {type(exc).__name__}: {exc} at {args}"
        return Outcome(
            "failed", detail, violation, claim.tolerance, "eps", args, {"budget_note": note}
        )
    worst = found.worst_info or 0.0
    return Outcome(
        "passed",
        f"{found.examples} cases; worst violation {worst:.3g} eps",
        worst,
        claim.tolerance,
        "eps",
        found.worst_case.snippet_args() if found.worst_case else None,
        {"budget_note": note},
    )


def _with_limits(check: Callable[..., Any], domain: Any) -> Callable[..., Any]:
    """The property, told the bounds of the inputs the implementation is specified on
    (`Arg.bounded`) when it moves inputs and takes `limits`; else the property as it is."""
    limits = {a.name: (a.low, a.high) for a in domain.args if a.bounded}
    try:
        takes = "limits" in inspect.signature(check).parameters
    except (TypeError, ValueError):  # a builtin or C callable: no keyword to give
        takes = False
    return functools.partial(check, limits=limits) if limits and takes else check
