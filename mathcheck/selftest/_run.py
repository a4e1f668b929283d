"""Run mutants through the engine and classify them: killed, survived or invalid.

A mutant runs the entry's numeric claims (agreement, properties, gradients) for its backend,
with the mutant as the override, through the engine's own `plan`/`run_task`, so each check
keeps the engine's time budget. The entry's custom checks (`Check` claims: a statistical test,
recall against exact k-NN) take no override: they look the form up in its module, so they
run with the mutant put in the module's place for the duration of each such check.

A mutant is *killed* by the first check that fails for it and passes for the original form
(that check is run for the original only then, and remembered), so a check the catalog form
itself fails never counts as a kill. It *survives* when every
check passes, and is *invalid* (not counted) when it does not compile or when every check that
rejects it rejects the original too. The rest of a killed mutant's checks are not run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mathcheck.crosscheck import Result, RunOptions
from mathcheck.formulas import Agreement, Check, Entry, Gradient, Property, Ref, get
from mathcheck.selftest._mutate import Mutant

STATUSES = ("killed", "survived", "invalid")


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    status: str  # killed | survived | invalid
    reason: str  # the killing check and its detail, or why it survived / is invalid
    timed_out: bool = False  # killed because a check ran past its time budget
    checks: int = 0  # checks run for the mutant
    seconds: float = 0.0
    equivalent: str | None = None  # the recorded reason, when judged equivalent

    def to_dict(self) -> dict[str, Any]:
        m = self.mutant
        return {
            "id": m.id, "entry_id": m.entry_id, "section": m.section, "backend": m.backend,
            "operator": m.operator, "file": m.file, "line": m.line, "col": m.col,
            "description": m.description, "diff": m.diff, "status": self.status,
            "reason": self.reason, "timed_out": self.timed_out, "checks": self.checks,
            "seconds": round(self.seconds, 3), "equivalent": self.equivalent,
        }  # fmt: skip


def select(mutants: Sequence[Mutant], limit: int | None, seed: int) -> list[Mutant]:
    """`limit` mutants spread over all entries: those whose hash of (seed, id) is smallest,
    kept in catalog order. Stable: the same seed and ids give the same choice."""
    if limit is None or limit >= len(mutants):
        return list(mutants)

    def key(m: Mutant) -> bytes:
        return hashlib.sha256(f"{seed}\0{m.id}".encode()).digest()

    chosen = {m.id for m in sorted(mutants, key=key)[:limit]}
    return [m for m in mutants if m.id in chosen]


def _numeric_only(entry: Entry, backend: str) -> Entry:
    """The entry with only the claims that can run its `backend` form (no symbolic work):
    those that take the form as an override first, then its custom checks."""
    claims = tuple(
        c for c in entry.claims
        if (isinstance(c, (Agreement, Property)) and backend in c.backends)
        or (isinstance(c, Gradient) and backend == "torch")
    )  # fmt: skip
    checks = tuple(c for c in entry.claims if isinstance(c, Check))
    return dataclasses.replace(entry, claims=claims + checks)


@contextmanager
def _in_place(entry: Entry, backend: str, fn: Callable[..., Any]) -> Iterator[None]:
    """The mutant in the place of the entry's form in its module, for a custom check."""
    form = entry.form(backend)
    if isinstance(form, Ref):
        module_name, _, attribute = form.target.partition(":")
        owner: Any = sys.modules[module_name]
        *path, attribute = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
    else:
        owner, attribute = sys.modules[form.__module__], form.__name__  # type: ignore[union-attr]
    saved = getattr(owner, attribute)
    setattr(owner, attribute, fn)
    try:
        yield
    finally:
        setattr(owner, attribute, saved)


def _key(r: Result) -> tuple[str, str, str, str, str]:
    return (r.entry_id, r.claim, r.backend, r.dtype, r.device)


