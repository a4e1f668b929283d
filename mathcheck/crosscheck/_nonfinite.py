"""The non-finite inputs of an exhaustive check: ±∞ against the form's limits, NaN propagated.

An exhaustive check covers all 65,536 bit patterns of a 16-bit format; the oracle measures
the finite ones, this module the rest. The value expected at ±∞ is SymPy's limit of the
form (exact, not a large-number stand-in); a NaN input must give NaN, as IEEE 754 functions
and torch's do. Where SymPy finds no limit (an oscillating or undefined one), that input is
left out and the result says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from mathcheck.crosscheck._inputs import Case
from mathcheck.formulas import Arg
from mathcheck.numeric import Backend, flat_form, fmt, ulp

_LIMITS: dict[tuple[Any, ...], dict[float, float | None]] = {}


def limits(form: Any, params: dict[str, float]) -> dict[float, float | None]:
    """{+inf: lim_{x→+∞}, −inf: lim_{x→−∞}} as floats; None where SymPy finds none."""
    key = (sp.srepr(form.expr), tuple(sorted(params.items())))
    if key not in _LIMITS:
        (symbol,), exprs = flat_form(form, params)
        found: dict[float, float | None] = {np.inf: None, -np.inf: None}
        if len(exprs) == 1:  # a vector output (several limits) is left to the finite values
            for point, target in ((np.inf, sp.oo), (-np.inf, -sp.oo)):
                try:
                    value = _limit(exprs[0], symbol, target)
                except Exception:  # SymPy cannot decide: not examined
                    value = None
                found[point] = _as_float(value)
        _LIMITS[key] = found
    return _LIMITS[key]


def _limit(expr: sp.Expr, symbol: sp.Symbol, target: sp.Expr) -> sp.Expr:
    """sp.limit; for a Piecewise, whose conditions sp.limit cannot compare at ±∞ (relu, the
    split softplus), the limit of the branch in force on a set unbounded towards `target`."""
    try:
        return sp.limit(expr, symbol, target)
    except Exception:
        folded = sp.piecewise_fold(expr)
        if not isinstance(folded, sp.Piecewise):
            raise
        for branch, where in folded.as_expr_set_pairs():
            if (where.sup if target == sp.oo else where.inf) == target:
                return sp.limit(branch, symbol, target)
        raise


def _as_float(value: Any) -> float | None:
    if value is None or not isinstance(value, sp.Expr) or value.has(sp.AccumBounds, sp.nan):
        return None
    if value in (sp.oo, -sp.oo):
        return float(value)
    return float(value) if value.is_real and value.is_finite else None


def check_nonfinite(
    call: Callable[[Case], np.ndarray], arg: Arg, form: Any, params: dict[str, float],
    backend: Backend, budget_ulps: float,
) -> tuple[list[float], list[str], str | None, Case | None]:
    """(the non-finite inputs examined, conventions noticed, what failed or None, its input).

    ±∞ where the argument's range reaches it; NaN where the range is the whole line. A NaN
    input must give NaN: returning a number hides the NaN (relu(NaN) = 0), a failure. At ±∞
    a wrong number is a failure; NaN (∞·0 inside, as torch's gelu and silu give at −∞) is
    the implementation's convention, reported, not failed: the value is undefined, not wrong.
    """
    name = arg.name
    expected = limits(form, params)
    points = [(x, expected[x]) for x in (np.inf, -np.inf) if x in (arg.low, arg.high)]
    if arg.low == -np.inf and arg.high == np.inf and len(flat_form(form, params)[1]) == 1:
        points.insert(0, (np.nan, np.nan))
    examined: list[float] = []
    conventions: list[str] = []
    for x, want in points:
        if want is None:
            continue
        case = Case({}, {name: np.array([x])})
        got = float(call(case)[0])
        examined.append(x)
        if np.isnan(want):
            ok = np.isnan(got)
        elif np.isnan(got):
            conventions.append(f"NaN at {name}={x} (the limit is {want})")
            continue
        elif np.isinf(want) or abs(want) >= fmt(backend.dtype).overflow_threshold:
            ok = got == np.copysign(np.inf, want)
        else:
            ok = bool(abs(got - want) <= budget_ulps * ulp(np.array(want), backend.dtype))
        if not ok:
            detail = f"at {name}={x}: returned {got}, expected {want}"
            return examined, conventions, detail + ("" if np.isnan(x) else " (the limit)"), case
    return examined, conventions, None, None
