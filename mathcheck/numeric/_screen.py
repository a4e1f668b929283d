"""The screen: a SymPy form compiled to NumPy and evaluated in extended precision.

It ranks 10⁴–10⁶ inputs per check in milliseconds, where the mpmath oracle takes about a
millisecond per input. Its values are never reported: they only choose which inputs the
oracle measures. `np.longdouble` (64 significand bits on x86) keeps it ~11 bits more accurate
than fp64 where the expression is stable; where it is not (cancellation in the SymPy form, or
overflow of an intermediate), it flags inputs that the oracle then clears.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from mathcheck.numeric._oracle import FlatForm
from mathcheck.symbolic import SymForm


class ScreenUnavailable(Exception):
    """The form uses something NumPy/SciPy cannot evaluate; the check falls back to sampling."""


def _select(condlist: list[Any], choicelist: list[Any], default: Any = np.nan) -> Any:
    """np.select for lambdified Piecewise: SymPy nests Piecewise conditions as selects whose
    float results (NaN default never taken) become conditions, which NumPy 2 refuses."""
    conditions = [np.asarray(c).astype(bool) for c in condlist]
    return np.select(conditions, choicelist, default=default)


def _namespace(exprs: list[Any]) -> dict[str, Any]:
    """Vectorised counterparts of the form's implemented (mpmath) functions, by name.

    Lambdify would otherwise call the mpmath `_imp_` on whole arrays; a function without a
    `_screen_` is left undefined, so the screen raises and the check falls back to sampling.
    """
    found: dict[str, Any] = {"select": _select}
    for expr in exprs:
        for applied in sp.sympify(expr).atoms(AppliedUndef):
            screen = getattr(applied.func, "_screen_", None)
            if screen is not None:
                found[str(applied.func)] = screen
    return found


class Screen(FlatForm):
    """Compiled once per form; evaluates all rows of a batch at once."""

    def __init__(
        self, form: SymForm, params: Mapping[str, float], arg_ndims: Mapping[str, int],
        free: tuple[str, ...] = (),
    ):
        super().__init__(form, params, arg_ndims, free)
        exprs = self.exprs
        self.precision = "longdouble"
        try:
            self._f = sp.lambdify(self.symbols, exprs,
                                  modules=[_namespace(exprs), "scipy", "numpy"],
                                  use_imps=False, cse=True)
        except Exception as exc:  # a printer without this function
            raise ScreenUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def __call__(
        self, arrays: Mapping[str, np.ndarray], values: Mapping[str, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(hi, lo): the screened value as an fp64 pair, shaped batch + output shape.

        In extended precision where every function of the form supports it; SciPy's special
        functions (erf, gammaln...) have fp64 loops only, so such forms are screened in fp64
        (`precision` says which was used last).
        """
        first = arrays[self.names[0]]
        batch = np.shape(first)[: np.ndim(first) - self.arg_ndims[self.names[0]]]
        rows = int(np.prod(batch, dtype=int))
        flat = [
            np.broadcast_to(arrays[n], batch + np.shape(arrays[n])[len(batch):]).reshape(rows, -1)
            for n in self.names
        ]
        tried = (np.float64,) if self.precision == "float64" else (np.longdouble, np.float64)
        tail = [float((values or {})[k]) for k in self.free]
        for dtype in tried:
            try:
                columns = [c for f in flat for c in f.astype(dtype).T]
                columns += [np.full(rows, v, dtype=dtype) for v in tail]
                out = self._evaluate(columns, rows, dtype)
            except TypeError as exc:  # no loop for this dtype
                last: Exception = exc
                continue
            self.precision = np.dtype(dtype).name
            break
        else:
            raise ScreenUnavailable(f"{type(last).__name__}: {last}")
        with np.errstate(all="ignore"):
            hi = out.astype(np.float64)
            lo = np.where(np.isfinite(hi), (out - hi).astype(np.float64), 0.0)
        shape = batch + self.out_shape
        return hi.reshape(shape), lo.reshape(shape)

    def _evaluate(self, columns: list[Any], rows: int, dtype: Any) -> np.ndarray:
        try:
            with np.errstate(all="ignore"):
                values = self._f(*columns)
                out = np.empty((rows, self._size), dtype=dtype)
                for k, value in enumerate(values):
                    out[:, k] = np.real(value) if np.iscomplexobj(value) else value
        except TypeError:
            raise
        except Exception as exc:  # e.g. a SymPy function that maps to nothing vectorised
            raise ScreenUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return out
