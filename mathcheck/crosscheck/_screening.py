"""Bulk screening, certified confirmation: the search behind every agreement check.

1. The form under test runs on every bulk input (`_bulk`), chunk by chunk.
2. The screen (`numeric._screen`, extended precision) scores every input in ulps against the
   claim's budget.
3. The oracle (mpmath, ≥ 50 digits) measures the inputs the screen flagged, the worst-scored
   ones, and any that made the form raise, one input at a time. Only its figures are
   reported: the screen chooses, it never judges.

The confirmation set is fixed by the scores and the seed, never by the clock. If the screen
flags more inputs than `CONFIRM_CAP`, the worst half and a seeded sample of the rest are
confirmed and the result says how many flagged inputs went unmeasured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mathcheck.crosscheck._bulk import Plan, rows_of, take
from mathcheck.crosscheck._inputs import Case
from mathcheck.crosscheck._search import Violation
from mathcheck.formulas import Agreement, Budget
from mathcheck.numeric import Backend, condition_numbers, error_scale, fmt, ulp_errors

TOP = 8  # the best-scored inputs, always measured by the oracle (the reported worst)
FLAG = 0.5  # a screened score above this share of the budget is confirmed
CONFIRM_CAP = 256  # oracle measurements per check at most
UNSCREENABLE = 16  # inputs the screen could not score (NaN, a raise), measured at most


def row_scores(
    computed: np.ndarray,
    hi: np.ndarray,
    lo: np.ndarray,
    case: Case,
    claim: Agreement,
    backend: Backend,
    out_axes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per input (leading axis): the error in ulps and the budget it is allowed.

    Rows singular at this precision (κ·eps ≥ 1) or whose exact result overflows somewhere in a
    vector output are outside the domain: error 0 (no budget means anything there).
    """
    scale = error_scale(hi, claim.budget.scale, out_axes)
    errors = ulp_errors(computed, hi, lo, scale, backend.dtype)
    row_axes = tuple(range(errors.ndim - out_axes, errors.ndim))
    row_error = errors.max(axis=row_axes) if row_axes else errors
    if row_axes:
        overflow = np.abs(hi) >= fmt(backend.dtype).overflow_threshold
        row_error = np.where(overflow.any(axis=row_axes), 0.0, row_error)
    budget = claim.budget
    if budget.cond_arg:
        conds = conditions(case, budget)
        if conds.ndim > row_error.ndim:  # a magnitude per element: the row's largest
            conds = conds.reshape(*row_error.shape, -1).max(axis=-1)
        allowed = budget.allowed(backend.dtype, case.sizes, conds)
        if budget.cond_kind != "magnitude":  # κ·eps ≥ 1: singular at this precision
            row_error = np.where(conds * fmt(backend.dtype).eps >= 1, 0.0, row_error)
    else:
        allowed = np.full(row_error.shape, budget.allowed(backend.dtype, case.sizes))
    return row_error, np.broadcast_to(allowed, row_error.shape)


def conditions(case: Case, budget: Budget) -> np.ndarray:
    """Per-row condition numbers of the budget's `cond_arg`(s); the largest if several.

    κ·eps ≥ 1 means singular at that precision: no budget means anything there."""
    names = (budget.cond_arg,) if isinstance(budget.cond_arg, str) else budget.cond_arg
    weights = case.arrays[budget.cond_weights] if budget.cond_weights else None
    return np.max(
        [condition_numbers(case.arrays[n], budget.cond_kind, weights) for n in names or ()],
        axis=0,
    )


