"""Console output shared by `verify` and `regress`: progress, the table, the failures."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mathcheck.crosscheck._results import Result, RunOptions

# Wide enough for the verdict tables when output is piped (CI logs), terminal width otherwise.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]verify"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )


def run_with_progress(
    total: int, run: Callable[[Callable[[Any, Result | None], None]], list[Result]]
) -> list[Result]:
    with progress_bar() as bar:
        task_id = bar.add_task("", total=total)

        def update(task: Any, result: Result | None) -> None:
            if result is None:
                bar.update(
                    task_id,
                    description=f"{task.entry.id} · {task.claim.label} · "
                    f"{task.backend} {task.dtype} {task.device}",
                )
            else:
                bar.advance(task_id)

        return run(update)


def print_failures(results: Sequence[Result]) -> None:
    failed = [r for r in results if r.status in ("failed", "error")]
    for r in failed:
        console.print(
            f"[red]FAILED[/red] {r.entry_id} · {r.claim} · {r.backend} {r.dtype} "
            f"{r.device}: {r.detail}",
            soft_wrap=True,
        )
        if r.budget_note:
            console.print(f"  budget: {r.budget_note}", soft_wrap=True)
        if r.worst_input:
            console.print("  reproduce:", soft_wrap=True)
            for line in r.worst_input.splitlines():
                console.print(f"    {line}", soft_wrap=True, markup=False)


def write_reports(
    results: Sequence[Result],
    options: RunOptions,
    json_path: str | None,
    junit_path: str | None,
    errata: list[dict[str, Any]] | None = None,
) -> None:
    from mathcheck.crosscheck import report

    if json_path:
        report.write_json(Path(json_path), report.to_json_dict(results, options, errata))
        console.print(f"JSON report: {json_path}")
    if junit_path:
        report.write_junit(Path(junit_path), results)
        console.print(f"JUnit report: {junit_path}")
