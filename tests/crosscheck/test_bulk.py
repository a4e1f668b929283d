"""The bulk input generator: seeded, inside the domain, representable, and hard."""

from __future__ import annotations

import numpy as np
import pytest

from mathcheck.crosscheck._agreement import domain_of
from mathcheck.crosscheck._bulk import (
    bulk_inputs,
    every_value,
    exhaustible,
    generator,
    rows_of,
)
from mathcheck.formulas import Agreement, Arg, Domain, get, select
from mathcheck.numeric import round_to


def _rows(domain: Domain, dtype: str, count: int, seed: int = 0) -> dict[str, np.ndarray]:
    plan = bulk_inputs(domain, dtype, count, generator(seed, "test"))
    chunks = [c for c in plan.chunks if c.sizes == plan.chunks[-1].sizes]
    return {k: np.concatenate([c.arrays[k] for c in chunks]) for k in chunks[-1].arrays}


def test_same_seed_same_inputs_and_another_seed_others():
    domain = get("act.softmax").domain
    first, again, other = _rows(domain, "float32", 5000), _rows(domain, "float32", 5000), _rows(
        domain, "float32", 5000, seed=1
    )
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["z"], other["z"])


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_values_are_representable_and_inside_the_range(dtype):
    arg = Arg("x", ("n",), low=-3.0, high=50.0)
    values = _rows(Domain(args=(arg,), sizes={"n": (2, 6)}), dtype, 20_000)["x"]
    assert np.array_equal(round_to(values, dtype), values)
    assert values.min() >= -3.0 and values.max() <= 50.0


def test_every_agreement_check_gets_at_least_ten_thousand_inputs():
    for entry in select((), ()):
        for claim in entry.claims:
            if isinstance(claim, Agreement):
                for dtype in claim.dtypes:
                    domain = domain_of(entry, claim.domain)
                    plan = bulk_inputs(domain, dtype, 10_000, generator(0, entry.id))
                    total = sum(rows_of(c) for c in plan.chunks)
                    floor = 1 if plan.how == "exhaustive" else 10_000
                    assert total >= floor, (entry.id, dtype, total)


def test_the_adversarial_families_reach_the_hard_regimes():
    """Large common offsets, near-ties, tiny magnitudes and the dtype's whole range."""
    arg = Arg("x", ("n",), low=-1e30, high=1e30)
    x = _rows(Domain(args=(arg,), sizes={"n": (4, 4)}), "float64", 20_000)["x"]
    spread = x.max(axis=1) - x.min(axis=1)
    centre = np.abs(x.mean(axis=1))
    assert np.any((centre > 1e6) & (spread < 1e-3 * centre))  # offset ≫ spread
    assert np.any((spread > 0) & (spread <= 8 * np.finfo(float).eps * centre))  # near-ties
    assert np.abs(x).max() > 1e29 and np.any((np.abs(x) > 0) & (np.abs(x) < 1e-300))


def test_pairs_of_vectors_include_near_equal_and_parallel_ones():
    a, b = Arg("a", ("n",)), Arg("b", ("n",))
    rows = _rows(Domain(args=(a, b), sizes={"n": (3, 3)}), "float64", 20_000)
    diff = np.abs(rows["a"] - rows["b"]).max(axis=1)
    assert np.any((diff > 0) & (diff < 1e-12 * np.abs(rows["a"]).max(axis=1)))
    with np.errstate(all="ignore"):
        cos = np.sum(rows["a"] * rows["b"], axis=1) / (
            np.linalg.norm(rows["a"], axis=1) * np.linalg.norm(rows["b"], axis=1)
        )
    assert np.any(np.abs(cos + 1) < 1e-12) and np.any(np.abs(cos - 1) < 1e-12)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sixteen_bit_formats_have_65536_patterns_and_one_input_entries_are_exhaustive(dtype):
    values = every_value(dtype)
    nans = {"float16": 2 * (2**10 - 1), "bfloat16": 2 * (2**7 - 1)}[dtype]
    assert values.size == 65536 and np.isnan(values).sum() == nans
    assert np.isinf(values).sum() == 2
    finite = values[np.isfinite(values)]
    assert np.unique(finite.view(np.uint64)).size == 65536 - nans - 2  # -0 and +0 both kept
    assert exhaustible(get("act.gelu").domain, dtype)
    assert not exhaustible(get("act.gelu").domain, "float32")
    assert not exhaustible(get("act.softmax").domain, dtype)
