"""Result vocabulary shared by every layer: statuses and the outcome of one custom check.

Lives at the package root (not in crosscheck/) because custom checks in `numeric/checks` and
`symbolic/` return an `Outcome`, and dependencies must point from crosscheck downwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["proven", "confirmed", "passed", "failed", "skipped", "error"]
#: Statuses that count as success, strongest first. "confirmed" = checked numerically at
#: high precision because the symbolic proof did not finish; never reported as "proven".
SUCCESS: tuple[Status, ...] = ("proven", "confirmed", "passed")


@dataclass(frozen=True)
class Outcome:
    """What a custom check (`Check` claim) reports back to the engine."""

    status: Status
    detail: str = ""
    error: float | None = None  # worst error, in the unit named by `unit`
    budget: float | None = None  # what the error was allowed to be
    unit: str = "ulp"
    worst_input: str | None = None  # a reproduction snippet or the offending input
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def verdict(
        cls,
        ok: bool,
        detail: str = "",
        error: float | None = None,
        budget: float | None = None,
        unit: str = "ulp",
        worst_input: str | None = None,
        extra: dict[str, Any] | None = None,
        *,
        success: Status = "passed",
    ) -> Outcome:
        """`success` ("passed", or "confirmed" for an exact evaluation) when `ok`, else
        "failed"; the other fields as given."""
        return cls(success if ok else "failed", detail, error, budget, unit, worst_input,
                   dict(extra or {}))


@dataclass(frozen=True)
class CheckContext:
    """Where a custom check runs: one backend, dtype and device, with a seed and an effort.

    `form` is the form under test for that backend (the catalog's, or the implementation a
    regression check substitutes); a Check declared `uses_form` must check it, not its own.
    `entry` is the catalog entry whose claim runs (the engine passes it): a check reads the
    parameters and budgets the entry states from it, duck-typed, since the layers below the
    catalog never import it. None when a check is called directly.
    """

    backend: str  # "numpy", "torch" or "sympy"
    dtype: str  # "float64", "float32", "float16", "bfloat16"
    device: str  # "cpu", "cuda"
    seed: int
    examples: int  # how many generated examples a check should try (Hypothesis max_examples)
    form: Any = None
    entry: Any = None
