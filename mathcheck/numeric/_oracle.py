"""The oracle: a SymPy form evaluated with mpmath at 50 significant digits.

The result is returned as a double-double (hi, lo) pair of fp64 arrays, so errors of fp64
implementations are measured against a value ~100 bits accurate, not against its own rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from mathcheck.symbolic import SymForm

DIGITS = 50


def _flat(x: sp.Basic) -> list[sp.Basic]:
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def output_shape(form: SymForm) -> tuple[int, ...]:
    """() for a scalar, (r,) for an r×1 column, (r, c) otherwise."""
    if not isinstance(form.expr, sp.MatrixBase):
        return ()
    rows, cols = form.expr.shape
    return (rows,) if cols == 1 else (rows, cols)


class Oracle:
    """Compiled once per form; evaluates row by row over the leading (batch) dimensions."""

    def __init__(self, form: SymForm, params: Mapping[str, float], arg_ndims: Mapping[str, int]):
        self.names = list(form.args)
        self.arg_ndims = dict(arg_ndims)
        symbols = [s for name in self.names for s in _flat(form.args[name])]
        substitutions = {form.params[k]: sp.Float(v, DIGITS) if not float(v).is_integer()
                         else sp.Integer(int(v)) for k, v in params.items() if k in form.params}
        exprs = [sp.sympify(e).subs(substitutions) for e in _flat(form.expr)]
        self.out_shape = output_shape(form)
        self._f = sp.lambdify(symbols, exprs, modules=["mpmath", "sympy"])

    def __call__(self, arrays: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        first = self.names[0]
        batch = np.shape(arrays[first])[: np.ndim(arrays[first]) - self.arg_ndims[first]]
        broadcast = {
            n: np.broadcast_to(arrays[n], batch + np.shape(arrays[n])[len(np.shape(arrays[n])) - self.arg_ndims[n]:])
            for n in self.names
        }
        size = int(np.prod(self.out_shape, dtype=int))
        hi = np.empty(batch + (size,), dtype=np.float64)
        lo = np.empty_like(hi)
        with mpmath.workdps(DIGITS):
            for index in np.ndindex(*batch):
                point: list[Any] = []
                for n in self.names:
                    point.extend(mpmath.mpf(float(v)) for v in np.ravel(broadcast[n][index]))
                for k, value in enumerate(self._f(*point)):
                    value = mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value
                    h = float(value) if mpmath.isfinite(value) else float(value)
                    hi[index + (k,)] = h
                    lo[index + (k,)] = float(value - h) if np.isfinite(h) else 0.0
        shape = batch + self.out_shape
        return hi.reshape(shape), lo.reshape(shape)
