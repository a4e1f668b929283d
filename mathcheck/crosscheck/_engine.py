"""The engine: plan the tasks (entry × claim × backend × dtype × device), run each under a
time budget, and turn every outcome into a `Result`. One failing, raising or hanging check
never stops the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from mathcheck._timeout import time_limit
from mathcheck.crosscheck._results import Result, RunOptions
from mathcheck.errors import CheckTimeout
from mathcheck.formulas import (
    Agreement,
    Check,
    Claim,
    Derivative,
    Entry,
    Gradient,
    Identity,
    Kinks,
    Property,
    resolve,
)
from mathcheck.numeric import backend as make_backend
from mathcheck.numeric import device_available, fmt
from mathcheck.outcome import CheckContext, Outcome

if TYPE_CHECKING:
    from mathcheck.crosscheck._replay import Replay


@dataclass(frozen=True)
class Task:
    entry: Entry
    claim: Claim
    backend: str
    dtype: str
    device: str
    impl: Any = None  # an override of the entry's form (tests, regression targets)


def _numeric_combinations(
    backends: Iterable[str], dtypes: Iterable[str], options: RunOptions
) -> Iterator[tuple[str, str, str]]:
    for backend in backends:
        if backend not in options.backends:
            continue
        for dtype in dtypes:
            if dtype not in options.dtypes:
                continue
            for device in options.devices if backend == "torch" else ("cpu",):
                yield backend, dtype, device


def plan(entry: Entry, options: RunOptions, overrides: dict[str, Any] | None = None) -> list[Task]:
    overrides = overrides or {}
    tasks: list[Task] = []
    for claim in entry.checked_claims():
        if isinstance(claim, (Derivative, Identity)):
            tasks.append(Task(entry, claim, "sympy", "exact", "-"))
        elif isinstance(claim, (Agreement, Property)):
            for b, d, dev in _numeric_combinations(claim.backends, claim.dtypes, options):
                tasks.append(Task(entry, claim, b, d, dev, overrides.get(b)))
        elif isinstance(claim, Kinks):
            for b, d, dev in _numeric_combinations(claim.backends, claim.dtypes, options):
                tasks.append(Task(entry, claim, b, d, dev, overrides.get(b)))
        elif isinstance(claim, Gradient):
            for b, d, dev in _numeric_combinations(("torch",), claim.dtypes, options):
                tasks.append(Task(entry, claim, b, d, dev, overrides.get(b)))
        elif isinstance(claim, Check):
            impl = (lambda b: overrides.get(b)) if claim.uses_form else (lambda b: None)
            if claim.per == "once":
                b = claim.backends[0]
                tasks.append(Task(entry, claim, b, claim.dtypes[0], "cpu", impl(b)))
            else:
                for b, d, dev in _numeric_combinations(claim.backends, claim.dtypes, options):
                    tasks.append(Task(entry, claim, b, d, dev, impl(b)))
    return tasks


def _form(task: Task) -> Callable[..., Any] | None:
    if task.impl is not None:
        return task.impl
    ref = task.entry.form(task.backend) if task.backend in ("numpy", "torch") else None
    return resolve(ref) if ref is not None else None


def _skip_reason(task: Task) -> str | None:
    if task.backend == "numpy" and task.dtype == "bfloat16":
        return "NumPy has no bfloat16 dtype"
    if task.backend == "torch" and task.device != "-":
        available, reason = device_available(task.device)
        if not available:
            return reason
    if isinstance(task.claim, (Agreement, Property, Gradient, Kinks)):
        if task.impl is None and task.entry.form(task.backend) is None:
            return f"no {task.backend} form"
    return None


def _not_proven(outcome: Outcome) -> Outcome:
    """Only `prove_equal` (Derivative, Identity) proves: a Check saying "proven" is an error.

    A custom check that solves, classifies or evaluates exactly reports "confirmed"; an
    equation belongs in an Identity claim, where the prover decides.
    """
    if outcome.status != "proven":
        return outcome
    return Outcome("error", f"a Check claim returned 'proven'; only the prover proves "
                   f"(make it an Identity, or report 'confirmed'): {outcome.detail}")


def _dispatch(task: Task, options: RunOptions) -> Outcome:
    from mathcheck.crosscheck import _agreement, _gradient, _kink, _property, _symbolic

    claim, entry = task.claim, task.entry
    if isinstance(claim, Derivative):
        return _symbolic.run_derivative(entry, claim, options.symbolic_budget, options.seed)
    if isinstance(claim, Identity):
        return _symbolic.run_identity(entry, claim, options.symbolic_budget, options.seed)
    if isinstance(claim, Check):
        form = _form(task) if claim.uses_form else None
        ctx = CheckContext(task.backend, task.dtype, task.device, options.seed, options.examples,
                           form, entry)
        return _not_proven(resolve(claim.run)(ctx))
    backend = make_backend(task.backend, task.dtype, task.device)
    fn = _form(task)
    assert fn is not None
    kwargs = {"examples": options.examples, "seed": options.seed}
    if isinstance(claim, Agreement):
        return _agreement.run_agreement(entry, claim, fn, backend, inputs=options.inputs, **kwargs)
    if isinstance(claim, Property):
        params = _agreement.domain_of(entry, claim.domain).params
        return _property.run_property(entry, claim, _agreement.bound(fn, params), backend, **kwargs)
    if isinstance(claim, Gradient):
        numpy_fn = resolve(entry.numpy) if entry.numpy is not None else None
        return _gradient.run_gradient(entry, claim, fn, numpy_fn, backend, **kwargs)
    if isinstance(claim, Kinks):
        return _kink.run_kinks(entry, claim, fn, backend)
    raise TypeError(f"unknown claim kind {type(claim).__name__}")


def preload() -> None:
    """Import every claim runner (and through them SymPy, Hypothesis, Torch) now, so that a
    worker's first check does not pay for the imports inside its time budget."""
    from mathcheck.crosscheck import _agreement, _gradient, _kink, _property, _symbolic  # noqa: F401


