"""Kinks: autograd's value where a formula is not differentiable is stated and checked.

Planted implementations that are right everywhere else but pick another subgradient (or
value) at the kink must be rejected, in fp64 and fp32; a wrongly stated value too.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from mathcheck.crosscheck import RunOptions
from mathcheck.formulas import Kink, get
from tests.crosscheck.planted import only, run, statuses

#: Every backend and dtype that the kink claims name.
KINKS = RunOptions(examples=2, devices=("cpu",))


def run_kinks(entry, **overrides):
    return [r for r in run(entry, KINKS, **overrides) if r.kind == "kink"]


def torch_failed_everywhere(results) -> bool:
    torch_results = [r for r in results if r.backend == "torch"]
    return {r.dtype for r in torch_results} == {"float64", "float32"} and all(
        r.status == "failed" for r in torch_results
    )


@pytest.mark.parametrize(
    "entry_id", ["act.relu", "act.leaky_relu", "linalg.l1_norm", "loss.mae", "reg.l1"]
)
def test_catalog_kinks_hold(entry_id):
    results = run_kinks(only(entry_id, "kink"))
    assert {(r.backend, r.dtype) for r in results} == {
        (b, d) for b in ("numpy", "torch") for d in ("float64", "float32")
    }
    assert statuses(results) == {"passed"}, [r.detail for r in results]


def test_relu_as_a_product_with_the_step_is_rejected():
    """x·(x ≥ 0) is ReLU everywhere, but its autograd at 0 is 1, not torch.relu's 0."""
    results = run_kinks(only("act.relu", "kink"), torch=lambda x: x * (x >= 0))
    assert torch_failed_everywhere(results)
    assert all("∂/∂x = [1.0]" in r.detail for r in results if r.backend == "torch")


@pytest.mark.parametrize("impl", [lambda x: x.clamp_min(0), lambda x: torch.maximum(x, x * 0)])
def test_relu_via_clamp_or_maximum_is_rejected(impl):
    assert torch_failed_everywhere(run_kinks(only("act.relu", "kink"), torch=impl))


def test_leaky_relu_with_the_step_on_the_other_side_is_rejected():
    """where(x ≥ 0, x, αx) gives 1 at 0 instead of F.leaky_relu's α."""
    planted = lambda x, alpha: torch.where(x >= 0, x, alpha * x)  # noqa: E731
    assert torch_failed_everywhere(run_kinks(only("act.leaky_relu", "kink"), torch=planted))


def test_abs_written_as_a_square_root_is_rejected_at_zero():
    """√(a²) summed is ‖a‖₁ but its autograd at 0 is NaN (0/0), not sign(0) = 0."""
    planted = lambda a: torch.sqrt(a * a).sum(dim=-1)  # noqa: E731
    assert torch_failed_everywhere(run_kinks(only("linalg.l1_norm", "kink"), torch=planted))


def test_a_wrong_value_at_the_kink_is_rejected_for_numpy_too():
    import numpy as np

    planted = lambda x: np.where(x > 0, x, 0.0) + (x == 0)  # ReLU, but 1 at 0  # noqa: E731
    results = run_kinks(only("act.relu", "kink"), numpy=planted)
    assert {r.status for r in results if r.backend == "numpy"} == {"failed"}


def test_a_wrongly_stated_subgradient_is_rejected():
    entry = dataclasses.replace(
        only("act.relu", "kink"), kinks=(Kink(0.0, 1.0, "deliberately wrong"),)
    )
    results = run_kinks(entry)
    assert torch_failed_everywhere(results)
    assert {r.status for r in results if r.backend == "numpy"} == {"passed"}


def test_kinks_are_planned_from_the_entry_not_listed_in_claims():
    entry = get("act.relu")
    assert not any(c.kind == "kink" for c in entry.claims)
    assert entry.checked_claims()[-1].kind == "kink"
