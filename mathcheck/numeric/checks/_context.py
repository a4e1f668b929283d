"""What a custom check reads off its `CheckContext`: seeded generators, the backend it runs
on, the form under test and, from the entry the engine passes along, the parameters and
budgets the catalog states.

The entry is read duck-typed (`domain.params`, `claims` with their `kind` and `budget`):
`numeric` sits below the catalog and never imports it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend, backend
from mathcheck.outcome import CheckContext


def numpy_rng(ctx: CheckContext) -> np.random.Generator:
    """NumPy's generator seeded from the context."""
    return np.random.default_rng(ctx.seed)


def torch_rng(ctx: CheckContext) -> Any:
    """A torch.Generator (CPU) seeded from the context."""
    import torch

    return torch.Generator().manual_seed(ctx.seed)


def backend_of(ctx: CheckContext) -> Backend:
    """The backend, dtype and device the context names."""
    return backend(ctx.backend, ctx.dtype, ctx.device)


def catalog_form(section: str, name: str, backend: str) -> Any:
    """The catalog's form by its naming convention: `name` in `numpy_forms.<section>` for
    the "numpy" backend, else in `torch_forms.<section>`."""
    module = "numpy_forms" if backend == "numpy" else "torch_forms"
    return getattr(import_module(f"mathcheck.numeric.{module}.{section}"), name)


def form_under_test(ctx: CheckContext, section: str, name: str) -> Any:
    """The context's form, else the catalog's (`catalog_form`) for the context's backend."""
    return ctx.form if ctx.form is not None else catalog_form(section, name, ctx.backend)


def entry_of(ctx: CheckContext) -> Any:
    """The catalog entry the check belongs to (the engine passes it in the context)."""
    if ctx.entry is None:
        raise ValueError("this check reads the parameters and budgets its catalog entry states: "
                         "pass the entry in the context (CheckContext(..., entry=...))")
    return ctx.entry


def stated_params(ctx: CheckContext) -> dict[str, float]:
    """The fixed parameters of the entry's domain (the values checks use)."""
    return dict(entry_of(ctx).domain.params)


def agreement_budget(ctx: CheckContext) -> Any:
    """The budget of the entry's agreement claim (a `Budget`: `.allowed(dtype, sizes)`)."""
    entry = entry_of(ctx)
    for claim in entry.claims:
        if claim.kind == "agreement":
            return claim.budget
    raise ValueError(f"{entry.id} has no agreement claim, whose budget this check uses")
