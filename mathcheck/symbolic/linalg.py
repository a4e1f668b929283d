"""Section 1 · Linear algebra: SymPy forms and the identities the cheatsheet states.

Decompositions (eigenvalues, singular values, A_k, PCA scores) have no closed form beyond
small sizes, so their oracles are SymPy functions implemented with mpmath's eigensolvers at the
working precision (50 digits inside the oracle): `implemented_function` lets `lambdify` call
them. Eigenvalues and singular values also carry a vectorised NumPy counterpart (`_screen_`)
for the bulk screen, which only ranks inputs for the oracle. Everything else is an ordinary
SymPy expression.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.utilities.lambdify import implemented_function

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

# --------------------------------------------------------------------------- vectors


def _dot(a: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    return (a.T * b)[0, 0]


def dot(n: int) -> SymForm:
    a, b = vector("a", n), vector("b", n)
    return SymForm(_dot(a, b), {"a": a, "b": b})


def d_dot_stated(form: SymForm) -> sp.Matrix:
    """∇_a (a·b) = b."""
    return form.args["b"]


def dot_commutative(n: int = 3) -> Equation:
    a, b = vector("a", n), vector("b", n)
    return Equation(_dot(a, b), _dot(b, a))


def dot_geometric() -> Equation:
    """a·b = ‖a‖‖b‖cos θ, in the plane of a and b (any two vectors span at most a plane, and
    both sides are invariant under rotations): a, b in polar form, θ the angle between them."""
    r, s = real("r", positive=True), real("s", positive=True)
    alpha, beta = real("alpha"), real("beta")
    a = sp.Matrix([r * sp.cos(alpha), r * sp.sin(alpha)])
    b = sp.Matrix([s * sp.cos(beta), s * sp.sin(beta)])
    norm_a, norm_b = sp.sqrt(_dot(a, a)), sp.sqrt(_dot(b, b))
    return Equation(_dot(a, b), norm_a * norm_b * sp.cos(alpha - beta))


def cosine_similarity(n: int) -> SymForm:
    """a·b/(‖a‖‖b‖); stated convention: 0 when either vector is zero (cos θ is undefined)."""
    a, b = vector("a", n), vector("b", n)
    norms = sp.sqrt(_dot(a, a) * _dot(b, b))
    # a·b = 0 whenever a norm is 0, so dividing by 1 there gives the stated 0; the guard sits in
    # the denominator because the oracle's common-subexpression pass evaluates shared
    # quotients eagerly, outside any Piecewise branch
    expr = _dot(a, b) / sp.Piecewise((1, sp.Eq(norms, 0)), (norms, True))
    return SymForm(expr, {"a": a, "b": b})


def l2_norm(n: int) -> SymForm:
    a = vector("a", n)
    return SymForm(sp.sqrt(_dot(a, a)), {"a": a})


def d_l2_norm_stated(form: SymForm) -> sp.Matrix:
    """∇‖a‖ = a/‖a‖."""
    a = form.args["a"]
    return a / sp.sqrt(_dot(a, a))


def l1_norm(n: int) -> SymForm:
    a = vector("a", n)
    return SymForm(sum((sp.Abs(x) for x in a), sp.Integer(0)), {"a": a})


def d_l1_norm_stated(form: SymForm) -> sp.Matrix:
    """The (sub)gradient sign(a), with sign(0) = 0 (the subgradient frameworks pick)."""
    return form.args["a"].applyfunc(sp.sign)


def _proj(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    return (_dot(a, b) / _dot(b, b)) * b


def projection(n: int) -> SymForm:
    """proj_b a = (a·b/‖b‖²) b; stated convention: the zero vector when b = 0."""
    a, b = vector("a", n), vector("b", n)
    bb = _dot(b, b)
    # b = 0 gives (a·b/1)·b = 0; the guard is in the denominator (see cosine_similarity)
    expr = (_dot(a, b) / sp.Piecewise((1, sp.Eq(bb, 0)), (bb, True))) * b
    return SymForm(expr, {"a": a, "b": b})


def projection_idempotent(n: int = 3) -> Equation:
    a, b = vector("a", n), vector("b", n)
    return Equation(_proj(_proj(a, b), b), _proj(a, b))


def projection_residual_orthogonal(n: int = 3) -> Equation:
    a, b = vector("a", n), vector("b", n)
    return Equation(_dot(a - _proj(a, b), b), sp.Integer(0))


# --------------------------------------------------------------------------- matrices


def matmul(m: int, k: int, p: int) -> SymForm:
    a, b = matrix("A", m, k), matrix("B", k, p)
    return SymForm(a * b, {"A": a, "B": b})


def matmul_transpose(m: int = 2, k: int = 3, p: int = 2) -> Equation:
    a, b = matrix("A", m, k), matrix("B", k, p)
    return Equation((a * b).T, b.T * a.T)


def matmul_associative(m: int = 2, k: int = 3, p: int = 2, q: int = 2) -> Equation:
    a, b, c = matrix("A", m, k), matrix("B", k, p), matrix("C", p, q)
    return Equation((a * b) * c, a * (b * c))


def transpose(m: int, n: int) -> SymForm:
    a = matrix("A", m, n)
    return SymForm(a.T, {"A": a})


def transpose_involution(m: int = 2, n: int = 3) -> Equation:
    a = matrix("A", m, n)
    return Equation(a.T.T, a)


def inverse(n: int) -> SymForm:
    """adj(A)/det A; undefined (NaN, skipped by the oracle) for an exactly singular A."""
    a = matrix("A", n, n)
    det = a.det(method="berkowitz")
    adj = a.adjugate(method="berkowitz")
    # NaN, not a division by zero, when det A = 0 (the guard survives common-subexpression
    # elimination, which hoists shared quotients out of Piecewise branches)
    safe_det = sp.Piecewise((sp.nan, sp.Eq(det, 0)), (det, True))
    expr = adj.applyfunc(lambda c: c / safe_det)
    return SymForm(expr, {"A": a})


def inverse_right(n: int = 3) -> Equation:
    """A A⁻¹ = I (A⁻¹ = adj A / det A)."""
    a = matrix("A", n, n)
    inv = a.adjugate() / a.det()
    return Equation(a * inv, sp.eye(n))


def inverse_of_product(n: int = 2) -> Equation:
    """(AB)⁻¹ = B⁻¹A⁻¹."""
    a, b = matrix("A", n, n), matrix("B", n, n)
    ab = a * b
    return Equation(ab.adjugate() / ab.det(), (b.adjugate() / b.det()) * (a.adjugate() / a.det()))


def trace(n: int) -> SymForm:
    a = matrix("A", n, n)
    return SymForm(a.trace(), {"A": a})


def d_trace_stated(form: SymForm) -> sp.Matrix:
    """∂ tr A / ∂A = I."""
    n = form.args["A"].shape[0]
    return sp.eye(n)


def trace_cyclic(m: int = 2, n: int = 3) -> Equation:
    a, b = matrix("A", m, n), matrix("B", n, m)
    return Equation((a * b).trace(), (b * a).trace())


def trace_eigenvalues() -> Equation:
    """tr A = λ₁ + λ₂ for a general 2×2 A, with the eigenvalues in closed form."""
    a = matrix("A", 2, 2)
    lam = list(a.eigenvals(multiple=True))
    return Equation(sum(lam, sp.Integer(0)), a.trace())


def trace_eigenvalues_vieta(n: int = 4) -> Equation:
    """For any n: the λ^{n−1} coefficient of det(λI − A) is −tr A, i.e. Σλ = tr A (Vieta)."""
    a = matrix("A", n, n)
    lam = sp.Symbol("lambda")
    poly = sp.Poly(a.charpoly(lam).as_expr(), lam)
    return Equation(-poly.coeff_monomial(lam ** (n - 1)), a.trace())


def hadamard(m: int, n: int) -> SymForm:
    a, b = matrix("A", m, n), matrix("B", m, n)
    return SymForm(a.multiply_elementwise(b), {"A": a, "B": b})


def hadamard_commutative(m: int = 2, n: int = 3) -> Equation:
    a, b = matrix("A", m, n), matrix("B", m, n)
    return Equation(a.multiply_elementwise(b), b.multiply_elementwise(a))


def hadamard_distributive(m: int = 2, n: int = 3) -> Equation:
    a, b, c = matrix("A", m, n), matrix("B", m, n), matrix("C", m, n)
    return Equation(a.multiply_elementwise(b + c),
                    a.multiply_elementwise(b) + a.multiply_elementwise(c))


# --------------------------------------------------------------------------- decompositions
# Oracles evaluated by mpmath at the caller's working precision (the Oracle sets 50 digits).


def _mp_matrix(values: tuple[Any, ...], rows: int, cols: int) -> mpmath.matrix:
    return mpmath.matrix([[values[i * cols + j] for j in range(cols)] for i in range(rows)])


@lru_cache(maxsize=256)
def _eigvalsh(n: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Ascending eigenvalues of the symmetric matrix whose lower triangle is given (as eigh)."""
    a = _mp_matrix(values, n, n)
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = a[j, i]
    e, _ = mpmath.eigsy(a)
    return tuple(sorted(e[i] for i in range(n)))


