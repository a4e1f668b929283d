"""Kinks claims: what autograd returns where a formula is not differentiable.

There the derivative is a convention (a subgradient), not mathematics: torch.relu'(0) = 0,
F.leaky_relu'(0) = α, torch.abs'(0) = 0, while x·(x ≥ 0) gives 1. Each entry states its
value (`Entry.kinks`); this runner evaluates the form at the kink in the task's dtype and
requires the stated gradient (Torch) and the SymPy form's value (both backends) exactly:
the pieces meeting at a kink are exact there, so one rounding of the stated numbers is all
a correct implementation can differ by.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from mathcheck.crosscheck._symbolic import proof_sizes
from mathcheck.formulas import Entry, Kink, Kinks, resolve
from mathcheck.numeric import Backend, round_to
from mathcheck.outcome import Outcome


def _shape(arg_shape: tuple[str | int, ...], sizes: dict[str, int]) -> tuple[int, ...]:
    """The arg's shape at these sizes; an elementwise scalar becomes a batch of one."""
    return tuple(sizes[s] if isinstance(s, str) else s for s in arg_shape) or (1,)


def exact_value(entry: Entry, kink: Kink, sizes: dict[str, int]) -> np.ndarray:
    """The SymPy form at the kink (every input component = `at`), flattened, in fp64."""
    assert entry.symbolic is not None and entry.domain is not None
    form = resolve(entry.symbolic)(**sizes)
    point: dict[sp.Basic, sp.Basic] = {}
    for value in form.args.values():
        for symbol in value if isinstance(value, sp.MatrixBase) else [value]:
            point[symbol] = sp.nsimplify(kink.at, rational=True)
    for name, symbol in form.params.items():
        point[symbol] = sp.nsimplify(entry.domain.params[name], rational=True)
    expr = form.expr.subs(point)
    items = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return np.array([float(sp.N(e, 30)) for e in items])


def _describe(kink: Kink, wrt: str) -> str:
    return f"{wrt} = {kink.at:g}"


def run_kinks(
    entry: Entry, claim: Kinks, fn: Callable[..., Any], backend: Backend
) -> Outcome:
    """Value (both backends) and autograd (Torch) at every kink, exactly in the dtype."""
    domain = entry.domain
    if domain is None:
        return Outcome("failed", "an entry with kinks needs a domain (where its inputs live)")
    sizes = proof_sizes(entry, {})
    lines, problems, worst = [], [], 0.0
    for kink in claim.kinks:
        wrt = kink.wrt or domain.args[0].name
        arrays = {a.name: np.full(_shape(a.shape, sizes), kink.at) for a in domain.args}
        inputs = {n: backend.asarray(v) for n, v in arrays.items()}
        if backend.name == "torch":
            inputs[wrt].requires_grad_(True)
        out = fn(**inputs, **domain.params)
        got = backend.to_numpy(out).reshape(-1)
        expected = round_to(exact_value(entry, kink, sizes), backend.dtype)
        same = got.size == expected.size or expected.size == 1
        gap = float(np.max(np.abs(got - expected))) if same and got.size else np.inf
        if np.isnan(gap) or gap > 0:
            problems.append(f"at {_describe(kink, wrt)} the value is {got.tolist()}, "
                            f"the SymPy form gives {expected.tolist()}")
        worst = max(worst, gap if not np.isnan(gap) else np.inf)
        text = f"{_describe(kink, wrt)}: value {expected[0]:g}"
        if backend.name == "torch":
            import torch

            (grad,) = torch.autograd.grad(out.sum(), [inputs[wrt]], allow_unused=True)
            value = domain.params[kink.grad] if isinstance(kink.grad, str) else kink.grad
            stated = float(round_to(np.array([value]), backend.dtype)[0])
            if grad is None:
                problems.append(f"autograd gives no gradient for {wrt} (detached?)")
                worst = np.inf
                continue
            auto = backend.to_numpy(grad)
            miss = float(np.max(np.abs(auto - stated)))
            if np.isnan(miss) or miss > 0:
                problems.append(f"at {_describe(kink, wrt)} autograd gives ∂/∂{wrt} = "
                                f"{auto.reshape(-1).tolist()}, stated {value:g} ({kink.why})")
            worst = max(worst, miss if not np.isnan(miss) else np.inf)
            text += f", ∂/∂{wrt} = {stated:g} ({kink.why})"
        lines.append(text)
    if problems:
        return Outcome("failed", "; ".join(problems), worst, 0.0, "absolute")
    return Outcome("passed", "exact at every kink: " + "; ".join(lines), worst, 0.0, "absolute")