@dataclass
class Runner:
    """Runs mutants at one set of options, remembering the original form's results."""

    options: RunOptions
    equivalents: dict[str, str] = field(default_factory=dict)
    _baseline: dict[tuple[str, ...], Result] = field(default_factory=dict)

    def run(self, mutant: Mutant) -> MutantResult:
        from mathcheck.crosscheck import plan, run_task

        start = time.perf_counter()
        done = dict(equivalent=self.equivalents.get(mutant.id))

        def finish(status: str, reason: str, **extra: Any) -> MutantResult:
            seconds = time.perf_counter() - start
            return MutantResult(mutant, status, reason, seconds=seconds, **done, **extra)

        try:
            fn = mutant.build()
        except Exception as exc:
            return finish("invalid", f"does not compile: {type(exc).__name__}: {exc}")
        entry = _numeric_only(get(mutant.entry_id), mutant.backend)
        tasks = [t for t in plan(entry, self.options, {mutant.backend: fn})
                 if t.backend == mutant.backend or isinstance(t.claim, Check)]
        ran = baseline_failed = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mutants overflow, divide by zero: that is the point
            for task in tasks:
                if isinstance(task.claim, Check):
                    with _in_place(task.entry, mutant.backend, fn):
                        result = run_task(task, self.options)
                else:
                    result = run_task(task, self.options)
                if result.status == "skipped":
                    continue
                ran += 1
                if result.ok:
                    continue
                if not self._original(task).ok:
                    baseline_failed += 1
                    continue
                timed_out = "timed_out" in result.extra
                where = f"{result.claim} [{result.dtype} {result.device}]"
                verb = "timed out" if timed_out else "failed"
                return finish("killed", f"{where} {verb}: {' '.join(result.detail.split())}",
                              timed_out=timed_out, checks=ran)
        if ran and baseline_failed == ran:
            return finish("invalid", "every check it fails, the original form fails too",
                          checks=ran)
        if not ran:
            return finish("survived", "no check of this backend ran", checks=0)
        note = f"; {baseline_failed} check(s) the original fails too" if baseline_failed else ""
        return finish("survived", f"passed {ran - baseline_failed} check(s){note}", checks=ran)

    def _original(self, task: Any) -> Result:
        from mathcheck.crosscheck import run_task

        original = dataclasses.replace(task, impl=None)
        key = (task.entry.id, task.claim.label, task.backend, task.dtype, task.device)
        if key not in self._baseline:
            self._baseline[key] = run_task(original, self.options)
        return self._baseline[key]


def run_mutants(
    mutants: Iterable[Mutant],
    options: RunOptions,
    equivalents: dict[str, str] | None = None,
    progress: Callable[[Mutant, MutantResult | None], None] | None = None,
) -> list[MutantResult]:
    """Each mutant's result, in order; `progress(m, None)` before and `(m, result)` after."""
    runner = Runner(options, dict(equivalents or {}))
    results = []
    for mutant in mutants:
        if progress:
            progress(mutant, None)
        result = runner.run(mutant)
        results.append(result)
        if progress:
            progress(mutant, result)
    return results


def _rate(killed: int, counted: int) -> float | None:
    return killed / counted if counted else None


def summarize(results: Sequence[MutantResult]) -> dict[str, Any]:
    """Totals and per-section counts; kill rates raw and excluding the survivors judged
    equivalent (None where nothing was counted)."""

    def counts(rs: Sequence[MutantResult]) -> dict[str, Any]:
        killed = sum(r.status == "killed" for r in rs)
        survived = sum(r.status == "survived" for r in rs)
        equivalent = sum(r.status == "survived" and r.equivalent is not None for r in rs)
        return {
            "mutants": len(rs), "killed": killed, "survived": survived,
            "equivalent": equivalent, "invalid": sum(r.status == "invalid" for r in rs),
            "timed_out": sum(r.timed_out for r in rs),
            "kill_rate": _rate(killed, killed + survived),
            "kill_rate_non_equivalent": _rate(killed, killed + survived - equivalent),
            "seconds": round(sum(r.seconds for r in rs), 3),
        }  # fmt: skip

    sections: dict[str, list[MutantResult]] = {}
    for r in results:
        sections.setdefault(r.mutant.section, []).append(r)
    stale = [r.mutant.id for r in results if r.status == "killed" and r.equivalent is not None]
    return {
        "total": counts(results),
        "sections": {name: counts(rs) for name, rs in sections.items()},
        "killed_but_listed_equivalent": stale,
    }


__all__ = ["STATUSES", "MutantResult", "Runner", "run_mutants", "select", "summarize"]
