"""Reporters: the per-section table (rich), the JSON report and JUnit XML.

JSON schema (version 1):
    {"schema": "mathcheck-report/1",
     "environment": {"python", "platform", "sympy", "numpy", "torch", "mpmath", "hypothesis",
                     "cuda" (version or null), "gpu" (name or null), "date" (ISO 8601, UTC),
                     "seed", "examples"},
     "summary": {"proven", "confirmed", "passed", "failed", "skipped", "error", "checks",
                 "entries", "seconds"},
     "results": [ {entry_id, section, claim, kind, backend, dtype, device,
                   status: proven|confirmed|passed|failed|skipped|error,
                   error: worst error (number, or "inf"/"nan") in `unit`,
                   budget: the allowed error in `unit`, unit: "ulp"|"eps"|"relative"|...,
                   budget_note: how the budget was derived, worst_input: a reproduction
                   snippet, detail, seconds, extra} ... ],
     "errata": [...]  (when requested)}
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mathcheck.crosscheck._results import Result, RunOptions

SCHEMA = "mathcheck-report/1"
STATUSES = ("proven", "confirmed", "passed", "failed", "skipped", "error")


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


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str, allow_nan=False) + "\n")


def write_junit(path: Path, results: Sequence[Result]) -> None:
    """One <testsuite> per section, one <testcase> per result."""
    by_section: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_section[r.section].append(r)
    root = ET.Element("testsuites", name="mathcheck")
    for section, rs in by_section.items():
        counts = Counter(r.status for r in rs)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=section,
            tests=str(len(rs)),
            failures=str(counts.get("failed", 0)),
            errors=str(counts.get("error", 0)),
            skipped=str(counts.get("skipped", 0)),
            time=f"{sum(r.seconds for r in rs):.3f}",
        )
        for r in rs:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{section}.{r.entry_id}",
                name=f"{r.claim}[{r.backend}-{r.dtype}-{r.device}]",
                time=f"{r.seconds:.3f}",
            )
            if r.status == "failed":
                failure = ET.SubElement(case, "failure", message=r.detail[:500])
                failure.text = f"{r.detail}\n\nreproduce:\n{r.worst_input or ''}"
            elif r.status == "error":
                ET.SubElement(case, "error", message=r.detail[:500]).text = r.detail
            elif r.status == "skipped":
                ET.SubElement(case, "skipped", message=r.detail)
            else:
                ET.SubElement(case, "system-out").text = f"{r.status}: {r.detail}"
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


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
                "entries": set(),
            },
        )
        row[r.status] += 1
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
    table.add_column("worst ulp", justify="right")
    for row in section_rows(results):
        table.add_row(
            row["section"],
            str(row["entries"]),
            str(row["proven"]),
            str(row["confirmed"]),
            str(row["passed"]),
            str(row["failed"] + row["error"]),
            str(row["skipped"]),
            f"{row['worst_ulp']:.3g}",
        )
    return table