#: Callbacks told `(task, None)` before and `(task, result)` after every task, in this
#: process (the regression worker reports progress to its parent through one).
_observers: list[Callable[[Task, Result | None], None]] = []


@contextmanager
def observing(callback: Callable[[Task, Result | None], None]) -> Iterator[None]:
    """Call `callback` around every task run inside the block."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def run_task(task: Task, options: RunOptions) -> Result:
    for observe in tuple(_observers):
        observe(task, None)
    result = _run_task(task, options)
    for observe in tuple(_observers):
        observe(task, result)
    return result


def _run_task(task: Task, options: RunOptions) -> Result:
    start = time.perf_counter()
    claim = task.claim
    base = {
        "entry_id": task.entry.id,
        "section": task.entry.section.slug,
        "claim": claim.label,
        "kind": claim.kind,
        "backend": task.backend,
        "dtype": task.dtype,
        "device": task.device,
    }
    reason = _skip_reason(task)
    if reason:
        return Result(**base, status="skipped", detail=reason)
    limit = time_limit(options.time_budget)
    timed_out = Outcome(  # a budget that runs out is a failure, never a skip
        "error",
        f"timed out after {options.time_budget:g} s",
        extra={"timed_out": options.time_budget},
    )
    try:
        with limit:
            outcome = _dispatch(task, options)
    except CheckTimeout:
        outcome = timed_out
    except Exception as exc:  # a check that raises is a failed check, never a crash
        outcome = Outcome("failed", f"raised {type(exc).__name__}: {exc}")
    if limit.expired:  # whatever came out, e.g. Hypothesis's error for an interrupted draw
        outcome = timed_out
    extra = dict(outcome.extra)
    note = extra.pop("budget_note", "")
    if narrower := narrower_domain(task.entry, claim):
        extra["narrower_domain"] = narrower
    return Result(
        **base,
        status=outcome.status,
        error=outcome.error,
        budget=outcome.budget,
        unit=outcome.unit,
        budget_note=note,
        worst_input=outcome.worst_input,
        detail=outcome.detail,
        seconds=time.perf_counter() - start,
        extra=extra,
    )


def narrower_domain(entry: Entry, claim: Claim) -> str | None:
    """Where a claim checks less of an argument's range or kind than its entry states, which
    part and why (e.g. a gradient against finite differences kept away from overflow)."""
    own = getattr(claim, "domain", None)
    if own is None or entry.domain is None:
        return None
    stated = {a.name: a for a in entry.domain.args}
    parts, kinds = [], set()
    for a in own.args:
        if a.name not in stated:
            continue
        whole = stated[a.name]
        if a.low > whole.low or a.high < whole.high:
            parts.append(f"{a.name} ∈ [{a.low:g}, {a.high:g}] of [{whole.low:g}, {whole.high:g}]")
        if a.kind != whole.kind:
            parts.append(f"{a.name} {a.kind} values only")
            kinds.add(a.kind)
    if not parts:
        return None
    why = own.why or _DEFAULT_WHY.get(claim.kind, "")
    if not why and "integer" in kinds:
        why = "integer inputs keep every intermediate exact, so the claim is tested bit for bit"
    elif not why and kinds & {"spd", "square", "symmetric"}:
        why = "the claim is stated for such matrices only"
    return "; ".join(parts) + (f": {why}" if why else "")


#: Why a claim kind checks a narrower domain, where its own domain does not say.
_DEFAULT_WHY = {
    "gradient": "autograd is compared with fp64 central differences, which need bounded inputs "
                "(x·h must not overflow, and each side of a kink is checked apart)",
}


def verify_entry(
    entry: Entry,
    options: RunOptions | None = None,
    *,
    numpy: Callable[..., Any] | None = None,
    torch: Callable[..., Any] | None = None,
) -> list[Result]:
    """Every claim of one entry; `numpy=`/`torch=` replace its forms (planted bugs, targets)."""
    options = options or RunOptions()
    overrides = {k: v for k, v in (("numpy", numpy), ("torch", torch)) if v is not None}
    return [run_task(t, options) for t in plan(entry, options, overrides)]


def verify_entries(
    entries: Iterable[Entry],
    options: RunOptions | None = None,
    progress: Callable[[Task, Result | None], None] | None = None,
    *,
    jobs: int | str | None = 1,
    replay: Replay | None = None,
    address: str | None = None,
) -> list[Result]:
    """All claims of all entries, in plan order; `progress(task, None)` before and
    `(task, result)` after each. `jobs` > 1 (or "auto"/None: one per CPU) runs them in that
    many worker processes (`_pool`), with the same results; 1 runs them here. `address` runs
    them as Ray tasks instead (`cluster`: "local" starts an instance with `jobs` CPUs, else
    the cluster there is joined), again with the same results. With `replay`, catalog
    checks whose inputs are unchanged return their recorded result (`_replay`)."""
    options = options or RunOptions()
    entries = tuple(entries)
    planned = [(i, t) for i, e in enumerate(entries) for t in plan(e, options)]
    results: list[Result | None] = [None] * len(planned)
    keys: dict[int, str] = {}
    if replay is not None:
        for position, (_, task) in enumerate(planned):
            if (key := _replay_key(task, options)) is None:
                continue
            keys[position] = key
            if (found := replay.get(key)) is not None:
                results[position] = found
                for tell in (progress, *_observers):
                    if tell:
                        tell(task, None)
                        tell(task, found)
    todo = [p for p, r in enumerate(results) if r is None]
    by_task = {id(planned[p][1]): keys[p] for p in todo if p in keys}

    def keep(task: Task, result: Result | None) -> None:
        if result is not None and replay is not None and id(task) in by_task:
            replay.keep(by_task[id(task)], result)  # as each finishes: a killed run keeps them
        if progress:
            progress(task, result)

    ran = _run_planned(entries, options, [planned[p] for p in todo], keep, jobs=jobs,
                       address=address)
    for position, result in zip(todo, ran, strict=True):
        results[position] = result
    return [r for r in results if r is not None]


def _replay_key(task: Task, options: RunOptions) -> str | None:
    """The replay key of a catalog task; None for an override or an entry not the catalog's."""
    from mathcheck.crosscheck._replay import task_key
    from mathcheck.formulas import Ref, get

    if task.impl is not None:
        return None
    try:
        if get(task.entry.id) is not task.entry:
            return None
    except Exception:
        return None
    loadables = [getattr(obj, f.name) for obj in (task.entry, task.claim) for f in fields(obj)]
    if any(callable(v) and not isinstance(v, Ref) for v in loadables):
        return None  # a plain callable's closure is not in its code: never replayed
    refs = [v for v in loadables if isinstance(v, Ref)]
    try:
        return task_key(task, options, [resolve(r) for r in refs])
    except Exception:  # a form that no longer resolves: run it, and let the check say why
        return None


