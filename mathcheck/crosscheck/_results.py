"""One record per entry × claim × backend × dtype × device, and the options of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mathcheck.formulas import BACKENDS, DTYPES
from mathcheck.outcome import SUCCESS, Status


@dataclass(frozen=True)
class RunOptions:
    """What to run and how hard. Deterministic for a given seed."""

    seed: int = 0
    examples: int = 20  # Hypothesis max_examples per check (the "ci" profile)
    backends: tuple[str, ...] = BACKENDS
    dtypes: tuple[str, ...] = DTYPES
    devices: tuple[str, ...] = ("cpu", "cuda")
    time_budget: float = 60.0  # seconds per check, after which it is reported as failed
    symbolic_budget: float = 20.0  # seconds for simplification before numeric confirmation


#: Named efforts: "ci" is the quick default, "deep" the one to run before a release.
PROFILES: dict[str, dict[str, Any]] = {
    "quick": {"examples": 5},
    "ci": {"examples": 20},
    "deep": {"examples": 200, "time_budget": 600.0, "symbolic_budget": 120.0},
}


@dataclass(frozen=True)
class Result:
    entry_id: str
    section: str
    claim: str
    kind: str
    backend: str  # "numpy", "torch", or "sympy" for symbolic claims
    dtype: str  # a float dtype, or "exact"
    device: str  # "cpu", "cuda", or "-" where no device is involved
    status: Status
    error: float | None = None
    budget: float | None = None
    unit: str = "ulp"
    budget_note: str = ""
    worst_input: str | None = None
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS or self.status == "skipped"

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        for key in ("error", "budget"):
            value = record[key]
            if (isinstance(value, float) and value != value) or value in (float("inf"),):
                record[key] = str(value)  # JSON has no NaN/inf
        return record
