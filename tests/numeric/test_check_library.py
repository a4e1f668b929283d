"""The checks' shared library: the property measures (`_properties`), what a check reads off
its context (`_context`), `Outcome.verdict`, and the data a check holds for itself."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from mathcheck.formulas import all_entries, get
from mathcheck.numeric import backend
from mathcheck.numeric.checks import _compare, _context, _properties, losses
from mathcheck.numeric.numpy_forms import linalg as npf
from mathcheck.numeric.numpy_forms import optimization as np_opt
from mathcheck.numeric.torch_forms import optimization as torch_opt
from mathcheck.outcome import CheckContext, Outcome

BE = backend("numpy", "float64")


def test_outside_measures_the_distance_to_an_interval():
    assert _properties.outside([0.0, 0.5, 1.0], 0.0, 1.0) == 0.0
    assert _properties.outside([-0.25, 1.5], 0.0, 1.0) == 0.5
    assert _properties.outside([1.0, math.nan], 0.0, 1.0) == math.inf
    assert _properties.outside([math.inf, 3.0], low=0.0) == 0.0  # +∞ is ≥ 0
    assert _properties.outside([-math.inf], high=0.0) == 0.0
    assert _properties.outside([-math.inf], low=0.0) == math.inf
    assert _properties.outside([], 0.0, 1.0) == 0.0


def test_largest_change_counts_a_nan_as_a_change():
    base = np.array([1.0, 2.0])
    assert _properties.largest_change(base, []) == 0.0
    assert _properties.largest_change(base, [base + 0.5, base - 1.0]) == 1.0
    assert _properties.largest_change(base, [np.array([1.0, math.nan])]) == math.inf


def test_ulps_apart_are_taken_of_the_reference_at_its_scale():
    eps = np.finfo(np.float64).eps
    got, want = np.array([0.25 + eps, 4.0 + 8 * eps]), np.array([0.25, 4.0])
    np.testing.assert_allclose(_properties.ulps_apart(got, want, "float64"), [1.0, 2.0])
    np.testing.assert_allclose(_properties.ulps_apart(got, want, "float64", "row"),
                               [0.25, 2.0])  # ulps of the row's largest |y| = 4
    np.testing.assert_allclose(_properties.ulps_apart(got, want, "float64", "elementwise"),
                               [4.0, 2.0])


def test_scaled_norm_neither_underflows_nor_overflows():
    x = np.array([[3e-200, 4e-200], [3e200, 4e200], [0.0, 0.0]])
    np.testing.assert_allclose(_properties.scaled_norm(x), [5e-200, 5e200, 0.0])
    np.testing.assert_allclose(_properties.scaled_norm(x[None], axis=(-2, -1)), [5e200])


def test_componentwise_discounts_subnormal_spacings():
    tiny = np.finfo(np.float64).tiny
    exact, magnitude = np.array([1.0, 0.0]), np.array([1.0, 0.0])
    up = exact + np.array([BE.eps, 0.0])  # one eps where the magnitude is 1
    assert _properties.componentwise(up, exact, magnitude, BE, 1) == 1.0
    off = exact + np.array([0.0, 2 * tiny * BE.eps])  # a spacing beyond the floor where exact is 0
    assert _properties.componentwise(off, exact, magnitude, BE, 1) == 1.0 / BE.eps
    assert _properties.componentwise(off, exact, magnitude, BE, 1, absolute_at_zero=True) == (
        tiny)
    assert _properties.componentwise(np.array([np.nan]), exact[:1], magnitude[:1], BE, 1) == (
        math.inf)


def test_exact_shifts_drop_the_ones_the_dtype_would_round():
    z = np.array([-50.0, 50.0])
    assert _properties.exact_shifts(z, (3.0, 1000.0), "bfloat16") == [3.0]
    assert _properties.exact_shifts(z, (3.0, 1000.0), "float32") == [3.0, 1000.0]


def test_scaling_change_and_swapped():
    a, b = BE.asarray([[3.0, 4.0]]), BE.asarray([[1.0, 0.0]])
    args = {"a": a, "b": b}
    cosine = npf.cosine_similarity
    assert _properties.scaling_change(cosine, args, BE, ("a", "b"), (4.0, 16.0)) == 0.0
    assert _properties.scaling_change(cosine, args, BE, ("a",), (-1.0,), odd=True) == 0.0
    assert _properties.scaling_change(cosine, args, BE, ("a",), (-1.0,)) > 0  # cos is odd
    ab, ba = _properties.swapped(lambda a, b: a - b, args, BE, "a", "b")
    np.testing.assert_array_equal(ab, -ba)
    assert _properties.commutative(cosine, args, BE) == 0.0
    assert _properties.zero_vector(cosine, args, BE) == 0.0
    assert _properties.zero_vector(lambda a, b: np.full_like(a, np.nan), args, BE) == math.inf


def test_range_and_sum_properties():
    args = {"x": BE.asarray([[0.25, 0.75]])}
    identity = lambda x: x  # noqa: E731
    assert _properties.in_unit_interval(identity, args, BE) == 0.0
    assert _properties.sums_to_one(identity, args, BE) == 0.0
    assert _properties.non_positive(identity, args, BE) == 0.75 / BE.eps
    assert _properties.non_negative(lambda x: -x, args, BE) == 0.75 / BE.eps
    assert _properties.in_symmetric_unit_interval(lambda x: 4 * x, args, BE) == 2.0 / BE.eps


def test_verdict():
    assert Outcome.verdict(True, "ok", 1.0, 2.0) == Outcome("passed", "ok", 1.0, 2.0)
    assert Outcome.verdict(False, "no", unit="eps").status == "failed"
    assert Outcome.verdict(True, success="confirmed").status == "confirmed"
    assert Outcome.verdict(False, success="confirmed").status == "failed"


def test_within_and_eps_apart():
    assert _compare.within(1.0, 2.0, "ok") == Outcome("passed", "ok", 1.0, 2.0, "eps")
    assert _compare.within(3.0, 2.0, "no", note="why").extra == {"budget_note": "why"}
    assert _compare.within(math.nan, 2.0, "nan").status == "failed"
    assert _compare.within(0.0, 0.0, "exact", success="confirmed").status == "confirmed"
    eps = _compare.EPS64
    want = np.array([0.5, 4.0])
    assert _compare.eps_apart(want + np.array([0.0, 8 * eps]), want) == 2.0  # of max |want|
    off = want + np.array([eps, 0.0])
    assert _compare.eps_apart(off, want, elementwise=True) == 2.0  # of |0.5|
    assert _compare.eps_apart(off, want, 1.0, elementwise=True) == 1.0  # of max(|0.5|, 1)
    torch = pytest.importorskip("torch")
    one = torch.ones(1, dtype=torch.float64)
    assert _compare.eps_apart(one + eps, one) == 1.0


def test_both_forms_run_the_numpy_and_the_torch_form_on_the_same_inputs():
    a, b = np.array([[3.0, 4.0]]), np.array([[1.0, 0.0]])
    ours_np, ours_torch = _compare.both_forms("linalg", "cosine_similarity", a, b)
    assert isinstance(ours_torch, np.ndarray)
    np.testing.assert_array_equal(ours_np, npf.cosine_similarity(a, b))
    np.testing.assert_allclose(ours_torch, ours_np, rtol=1e-15)


def test_context_readers():
    ctx = CheckContext("torch", "float32", "cpu", 3, 5)
    assert np.array_equal(_context.numpy_rng(ctx).random(3), np.random.default_rng(3).random(3))
    assert _context.torch_rng(ctx).initial_seed() == 3
    assert _context.backend_of(ctx) == backend("torch", "float32", "cpu")
    assert _context.form_under_test(ctx, "optimization", "adam") is torch_opt.adam
    numpy_ctx = CheckContext("numpy", "float64", "cpu", 0, 5)
    assert _context.form_under_test(numpy_ctx, "optimization", "adam") is np_opt.adam
    mine = functools.partial(np_opt.adam)
    assert _context.form_under_test(CheckContext("numpy", "float64", "cpu", 0, 5, mine),
                                    "optimization", "adam") is mine


def test_a_check_reads_the_entry_it_is_given_and_says_so_when_it_has_none():
    entry = get("loss.infonce")
    ctx = CheckContext("numpy", "float64", "cpu", 0, 8, entry=entry)
    assert _context.stated_params(ctx) == entry.domain.params
    assert _context.agreement_budget(ctx) is entry.claims[0].budget
    assert losses.infonce_clip_agreement(ctx).status == "passed"
    with pytest.raises(ValueError, match="catalog entry"):
        losses.infonce_clip_agreement(CheckContext("numpy", "float64", "cpu", 0, 8))


def test_every_check_and_property_the_catalog_names_exists():
    for entry in all_entries():
        for claim in entry.claims:
            ref = getattr(claim, "run", None) or getattr(claim, "check", None)
            if ref is not None and hasattr(ref, "load"):
                assert callable(ref.load()), (entry.id, ref.target)
