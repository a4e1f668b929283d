"""Bulk inputs for screening: a seeded NumPy `Generator` over an entry's domain, mixed with
adversarial families, or every value of the dtype where the input space is small enough.

Why not Hypothesis: it draws one element at a time (about 20 inputs per check in our budget);
a vectorised generator gives 10⁴–10⁶ per check in the same time. Hypothesis keeps the job it
is best at, shrinking a failure (`_search`). Each chunk is a `Case` whose leading axis holds
the inputs ("rows"), values already rounded to the dtype under test. The stream depends only on
(seed, entry, claim, dtype): NumPy and Torch see the same inputs, and nothing else (imports,
the clock, the working directory) can change it.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass

import numpy as np

from mathcheck.crosscheck._inputs import Case, concrete_shape, extreme_cases, sampling_bounds
from mathcheck.formulas import LOW_PRECISION, Arg, Domain
from mathcheck.numeric import fmt, round_to

CHUNK_ROWS = 4096  # inputs per call of the form: memory stays flat however many are asked for
SIZE_GROUPS = 4  # size assignments per check (each needs its own compiled reference)

#: The families an argument's values are drawn from, with their weights. Each targets a
#: regime where a stable form differs from the naive one.
SCALAR_FAMILIES = {"uniform": 2, "wide": 3, "exponent": 2, "small": 2, "tiny": 1, "special": 1}
#: Families drawn entry by entry, for vectors as for scalars.
ELEMENTWISE_FAMILIES = frozenset({"uniform", "wide", "exponent", "tiny"})
VECTOR_FAMILIES = {"uniform": 2, "wide": 2, "exponent": 2, "offset": 2, "ties": 1, "dominant": 1,
                   "tiny": 1, "sparse": 1}


def generator(seed: int, *keys: str) -> np.random.Generator:
    """A Generator fixed by the seed and the names (crc32: stable across processes)."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


# --------------------------------------------------------------------------- exhaustive


def exhaustible(domain: Domain, dtype: str) -> bool:
    """One elementwise floating input in a 16-bit format: all 65,536 values can be checked."""
    if dtype not in LOW_PRECISION or len(domain.args) != 1:
        return False
    arg = domain.args[0]
    return not arg.shape and arg.kind in ("real", "positive")


def every_value(dtype: str) -> np.ndarray:
    """All 65,536 bit patterns of a 16-bit format, as fp64 (NaNs and infinities included)."""
    bits = np.arange(2**16, dtype=np.uint32)
    if dtype == "bfloat16":
        with np.errstate(invalid="ignore"):  # NaN payloads
            return (bits << np.uint32(16)).view(np.float32).astype(np.float64)
    return bits.astype(np.uint16).view(np.float16).astype(np.float64)


def exhaustive_cases(domain: Domain, dtype: str) -> list[Case]:
    """Every finite value of the dtype inside the argument's range, in chunks (the
    non-finite patterns are `_nonfinite`'s)."""
    arg = domain.args[0]
    values = every_value(dtype)
    finite = values[np.isfinite(values)]
    low = max(arg.low, fmt(dtype).tiny) if arg.kind == "positive" else arg.low
    inside = finite[(finite >= low) & (finite <= arg.high)]  # −0 and +0 both: signs matter
    return [Case({}, {arg.name: inside[i : i + CHUNK_ROWS]})
            for i in range(0, inside.size, CHUNK_ROWS)]


# --------------------------------------------------------------------------- sampled


def _signed_log_uniform(
    rng: np.random.Generator, low: float, high: float, smallest: float, size: tuple[int, ...]
) -> np.ndarray:
    """Magnitudes spread evenly in log scale from `smallest` to the range's edge, either sign."""
    top = max(abs(low), abs(high), smallest * 2)
    magnitude = np.exp(rng.uniform(np.log(smallest), np.log(top), size))
    sign = rng.choice([-1.0, 1.0], size) if low < 0 else np.ones(size)
    return np.clip(sign * magnitude, low, high)


def _special(
    rng: np.random.Generator, low: float, high: float, size: tuple[int, ...]
) -> np.ndarray:
    """Values where forms change branch: 0, ±1, ±½, the range's ends."""
    pool = np.array([0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, low, high])
    return np.clip(rng.choice(pool, size), low, high)


