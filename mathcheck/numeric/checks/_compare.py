"""Ours against a reference: the section's NumPy and Torch forms on the same inputs, checked
against an independent computation or a library's implementation; the gap between them in
eps, and the verdict on a gap and its budget. (`SameAs`, in `_library`, is the same comparison
in ulps for `Reference` claims.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mathcheck.numeric.checks._context import catalog_form
from mathcheck.outcome import Outcome, Status

EPS64 = float(np.finfo(np.float64).eps)


def both_forms(section: str, name: str, *args: Any, **params: Any) -> tuple[np.ndarray, ...]:
    """The NumPy and the Torch form `name` of `section` on the same arguments (NumPy arrays,
    given to the Torch form as tensors of their dtype; other arguments as they are), each
    output as NumPy."""
    import torch

    tensors = [torch.as_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    return (np.asarray(catalog_form(section, name, "numpy")(*args, **params)),
            catalog_form(section, name, "torch")(*tensors, **params).detach().numpy())


def _numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def eps_apart(got: Any, want: Any, floor: float = 0.0, *, elementwise: bool = False,
              eps: float = EPS64) -> float:
    """max |got − want| relative to |want|, in eps (of fp64 unless `eps` says otherwise), on
    NumPy arrays and Torch tensors alike: relative to the largest |want| (a relative error in
    the max norm), or with `elementwise` to each |want|; |want| floored at `floor` (1: relative
    to max(|want|, 1))."""
    got, want = _numpy(got), _numpy(want)
    diff = np.abs(got - want)
    if elementwise:
        return float(np.max(diff / np.maximum(np.abs(want), floor))) / eps
    return float(np.max(diff)) / (max(float(np.max(np.abs(want))), floor) * eps)


def within(error: float, budget: float, detail: str, unit: str = "eps",
           worst_input: str | None = None, *, note: str = "",
           success: Status = "passed") -> Outcome:
    """The verdict on an error and its budget: `success` when error ≤ budget (never for NaN),
    else "failed"; `note` (where the budget comes from) goes in as the budget_note."""
    return Outcome.verdict(error <= budget, detail, error, budget, unit, worst_input,
                           {"budget_note": note} if note else None, success=success)
