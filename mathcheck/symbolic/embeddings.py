"""Section 11 · Embeddings & similarity: SymPy forms and identities."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, vector


def lookup(V: int, d: int) -> SymForm:
    """One-hot × E: the oracle multiplies; the numeric forms gather a row by index."""
    x, e = vector("x", V), matrix("E", V, d)
    return SymForm(e.T * x, {"x": x, "E": e})


def _dot(a: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    return sum(ai * bi for ai, bi in zip(a, b, strict=True))


def dot(n: int) -> SymForm:
    a, b = vector("a", n), vector("b", n)
    return SymForm(_dot(a, b), {"a": a, "b": b})


def cosine(n: int) -> SymForm:
    """a·b/(‖a‖‖b‖), defined as 0 when either vector is zero (the stated convention)."""
    a, b = vector("a", n), vector("b", n)
    norms = _dot(a, a) * _dot(b, b)
    # The Piecewise sits in the denominator (1 for a zero vector, where a·b = 0 anyway), so no
    # 0/0 is ever formed, whatever order the oracle evaluates sub-expressions in.
    denominator = sp.Piecewise((1, sp.Eq(norms, 0)), (sp.sqrt(norms), True))
    return SymForm(_dot(a, b) / denominator, {"a": a, "b": b})


def euclidean(n: int) -> SymForm:
    a, b = vector("a", n), vector("b", n)
    return SymForm(sp.sqrt(_dot(a - b, a - b)), {"a": a, "b": b})


def squared_distance_expansion(n: int = 3) -> Equation:
    """‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b."""
    a, b = vector("a", n), vector("b", n)
    return Equation(_dot(a - b, a - b), _dot(a, a) + _dot(b, b) - 2 * _dot(a, b))


def unit_distance_is_cosine(n: int = 3) -> Equation:
    """For â = a/‖a‖, b̂ = b/‖b‖: ‖â − b̂‖² = 2 − 2 cos(a, b) — decreasing in cos, so the
    euclidean ranking of unit vectors is the cosine ranking."""
    a, b = vector("a", n), vector("b", n)
    na, nb = sp.sqrt(_dot(a, a)), sp.sqrt(_dot(b, b))
    ua, ub = a / na, b / nb
    return Equation(_dot(ua - ub, ua - ub), 2 - 2 * _dot(a, b) / (na * nb))


def pq_distance_decomposition(M: int = 2, s: int = 2) -> Equation:
    """‖q − x̂‖² = Σ_m ‖q⁽ᵐ⁾ − c⁽ᵐ⁾‖² for x̂ the concatenation of M sub-codewords c⁽ᵐ⁾ ∈ ℝˢ."""
    q = vector("q", M * s)
    codewords = [vector(f"c{m}", s) for m in range(M)]
    x_hat = sp.Matrix.vstack(*codewords)
    parts = [q[m * s:(m + 1) * s, 0] - codewords[m] for m in range(M)]
    blocks = sum(_dot(part, part) for part in parts)
    return Equation(_dot(q - x_hat, q - x_hat), blocks)


#: torch.nn.functional.cosine_similarity's default eps.
TORCH_COSINE_EPS = sp.Rational(1, 10**8)


def cosine_eps_clamped(n: int) -> SymForm:
    """a·b/(max(‖a‖, ε)·max(‖b‖, ε)), ε = 1e-8: torch's F.cosine_similarity, which clamps each
    norm separately (checked: a = 1e-5e₁, b = 1e-4e₁ gives 1, not the 0.1 a clamped product
    max(‖a‖‖b‖, ε) would). Differs from the canonical form only for a norm below ε."""
    a, b = vector("a", n), vector("b", n)
    na, nb = sp.sqrt(_dot(a, a)), sp.sqrt(_dot(b, b))
    return SymForm(_dot(a, b) / (sp.Max(na, TORCH_COSINE_EPS) * sp.Max(nb, TORCH_COSINE_EPS)),
                   {"a": a, "b": b})
