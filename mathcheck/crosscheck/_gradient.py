"""Gradient: Torch autograd against the SymPy gradient (exact) and fp64 finite differences.

A random cotangent v (fixed by the seed) reduces any output to L = <v, f(x)>; its exact
gradient Σ_k v_k ∂f_k/∂x is evaluated by the mpmath oracle, so the check covers vector and
matrix outputs without forming Jacobians numerically. Errors are in ulps of the term-wise
magnitude A (see `gradient_form`), with the claim's `Budget.scale` applied to A.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from mathcheck.crosscheck._agreement import domain_of
from mathcheck.crosscheck._inputs import Case, search_domain
from mathcheck.crosscheck._screening import conditions
from mathcheck.crosscheck._search import Violation, no_inputs
from mathcheck.formulas import Entry, Gradient, resolve
from mathcheck.numeric import Backend, Oracle, error_scale, ulp_errors
from mathcheck.outcome import Outcome
from mathcheck.symbolic import SymForm

COTANGENT = "__v"
_GRADIENT_ORACLES: dict[tuple[Any, ...], tuple[Oracle, int, tuple[int, ...]]] = {}


def _flat(x: Any) -> list[Any]:
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def gradient_form(
    form: SymForm, wrt: str, ndim: int | None = None
) -> tuple[SymForm, int, tuple[int, ...]]:
    """A SymForm stacking G_j = Σ_k v_k ∂f_k/∂x_j and its error scale A_j.

    A_j = Σ_k |v_k| Σ_t |t| over the additive terms t of ∂f_k/∂x_j: the magnitude in a running
    error bound of the vector-Jacobian product as written. Autograd errors are measured in ulps
    of A, not of G: G may cancel to nearly nothing (softmax near one-hot: s_i(v_i − s·v)),
    and no floating-point backward pass can be relatively accurate there.
    """
    outputs = _flat(form.expr)
    v = sp.Matrix([sp.Symbol(f"v_{k}", real=True) for k in range(len(outputs))])
    var = form.args[wrt]
    variables = _flat(var)
    grads, scales = [], []
    for x in variables:
        partials = [sp.diff(fk, x) for fk in outputs]
        grads.append(sp.Add(*(vk * d for vk, d in zip(v, partials, strict=True))))
        scales.append(
            sp.Add(
                *(
                    sp.Abs(vk) * sp.Add(*(sp.Abs(t) for t in sp.Add.make_args(d)))
                    for vk, d in zip(v, partials, strict=True)
                )
            )
        )
    args = dict(form.args)
    args[COTANGENT] = v
    if isinstance(var, sp.MatrixBase):
        rows, cols = var.shape
        shape = (rows,) if cols == 1 and ndim != 2 else (rows, cols)
    else:
        shape = ()
    return SymForm(sp.Matrix(grads + scales), args, form.params), len(outputs), shape


def run_gradient(
    entry: Entry,
    claim: Gradient,
    torch_fn: Callable[..., Any],
    numpy_fn: Callable[..., Any] | None,
    backend: Backend,
    *,
    examples: int,
    seed: int,
) -> Outcome:
    import torch

    domain = domain_of(entry, claim.domain)
    builder = resolve(entry.symbolic)
    arg_ndims = {a.name: len(a.shape) for a in domain.args}
    shapes = {a.name: a.shape for a in domain.args}
    oracles = _GRADIENT_ORACLES  # shared by the fp64 and fp32 tasks of a run
    rng = np.random.default_rng(seed)

    def oracle(sizes: dict[str, int], wrt: str) -> tuple[Oracle, int, tuple[int, ...]]:
        key = (builder, *sorted(sizes.items()), wrt, tuple(sorted(domain.params.items())))
        if key not in oracles:
            form, n_out, shape = gradient_form(builder(**sizes), wrt, arg_ndims[wrt])
            ndims = dict(arg_ndims)
            ndims[COTANGENT] = 1
            oracles[key] = (Oracle(form, domain.params, ndims), n_out, shape)
        return oracles[key]

    def body(case: Case) -> tuple[float, Any]:
        inputs = {
            n: backend.asarray(a).requires_grad_(n in claim.wrt) for n, a in case.arrays.items()
        }
        out = torch_fn(**inputs, **domain.params)
        v = rng.standard_normal(tuple(out.shape))
        v_t = torch.as_tensor(v).to(device=out.device, dtype=out.dtype)
        grads = torch.autograd.grad(
            (out * v_t).sum(), [inputs[n] for n in claim.wrt], allow_unused=True
        )
        v_rounded = backend.to_numpy(v_t)
        worst = 0.0
        info: dict[str, Any] = {}
        for name, grad in zip(claim.wrt, grads, strict=True):
            if grad is None:
                raise Violation(f"autograd gives no gradient for {name}")
            o, n_out, var_shape = oracle(case.sizes, name)
            batch = case.arrays[name].shape[: case.arrays[name].ndim - arg_ndims[name]]
            if not shapes[name]:  # elementwise: each sample has its own scalar output
                v_rows = v_rounded.reshape((*batch, 1))
            else:
                v_rows = v_rounded.reshape((*batch, n_out))
            arrays = dict(case.arrays)
            arrays[COTANGENT] = v_rows
            both_hi, both_lo = o(arrays)
            stacked = (*batch, 2, *var_shape)
            hi = both_hi.reshape(stacked).take(0, axis=len(batch))
            lo = both_lo.reshape(stacked).take(0, axis=len(batch))
            magnitude = both_hi.reshape(stacked).take(1, axis=len(batch))
            auto = backend.to_numpy(grad)
            scale = error_scale(magnitude, claim.budget.scale, arg_ndims[name])
            err = ulp_errors(auto.reshape(hi.shape), hi, lo, scale, backend.dtype)
            allowed = claim.budget.allowed(backend.dtype, case.sizes)
            if claim.budget.cond_arg:
                conds = conditions(case, claim.budget)
                allowed = claim.budget.allowed(backend.dtype, case.sizes, float(np.max(conds)))
            worst_err = float(np.max(err)) if err.size else 0.0
            ratio = 0.0 if worst_err == 0 else worst_err / allowed
            if backend.dtype == "float64" and numpy_fn is not None:
                fd, rounding = _finite_differences(numpy_fn, case, name, v, domain.params)
                scale = np.maximum(1.0, np.abs(hi).max())
                # truncation is held to fd_rtol; fp64 rounding of the differenced values
                # (bounded per coordinate by the differencing itself) is allowed on top
                excess = np.maximum(np.abs(fd - hi) - rounding, 0.0)
                fd_err = float(np.max(excess / scale))
                if not fd_err <= claim.fd_rtol:
                    raise Violation(
                        f"finite differences differ from the SymPy gradient of {name} "
                        f"by {fd_err:.3g} (relative) > {claim.fd_rtol:g}"
                    )
                info["fd_error"] = max(info.get("fd_error", 0.0), fd_err)
            if ratio >= worst:
                worst = ratio
                info.update(error=float(np.max(err)) if err.size else 0.0, budget=allowed)
        return worst, info

    found = search_domain(domain, backend.dtype, body, examples=examples, seed=seed)
    note = (
        claim.budget.describe() + f"; finite differences (fp64) within {claim.fd_rtol:g} relative"
    )
    if (empty := no_inputs(found, backend.dtype)) is not None:
        return empty
    if found.failure is not None:
        snippet = found.failing_case.snippet_args() if found.failing_case else None
        return Outcome(
            "failed",
            f"{found.failure} at {snippet}",
            None,
            None,
            "ulp",
            snippet,
            {"budget_note": note},
        )
    info = found.worst_info or {}
    fd = f"; finite differences within {info['fd_error']:.2g}" if "fd_error" in info else ""
    return Outcome(
        "passed",
        f"{found.examples} cases; autograd worst {info.get('error', 0):.3g} ulp{fd}",
        info.get("error", 0.0),
        info.get("budget"),
        "ulp",
        found.worst_case.snippet_args() if found.worst_case else None,
        {"budget_note": note},
    )


def _finite_differences(
    fn: Callable[..., Any], case: Case, name: str, v: np.ndarray, params: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """∂<v, f>/∂x by central differences in fp64, step eps^(1/3)·clip(|x|, 0.01, 1).

    Relative for small |x| (1/x near 0), absolute beyond 1 (a shift-invariant softmax at 1e3
    would otherwise be differenced over a step of 1e-2); h is taken as x₊ − x₋, exactly.
    """
    base = {k: np.array(a, dtype=np.float64) for k, a in case.arrays.items()}
    x = base[name]
    grad = np.zeros_like(x)
    rounding = np.zeros_like(x)
    eps = np.finfo(np.float64).eps
    steps = np.cbrt(np.finfo(np.float64).eps) * np.clip(np.abs(x), 1e-2, 1.0)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += steps[index]
        minus[index] -= steps[index]
        h = plus[index] - minus[index]
        f_plus = np.asarray(fn(**{**base, name: plus}, **params), dtype=np.float64)
        f_minus = np.asarray(fn(**{**base, name: minus}, **params), dtype=np.float64)
        weighted = np.abs(v.reshape(f_plus.shape)) * (np.abs(f_plus) + np.abs(f_minus))
        grad[index] = np.sum(v.reshape(f_plus.shape) * (f_plus - f_minus)) / h
        rounding[index] = 4 * eps * np.sum(weighted) / h  # a few ulps per evaluated value
    return grad, rounding
