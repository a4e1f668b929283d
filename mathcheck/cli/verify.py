"""`mathcheck verify`: run the catalog's claims and report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import click

from mathcheck.cli._options import (
    address_option,
    build_options,
    cache_option,
    jobs_option,
    run_options,
)
from mathcheck.cli._render import (
    Interrupt,
    check_outputs,
    console,
    print_failures,
    run_with_progress,
    write_reports,
)
from mathcheck.crosscheck import Result
from mathcheck.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
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
@jobs_option
@address_option
@cache_option
def verify(
    sections: tuple[str, ...],
    formulas: tuple[str, ...],
    with_errata: bool,
    dtypes: tuple[str, ...],
    devices: tuple[str, ...],
    skip_missing_devices: bool,
    backends: tuple[str, ...],
    seed: int,
    profile: str,
    examples: int | None,
    inputs: int | None,
    time_budget: float | None,
    json_path: str | None,
    junit_path: str | None,
    jobs: str,
    address: str | None,
    use_cache: bool,
) -> None:
    """Cross-check every selected entry: symbolic proofs, numeric agreement with the oracle on
    every dtype and device, gradients and properties. Exit 0 when every check passes, 1 when
    one fails or nothing was checked, 2 on bad usage, 130 when interrupted (the reports then
    hold the checks finished so far and say so)."""
    from mathcheck.crosscheck import (
        Replay,
        count_tasks,
        parse_jobs,
        replay_enabled,
        report,
        verify_entries,
    )

    workers = parse_jobs(jobs)
    if address is not None:
        from mathcheck.crosscheck.cluster import ray_module

        ray_module()  # a missing extra is one line (exit 2) before anything starts
    if not use_cache:  # in the environment, so that the workers see it too
        os.environ["MATHCHECK_NO_CACHE"] = "1"
    check_outputs(json_path, junit_path)
    entries = select(sections, formulas)
    options = build_options(
        dtypes, devices, backends, seed, profile, examples, time_budget, skip_missing_devices,
        inputs,
    )
    start = time.perf_counter()
    done: list[Result] = []
    total = 0
    interrupt = Interrupt()
    replay: Replay | None = None

    def run(update: Callable[[Any, Result | None], None]) -> list[Result]:
        def record(task: Any, result: Result | None) -> None:
            if result is not None:
                done.append(result)
            interrupt.check()
            update(task, result)

        return verify_entries(entries, options, record, jobs=workers, replay=replay,
                              address=address)

    try:
        with interrupt:  # from here on a Ctrl-C writes the (partial) reports
            total = count_tasks(entries, options)
            replay = Replay() if replay_enabled() else None
            results = run_with_progress(total, run)
    except KeyboardInterrupt:
        write_reports(done, options, json_path, junit_path, incomplete="interrupted")
        console.print(
            f"interrupted after {len(done)} of {total} checks; the reports hold those",
            markup=False,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    wall = time.perf_counter() - start
    console.print(report.render_table(results))
    print_failures(results)
    errata = None
    if with_errata:
        from mathcheck.crosscheck.errata import collect

        errata = collect(options, jobs=workers)
    write_reports(results, options, json_path, junit_path, errata)
    totals = report.summary(results)
    failed = totals["failed"] + totals["error"]
    ran = len(results) - totals["skipped"]
    console.print(
        f"{len(entries)} entries, {len(results)} checks in {wall:.1f} s: "
        f"{totals['proven']} proven, {totals['confirmed']} confirmed, "
        f"{totals['passed']} passed, {failed} failed, {totals['skipped']} skipped "
        f"(seed {options.seed}; {options.inputs:,} inputs per agreement check, "
        f"{options.examples} examples per property and gradient)"
    )
    if replay is not None and replay.replayed:
        console.print(
            f"{replay.replayed} of {len(results)} checks replayed: their code, libraries, "
            f"machine and options are unchanged since they passed (--no-cache runs them)",
            markup=False,
        )
    if not ran:
        console.print("not checked: no check ran (every one was skipped)", style="yellow")
    raise SystemExit(EXIT_FAILED if failed or not ran else EXIT_OK)
