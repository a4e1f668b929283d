"""The engine's own worth: for every kind of claim, a deliberately wrong implementation that it
must reject — and the right one that it must accept."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
import sympy as sp
import torch

from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.formulas import Check, Derivative, Identity, get
from mathcheck.outcome import Outcome
from mathcheck.symbolic import Equation, real

FAST = RunOptions(examples=15, devices=("cpu",), dtypes=("float64", "float32", "float16"))


def only(entry_id: str, kind: str):
    entry = get(entry_id)
    return dataclasses.replace(entry, claims=tuple(c for c in entry.claims if c.kind == kind))


def statuses(results) -> set[str]:
    return {r.status for r in results}


# ---------------------------------------------------------------- agreement


def softmax_without_max_subtraction_np(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_without_max_subtraction_torch(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def test_agreement_rejects_softmax_without_max_subtraction():
    results = verify_entry(
        only("act.softmax", "agreement"),
        FAST,
        numpy=softmax_without_max_subtraction_np,
        torch=softmax_without_max_subtraction_torch,
    )
    assert {r.status for r in results if r.dtype != "bfloat16"} == {"failed"}
    for r in results:
        assert "reproduce(" in r.worst_input  # a snippet that re-runs the minimal case


def test_agreement_counterexample_is_shrunk_and_reproducible():
    (r,) = verify_entry(
        only("act.softmax", "agreement"),
        dataclasses.replace(FAST, backends=("numpy",), dtypes=("float64",)),
        numpy=softmax_without_max_subtraction_np,
    )
    assert r.status == "failed"
    namespace: dict = {"impl": softmax_without_max_subtraction_np}
    snippet = (
        r.worst_input.replace("reproduce(", "report = reproduce(").rstrip(")") + ", impl=impl)"
    )
    exec(snippet, namespace)
    report = namespace["report"]
    assert not np.all(np.isfinite(report["computed"])) or np.max(report["ulp_error"]) > 11


def test_agreement_rejects_a_wrong_constant():
    def sigmoid_wrong(x):
        return 1 / (1 + np.exp(-1.1 * x))

    # Saturated (|x| ≳ 40) and central (x = 0) inputs hide a wrong slope; every other x shows
    # it, in every dtype (a 1.001 slope would hide inside fp16's rounding of the input)
    results = verify_entry(
        only("act.sigmoid", "agreement"),
        dataclasses.replace(FAST, backends=("numpy",), examples=40),
        numpy=sigmoid_wrong,
    )
    assert statuses(results) == {"failed"}


def test_agreement_rejects_wrong_dtype_and_shape():
    def upcasts(x):
        return np.asarray(1 / (1 + np.exp(-x)), dtype=np.float64)

    def drops_batch(z):
        return np.ones(z.shape[-1], dtype=z.dtype) / z.shape[-1]

    opts = dataclasses.replace(FAST, backends=("numpy",), dtypes=("float32",))
    (r,) = verify_entry(only("act.sigmoid", "agreement"), opts, numpy=upcasts)
    assert r.status == "failed" and "preserve dtype" in r.detail
    (r,) = verify_entry(only("act.softmax", "agreement"), opts, numpy=drops_batch)
    assert r.status == "failed" and "shape" in r.detail


def test_agreement_accepts_the_catalog_forms():
    results = verify_entry(only("act.softmax", "agreement"), FAST)
    assert statuses(results) == {"passed"}


# ---------------------------------------------------------------- derivative and identity


def test_derivative_rejects_sigmoid_derivative_off_by_a_factor():
    entry = get("act.sigmoid")
    wrong = Derivative(lambda form: 2 * form.expr * (1 - form.expr), wrt="x")
    (r,) = verify_entry(dataclasses.replace(entry, claims=(wrong,)), FAST)
    assert r.status == "failed" and r.worst_input  # the point where they differ


def test_derivative_proves_the_stated_one():
    (r,) = verify_entry(only("act.sigmoid", "derivative"), FAST)
    assert r.status == "proven"


def test_identity_rejects_a_false_identity_and_proves_a_true_one():
    x = real("x")
    false = Identity("false", lambda: Equation(sp.sin(x) ** 2, 1 - sp.cos(x) ** 2 + x / 1000))
    true = Identity("true", lambda: Equation(sp.sin(x) ** 2, 1 - sp.cos(x) ** 2))
    entry = dataclasses.replace(get("act.sigmoid"), claims=(false, true))
    r_false, r_true = verify_entry(entry, FAST)
    assert r_false.status == "failed"
    assert r_true.status == "proven"


def test_identity_out_of_time_is_confirmed_never_proven():
    x = real("x", positive=True)
    hard = sp.log(sp.gamma(x + 1)) - sp.log(sp.gamma(x)) - sp.log(x)  # = 0, hard to simplify
    slow = Identity("slow", lambda: Equation(hard, 0))
    entry = dataclasses.replace(get("act.sigmoid"), claims=(slow,))
    (r,) = verify_entry(entry, dataclasses.replace(FAST, symbolic_budget=0.01))
    assert r.status in ("confirmed", "proven")
    if r.status == "confirmed":
        assert "numerically" in r.detail or "random points" in r.detail


# ---------------------------------------------------------------- gradient


def sigmoid_with_wrong_gradient(x):
    s = torch.sigmoid(x)
    return s.detach() + (x - x.detach())  # forward right, d/dx = 1: wrong


def test_gradient_rejects_a_wrong_backward():
    results = verify_entry(only("act.sigmoid", "gradient"), FAST, torch=sigmoid_with_wrong_gradient)
    assert results and statuses(results) == {"failed"}


def test_gradient_accepts_the_catalog_form():
    results = verify_entry(only("act.sigmoid", "gradient"), FAST)
    assert statuses(results) == {"passed"}


# ---------------------------------------------------------------- property


def test_property_rejects_a_softmax_that_does_not_sum_to_one():
    def softmax_unnormalised(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / (e.sum(axis=-1, keepdims=True) * np.asarray(1.1, dtype=z.dtype))

    entry = get("act.softmax")
    prop = next(c for c in entry.claims if c.label == "sums to 1")
    results = verify_entry(
        dataclasses.replace(entry, claims=(prop,)),
        dataclasses.replace(FAST, backends=("numpy",)),
        numpy=softmax_unnormalised,
    )
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- check, errors, hangs


def test_check_claims_report_their_outcome():
    failing = Check("always fails", lambda ctx: Outcome("failed", "planted"))
    passing = Check("always passes", lambda ctx: Outcome("passed", "fine"))
    entry = dataclasses.replace(get("act.sigmoid"), claims=(failing, passing))
    r_fail, r_pass = verify_entry(entry, FAST)
    assert (r_fail.status, r_pass.status) == ("failed", "passed")


def test_a_raising_or_hanging_form_fails_without_stopping_the_others():
    def raises(x):
        raise RuntimeError("boom")

    def hangs(x):  # a Python-level hang; hangs in C are the worker's job (tests/regress)
        while True:
            pass

    entry = only("act.sigmoid", "agreement")
    opts = dataclasses.replace(FAST, backends=("numpy",), dtypes=("float32",), time_budget=1.0)
    (r,) = verify_entry(entry, opts, numpy=raises)
    assert r.status == "failed" and "RuntimeError: boom" in r.detail
    start = time.perf_counter()
    (r,) = verify_entry(entry, opts, numpy=hangs)
    assert r.status == "error" and "timed out after 1 s" in r.detail  # a failure, not a skip
    assert r.extra["timed_out"] == 1.0
    assert time.perf_counter() - start < 10


def test_nan_output_fails():
    def nan_sigmoid(x):
        return np.full_like(x, np.nan)

    (r,) = verify_entry(
        only("act.sigmoid", "agreement"),
        dataclasses.replace(FAST, backends=("numpy",), dtypes=("float64",)),
        numpy=nan_sigmoid,
    )
    assert r.status == "failed"


def test_runs_are_deterministic_for_a_seed():
    entry = only("act.softmax", "agreement")
    opts = dataclasses.replace(FAST, backends=("numpy",), dtypes=("float32",))
    first = verify_entry(entry, opts)[0]
    second = verify_entry(entry, opts)[0]
    assert (first.error, first.worst_input) == (second.error, second.worst_input)


@pytest.mark.parametrize("dtype", ["bfloat16"])
def test_numpy_bfloat16_is_skipped_with_a_reason(dtype):
    (r,) = verify_entry(
        only("act.sigmoid", "agreement"),
        dataclasses.replace(FAST, backends=("numpy",), dtypes=(dtype,)),
    )
    assert r.status == "skipped" and "bfloat16" in r.detail


def test_a_claim_checking_less_than_its_entry_says_which_part():
    from mathcheck.crosscheck._engine import narrower_domain

    entry = get("act.gelu")
    by_kind = {c.kind: narrower_domain(entry, c) for c in entry.claims}
    assert by_kind["gradient"].startswith("x ∈ [-1000, 1000] of [-inf, inf]: autograd is "
                                          "compared with fp64 central differences")
    assert by_kind["agreement"] is None


def test_a_narrower_domain_names_a_change_of_kind_and_says_why():
    from mathcheck.crosscheck._engine import narrower_domain

    entry = get("sample.top_p")
    agreement = next(c for c in entry.claims if c.kind == "agreement")
    said = narrower_domain(entry, agreement)
    assert said.startswith("z ∈ [-8, 8] of [-20, 20]; z integer values only: ")
    assert "rounded probabilities" in said


def test_parameters_are_drawn_over_their_ranges_after_the_stated_ones():
    from mathcheck.crosscheck._agreement import PARAMETER_DRAWS, parameter_sets
    from mathcheck.numeric import round_to

    domain = get("opt.adam").domain
    sets = parameter_sets(domain, np.random.default_rng(0), "float32")
    again = parameter_sets(domain, np.random.default_rng(0), "float32")
    assert sets == again and len(sets) == PARAMETER_DRAWS
    assert sets[0] == domain.params  # the stated values first, unrounded
    low, high = domain.ranges["lr"]
    assert sets[1]["lr"] == pytest.approx(low, rel=2e-7)  # the range's extremes come first,
    assert sets[2]["lr"] == pytest.approx(high, rel=2e-7)  # as fp32 numbers inside it
    for drawn in sets[1:]:
        assert drawn["t"] == domain.params["t"]  # no range: always the stated value
        for name, (low, high) in domain.ranges.items():
            assert low * (1 - 1e-6) <= drawn[name] <= high * (1 + 1e-6)
            assert float(round_to(np.array(drawn[name]), "float32")) == drawn[name]
    assert len({s["lr"] for s in sets}) == PARAMETER_DRAWS


def test_a_form_that_ignores_its_parameter_fails_at_a_drawn_value_and_says_which():
    from mathcheck.numeric.numpy_forms import losses

    def huber_with_delta_fixed(y, y_hat, delta=1.0):
        return losses.huber(y, y_hat, 1.0)  # the stated δ, whatever the caller passes

    options = RunOptions(inputs=2000, examples=5, backends=("numpy",), dtypes=("float64",))
    entry = only("loss.huber", "agreement")
    (result,) = verify_entry(entry, options, numpy=huber_with_delta_fixed)
    assert result.status == "failed"
    assert "(at delta = " in result.detail and "delta=" in result.worst_input
    (right,) = verify_entry(entry, options, numpy=losses.huber)
    assert right.status == "passed" and "over 4 parameter sets" in right.detail
    assert right.extra["parameters"] == {"delta": [0.01, 100.0]}


def test_every_narrower_domain_in_the_catalog_says_why():
    from mathcheck.crosscheck._engine import narrower_domain
    from mathcheck.formulas import select

    silent = [
        (e.id, c.label) for e in select((), ()) for c in e.checked_claims()
        if (said := narrower_domain(e, c)) is not None and ": " not in said
    ]
    assert not silent
