"""Section 4 · Activations: backend-neutral properties (violations in machine epsilons) and
custom checks (the GELU approximations' deviation, agreement with torch's built-ins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._library import SameAs
from mathcheck.numeric.checks._properties import (
    Args,
    Form,
    Limits,
    exact_shifts,
    largest_change,
    with_input,
)
from mathcheck.outcome import CheckContext, Outcome

# The shared properties, under the names this section's entries use.
sums_to_one = _properties.sums_to_one
in_unit_interval = _properties.in_unit_interval
in_symmetric_unit_interval = _properties.in_symmetric_unit_interval

SHIFTS = (-64.0, 3.0, 128.0, 1000.0)


def shift_invariant(f: Form, args: Args, backend: Backend, limits: Limits = None) -> float:
    """max |f(z + c) − f(z)| in eps, for integer z and the shifts c for which z + c is exact
    in the dtype (and inside the `limits` the implementation is specified on)."""
    z = backend.to_numpy(args["z"])
    shifted = (with_input(f, args, backend, "z", z + c)
               for c in exact_shifts(z, SHIFTS, backend.dtype, "z", limits))
    return largest_change(backend.to_numpy(f(**args)), shifted) / backend.eps


# --------------------------------------------------------------------------- GELU deviation

#: The largest |approximation − x·Φ(x)| and where it is reached (|x|), to the digits stated in
#: the entries' notes. The difference is even in x (both satisfy f(x) − f(−x) = x).
GELU_SIGMOID_DEVIATION = (0.02033, 2.2704)
GELU_TANH_DEVIATION = (4.732e-4, 2.6989)


def _max_deviation(approx: Callable[[Any], Any]) -> tuple[float, float]:
    """max_x |approx(x) − x·Φ(x)| at 30 digits: a grid over [0, 8] (the deviation is even and
    decays like the Gaussian tail beyond), then the stationary point refined by a secant solve."""
    import mpmath

    with mpmath.workdps(30):
        def deviation(t: Any) -> Any:
            return approx(t) - t * mpmath.erfc(-t / mpmath.sqrt(2)) / 2

        grid = [mpmath.mpf(i) / 50 for i in range(1, 401)]
        start = max(grid, key=lambda t: abs(deviation(t)))
        peak = mpmath.findroot(lambda t: mpmath.diff(deviation, t), start)
        return float(abs(deviation(peak))), float(peak)


def _deviation_outcome(approx: Callable[[Any], Any], stated: tuple[float, float]) -> Outcome:
    value, where = _max_deviation(approx)
    # The stated figures carry 4 significant digits (value) and 5 (abscissa): half a unit
    # in their last digit is what they may be off by.
    tolerance = 0.5 * 10 ** (np.floor(np.log10(stated[0])) - 3)
    ok = abs(value - stated[0]) <= tolerance and abs(where - stated[1]) <= 0.5e-4
    detail = (f"max |Δ| = {value:.6g} at x = ±{where:.6g} (30-digit mpmath); stated "
              f"{stated[0]:g} at ±{stated[1]:g}")
    return Outcome.verdict(ok, detail, error=abs(value - stated[0]),
                           budget=float(tolerance), unit="absolute", worst_input=f"x={where!r}")


def gelu_sigmoid_max_deviation(ctx: CheckContext) -> Outcome:
    """The sigmoid approximation's worst deviation from exact GELU, recomputed."""
    import mpmath

    k = mpmath.mpf("1.702")
    return _deviation_outcome(lambda t: t / (1 + mpmath.exp(-k * t)), GELU_SIGMOID_DEVIATION)


def gelu_tanh_max_deviation(ctx: CheckContext) -> Outcome:
    """The tanh approximation's worst deviation from exact GELU, recomputed."""
    import mpmath

    c = mpmath.mpf("0.044715")
    return _deviation_outcome(
        lambda t: t * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (t + c * t**3))) / 2,
        GELU_TANH_DEVIATION,
    )


# --------------------------------------------------------------------------- torch built-ins


def _functional() -> Any:
    import torch.nn.functional as F

    return F


# torch's built-ins called with the canonical arguments (`Reference` claims; the torch pack
# generates a job from each): compared in ulps of max(|y|, 1) of the dtype under test.
torch_relu = SameAs(lambda x: _functional().relu(x), "torch.relu", "unit")
torch_leaky_relu = SameAs(lambda x, alpha: _functional().leaky_relu(x, alpha),
                          "torch.nn.functional.leaky_relu", "unit")
torch_gelu = SameAs(lambda x: _functional().gelu(x), "torch.nn.functional.gelu", "unit")
torch_gelu_tanh = SameAs(lambda x: _functional().gelu(x, approximate="tanh"),
                         "torch.nn.functional.gelu(approximate='tanh')", "unit")
torch_silu = SameAs(lambda x: _functional().silu(x), "torch.nn.functional.silu", "unit")
torch_tanh = SameAs(lambda x: _functional().tanh(x), "torch.tanh", "unit")


# --------------------------------------------------------------------------- softplus, erf


def _reflection(f: Form, args: Args, backend: Backend, sign: float, slope: float,
                limits: Limits = None) -> float:
    """max |f(x) + sign·f(−x) − slope·x| relative to max(|f(x)|, |f(−x)|), in eps; formed in
    longdouble on the dtype's exact values (inf for a NaN or non-finite gap; 0 where both
    outputs are 0 and so is the gap). Inputs whose −x leaves the `limits` the implementation
    is specified on are left out."""
    x = backend.to_numpy(args["x"])
    low, high = (limits or {}).get("x", (-np.inf, np.inf))
    kept = (-x >= low) & (-x <= high)
    up = backend.to_numpy(f(**args)).astype(np.longdouble)
    down = with_input(f, args, backend, "x", np.where(kept, -x, x)).astype(np.longdouble)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        gap = np.abs(up + sign * down - slope * x.astype(np.longdouble))
        scale = np.maximum(np.abs(up), np.abs(down))
        ratio = np.where(~kept | (gap == 0), 0.0, gap / scale)
    if not np.isfinite(ratio).all():
        return float("inf")
    return float(np.max(ratio, initial=0.0)) / backend.eps


def softplus_odd_part(f: Form, args: Args, backend: Backend, limits: Limits = None) -> float:
    """softplus(x) − softplus(−x) = x, relative to softplus(|x|) (the larger output)."""
    return _reflection(f, args, backend, -1.0, 1.0, limits)


def odd(f: Form, args: Args, backend: Backend, limits: Limits = None) -> float:
    """f(−x) = −f(x), relative to the larger |output|."""
    return _reflection(f, args, backend, 1.0, 0.0, limits)


def non_negative(f: Form, args: Args, backend: Backend) -> float:
    """How far below 0 any output lies, in eps (the shared property)."""
    return _properties.non_negative(f, args, backend)


def non_positive(f: Form, args: Args, backend: Backend) -> float:
    """How far above 0 any output lies, in eps (the shared property)."""
    return _properties.non_positive(f, args, backend)