@lru_cache(maxsize=256)
def _singular_values(m: int, n: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
    s = mpmath.svd_r(_mp_matrix(values, m, n), compute_uv=False)
    return tuple(sorted((s[i] for i in range(min(m, n))), reverse=True))


def _mp_eig(n: int, i: int, *values: Any) -> Any:
    return _eigvalsh(int(n), tuple(mpmath.mpf(v) for v in values))[int(i)]


def _mp_sigma(m: int, n: int, i: int, *values: Any) -> Any:
    return _singular_values(int(m), int(n), tuple(mpmath.mpf(v) for v in values))[int(i)]


def _mp_low_rank(m: int, n: int, k: int, i: int, j: int, *values: Any) -> Any:
    u, s, v = mpmath.svd_r(_mp_matrix(tuple(mpmath.mpf(x) for x in values), int(m), int(n)))
    order = sorted(range(len(s)), key=lambda t: -s[t])[: int(k)]
    return mpmath.fsum(u[int(i), t] * s[t] * v[t, int(j)] for t in order)


def _stacked(columns: tuple[Any, ...], rows: int, cols: int) -> np.ndarray:
    """Screen columns (one array per matrix entry, row-major) as a batch of matrices."""
    wide = np.result_type(*columns, np.float64)
    batch = np.broadcast_arrays(*(np.asarray(c, dtype=wide) for c in columns))
    return np.stack(batch, axis=-1).reshape(-1, rows, cols)


def _finite_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows that LAPACK may see, a with the others zeroed): NaN/inf rows come back NaN."""
    ok = np.isfinite(a).all(axis=(-2, -1))
    return ok, np.where(ok[:, None, None], a, 0)


def _screen_eig(n: int, i: int, *columns: Any) -> np.ndarray:
    """λᵢ for a batch: fp64 eigh, then the Rayleigh quotient vᵢᵀAvᵢ/vᵢᵀvᵢ in the columns'
    (extended) precision. Its error is O(‖r‖²/gap) and never above ‖r‖ ≈ u‖A‖, so the screen
    ranks fp64 results far better than a second fp64 eigh would."""
    n, i = int(n), int(i)
    ok, a = _finite_rows(_stacked(columns, n, n))
    a = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)  # the lower triangle, as eigh
    _, vectors = np.linalg.eigh(a.astype(np.float64))
    v = vectors[..., i].astype(a.dtype)
    value = np.einsum("bj,bjk,bk->b", v, a, v) / np.einsum("bj,bj->b", v, v)
    return np.where(ok, value, np.nan)


def _screen_sigma(m: int, n: int, i: int, *columns: Any) -> np.ndarray:
    """σᵢ for a batch: fp64 SVD, then uᵢᵀAvᵢ/(‖uᵢ‖‖vᵢ‖) in the columns' (extended) precision,
    second-order accurate in the singular vectors' error like a Rayleigh quotient."""
    m, n, i = int(m), int(n), int(i)
    ok, a = _finite_rows(_stacked(columns, m, n))
    u, _, vt = np.linalg.svd(a.astype(np.float64), full_matrices=False)
    ui, vi = u[..., :, i].astype(a.dtype), vt[..., i, :].astype(a.dtype)
    norms = np.sqrt(np.einsum("bj,bj->b", ui, ui) * np.einsum("bj,bj->b", vi, vi))
    value = np.abs(np.einsum("bj,bjk,bk->b", ui, a, vi)) / norms  # normalised: no 1st-order term
    return np.where(ok, value, np.nan)


