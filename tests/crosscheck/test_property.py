"""Property claims and the inputs an implementation is specified on (`Arg.bounded`)."""

from __future__ import annotations

import numpy as np

from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.formulas import get
from mathcheck.regress._api import _with_domain
from tests.crosscheck.planted import only


def naive_softmax(z):
    """exp without the max shift: right on small logits, NaN once exp overflows."""
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


OPTIONS = RunOptions(examples=10, devices=("cpu",), dtypes=("float64",), backends=("numpy",))


def _shift_status(entry) -> set[str]:
    with np.errstate(all="ignore"):
        results = verify_entry(entry, OPTIONS, numpy=naive_softmax)
    return {r.status for r in results}


def test_the_catalogs_shift_property_moves_inputs_beyond_their_range():
    """z ∈ [−50, 50] shifted by 1000: the naive softmax's overflow is caught (NaN is a
    violation, never a silent 0)."""
    assert _shift_status(only("act.softmax", "property", "shift invariant")) == {"failed"}


def test_a_callers_narrowed_range_bounds_the_shifts():
    """A caller that specifies z ∈ [−5, 5] is not held to z + 1000."""
    narrowed = _with_domain(get("act.softmax"), {}, {}, {"z": (-5.0, 5.0)})
    assert all(a.bounded for c in narrowed.claims if getattr(c, "domain", None)
               for a in c.domain.args)
    entry = only("act.softmax", "property", "shift invariant")
    entry = _with_domain(entry, {}, {}, {"z": (-5.0, 5.0)})
    assert _shift_status(entry) == {"passed"}
