"""Agreement: a numeric form against the mpmath oracle, in ulps of the output dtype."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from mathcheck.crosscheck._inputs import Case, cases, extreme_cases
from mathcheck.crosscheck._search import Violation, no_inputs, search
from mathcheck.formulas import Agreement, Domain, Entry, resolve
from mathcheck.numeric import Backend, condition_numbers, error_scale, fmt, ulp_errors
from mathcheck.numeric._oracle import Oracle, output_shape
from mathcheck.outcome import Outcome


def domain_of(entry: Entry, claim_domain: Domain | None) -> Domain:
    """The claim's own domain, with the entry's parameters where it names none."""
    if claim_domain is None:
        assert entry.domain is not None, f"{entry.id}: a numeric claim needs a domain"
        return entry.domain
    if entry.domain is not None and entry.domain.params:
        params = {**entry.domain.params, **claim_domain.params}
        return dataclasses.replace(claim_domain, params=params)
    return claim_domain


_FORMS: dict[tuple[Any, ...], Any] = {}
_ORACLES: dict[tuple[Any, ...], Oracle] = {}
_CACHE_LIMIT = 512


class FormCache:
    """SymPy forms and compiled oracles per builder, size assignment and parameters.

    Building and compiling them is the slow part, so they are shared by every backend × dtype
    task of a run (module-level caches, bounded).
    """

    def __init__(self, entry: Entry, domain: Domain) -> None:
        self.builder = resolve(entry.symbolic)
        self.domain = domain
        self._params = tuple(sorted(domain.params.items()))
        self._ndims = tuple((a.name, len(a.shape)) for a in domain.args)

    def _key(self, sizes: dict[str, int]) -> tuple[Any, ...]:
        return (self.builder, tuple(sorted(sizes.items())))

    def form(self, sizes: dict[str, int]) -> Any:
        key = self._key(sizes)
        if key not in _FORMS:
            if len(_FORMS) > _CACHE_LIMIT:
                _FORMS.clear()
            _FORMS[key] = self.builder(**sizes)
        return _FORMS[key]

    def oracle(self, sizes: dict[str, int]) -> Oracle:
        key = (*self._key(sizes), self._params, self._ndims)
        if key not in _ORACLES:
            if len(_ORACLES) > _CACHE_LIMIT:
                _ORACLES.clear()
            _ORACLES[key] = Oracle(self.form(sizes), self.domain.params, dict(self._ndims))
        return _ORACLES[key]


def call_form(
    fn: Callable[..., Any], case: Case, backend: Backend, params: dict[str, float]
) -> Any:
    inputs = {name: backend.asarray(values) for name, values in case.arrays.items()}
    return fn(**inputs, **params)


def _singular_rows(case: Case, claim: Agreement, backend: Backend) -> np.ndarray:
    """Rows whose matrix is singular at the dtype's precision (κ·eps ≥ 1)."""
    assert claim.budget.cond_arg is not None
    conds = condition_numbers(case.arrays[claim.budget.cond_arg], claim.budget.cond_kind)
    return conds * fmt(backend.dtype).eps >= 1


def reproduction(entry_id: str, backend: Backend, case: Case) -> str:
    return (
        "from mathcheck.crosscheck import reproduce\n"
        f"reproduce({entry_id!r}, backend={backend.name!r}, dtype={backend.dtype!r}, "
        f"device={backend.device!r}, {case.snippet_args()})"
    )


