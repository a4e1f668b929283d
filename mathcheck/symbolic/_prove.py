"""Proving two SymPy expressions equal, with a numeric fallback that is never called a proof.

`prove_equal` simplifies lhs − rhs under a time budget. Zero → "proven". Not zero, or out of
time → the difference is evaluated with mpmath at 50 digits at random points: all below
1e-30 (relative) → "confirmed" (numerically, reported as such); otherwise "failed" with the
point that shows it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from mathcheck._timeout import time_limit
from mathcheck.errors import CheckTimeout
from mathcheck.outcome import Status

DIGITS = 50
CONFIRM_POINTS = 20
CONFIRM_RTOL = 1e-30
#: The detail of every symbolic proof (a reader of many proofs may treat it as routine).
SIMPLIFIED = "lhs − rhs simplifies to 0"


@dataclass(frozen=True)
class Proof:
    status: Status  # "proven", "confirmed" or "failed"
    detail: str
    error: float | None = None  # largest |lhs − rhs| / max(1, |lhs|) seen numerically
    witness: str | None = None  # the point where they differ, when they do


def _elements(expr: sp.Expr | sp.MatrixBase) -> list[sp.Expr]:
    return list(expr) if isinstance(expr, sp.MatrixBase) else [sp.sympify(expr)]


def _is_zero(expr: sp.Expr) -> bool:
    for attempt in (sp.expand, sp.simplify, lambda e: sp.simplify(e.rewrite(sp.exp))):
        if attempt(expr) == 0:
            return True
    as_logs = expr.rewrite(sp.log)  # log1p(x) as log(1 + x): simplify does not see through it
    if as_logs != expr and sp.simplify(as_logs) == 0:
        return True
    piecewise = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    return sp.simplify(piecewise) == 0


def _default_range(symbol: sp.Symbol) -> tuple[float, float]:
    return (0.1, 3.0) if symbol.is_positive else (-3.0, 3.0)


def confirm_numerically(
    lhs: sp.Expr | sp.MatrixBase,
    rhs: sp.Expr | sp.MatrixBase,
    ranges: dict[sp.Symbol, tuple[float, float]] | None = None,
    points: int = CONFIRM_POINTS,
    seed: int = 0,
) -> Proof:
    """Evaluate lhs − rhs at random points in high precision."""
    left, right = _elements(lhs), _elements(rhs)
    symbols = sorted(set().union(*(e.free_symbols for e in left + right)), key=lambda s: s.name)
    ranges = ranges or {}
    rng = random.Random(seed)
    worst, witness = 0.0, None
    with mpmath.workdps(DIGITS):
        f_left = sp.lambdify(symbols, left, modules="mpmath")
        f_right = sp.lambdify(symbols, right, modules="mpmath")
        for _ in range(points):
            point = [mpmath.mpf(rng.uniform(*ranges.get(s, _default_range(s)))) for s in symbols]
            for a, b in zip(f_left(*point), f_right(*point), strict=True):
                err = float(abs(a - b) / max(1, abs(a)))
                if err > worst:
                    worst = err
                    witness = ", ".join(
                        f"{s}={float(v)!r}" for s, v in zip(symbols, point, strict=True)
                    )
    if worst <= CONFIRM_RTOL:
        return Proof("confirmed", f"equal at {points} random points to {DIGITS} digits", worst)
    return Proof("failed", f"differ by {worst:.3g} (relative) at {witness}", worst, witness)


def prove_equal(
    lhs: sp.Expr | sp.MatrixBase,
    rhs: sp.Expr | sp.MatrixBase,
    ranges: dict[sp.Symbol, tuple[float, float]] | None = None,
    time_budget: float = 20.0,
    seed: int = 0,
) -> Proof:
    """Proven by simplification if possible within the budget, else checked numerically."""
    left, right = _elements(lhs), _elements(rhs)
    if len(left) != len(right):
        return Proof("failed", f"shapes differ: {len(left)} vs {len(right)} elements")
    reason = "simplification did not reach 0"
    limit = time_limit(time_budget)
    try:
        with limit:
            if all(_is_zero(a - b) for a, b in zip(left, right, strict=True)):
                return Proof("proven", SIMPLIFIED)
    except CheckTimeout as exc:
        if not limit.owns(exc):  # an enclosing budget ran out: not ours to handle
            raise
        reason = f"simplification ran past {time_budget:g} s"
    numeric = confirm_numerically(lhs, rhs, ranges, seed=seed)
    if numeric.status == "confirmed":
        return Proof("confirmed", f"{reason}; {numeric.detail}", numeric.error)
    return numeric
