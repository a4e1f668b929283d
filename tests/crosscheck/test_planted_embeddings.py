"""Section 11 · Embeddings & similarity: deliberately wrong implementations the engine rejects."""

from __future__ import annotations

import dataclasses

from mathcheck.formulas import Identity, get
from mathcheck.symbolic import Equation, vector
from tests.crosscheck.planted import only, run, statuses


def cosine_unnormalised_np(a, b):
    return (a * b).sum(axis=-1)


def cosine_unnormalised_torch(a, b):
    return (a * b).sum(dim=-1)


def test_agreement_rejects_cosine_without_normalisation():
    entry = only("sim.cosine", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = run(entry, numpy=cosine_unnormalised_np, torch=cosine_unnormalised_torch)
    assert statuses(results) == {"failed"}


def test_properties_reject_cosine_without_normalisation():
    """a·b leaves [−1, 1] and doubles when a does."""
    for label in ("in [−1, 1]", "invariant to positive scaling, odd in a"):
        entry = only("sim.cosine", "property", label)
        assert statuses(run(entry)) == {"passed"}
        results = run(entry, numpy=cosine_unnormalised_np, torch=cosine_unnormalised_torch)
        assert statuses(results) == {"failed"}, label


def euclidean_squared_np(a, b):
    return ((a - b) ** 2).sum(axis=-1)


def euclidean_squared_torch(a, b):
    return ((a - b) ** 2).sum(dim=-1)


def test_agreement_and_gradient_reject_squared_distance():
    for kind in ("agreement", "gradient"):
        entry = only("sim.euclidean", kind)
        results = run(entry, numpy=euclidean_squared_np, torch=euclidean_squared_torch)
        assert statuses(results) == {"failed"}, kind


def lookup_sum_torch(x, E):
    """Summing all rows: right shape, wrong values."""
    return E.sum(dim=-2) + 0 * x.sum(dim=-1, keepdim=True)


def test_agreement_rejects_wrong_lookup():
    entry = only("emb.lookup", "agreement")
    assert statuses(run(entry)) == {"passed"}
    results = [r for r in run(entry, torch=lookup_sum_torch) if r.backend == "torch"]
    assert statuses(results) == {"failed"}


def expansion_with_wrong_sign(n: int = 3) -> Equation:
    a, b = vector("a", n), vector("b", n)
    dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
    return Equation(dot(a - b, a - b), dot(a, a) + dot(b, b) + 2 * dot(a, b))


def test_identity_rejects_expansion_with_wrong_sign():
    entry = get("sim.euclidean")
    wrong = dataclasses.replace(entry, claims=(
        Identity("‖a − b‖² = ‖a‖² + ‖b‖² + 2a·b", expansion_with_wrong_sign),))
    assert statuses(run(wrong)) == {"failed"}
