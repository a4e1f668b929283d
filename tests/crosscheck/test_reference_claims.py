"""Reference claims (a form against a library's implementation, one unit, one budget) and
Checks that `uses_form`: both judge the form under test, so a wrong form fails them."""

from __future__ import annotations

import pytest
import torch

from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.formulas import REFERENCE_KIND, Check, all_entries, get, resolve
from mathcheck.numeric.checks._library import SameAs

OPTIONS = RunOptions(seed=0, examples=8, inputs=500, backends=("torch",),
                     dtypes=("float64", "float32"), devices=("cpu",))


def _reference_results(formula, **override):
    entry = get(formula)
    return [r for r in verify_entry(entry, OPTIONS, **override) if r.kind == REFERENCE_KIND]


def test_every_reference_claim_names_a_same_as_check_with_a_library_call():
    references = [(e, c) for e in all_entries() for c in e.claims
                  if getattr(c, "kind", "") == REFERENCE_KIND]
    assert len(references) >= 6
    for entry, claim in references:
        check = resolve(claim.check)
        assert isinstance(check, SameAs), entry.id
        assert callable(check.library) and claim.why, entry.id


def test_the_catalog_form_passes_its_references():
    results = _reference_results("act.gelu")
    assert results and all(r.status == "passed" for r in results), results


def test_a_wrong_form_fails_the_reference_claim():
    def tanh_gelu(x):  # another formula: misses F.gelu (erf) by ~1e-4 relative
        return torch.nn.functional.gelu(x, approximate="tanh")

    results = _reference_results("act.gelu", torch=tanh_gelu)
    assert results and all(r.status == "failed" for r in results)
    assert "matches torch.nn.functional.gelu" in {r.claim for r in results}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the uphill iterates overflow
def test_a_check_that_uses_the_form_runs_on_the_substituted_one():
    entry = get("opt.gd")
    (many_steps,) = [c for c in entry.claims if isinstance(c, Check) and c.uses_form]

    def wrong_gd(theta, g, lr):  # steps uphill
        return theta + lr * g

    results = [r for r in verify_entry(entry, OPTIONS, torch=wrong_gd)
               if r.claim == many_steps.label and r.backend == "torch"]
    assert results and all(r.status == "failed" for r in results)
