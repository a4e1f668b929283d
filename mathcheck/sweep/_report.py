"""A sweep's outputs: the terminal summary, the JSON file and the plot of error against x."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from mathcheck.errors import InvalidInputError


def _plain(value: Any) -> Any:
    """JSON without NaN/Infinity tokens: non-finite floats as the strings "nan", "inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def writable(path: str | None) -> None:
    """A --json/--plot path that cannot be written is a usage error before any work."""
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InvalidInputError(f"cannot write {path}: no folder {parent}")


def write_json(result: dict[str, Any], path: str) -> None:
    public = {k: v for k, v in result.items() if k != "profile"}
    Path(path).write_text(json.dumps(_plain(public), indent=2, ensure_ascii=False) + "\n")


def write_plot(result: dict[str, Any], path: str) -> None:
    """Error (ulps, log scale) against x (symlog), each point the worst of a block of inputs,
    the budget as a line and the confirmed worst case marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [(x, e) for x, e in result.get("profile", []) if math.isfinite(e)]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if points:
        xs, es = zip(*sorted(points), strict=True)
        floor = 1e-6
        ax.scatter(xs, [max(e, floor) for e in es], s=2, color="tab:blue",
                   label="worst per block (reference)")
    ax.axhline(result["budget_ulps"], color="tab:red", lw=1,
               label=f"budget {result['budget_ulps']:g} ulp")
    ax.axhline(0.5, color="grey", lw=0.8, ls="--", label="½ ulp (correctly rounded)")
    if result.get("worst_x") is not None:
        ax.scatter([result["worst_x"]], [max(result["worst_ulps"], 1e-6)], s=40,
                   facecolors="none", edgecolors="black", label="worst (oracle)")
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_yscale("log")
    ax.set_xlabel("x")
    ax.set_ylabel(f"error (ulps of {result['dtype']}, scale {result['error_scale']})")
    ax.set_title(f"{result['entry']}: {result['implementation']}, {result['dtype']} "
                 f"({result['search']}, {result['inputs']:,} inputs)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def render(result: dict[str, Any]) -> str:
    """The terminal summary: a few lines a reader can quote."""
    cr = result["correctly_rounded_fraction"]
    lines = [
        f"{result['entry']} · {result['implementation']} · {result['dtype']} · "
        f"{result['search']}: {result['inputs']:,} inputs in {result['shards']} shard(s) "
        f"({result['where']})",
        f"worst error {result['worst_ulps']:.4g} ulp at x = {result['worst_x']!r} "
        f"(got {result['worst_got']!r}, exact {result['worst_exact']!r}; confirmed by the "
        f"oracle) — budget {result['budget_ulps']:g} ulp: {result['verdict']}",
        f"correctly rounded: {cr:.6%} ({result['correctly_rounded']:,}"
        + (f", {result['unresolved_near_boundary']:,} near-boundary unresolved"
           if result["unresolved_near_boundary"] else "") + ")" if cr is not None else
        "correctly rounded: no inputs",
        "histogram: " + ", ".join(f"{k}: {v:,}" for k, v in result["histogram"].items() if v),
        f"reference: {result['reference']}; largest reference−oracle gap "
        f"{result['reference_oracle_gap_ulps']:.2g} ulp",
    ]
    if result.get("why"):
        lines.append(f"fail: {result['why']}")
    for p in result["nonfinite"]:
        lines.append(f"x = {p['x']}: got {p['got']}, limit {p['limit']}: {p['verdict']}")
    if result.get("sample"):
        lines.append(f"sample: {result['sample']}")
    return "\n".join(lines)
