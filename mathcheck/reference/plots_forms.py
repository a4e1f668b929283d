"""Figures of what a form does, from the catalog's own NumPy forms (never a formula written
again here): learning-rate schedules over the training steps at the catalog's parameters, the
sinusoidal encoding as a position × dimension map, the RoPE score against the offset m − n,
and the GELU approximations' deviation from exact GELU.

Each figure's data comes from a `*_data` function, so that a test reads what is drawn.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mathcheck.formulas import Entry, get, resolve
from mathcheck.reference.plots import _save, _style

#: Approximation → the exact entry it approximates: the deviation figure.
APPROXIMATES = {"act.gelu_tanh": "act.gelu", "act.gelu_sigmoid": "act.gelu"}
#: The deviation plot's range of x.
DEVIATION_RANGE = (-6.0, 6.0)
#: How a schedule's parameters read in a caption and on the axes.
PARAM_NAMES = {
    "eta_max": ("η_max", r"$\eta_{\max}$"),
    "eta_min": ("η_min", r"$\eta_{\min}$"),
    "warmup": ("T_w", r"$T_w$"),
    "T": ("T", r"$T$"),
}
#: Sinusoidal map: positions 0 … POSITIONS − 1 by `SINUSOIDAL_D` dimensions.
POSITIONS, SINUSOIDAL_D = 128, 64
#: RoPE: offsets −ROPE_OFFSET … ROPE_OFFSET, at these positions n of the key.
ROPE_OFFSET, ROPE_KEYS = 40, (0, 1000, 100_000)
BLUE, RED, GREY = "#1f4e9c", "#c0392b", "0.45"
FILE = "{}-{}.pdf"


def _file(entry: Entry, out: Path, kind: str) -> Path:
    return out / FILE.format(entry.id.replace(".", "-"), kind)


def _number(value: float) -> str:
    """3e-4 → '3·10⁻⁴', 200.0 → '200', 0.5 → '0.5': for captions."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent <= 3:
        return f"{value:g}"
    mantissa = f"{value / 10**exponent:.3g}"
    power = "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return power if mantissa == "1" else f"{mantissa}·{power}"


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(fn(*args, **kwargs), dtype=float)


# ---------------------------------------------------------------- learning-rate schedules


def is_schedule(entry: Entry) -> bool:
    """A NumPy form of one scalar integer argument t (the step), as η_t = f(t; params)."""
    if entry.numpy is None or entry.domain is None or len(entry.domain.args) != 1:
        return False
    (arg,) = entry.domain.args
    return arg.name == "t" and arg.shape == () and arg.kind == "integer"


def schedule_data(entry: Entry) -> tuple[np.ndarray, np.ndarray]:
    """Every step t of the domain (0 … 1.25T in the catalog) and η_t, the NumPy form in fp64
    at the catalog's parameters."""
    assert entry.domain is not None and entry.numpy is not None
    (arg,) = entry.domain.args
    low = max(arg.low, 0) if math.isfinite(arg.low) else 0
    high = arg.high if math.isfinite(arg.high) else 1000
    t = np.arange(int(low), int(high) + 1, dtype=np.float64)
    return t, _quiet(resolve(entry.numpy), t, **entry.domain.params)


def schedule_plot(entry: Entry, out: Path) -> Path | None:
    if not is_schedule(entry):
        return None
    t, eta = schedule_data(entry)
    params = entry.domain.params if entry.domain else {}
    _style()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.9, 1.75))
    for name in ("warmup", "T"):
        value = params.get(name)
        if value is not None and t[0] < value <= t[-1]:
            ax.axvline(value, color="0.75", lw=0.5, ls=":")
    ax.plot(t, eta, color=BLUE)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(0, 1.08 * float(np.nanmax(eta)))
    ticks = {0.0: "0"}
    for name in ("eta_min", "eta_max"):
        if name in params:
            ticks[float(params[name])] = PARAM_NAMES[name][1]
    if 0 < min(ticks.keys() - {0.0}, default=1.0) < 0.15 * float(np.nanmax(eta)):
        ticks[0.0] = ""  # η_min's label would sit on 0's
    ax.set_yticks(list(ticks), list(ticks.values()))
    marks = [(params[n], PARAM_NAMES[n][1]) for n in ("warmup", "T")
             if n in params and t[0] < params[n] <= t[-1]]
    top = ax.secondary_xaxis("top")
    top.set_xticks([v for v, _ in marks], [label for _, label in marks])
    top.tick_params(labelsize=6.5, length=0, pad=1)
    top.spines["top"].set_visible(False)
    ax.set_xlabel(r"step $t$", labelpad=1)
    ax.set_ylabel(r"$\eta_t$", labelpad=2, rotation=0, va="center")
    return _save(fig, ax, _file(entry, out, "schedule"))


def schedule_caption(entry: Entry) -> str:
    params = entry.domain.params if entry.domain else {}
    shown = ", ".join(f"{PARAM_NAMES.get(k, (k,))[0]} = {_number(v)}" for k, v in params.items())
    return f"η_t at every step, the NumPy form at the catalog's parameters ({shown})"


