"""The cross-check engine: claims in, `Result`s out; reporters in `report`.

See README.md in this folder for the design.
"""

from mathcheck.crosscheck._engine import (
    Task,
    count_tasks,
    plan,
    run_task,
    verify_entries,
    verify_entry,
)
from mathcheck.crosscheck._reproduce import reproduce
from mathcheck.crosscheck._results import PROFILES, Result, RunOptions

__all__ = [
    "PROFILES",
    "Result",
    "RunOptions",
    "Task",
    "count_tasks",
    "plan",
    "reproduce",
    "run_task",
    "verify_entries",
    "verify_entry",
]
