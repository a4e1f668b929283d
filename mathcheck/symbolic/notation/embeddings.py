"""Section 11 · Embeddings & similarity, as the field writes it: the lookup as a one-hot
product Eᵀx, and the three similarities of the cheatsheet's table (a · b, cos θ, ‖a − b‖).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import Divisor, Dot, VNorm, mat, vec
from mathcheck.symbolic.notation.linalg import cosine_similarity as _cosine
from mathcheck.symbolic.notation.linalg import dot as _dot

V, d, n = sp.symbols("V d n", integer=True, positive=True)


def lookup(V: Any = V, d: Any = d) -> Notation:
    x, E = vec(r"\mathbf{x}", V), mat(r"\mathbf{E}", V, d)
    e = TexMatrix(r"\mathbf{e}", d, 1)
    return Notation(((e, sp.MatMul(sp.Transpose(E), x)),), e, {x: "x", E: "E"},
                    where="x ∈ {0, 1}^V one-hot for token k, E ∈ ℝ^{V×d}: e is row k of E")


def dot(n: Any = n) -> Notation:
    return _dot(n)


def cosine(n: Any = n) -> Notation:
    """As linalg's, with this form's guard: the denominator tested as ‖a‖²‖b‖² = 0."""
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    cos = Tex(r"\cos\theta")
    norms = VNorm(a) * VNorm(b)
    rhs = Dot(a, b) / Divisor(norms, 1, VNorm(a) ** 2 * VNorm(b) ** 2)
    return Notation(((cos, rhs),), cos, {a: "a", b: "b"}, where=_cosine(n).where)


def euclidean(n: Any = n) -> Notation:
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    dist = Tex(r"d(\mathbf{a}, \mathbf{b})")
    return Notation(((dist, VNorm(sp.MatAdd(a, -b))),), dist, {a: "a", b: "b"})

