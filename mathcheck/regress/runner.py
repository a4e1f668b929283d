"""Running regression jobs (command-line targets, pyproject targets, packs) and reporting.

Every job runs in the worker process (`_worker`): a target's module is imported there, never
here, so a module that exits, crashes or hangs at import is a verdict, not the end of the
run. The run has two phases: first every target is imported and its adapter built, then the
checks. A target that cannot be checked as written (unimportable, not callable, an unknown
formula, a bad adapter) is its own row, "not checked" with "usage error: ...", and the other
targets are still checked; the command then exits 2.

Packs come from the entry-point group `mathcheck.packs` (name → a module with
`unavailable() -> str | None` and `jobs() -> list[Job]`), so another package can ship its
own; `PACKS` holds the built-ins for an install whose metadata predates the group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from mathcheck.errors import EXIT_USAGE, InvalidInputError, MathcheckError
from mathcheck.regress._targets import Target

#: The built-in packs, also registered in the `mathcheck.packs` entry-point group.
PACKS = {
    "torch": "mathcheck.regress.packs.torch_pack",
    "transformers": "mathcheck.regress.packs.transformers_pack",
    "jax": "mathcheck.regress.packs.jax_pack",
    "scipy": "mathcheck.regress.packs.scipy_pack",
}
PACK_GROUP = "mathcheck.packs"
#: The note of a row whose target could not be checked as written (exit code 2).
USAGE = "usage error: "


@dataclass(frozen=True)
class Job:
    """One row of a verdict table: a name, a formula, and how to produce its CheckResult."""

    name: str
    formula: str
    run: Callable[[dict[str, Any]], Any]  # options -> CheckResult (called in the worker)
    note: str = ""
    expect: str = "pass"  # "pass", "fail" (a recorded finding) or the variant's name
    options: dict[str, Any] = field(default_factory=dict)
    target: Target | None = None  # for command-line and pyproject targets
    pack: tuple[str, int] | None = None  # (pack name, index) for pack jobs


def _target_options(target: Target, options: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in options.items() if v is not None}
    return {**merged, **target.check_options()}


def run_target(target: Target, options: dict[str, Any]) -> Any:
    """In the worker: import the target, build its adapter, check it (in-process there)."""
    from mathcheck.regress._api import check

    impl, adapter = load_target(target)
    return check(target.formula, impl, adapter=adapter, isolate=False,
                 **_target_options(target, options))


def load_target(target: Target) -> tuple[Any, Any]:
    """In the worker: the callable (or class) and its adapter; problems are usage errors."""
    impl = target.load()
    return impl, target.make_adapter(impl)


def _touch_target(target: Target) -> None:
    load_target(target)


def job_from_target(target: Target) -> Job:
    return Job(target.target, target.formula, lambda options: run_target(target, options),
               target=target)


#: The run options `plan_check` validates (the rest are the worker's business).
PLANNED = ("backend", "dtypes", "devices", "seed", "examples", "inputs", "time_budget",
           "skip_missing_devices", "sizes", "params", "ranges")


def validate(formula: str, options: dict[str, Any]) -> None:
    """Here, before anything runs: unknown ids, dtypes, devices, claims (exit code 2)."""
    from mathcheck.regress._api import plan_check

    plan_check(formula, **{k: v for k, v in options.items() if k in PLANNED and v is not None})


def validate_target(target: Target, options: dict[str, Any]) -> None:
    validate(target.formula, _target_options(target, options))


def pack_names() -> list[str]:
    """Every pack: the entry-point group's and the built-ins, sorted."""
    return sorted({*PACKS, *(ep.name for ep in entry_points(group=PACK_GROUP))})


def pack_module(name: str) -> ModuleType:
    """The pack's module; an unknown name is a usage error listing the known ones, a module
    that cannot be imported raises ImportError (or what it raised) for the caller to report."""
    found = [ep for ep in entry_points(group=PACK_GROUP) if ep.name == name]
    if found:
        return found[0].load()
    if name in PACKS:
        return import_module(PACKS[name])
    raise InvalidInputError(f"unknown pack {name!r}; known packs: {', '.join(pack_names())}")


