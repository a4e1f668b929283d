"""Derivative and Identity claims: SymPy derives, `prove_equal` proves (or confirms)."""

from __future__ import annotations

import time
from typing import Any

import sympy as sp

from mathcheck.formulas import Derivative, Entry, Identity, resolve
from mathcheck.numeric import cache
from mathcheck.outcome import Outcome
from mathcheck.symbolic import Equation, Proof, SymForm, prove_equal

DEFAULT_SIZE = 3


def proof_sizes(entry: Entry, requested: dict[str, int]) -> dict[str, int]:
    sizes = {
        k: min(DEFAULT_SIZE, hi)
        for k, (_, hi) in (entry.domain.sizes if entry.domain else {}).items()
    }
    sizes.update(requested)
    return sizes


def derive(form: SymForm, wrt: str) -> sp.Expr | sp.MatrixBase:
    """d expr / d args[wrt]: a plain derivative, a gradient column or a Jacobian."""
    var = form.args[wrt]
    expr = form.expr
    if isinstance(var, sp.MatrixBase):
        variables = list(var)
        if isinstance(expr, sp.MatrixBase):
            return sp.Matrix(list(expr)).jacobian(variables)
        return sp.Matrix([sp.diff(expr, v) for v in variables])
    return expr.diff(var)


def _same_shape(expected: Any, derived: Any) -> Any:
    if isinstance(derived, sp.MatrixBase):
        expected = sp.Matrix(expected)
        if expected.shape != derived.shape and len(expected) == len(derived):
            expected = expected.reshape(*derived.shape)
    return expected


def run_derivative(entry: Entry, claim: Derivative, budget: float, seed: int) -> Outcome:
    form: SymForm = resolve(entry.symbolic)(**proof_sizes(entry, claim.sizes))
    derived = derive(form, claim.wrt)
    expected = _same_shape(resolve(claim.expected)(form), derived)
    proof = _proof(derived, expected, {}, budget, seed)
    return Outcome(
        proof.status,
        f"d/d{claim.wrt}: {proof.detail}",
        proof.error,
        None,
        "relative",
        proof.witness,
        {"derived": _display(derived)},
    )


def run_identity(entry: Entry, claim: Identity, budget: float, seed: int) -> Outcome:
    equation: Equation = resolve(claim.build)(**claim.sizes)
    proof = _proof(equation.lhs, equation.rhs, equation.ranges, budget, seed)
    return Outcome(
        proof.status,
        proof.detail,
        proof.error,
        None,
        "relative",
        proof.witness,
        {"lhs": sp.sstr(equation.lhs), "rhs": sp.sstr(equation.rhs)},
    )


def _proof(lhs: Any, rhs: Any, ranges: dict[Any, tuple[float, float]], budget: float,
           seed: int) -> Proof:
    """`prove_equal`, cached on disk (`numeric.cache`) when it finished inside its budget:
    a completed simplification and a seeded numeric confirmation are deterministic, so the
    cached proof is the one recomputing gives. One that ran out of time is never cached."""
    key = cache.digest(
        "proof",
        cache.source_digest("mathcheck.symbolic._prove"),
        sp.srepr(lhs),
        sp.srepr(rhs),
        sorted((sp.srepr(k), tuple(v)) for k, v in ranges.items()),
        budget,
        seed,
    )
    cached = cache.load("proof", key)
    if isinstance(cached, Proof):
        return cached
    start = time.perf_counter()
    proof = prove_equal(lhs, rhs, ranges, time_budget=budget, seed=seed)
    if time.perf_counter() - start < budget:  # its limit cannot have fired
        cache.store("proof", key, proof)
    return proof




def _display(expr: Any) -> str:
    """The derived expression for reports, tidied by a fixed sequence of cheap rewrites
    (together, cancel, factor_terms). Not `simplify` under a time limit: its output then
    depended on the machine's speed, and a record must not."""
    if sp.count_ops(expr) < 200:
        try:
            return sp.sstr(sp.factor_terms(sp.cancel(sp.together(expr))))
        except (sp.PolynomialError, TypeError, ValueError):
            pass
    return sp.sstr(expr)
