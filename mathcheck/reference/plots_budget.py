"""A build-level figure from the verification report: every entry's worst agreement error
against its budget, by dtype, on a log scale with the budget (ratio 1) drawn in.

`error_budget_figure(statuses, path)` writes `path` as .pdf and beside it as .svg (the style,
size and determinism of `plots`); the statuses are `status.summarize(report)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mathcheck.reference.plots import _save, _style
from mathcheck.reference.status import EntryStatus

#: The dtypes in the order they are drawn; any other follows in the report's order.
DTYPE_ORDER = ("float64", "float32", "float16", "bfloat16")
SHORT = {"float64": "fp64", "float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}
#: The most failures named on the figure (more: only counted in the caption's terms).
NAMED = 4
GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass(frozen=True)
class Ratio:
    """One entry's worst error over its budget in one dtype (the worst over the backends)."""

    entry_id: str
    ratio: float  # 0: exact; inf: an error where the budget is 0
    failed: bool  # a record failed, or the ratio is above 1


def _ratio(error: float, budget: float) -> float:
    if budget > 0:
        return error / budget
    return 0.0 if error == 0 else math.inf


def budget_ratios(statuses: dict[str, EntryStatus]) -> dict[str, list[Ratio]]:
    """dtype → the entries with an agreement error there, as `Ratio`s in catalog order. Cells
    without an error or a budget (not measured) are left out."""
    by_dtype: dict[str, list[Ratio]] = {}
    for entry_id, entry_status in statuses.items():
        for dtype, cells in entry_status.errors.items():
            measured = [c for c in cells.values() if c.error is not None and c.budget is not None
                        and not math.isnan(c.error) and not math.isnan(c.budget)]
            if not measured:
                continue
            ratio = max(_ratio(c.error, c.budget) for c in measured)  # type: ignore[arg-type]
            failed = ratio > 1 or any(c.status in ("failed", "error") for c in measured)
            by_dtype.setdefault(dtype, []).append(Ratio(entry_id, ratio, failed))
    order = [d for d in DTYPE_ORDER if d in by_dtype] + [
        d for d in by_dtype if d not in DTYPE_ORDER]
    return {d: by_dtype[d] for d in order}


def _positions(ratios: list[Ratio]) -> np.ndarray:
    """Horizontal offsets in (−0.32, 0.32): by rank of the ratio, spread by the golden ratio, so
    that neighbours in value are apart in x (a deterministic jitter)."""
    ranks = np.argsort(np.argsort([r.ratio for r in ratios], kind="stable"), kind="stable")
    return ((ranks * GOLDEN) % 1.0 - 0.5) * 0.64


def error_budget_figure(statuses: dict[str, EntryStatus], path: Path) -> Path | None:
    """The figure as `path` with suffix .pdf (returned) and .svg; None when no entry has an
    agreement error (no report, or none measured)."""
    data = budget_ratios(statuses)
    if not data:
        return None
    finite = [r.ratio for rs in data.values() for r in rs if 0 < r.ratio < math.inf]
    low = 10.0 ** math.floor(math.log10(min(finite))) if finite else 1e-2
    high = max([1.0, *finite])
    zero_at, inf_at = low / 2.5, high * 3.0
    _style()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.9, 2.0))
    ax.set_yscale("log")
    ax.axhline(1.0, color="#c0392b", lw=0.7, ls="--", zorder=1)
    named: list[tuple[float, float, str]] = []
    any_zero = any_inf = False
    for column, ratios in enumerate(data.values()):
        x = column + _positions(ratios)
        y = np.array([zero_at if r.ratio == 0 else inf_at if r.ratio == math.inf else r.ratio
                      for r in ratios])
        any_zero |= any(r.ratio == 0 for r in ratios)
        any_inf |= any(r.ratio == math.inf for r in ratios)
        failed = np.array([r.failed for r in ratios])
        ax.plot(x[~failed], y[~failed], "o", color="#1f4e9c", ms=2.0, alpha=0.55, mew=0,
                zorder=2)
        ax.plot(x[failed], y[failed], "x", color="#c0392b", ms=3.0, mew=0.8, zorder=3)
        named += [(float(x[i]), float(y[i]), ratios[i].entry_id) for i in np.flatnonzero(failed)]
    for x_at, y_at, entry_id in named[:NAMED]:
        ax.annotate(entry_id, (x_at, y_at), xytext=(3, 0), textcoords="offset points",
                    fontsize=5, color="#c0392b", va="center")
    labels = [f"{SHORT.get(d, d)}\n({len(rs)})" for d, rs in data.items()]
    ax.set_xticks(range(len(data)), labels)
    ax.set_xlim(-0.6, len(data) - 0.4)
    ax.set_ylim(zero_at / 1.6 if any_zero else low / 1.3, inf_at * 1.6 if any_inf else high * 2)
    decades = range(round(math.log10(low)), math.floor(math.log10(high)) + 1)
    ticks = {10.0**k: _decade(k) for k in decades}
    if any_zero:
        ticks[zero_at] = "0"
    if any_inf:
        ticks[inf_at] = r"$\infty$"
    ax.set_yticks(list(ticks), list(ticks.values()))
    from matplotlib.ticker import FixedLocator

    # Minor ticks on the decades only: none between the "0" (or ∞) row and the scale.
    minor = [m * 10.0**k for k in decades for m in range(2, 10) if m * 10.0**k <= high]
    ax.yaxis.set_minor_locator(FixedLocator(minor))
    ax.set_ylabel("worst error / budget", labelpad=1)
    ax.text(len(data) - 0.45, 1.0, "budget", color="#c0392b", fontsize=6, ha="right",
            va="bottom")
    return _save(fig, ax, path)


def _decade(k: int) -> str:
    return "1" if k == 0 else f"$10^{{{k}}}$"


def error_budget_caption(statuses: dict[str, EntryStatus]) -> str:
    """What the figure shows, in the catalog's prose (counts from the same statuses)."""
    data = budget_ratios(statuses)
    entries = len({r.entry_id for rs in data.values() for r in rs})
    over = len({r.entry_id for rs in data.values() for r in rs if r.failed})
    tail = "every one within its budget" if not over else f"{over} over their budget (×)"
    return (
        f"worst agreement error over its budget for each of {entries} entries, per dtype "
        f"(the worst over the backends; in parentheses: how many entries), on a log scale; "
        f"dashed: the budget; {tail}"
    )
