"""Console output shared by `verify` and `regress`: progress, the table, the failures."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mathcheck.crosscheck import Result, RunOptions
from mathcheck.crosscheck import check_report_paths as check_outputs

# Wide enough for the verdict tables when output is piped (CI logs), terminal width otherwise.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


class Interrupt:
    """Ctrl-C that cannot be lost: the handler raises KeyboardInterrupt at once and also
    records it, and `check()` raises it again at the next task boundary. (Raised inside a
    gc callback, as Hypothesis installs one, the first raise would be swallowed.)"""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._previous_hook: Any = None

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._previous_hook = sys.unraisablehook
            sys.unraisablehook = self._unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            sys.unraisablehook = self._previous_hook

    def _unraisable(self, unraisable: Any) -> None:
        """A swallowed Ctrl-C ("Exception ignored in gc_callback", with its traceback) is
        not reported: it was recorded and `check()` raises it again."""
        if not (self.requested and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            self._previous_hook(unraisable)

    def _handle(self, signum: int, frame: object) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def progress_bar(job: str = "verify") -> Progress:
    """The one progress bar of the CLI: the job, done/total, elapsed, what runs now."""
    return Progress(
        TextColumn(f"[bold]{job}"),
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
    """Each failed check: one line, its budget and a reproduction snippet. Details, notes and
    snippets are evidence, printed verbatim: "[nan, inf]" or "[/red]" in one is text, never
    rich markup; only mathcheck's own labels are styled."""
    from rich.text import Text  # Text, not a markup string: no markup, no :emoji: codes

    failed = [r for r in results if r.status in ("failed", "error")]
    for r in failed:
        head = f"{r.entry_id} · {r.claim} · {r.backend} {r.dtype} {r.device}: {r.detail}"
        console.print(Text.assemble(("FAILED", "red"), " ", head), soft_wrap=True)
        if r.budget_note:
            console.print(Text(f"  budget: {r.budget_note}"), soft_wrap=True)
        if r.worst_input:
            console.print("  reproduce:", soft_wrap=True)
            for line in r.worst_input.splitlines():
                console.print(Text(f"    {line}"), soft_wrap=True)


def write_reports(
    results: Sequence[Result],
    options: RunOptions,
    json_path: str | None,
    junit_path: str | None,
    errata: list[dict[str, Any]] | None = None,
    *,
    incomplete: str | None = None,
) -> None:
    """Write the --json and --junit reports (through the writer `regress` shares);
    `incomplete`, a reason such as "interrupted", marks them as partial. An unwritable path is
    an `InvalidInputError` (one line, exit 2), never a traceback."""
    from mathcheck.crosscheck import report

    if json_path:
        document = report.to_json_dict(results, options, errata)
        report.write_json(Path(json_path), document, incomplete=incomplete)
        console.print(f"JSON report: {json_path}", markup=False)
    if junit_path:
        report.write_junit(Path(junit_path), results, incomplete=incomplete)
        console.print(f"JUnit report: {junit_path}", markup=False)


__all__ = [
    "Interrupt",
    "check_outputs",
    "console",
    "print_failures",
    "progress_bar",
    "run_with_progress",
    "write_reports",
]
