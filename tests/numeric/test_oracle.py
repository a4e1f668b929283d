"""The oracle evaluates at ≥ 50 digits and raises precision under cancellation."""

from __future__ import annotations

import numpy as np
import sympy as sp

from mathcheck.numeric._oracle import Oracle
from mathcheck.symbolic import SymForm, real, vector


def test_cancellation_is_resolved_by_raising_precision():
    x = real("x")
    form = SymForm((sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)), {"x": x})
    hi, _ = Oracle(form, {}, {"x": 0})({"x": np.array([2.5e-175, 1e-300])})
    assert np.allclose(hi, [2.5e-175, 1e-300], rtol=1e-15)


def test_vector_forms_evaluate_row_by_row_with_params():
    z = vector("z", 3)
    t = sp.Symbol("t", positive=True)
    form = SymForm(z / t, {"z": z}, {"t": t})
    hi, lo = Oracle(form, {"t": 3.0}, {"z": 1})({"z": np.array([[1.0, 2.0, 3.0], [0, 0, 6.0]])})
    assert hi.shape == (2, 3)
    assert np.allclose(hi, [[1 / 3, 2 / 3, 1.0], [0, 0, 2.0]])
    assert abs(lo[0, 0]) > 0  # 1/3 is not a double: the low word carries the rest