def _scalar_values(
    rng: np.random.Generator, arg: Arg, dtype: str, family: str, size: tuple[int, ...]
) -> np.ndarray:
    low, high = sampling_bounds(arg, dtype)
    f = fmt(dtype)
    if arg.kind == "integer":
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        values = rng.integers(lo, hi + 1, size).astype(np.float64)
        if hi - lo > 1000 and family != "uniform":  # a wide range (positions): every scale
            offsets = np.floor(np.expm1(rng.uniform(0, np.log1p(hi - lo), size)))
            values = lo + np.minimum(offsets, hi - lo)
        return values
    if arg.kind == "binary":
        return rng.integers(0, 2, size).astype(np.float64)
    if arg.kind == "positive":
        values = np.exp(rng.uniform(np.log(low), np.log(high), size))
        if family == "special":
            values = np.clip(rng.choice([1.0, 0.5, 2.0, low, high], size), low, high)
        return values
    if family == "uniform" or low == high:
        return rng.uniform(low, high, size)
    if family == "wide":
        return _signed_log_uniform(rng, low, high, f.tiny, size)
    if family == "small":
        return np.clip(rng.uniform(-1.0, 1.0, size), low, high)
    if family == "exponent":  # |x| up to 1.2·ln(max): where exp over- and underflows
        edge = 1.2 * np.log(f.max)
        return np.clip(rng.uniform(max(low, -edge), min(high, edge), size), low, high)
    if family == "tiny":  # down to the smallest subnormal: underflow, flush-to-zero paths
        lo, hi = max(low, -1e-3), min(high, 1e-3)
        if lo >= hi:
            return rng.uniform(low, high, size)
        return _signed_log_uniform(rng, lo, hi, f.tiny * f.eps, size)
    return _special(rng, low, high, size)


def _vector_values(
    rng: np.random.Generator, arg: Arg, dtype: str, family: str, shape: tuple[int, ...]
) -> np.ndarray:
    """One family for a whole block of rows of a vector/matrix argument (shape = rows + arg)."""
    low, high = sampling_bounds(arg, dtype)
    if family in ELEMENTWISE_FAMILIES:
        return _scalar_values(rng, arg, dtype, family, shape)
    if arg.kind in ("integer", "binary", "positive"):  # row structure means nothing there
        return _scalar_values(rng, arg, dtype, "uniform", shape)
    rows = shape[0]
    trailing = (1,) * (len(shape) - 1)
    if family == "offset":  # a large common offset plus a small spread: variance, LayerNorm
        centre = _signed_log_uniform(rng, low, high, 1.0, (rows, *trailing))
        spread = np.exp(rng.uniform(np.log(1e-3), np.log(10.0), (rows, *trailing)))
        return np.clip(centre + spread * rng.standard_normal(shape), low, high)
    if family == "ties":  # all entries equal up to a few ulps: near-ties in max, sort, top-k
        centre = rng.uniform(low, high, (rows, *trailing))
        wiggle = rng.integers(-2, 3, shape) * fmt(dtype).eps * np.abs(centre)
        return np.clip(centre + wiggle, low, high)
    if family == "sparse":  # most entries exactly 0, whole rows of 0 too: the zero guards
        values = rng.uniform(low, high, shape)
        return np.where(rng.random(shape) < 0.8, np.clip(0.0, low, high), values)
    # "dominant": one large entry per row (softmax saturation, argmax margins)
    values = rng.uniform(max(low, -1.0), min(high, 1.0), shape)
    flat = values.reshape(rows, -1)
    flat[np.arange(rows), rng.integers(0, flat.shape[1], rows)] = rng.uniform(low, high, rows)
    return flat.reshape(shape)


def _structured(
    rng: np.random.Generator, arg: Arg, dtype: str, shape: tuple[int, ...]
) -> np.ndarray:
    """Probabilities, one-hot rows and matrices (their structure is the domain)."""
    rows, n = shape[0], shape[-1]
    if arg.kind == "probability":
        # Dirichlet with concentrations from 1e-2 (near one-hot: p near 0 and 1) to 1e2
        alpha = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), (*shape[:-1], 1)))
        gamma = rng.gamma(np.broadcast_to(alpha, shape))
        gamma[..., 0] = np.maximum(gamma[..., 0], 1e-3 * gamma.sum(axis=-1) + 1e-300)
        # a quarter of the rows get exact zeros (0·log 0 must come out 0), the first entry kept
        zeros = (rng.random(shape) < 0.5) & (rng.random((*shape[:-1], 1)) < 0.25)
        zeros[..., 0] = False
        gamma = np.where(zeros, 0.0, gamma)
        return gamma / gamma.sum(axis=-1, keepdims=True)
    if arg.kind == "onehot":
        return np.eye(n)[rng.integers(0, n, shape[:-1])]
    low, high = sampling_bounds(arg, dtype)
    scale = np.exp(rng.uniform(np.log(1e-2), np.log(max(min(abs(low), abs(high)), 1e-2)),
                               (rows, *(1,) * (len(shape) - 1))))
    b = rng.standard_normal(shape) * scale
    if arg.kind == "spd":
        shift = rng.choice([1.0, 1e-3, 1e-6], (rows, 1, 1))
        return b @ np.swapaxes(b, -1, -2) / n + shift * scale**2 * np.eye(n)
    if arg.kind == "symmetric":
        return (b + np.swapaxes(b, -1, -2)) / 2
    # "square": singular values spread over up to 12 decades (ill-conditioned ones included)
    u, _, vt = np.linalg.svd(rng.standard_normal(shape))
    decades = rng.uniform(0, 12, (rows, 1)) * rng.choice([0.0, 1.0], (rows, 1))
    singular = np.exp(-np.log(10) * decades * np.linspace(0, 1, n))
    return (u * singular[:, None, :]) @ vt * scale


