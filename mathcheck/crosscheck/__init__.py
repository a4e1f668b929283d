"""The cross-check engine: claims in, `Result`s out; reporters in `report`.

Attributes are loaded on first access (PEP 562), so importing `mathcheck.crosscheck._results`
from the CLI does not pull in SymPy, Hypothesis and Torch. See README.md in this folder.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "PROFILES": "mathcheck.crosscheck._results",
    "Result": "mathcheck.crosscheck._results",
    "RunOptions": "mathcheck.crosscheck._results",
    "Task": "mathcheck.crosscheck._engine",
    "count_tasks": "mathcheck.crosscheck._engine",
    "observing": "mathcheck.crosscheck._engine",
    "plan": "mathcheck.crosscheck._engine",
    "run_task": "mathcheck.crosscheck._engine",
    "verify_entries": "mathcheck.crosscheck._engine",
    "verify_entry": "mathcheck.crosscheck._engine",
    "reproduce": "mathcheck.crosscheck._reproduce",
}

__all__ = [
    "PROFILES",
    "Result",
    "RunOptions",
    "Task",
    "count_tasks",
    "observing",
    "plan",
    "reproduce",
    "run_task",
    "verify_entries",
    "verify_entry",
]

if TYPE_CHECKING:
    from mathcheck.crosscheck._engine import (
        Task,
        count_tasks,
        observing,
        plan,
        run_task,
        verify_entries,
        verify_entry,
    )
    from mathcheck.crosscheck._reproduce import reproduce
    from mathcheck.crosscheck._results import PROFILES, Result, RunOptions


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mathcheck.crosscheck' has no attribute {name!r}")