def pack_unavailable(name: str) -> str | None:
    """Why the pack cannot run here (its module or its library is missing), or None."""
    try:
        module = pack_module(name)
    except InvalidInputError:
        raise
    except Exception as exc:  # the pack's own import failed
        return f"its module cannot be imported ({type(exc).__name__}: {exc})"
    return module.unavailable() or None


def pack_jobs(name: str) -> list[Job] | None:
    """The pack's jobs, tagged with (pack, index) so the worker rebuilds them; None when
    the pack is unavailable here (`pack_unavailable` says why)."""
    if pack_unavailable(name) is not None:
        return None
    return [
        dataclasses.replace(job, pack=(name, i))
        for i, job in enumerate(pack_module(name).jobs())
    ]


def unavailable_row(name: str, why: str) -> dict[str, Any]:
    """The one row of a pack that cannot run: never a pass."""
    job = Job(f"pack {name}", "-", lambda options: None)
    return _row(job, "not checked", {}, None, why, None)


def usage_row(name: str, formula: str, message: str) -> dict[str, Any]:
    """A target that could not be checked as written: its own row; the others still run."""
    return _row(Job(name, formula, lambda options: None), "not checked", {}, None,
                USAGE + message, None)


def is_usage_row(row: dict[str, Any]) -> bool:
    return row["verdict"] == "not checked" and str(row.get("note", "")).startswith(USAGE)


def outcome(row: dict[str, Any]) -> str:
    """What `Job.expect` records: the verdict, or the variant's name for a variant."""
    return str(row.get("variant")) if row["verdict"] == "variant" else row["verdict"]


@cache
def _pack_jobs_here(name: str) -> list[Job]:
    return pack_module(name).jobs()


def run_pack_job(name: str, index: int, options: dict[str, Any]) -> Any:
    """In the worker: the pack's job `index`, built there (its closures never travel)."""
    return _pack_jobs_here(name)[index].run(options)


def run_jobs(
    jobs: list[Job],
    defaults: dict[str, Any],
    console: Any,
    *,
    time_budget: float = 30.0,
    target_budget: float | None = None,
    between: Callable[[], None] = lambda: None,
) -> tuple[list[dict[str, Any]], bool]:
    """Rows for `jobs`, each run in the worker; (rows, interrupted). Ctrl-C stops the run
    between or inside jobs (the worker is killed) and returns the rows so far."""
    from mathcheck.regress import _worker
    from mathcheck.regress._api import from_reply

    worker = _worker.shared()
    total = target_budget or 20 * time_budget
    rows: list[dict[str, Any]] = []
    try:
        with console.status("") as status:
            for job in jobs:
                between()  # raises KeyboardInterrupt when Ctrl-C was pressed
                status.update(f"regress {job.name} → {job.formula}")
                options = {**{k: v for k, v in defaults.items() if v is not None}, **job.options}
                if job.target is not None:
                    payload = _worker.pack(run_target, job.target, options)
                elif job.pack is not None:
                    payload = _worker.pack(run_pack_job, *job.pack, options)
                else:
                    payload = _worker.pack(job.run, options)
                reply = worker.call(payload, check_budget=time_budget, total_budget=total)
                try:
                    result = from_reply(job.formula, reply)
                except MathcheckError as exc:  # an adapter error, say: not the code's verdict
                    prefix = USAGE if exc.exit_code == EXIT_USAGE else "error: "
                    rows.append(_row(job, "not checked", {}, None, f"{prefix}{exc}", None))
                    continue
                rows.append(_result_row(job, result))
    except KeyboardInterrupt:
        worker.close()
        return rows, True
    return rows, False