def measure(
    fn: Callable[..., Any], case: Case, backend: Backend, claim: Agreement, cache: FormCache
) -> dict[str, Any]:
    """Run one case; return the per-row error, the allowed budget and the raw values."""
    domain = cache.domain
    hi, lo = cache.oracle(case.sizes)(case.arrays)
    if not np.all(np.isfinite(hi) | np.isinf(hi)):
        return {"invalid": True}  # outside the formula's real domain at these rounded inputs
    try:
        out = call_form(fn, case, backend, domain.params)
    except Exception:
        if claim.budget.cond_arg and _singular_rows(case, claim, backend).any():
            return {"invalid": True}  # singular at this precision: refusing is right
        raise
    got_dtype = backend.dtype_of(out)
    if got_dtype != backend.dtype:
        raise Violation(f"returned {got_dtype} for {backend.dtype} input (must preserve dtype)")
    computed = backend.to_numpy(out)
    if computed.shape != hi.shape:
        raise Violation(f"returned shape {computed.shape}, expected {hi.shape}")
    out_axes = len(output_shape(cache.form(case.sizes)))
    scale = error_scale(hi, claim.budget.scale, out_axes)
    errors = ulp_errors(computed, hi, lo, scale, backend.dtype)
    if claim.budget.cond_arg:
        conds = condition_numbers(case.arrays[claim.budget.cond_arg], claim.budget.cond_kind)
        allowed = np.array(
            [claim.budget.allowed(backend.dtype, case.sizes, c) for c in np.ravel(conds)]
        )
        allowed = allowed.reshape(np.shape(conds))
        # κ·eps ≥ 1: singular at this precision, where no budget means anything: out of domain
        singular = conds * fmt(backend.dtype).eps >= 1
    else:
        allowed = np.array(claim.budget.allowed(backend.dtype, case.sizes))
        singular = np.zeros((), dtype=bool)
    row_axes = tuple(range(errors.ndim - out_axes, errors.ndim)) if out_axes else ()
    row_error = errors.max(axis=row_axes) if row_axes else errors
    if row_axes:
        # A row whose exact result overflows the dtype somewhere (the inverse of a nearly
        # singular matrix) has no meaningful rounded answer: it is outside the domain.
        overflow = np.abs(hi) >= fmt(backend.dtype).overflow_threshold
        row_error = np.where(overflow.any(axis=row_axes), 0.0, row_error)
    row_error = np.where(np.broadcast_to(singular, row_error.shape), 0.0, row_error)
    budget = np.broadcast_to(allowed, row_error.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(row_error == 0, 0.0, row_error / budget)
    worst = int(np.argmax(ratio)) if ratio.size else 0
    return {
        "score": float(np.max(ratio)) if ratio.size else 0.0,
        "error": float(np.ravel(row_error)[worst]) if ratio.size else 0.0,
        "budget": float(np.ravel(np.broadcast_to(allowed, row_error.shape))[worst])
        if ratio.size
        else 0.0,
        "computed": computed,
        "exact": hi,
    }


def run_agreement(
    entry: Entry,
    claim: Agreement,
    fn: Callable[..., Any],
    backend: Backend,
    *,
    examples: int,
    seed: int,
) -> Outcome:
    domain = domain_of(entry, claim.domain)
    cache = FormCache(entry, domain)

    def body(case: Case) -> tuple[float, Any]:
        info = measure(fn, case, backend, claim, cache)
        if info.get("invalid"):
            return 0.0, None
        return info["score"], info

    strategy = cases(domain, backend.dtype)
    found = search(
        strategy, body, examples=examples, seed=seed, fixed=extreme_cases(domain, backend.dtype)
    )
    note = claim.budget.describe()
    if (empty := no_inputs(found, backend.dtype)) is not None:
        return empty
    if found.failure is not None:
        case = found.failing_case
        detail = _failure_detail(found.failure, fn, case, backend, claim, cache)
        error = budget = None
        try:
            info = measure(fn, case, backend, claim, cache)
            error, budget = info.get("error"), info.get("budget")
        except Exception:
            pass
        return Outcome(
            "failed",
            detail,
            error,
            budget,
            "ulp",
            reproduction(entry.id, backend, case),
            {"budget_note": note},
        )
    info = found.worst_info or {}
    worst = reproduction(entry.id, backend, found.worst_case) if found.worst_case else None
    return Outcome(
        "passed",
        f"{found.examples} cases; worst {info.get('error', 0.0):.3g} ulp",
        info.get("error", 0.0),
        info.get("budget", claim.budget.allowed(backend.dtype, {})),
        "ulp",
        worst,
        {"budget_note": note},
    )


def _failure_detail(
    failure: BaseException,
    fn: Callable[..., Any],
    case: Case,
    backend: Backend,
    claim: Agreement,
    cache: FormCache,
) -> str:
    if not isinstance(failure, Violation):
        return f"raised {type(failure).__name__}: {failure}"
    try:
        info = measure(fn, case, backend, claim, cache)
    except Violation as exc:
        return str(exc)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    if info.get("invalid"):
        return str(failure)
    computed = np.ravel(info["computed"])[:6]
    exact = np.ravel(info["exact"])[:6]
    return (
        f"{info['error']:.3g} ulp > budget {info['budget']:.3g} ulp at {case.snippet_args()}: "
        f"computed {computed.tolist()} vs exact {exact.tolist()}"
    )


def bound(fn: Callable[..., Any], params: dict[str, float]) -> Callable[..., Any]:
    return functools.partial(fn, **params) if params else fn
