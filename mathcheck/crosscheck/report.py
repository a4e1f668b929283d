"""Reporters: the per-section table (rich), the JSON report and JUnit XML.

Both files are written by the one writer shared with `mathcheck regress`
(`mathcheck.crosscheck._writer`); this module builds what goes into them.

JSON schema (version 1):
    {"schema": "mathcheck-report/1",
     "complete": true, or false for a partial report (e.g. an interrupted run),
     "incomplete_reason": null, or why the report is partial (e.g. "interrupted"),
     "environment": {"python", "platform", "sympy", "numpy", "torch", "mpmath", "hypothesis",
                     "cuda" (version or null), "gpu" (name or null), "date" (ISO 8601, UTC),
                     "seed", "examples", "inputs", "profile" (the named effort the options
                     match, else "custom")},
     "summary": {"proven", "confirmed", "passed", "failed", "skipped", "error", "checks",
                 "entries", "seconds"},
     "results": [ {entry_id, section, claim, kind, backend, dtype, device,
                   status: proven|confirmed|passed|failed|skipped|error,
                   error: worst error (number, or "inf"/"-inf"/"nan") in `unit`,
                   budget: the allowed error in `unit`, unit: "ulp"|"eps"|"relative"|...,
                   budget_note: how the budget was derived, worst_input: a reproduction
                   snippet, detail, seconds, extra} ... ],
     "errata": [...]  (when requested)}

The file is strict JSON (RFC 8259; written with `allow_nan=False`): it never contains NaN,
Infinity or -Infinity. Everywhere in the document — `error`, `budget`, the values inside
`extra` and `errata`, nested lists and dicts — a non-finite number (Python float, NumPy scalar
or array element, Torch scalar) is written as the string "nan", "inf" or "-inf", which
`float()` reads back. NumPy arrays and tensors become (nested) lists, tuples and sets lists,
non-string dict keys strings, and any other value that JSON cannot hold `str(value)`.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mathcheck.crosscheck import _writer
from mathcheck.crosscheck._results import PROFILES, Result, RunOptions

SCHEMA = "mathcheck-report/1"
STATUSES = ("proven", "confirmed", "passed", "failed", "skipped", "error")


def profile_name(options: RunOptions) -> str:
    """The named effort (`PROFILES`) whose settings the options carry, else "custom"."""
    defaults = RunOptions()
    for name, effort in PROFILES.items():
        wanted = {**{k: getattr(defaults, k) for k in ("time_budget", "symbolic_budget")},
                  **effort}
        if all(getattr(options, key) == value for key, value in wanted.items()):
            return name
    return "custom"


def environment(options: RunOptions) -> dict[str, Any]:
    import hypothesis
    import mpmath
    import numpy
    import sympy
    import torch

    cuda = torch.version.cuda if torch.cuda.is_available() else None
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "sympy": sympy.__version__,
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "mpmath": mpmath.__version__,
        "hypothesis": hypothesis.__version__,
        "cuda": cuda,
        "gpu": gpu,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": options.seed,
        "examples": options.examples,
        "inputs": options.inputs,
        "profile": profile_name(options),
    }


def summary(results: Sequence[Result]) -> dict[str, Any]:
    counts = Counter(r.status for r in results)
    return {
        **{s: counts.get(s, 0) for s in STATUSES},
        "checks": len(results),
        "entries": len({r.entry_id for r in results}),
        "seconds": round(sum(r.seconds for r in results), 3),
    }


def to_json_dict(
    results: Sequence[Result], options: RunOptions, errata: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "environment": environment(options),
        "summary": summary(results),
        "results": [r.to_dict() for r in results],
    }
    if errata is not None:
        report["errata"] = errata
    return report


def write_json(path: Path, report: dict[str, Any], *, incomplete: str | None = None) -> None:
    """Write `report` (from `to_json_dict`) as strict JSON; see the module docstring."""
    _writer.write_json(path, report, incomplete=incomplete, option="--json")


def junit_suites(results: Sequence[Result]) -> dict[str, list[_writer.Case]]:
    """One suite per section, one case per result."""
    suites: dict[str, list[_writer.Case]] = defaultdict(list)
    for r in results:
        case = _writer.Case(
            classname=f"{r.section}.{r.entry_id}",
            name=f"{r.claim}[{r.backend}-{r.dtype}-{r.device}]",
            time=r.seconds,
        )
        if r.status == "failed":
            budget = f"\n\nbudget: {r.budget_note}" if r.budget_note else ""
            case = replace(
                case,
                outcome="failure",
                message=r.detail,
                type=r.kind,
                text=f"{r.detail}{budget}\n\nreproduce:\n{r.worst_input or ''}",
            )
        elif r.status == "error":
            case = replace(case, outcome="error", message=r.detail, type=r.kind, text=r.detail)
        elif r.status == "skipped":
            case = replace(case, outcome="skipped", message=r.detail)
        else:
            case = replace(case, stdout=f"{r.status}: {r.detail}")
        suites[r.section].append(case)
    return dict(suites)


def write_junit(path: Path, results: Sequence[Result], *, incomplete: str | None = None) -> None:
    """One <testsuite> per section, one <testcase> per result (Jenkins/Surefire JUnit XML)."""
    _writer.write_junit(
        path, junit_suites(results), name="mathcheck", incomplete=incomplete, option="--junit"
    )


def section_rows(results: Iterable[Result]) -> list[dict[str, Any]]:
    """Per section: counts by status and the worst agreement error in ulps."""
    rows: dict[str, dict[str, Any]] = {}
    for r in results:
        row = rows.setdefault(
            r.section,
            {
                "section": r.section,
                **dict.fromkeys(STATUSES, 0),
                "worst_ulp": 0.0,
                "inputs": 0,
                "exhaustive": 0,
                "entries": set(),
            },
        )
        row[r.status] += 1
        row["inputs"] += int(r.extra.get("inputs", 0))
        row["exhaustive"] += r.extra.get("search") == "exhaustive"
        row["entries"].add(r.entry_id)
        if r.unit == "ulp" and isinstance(r.error, (int, float)) and r.status != "skipped":
            row["worst_ulp"] = max(row["worst_ulp"], float(r.error))
    for row in rows.values():
        row["entries"] = len(row["entries"])
    return list(rows.values())


def render_table(results: Sequence[Result]) -> Any:
    """A rich Table: one row per section and a total."""
    from rich.table import Table

    table = Table(title="mathcheck verify", show_footer=True)
    totals = summary(results)
    totals["failed"] += totals["error"]  # "failed" counts errors (timeouts) too, as per row
    table.add_column("section", footer="total")
    table.add_column("entries", justify="right", footer=str(totals["entries"]))
    for status, style in (
        ("proven", "green"),
        ("confirmed", "cyan"),
        ("passed", "green"),
        ("failed", "red"),
        ("skipped", "yellow"),
    ):
        table.add_column(status, justify="right", style=style, footer=str(totals[status]))
    rows = section_rows(results)
    table.add_column("inputs", justify="right", footer=f"{sum(r['inputs'] for r in rows):,}")
    table.add_column("exhaustive", justify="right",
                     footer=str(sum(r["exhaustive"] for r in rows)))
    table.add_column("worst ulp", justify="right")
    for row in rows:
        table.add_row(
            row["section"],
            str(row["entries"]),
            str(row["proven"]),
            str(row["confirmed"]),
            str(row["passed"]),
            str(row["failed"] + row["error"]),
            str(row["skipped"]),
            f"{row['inputs']:,}",
            str(row["exhaustive"]),
            f"{row['worst_ulp']:.3g}",
        )
    return table
