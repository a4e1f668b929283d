"""The errata with their evidence evaluated: JSON-ready rows for `mathcheck errata`, the
report (`verify --errata`) and the reference document.

Each erratum's evidence function (`mathcheck.numeric.checks.errata`) runs as one task of the
engine: a `Check` claim of an entry made for the erratum, so it gets what every custom check
gets: a `CheckContext` (torch, fp64, CPU, the run's seed and effort), the run's time budget,
and with more than one job its own worker process. An evidence function that raises, hangs
past the budget or takes its worker down comes back as an "error" row saying why; the others
go on.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from mathcheck.crosscheck._engine import verify_entries
from mathcheck.crosscheck._results import Result, RunOptions
from mathcheck.formulas import Check, Entry, Ref, Section, resolve
from mathcheck.formulas.errata import ERRATA, Erratum
from mathcheck.outcome import CheckContext, Outcome

SECTION = "errata"


def evidence_outcome(evidence: Ref, ctx: CheckContext) -> Outcome:
    """An evidence function's result as a check's outcome: "passed" when the computation
    reproduces the erratum, "failed" when not; the evidence itself in `extra`."""
    found = resolve(evidence)(ctx)
    return Outcome.verdict(found["reproduced"], found["summary"], extra={"evidence": found})


def _entry(erratum: Erratum) -> Entry:
    """The erratum as an entry of one `Check` claim, which runs its evidence."""
    return Entry(
        id=erratum.id,
        section=Section(erratum.section, SECTION, "Errata"),
        title=erratum.stated,
        used_in=f"an erratum of {erratum.entry}",
        symbolic=None,
        numpy=None,
        torch=None,
        domain=None,
        claims=(Check("evidence", partial(evidence_outcome, erratum.evidence)),),
        no_numeric_reason="an erratum: its evidence is a custom check",
    )


def _row(erratum: Erratum, result: Result) -> dict[str, Any]:
    found = result.extra.get("evidence")
    if found is None:  # raised, timed out or lost its worker: the engine says which, in a line
        reason = result.detail.splitlines()[0] if result.detail else result.status
        status, found = "error", {"summary": reason, "values": {}}
    else:
        status = "reproduced" if found["reproduced"] else "not reproduced"
    return {
        "id": erratum.id,
        "entry_id": erratum.entry,
        "section": erratum.section,
        "kind": erratum.kind,
        "stated": erratum.stated,
        "computed": erratum.computed,
        "convention": erratum.convention,
        "status": status,
        "evidence": found["summary"],
        "values": found["values"],
        "seconds": round(result.seconds, 3),
    }


def collect(
    options: RunOptions | None = None,
    *,
    errata: tuple[Erratum, ...] = ERRATA,
    jobs: int | str | None = 1,
) -> list[dict[str, Any]]:
    """Every erratum with its evidence evaluated, in order: one row each.

    status: "reproduced" (the computation shows the erratum), "not reproduced", or "error"
    (the evidence raised, ran past `options.time_budget` or its worker died; the reason is
    in `evidence`). `options` give the seed, effort and time budget (the defaults: seed 0);
    `jobs` as for `verify_entries` (1: in this process, each under the time budget).
    """
    options = options or RunOptions()
    results = verify_entries([_entry(e) for e in errata], options, jobs=jobs)
    return [_row(e, r) for e, r in zip(errata, results, strict=True)]


__all__ = ["collect", "evidence_outcome"]
