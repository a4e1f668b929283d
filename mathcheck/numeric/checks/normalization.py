"""Section 7 · Normalization: invariants (violations in eps) and comparisons with torch built-ins.

Property checks receive the form with its parameters bound (a `functools.partial`); the ε
they need for the exact targets is read back from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric._backend import backend as make_backend
from mathcheck.numeric._dtypes import round_to
from mathcheck.numeric.checks._compare import within
from mathcheck.numeric.checks._context import numpy_rng
from mathcheck.numeric.checks._properties import (
    Args,
    Form,
    Limits,
    inside,
    largest_change,
    ulps_apart,
)
from mathcheck.outcome import CheckContext, Outcome

SHIFTS = (-64.0, 3.0, 100.0)  # integer shifts keep integer inputs exact in every dtype
SCALES = (4.0, 0.25)  # powers of two scale exactly; ε is scaled by a² alongside


def _eps(f: Form) -> float:
    return float(getattr(f, "keywords", {}).get("eps", 0.0))


def _unit(backend: Backend, n: int) -> tuple[Any, Any]:
    return backend.asarray(np.ones(n)), backend.asarray(np.zeros(n))


def _pre_affine(f: Form, x: Any, args: Args, backend: Backend, **kw: Any) -> np.ndarray:
    """x̂: the form with γ = 1 (and β = 0 where it has one: RMSNorm has none)."""
    ones, zeros = _unit(backend, backend.to_numpy(x).shape[-1])
    affine = {"gamma": ones, "beta": zeros} if "beta" in args else {"gamma": ones}
    return backend.to_numpy(f(x=x, **affine, **kw))


def _standardized(f: Form, args: Args, backend: Backend, axis: int) -> float:
    """max(|mean x̂|, |var x̂ − σ²/(σ² + ε)|) over `axis`, in eps; σ² in fp64 from the inputs."""
    x = backend.to_numpy(args["x"])
    xhat = _pre_affine(f, args["x"], args, backend)
    var = x.var(axis=axis)
    target = var / (var + _eps(f))
    worst = np.maximum(np.abs(xhat.mean(axis=axis)), np.abs(xhat.var(axis=axis) - target))
    return float(np.max(worst)) / backend.eps


def standardized_features(f: Form, args: Args, backend: Backend) -> float:
    """LayerNorm: over the features (last axis) x̂ has mean 0 and variance σ²/(σ² + ε) ≈ 1."""
    return _standardized(f, args, backend, -1)


def standardized_batch(f: Form, args: Args, backend: Backend) -> float:
    """BatchNorm: over the batch (axis −2) each feature has mean 0 and variance ≈ 1."""
    return _standardized(f, args, backend, -2)


def unit_rms(f: Form, args: Args, backend: Backend) -> float:
    """RMSNorm: RMS(x̂) = √(m/(m + ε)) ≈ 1 with m = mean(x²), in eps."""
    x = backend.to_numpy(args["x"])
    xhat = _pre_affine(f, args["x"], args, backend)
    ms = (x * x).mean(axis=-1)
    target = np.sqrt(ms / (ms + _eps(f)))
    return float(np.max(np.abs(np.sqrt((xhat * xhat).mean(axis=-1)) - target))) / backend.eps


def shift_invariant(f: Form, args: Args, backend: Backend, limits: Limits = None) -> float:
    """max |x̂(x + c) − x̂(x)| in eps, integer x and c so that x + c is exact in any dtype
    (and inside the `limits` the implementation is specified on)."""
    x = backend.to_numpy(args["x"])
    shifted = (_pre_affine(f, backend.asarray(x + c), args, backend) for c in SHIFTS
               if inside(limits, "x", x + c))
    return largest_change(_pre_affine(f, args["x"], args, backend), shifted) / backend.eps


def scale_invariant(f: Form, args: Args, backend: Backend, limits: Limits = None) -> float:
    """max |x̂(a·x; a²ε) − x̂(x; ε)| in eps: with ε scaled along, normalising ignores the scale
    (scales that leave the `limits` the implementation is specified on are not tried)."""
    x, eps = backend.to_numpy(args["x"]), _eps(f)
    scaled = (_pre_affine(f, backend.asarray(a * x), args, backend, eps=eps * a * a)
              for a in SCALES if inside(limits, "x", a * x))
    return largest_change(_pre_affine(f, args["x"], args, backend), scaled) / backend.eps


# ------------------------------------------------------------------ torch built-ins

def _ulps_apart(ours: np.ndarray, theirs: np.ndarray, dtype: str) -> float:
    """Largest difference in ulps of max(|ours|, 1) (x̂ is O(1), so this is the natural unit)."""
    return float(np.max(ulps_apart(theirs, ours, dtype)))


def _inputs(ctx: CheckContext, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    rng = numpy_rng(ctx)
    return {"x": round_to(rng.normal(3.0, 2.0, shape), ctx.dtype),
            "gamma": round_to(rng.uniform(0.5, 2.0, shape[-1]), ctx.dtype),
            "beta": round_to(rng.uniform(-1.0, 1.0, shape[-1]), ctx.dtype)}


def _verdict(name: str, error: float, budget: float, detail: str) -> Outcome:
    return within(error, budget, f"{name}: {detail}; differ by {error:.3g} ulp of max(|y|, 1)",
                  "ulp")


def matches_torch_layer_norm(ctx: CheckContext, budget: float = 16.0) -> Outcome:
    """Ours vs torch.nn.functional.layer_norm (same convention: biased variance, ε inside √)."""
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.normalization import layer_norm

    b = make_backend("torch", ctx.dtype, ctx.device)
    a = {k: b.asarray(v) for k, v in _inputs(ctx, (16, 8)).items()}
    ours = b.to_numpy(layer_norm(**a, eps=1e-5))
    theirs = b.to_numpy(F.layer_norm(a["x"], (8,), a["gamma"], a["beta"], eps=1e-5))
    return _verdict("F.layer_norm", _ulps_apart(ours, theirs, ctx.dtype), budget,
                    "16 rows of 8 features, x ~ N(3, 2²)")


def matches_torch_rms_norm(ctx: CheckContext, budget: float = 16.0) -> Outcome:
    """Ours vs torch.nn.functional.rms_norm (ε inside the square root, as ours)."""
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.normalization import rms_norm

    b = make_backend("torch", ctx.dtype, ctx.device)
    a = {k: b.asarray(v) for k, v in _inputs(ctx, (16, 8)).items()}
    ours = b.to_numpy(rms_norm(a["x"], a["gamma"], eps=1e-6))
    theirs = b.to_numpy(F.rms_norm(a["x"], (8,), a["gamma"], eps=1e-6))
    return _verdict("F.rms_norm", _ulps_apart(ours, theirs, ctx.dtype), budget,
                    "16 rows of 8 features")


def matches_torch_batch_norm(ctx: CheckContext, budget: float = 16.0) -> Outcome:
    """Ours vs torch.nn.functional.batch_norm(training=True): the output normalises with the
    biased batch variance; the running variance is updated with the *unbiased* one."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.normalization import batch_norm

    b = make_backend("torch", ctx.dtype, ctx.device)
    m, n, momentum = 16, 4, 0.1
    raw = _inputs(ctx, (m, n))
    a = {k: b.asarray(v) for k, v in raw.items()}
    running_mean = torch.zeros(n, dtype=a["x"].dtype, device=a["x"].device)
    running_var = torch.ones(n, dtype=a["x"].dtype, device=a["x"].device)
    theirs = F.batch_norm(a["x"], running_mean, running_var, a["gamma"], a["beta"],
                          training=True, momentum=momentum, eps=1e-5)
    error = _ulps_apart(b.to_numpy(batch_norm(**a, eps=1e-5)), b.to_numpy(theirs), ctx.dtype)
    unbiased = raw["x"].var(axis=0, ddof=1)
    expected_running = (1 - momentum) * 1.0 + momentum * unbiased
    running_error = _ulps_apart(expected_running, b.to_numpy(running_var), ctx.dtype)
    detail = (f"batch of {m}, {n} features; running_var = 0.9 + 0.1·unbiased var within "
              f"{running_error:.3g} ulp")
    return _verdict("F.batch_norm", max(error, running_error), budget, detail)


#: BatchNorm: shifting every sample by the same integer leaves x̂ unchanged.
shift_invariant_batch = shift_invariant