EIGVALSH = implemented_function("eigvalsh_mp", _mp_eig)
EIGVALSH._screen_ = _screen_eig  # the vectorised counterpart numeric._screen uses
SIGMA = implemented_function("singular_value_mp", _mp_sigma)
SIGMA._screen_ = _screen_sigma
LOW_RANK = implemented_function("low_rank_mp", _mp_low_rank)


def eigendecomposition(n: int) -> SymForm:
    """The eigenvalues λ₁ ≤ … ≤ λₙ of a symmetric A (its lower triangle, as LAPACK's eigh)."""
    a = matrix("A", n, n)
    entries = list(a)
    return SymForm(sp.Matrix([EIGVALSH(n, i, *entries) for i in range(n)]), {"A": a})


def eig_det_product() -> Equation:
    """det A = λ₁λ₂ for a general 2×2 A, eigenvalues in closed form."""
    a = matrix("A", 2, 2)
    lam = list(a.eigenvals(multiple=True))
    return Equation(lam[0] * lam[1], a.det())


def eig_det_vieta(n: int = 4) -> Equation:
    """For any n: the constant term of det(λI − A) is (−1)ⁿ det A, i.e. Πλ = det A (Vieta)."""
    a = matrix("A", n, n)
    lam = sp.Symbol("lambda")
    poly = sp.Poly(a.charpoly(lam).as_expr(), lam)
    return Equation((-1) ** n * poly.coeff_monomial(1), a.det())