def _round(values: np.ndarray, arg: Arg, dtype: str) -> np.ndarray:
    low, high = sampling_bounds(arg, dtype)
    if arg.kind in ("real", "positive", "integer"):
        values = np.clip(values, low, high)
    values = round_to(values, dtype)
    if arg.kind in ("spd", "symmetric"):
        values = round_to((values + np.swapaxes(values, -1, -2)) / 2, dtype)
    if arg.kind in ("spd", "square", "symmetric"):
        values = np.where(np.abs(values) < fmt(dtype).tiny, 0.0, values)  # as LAPACK would
    return values


def _pair_families(
    rng: np.random.Generator, domain: Domain, arrays: dict[str, np.ndarray], dtype: str
) -> None:
    """Arguments of one shape, related: b ≈ a (cancellation in a − b), b ∥ a, b ∥ −a."""
    with np.errstate(over="ignore"):  # λa beyond the range: clipped to it by _round
        _relate(rng, domain, arrays, dtype)


def _relate(
    rng: np.random.Generator, domain: Domain, arrays: dict[str, np.ndarray], dtype: str
) -> None:
    real = [a for a in domain.args if a.kind == "real" and a.shape]
    for first, second in itertools.pairwise(real):
        a, b = arrays[first.name], arrays[second.name]
        if a.shape != b.shape or a.shape[0] < 4:
            continue
        rows = a.shape[0]
        pick = rng.random(rows)
        trailing = (1,) * (a.ndim - 1)
        factor = rng.uniform(0.1, 10.0, (rows, *trailing))
        nudge = 1 + rng.integers(-4, 5, a.shape) * fmt(dtype).eps
        near = np.where((pick < 0.1).reshape(-1, *trailing), a * nudge, b)
        parallel = np.where(((pick >= 0.1) & (pick < 0.15)).reshape(-1, *trailing),
                            a * factor, near)
        anti = np.where(((pick >= 0.15) & (pick < 0.2)).reshape(-1, *trailing),
                        -a * factor, parallel)
        arrays[second.name] = _round(anti, second, dtype)


def _size_assignments(domain: Domain, rng: np.random.Generator) -> list[dict[str, int]]:
    """The smallest and largest sizes, then random ones, distinct, at most SIZE_GROUPS."""
    if not domain.sizes:
        return [{}]
    options = [{k: lo for k, (lo, _) in domain.sizes.items()},
               {k: hi for k, (_, hi) in domain.sizes.items()}]
    for _ in range(4 * SIZE_GROUPS):
        options.append({k: int(rng.integers(lo, hi + 1)) for k, (lo, hi) in domain.sizes.items()})
    distinct: list[dict[str, int]] = []
    for option in options:
        if option not in distinct:
            distinct.append(option)
    return distinct[:SIZE_GROUPS]


def _families(rng: np.random.Generator, weights: dict[str, int], rows: int) -> np.ndarray:
    names = list(weights)
    p = np.array([weights[n] for n in names], dtype=float)
    return np.array(names)[rng.choice(len(names), rows, p=p / p.sum())]


def _chunk(
    rng: np.random.Generator, domain: Domain, dtype: str, sizes: dict[str, int], rows: int
) -> Case:
    arrays: dict[str, np.ndarray] = {}
    for arg in domain.args:
        shape = (rows, *concrete_shape(arg, sizes))
        if arg.kind in ("probability", "onehot", "spd", "square", "symmetric"):
            values = _structured(rng, arg, dtype, shape)
        else:
            weights = VECTOR_FAMILIES if arg.shape else SCALAR_FAMILIES
            family = _families(rng, weights, rows)
            values = np.empty(shape)
            for name in np.unique(family):
                mask = family == name
                block = (int(mask.sum()), *shape[1:])
                maker = _vector_values if arg.shape else _scalar_values
                values[mask] = maker(rng, arg, dtype, str(name), block)
        arrays[arg.name] = _round(values, arg, dtype)
    _pair_families(rng, domain, arrays, dtype)
    return Case(sizes, arrays)


@dataclass(frozen=True)
class Plan:
    """How a check's inputs are made: exhaustively or by sampling, and how many."""

    chunks: list[Case]
    how: str  # "exhaustive" or "sampled"


def bulk_inputs(domain: Domain, dtype: str, count: int, rng: np.random.Generator) -> Plan:
    """`count` seeded inputs (at least), plus the domain's stated extremes; or every value."""
    if exhaustible(domain, dtype):
        return Plan(exhaustive_cases(domain, dtype), "exhaustive")
    chunks = list(extreme_cases(domain, dtype))
    groups = _size_assignments(domain, rng)
    per_group = -(-count // len(groups))
    for sizes in groups:
        for start in range(0, per_group, CHUNK_ROWS):
            chunks.append(_chunk(rng, domain, dtype, sizes, min(CHUNK_ROWS, per_group - start)))
    return Plan(chunks, "sampled")


def rows_of(case: Case) -> int:
    first = next(iter(case.arrays.values()))
    return int(first.shape[0]) if first.ndim else 1


def take(case: Case, index: np.ndarray) -> Case:
    """The rows `index` of a chunk, as a case of their own."""
    return Case(case.sizes, {k: v[index] for k, v in case.arrays.items()})
