"""Running regression jobs (command-line targets, pyproject targets, packs) and reporting."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from mathcheck.errors import MathcheckError
from mathcheck.regress._targets import Target

PACKS = {
    "torch": "mathcheck.regress.packs.torch_pack",
    "transformers": "mathcheck.regress.packs.transformers_pack",
}


@dataclass(frozen=True)
class Job:
    """One row of a verdict table: a name, a formula, and how to produce its CheckResult."""

    name: str
    formula: str
    run: Callable[[dict[str, Any]], Any]  # options -> CheckResult
    note: str = ""
    expect: str = "pass"  # "pass" or the variant name a pack knows it to be
    options: dict[str, Any] = field(default_factory=dict)


def job_from_target(target: Target) -> Job:
    from mathcheck.formulas import get
    from mathcheck.regress._api import check

    get(target.formula)  # an unknown id is bad usage (exit 2), not a failed check
    impl = target.load()  # import errors surface here too, before any check runs
    adapter = target.make_adapter()

    def run(options: dict[str, Any]) -> Any:
        merged = {k: v for k, v in options.items() if v is not None}
        if target.dtypes:
            merged["dtypes"] = target.dtypes
        if target.devices:
            merged["devices"] = target.devices
        return check(target.formula, impl, adapter=adapter, backend=target.backend, **merged)

    return Job(target.target, target.formula, run)


def pack_unavailable(name: str) -> str:
    module = import_module(PACKS[name])
    return module.unavailable() or ""


def pack_jobs(name: str) -> list[Job] | None:
    module = import_module(PACKS[name])
    if module.unavailable():
        return None
    return module.jobs()


def run_jobs(jobs: list[Job], defaults: dict[str, Any], console: Any) -> list[dict[str, Any]]:
    rows = []
    with console.status("") as status:
        for job in jobs:
            status.update(f"regress {job.name} → {job.formula}")
            options = {**{k: v for k, v in defaults.items() if v is not None}, **job.options}
            try:
                result = job.run(options)
            except MathcheckError as exc:
                rows.append(_row(job, "fail", {}, None, f"error: {exc}", None))
                continue
            note = job.note
            if result.verdict == "variant":
                note = (note + "; " if note else "") + _variant_note(result)
            elif result.verdict == "fail":
                note = (note + "; " if note else "") + result.reason
            rows.append(_row(job, result.verdict, result.worst_ulp, result.variant, note, result))
    return rows


def _variant_note(result: Any) -> str:
    misses = "; ".join(f"{k}: {v}" for k, v in result.variant_misses.items())
    return f"misses canonical ({result.reason[:80]}); {misses}"


def _row(
    job: Job, verdict: str, worst: dict[str, Any], variant: str | None, note: str, result: Any
) -> dict[str, Any]:
    return {
        "name": job.name,
        "formula": job.formula,
        "verdict": verdict,
        "variant": variant,
        "worst_ulp": worst,
        "note": note,
        "expected": job.expect,
        "counterexample": getattr(result, "counterexample", None),
    }


def write_reports(
    rows: list[dict[str, Any]], json_path: str | None, junit_path: str | None
) -> None:
    if json_path:
        Path(json_path).write_text(
            json.dumps({"schema": "mathcheck-regress/1", "targets": rows}, indent=2, default=str)
            + "\n"
        )
    if junit_path:
        import xml.etree.ElementTree as ET

        suite = ET.Element(
            "testsuite",
            name="mathcheck-regress",
            tests=str(len(rows)),
            failures=str(sum(r["verdict"] == "fail" for r in rows)),
        )
        for r in rows:
            case = ET.SubElement(suite, "testcase", classname=r["formula"], name=r["name"])
            if r["verdict"] == "fail":
                ET.SubElement(
                    case, "failure", message=r["note"][:500]
                ).text = f"{r['note']}\n{r.get('counterexample') or ''}"
            elif r["verdict"] == "variant":
                ET.SubElement(case, "system-out").text = f"variant {r['variant']}: {r['note']}"
        ET.ElementTree(suite).write(junit_path, encoding="utf-8", xml_declaration=True)
