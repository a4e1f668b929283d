"""The oracle: a SymPy form evaluated with mpmath at 50 significant digits or more.

Working precision is adaptive: each point is evaluated at 50 and at 80 digits, and the
precision keeps doubling (up to 3200 digits) until two successive values agree to 40 digits;
an exact zero from nonzero inputs is re-evaluated up to 640 digits before it is believed.
A fixed precision would be defeated by cancellation, e.g. (e^x − e^−x) at x = 1e-175.
The result is returned as a double-double (hi, lo) pair of fp64 arrays, so errors of fp64
implementations are measured against a value ~100 bits accurate, not against its own rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from mathcheck.numeric._lambdify import Lambdified
from mathcheck.symbolic import SymForm

DIGITS = 50
MAX_DIGITS = 3200
ZERO_DIGITS = 640  # exact zeros are re-checked up to here (covers inputs down to 1e-308)
AGREE = mpmath.mpf(10) ** -40


def _flat(x: sp.Basic) -> list[sp.Basic]:
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def flat_form(
    form: SymForm, params: Mapping[str, float], free: tuple[str, ...] = ()
) -> tuple[list[Any], list[Any]]:
    """The form's input symbols in argument order and its outputs, parameters substituted;
    the `free` parameters stay symbols, appended after the inputs (one compiled form then
    serves every value drawn for them)."""
    symbols = [s for name in form.args for s in _flat(form.args[name])]
    symbols += [form.params[k] for k in free]
    substitutions = {
        form.params[k]: sp.Float(v, DIGITS) if not float(v).is_integer() else sp.Integer(int(v))
        for k, v in params.items()
        if k in form.params and k not in free
    }
    return symbols, [sp.sympify(e).subs(substitutions) for e in _flat(form.expr)]


def output_shape(form: SymForm) -> tuple[int, ...]:
    """`form.shape` if stated; else () for a scalar, (r,) for an r×1 column, (r, c) otherwise."""
    if form.shape is not None:
        return tuple(form.shape)
    if not isinstance(form.expr, sp.MatrixBase):
        return ()
    rows, cols = form.expr.shape
    return (rows,) if cols == 1 else (rows, cols)


class FlatForm:
    """A form laid out for evaluation: its inputs' names and ranks, the parameters left free,
    the output shape, and the symbols and expressions of its flattened entries (what the
    oracle and the screen both compile)."""

    def __init__(
        self, form: SymForm, params: Mapping[str, float], arg_ndims: Mapping[str, int],
        free: tuple[str, ...] = (),
    ):
        self.names = list(form.args)
        self.arg_ndims = dict(arg_ndims)
        self.free = tuple(k for k in free if k in form.params)
        self.symbols, self.exprs = flat_form(form, params, self.free)
        self.out_shape = output_shape(form)
        self._size = len(self.exprs)


class Oracle(FlatForm):
    """Compiled once per form; evaluates row by row over the leading (batch) dimensions."""

    def __init__(
        self, form: SymForm, params: Mapping[str, float], arg_ndims: Mapping[str, int],
        free: tuple[str, ...] = (),
    ):
        super().__init__(form, params, arg_ndims, free)
        symbols, exprs = self.symbols, self.exprs
        # cse: gradient and matrix forms repeat subexpressions (softmax denominators...)
        # Generated source cached on disk (`_lambdify`): printing is the cold cost.
        compiled = Lambdified(symbols, exprs, ["mpmath", "sympy"])
        self._compiled = compiled
        self._f = compiled.function(cse=True)
        self._plain: Any = None

    def __call__(
        self, arrays: Mapping[str, np.ndarray], values: Mapping[str, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(hi, lo) per row; `values` gives the free parameters (as the fp64 numbers the
        implementation receives)."""
        tail = [float((values or {})[k]) for k in self.free]
        first = self.names[0]
        batch = np.shape(arrays[first])[: np.ndim(arrays[first]) - self.arg_ndims[first]]
        broadcast = {
            n: np.broadcast_to(
                arrays[n],
                batch + np.shape(arrays[n])[len(np.shape(arrays[n])) - self.arg_ndims[n] :],
            )
            for n in self.names
        }
        size = int(np.prod(self.out_shape, dtype=int))
        hi = np.empty((*batch, size), dtype=np.float64)
        lo = np.empty_like(hi)
        for index in np.ndindex(*batch):
            point: list[float] = []
            for n in self.names:
                point.extend(float(v) for v in np.ravel(broadcast[n][index]))
            point.extend(tail)
            for k, value in enumerate(self.evaluate(point)):
                h = float(value)
                hi[(*index, k)] = h
                lo[(*index, k)] = float(value - h) if np.isfinite(h) else 0.0
        shape = batch + self.out_shape
        return hi.reshape(shape), lo.reshape(shape)

    def _f_plain(self) -> Any:
        """Without CSE: cse hoists subexpressions out of Piecewise branches, so a guarded 0/0
        can raise; such points are re-evaluated with this. Compiled on first need."""
        if self._plain is None:
            self._plain = self._compiled.function()
        return self._plain

    def _at(self, point: list[float], digits: int) -> list[Any]:
        with mpmath.workdps(digits):
            args = [mpmath.mpf(v) for v in point]
            try:
                values = self._f(*args)
            except (ZeroDivisionError, ValueError):
                try:
                    values = self._f_plain()(*args)
                except (ZeroDivisionError, ValueError):  # undefined here: an invalid point
                    return [mpmath.mpf("nan")] * self._size
            return [v if isinstance(v, mpmath.mpf) else mpmath.mpf(v) for v in values]

    def evaluate(self, point: list[float]) -> list[Any]:
        """Values at `point`, at the lowest precision ≥ 50 digits that two evaluations agree on."""
        previous, digits = self._at(point, DIGITS), 80
        suspicious_zero = any(point)  # an exact 0 from nonzero inputs may be total cancellation
        while True:
            current = self._at(point, digits)
            agree = all(_agree(a, b) for a, b in zip(previous, current, strict=True))
            zeros = suspicious_zero and digits < ZERO_DIGITS and any(v == 0 for v in current)
            if agree and not zeros:
                return current
            if digits >= MAX_DIGITS:
                return current
            previous, digits = current, digits * 2


def _agree(a: Any, b: Any) -> bool:
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return bool(a == b) or (mpmath.isnan(a) and mpmath.isnan(b))
    with mpmath.workdps(60):
        return bool(abs(a - b) <= AGREE * max(abs(a), abs(b)))
