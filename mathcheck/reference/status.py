"""Verification status per entry, read from a verification run's JSON report.

The report (`mathcheck verify --json`) is a dict with "environment" and "results" (one record
per claim × backend × dtype × device). The reference prints, per entry, each claim's status
and, for agreement claims, the worst error per dtype and backend against its budget.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathcheck.errors import InvalidInputError

#: Weakest first: a claim is as strong as its weakest record (a failure anywhere is a failure).
ORDER = ("error", "failed", "skipped", "confirmed", "passed", "proven")
WORDS = {
    "proven": "proven",
    "confirmed": "confirmed numerically",
    "passed": "passed",
    "failed": "FAILED",
    "error": "ERROR",
    "skipped": "skipped",
    "not run": "not run in this build",
}


@dataclass
class ClaimStatus:
    label: str
    kind: str
    status: str
    detail: str = ""
    budget_note: str = ""


@dataclass
class ErrorCell:
    error: float | None
    budget: float | None
    unit: str
    status: str


@dataclass(frozen=True)
class Worst:
    """The agreement cell nearest its budget: `ratio` = error / budget (∞ past a zero budget)."""

    ratio: float
    error: float | None
    budget: float | None
    unit: str
    dtype: str
    column: str
    status: str


def _ratio(cell: ErrorCell) -> float | None:
    if cell.error is None or cell.budget is None:
        return None
    if cell.error != cell.error:  # NaN: as bad as it gets
        return float("inf")
    if cell.budget <= 0:
        return 0.0 if cell.error == 0 else float("inf")
    return cell.error / cell.budget


@dataclass
class EntryStatus:
    claims: list[ClaimStatus] = field(default_factory=list)
    # dtype → column ("numpy", "torch/cpu", …) → worst agreement error
    errors: dict[str, dict[str, ErrorCell]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    @property
    def worst(self) -> Worst | None:
        """The worst error / budget over every dtype and backend (None: no agreement cell)."""
        found: Worst | None = None
        for dtype, row in self.errors.items():
            for column, cell in row.items():
                ratio = _ratio(cell)
                if ratio is not None and (found is None or ratio > found.ratio):
                    found = Worst(ratio, cell.error, cell.budget, cell.unit, dtype, column,
                                  cell.status)
        return found

    @property
    def overall(self) -> str:
        statuses = [c.status for c in self.claims if c.status != "skipped"]
        if not self.claims:
            return "not run"
        if not statuses:
            return "skipped"
        return min(statuses, key=ORDER.index)


def _json(path: Path | str) -> Any:
    try:
        return json.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path}: not UTF-8 at byte {exc.start}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidInputError(f"{path}: not JSON ({exc})") from None


#: What a cell of `mathcheck sweep --table`'s JSON must carry to be printed.
SWEEP_FIELDS = ("entry", "implementation", "dtype")


def load_sweeps(path: Path | str) -> list[dict[str, Any]]:
    """The cells of a `mathcheck sweep --table PREFIX` run (PREFIX.json), as the reference's
    accuracy appendix prints them; anything else is one clear line (exit code 2)."""
    data = _json(path)
    if not isinstance(data, list) or not data or not all(
            isinstance(c, dict) and all(isinstance(c.get(k), str) for k in SWEEP_FIELDS)
            for c in data):
        raise InvalidInputError(
            f"{path}: not an accuracy table (expected the list of cells that "
            "`mathcheck sweep --table PREFIX` writes to PREFIX.json)")
    cells = []
    for c in data:
        worst = _float(c.get("worst_ulps"))
        cells.append({**c, "worst_ulps": worst, "worst_x": _float(c.get("worst_x")),
                      "correctly_rounded_fraction": _float(c.get("correctly_rounded_fraction")),
                      "budget_ulps": _float(c.get("budget_ulps"))})
    return cells


def load(path: Path | str) -> dict[str, Any]:
    """A `mathcheck verify --json` report; anything else is one clear line (exit code 2)."""
    data = _json(path)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("results"), list)
        or not all(isinstance(r, dict) for r in data["results"])
    ):
        raise InvalidInputError(
            f"{path}: not a verification report (expected an object with a list 'results', "
            "as `mathcheck verify --json` writes)"
        )
    return data


def _float(value: Any) -> float | None:
    """A number from the report: numbers, or the strings "inf"/"nan" that JSON cannot hold."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _claim_status(records: list[dict[str, Any]]) -> str:
    present = [r.get("status", "error") for r in records]
    known = [s for s in present if s in ORDER]
    if not known:
        return "error"
    non_skipped = [s for s in known if s != "skipped"]
    return min(non_skipped or known, key=ORDER.index)


def _column(record: dict[str, Any]) -> str:
    backend = str(record.get("backend") or "sympy")
    device = record.get("device")
    return backend if backend in ("numpy", "sympy") or not device else f"{backend}/{device}"


def summarize(report: dict[str, Any] | None) -> dict[str, EntryStatus]:
    """Per entry id: claim statuses and the agreement error table."""
    if not report:
        return {}
    by_entry: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for record in report.get("results", []):
        if isinstance(record, dict) and record.get("entry_id"):
            by_entry[record["entry_id"]][str(record.get("claim", "?"))].append(record)
    out: dict[str, EntryStatus] = {}
    for entry_id, claims in by_entry.items():
        status = EntryStatus()
        columns: list[str] = []
        for label, records in claims.items():
            kind = str(records[0].get("kind", ""))
            worst = max(
                records,
                key=lambda r: (
                    ORDER[::-1].index(r.get("status", "error")) if r.get("status") in ORDER else 99
                ),
            )
            detail = str(worst.get("detail") or worst.get("error") or "")
            status.claims.append(
                ClaimStatus(
                    label,
                    kind,
                    _claim_status(records),
                    detail,
                    str(records[0].get("budget_note") or ""),
                )
            )
            if kind != "agreement":
                continue
            for r in records:
                if r.get("status") == "skipped":  # no CUDA, no bfloat16 in NumPy: "n/a"
                    continue
                column = _column(r)
                if column not in columns:
                    columns.append(column)
                dtype = str(r.get("dtype", "?"))
                error = r.get("error")
                cell = status.errors.setdefault(dtype, {}).get(column)
                value = _float(error)
                if cell is None or (
                    value is not None and (cell.error is None or value > cell.error)
                ):
                    status.errors[dtype][column] = ErrorCell(
                        value,
                        _float(r.get("budget")),
                        str(r.get("unit") or "ulp"),
                        str(r.get("status", "")),
                    )
        status.columns = columns
        out[entry_id] = status
    return out


def totals(statuses: dict[str, EntryStatus]) -> dict[str, int]:
    """How many claims ended in each status, over the whole run."""
    counts: dict[str, int] = defaultdict(int)
    for s in statuses.values():
        for c in s.claims:
            counts[c.status] += 1
    return dict(counts)