@dataclass
class Candidates:
    """What the screen picked, per chunk: (chunk number, row, score)."""

    scored: list[tuple[int, int, float]] = field(default_factory=list)
    unscreenable: list[tuple[int, int]] = field(default_factory=list)
    top: int = TOP  # fewer per parameter set when several share a check
    # what the form gave for each kept row inside its batch: the value the oracle judges
    outputs: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)

    def add(self, number: int, scores: np.ndarray, unscreenable: np.ndarray,
            computed: np.ndarray, raised: np.ndarray) -> None:
        flagged = np.flatnonzero(scores > FLAG)
        top = np.argsort(-scores, kind="stable")[: self.top]
        keep = np.union1d(flagged, top)
        self.scored.extend((number, int(r), float(scores[r])) for r in keep)
        room = UNSCREENABLE - len(self.unscreenable)
        odd = np.flatnonzero(unscreenable)[:room]
        self.unscreenable.extend((number, int(r)) for r in odd)
        for r in np.union1d(keep, odd):
            if not raised[r]:  # a raise is measured by running the row alone
                self.outputs[(number, int(r))] = computed[r].copy()

    def chosen(self, rng: np.random.Generator) -> tuple[list[tuple[int, int]], int]:
        """The inputs to measure, worst first, and how many flagged ones are left out."""
        ranked = sorted(self.scored, key=lambda item: (-item[2], item[0], item[1]))
        flagged = [item for item in ranked if item[2] > FLAG]
        cap = CONFIRM_CAP - len(self.unscreenable)
        if len(flagged) <= cap:
            picked = flagged + [item for item in ranked if item[2] <= FLAG][: self.top]
            picked = picked[: max(cap, self.top)]
            left_out = 0
        else:
            head = flagged[: cap // 2]
            rest = flagged[cap // 2 :]
            sample = rng.choice(len(rest), cap - len(head), replace=False)
            picked = head + [rest[i] for i in sorted(sample)]
            left_out = len(flagged) - len(picked)
        return [(n, r) for n, r, _ in picked] + self.unscreenable, left_out


def _refuses_batches(exc: Exception, rows: int, raised: np.ndarray) -> None:
    """A form that raises on a batch yet on none of its inputs alone mishandles batch
    dimensions (a dropped keepdims broadcasts only when there is one row): a failure."""
    if rows > 1 and not raised.any():
        raise Violation(
            f"raised {type(exc).__name__} on a batch of {rows} inputs though on none of them "
            f"alone (batch dimensions mishandled): {exc}"
        ) from exc


def call_rows(
    call: Callable[[Case], np.ndarray], case: Case, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The form's output on every row, and a mask of the rows where it raised.

    A raise on the whole chunk is narrowed down by halving, so one bad input neither hides the
    others nor fails the chunk unmeasured. An output of another shape is a Violation.
    """
    try:
        out = np.asarray(call(case), dtype=np.float64)
    except Exception:
        return _narrowed(call, case, shape)
    _same_shape(out.shape, shape)
    return out, np.zeros(shape[0], bool)


def _narrowed(
    call: Callable[[Case], np.ndarray], case: Case, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """`call_rows` once the whole case has raised: each half on its own, down to single rows
    (a single row that raised is NaN, masked)."""
    rows = shape[0]
    if rows == 1:
        return np.full(shape, np.nan), np.ones(1, bool)
    half = rows // 2
    first = call_rows(call, take(case, np.arange(half)), (half, *shape[1:]))
    second = call_rows(call, take(case, np.arange(half, rows)), (rows - half, *shape[1:]))
    return np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])


def _same_shape(got: tuple[int, ...], expected: tuple[int, ...]) -> None:
    """A batch's output has the batch's shape: a squeeze of the wrong axis or a dropped
    keepdims is harmless on one row, so only a batch shows it."""
    if got != expected:
        raise Violation(f"returned shape {got} for a batch of {expected[0]} inputs, expected "
                        f"{expected} (batch dimensions mishandled)")


def screen_plan(
    plan: Plan,
    screen_of: Callable[[dict[str, int]], Any],
    call: Callable[[Case], np.ndarray],
    claim: Agreement,
    backend: Backend,
    out_axes_of: Callable[[dict[str, int]], int],
    top: int = TOP,
) -> Candidates:
    """Run the form and the screen over every chunk; keep what the oracle must measure."""
    candidates = Candidates(top=top)
    for number, chunk in enumerate(plan.chunks):
        hi, lo = screen_of(chunk.sizes)(chunk.arrays)
        try:
            computed = np.asarray(call(chunk), dtype=np.float64)
            raised = np.zeros(rows_of(chunk), bool)
        except Violation:
            raise
        except Exception as exc:  # already raised on the whole chunk: narrow it down
            computed, raised = _narrowed(call, chunk, hi.shape)
            _refuses_batches(exc, rows_of(chunk), raised)
        _same_shape(computed.shape, hi.shape)
        out_axes = out_axes_of(chunk.sizes)
        error, allowed = row_scores(computed, hi, lo, chunk, claim, backend, out_axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(error == 0, 0.0, error / allowed)
        nan_rows = np.isnan(hi).reshape(rows_of(chunk), -1).any(axis=1)
        unscreenable = raised | nan_rows
        candidates.add(number, np.where(unscreenable, 0.0, scores), unscreenable, computed,
                       raised)
    return candidates
