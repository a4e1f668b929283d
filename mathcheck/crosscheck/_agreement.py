"""Agreement: a numeric form against the mpmath oracle, in ulps of the output dtype."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from mathcheck.crosscheck._bulk import Plan, bulk_inputs, every_value, generator, rows_of, take
from mathcheck.crosscheck._inputs import Case, cases
from mathcheck.crosscheck._nonfinite import check_nonfinite
from mathcheck.crosscheck._results import DEFAULT_INPUTS
from mathcheck.crosscheck._screening import TOP, conditions, row_scores, screen_plan
from mathcheck.crosscheck._search import Violation, search
from mathcheck.formulas import Agreement, Domain, Entry, resolve
from mathcheck.numeric import (
    Backend,
    Oracle,
    Screen,
    ScreenUnavailable,
    fmt,
    output_shape,
    round_to,
)
from mathcheck.outcome import Outcome

SAMPLED = 64  # oracle measurements when a form has no screen
PARAMETER_DRAWS = 4  # parameter sets per agreement check whose domain gives ranges


def domain_of(entry: Entry, claim_domain: Domain | None) -> Domain:
    """The claim's own domain, with the entry's parameters where it names none, and the
    entry's parameter ranges for parameters it leaves at the entry's stated value."""
    if claim_domain is None:
        assert entry.domain is not None, f"{entry.id}: a numeric claim needs a domain"
        return entry.domain
    if entry.domain is not None and entry.domain.params:
        params = {**entry.domain.params, **claim_domain.params}
        ranges = {
            name: span for name, span in entry.domain.ranges.items()
            if params.get(name) == entry.domain.params.get(name)
        }
        return dataclasses.replace(
            claim_domain, params=params, ranges={**ranges, **claim_domain.ranges}
        )
    return claim_domain


def parameter_sets(
    domain: Domain, rng: np.random.Generator, dtype: str
) -> list[dict[str, float]]:
    """The stated parameters, the ranges' low ends, their high ends (the extremes, where
    stable forms earn their keep: τ = 0.01 overflows a naive logsumexp), then seeded draws
    over `domain.ranges`, PARAMETER_DRAWS sets in all.

    A drawn value has 4 significant digits (a reproduction reads cleanly) and is then rounded
    to `dtype` where it is a normal number there, as inputs are: a form that casts it to its
    working dtype loses nothing, so the error measured is the formula's, not the parameter's
    representation (the stated values, checked first, are not rounded; a value that rounding
    would take out of its range takes the neighbour inside)."""
    sets = [dict(domain.params)]
    if not domain.ranges:
        return sets
    for number in range(1, PARAMETER_DRAWS):
        drawn = dict(domain.params)
        for name, (low, high) in sorted(domain.ranges.items()):
            if number <= 2:
                value = low if number == 1 else high
            elif low > 0 and high >= 10 * low:
                value = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            else:
                value = float(rng.uniform(low, high))
            drawn[name] = _representable(float(f"{value:.4g}"), low, high, dtype)
        sets.append(drawn)
    return sets


def _representable(value: float, low: float, high: float, dtype: str) -> float:
    """`value` rounded to `dtype`, or its neighbour there if rounding leaves [low, high]
    (β₂ = 0.9999 rounds to 1 in fp16: 0.99902 is used); unrounded if none is a normal."""
    f = fmt(dtype)
    for nudge in (0, -1, 1, -2, 2):
        rounded = float(round_to(np.array(value * (1 + nudge * f.eps)), dtype))
        if low <= rounded <= high and abs(rounded) >= f.tiny:
            return rounded
    return value


_FORMS: dict[tuple[Any, ...], Any] = {}
_ORACLES: dict[tuple[Any, ...], Oracle] = {}
_SCREENS: dict[tuple[Any, ...], Screen | ScreenUnavailable] = {}
_CACHE_LIMIT = 512


class FormCache:
    """SymPy forms and compiled oracles per builder, size assignment and parameters.

    Building and compiling them is the slow part, so they are shared by every backend × dtype
    task of a run (module-level caches, bounded).
    """

    def __init__(self, entry: Entry, domain: Domain) -> None:
        self.builder = resolve(entry.symbolic)
        self.domain = domain
        # Parameters drawn over a range stay symbols in the compiled oracle and screen, so
        # one compilation serves every drawn value; the others are substituted.
        self._free = tuple(sorted(k for k in domain.ranges if k in domain.params))
        self._fixed = {k: v for k, v in domain.params.items() if k not in self._free}
        self._values = {k: domain.params[k] for k in self._free}
        self._params = (tuple(sorted(self._fixed.items())), self._free)
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

    def oracle(self, sizes: dict[str, int]) -> Callable[..., Any]:
        """The compiled oracle at these sizes, bound to this domain's parameter values."""
        key = (*self._key(sizes), self._params, self._ndims)
        if key not in _ORACLES:
            if len(_ORACLES) > _CACHE_LIMIT:
                _ORACLES.clear()
            _ORACLES[key] = Oracle(self.form(sizes), self._fixed, dict(self._ndims), self._free)
        return functools.partial(_ORACLES[key], values=self._values)

    def screen(self, sizes: dict[str, int]) -> Callable[..., Any]:
        """The extended-precision screen, bound like `oracle`; raises ScreenUnavailable
        (remembered) if there is none."""
        key = (*self._key(sizes), self._params, self._ndims)
        if key not in _SCREENS:
            if len(_SCREENS) > _CACHE_LIMIT:
                _SCREENS.clear()
            try:
                _SCREENS[key] = Screen(self.form(sizes), self._fixed, dict(self._ndims),
                                       self._free)
            except ScreenUnavailable as exc:
                _SCREENS[key] = exc
        screen = _SCREENS[key]
        if isinstance(screen, ScreenUnavailable):
            raise screen
        return functools.partial(screen, values=self._values)

    def out_axes(self, sizes: dict[str, int]) -> int:
        return len(output_shape(self.form(sizes)))


