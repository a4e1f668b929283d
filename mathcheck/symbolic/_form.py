"""The shape of a SymPy form: an expression plus which symbols stand for which input."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class SymForm:
    """`expr` in terms of `args` (input name -> Symbol, or Matrix of symbols for arrays).

    A vector input of length n is an n×1 Matrix of symbols; a matrix input an m×n Matrix.
    `params` maps keyword parameters (eps, alpha) to the symbols used for them in `expr`;
    the oracle substitutes the values from the entry's domain.
    """

    expr: sp.Expr | sp.MatrixBase
    args: dict[str, sp.Symbol | sp.MatrixBase]
    params: dict[str, sp.Symbol] = field(default_factory=dict)
    # The numeric output shape, when the Matrix shape alone is ambiguous (an r×1 matrix that
    # is a matrix, not a vector). None: () for a scalar, (r,) for r×1, (r, c) otherwise.
    shape: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Equation:
    """lhs = rhs, with sampling ranges for a numeric confirmation when a proof does not finish.

    Symbols without a range are sampled from (0.1, 3) if declared positive, else (-3, 3).
    """

    lhs: sp.Expr | sp.MatrixBase
    rhs: sp.Expr | sp.MatrixBase
    ranges: dict[sp.Symbol, tuple[float, float]] = field(default_factory=dict)


def vector(name: str, n: int, **assumptions: bool) -> sp.Matrix:
    """An n×1 column of real symbols name_0 … name_{n-1}."""
    assumptions.setdefault("real", True)
    return sp.Matrix([sp.Symbol(f"{name}_{i}", **assumptions) for i in range(n)])


def matrix(name: str, rows: int, cols: int, **assumptions: bool) -> sp.Matrix:
    """A rows×cols Matrix of real symbols name_{ij}."""
    assumptions.setdefault("real", True)
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", **assumptions))


def real(name: str, **assumptions: bool) -> sp.Symbol:
    assumptions.setdefault("real", True)
    return sp.Symbol(name, **assumptions)