def eig_symmetric_orthogonal() -> Equation:
    """A symmetric 2×2 [[p, q], [q, r]] (q ≠ 0): its two eigenvectors are orthogonal.

    Eigenvector for λ: (q, λ − p); v₁·v₂ = q² + (λ₁ − p)(λ₂ − p) = 0 by Vieta's formulas.
    """
    p, q, r = real("p"), real("q"), real("r")
    disc = sp.sqrt((p - r) ** 2 + 4 * q**2)
    lam1, lam2 = (p + r + disc) / 2, (p + r - disc) / 2
    v1, v2 = sp.Matrix([q, lam1 - p]), sp.Matrix([q, lam2 - p])
    a = sp.Matrix([[p, q], [q, r]])
    # both are eigenvectors (A v = λ v) and orthogonal: stack the three facts
    lhs = sp.Matrix([_dot(v1, v2), *(a * v1 - lam1 * v1), *(a * v2 - lam2 * v2)])
    return Equation(lhs, sp.zeros(5, 1))


def svd(m: int, n: int) -> SymForm:
    """The singular values σ₁ ≥ … ≥ σ_min(m,n) of A."""
    a = matrix("A", m, n)
    entries = list(a)
    return SymForm(sp.Matrix([SIGMA(m, n, i, *entries) for i in range(min(m, n))]), {"A": a})


def low_rank(m: int, n: int) -> SymForm:
    """A_k = U_k Σ_k V_kᵀ (unique only when σ_k > σ_{k+1}); k is a keyword parameter."""
    a = matrix("A", m, n)
    k = sp.Symbol("k", integer=True, positive=True)
    entries = list(a)
    expr = sp.Matrix(m, n, lambda i, j: LOW_RANK(m, n, k, i, j, *entries))
    return SymForm(expr, {"A": a}, {"k": k})


