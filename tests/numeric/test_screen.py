"""The bulk screen: forms with mpmath-implemented functions (eigenvalues, singular values) and
nested Piecewise conditions (top-p) screen whole batches, close to the 50-digit oracle."""

from __future__ import annotations

import numpy as np

from mathcheck.numeric._oracle import Oracle
from mathcheck.numeric._screen import Screen
from mathcheck.symbolic import linalg, llm


def _symmetric(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    b = rng.standard_normal((rows, n, n)) * 10.0 ** rng.integers(-3, 4, (rows, 1, 1))
    return (b + np.swapaxes(b, -1, -2)) / 2


def _relative_to_norm(screened: tuple[np.ndarray, ...], exact: tuple[np.ndarray, ...]) -> float:
    """max |screen − oracle| / max|oracle| per row, both as hi + lo in longdouble."""
    got, want = (hi.astype(np.longdouble) + lo for hi, lo in (screened, exact))
    scale = np.max(np.abs(want), axis=-1, keepdims=True)
    return float(np.max(np.abs(got - want) / scale))


def test_eigenvalues_screen_far_below_fp64_rounding():
    a = _symmetric(np.random.default_rng(0), 40, 4)
    screen, oracle = (cls(linalg.eigendecomposition(4), {}, {"A": 2}) for cls in (Screen, Oracle))
    screened = screen({"A": a})
    assert screened[0].shape == (40, 4)
    # the Rayleigh quotient of fp64 vectors in longdouble: well under u = 1.1e-16 of ‖A‖
    assert _relative_to_norm(screened, oracle({"A": a})) < 2e-17


def test_singular_values_screen_far_below_fp64_rounding():
    a = np.random.default_rng(1).standard_normal((40, 3, 4)) * 1e5
    screen, oracle = (cls(linalg.svd(3, 4), {}, {"A": 2}) for cls in (Screen, Oracle))
    assert _relative_to_norm(screen({"A": a}), oracle({"A": a})) < 2e-17


def test_a_non_finite_matrix_screens_as_nan_without_stopping_the_batch():
    a = _symmetric(np.random.default_rng(2), 3, 2)
    a[1, 0, 0] = np.inf
    hi, _ = Screen(linalg.eigendecomposition(2), {}, {"A": 2})({"A": a})
    assert np.isnan(hi[1]).all() and np.isfinite(hi[[0, 2]]).all()


def test_top_p_nested_conditions_screen_as_the_oracle_decides():
    z = np.random.default_rng(3).integers(-8, 9, (200, 4)).astype(float)
    screen, oracle = (cls(llm.top_p(4), {"p": 0.9}, {"z": 1}) for cls in (Screen, Oracle))
    hi, _ = screen({"z": z})
    exact, _ = oracle({"z": z})
    assert np.array_equal(hi > 0, exact > 0)  # the same kept sets, ties included
    assert np.allclose(hi, exact, rtol=1e-15, atol=0)