def _run_planned(
    entries: tuple[Entry, ...],
    options: RunOptions,
    planned: list[tuple[int, Task]],
    progress: Callable[[Task, Result | None], None] | None,
    *,
    jobs: int | str | None,
    address: str | None = None,
) -> list[Result]:
    from mathcheck.crosscheck._pool import parse_jobs

    tasks = [t for _, t in planned]
    workers = min(parse_jobs(jobs), len(tasks))
    distributed = address is not None and bool(tasks)
    if (workers > 1 or distributed) and not _in_worker():
        from mathcheck.crosscheck._pool import Unpicklable, run_parallel

        keys = [(i, t.entry.checked_claims().index(t.claim), t.backend, t.dtype, t.device)
                for i, t in planned]
        try:
            if distributed:
                from mathcheck.crosscheck.cluster import run_on_ray

                return run_on_ray(entries, options, tasks, keys, address, parse_jobs(jobs),
                                  _observed(progress))
            return run_parallel(entries, options, tasks, keys, workers, _observed(progress))
        except Unpicklable:  # forms that cannot travel run here, as with jobs=1
            pass
    results = []
    for task in tasks:
        if progress:
            progress(task, None)
        result = run_task(task, options)
        results.append(result)
        if progress:
            progress(task, result)
    return results


def _in_worker() -> bool:
    """Inside the regression worker, everything runs in-process (a worker starts no pool)."""
    worker = sys.modules.get("mathcheck.regress._worker")
    return bool(worker and worker.IN_WORKER)


def _observed(
    progress: Callable[[Task, Result | None], None] | None,
) -> Callable[[Task, Result | None], None]:
    """`progress`, and the observers `run_task` would have told, for tasks run elsewhere."""

    def tell(task: Task, result: Result | None) -> None:
        for observe in tuple(_observers):
            observe(task, result)
        if progress:
            progress(task, result)

    return tell


def count_tasks(entries: Iterable[Entry], options: RunOptions) -> int:
    return sum(len(plan(e, options)) for e in entries)


__all__ = [
    "Task",
    "count_tasks",
    "fmt",
    "observing",
    "plan",
    "run_task",
    "verify_entries",
    "verify_entry",
]
