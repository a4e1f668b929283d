"""`mathcheck sweep --table`: functions × implementations × dtypes, as Markdown and JSON.

Each cell is one sweep (exhaustive for fp16/bf16/fp32, so its worst error is a bound), run
through the same persisted shards as `mathcheck sweep`: a cell already computed is read back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mathcheck.errors import MathcheckError

#: (entry, implementation or None for the catalog's form, backend, column label)
DEFAULT_ROWS: tuple[tuple[str, str | None, str, str], ...] = (
    ("act.gelu", "torch.nn.functional:gelu", "torch", "torch F.gelu"),
    ("act.gelu", None, "torch", "mathcheck torch form"),
    ("act.gelu", None, "numpy", "mathcheck numpy form"),
    ("act.gelu_tanh", None, "torch", "mathcheck torch form"),
    ("act.silu", "torch.nn.functional:silu", "torch", "torch F.silu"),
    ("act.sigmoid", "torch:sigmoid", "torch", "torch.sigmoid"),
    ("act.sigmoid", "scipy.special:expit", "numpy", "scipy.special.expit"),
    ("act.tanh", "torch:tanh", "torch", "torch.tanh"),
    ("act.tanh", "numpy:tanh", "numpy", "numpy.tanh"),
    ("calc.d_exp", "torch:exp", "torch", "torch.exp"),
    ("calc.d_exp", "numpy:exp", "numpy", "numpy.exp"),
    ("calc.d_log", "torch:log", "torch", "torch.log"),
    ("calc.d_log", "numpy:log", "numpy", "numpy.log"),
)


def table(dtypes: tuple[str, ...], run_cell: Callable[..., dict[str, Any]],
          rows: tuple[tuple[str, str | None, str, str], ...] = DEFAULT_ROWS,
          ) -> list[dict[str, Any]]:
    """One record per row × dtype; a cell that cannot run (NumPy bf16) says why."""
    cells: list[dict[str, Any]] = []
    for entry_id, impl, backend, label in rows:
        for dtype in dtypes:
            cell: dict[str, Any] = {"entry": entry_id, "implementation": label,
                                    "backend": backend, "dtype": dtype}
            try:
                result = run_cell(entry_id, dtype, backend, impl)
            except MathcheckError as exc:
                cell["skipped"] = str(exc)
            else:
                cell.update({k: result[k] for k in (
                    "dtype", "search", "inputs", "worst_ulps", "worst_x", "budget_ulps",
                    "verdict", "correctly_rounded_fraction", "unresolved_near_boundary",
                    "error_scale", "why")})
            cells.append(cell)
    return cells


def markdown(cells: list[dict[str, Any]]) -> str:
    lines = ["| function | implementation | dtype | worst error (ulp) | at x | correctly "
             "rounded | budget | verdict |", "|---|---|---|---|---|---|---|---|"]
    for c in cells:
        if "skipped" in c:
            lines.append(f"| {c['entry']} | {c['implementation']} | {c['dtype']} | — | — | — "
                         f"| — | not run: {c['skipped']} |")
            continue
        cr = c["correctly_rounded_fraction"]
        lines.append(
            f"| {c['entry']} | {c['implementation']} | {c['dtype']} | {c['worst_ulps']:.3g} "
            f"| {c['worst_x']:.8g} | {cr:.4%} | {c['budget_ulps']:g} | {c['verdict']}"
            + (f": {c['why']}" if c.get("why") else "") + " |")
    return "\n".join(lines) + "\n"
