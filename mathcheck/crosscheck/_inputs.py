"""Hypothesis strategies for an entry's domain, per dtype, plus the deterministic extremes.

A `Case` holds fp64 arrays whose values are exactly representable in the dtype under test, so
the oracle is evaluated at exactly the inputs the implementation sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathcheck.crosscheck._search import Search, search
from mathcheck.formulas import Arg, Domain
from mathcheck.numeric import fmt, round_to

SCALAR_SAMPLES = (1, 24)  # elementwise args: a flat batch of this many samples
BATCH_ROWS = (1, 3)  # array args: this many leading rows


@dataclass(frozen=True)
class Case:
    sizes: dict[str, int]
    arrays: dict[str, np.ndarray]

    def snippet_args(self) -> str:
        return ", ".join(f"{k}={v.tolist()!r}" for k, v in self.arrays.items())


def concrete_shape(arg: Arg, sizes: dict[str, int]) -> tuple[int, ...]:
    return tuple(sizes[d] if isinstance(d, str) else d for d in arg.shape)


def sampling_bounds(arg: Arg, dtype: str) -> tuple[float, float]:
    limit = fmt(dtype).max / 4  # headroom so a generated value cannot round to infinity
    low, high = max(arg.low, -limit), min(arg.high, limit)
    if arg.kind == "positive":
        low = max(low, fmt(dtype).tiny)
    return low, high


def _elements(arg: Arg, dtype: str) -> st.SearchStrategy[float]:
    low, high = sampling_bounds(arg, dtype)
    if arg.kind in ("integer",):
        return st.integers(int(np.ceil(low)), int(np.floor(high))).map(float)
    if arg.kind == "binary":
        return st.sampled_from([0.0, 1.0])
    if arg.kind == "positive":
        return st.floats(np.log(low), np.log(high)).map(np.exp)
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def _array(draw: st.DrawFn, arg: Arg, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """One argument's values, shaped `shape` (batch dims first), rounded to `dtype`."""
    if arg.kind in ("real", "positive", "integer", "binary"):
        values = draw(hnp.arrays(np.float64, shape, elements=_elements(arg, dtype)))
    elif arg.kind == "probability":
        weight = st.one_of(st.just(0.0), st.floats(1e-4, 1.0, allow_subnormal=False))
        w = draw(hnp.arrays(np.float64, shape, elements=weight))
        w[..., 0] = np.maximum(w[..., 0], 1e-3)  # at least one positive weight per row
        values = w / w.sum(axis=-1, keepdims=True)
    elif arg.kind == "onehot":
        n = shape[-1]
        idx = draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, n - 1)))
        values = np.eye(n)[idx]
    elif arg.kind in ("spd", "square", "symmetric"):
        low, high = sampling_bounds(arg, dtype)
        b = draw(hnp.arrays(np.float64, shape,
                            elements=st.floats(low, high, allow_subnormal=False)))
        singular = draw(st.sampled_from([0.0, 0.0, 1e-3, 1e-6]))
        if arg.kind == "spd":
            n = shape[-1]
            values = b @ np.swapaxes(b, -1, -2) / n + (singular or 1.0) * np.eye(n)
        elif arg.kind == "symmetric":
            values = (b + np.swapaxes(b, -1, -2)) / 2
        else:
            values = b
            if singular and shape[-1] > 1:  # nearly dependent rows: a badly conditioned matrix
                values[..., -1, :] = values[..., 0, :] + singular * values[..., -1, :]
    else:
        raise ValueError(f"unknown argument kind {arg.kind!r}")
    values = round_to(values, dtype)
    if arg.kind in ("spd", "symmetric"):
        values = round_to((values + np.swapaxes(values, -1, -2)) / 2, dtype)
    if arg.kind in ("spd", "square", "symmetric"):
        # entries that became subnormal in this dtype: zero (LAPACK treats them as singular)
        values = np.where(np.abs(values) < fmt(dtype).tiny, 0.0, values)
    return values


@st.composite
def cases(draw: st.DrawFn, domain: Domain, dtype: str) -> Case:
    sizes = {k: draw(st.integers(lo, hi)) for k, (lo, hi) in domain.sizes.items()}
    scalar_args = [a for a in domain.args if not a.shape]
    samples = draw(st.integers(*SCALAR_SAMPLES)) if scalar_args else 0
    rows = draw(st.integers(*BATCH_ROWS)) if domain.batch else 0
    arrays = {}
    for arg in domain.args:
        if arg.shape:
            shape = ((rows,) if domain.batch else ()) + concrete_shape(arg, sizes)
        else:
            shape = (samples,)
        arrays[arg.name] = draw(_array(arg, shape, dtype))
    return Case(sizes, arrays)


def _midpoint(arg: Arg, low: float, high: float) -> float:
    """A valid value of the argument's kind for args that have no extremes of their own."""
    if arg.kind == "positive":
        return float(np.sqrt(low * high))
    if arg.kind == "integer":
        return float(np.round((low + high) / 2))
    if arg.kind == "binary":
        return 1.0
    return (low + high) / 2


def _onehot(shape: tuple[int, ...]) -> np.ndarray:
    values = np.zeros(shape)
    values[..., 0] = 1.0
    return values


#: Deterministic, valid values for structured kinds (a mean of extremes would not be valid).
_NEUTRAL = {
    "probability": lambda shape: np.full(shape, 1.0 / shape[-1]),
    "onehot": _onehot,
    "spd": lambda shape: np.broadcast_to(np.eye(shape[-1]), shape),
    "symmetric": lambda shape: np.broadcast_to(np.eye(shape[-1]), shape),
    "square": lambda shape: np.broadcast_to(np.eye(shape[-1]), shape),
}


def extreme_cases(domain: Domain, dtype: str) -> list[Case]:
    """Deterministic cases built from every `Arg.extremes`, at the largest sizes."""
    if not any(a.extremes for a in domain.args):
        return []
    sizes = {k: hi for k, (_, hi) in domain.sizes.items()}
    length = max((len(a.extremes) for a in domain.args), default=1)
    arrays: dict[str, np.ndarray] = {}
    for arg in domain.args:
        low, high = sampling_bounds(arg, dtype)
        if not arg.extremes and arg.shape and arg.kind in _NEUTRAL:
            shape = concrete_shape(arg, sizes)
            rows = (length,) if domain.batch else ()
            values = np.broadcast_to(_NEUTRAL[arg.kind](shape), rows + shape)
            arrays[arg.name] = round_to(np.array(values), dtype)
            continue
        pool = [float(np.clip(v, low, high)) for v in arg.extremes] or [_midpoint(arg, low, high)]
        if arg.shape:
            shape = concrete_shape(arg, sizes)
            size = int(np.prod(shape))
            rows = [np.resize(np.roll(pool, -r), size).reshape(shape) for r in range(length)]
            values = np.stack(rows) if domain.batch else rows[0]  # same row count for every arg
        else:
            values = np.resize(np.array(pool), length)
        arrays[arg.name] = round_to(values, dtype)
    return [Case(sizes, arrays)]


def search_domain(domain: Domain, dtype: str, body: Callable[[Case], tuple[float, Any]], *,
                  examples: int, seed: int) -> Search:
    """`body` over the domain's extreme cases, then over up to `examples` generated ones."""
    return search(cases(domain, dtype), body, examples=examples, seed=seed,
                  fixed=extreme_cases(domain, dtype))