def call_form(
    fn: Callable[..., Any], case: Case, backend: Backend, params: dict[str, float]
) -> Any:
    inputs = {name: backend.asarray(values) for name, values in case.arrays.items()}
    return fn(**inputs, **params)


def _singular_rows(case: Case, claim: Agreement, backend: Backend) -> np.ndarray:
    """Rows whose matrix is singular at the dtype's precision (κ·eps ≥ 1)."""
    return conditions(case, claim.budget) * fmt(backend.dtype).eps >= 1


def reproduction(
    entry: Entry, backend: Backend, case: Case, params: dict[str, float] | None = None
) -> str:
    """The snippet that re-runs `case`, naming every parameter that differs from the entry's."""
    stated = entry.domain.params if entry.domain is not None else {}
    differing = "".join(
        f", {k}={v!r}" for k, v in (params or {}).items() if stated.get(k) != v
    )
    return (
        "from mathcheck.crosscheck import reproduce\n"
        f"reproduce({entry.id!r}, backend={backend.name!r}, dtype={backend.dtype!r}, "
        f"device={backend.device!r}, {case.snippet_args()}{differing})"
    )


def checked_output(
    fn: Callable[..., Any], case: Case, backend: Backend, params: dict[str, float]
) -> np.ndarray:
    """The form's output as fp64, after checking it kept the dtype (a Violation otherwise)."""
    out = call_form(fn, case, backend, params)
    got_dtype = backend.dtype_of(out)
    if got_dtype != backend.dtype:
        raise Violation(f"returned {got_dtype} for {backend.dtype} input (must preserve dtype)")
    return np.asarray(backend.to_numpy(out), dtype=np.float64)


def measure(
    fn: Callable[..., Any], case: Case, backend: Backend, claim: Agreement, cache: FormCache,
    computed: np.ndarray | None = None,
) -> dict[str, Any]:
    """Run one case against the oracle; return the worst row's error, its budget, the values.
    `computed`: what the form gave for this case inside a batch (then it is not run again)."""
    domain = cache.domain
    hi, lo = cache.oracle(case.sizes)(case.arrays)
    if not np.all(np.isfinite(hi) | np.isinf(hi)):
        return {"invalid": True}  # outside the formula's real domain at these rounded inputs
    if computed is not None:
        return _scored(computed.reshape(hi.shape), hi, lo, case, backend, claim, cache)
    try:
        computed = checked_output(fn, case, backend, domain.params)
    except Violation:
        raise
    except Exception:
        if claim.budget.cond_arg and _singular_rows(case, claim, backend).any():
            return {"invalid": True}  # singular at this precision: refusing is right
        raise
    if computed.shape != hi.shape:
        raise Violation(f"returned shape {computed.shape}, expected {hi.shape}")
    return _scored(computed, hi, lo, case, backend, claim, cache)


