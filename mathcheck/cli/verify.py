"""`mathcheck verify`: run the catalog's claims and report."""

from __future__ import annotations

import time

import click

from mathcheck.cli._options import build_options, run_options
from mathcheck.cli._render import console, print_failures, run_with_progress, write_reports
from mathcheck.errors import EXIT_FAILED, EXIT_OK
from mathcheck.formulas import select


@click.command()
@click.option("--section", "sections", multiple=True, help="Section number or name (repeatable).")
@click.option(
    "--formula", "formulas", multiple=True, help="Formula id, or a prefix ending in * (repeatable)."
)
@click.option(
    "--errata/--no-errata", "with_errata", default=False, help="Add the errata to the JSON report."
)
@run_options
def verify(
    sections: tuple[str, ...],
    formulas: tuple[str, ...],
    with_errata: bool,
    dtypes: tuple[str, ...],
    devices: tuple[str, ...],
    backends: tuple[str, ...],
    seed: int,
    profile: str,
    examples: int | None,
    time_budget: float | None,
    json_path: str | None,
    junit_path: str | None,
) -> None:
    """Cross-check every selected entry: symbolic proofs, numeric agreement with the oracle on
    every dtype and device, gradients and properties. Exit 1 if any check fails."""
    from mathcheck.crosscheck import count_tasks, report, verify_entries

    entries = select(sections, formulas)
    options = build_options(dtypes, devices, backends, seed, profile, examples, time_budget)
    start = time.perf_counter()
    total = count_tasks(entries, options)
    results = run_with_progress(total, lambda update: verify_entries(entries, options, update))
    wall = time.perf_counter() - start
    console.print(report.render_table(results))
    print_failures(results)
    errata = None
    if with_errata:
        from mathcheck.numeric.checks.errata import collect

        errata = collect()
    write_reports(results, options, json_path, junit_path, errata)
    totals = report.summary(results)
    failed = totals["failed"] + totals["error"]
    console.print(
        f"{len(entries)} entries, {len(results)} checks in {wall:.1f} s: "
        f"{totals['proven']} proven, {totals['confirmed']} confirmed, "
        f"{totals['passed']} passed, {failed} failed, {totals['skipped']} skipped "
        f"(seed {options.seed}, {options.examples} examples per check)"
    )
    raise SystemExit(EXIT_FAILED if failed else EXIT_OK)