def low_rank_residual() -> Equation:
    """A = QΣRᵀ (2×2, rotations Q, R): A − A₁ = σ₂q₂r₂ᵀ, so (A − A₁)ᵀ(A − A₁) = σ₂²r₂r₂ᵀ,
    whose largest eigenvalue is σ₂² (r₂ is a unit vector): ‖A − A₁‖₂ = σ₂."""
    t, phi = real("theta"), real("phi")
    s1, s2 = real("sigma_1", positive=True), real("sigma_2", positive=True)
    q = sp.Matrix([[sp.cos(t), -sp.sin(t)], [sp.sin(t), sp.cos(t)]])
    r = sp.Matrix([[sp.cos(phi), -sp.sin(phi)], [sp.sin(phi), sp.cos(phi)]])
    a = q * sp.diag(s1, s2) * r.T
    a1 = s1 * q[:, 0] * r[:, 0].T
    e = a - a1
    r2 = r[:, 1]
    return Equation(sp.Matrix([*(e.T * e), _dot(r2, r2)]), sp.Matrix([*(s2**2 * r2 * r2.T), 1]))


def _mp_pca(n_rows: int, d: int, k: int, i: int, j: int, *values: Any) -> Any:
    x = _mp_matrix(tuple(mpmath.mpf(v) for v in values), int(n_rows), int(d))
    for c in range(int(d)):
        mean = mpmath.fsum(x[r, c] for r in range(int(n_rows))) / int(n_rows)
        for r in range(int(n_rows)):
            x[r, c] -= mean
    _, s, v = mpmath.svd_r(x)
    order = sorted(range(len(s)), key=lambda t: -s[t])
    t = order[int(j)]
    col = [v[t, c] for c in range(int(d))]
    sign = 1 if max(col, key=abs) > 0 else -1
    return sign * mpmath.fsum(x[int(i), c] * col[c] for c in range(int(d)))


PCA = implemented_function("pca_scores_mp", _mp_pca)


def pca_svd(N: int, d: int, k: int = 2) -> SymForm:
    """Scores X_c V_k (N×k) of the centred data; each direction's largest entry made positive.

    k is the catalog's fixed parameter (2); it is a plain argument because it sets the shape.
    """
    x = matrix("X", N, d)
    entries = list(x)
    expr = sp.Matrix(N, k, lambda i, j: PCA(N, d, k, i, j, *entries))
    return SymForm(expr, {"X": x})


# --------------------------------------------------------------------------- properties


def quadratic_form(n: int) -> SymForm:
    x, a = vector("x", n), matrix("A", n, n)
    return SymForm((x.T * a * x)[0, 0], {"x": x, "A": a})


def d_quadratic_form_stated(form: SymForm) -> sp.Matrix:
    """∇ₓ xᵀAx = (A + Aᵀ)x."""
    a, x = form.args["A"], form.args["x"]
    return (a + a.T) * x


def pd_cholesky(n: int = 3) -> Equation:
    """A = LLᵀ ⇒ xᵀAx = ‖Lᵀx‖² (> 0 for x ≠ 0 when L has a positive diagonal)."""
    x = vector("x", n)
    low = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"L_{i}{j}", real=True) if j <= i else 0)
    y = low.T * x
    return Equation((x.T * (low * low.T) * x)[0, 0], _dot(y, y))


def pd_eigenvalues() -> Equation:
    """A = QΛQᵀ (Q a rotation) ⇒ xᵀAx = Σ λᵢ (qᵢ·x)²: positive for x ≠ 0 iff all λᵢ > 0."""
    t = real("theta")
    l1, l2 = real("lambda_1"), real("lambda_2")
    q = sp.Matrix([[sp.cos(t), -sp.sin(t)], [sp.sin(t), sp.cos(t)]])
    x = vector("x", 2)
    a = q * sp.diag(l1, l2) * q.T
    rhs = l1 * _dot(q[:, 0], x) ** 2 + l2 * _dot(q[:, 1], x) ** 2
    return Equation((x.T * a * x)[0, 0], rhs)


