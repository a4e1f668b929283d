"""`mathcheck sweep --table`: functions × implementations × dtypes, as Markdown and JSON.

Each cell is one sweep (exhaustive for fp16/bf16/fp32, so its worst error is a bound), run
through the same persisted shards as `mathcheck sweep`: a cell already computed is read back.
The rows are `default_rows()` (torch CPU, NumPy/SciPy, JAX when installed, CUDA when torch
sees a GPU) or a TOML file of `[[row]]` tables with the fields of `Row`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from mathcheck.errors import InvalidInputError, MathcheckError
from mathcheck.numeric import canonical
from mathcheck.sweep._report import _plain

LIB = "mathcheck.sweep._library"


@dataclass(frozen=True)
class Row:
    """One implementation of one entry: `impl` is module:callable (None: the catalog's form)."""

    entry: str
    impl: str | None
    backend: str  # "torch", or "numpy" for anything called on NumPy arrays (SciPy, JAX)
    label: str
    device: str = "cpu"
    dtypes: tuple[str, ...] = ()  # the dtypes it has kernels for (empty: every one)


TORCH = (
    Row("act.gelu", "torch.nn.functional:gelu", "torch", "torch F.gelu"),
    Row("act.gelu_tanh", f"{LIB}:torch_gelu_tanh", "torch", "torch F.gelu(approximate='tanh')"),
    Row("act.silu", "torch.nn.functional:silu", "torch", "torch F.silu"),
    Row("act.sigmoid", "torch:sigmoid", "torch", "torch.sigmoid"),
    Row("act.tanh", "torch:tanh", "torch", "torch.tanh"),
    Row("act.softplus", "torch.nn.functional:softplus", "torch", "torch F.softplus"),
    Row("act.log_sigmoid", "torch.nn.functional:logsigmoid", "torch", "torch F.logsigmoid"),
    Row("act.erf", "torch:erf", "torch", "torch.erf"),
    Row("calc.d_exp", "torch:exp", "torch", "torch.exp"),
    Row("calc.d_log", "torch:log", "torch", "torch.log"),
)
NO_BF16 = ("float16", "float32", "float64")  # NumPy and SciPy have no bfloat16 kernels


def _scipy(entry: str, impl: str, label: str) -> Row:
    return Row(entry, impl, "numpy", label, dtypes=NO_BF16)


NUMPY = (
    _scipy("act.gelu", f"{LIB}:scipy_gelu", "x·scipy.special.ndtr(x)"),
    _scipy("act.silu", f"{LIB}:scipy_silu", "x·scipy.special.expit(x)"),
    _scipy("act.sigmoid", f"{LIB}:scipy_expit", "scipy.special.expit"),
    _scipy("act.tanh", "numpy:tanh", "numpy.tanh"),
    _scipy("act.softplus", f"{LIB}:numpy_softplus", "numpy.logaddexp(0, x)"),
    _scipy("act.log_sigmoid", f"{LIB}:scipy_log_expit", "scipy.special.log_expit"),
    _scipy("act.erf", f"{LIB}:scipy_erf", "scipy.special.erf"),
    _scipy("calc.d_exp", "numpy:exp", "numpy.exp"),
    _scipy("calc.d_log", "numpy:log", "numpy.log"),
)
JAX = (
    Row("act.gelu", f"{LIB}:jax_gelu", "numpy", "jax.nn.gelu(approximate=False)"),
    Row("act.gelu_tanh", f"{LIB}:jax_gelu_tanh", "numpy", "jax.nn.gelu"),
    Row("act.silu", "jax.nn:silu", "numpy", "jax.nn.silu"),
    Row("act.sigmoid", "jax.nn:sigmoid", "numpy", "jax.nn.sigmoid"),
    Row("act.tanh", "jax.numpy:tanh", "numpy", "jax.numpy.tanh"),
    Row("act.softplus", "jax.nn:softplus", "numpy", "jax.nn.softplus"),
    Row("act.log_sigmoid", "jax.nn:log_sigmoid", "numpy", "jax.nn.log_sigmoid"),
    Row("act.erf", "jax.scipy.special:erf", "numpy", "jax.scipy.special.erf"),
    Row("calc.d_exp", "jax.numpy:exp", "numpy", "jax.numpy.exp"),
    Row("calc.d_log", "jax.numpy:log", "numpy", "jax.numpy.log"),
)
MATHCHECK = (
    Row("act.gelu", None, "torch", "mathcheck torch form"),
    Row("act.gelu_tanh", None, "torch", "mathcheck torch form"),
)


def default_rows() -> tuple[Row, ...]:
    """torch CPU, NumPy/SciPy and mathcheck's own forms; JAX and CUDA where present."""
    rows = TORCH + NUMPY
    try:
        import jax  # noqa: F401
    except ImportError:
        pass
    else:
        rows += JAX
    import torch

    if torch.cuda.is_available():
        rows += tuple(Row(r.entry, r.impl, r.backend, r.label + " (CUDA)", "cuda")
                      for r in TORCH)
    return rows + MATHCHECK


def load_rows(path: str) -> tuple[Row, ...]:
    """`[[row]]` tables (entry, impl, backend, label, device, dtypes) from a TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError(f"cannot read the rows file {path}: {exc}") from None
    names = {f.name for f in fields(Row)}
    rows = []
    for number, table in enumerate(data.get("row", []), start=1):
        if not isinstance(table, dict) or not {"entry", "backend", "label"} <= set(table) \
                or set(table) - names:
            raise InvalidInputError(
                f"{path}: row {number} needs entry, backend and label (and may give impl, "
                f"device), got {sorted(table) if isinstance(table, dict) else table!r}")
        if "dtypes" in table:
            table = {**table, "dtypes": tuple(canonical(d) for d in table["dtypes"])}
        rows.append(Row(**{"impl": None, **table}))
    if not rows:
        raise InvalidInputError(f"{path} has no [[row]] tables")
    return tuple(rows)


def table(dtypes: tuple[str, ...], run_cell: Callable[[Row, str], dict[str, Any]],
          rows: tuple[Row, ...]) -> list[dict[str, Any]]:
    """One record per row × dtype; a cell that cannot run (NumPy bf16) says why."""
    cells: list[dict[str, Any]] = []
    for row in rows:
        for dtype in dtypes:
            cell: dict[str, Any] = {"entry": row.entry, "implementation": row.label,
                                    "backend": row.backend, "device": row.device,
                                    "dtype": dtype}
            if row.dtypes and dtype not in row.dtypes:
                cell["skipped"] = f"{row.label} has no {dtype} kernel"
                cells.append(cell)
                continue
            try:
                result = run_cell(row, dtype)
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
    """The table: a cell's worst error is a bound where its search was exhaustive."""
    lines = ["| function | implementation | dtype | worst error (ulp) | at x | correctly "
             "rounded | budget | verdict |", "|---|---|---|---|---|---|---|---|"]
    for c in cells:
        if "skipped" in c:
            lines.append(f"| {c['entry']} | {c['implementation']} | {c['dtype']} | — | — | — "
                         f"| — | not run: {c['skipped']} |")
            continue
        cr = c["correctly_rounded_fraction"]
        bound = "" if c["search"] == "exhaustive" else " (sampled)"
        lines.append(
            f"| {c['entry']} | {c['implementation']} | {c['dtype']} | {c['worst_ulps']:.3g}"
            f"{bound} | {c['worst_x']:.8g} | {cr:.4%} | {c['budget_ulps']:g} | {c['verdict']}"
            + (f": {c['why']}" if c.get("why") else "") + " |")
    return "\n".join(lines) + "\n"


def write_table(cells: list[dict[str, Any]], prefix: str) -> str:
    """PREFIX.md (the Markdown table, returned) and PREFIX.json (the cells)."""
    text = markdown(cells)
    Path(prefix + ".md").write_text(text)
    Path(prefix + ".json").write_text(json.dumps(_plain(cells), indent=2, ensure_ascii=False))
    return text
