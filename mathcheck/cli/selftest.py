"""`mathcheck selftest`: mutation testing of the catalog's own numeric forms.

How much of a plausible bug does `verify` notice? Each form is mutated (a constant nudged, an
operator swapped, a max shift dropped…), each mutant is run through the entry's numeric claims,
and the kill rate is reported with every survivor's diff.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from mathcheck.cli._render import Interrupt, check_outputs, console
from mathcheck.crosscheck import PROFILES
from mathcheck.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from mathcheck.formulas import BACKENDS, select

SCHEMA = "mathcheck-selftest/1"


@click.command()
@click.option("--section", "sections", multiple=True, help="Section number or name (repeatable).")
@click.option(
    "--formula", "formulas", multiple=True, help="Formula id, or a prefix ending in * (repeatable)."
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="Run this many mutants, picked by a seeded, stable choice over all selected entries.",
)
@click.option("--list", "list_only", is_flag=True, help="List the selected mutants; run nothing.")
@click.option("--dtype", "dtypes", multiple=True, help="fp64, fp32, fp16, bf16 (default all).")
@click.option(
    "--device", "devices", multiple=True, type=click.Choice(["cpu", "cuda"]),
    help="Default: cpu (a mutant is the same code on every device).",
)  # fmt: skip
@click.option(
    "--backend", "backends", multiple=True, type=click.Choice(list(BACKENDS)),
    help="Mutate these backends' forms (default: numpy and torch).",
)  # fmt: skip
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
    help="Seeds the choice of --limit mutants and the checks' Hypothesis runs.",
)  # fmt: skip
@click.option("--profile", type=click.Choice(list(PROFILES)), default="ci", show_default=True)
@click.option("--examples", type=click.IntRange(1), default=None, help="Examples per check.")
@click.option(
    "--time-budget", type=click.FloatRange(0.1, 86400), default=None,
    help="Seconds per check; a mutant whose check runs past it is killed (and says so).",
)  # fmt: skip
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write all results.")
@click.option(
    "--fail-under", type=click.FloatRange(0), default=None, metavar="RATE",
    help="Exit 1 when the kill rate excluding equivalents is below RATE (0 to 1).",
)  # fmt: skip
def selftest(
    sections: tuple[str, ...],
    formulas: tuple[str, ...],
    limit: int | None,
    list_only: bool,
    dtypes: tuple[str, ...],
    devices: tuple[str, ...],
    backends: tuple[str, ...],
    seed: int,
    profile: str,
    examples: int | None,
    time_budget: float | None,
    json_path: str | None,
    fail_under: float | None,
) -> None:
    """Mutate the catalog's NumPy and Torch forms and report how many mutants the checks kill.
    Exit 0, or 1 when --fail-under is not met or no mutant was counted; 2 on bad usage."""
    from mathcheck.cli._options import build_options
    from mathcheck.selftest import generate, run_mutants
    from mathcheck.selftest import select as pick
    from mathcheck.selftest.equivalent import EQUIVALENT

    check_outputs(json_path, None)
    entries = select(sections, formulas)
    options = build_options(dtypes, devices or ("cpu",), backends, seed, profile, examples,
                            time_budget)
    mutants = pick(generate(entries, options.backends), limit, seed)
    if list_only:
        for m in mutants:
            console.print(f"{m.id}  {m.description}", markup=False, soft_wrap=True)
        console.print(f"{len(mutants)} mutants", markup=False)
        raise SystemExit(EXIT_OK)
    start = time.perf_counter()
    done: list[Any] = []
    interrupt = Interrupt()

    def record(mutant: Any, result: Any) -> None:
        if result is not None:
            done.append(result)
        interrupt.check()

    mutated = len({m.entry_id for m in mutants})
    meta = {"limit": limit, "seed": seed, "profile": profile,
            "selected": len(mutants), "entries": mutated}
    try:
        with interrupt:
            results = _with_progress(len(mutants), lambda update: run_mutants(
                mutants, options, EQUIVALENT, _chain(record, update)))
    except KeyboardInterrupt:
        if json_path:
            _write(json_path, done, options, meta, "interrupted")
        console.print(f"interrupted after {len(done)} of {len(mutants)} mutants", markup=False)
        raise SystemExit(EXIT_INTERRUPTED) from None
    wall = time.perf_counter() - start
    summary = _report(results)
    if json_path:
        _write(json_path, results, options, {**meta, "wall_seconds": round(wall, 3)}, None)
    total = summary["total"]
    console.print(
        f"{total['mutants']} mutants of {mutated} entries in {wall:.1f} s: "
        f"{total['killed']} killed ({total['timed_out']} by a timeout), "
        f"{total['survived']} survived ({total['equivalent']} judged equivalent), "
        f"{total['invalid']} invalid; kill rate {_pct(total['kill_rate'])}, "
        f"{_pct(total['kill_rate_non_equivalent'])} excluding equivalents "
        f"(seed {seed}, {options.examples} examples per check)",
        markup=False,
    )
    rate = total["kill_rate_non_equivalent"]
    if rate is None:
        console.print("not checked: no mutant was counted", style="yellow")
        raise SystemExit(EXIT_FAILED)
    if fail_under is not None and rate < fail_under:
        console.print(f"kill rate {_pct(rate)} is below --fail-under {fail_under:g}", style="red")
        raise SystemExit(EXIT_FAILED)
    raise SystemExit(EXIT_OK)


def _chain(*callbacks: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def call(mutant: Any, result: Any) -> None:
        for callback in callbacks:
            callback(mutant, result)

    return call


def _with_progress(total: int, run: Callable[[Callable[[Any, Any], None]], Any]) -> Any:
    from mathcheck.cli._render import progress_bar

    with progress_bar() as bar:
        bar.columns[0].text_format = "[bold]selftest"  # type: ignore[attr-defined]
        task_id = bar.add_task("", total=total)

        def update(mutant: Any, result: Any) -> None:
            if result is None:
                bar.update(task_id, description=mutant.id)
            else:
                bar.advance(task_id)

        return run(update)


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def _report(results: Sequence[Any]) -> dict[str, Any]:
    """The table, then every survivor (id, description, diff); returns the summary."""
    from rich.table import Table
    from rich.text import Text

    from mathcheck.selftest import summarize

    summary = summarize(results)
    total = summary["total"]
    table = Table(title="mathcheck selftest", show_footer=True)
    columns = ("mutants", "killed", "survived", "equivalent", "invalid")
    table.add_column("section", footer="total")
    for name, style in zip(columns, ("", "green", "red", "cyan", "yellow"), strict=True):
        table.add_column(name, justify="right", style=style or None, footer=str(total[name]))
    table.add_column("kill rate", justify="right", footer=_pct(total["kill_rate"]))
    table.add_column("excl. equiv.", justify="right",
                     footer=_pct(total["kill_rate_non_equivalent"]))
    for section, row in summary["sections"].items():
        table.add_row(section, *(str(row[c]) for c in columns), _pct(row["kill_rate"]),
                      _pct(row["kill_rate_non_equivalent"]))
    console.print(table)
    survivors = [r for r in results if r.status == "survived"]
    survivors.sort(key=lambda r: r.equivalent is not None)  # the real gaps first
    for r in survivors:
        label = ("EQUIVALENT", "cyan") if r.equivalent else ("SURVIVED", "red")
        console.print(Text.assemble(label, " ", r.mutant.id), soft_wrap=True)
        console.print(Text(f"  {r.mutant.description}"), soft_wrap=True)
        if r.equivalent:
            console.print(Text(f"  judged equivalent: {r.equivalent}"), soft_wrap=True)
        for line in r.mutant.diff.splitlines():
            console.print(Text(f"    {line}"), soft_wrap=True)
    for mutant_id in summary["killed_but_listed_equivalent"]:
        console.print(Text(f"stale: {mutant_id} is listed as equivalent but was killed",
                           style="yellow"), soft_wrap=True)
    return summary


def _write(
    path: str, results: Sequence[Any], options: Any, meta: dict[str, Any], incomplete: str | None
) -> None:
    from mathcheck.crosscheck import report, write_json
    from mathcheck.selftest import summarize

    document = {
        "schema": SCHEMA,
        "environment": report.environment(options),
        "options": {**meta, "backends": list(options.backends), "dtypes": list(options.dtypes),
                    "devices": list(options.devices), "examples": options.examples,
                    "time_budget": options.time_budget},
        "summary": summarize(results),
        "mutants": [r.to_dict() for r in results],
    }
    write_json(Path(path), document, incomplete=incomplete, option="--json")
    console.print(f"JSON report: {path}", markup=False)