def gram(m: int, n: int) -> SymForm:
    """AᵀA: equal to I exactly when A has orthonormal columns."""
    a = matrix("A", m, n)
    return SymForm(a.T * a, {"A": a})


def _cayley(n: int) -> sp.Matrix:
    """Q = (I − S)(I + S)⁻¹ for a skew-symmetric S: every rotation without eigenvalue −1."""
    s = sp.Matrix(n, n, lambda i, j: 0 if i == j else (
        sp.Symbol(f"s_{min(i, j)}{max(i, j)}", real=True) * (1 if i < j else -1)))
    eye = sp.eye(n)
    return (eye - s) * (eye + s).inv()


def orthogonal_cayley(n: int = 3) -> Equation:
    q = _cayley(n)
    return Equation(q.T * q, sp.eye(n))


def orthogonal_preserves_norm(n: int = 3) -> Equation:
    q, x = _cayley(n), vector("x", n)
    y = q * x
    return Equation(_dot(y, y), _dot(x, x))


def orthogonal_det(n: int = 3) -> Equation:
    """det Q = 1 for the Cayley rotations and −1 once a reflection is composed."""
    q = _cayley(n)
    reflection = sp.diag(-1, *([1] * (n - 1)))
    return Equation(sp.Matrix([q.det(), (reflection * q).det()]), sp.Matrix([1, -1]))


def symmetric_part(n: int) -> SymForm:
    """(A + Aᵀ)/2: the symmetric matrix nearest A (equal to A exactly when A = Aᵀ)."""
    a = matrix("A", n, n)
    return SymForm((a + a.T) / 2, {"A": a})


def symmetric_real_eigenvalues() -> Equation:
    """For [[p, q], [q, r]] the discriminant of the characteristic polynomial is a sum of
    squares, (p − r)² + (2q)² ≥ 0, so both eigenvalues are real."""
    p, q, r = real("p"), real("q"), real("r")
    lam = sp.Symbol("lambda")
    poly = sp.Poly(sp.Matrix([[p, q], [q, r]]).charpoly(lam).as_expr(), lam)
    return Equation(sp.discriminant(poly), (p - r) ** 2 + (2 * q) ** 2)


def lora_product(d: int, r: int, k: int) -> SymForm:
    """ΔW = BA with B (d×r), A (r×k): the LoRA update, of rank at most r."""
    b, a = matrix("B", d, r), matrix("A", r, k)
    return SymForm(b * a, {"B": b, "A": a})


def rank_bound(d: int = 3, r: int = 2, k: int = 3) -> Equation:
    """Every (r+1)×(r+1) minor of BA vanishes (Cauchy–Binet), so rank(BA) ≤ r."""
    from itertools import combinations

    b, a = matrix("B", d, r), matrix("A", r, k)
    w = b * a
    minors = [w.extract(list(rows), list(cols)).det()
              for rows in combinations(range(d), r + 1)
              for cols in combinations(range(k), r + 1)]
    return Equation(sp.Matrix(minors), sp.zeros(len(minors), 1))


def cosine_similarity_eps_clamped(n: int) -> SymForm:
    """a·b/(max(‖a‖, ε)·max(‖b‖, ε)), ε = 1e-8: torch's F.cosine_similarity (each norm clamped
    separately, not the product); equals the canonical form unless a norm is below ε."""
    a, b = vector("a", n), vector("b", n)
    eps = sp.Rational(1, 10**8)
    na, nb = sp.sqrt(_dot(a, a)), sp.sqrt(_dot(b, b))
    return SymForm(_dot(a, b) / (sp.Max(na, eps) * sp.Max(nb, eps)), {"a": a, "b": b})