def import_targets(jobs: list[Job], time_budget: float) -> dict[int, dict[str, Any]]:
    """Import every target in the worker first: {index in `jobs`: the row of a target that
    cannot be checked} — a usage error (not checked), or a module that hung or crashed."""
    from mathcheck.regress import _worker

    worker = _worker.shared()
    rows: dict[int, dict[str, Any]] = {}
    for i, job in enumerate(jobs):
        if job.target is None:
            continue
        payload = _worker.pack(_touch_target, job.target)
        reply = worker.call(payload, check_budget=time_budget, total_budget=time_budget)
        if reply.status == "error" and reply.exit_code == EXIT_USAGE:
            rows[i] = _row(job, "not checked", {}, None, USAGE + reply.message, None)
        elif reply.status == "error":
            rows[i] = _row(job, "not checked", {}, None, f"error: {reply.message}", None)
        elif reply.status == "raised":  # a bug of ours in the worker, or a hostile import
            rows[i] = _row(job, "crashed", {}, None, f"at import: {reply.message}", None)
        elif reply.status != "ok":
            verdict = "timeout" if reply.status == "timeout" else "crashed"
            rows[i] = _row(job, verdict, {}, None, f"at import: {reply.message}", None)
    return rows


def _result_row(job: Job, result: Any) -> dict[str, Any]:
    note = job.note
    if result.verdict == "variant":
        note = (note + "; " if note else "") + _variant_note(result)
    elif result.verdict != "pass":
        note = (note + "; " if note else "") + result.reason
    if result.warnings:
        note += f"{'; ' if note else ''}{result.warnings} warnings ({result.first_warning})"
    row = _row(job, result.verdict, result.worst_ulp, result.variant, note, result)
    row["warnings"] = result.warnings
    # a variant the target's allow_variants names is accepted, --strict included
    row["allowed"] = bool(job.target and result.variant in job.target.allow_variants)
    row["per_dtype"] = dict(getattr(result, "per_dtype", {}) or {})
    row["findings"] = [str(f) for f in getattr(result, "findings", ())]
    return row


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
    rows: list[dict[str, Any]],
    json_path: str | None,
    junit_path: str | None,
    *,
    incomplete: str | None = None,
    strict: bool = False,
) -> None:
    """The --json and --junit reports, through the writer `verify` uses (strict JSON, Jenkins
    JUnit XML). `incomplete` (a reason, e.g. "interrupted") marks them as partial; `strict`
    makes a known variant a JUnit failure, as it is for the exit code. JUnit: pass is a passed
    case, fail (and a --strict variant) a <failure>, any verdict that is not a verdict on the
    code's mathematics (not checked, timeout, crashed) an <error> typed by that verdict."""
    from dataclasses import replace

    from mathcheck.crosscheck import JUnitCase, write_json, write_junit

    if json_path:
        write_json(
            json_path,
            {"schema": "mathcheck-regress/1", "targets": rows},
            incomplete=incomplete,
            option="--json",
        )
    if junit_path:
        cases = []
        for r in rows:
            verdict, note = str(r.get("verdict")), str(r.get("note") or "")
            case = JUnitCase(classname=str(r.get("formula")), name=str(r.get("name")))
            body = f"{note}\n{r.get('counterexample') or ''}".rstrip("\n")
            if verdict == "fail" or (strict and verdict == "variant" and not r.get("allowed")):
                kind = "variant" if verdict == "variant" else "mismatch"
                case = replace(case, outcome="failure", message=note, type=kind, text=body)
            elif verdict not in ("pass", "variant"):
                kind = verdict.replace(" ", "-")
                case = replace(case, outcome="error", message=note, type=kind, text=body)
            if verdict == "variant":
                case = replace(case, stdout=f"variant {r.get('variant')}: {note}")
            cases.append(case)
        write_junit(
            junit_path,
            {"mathcheck-regress": cases},
            name="mathcheck-regress",
            incomplete=incomplete,
            option="--junit",
        )
