"""One shard: run the implementation on every pattern, score it, keep a summary.

Vectorised throughout, in chunks of 2²⁰ so memory stays flat (a 2²⁴ shard is ~1 GB as whole
fp64 arrays): the implementation in its dtype (torch on one thread: each Ray task is one
core), the fp64 reference (`_reference`) or the engine's screen, the ulp rule of
`numeric.ulp_errors` (the entry's error scale; overflow, flush-to-zero and non-finite results
as the engine scores them). The summary is plain JSON: counts per ulp bin, the K worst inputs
and the inputs nearest the half-ulp boundary, each with the value the implementation gave in
its batch (what the oracle judges later), the non-finite inputs, and a max-per-block profile.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from mathcheck.errors import NotSupportedError
from mathcheck.numeric import error_scale, fmt, ulp_errors
from mathcheck.sweep._reference import reference_for
from mathcheck.sweep._spec import SweepSpec, resolved

CHUNK = 2**20
#: Upper edges of the ulp bins: ≤ 0.5 (correctly rounded), (0.5, 1], (1, 2], … , > 2²⁰, ∞
EDGES = np.array([0.5] + [2.0**k for k in range(0, 21)])
BINS = len(EDGES) + 2  # the last bin: an infinite error (NaN, a wrong infinity)
BAND = 1e-3  # |error − ½| below this: near a rounding boundary, re-measured by the oracle
BOUNDARY_KEEP = 16
PROFILE_POINTS = 2**16  # points of the error-against-x plot, over the whole sweep


def bin_labels() -> list[str]:
    labels = ["≤0.5"] + [f"≤{e:g}" for e in EDGES[1:]] + [f">{EDGES[-1]:g}", "inf"]
    return labels


def agreement_scale(spec: SweepSpec) -> str:
    from mathcheck.formulas import Agreement

    entry, _, _ = resolved(spec)
    claim = next(c for c in entry.claims if isinstance(c, Agreement))
    return claim.budget.scale


def _implementation(spec: SweepSpec) -> Any:
    """x (fp64 values of the dtype) → (the implementation's output as fp64, its dtype)."""
    _, fn, params = resolved(spec)
    if spec.backend == "numpy":
        np_dtype = numpy_dtype(spec.dtype)

        def run_numpy(x: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                out = np.asarray(fn(x.astype(np_dtype), **params))
            return out.astype(np.float64), out.dtype.name

        return run_numpy
    import torch

    t_dtype = getattr(torch, spec.dtype)
    device = torch.device(spec.device)

    def run_torch(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            # fp32 first: torch has no bf16 from NumPy; every value is exact in fp32
            with np.errstate(invalid="ignore"):  # NaN payloads
                src = x if spec.dtype == "float64" else x.astype(np.float32)
            t = torch.from_numpy(src).to(device).to(t_dtype)
            out = fn(t, **params)
            # one copy back per chunk of 2²⁰: the reference and the scoring run on the CPU
            return out.to(torch.float64).cpu().numpy(), str(out.dtype).removeprefix("torch.")

    return run_torch


def numpy_dtype(name: str) -> np.dtype:
    """NumPy's dtype; bfloat16 is ml_dtypes' (what JAX takes), given only to an --impl."""
    if name != "bfloat16":
        return np.dtype(name)
    try:
        import ml_dtypes
    except ImportError:
        raise NotSupportedError("bfloat16 arrays for --backend numpy need ml_dtypes "
                                "(pip install ml_dtypes; JAX installs it)") from None
    return np.dtype(ml_dtypes.bfloat16)


def _reference(spec: SweepSpec) -> tuple[Any, str]:
    """The vectorised reference and its name: the hand-written fp64 one for fp32 and below,
    else the engine's extended-precision screen."""
    entry, _, params = resolved(spec)
    ref = reference_for(spec.entry_id)
    if ref is not None and spec.dtype != "float64":
        name = "fp64 reference (mathcheck.sweep._reference)"
        return (lambda x: ref(x, **params)), name
    from mathcheck.crosscheck import FormCache

    screen = FormCache(entry, entry.domain).screen({})
    arg = entry.domain.args[0].name

    def run_screen(x: np.ndarray) -> np.ndarray:
        hi, lo = screen({arg: x})
        return hi + lo

    return run_screen, "engine screen (SymPy form in longdouble, or fp64)"


def run_shard(spec: SweepSpec, index: int) -> dict[str, Any]:
    """The summary of shard `index` (see the module docstring)."""
    started = time.perf_counter()
    threads = _one_thread(spec)
    try:
        summary = _shard(spec, index)
    finally:
        _restore_threads(spec, threads)
    summary["seconds"] = time.perf_counter() - started
    return summary


def _one_thread(spec: SweepSpec) -> int | None:
    if spec.backend != "torch":
        return None
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    return before


def _restore_threads(spec: SweepSpec, before: int | None) -> None:
    if before is not None:
        import torch

        torch.set_num_threads(before)


def _shard(spec: SweepSpec, index: int) -> dict[str, Any]:
    entry, _, _ = resolved(spec)
    arg = entry.domain.args[0]
    low = max(arg.low, fmt(spec.dtype).tiny) if arg.kind == "positive" else arg.low
    impl = _implementation(spec)
    ref, _ = _reference(spec)
    scale_mode = agreement_scale(spec)
    hist = np.zeros(BINS, dtype=np.int64)
    worst: list[tuple[float, float, float]] = []  # (error, x, got)
    boundary: list[tuple[float, float, float]] = []
    near = 0
    in_domain = nan_inputs = nan_wrong = 0
    infinities: list[tuple[float, float]] = []
    nan_examples: list[tuple[float, float]] = []
    blocks = max(1, PROFILE_POINTS // spec.shards)
    profile: list[tuple[float, float]] = []
    returned_dtypes: set[str] = set()
    values = spec.patterns(index)
    per_block = max(1, values.size // blocks)
    for start in range(0, values.size, CHUNK):
        x = values[start : start + CHUNK]
        got, returned = impl(x)
        if returned != spec.dtype:
            returned_dtypes.add(returned)
        if got.shape != x.shape:
            raise ValueError(f"the implementation returned shape {got.shape} for {x.shape}")
        finite = np.isfinite(x)
        inside = finite & (x >= low) & (x <= arg.high)
        nan_in = np.isnan(x)
        nan_inputs += int(nan_in.sum())
        wrong = nan_in & ~np.isnan(got)
        nan_wrong += int(wrong.sum())
        pairs = zip(x[wrong][:4], got[wrong][:4], strict=True)
        nan_examples += [(float(a), float(b)) for a, b in pairs]
        for point in x[np.isinf(x)]:
            infinities.append((float(point), float(got[np.flatnonzero(x == point)[0]])))
        xs, gs = x[inside], got[inside]
        in_domain += xs.size
        with np.errstate(all="ignore"):
            exact = ref(xs)
        err = fast_ulp_errors(gs, exact, scale_mode, spec.dtype)
        codes = np.searchsorted(EDGES, err, side="left")
        codes[np.isinf(err)] = BINS - 1
        hist += np.bincount(codes, minlength=BINS)
        worst = _keep_worst(worst, err, xs, gs, spec.top_k)
        close = np.flatnonzero(np.abs(err - 0.5) < BAND)
        near += close.size
        boundary = _keep_closest(boundary, err[close], xs[close], gs[close])
        full = np.where(inside, 0.0, -1.0)
        full[inside] = err
        profile += _profile(full, x, per_block)
    return {
        "index": index,
        "patterns": int(values.size),
        "in_domain": in_domain,
        "hist": hist.tolist(),
        "worst": worst,
        "boundary": boundary,
        "near_boundary": near,
        "nan_inputs": nan_inputs,
        "nan_wrong": nan_wrong,
        "nan_examples": nan_examples[:4],
        "infinities": infinities,
        "profile": profile,
        "returned_dtypes": sorted(returned_dtypes),  # other than the input's: a failure
    }


def fast_ulp_errors(got: np.ndarray, exact: np.ndarray, scale_mode: str,
                    dtype: str) -> np.ndarray:
    """`numeric.ulp_errors` against an fp64 `exact`, in a third of its time: the ulp from the
    exponent bits for the ordinary inputs (a finite result, an exact value in range),
    and `ulp_errors` itself for the rest, so the rule is the engine's everywhere."""
    f = fmt(dtype)
    if f.precision >= 53:
        return ulp_errors(got, exact, np.zeros_like(exact), error_scale(exact, scale_mode, 0),
                          dtype)
    with np.errstate(all="ignore"):
        magnitude = np.abs(exact)
        scale = np.maximum(magnitude, 1.0 if scale_mode == "unit" else f.tiny)
        biased = scale.view(np.int64) >> 52  # ⌊log₂ s⌋ + 1023 for a normal fp64 s
        unit = ((biased - (f.precision - 1)) << 52).view(np.float64)
        # below the normal range: min(d/ulp, d/tiny), the engine's flush-to-zero allowance
        unit = np.where(magnitude < f.tiny, np.maximum(unit, f.tiny), unit)
        err = np.abs(got - exact) / unit
        odd = ~np.isfinite(err) | (magnitude >= f.overflow_threshold)
    rows = np.flatnonzero(odd)
    if rows.size:
        e = exact[rows]
        err[rows] = ulp_errors(got[rows], e, np.zeros_like(e), error_scale(e, scale_mode, 0),
                               dtype)
    return err


def _keep_worst(kept: list[tuple[float, float, float]], err: np.ndarray, xs: np.ndarray,
                got: np.ndarray, k: int) -> list[tuple[float, float, float]]:
    if err.size > k:
        pick = np.argpartition(-err, k)[:k]
    else:
        pick = np.arange(err.size)
    merged = kept + [(float(err[i]), float(xs[i]), float(got[i])) for i in pick]
    merged.sort(key=lambda t: (-t[0], t[1]))  # deterministic: error, then input
    return merged[:k]


def _keep_closest(kept: list[tuple[float, float, float]], err: np.ndarray, xs: np.ndarray,
                  got: np.ndarray) -> list[tuple[float, float, float]]:
    merged = kept + [(float(e), float(a), float(b)) for e, a, b in zip(err, xs, got, strict=True)]
    merged.sort(key=lambda t: (abs(t[0] - 0.5), t[1]))
    return merged[:BOUNDARY_KEEP]


def _profile(err: np.ndarray, x: np.ndarray, per_block: int) -> list[tuple[float, float]]:
    """(x, error) of each block's worst input (error −1: nothing in the domain there)."""
    n = err.size // per_block * per_block
    if n == 0:
        return []
    blocks = err[:n].reshape(-1, per_block)
    at = np.argmax(blocks, axis=1)
    rows = np.arange(blocks.shape[0])
    xs = x[:n].reshape(-1, per_block)[rows, at]
    es = blocks[rows, at]
    keep = es >= 0
    return [(float(a), float(b)) for a, b in zip(xs[keep], es[keep], strict=True)]
