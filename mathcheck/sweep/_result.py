"""Merging shard summaries, and confirming what they found with the mpmath oracle.

The vectorised reference ranks; the oracle (`numeric._oracle.Oracle`, ≥ 50 digits, the
engine's) re-measures the K worst inputs and those whose screened error lies within `BAND` of
½ ulp, judging the value the implementation gave in its batch. The reported worst error is
the oracle's; the share correctly rounded counts the boundary cases by the oracle's verdict,
and says how many near-boundary inputs were left unmeasured (then it is an interval).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mathcheck.crosscheck import FormCache
from mathcheck.crosscheck import nonfinite_limits as limits
from mathcheck.formulas import Agreement
from mathcheck.numeric import error_scale, fmt, ulp_errors
from mathcheck.sweep._kernel import BINS, agreement_scale, bin_labels
from mathcheck.sweep._reference import BOUND, reference_for
from mathcheck.sweep._spec import SweepSpec, resolved


def merge(spec: SweepSpec, shards: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One summary from all shards (order-independent: equal however the range was cut)."""
    hist = np.zeros(BINS, dtype=np.int64)
    worst: list[tuple[float, float, float]] = []
    boundary: list[tuple[float, float, float]] = []
    merged: dict[str, Any] = {"patterns": 0, "in_domain": 0, "near_boundary": 0,
                              "nan_inputs": 0, "nan_wrong": 0, "seconds": 0.0}
    infinities: list[tuple[float, float]] = []
    nan_examples: list[tuple[float, float]] = []
    profile: list[tuple[float, float]] = []
    returned: set[str] = set()
    for index in sorted(shards):
        s = shards[index]
        hist += np.asarray(s["hist"], dtype=np.int64)
        worst += [tuple(w) for w in s["worst"]]
        boundary += [tuple(b) for b in s["boundary"]]
        for name in ("patterns", "in_domain", "near_boundary", "nan_inputs", "nan_wrong",
                     "seconds"):
            merged[name] += s[name]
        infinities += [tuple(p) for p in s["infinities"]]
        nan_examples += [tuple(p) for p in s["nan_examples"]]
        profile += [tuple(p) for p in s["profile"]]
        returned |= set(s.get("returned_dtypes", ()))
    worst.sort(key=lambda t: (-t[0], t[1]))
    boundary.sort(key=lambda t: (abs(t[0] - 0.5), t[1]))
    merged.update(hist=hist.tolist(), worst=worst[: spec.top_k], boundary=boundary[:64],
                  infinities=sorted(infinities), nan_examples=nan_examples[:4],
                  profile=profile, returned_dtypes=sorted(returned))
    return merged