def _scored(
    computed: np.ndarray, hi: np.ndarray, lo: np.ndarray, case: Case, backend: Backend,
    claim: Agreement, cache: FormCache,
) -> dict[str, Any]:
    row_error, allowed = row_scores(
        computed, hi, lo, case, claim, backend, cache.out_axes(case.sizes)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(row_error == 0, 0.0, row_error / allowed)
    worst = int(np.argmax(ratio)) if ratio.size else 0
    return {
        "score": float(np.max(ratio)) if ratio.size else 0.0,
        "error": float(np.ravel(row_error)[worst]) if ratio.size else 0.0,
        "budget": float(np.ravel(allowed)[worst]) if ratio.size else 0.0,
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
    inputs: int = DEFAULT_INPUTS,
) -> Outcome:
    """Screen `inputs` bulk inputs (or every value of a 16-bit dtype), confirm the worst with
    the oracle; on a failure, let Hypothesis try for a smaller counterexample. A domain with
    parameter ranges shares the inputs among `parameter_sets`; the first failure is the
    result, else the worst of the passes."""
    domain = domain_of(entry, claim.domain)
    sets = parameter_sets(
        domain, generator(seed, entry.id, claim.label + "/parameters", backend.dtype),
        backend.dtype,
    )
    share = max(1, inputs // len(sets))
    top = max(2, TOP // len(sets))  # the always-measured best-scored rows, shared out
    passes = []
    for number, params in enumerate(sets):
        label = claim.label if number == 0 else f"{claim.label}/{number}"
        at = dataclasses.replace(claim, budget=claim.budget.at(params))
        outcome = _agree_at(
            entry, at, fn, backend, dataclasses.replace(domain, params=params),
            generator(seed, entry.id, label, backend.dtype), share, examples, seed, top,
        )
        if outcome.status != "passed":
            if number:
                drawn = ", ".join(f"{k} = {params[k]:g}" for k in sorted(domain.ranges))
                outcome = dataclasses.replace(outcome, detail=f"{outcome.detail} (at {drawn})")
            return outcome
        passes.append(outcome)
    return passes[0] if len(passes) == 1 else _merged(passes, domain)


def _merged(passes: list[Outcome], domain: Domain) -> Outcome:
    """One passing outcome for several parameter sets: counts summed, the worst ratio kept."""
    worst = max(passes, key=lambda o: (o.error or 0.0) / (o.budget or 1.0))
    extra = dict(worst.extra)
    for key in ("inputs", "confirmed", "flagged_unmeasured"):
        extra[key] = sum(int(o.extra.get(key, 0)) for o in passes)
    searches = {o.extra.get("search") for o in passes}
    extra["search"] = searches.pop() if len(searches) == 1 else "screened"
    extra["parameters"] = {k: list(v) for k, v in sorted(domain.ranges.items())}
    spans = ", ".join(f"{k} ∈ [{lo:g}, {hi:g}]" for k, (lo, hi) in sorted(domain.ranges.items()))
    detail = (f"{extra['search']} {extra['inputs']:,} inputs over {len(passes)} parameter sets "
              f"(the stated one and {spans}), {extra['confirmed']} confirmed by the oracle; "
              f"worst {worst.error or 0.0:.3g} ulp")
    return dataclasses.replace(worst, detail=detail, extra=extra)


def _agree_at(
    entry: Entry, claim: Agreement, fn: Callable[..., Any], backend: Backend, domain: Domain,
    rng: np.random.Generator, inputs: int, examples: int, seed: int, top: int = TOP,
) -> Outcome:
    """One parameter set: bulk screen, oracle confirmation, non-finite inputs if exhaustive."""
    cache = FormCache(entry, domain)
    plan = bulk_inputs(domain, backend.dtype, inputs, rng)
    note = claim.budget.describe()
    total = sum(rows_of(c) for c in plan.chunks)
    if total == 0:
        return Outcome("skipped", f"no inputs in {backend.dtype} inside the domain")

    def call(case: Case) -> np.ndarray:
        return checked_output(fn, case, backend, domain.params)

    try:  # a raise on some inputs is narrowed to them there; a wrong dtype is a Violation
        candidates = screen_plan(plan, cache.screen, call, claim, backend, cache.out_axes, top)
    except Violation as exc:
        return _failed(entry, claim, fn, backend, cache, take(plan.chunks[0], np.arange(1)),
                       str(exc), note)
    except ScreenUnavailable as exc:
        return _sampled(entry, claim, fn, backend, cache, plan, rng, note, str(exc))
    chosen, left_out = candidates.chosen(rng)
    worst, worst_case, failing = _confirm(chosen, plan, fn, backend, claim, cache,
                                          candidates.outputs)
    if failing is not None:
        case, exc = failing
        return _shrunk_failure(entry, claim, fn, backend, cache, case, exc, note, examples, seed)
    measured = len(chosen)
    how = plan.how if plan.how == "exhaustive" and not left_out else "screened"
    count = f"{total:,} inputs"
    if plan.how == "exhaustive":
        arg = domain.args[0]
        nonfinite, conventions, wrong, bad_case = check_nonfinite(
            call, arg, cache.form({}), domain.params, backend,
            float(claim.budget.allowed(backend.dtype, {})),
        )
        if wrong is not None and bad_case is not None:
            return _failed(entry, claim, fn, backend, cache, bad_case, wrong, note)
        nans = int(np.isnan(every_value(backend.dtype)).sum())
        total += sum(nans if np.isnan(x) else 1 for x in nonfinite)
        count = f"{total:,} inputs"
        if total == 65536:
            count += f" (every bit pattern; the {nans} NaNs as one)"
        else:
            count += " (every value in the domain)"
        if conventions:
            count += "; " + "; ".join(conventions)
    detail = f"{how} {count}, {measured} confirmed by the oracle"
    if left_out:
        detail += f"; {left_out} flagged by the screen not measured (over the cap)"
    detail += f"; worst {worst.get('error', 0.0):.3g} ulp"
    return Outcome(
        "passed",
        detail,
        worst.get("error", 0.0),
        worst.get("budget", claim.budget.allowed(backend.dtype, {})),
        "ulp",
        reproduction(entry, backend, worst_case, cache.domain.params)
        if worst_case is not None else None,
        {"budget_note": note, "inputs": total, "search": how, "confirmed": measured,
         "flagged_unmeasured": left_out},
    )


def _sampled(
    entry: Entry, claim: Agreement, fn: Callable[..., Any], backend: Backend, cache: FormCache,
    plan: Plan, rng: np.random.Generator, note: str, why: str,
) -> Outcome:
    """No screen for this form: the oracle measures a seeded sample of the bulk inputs."""
    index = [(n, r) for n, chunk in enumerate(plan.chunks) for r in range(rows_of(chunk))]
    picks = rng.choice(len(index), min(SAMPLED, len(index)), replace=False)
    worst, worst_case, failing = _confirm(
        [index[pick] for pick in sorted(picks)], plan, fn, backend, claim, cache
    )
    if failing is not None:
        case, exc = failing
        detail = _failure_detail(exc, fn, case, backend, claim, cache)
        figures = (exc.error, exc.budget) if isinstance(exc, BatchViolation) else None
        return _failed(entry, claim, fn, backend, cache, case, detail, note, figures)
    return Outcome(
        "passed",
        f"sampled {len(picks)} inputs (no screen: {why}); worst {worst.get('error', 0.0):.3g} ulp",
        worst.get("error", 0.0),
        worst.get("budget", claim.budget.allowed(backend.dtype, {})),
        "ulp",
        reproduction(entry, backend, worst_case, cache.domain.params)
        if worst_case is not None else None,
        {"budget_note": note, "inputs": len(picks), "search": "sampled",
         "confirmed": len(picks)},
    )


def _confirm(
    rows: list[tuple[int, int]], plan: Plan, fn: Callable[..., Any], backend: Backend,
    claim: Agreement, cache: FormCache,
    outputs: dict[tuple[int, int], np.ndarray] | None = None,
) -> tuple[dict[str, Any], Case | None, tuple[Case, BaseException] | None]:
    """The oracle measures each (chunk, row), in order: (the worst measurement, its case, and
    the first failing case with why, or None). The value judged is the one the form gave in
    its batch (`outputs`, from the screen) where there is one, else the form's on that row
    alone; a row wrong only in its batch fails as a batch error."""
    worst: dict[str, Any] = {}
    worst_case: Case | None = None
    for number, row in rows:
        case = take(plan.chunks[number], np.array([row]))
        in_batch = (outputs or {}).get((number, row))
        try:
            info = measure(fn, case, backend, claim, cache,
                           None if in_batch is None else in_batch[None])
        except Exception as exc:
            return worst, worst_case, (case, exc)
        if info.get("invalid"):
            continue
        if not info["score"] <= 1:  # NaN included
            return worst, worst_case, (case, _why(info, fn, case, backend, claim, cache,
                                                  rows_of(plan.chunks[number]), in_batch))
        if worst_case is None or info["score"] > worst["score"]:
            worst, worst_case = info, case
    return worst, worst_case, None


class BatchViolation(Violation):
    """A row the form gets wrong inside a batch though right on its own; `error` and
    `budget` are the batch figures (the ones reported: measuring the row alone passes)."""

    def __init__(self, message: str, error: float, budget: float) -> None:
        super().__init__(message)
        self.error, self.budget = error, budget


def _why(
    info: dict[str, Any], fn: Callable[..., Any], case: Case, backend: Backend,
    claim: Agreement, cache: FormCache, rows: int, in_batch: np.ndarray | None,
) -> Violation:
    if in_batch is None:
        return Violation(f"error {info['error']:.3g} ulp")
    try:
        alone = measure(fn, case, backend, claim, cache)
    except Exception:
        return Violation(f"error {info['error']:.3g} ulp")
    if alone.get("invalid") or not alone["score"] <= 1:
        return Violation(f"error {info['error']:.3g} ulp")
    return BatchViolation(
        f"{info['error']:.3g} ulp > budget {info['budget']:.3g} ulp in a batch of {rows} "
        f"inputs, though {alone['error']:.3g} ulp on its own (the form computes a batch "
        f"differently: rows mixed, or a less accurate vectorised kernel) at "
        f"{case.snippet_args()}: computed in the batch {np.ravel(info['computed'])[:6].tolist()} "
        f"vs exact {np.ravel(info['exact'])[:6].tolist()}",
        info["error"], info["budget"],
    )


def _shrunk_failure(
    entry: Entry, claim: Agreement, fn: Callable[..., Any], backend: Backend, cache: FormCache,
    case: Case, exc: BaseException, note: str, examples: int, seed: int,
) -> Outcome:
    """A confirmed failure; Hypothesis then looks for a smaller one, reported if it finds it."""
    domain = cache.domain

    def body(candidate: Case) -> tuple[float, Any]:
        info = measure(fn, candidate, backend, claim, cache)
        return (0.0, None) if info.get("invalid") else (info["score"], info)

    found = search(cases(domain, backend.dtype), body, examples=examples, seed=seed)
    if found.failure is not None and found.failing_case is not None:
        case, exc = found.failing_case, found.failure
    detail = _failure_detail(exc, fn, case, backend, claim, cache)
    figures = (exc.error, exc.budget) if isinstance(exc, BatchViolation) else None
    return _failed(entry, claim, fn, backend, cache, case, detail, note, figures)


def _failed(
    entry: Entry, claim: Agreement, fn: Callable[..., Any], backend: Backend, cache: FormCache,
    case: Case, detail: str, note: str, figures: tuple[float, float] | None = None,
) -> Outcome:
    """The failed outcome; its error and budget are `figures` where the failure was measured
    in a batch, else the case measured alone."""
    error = budget = None
    try:
        info = measure(fn, case, backend, claim, cache) if figures is None else {}
        error, budget = figures or (info.get("error"), info.get("budget"))
    except Exception:
        pass
    return Outcome(
        "failed", detail, error, budget, "ulp",
        reproduction(entry, backend, case, cache.domain.params),
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
    if isinstance(failure, BatchViolation):
        return str(failure)
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
