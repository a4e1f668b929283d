"""The property library: measures and properties that several sections' checks share.

A property (a `Property` claim's check) is `(f, args, backend) -> violation`: `f` the form
under test with its parameters bound, `args` its generated inputs (arrays of the backend, in
the dtype under test), `backend` the `Backend` that made them; the violation is in machine
epsilons of that dtype (0 = holds exactly). Outputs are read back as fp64 NumPy, so what is
measured is the form's error, not the checker's.

Kinds: ranges (how far outside an interval an output lies), sums (rows summing to one),
invariances (a transformation of the inputs that leaves the output unchanged), symmetry (two
arguments exchanged) and stated conventions (a similarity of a zero vector). A section module
binds the properties its catalog entries name to these, or wraps a parametrised one with its
own transformation; the measures below serve the sections' own properties too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric._dtypes import fmt, round_to, ulp
from mathcheck.numeric._ulps import error_scale

Form = Callable[..., Any]
Args = Mapping[str, Any]

# ------------------------------------------------------------------------------- measures


def outside(values: Any, low: float = -math.inf, high: float = math.inf) -> float:
    """How far outside [low, high] any value lies: 0 inside, inf for NaN. An infinite bound
    is no bound (+∞ is ≥ 0)."""
    y = np.asarray(values, dtype=np.float64)
    if np.isnan(y).any():
        return math.inf
    gap = np.zeros_like(y)
    if high < math.inf:
        gap = np.maximum(gap, y - high)
    if low > -math.inf:
        gap = np.maximum(gap, low - y)
    return float(np.max(gap, initial=0.0))


def sum_gap(rows: np.ndarray) -> float:
    """max over rows of |Σ − 1| (the sum over the last axis, in fp64)."""
    return float(np.max(np.abs(rows.sum(axis=-1) - 1.0)))


def largest_change(base: np.ndarray, variants: Iterable[np.ndarray]) -> float:
    """max |variant − base| over all variants, absolute (0 for none; inf where a difference
    is NaN: a NaN is never unchanged)."""
    worst = 0.0
    for variant in variants:
        diff = np.abs(np.asarray(variant, dtype=np.float64) - base)
        if np.isnan(diff).any():
            return math.inf
        worst = max(worst, float(np.max(diff, initial=0.0)))
    return worst


def ulps_apart(got: Any, reference: Any, dtype: str, scale: str = "unit") -> np.ndarray:
    """|got − reference| in ulps of `dtype`, elementwise, at the reference's `scale` (as a
    `Budget` names it): "unit" max(|reference|, 1), the scale of outputs of size O(1)
    (losses, normalised activations, optimizer states); "row" the largest |reference| of
    each row (the last axis: reductions, vectors); "elementwise" each |reference|."""
    reference = np.asarray(reference)
    size = error_scale(reference, scale, min(reference.ndim, 1))
    return np.abs(got - reference) / ulp(size, dtype)


def scaled_norm(x: np.ndarray, axis: int | tuple[int, int] = -1) -> np.ndarray:
    """‖x‖₂ over `axis` (the last; two axes: the Frobenius norm) in fp64, scaled by the
    largest |x| so that tiny and huge entries neither under- nor overflow when squared
    (np.linalg.norm squares 1e-212 to 0, which made an error scale 0)."""
    top = np.max(np.abs(x), axis=axis, keepdims=True)
    safe = np.where(top == 0, 1.0, top)
    return np.squeeze(top * np.sqrt(np.sum((x / safe) ** 2, axis=axis, keepdims=True)), axis)


def componentwise(got: np.ndarray, exact: np.ndarray, magnitude: np.ndarray, backend: Backend,
                  spacings: float, *, absolute_at_zero: bool = False) -> float:
    """max |got − exact| / (magnitude·eps), in eps, once `spacings` subnormal spacings
    (eps·tiny each: gradual underflow) are taken off the error; inf for a non-finite output.
    Signed terms cancel, so a relative error has no bound where a componentwise one (the
    magnitude Σ|terms|, from an extended-precision `exact`) does. Where the magnitude is 0
    the error counts in units of that floor, or with `absolute_at_zero` as it is."""
    if not np.isfinite(got).all():
        return math.inf
    floor = spacings * fmt(backend.dtype).tiny * backend.eps
    err = np.maximum(np.abs((got - exact).astype(np.float64)) - floor, 0.0)
    with np.errstate(over="ignore"):  # err/floor overflows where magnitude > 0: discarded
        ratio = np.where(magnitude > 0, err / np.where(magnitude > 0, magnitude, 1),
                         err if absolute_at_zero else err / floor)
    return float(np.max(ratio, initial=0.0)) / backend.eps


#: The bounds of the inputs an implementation is specified on, by input name (from a
#: caller's narrowed ranges); a property that moves an input keeps it inside them.
Limits = Mapping[str, tuple[float, float]] | None


def inside(limits: Limits, name: str, moved: np.ndarray) -> bool:
    """Whether the moved input stays where the implementation is specified."""
    if not limits or name not in limits:
        return True
    low, high = limits[name]
    return bool(np.all((moved >= low) & (moved <= high)))


def exact_shifts(x: np.ndarray, shifts: Sequence[float], dtype: str, name: str = "",
                 limits: Limits = None) -> list[float]:
    """The shifts c for which x + c is exact in `dtype` (bfloat16 holds integers exactly only
    up to 256: x + 1000 would be rounded) and inside the `limits` of input `name`."""
    return [c for c in shifts if np.array_equal(round_to(x + c, dtype), x + c)
            and inside(limits, name, x + c)]


# ------------------------------------------------------------------------------- ranges


def in_unit_interval(f: Form, args: Args, backend: Backend) -> float:
    """How far outside [0, 1] any output lies, in eps (0 when inside; inf for NaN)."""
    return outside(backend.to_numpy(f(**args)), 0.0, 1.0) / backend.eps


def in_symmetric_unit_interval(f: Form, args: Args, backend: Backend) -> float:
    """How far outside [−1, 1] any output lies, in eps (0 when inside; inf for NaN)."""
    return outside(backend.to_numpy(f(**args)), -1.0, 1.0) / backend.eps


def non_negative(f: Form, args: Args, backend: Backend) -> float:
    """How far below 0 any output lies, in eps (absolute; inf for NaN; +∞ is ≥ 0)."""
    return outside(backend.to_numpy(f(**args)), low=0.0) / backend.eps


def non_positive(f: Form, args: Args, backend: Backend) -> float:
    """How far above 0 any output lies, in eps (absolute; inf for NaN; −∞ is ≤ 0)."""
    return outside(backend.to_numpy(f(**args)), high=0.0) / backend.eps


# ------------------------------------------------------------------------------- sums


def sums_to_one(f: Form, args: Args, backend: Backend) -> float:
    """max |Σ_i y_i − 1| over the last axis, in eps of the dtype (the sum taken in fp64)."""
    return sum_gap(backend.to_numpy(f(**args))) / backend.eps


# ------------------------------------------------------------------------------- invariances


def with_input(f: Form, args: Args, backend: Backend, name: str, value: np.ndarray) -> np.ndarray:
    """f on `args` with the input `name` replaced by `value` (fp64, rounded to the dtype)."""
    return backend.to_numpy(f(**{**args, name: backend.asarray(value)}))


def scaling_change(
    f: Form,
    args: Args,
    backend: Backend,
    names: Sequence[str],
    factors: Sequence[float],
    *,
    odd: bool = False,
) -> float:
    """max |f(…, c·x, …) − f(…, x, …)| in eps, scaling each input of `names` in turn by each
    factor c; `odd`: f(−x) = −f(x), so the output is compared with sign(c)·f. Powers of two
    and −1 scale exactly: a form that normalises changes nothing, bit for bit."""
    base = backend.to_numpy(f(**args))
    variants = (
        (np.sign(c) if odd else 1.0) * with_input(f, args, backend, name,
                                                  c * backend.to_numpy(args[name]))
        for c in factors
        for name in names
    )
    return largest_change(base, variants) / backend.eps


# ------------------------------------------------------------------------------- symmetry


def swapped(
    f: Form, args: Args, backend: Backend, first: str, second: str
) -> tuple[np.ndarray, np.ndarray]:
    """f(args), and f with the inputs `first` and `second` exchanged, as fp64 NumPy."""
    straight = backend.to_numpy(f(**args))
    crossed = backend.to_numpy(f(**{**args, first: args[second], second: args[first]}))
    return straight, crossed


def commutative(f: Form, args: Args, backend: Backend) -> float:
    """|f(a, b) − f(b, a)| in eps (absolute): the same products in the same order, or the
    same differences with their signs changed, give the same result bit for bit."""
    ab, ba = swapped(f, args, backend, "a", "b")
    return largest_change(ab, [ba]) / backend.eps


# ------------------------------------------------------------------------------- conventions


def zero_vector(f: Form, args: Args, backend: Backend) -> float:
    """f(0, b) = f(a, 0) = 0, the stated convention for a similarity of a zero vector (never
    NaN): the largest |y| of the two, in eps (inf for NaN)."""
    ys = [with_input(f, args, backend, name, np.zeros(np.shape(backend.to_numpy(args[name]))))
          for name in ("a", "b")]
    y = np.concatenate([np.ravel(v) for v in ys])
    return math.inf if np.isnan(y).any() else float(np.max(np.abs(y), initial=0.0)) / backend.eps