def confirm(spec: SweepSpec, merged: dict[str, Any]) -> dict[str, Any]:
    """The oracle's figures for the worst and near-boundary inputs; the verdict and the
    fractions; the non-finite inputs judged against SymPy's limits."""
    entry, _, _ = resolved(spec)
    claim = next(c for c in entry.claims if isinstance(c, Agreement))
    budget = float(claim.budget.allowed(spec.dtype, {}))
    oracle = FormCache(entry, entry.domain).oracle({})
    arg = entry.domain.args[0].name
    scale = agreement_scale(spec)

    def measured(rows: list[tuple[float, float, float]]) -> list[dict[str, float]]:
        if not rows:
            return []
        xs = np.array([r[1] for r in rows])
        got = np.array([r[2] for r in rows])
        hi, lo = oracle({arg: xs})
        err = ulp_errors(got, hi, lo, error_scale(hi, scale, 0), spec.dtype)
        return [{"x": float(x), "got": float(g), "exact": float(h), "screened": float(r[0]),
                 "ulps": float(e)} for x, g, h, e, r in zip(xs, got, hi, err, rows, strict=True)]

    worst = measured(merged["worst"])
    boundary = measured(merged["boundary"])
    n = merged["in_domain"]
    hist = merged["hist"]
    correct = int(hist[0])
    # near-boundary inputs the oracle measured: count them by its verdict instead
    for b in boundary:
        correct += int(b["ulps"] <= 0.5) - int(b["screened"] <= 0.5)
    unresolved = max(merged["near_boundary"] - len(boundary), 0)
    gaps = [abs(w["ulps"] - w["screened"]) for w in worst + boundary]
    gap = max((g for g in gaps if np.isfinite(g)), default=0.0)
    top = max(worst, key=lambda w: w["ulps"]) if worst else None
    nonfinite = _nonfinite(spec, merged, budget)
    worst_ulps = top["ulps"] if top else 0.0
    wrong_dtype = merged["returned_dtypes"]  # the engine's rule: a form preserves its dtype
    ok = (worst_ulps <= budget and not wrong_dtype
          and not any(p["verdict"] == "wrong" for p in nonfinite))
    ref = reference_for(spec.entry_id)
    bound = BOUND.get(spec.entry_id) if ref is not None and spec.dtype != "float64" else None
    return {
        "entry": spec.entry_id,
        "implementation": spec.impl or f"mathcheck {spec.backend} form",
        "device": spec.device,
        "where": (f"implementation on {spec.device}; reference, scoring and oracle on the CPU"
                  if spec.device != "cpu" else "all on the CPU"),
        "backend": spec.backend,
        "dtype": spec.dtype,
        "search": spec.how,
        "patterns": merged["patterns"],
        "inputs": n,
        "sample": (f"{spec.total} of 2^64 bit patterns (Weyl sequence i·0x9E3779B97F4A7C15)"
                   if spec.how == "sampled" else None),
        "shards": spec.shards,
        "worst_ulps": worst_ulps,
        "worst_x": top["x"] if top else None,
        "worst_got": top["got"] if top else None,
        "worst_exact": top["exact"] if top else None,
        "budget_ulps": budget,
        "budget_why": claim.budget.why,
        "error_scale": scale,
        "verdict": "pass" if ok else "fail",
        "returned_dtypes": wrong_dtype,
        "why": (f"returned {', '.join(wrong_dtype)} for {spec.dtype} input (must preserve "
                "dtype; errors measured on the unrounded output)") if wrong_dtype else None,
        "correctly_rounded": correct,
        "correctly_rounded_fraction": correct / n if n else None,
        "unresolved_near_boundary": unresolved,
        "histogram": dict(zip(bin_labels(), (int(h) for h in hist), strict=True)),
        "worst": worst,
        "boundary": boundary,
        "reference": (f"fp64 reference, relative error ≤ {bound[0]:.2g} ({bound[1]})"
                      if bound else "engine screen, no stated bound: only the oracle's "
                      "figures are certain"),
        "reference_oracle_gap_ulps": gap,
        "oracle": "mpmath ≥ 50 digits, adaptive (mathcheck.numeric._oracle)",
        "nan_inputs": merged["nan_inputs"],
        "nan_not_propagated": merged["nan_wrong"],
        "nonfinite": nonfinite,
        "seconds_in_shards": merged["seconds"],
    }


def _nonfinite(spec: SweepSpec, merged: dict[str, Any], budget: float) -> list[dict[str, Any]]:
    """±∞ against SymPy's limits (NaN there is a convention, as in the engine); NaN → NaN."""
    entry, _, _ = resolved(spec)
    arg = entry.domain.args[0]
    from mathcheck.formulas import resolve

    form = resolve(entry.symbolic)()
    expected = limits(form, dict(entry.domain.params))
    found: list[dict[str, Any]] = []
    for x, got in merged["infinities"]:
        if x not in (arg.low, arg.high):
            continue
        want = expected.get(x)
        if want is None:
            verdict = "not examined (no limit)"
        elif np.isnan(got):
            verdict = "convention (NaN)"
        elif np.isinf(want) or abs(want) >= fmt(spec.dtype).overflow_threshold:
            verdict = "ok" if got == want or (np.isinf(got) and np.sign(got) == np.sign(want)) \
                else "wrong"
        else:
            err = float(ulp_errors(np.array([got]), np.array([want]), np.zeros(1),
                                   error_scale(np.array([want]), agreement_scale(spec), 0),
                                   spec.dtype)[0])
            verdict = "ok" if err <= budget else "wrong"
        found.append({"x": x, "got": got, "limit": want, "verdict": verdict})
    if merged["nan_wrong"] and arg.low == -np.inf and arg.high == np.inf:
        found.append({"x": float("nan"), "got": merged["nan_examples"][0][1], "limit": None,
                      "verdict": "wrong", "count": merged["nan_wrong"]})
    return found