# ---------------------------------------------------------------- positional encodings


def sinusoidal_data(entry: Entry) -> np.ndarray:
    """PE(pos, i) for pos = 0 … POSITIONS − 1, i = 0 … d − 1 (the NumPy form at d = 64)."""
    assert entry.numpy is not None
    pos = np.arange(POSITIONS, dtype=np.float64)
    return _quiet(resolve(entry.numpy), pos, d=SINUSOIDAL_D)


def sinusoidal_plot(entry: Entry, out: Path) -> Path | None:
    if entry.numpy is None:
        return None
    table = sinusoidal_data(entry)
    _style()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.9, 1.9))
    image = ax.imshow(table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest", origin="upper",
                      extent=(-0.5, table.shape[1] - 0.5, table.shape[0] - 0.5, -0.5))
    ax.set_xlabel(r"dimension $j$ ($2i$: $\sin$, $2i+1$: $\cos$)", labelpad=1)
    ax.set_ylabel(r"position $p$", labelpad=1)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02, ticks=[-1, 0, 1])
    bar.ax.tick_params(labelsize=6.5, length=2)
    bar.outline.set_linewidth(0.4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return _save(fig, ax, _file(entry, out, "map"))


SINUSOIDAL_CAPTION = (
    f"PE(p, j) for positions 0 … {POSITIONS - 1} and d = {SINUSOIDAL_D} (the NumPy form; "
    "the catalog's checks use d = 8): fast rotations in the first dimensions, ever slower "
    "ones (ω_i = 10000^(−2i/d)) to the right"
)


def rope_vectors(entry: Entry) -> tuple[np.ndarray, np.ndarray]:
    """A fixed q and k of the entry's width (a seeded draw from [−1, 1])."""
    assert entry.domain is not None
    width = next(a.shape[-1] for a in entry.domain.args if a.name == "x")
    q, k = np.random.default_rng(2021).uniform(-1, 1, size=(2, width))
    return q, k


def rope_data(entry: Entry) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per key position n of `ROPE_KEYS`: offsets Δ = m − n (every 0.05 for the first n, the
    integers for the others) and ⟨f(q, n + Δ), f(k, n)⟩, the NumPy form at the catalog's
    parameters."""
    assert entry.domain is not None and entry.numpy is not None
    rope = resolve(entry.numpy)
    params = entry.domain.params
    q, k = rope_vectors(entry)
    scores = {}
    for n in ROPE_KEYS:
        offsets = np.linspace(-ROPE_OFFSET, ROPE_OFFSET, (20 if n == ROPE_KEYS[0] else 1)
                              * 2 * ROPE_OFFSET + 1)
        fq = _quiet(rope, np.broadcast_to(q, (offsets.size, q.size)), (n + offsets)[:, None],
                    **params)
        fk = _quiet(rope, k[None, :], np.array([[float(n)]]), **params)
        scores[n] = (offsets, fq @ fk[0])
    return scores


def rope_plot(entry: Entry, out: Path) -> Path | None:
    if entry.numpy is None or entry.domain is None:
        return None
    scores = rope_data(entry)
    _style()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.9, 1.75))
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    styles = [dict(color=BLUE, lw=1.2), dict(color=RED, ls="none", marker="o", ms=2.2,
                                             mfc="none", mew=0.5),
              dict(color="0.2", ls="none", marker="x", ms=1.8, mew=0.5)]
    for (n, (offsets, score)), style in zip(scores.items(), styles, strict=False):
        ax.plot(offsets, score, label=f"$n = {_tex_number(n)}$", **style)
    ax.set_xlim(-ROPE_OFFSET, ROPE_OFFSET)
    ax.set_xlabel(r"offset $m - n$", labelpad=1)
    ax.set_ylabel(r"$\langle f(q, m), f(k, n)\rangle$", labelpad=1)
    ax.legend(loc="lower left", fontsize=6.5, handlelength=1.5, ncol=3, columnspacing=0.8,
              bbox_to_anchor=(0, 1.0), borderaxespad=0.1)
    return _save(fig, ax, _file(entry, out, "offset"))


def _tex_number(n: int) -> str:
    if n >= 1000 and n == 10 ** round(math.log10(n)):
        return f"10^{{{round(math.log10(n))}}}"
    return str(n)


def rope_caption(entry: Entry) -> str:
    params = entry.domain.params if entry.domain else {}
    args = entry.domain.args if entry.domain else ()
    d = next((a.shape[-1] for a in args if a.name == "x"), "?")
    keys = ", ".join(_number(n) for n in ROPE_KEYS)
    return (
        f"the score ⟨f(q, m), f(k, n)⟩ against the offset m − n for a fixed q and k (d = {d}, "
        f"base {_number(params.get('base', 10000.0))}), with the key at n = {keys}: the "
        "three curves coincide, the score depends on m − n only"
    )


# ---------------------------------------------------------------- GELU approximations


def deviation_data(entry: Entry, points: int = 2401) -> tuple[np.ndarray, np.ndarray]:
    """x on `DEVIATION_RANGE` and Δ(x) = approximation − exact, both NumPy forms in fp64."""
    exact = get(APPROXIMATES[entry.id])
    assert entry.numpy is not None and exact.numpy is not None
    x = np.linspace(*DEVIATION_RANGE, points)
    params = entry.domain.params if entry.domain else {}
    exact_params = exact.domain.params if exact.domain else {}
    return x, _quiet(resolve(entry.numpy), x, **params) - _quiet(
        resolve(exact.numpy), x, **exact_params)


def worst_deviation(entry: Entry) -> tuple[float, float]:
    """The largest |Δ| on the range and the |x| where it is reached: the grid's largest,
    refined between its neighbours (Brent, on the same NumPy forms)."""
    from scipy.optimize import minimize_scalar

    x, delta = deviation_data(entry)
    i = int(np.nanargmax(np.abs(delta)))
    lo, hi = x[max(i - 1, 0)], x[min(i + 1, x.size - 1)]
    exact = get(APPROXIMATES[entry.id])
    assert entry.numpy is not None and exact.numpy is not None
    approx_form, exact_form = resolve(entry.numpy), resolve(exact.numpy)

    def minus_abs(t: float) -> float:
        point = np.array([t])
        return -abs(float(_quiet(approx_form, point)[0] - _quiet(exact_form, point)[0]))

    best = minimize_scalar(minus_abs, bounds=(lo, hi), method="bounded",
                           options={"xatol": 1e-9})
    if best.success and -best.fun >= abs(delta[i]):
        return float(-best.fun), float(abs(best.x))
    return float(abs(delta[i])), float(abs(x[i]))


def deviation_plot(entry: Entry, out: Path) -> Path | None:
    if entry.id not in APPROXIMATES or entry.numpy is None:
        return None
    x, delta = deviation_data(entry)
    worst, where = worst_deviation(entry)
    _style()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    fig, ax = plt.subplots(figsize=(2.9, 1.75))
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.plot(x, delta, color=BLUE)
    y = float(np.interp(where, x, delta))
    ax.plot([-where, where], [y, y], "o", color=RED, ms=2.5, zorder=3)
    # A free band beyond the extreme, for the note: nothing of the curve is under it.
    low, high = float(np.nanmin(delta)), float(np.nanmax(delta))
    band = 0.22 * (high - low)
    ax.set_ylim(low - (band if y < 0 else 0.06 * band), high + (band if y > 0 else 0.06 * band))
    ax.text(0.5, 0.98 if y > 0 else 0.02,
            rf"$\max\,|\Delta| = {_tex_sci(worst)}$ at $x = \pm{where:.4g}$",
            transform=ax.transAxes, fontsize=6.5, ha="center", va="top" if y > 0 else "bottom")
    ax.set_xlim(*DEVIATION_RANGE)
    formatter = ScalarFormatter(useMathText=True)
    formatter.set_powerlimits((-2, 2))
    ax.yaxis.set_major_formatter(formatter)
    ax.yaxis.get_offset_text().set_fontsize(6.5)
    ax.set_xlabel(r"$x$", labelpad=1)
    ax.set_ylabel(r"$\tilde{f}(x) - x\,\Phi(x)$", labelpad=1)
    return _save(fig, ax, _file(entry, out, "deviation"))


def _tex_sci(value: float) -> str:
    mantissa, exponent = f"{value:.3e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def deviation_caption(entry: Entry) -> str:
    worst, where = worst_deviation(entry)
    return (
        f"deviation of this approximation f̃ from exact GELU x·Φ(x) "
        f"({APPROXIMATES[entry.id]}), both NumPy forms in fp64; dots: the largest "
        f"|Δ| = {worst:.4g}, at x = ±{where:.5g}"
    )


# ---------------------------------------------------------------- which entry gets which


def _figures(entry: Entry) -> list[tuple[Callable[[Entry, Path], Path | None],
                                          Callable[[Entry], str]]]:
    if is_schedule(entry):
        return [(schedule_plot, schedule_caption)]
    if entry.id == "pos.sinusoidal":
        return [(sinusoidal_plot, lambda _: SINUSOIDAL_CAPTION)]
    if entry.id == "pos.rope":
        return [(rope_plot, rope_caption)]
    if entry.id in APPROXIMATES:
        return [(deviation_plot, deviation_caption)]
    return []


def form_figures(entry: Entry, out: Path) -> list[tuple[Path, str]]:
    """The entry's figures of this module with their captions; a failure only costs its
    figure (as in `plots.figures_for`)."""
    figures: list[tuple[Path, str]] = []
    for make, caption in _figures(entry):
        out.mkdir(parents=True, exist_ok=True)
        try:
            path = make(entry, out)
            if path:
                figures.append((path, caption(entry)))
        except Exception:
            pass
    return figures
