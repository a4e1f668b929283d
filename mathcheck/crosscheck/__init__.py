"""The cross-check engine: claims in, `Result`s out; reporters in `report`.

Attributes are loaded on first access (PEP 562, `mathcheck._lazy`), so importing
`RunOptions` from the CLI does not pull in SymPy, Hypothesis and Torch. Other packages use
these names, never the private modules behind them (an import contract in pyproject.toml
holds it). See README.md in this folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mathcheck._lazy import exports

_RESULTS = "mathcheck.crosscheck._results"
_ENGINE = "mathcheck.crosscheck._engine"
_WRITER = "mathcheck.crosscheck._writer"
_REPLAY = "mathcheck.crosscheck._replay"

__all__ = [
    "DEFAULT_INPUTS",
    "PROFILES",
    "FormCache",
    "JUnitCase",
    "Replay",
    "Result",
    "RunOptions",
    "Task",
    "check_report_paths",
    "count_tasks",
    "describe_exit",
    "nonfinite_limits",
    "observing",
    "parse_jobs",
    "plan",
    "positional_call",
    "preload",
    "proof_sizes",
    "replay_enabled",
    "reproduce",
    "run_task",
    "verify_entries",
    "verify_entry",
    "write_json",
    "write_junit",
]

__getattr__, __dir__ = exports(__name__, {
    "DEFAULT_INPUTS": _RESULTS,
    "PROFILES": _RESULTS,
    "Result": _RESULTS,
    "RunOptions": _RESULTS,
    "Task": _ENGINE,
    "count_tasks": _ENGINE,
    "observing": _ENGINE,
    "plan": _ENGINE,
    "preload": _ENGINE,
    "run_task": _ENGINE,
    "verify_entries": _ENGINE,
    "verify_entry": _ENGINE,
    "FormCache": "mathcheck.crosscheck._agreement",
    "nonfinite_limits": "mathcheck.crosscheck._nonfinite:limits",
    "describe_exit": "mathcheck.crosscheck._pool",
    "parse_jobs": "mathcheck.crosscheck._pool",
    "proof_sizes": "mathcheck.crosscheck._symbolic",
    "positional_call": "mathcheck.crosscheck._reproduce",
    "reproduce": "mathcheck.crosscheck._reproduce",
    "Replay": _REPLAY,
    "replay_enabled": f"{_REPLAY}:enabled",
    "check_report_paths": _WRITER,
    "write_json": _WRITER,
    "write_junit": _WRITER,
    "JUnitCase": f"{_WRITER}:Case",
})

if TYPE_CHECKING:
    from mathcheck.crosscheck._agreement import FormCache
    from mathcheck.crosscheck._engine import (
        Task,
        count_tasks,
        observing,
        plan,
        preload,
        run_task,
        verify_entries,
        verify_entry,
    )
    from mathcheck.crosscheck._nonfinite import limits as nonfinite_limits
    from mathcheck.crosscheck._pool import describe_exit, parse_jobs
    from mathcheck.crosscheck._replay import Replay
    from mathcheck.crosscheck._replay import enabled as replay_enabled
    from mathcheck.crosscheck._reproduce import positional_call, reproduce
    from mathcheck.crosscheck._results import DEFAULT_INPUTS, PROFILES, Result, RunOptions
    from mathcheck.crosscheck._symbolic import proof_sizes
    from mathcheck.crosscheck._writer import Case as JUnitCase
    from mathcheck.crosscheck._writer import check_report_paths, write_json, write_junit
