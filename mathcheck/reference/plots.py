"""Figures where people would rather look than read, made with matplotlib, each written twice:
`<name>.pdf` (for LaTeX) and `<name>.svg` beside it (for the HTML edition), both byte for byte
the same from one run to the next (no dates, a fixed SVG hash salt).

- every scalar activation with its derivative (both from the SymPy form, lambdified);
- for a few numerically delicate entries, the NumPy form's error in ulps across the domain,
  against the 50-digit oracle, with the entry's budget drawn in: the reader sees where a
  formula is hard (the tails of σ, the cancellation in GELU) and that the budget holds;
- learning-rate schedules, positional encodings and the GELU approximations' deviation
  (`plots_forms`), and the build's errors against their budgets (`plots_budget`).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from mathcheck.formulas import Agreement, Entry, resolve

#: Numerically delicate entries that get an error plot (when present and scalar).
DELICATE = (
    "act.sigmoid",
    "act.gelu",
    "act.gelu_tanh",
    "act.silu",
    "act.tanh",
    "calc.d_log",
    "act.softplus",
)
PLOT_DTYPES = ("float32", "float16")


def _style() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "serif",
            "mathtext.fontset": "cm",
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.linewidth": 0.6,
            "lines.linewidth": 1.2,
            "legend.frameon": False,
            "svg.hashsalt": "mathcheck",  # clip-path ids from a fixed salt, not a random one
        }
    )
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # font subsetting chatter


def _scalar_form(entry: Entry):
    if entry.symbolic is None:
        return None
    builder = resolve(entry.symbolic)
    try:
        form = builder()
    except TypeError:
        return None
    if isinstance(form.expr, sp.MatrixBase) or len(form.args) != 1:
        return None
    (symbol,) = form.args.values()
    return form if isinstance(symbol, sp.Symbol) else None


def _params(entry: Entry, form) -> dict[sp.Symbol, float]:
    values = entry.domain.params if entry.domain else {}
    return {symbol: values[name] for name, symbol in form.params.items() if name in values}


def activation_plot(entry: Entry, out: Path) -> Path | None:
    """f and f′ on [−5, 5] from the SymPy form; None if the form is not a scalar map."""
    form = _scalar_form(entry)
    if form is None:
        return None
    _style()
    import matplotlib.pyplot as plt

    (x,) = form.args.values()
    expr = form.expr.subs(_params(entry, form))
    f = sp.lambdify(x, expr, modules=["numpy", "scipy"])
    df = sp.lambdify(x, sp.diff(expr, x), modules=["numpy", "scipy"])
    grid = np.linspace(-5, 5, 801)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = np.broadcast_to(np.asarray(f(grid), dtype=float), grid.shape)
        dy = np.broadcast_to(np.asarray(df(grid), dtype=float), grid.shape)
    fig, ax = plt.subplots(figsize=(2.9, 1.75))
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.plot(grid, y, color="#1f4e9c", label=r"$f(x)$")
    ax.plot(grid, dy, color="#c0392b", ls="--", label=r"$f'(x)$")
    ax.set_xlabel(r"$x$", labelpad=1)
    ax.legend(loc="upper left", fontsize=7, handlelength=1.8)
    return _save(fig, ax, out / f"{entry.id.replace('.', '-')}-curve.pdf")


def error_plot(entry: Entry, out: Path, points: int = 600) -> Path | None:
    """|NumPy form − oracle| in ulps across the domain, per dtype, with the budget."""
    form = _scalar_form(entry)
    agreement = next((c for c in entry.claims if isinstance(c, Agreement)), None)
    if form is None or agreement is None or entry.numpy is None or entry.domain is None:
        return None
    from mathcheck.numeric import Oracle, error_scale, round_to, ulp_errors

    _style()
    import matplotlib.pyplot as plt

    (name,) = form.args
    arg = next((a for a in entry.domain.args if a.name == name), None)
    low, high = (arg.low, arg.high) if arg else (-10.0, 10.0)
    low, high = max(low, -40.0), min(high, 40.0)
    numpy_form = resolve(entry.numpy)
    oracle = Oracle(form, entry.domain.params, {name: 0})
    fig, ax = plt.subplots(figsize=(2.9, 1.75))
    colours = {"float32": "#1f4e9c", "float16": "#c0392b"}
    for dtype in PLOT_DTYPES:
        grid = round_to(np.linspace(low, high, points), dtype)
        hi, lo = oracle({name: grid})
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            computed = numpy_form(**{name: grid.astype(dtype)}, **entry.domain.params)
        scale = error_scale(hi, agreement.budget.scale, 0)
        err = ulp_errors(np.asarray(computed), hi, lo, scale, dtype)
        err = np.where(np.isfinite(err), err, np.nan)
        ax.plot(grid, err, color=colours[dtype], lw=0.7, label=dtype.replace("float", "fp"))
        allowed = agreement.budget.allowed(dtype, {})
        ax.axhline(allowed, color=colours[dtype], lw=0.6, ls=":")
    ax.set_xlabel(r"$x$", labelpad=1)
    ax.set_ylabel("error (ulp)", labelpad=1)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=7, handlelength=1.5)
    return _save(fig, ax, out / f"{entry.id.replace('.', '-')}-ulps.pdf")


#: No dates in the files: the same figure is the same bytes (the cache, the HTML edition).
METADATA = {".pdf": {"CreationDate": None}, ".svg": {"Date": None}}


def _save(fig: Any, ax: Any, path: Path) -> Path:
    """Small ticks, a tight layout, written to `path` (a .pdf) and beside it as .svg, closed."""
    import matplotlib.pyplot as plt

    for axis in ax if isinstance(ax, (list, tuple)) else (ax,):
        axis.tick_params(labelsize=6.5, length=2)
    fig.tight_layout(pad=0.3)
    try:
        for suffix, metadata in METADATA.items():
            fig.savefig(path.with_suffix(suffix), metadata=metadata)
    finally:
        plt.close(fig)
    return path.with_suffix(".pdf")


def figures_for(entry: Entry, out: Path) -> list[tuple[Path, str]]:
    """The figures of one entry with their captions; failures only cost the figure."""
    out.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[Path, str]] = []
    if entry.section.slug == "activations":
        try:
            path = activation_plot(entry, out)
            if path:
                figures.append(
                    (
                        path,
                        "the function (solid) and its derivative (dashed), "
                        "both from the SymPy form",
                    )
                )
        except Exception:
            pass
    if entry.id in DELICATE:
        try:
            path = error_plot(entry, out)
            if path:
                figures.append(
                    (
                        path,
                        "error of the NumPy form in ulps against the 50-digit "
                        "oracle; dotted: the budget",
                    )
                )
        except Exception:
            pass
    from mathcheck.reference.plots_forms import form_figures  # it imports this module

    return figures + form_figures(entry, out)
