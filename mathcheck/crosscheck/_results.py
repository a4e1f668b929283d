"""One record per entry × claim × backend × dtype × device, and the options of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mathcheck.errors import InvalidInputError
from mathcheck.formulas import BACKENDS, DTYPES
from mathcheck.outcome import SUCCESS, Status

DEFAULT_INPUTS = 10_000  # bulk inputs per agreement check at the "ci" profile


@dataclass(frozen=True)
class RunOptions:
    """What to run and how hard. Deterministic for a given seed."""

    seed: int = 0
    examples: int = 20  # Hypothesis max_examples per check (the "ci" profile)
    inputs: int = DEFAULT_INPUTS  # bulk inputs screened per agreement check
    backends: tuple[str, ...] = BACKENDS
    dtypes: tuple[str, ...] = DTYPES
    devices: tuple[str, ...] = ("cpu", "cuda")
    time_budget: float = 60.0  # seconds per check, after which it is reported as failed
    symbolic_budget: float = 20.0  # seconds for simplification before numeric confirmation

    def __post_init__(self) -> None:
        """Reject what would silently check nothing or lift a budget, before any work."""
        problems = []
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            problems.append(f"seed must be an integer, got {self.seed!r}")
        elif not 0 <= self.seed < 2**32:
            problems.append(f"seed must be in [0, 2**32), got {self.seed}")
        for name in ("examples", "inputs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{name} must be a positive integer, got {value!r}")
        for name in ("time_budget", "symbolic_budget"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not (
                0 < value < float("inf")
            ):
                problems.append(f"{name} must be a positive number of seconds, got {value!r}")
        for name, known in (
            ("backends", BACKENDS),
            ("dtypes", DTYPES),
            ("devices", ("cpu", "cuda")),
        ):
            values = getattr(self, name)
            if isinstance(values, str) or not isinstance(values, (tuple, list)):
                problems.append(f"{name} must be a list of names, got {values!r}")
            elif not values:
                problems.append(f"{name} is empty: nothing would be checked")
            elif unknown := [v for v in values if v not in known]:
                problems.append(f"unknown {name} {unknown}; known: {', '.join(known)}")
        if problems:
            raise InvalidInputError("; ".join(problems))


#: Named efforts: "ci" is the quick default, "deep" the one to run before a release.
PROFILES: dict[str, dict[str, Any]] = {
    "quick": {"examples": 5, "inputs": 1_000},
    "ci": {"examples": 20, "inputs": DEFAULT_INPUTS},
    "deep": {"examples": 200, "inputs": 1_000_000, "time_budget": 600.0,
             "symbolic_budget": 120.0},
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
