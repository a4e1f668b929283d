"""Section 1 · Linear algebra: properties (violations in machine epsilons) and custom checks.

Property checks get the form under test `f`, its generated args (backend arrays of the dtype)
and the backend; residuals are evaluated in fp64 (or mpmath) from the form's rounded outputs,
so what is measured is the form's error, not the checker's. Decompositions are not unique
(signs, rotations inside repeated eigenvalues), so they are checked by properties that every
valid decomposition has: reconstruction, orthogonality, σ² = eig(AᵀA), Eckart–Young.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric._dtypes import fmt
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._compare import EPS64, eps_apart, within
from mathcheck.numeric.checks._context import numpy_rng
from mathcheck.numeric.checks._properties import Args, Form, scaled_norm, scaling_change, swapped
from mathcheck.outcome import CheckContext, Outcome

# The shared properties, under the names this section's entries use.
in_unit_ball = _properties.in_symmetric_unit_interval  # |cos| ≤ 1
zero_vector = _properties.zero_vector

# --------------------------------------------------------------------------- helpers


def _bad(*arrays: np.ndarray) -> bool:
    return any(not np.all(np.isfinite(a)) for a in arrays)


def _spectral_norm(a: np.ndarray) -> np.ndarray:
    """‖A‖₂ per batch item (fp64)."""
    return np.linalg.norm(a, ord=2, axis=(-2, -1))


def _scale(x: np.ndarray, backend: Backend) -> np.ndarray:
    """A norm used as error scale, floored at the dtype's smallest normal number: below it the
    dtype's spacing is absolute (eps·tiny), so relative errors stop meaning anything."""
    return np.maximum(x, fmt(backend.dtype).tiny)


def _ratio(num: np.ndarray, den: np.ndarray, eps: float) -> float:
    """max num/(eps·den), with 0/0 = 0 (a zero matrix is reconstructed exactly or not at all)."""
    num, den = np.broadcast_arrays(num, den)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(num == 0, 0.0, num / (eps * den))
    return float(np.max(r)) if r.size else 0.0


def _per_norm(residual: np.ndarray, a: np.ndarray, backend: Backend) -> float:
    """max residual/(eps‖A‖₂), ‖A‖₂ floored at the smallest normal: a backward-stable
    decomposition reconstructs A to within a few eps of its norm."""
    return _ratio(residual, _scale(_spectral_norm(a), backend), backend.eps)


def _orthonormality(backend: Backend, *qs: np.ndarray) -> float:
    """max |QᵀQ − I| over the Qs (orthonormal columns), in eps; inf for a non-finite entry."""
    if _bad(*qs):
        return float("inf")
    gaps = (np.max(np.abs(np.swapaxes(q, -1, -2) @ q - np.eye(q.shape[-1]))) for q in qs)
    return float(max(gaps)) / backend.eps


def _exact_det(rows: list[list[Fraction]]) -> Fraction:
    """Laplace expansion in exact rationals (n ≤ 4: at most 24 terms); floats are rationals."""
    if len(rows) == 1:
        return rows[0][0]
    return sum((((-1) ** j) * rows[0][j] * _exact_det([r[:j] + r[j + 1:] for r in rows[1:]])
                for j in range(len(rows)) if rows[0][j] != 0), Fraction(0))


def _mp_det(a: np.ndarray) -> float:
    """det A exactly (then rounded once to fp64): mpmath's LU fails on singular input."""
    return float(_exact_det([[Fraction(float(v)) for v in row] for row in a]))


# --------------------------------------------------------------------------- vectors


def commutes(f: Form, args: Args, backend: Backend) -> float:
    """|f(a, b) − f(b, a)| in eps (of max(1, |f|)): 0 when the form treats both alike."""
    ab, ba = swapped(f, args, backend, *list(args)[:2])
    if np.array_equal(ab, ba, equal_nan=True):
        return 0.0
    return eps_apart(ba, ab, 1.0, elementwise=True, eps=backend.eps)


def scale_invariant(f: Form, args: Args, backend: Backend) -> float:
    """max |f(c·a, b) − f(a, b)| and |f(a, c·b) − f(a, b)| for c = 4, 16, in eps.

    Multiplying by a power of two is exact (no overflow in the domain), so a form that
    normalises gives bit-identical results; any difference is the form's own doing.
    """
    return scaling_change(f, args, backend, ("a", "b"), (4.0, 16.0))


def no_overflow(f: Form, args: Args, backend: Backend) -> float:
    """‖a‖ must be finite whenever the exact value is representable (entries up to max/4)."""
    a = backend.to_numpy(args["a"])
    y = backend.to_numpy(f(a=args["a"]))
    with mpmath.workdps(30):
        exact = np.array([float(mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for v in row)))
                          for row in a.reshape(-1, a.shape[-1])]).reshape(y.shape)
    representable = exact < fmt(backend.dtype).max
    return float("inf") if np.any(representable & ~np.isfinite(y)) else 0.0


def projection_idempotent(f: Form, args: Args, backend: Backend) -> float:
    """‖proj_b(proj_b a) − proj_b a‖∞ / (eps·max(‖a‖, tiny))."""
    p = f(a=args["a"], b=args["b"])
    pp = f(a=p, b=args["b"])
    a, p_np, pp_np = backend.to_numpy(args["a"]), backend.to_numpy(p), backend.to_numpy(pp)
    scale = _scale(scaled_norm(a), backend)
    return _ratio(np.max(np.abs(pp_np - p_np), axis=-1), scale, backend.eps)


def residual_orthogonal(f: Form, args: Args, backend: Backend) -> float:
    """|(a − proj_b a)·b| / (eps·max(‖a‖, tiny)·‖b‖), in fp64 from the form's output (the
    output cannot resolve less than the dtype's subnormal spacing eps·tiny)."""
    a, b = backend.to_numpy(args["a"]), backend.to_numpy(args["b"])
    p = backend.to_numpy(f(a=args["a"], b=args["b"]))
    if _bad(p):
        return float("inf")
    num = np.abs(np.sum((a - p) * b, axis=-1))
    scale = _scale(scaled_norm(a), backend) * scaled_norm(b)
    return _ratio(num, scale, backend.eps)


# --------------------------------------------------------------------------- matrices


def transpose_of_product(f: Form, args: Args, backend: Backend) -> float:
    """(AB)ᵀ vs BᵀAᵀ computed by the form, entrywise in eps of max(1, |y|)."""
    a, b = args["A"], args["B"]
    ab = backend.to_numpy(f(A=a, B=b))
    bt_at = backend.to_numpy(f(A=backend.asarray(np.swapaxes(backend.to_numpy(b), -1, -2)),
                       B=backend.asarray(np.swapaxes(backend.to_numpy(a), -1, -2))))
    return eps_apart(np.swapaxes(ab, -1, -2), bt_at, 1.0, elementwise=True, eps=backend.eps)


def associative(f: Form, args: Args, backend: Backend) -> float:
    """(AB)C vs A(BC) with the form, entrywise in eps of max(1, |y|)."""
    left = backend.to_numpy(f(A=f(A=args["A"], B=args["B"]), B=args["C"]))
    right = backend.to_numpy(f(A=args["A"], B=f(A=args["B"], B=args["C"])))
    return eps_apart(left, right, 1.0, elementwise=True, eps=backend.eps)


def involution(f: Form, args: Args, backend: Backend) -> float:
    """f(f(A)) must be A bit for bit, and f(A)ᵢⱼ = Aⱼᵢ bit for bit."""
    a = backend.to_numpy(args["A"])
    once, twice = backend.to_numpy(f(A=args["A"])), backend.to_numpy(f(A=f(A=args["A"])))
    exact = np.array_equal(twice, a) and np.array_equal(once, np.swapaxes(a, -1, -2))
    return 0.0 if exact else float("inf")


def _cond(a: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        c = np.linalg.cond(a)
    return np.where(np.isfinite(c), c, np.inf)


def _invertible(mats: list[np.ndarray], dtype: str, eps: float) -> np.ndarray:
    """Batch items where every matrix is invertible with κ·eps < 0.1 (else no dtype has a
    meaningful inverse) and its exact inverse is representable (max|A⁻¹| < max/8)."""
    ok = np.ones(mats[0].shape[:-2], dtype=bool)
    for m in mats:
        c = _cond(m)
        ok &= np.isfinite(c) & (c * eps < 0.1)
        with np.errstate(all="ignore"):
            inv = np.linalg.inv(np.where(ok[..., None, None], m, np.eye(m.shape[-1])))
        ok &= np.max(np.abs(inv), axis=(-2, -1)) < fmt(dtype).max / 8
    return ok


def inverse_residual(f: Form, args: Args, backend: Backend) -> float:
    """‖A·f(A) − I‖_max / (eps·κ₂(A)), in fp64: a backward-stable inverse leaves a residual
    of order n·u·κ(A) (the residual of an inverse, unlike a solve, scales with κ)."""
    a = backend.to_numpy(args["A"])
    ok = _invertible([a], backend.dtype, backend.eps)
    if not ok.any():
        return 0.0
    x = backend.to_numpy(f(A=backend.asarray(a[ok])))
    if _bad(x):
        return float("inf")
    r = np.max(np.abs(a[ok] @ x - np.eye(a.shape[-1])), axis=(-2, -1))
    return _ratio(r, _cond(a[ok]), backend.eps)


def inverse_of_product(f: Form, args: Args, backend: Backend) -> float:
    """‖f(AB) − f(B)f(A)‖₂ / (eps·[(κ(A) + κ(B))‖A⁻¹‖₂‖B⁻¹‖₂ + κ(AB)‖(AB)⁻¹‖₂]): each inverse
    is within c·n·u·κ of the exact one relative to its norm; AB is rounded to the dtype."""
    a, b = backend.to_numpy(args["A"]), backend.to_numpy(args["B"])
    ab = backend.to_numpy(backend.asarray(a @ b))
    ok = _invertible([a, b, ab], backend.dtype, backend.eps)
    if not ok.any():
        return 0.0
    a, b, ab = a[ok], b[ok], ab[ok]
    lhs = backend.to_numpy(f(A=backend.asarray(ab)))
    rhs = backend.to_numpy(f(A=backend.asarray(b))) @ backend.to_numpy(f(A=backend.asarray(a)))
    if _bad(lhs, rhs):
        return float("inf")

    def norm2(m: np.ndarray) -> np.ndarray:
        return np.linalg.norm(m, ord=2, axis=(-2, -1))

    inv_a, inv_b, inv_ab = np.linalg.inv(a), np.linalg.inv(b), np.linalg.inv(ab)
    scale = (_cond(a) + _cond(b)) * norm2(inv_a) * norm2(inv_b) + _cond(ab) * norm2(inv_ab)
    return _ratio(norm2(lhs - rhs), scale, backend.eps)


def trace_cyclic(f: Form, args: Args, backend: Backend) -> float:
    """|tr(AB) − tr(BA)| with the products in fp64 and rounded to the dtype; in eps of
    Σ|diag| (the trace's own error scale)."""
    a, b = backend.to_numpy(args["A"]), backend.to_numpy(args["B"])
    ab, ba = a @ b, b @ a
    t1, t2 = backend.to_numpy(f(A=backend.asarray(ab))), backend.to_numpy(f(A=backend.asarray(ba)))
    scale = np.maximum(np.sum(np.abs(np.diagonal(ab, axis1=-2, axis2=-1)), axis=-1),
                       np.sum(np.abs(np.diagonal(ba, axis1=-2, axis2=-1)), axis=-1))
    return _ratio(np.abs(t1 - t2), np.maximum(scale, 1.0), backend.eps)


def trace_eigenvalue_sum(f: Form, args: Args, backend: Backend) -> float:
    """|tr A − Σλ| with λ from mpmath (30 digits, complex for non-symmetric A), in eps of
    max(1, Σ|Aᵢᵢ|)."""
    a = backend.to_numpy(args["A"])
    t = np.atleast_1d(backend.to_numpy(f(A=args["A"])))
    flat = a.reshape(-1, a.shape[-2], a.shape[-1])
    worst = 0.0
    with mpmath.workdps(30):
        for ti, ai in zip(np.ravel(t), flat, strict=True):
            lam = mpmath.eig(mpmath.matrix(ai.tolist()), left=False, right=False)
            total = complex(mpmath.fsum(lam))
            scale = max(1.0, float(np.sum(np.abs(np.diag(ai)))))
            worst = max(worst, abs(ti - total) / scale)
    return worst / backend.eps


def elementwise_commutes(f: Form, args: Args, backend: Backend) -> float:
    """A⊙B and B⊙A must be bit-identical (each product rounds the same exact value)."""
    ab, ba = swapped(f, args, backend, "A", "B")
    return 0.0 if np.array_equal(ab, ba) else float("inf")


def distributive(f: Form, args: Args, backend: Backend) -> float:
    """|A⊙(B + C) − (A⊙B + A⊙C)| with the sums in fp64, both sides from the form: each
    product within ½ ulp, so the gap is ≤ (|A||B + C| + |A||B| + |A||C|)·u; in eps of that."""
    a, b, c = (backend.to_numpy(args[k]) for k in ("A", "B", "C"))
    bc = backend.to_numpy(backend.asarray(b + c))  # B + C rounded to the dtype
    lhs = backend.to_numpy(f(A=args["A"], B=backend.asarray(bc)))
    rhs = (backend.to_numpy(f(A=args["A"], B=args["B"]))
           + backend.to_numpy(f(A=args["A"], B=args["C"])))
    bound = np.abs(a) * (np.abs(bc) + np.abs(b) + np.abs(c)) + np.abs(a) * np.abs(bc - b - c)
    return _ratio(np.abs(lhs - rhs), _scale(bound, backend), backend.eps)


# --------------------------------------------------------------------------- decompositions


def eig_residual(f: Form, args: Args, backend: Backend) -> float:
    """‖AP − PΛ‖_max / (eps‖A‖₂): every column is an eigenpair to backward-error accuracy."""
    a = backend.to_numpy(args["A"])
    w, p = (backend.to_numpy(x) for x in f(A=args["A"], vectors=True))
    if _bad(w, p):
        return float("inf")
    return _per_norm(np.max(np.abs(a @ p - p * w[..., None, :]), axis=(-2, -1)), a, backend)


def eig_reconstruction(f: Form, args: Args, backend: Backend) -> float:
    """‖P diag(λ) P⁻¹ − A‖_max / (eps‖A‖₂), P⁻¹ taken in fp64 from the returned P."""
    a = backend.to_numpy(args["A"])
    w, p = (backend.to_numpy(x) for x in f(A=args["A"], vectors=True))
    if _bad(w, p):
        return float("inf")
    rec = (p * w[..., None, :]) @ np.linalg.inv(p)
    return _per_norm(np.max(np.abs(rec - a), axis=(-2, -1)), a, backend)


def eig_orthogonal(f: Form, args: Args, backend: Backend) -> float:
    """‖PᵀP − I‖_max in eps: a symmetric matrix has an orthonormal eigenbasis."""
    _, p = (backend.to_numpy(x) for x in f(A=args["A"], vectors=True))
    return _orthonormality(backend, p)


def eig_det_product(f: Form, args: Args, backend: Backend) -> float:
    """|Πλ − det A| / (eps‖A‖₂ⁿ), det A in mpmath: each λ is within c·n·u‖A‖₂ (Weyl)."""
    a = backend.to_numpy(args["A"])
    w = backend.to_numpy(f(A=args["A"]))
    if _bad(w):
        return float("inf")
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    det = np.array([_mp_det(x) for x in flat]).reshape(w.shape[:-1])
    scale = _scale(_scale(_spectral_norm(a), backend) ** n, backend)
    return _ratio(np.abs(np.prod(w, axis=-1) - det), scale, backend.eps)


def svd_reconstruction(f: Form, args: Args, backend: Backend) -> float:
    """‖U diag(σ) Vᵀ − A‖_max / (eps σ₁)."""
    a = backend.to_numpy(args["A"])
    u, s, vh = (backend.to_numpy(x) for x in f(A=args["A"], vectors=True))
    if _bad(u, s, vh):
        return float("inf")
    return _per_norm(np.max(np.abs((u * s[..., None, :]) @ vh - a), axis=(-2, -1)), a, backend)


def svd_orthogonal(f: Form, args: Args, backend: Backend) -> float:
    """max(‖UᵀU − I‖, ‖VᵀV − I‖) in eps (thin U, V: orthonormal columns)."""
    u, _, vh = (backend.to_numpy(x) for x in f(A=args["A"], vectors=True))
    return _orthonormality(backend, u, np.swapaxes(vh, -1, -2))


def sigma_squared_eig(f: Form, args: Args, backend: Backend) -> float:
    """|σᵢ² − λᵢ(AᵀA)| / (eps σ₁²), λ from mpmath at 30 digits (the n − r zero ones dropped)."""
    a = backend.to_numpy(args["A"])
    s = backend.to_numpy(f(A=args["A"]))
    if _bad(s):
        return float("inf")
    m, n = a.shape[-2:]
    flat = a.reshape(-1, m, n)
    lam = []
    with mpmath.workdps(30):
        for x in flat:
            ata = mpmath.matrix(x.tolist()).T * mpmath.matrix(x.tolist())
            e, _ = mpmath.eigsy(ata)
            lam.append(sorted((float(e[i]) for i in range(n)), reverse=True)[: min(m, n)])
    lam_np = np.array(lam).reshape(s.shape)
    return _ratio(np.max(np.abs(s**2 - lam_np), axis=-1),
                  _scale(_scale(_spectral_norm(a), backend) ** 2, backend), backend.eps)


def eckart_young(f: Form, args: Args, backend: Backend, k: int = 1) -> float:
    """|‖A − f(A)‖₂ − σ_{k+1}(A)| / (eps σ₁), spectral norms in fp64 from the dtype values."""
    a = backend.to_numpy(args["A"])
    ak = backend.to_numpy(f(A=args["A"]))
    if _bad(ak):
        return float("inf")
    s = np.linalg.svd(a, compute_uv=False)
    target = s[..., k] if s.shape[-1] > k else np.zeros(s.shape[:-1])
    err = np.abs(np.linalg.norm(a - ak, ord=2, axis=(-2, -1)) - target)
    return _ratio(err, _scale(s[..., 0], backend), backend.eps)


def rank_at_most_k(f: Form, args: Args, backend: Backend, k: int = 1) -> float:
    """σ_{k+1}(f(A)) / (eps σ₁(A)): A_k has rank ≤ k up to rounding of its entries."""
    a = backend.to_numpy(args["A"])
    ak = backend.to_numpy(f(A=args["A"]))
    if _bad(ak):
        return float("inf")
    s = np.linalg.svd(ak, compute_uv=False)
    if s.shape[-1] <= k:
        return 0.0
    sigma_1 = np.linalg.svd(a, compute_uv=False)[..., 0]
    return _ratio(s[..., k], _scale(sigma_1, backend), backend.eps)


def _centred(x: np.ndarray) -> np.ndarray:
    return x - x.mean(axis=-2, keepdims=True)


def _covariance_eig(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors of XcᵀXc/(N − 1) in mpmath at 30 digits: an
    fp64 reference would be as uncertain as an fp64 form (more: forming XcᵀXc squares σ)."""
    n_rows, d = x.shape[-2:]
    flat = x.reshape(-1, n_rows, d)
    lams, vecs = [], []
    with mpmath.workdps(30):
        for item in flat:
            xc = mpmath.matrix(_centred(item).tolist())
            e, q = mpmath.eigsy(xc.T * xc / (n_rows - 1))
            order = sorted(range(d), key=lambda i: -e[i])
            lams.append([float(e[i]) for i in order])
            vecs.append([[float(q[r, i]) for i in order] for r in range(d)])
    shape = x.shape[:-2]
    return np.array(lams).reshape((*shape, d)), np.array(vecs).reshape((*shape, d, d))


def pca_matches_covariance(f: Form, args: Args, backend: Backend) -> float:
    """sin∠(vⱼ, eⱼ)·gapⱼ / (eps σ₁) for the k directions: vⱼ from the form, eⱼ the j-th
    eigenvector of the covariance XcᵀXc/(N − 1) (mpmath, up to sign). Wedin: a backward-stable
    SVD moves vⱼ by ≤ c·u·σ₁/gapⱼ (gapⱼ = distance from σⱼ to the other singular values), so
    this is O(c) whatever the gap, and 0 when σⱼ is repeated (then vⱼ is not unique). The
    form's centring adds ≤ γ_N·max|X| per entry, so the scale is σ₁ + max|X|."""
    x = backend.to_numpy(args["X"])
    _, v = (backend.to_numpy(t) for t in f(X=args["X"], vectors=True))
    if _bad(v):
        return float("inf")
    n_rows = x.shape[-2]
    lam, e = _covariance_eig(x)
    sigma = np.sqrt(np.maximum(lam * (n_rows - 1), 0.0))
    worst = 0.0
    for j in range(v.shape[-1]):
        vj, ej = v[..., :, j], e[..., :, j]
        # sin∠ as the norm of vⱼ's component off eⱼ (√(1 − cos²) would lose half the digits)
        off = vj - np.sum(vj * ej, axis=-1, keepdims=True) * ej
        sin = np.linalg.norm(off, axis=-1) / np.maximum(np.linalg.norm(vj, axis=-1), 1e-300)
        others = np.delete(sigma, j, axis=-1)
        gap = np.min(np.abs(others - sigma[..., j : j + 1]), axis=-1)
        scale = _scale(sigma[..., 0] + np.max(np.abs(x), axis=(-2, -1)), backend)
        worst = max(worst, _ratio(sin * gap, scale, backend.eps))
    return worst


def pca_scores_projection(f: Form, args: Args, backend: Backend) -> float:
    """‖scores − Xc V_k‖_max / (eps·(‖Xc‖₂ + max|X|)): the scores are the centred data projected
    on the returned directions (Xc and the product in fp64). The form's own centring may leave
    up to γ_N·max|X| per entry (constant data centres to rounding noise, not to 0)."""
    x = backend.to_numpy(args["X"])
    z, v = (backend.to_numpy(t) for t in f(X=args["X"], vectors=True))
    if _bad(z, v):
        return float("inf")
    xc = _centred(x)
    r = np.max(np.abs(z - xc @ v), axis=(-2, -1))
    scale = _spectral_norm(xc) + np.max(np.abs(x), axis=(-2, -1))
    return _ratio(r, _scale(scale, backend), backend.eps)  # subnormals: absolute


def pca_orthonormal(f: Form, args: Args, backend: Backend) -> float:
    """‖V_kᵀV_k − I‖_max in eps: principal directions are orthonormal."""
    _, v = (backend.to_numpy(t) for t in f(X=args["X"], vectors=True))
    return _orthonormality(backend, v)


# --------------------------------------------------------------------------- properties


def positive_on_spd(f: Form, args: Args, backend: Backend) -> float:
    """max(0, −xᵀAx) / (eps·|x|ᵀ|A||x|) for SPD A: the computed form may dip below 0 only by
    its rounding error (and by the rounding of A to the dtype)."""
    x, a = backend.to_numpy(args["x"]), backend.to_numpy(args["A"])
    q = backend.to_numpy(f(x=args["x"], A=args["A"]))
    if np.isnan(q).any():
        return float("inf")
    q = np.where(q == np.inf, 0.0, q)  # +inf: the exact value overflows the dtype, and is > 0
    scale = np.sum(np.abs(x) * (np.abs(a) @ np.abs(x)[..., None])[..., 0], axis=-1)
    return _ratio(np.maximum(0.0, -q), _scale(scale, backend), backend.eps)


def orthonormal_gram(f: Form, args: Args, backend: Backend) -> float:
    """max|f(Q) − I| in eps for Q with orthonormal columns (fp64 QR of A, rounded to dtype)."""
    q = np.linalg.qr(backend.to_numpy(args["A"]))[0]
    g = backend.to_numpy(f(A=backend.asarray(q)))
    return float("inf") if _bad(g) else float(np.max(np.abs(g - np.eye(q.shape[-1])))) / backend.eps


def preserves_norm(f: Form, args: Args, backend: Backend) -> float:
    """|‖Qx‖² − ‖x‖²| / (eps‖x‖²), with ‖Qx‖² = xᵀ f(Q) x (fp64 from the form's QᵀQ)."""
    q = np.linalg.qr(backend.to_numpy(args["A"]))[0]
    x = backend.to_numpy(args["x"])
    g = backend.to_numpy(f(A=backend.asarray(q)))
    if _bad(g):
        return float("inf")
    qx2 = np.sum(x * (g @ x[..., None])[..., 0], axis=-1)
    xx = np.sum(x * x, axis=-1)
    return _ratio(np.abs(qx2 - xx), _scale(xx, backend), backend.eps)


def exactly_symmetric(f: Form, args: Args, backend: Backend) -> float:
    """f(A) must equal its transpose bit for bit."""
    s = backend.to_numpy(f(A=args["A"]))
    return 0.0 if np.array_equal(s, np.swapaxes(s, -1, -2)) else float("inf")


def fixes_symmetric(f: Form, args: Args, backend: Backend) -> float:
    """max|f(S) − S| / (eps·max(max|S|, tiny)) for symmetric S: 0 except where halving a
    subnormal rounds (at most one subnormal spacing = eps·tiny)."""
    s = backend.to_numpy(args["A"])
    y = backend.to_numpy(f(A=args["A"]))
    scale = _scale(np.max(np.abs(s), axis=(-2, -1)), backend)
    return _ratio(np.max(np.abs(y - s), axis=(-2, -1)), scale, backend.eps)


def rank_at_most_r(f: Form, args: Args, backend: Backend) -> float:
    """σ_{r+1}(f(B, A)) / (eps‖|B||A|‖_F): the rounded product is BA + E with
    |E| ≤ (r + 1)u|B||A|, and σ_{r+1}(BA + E) ≤ ‖E‖_F."""
    b, a = backend.to_numpy(args["B"]), backend.to_numpy(args["A"])
    w = backend.to_numpy(f(B=args["B"], A=args["A"]))
    if _bad(w):
        return float("inf")
    r = b.shape[-1]
    s = np.linalg.svd(w, compute_uv=False)
    if s.shape[-1] <= r:
        return 0.0
    # ‖·‖_F scaled: entries of 1e-286 have squares of 0 in fp64, which made the error scale 0
    # (and a correct product 8e20 eps off)
    scale = scaled_norm(np.abs(b) @ np.abs(a), axis=(-2, -1))
    return _ratio(s[..., r], _scale(scale, backend), backend.eps)


# --------------------------------------------------------------------------- custom checks


def _random_matrices(rng: np.random.Generator, count: int, n_max: int = 4) -> list[np.ndarray]:
    return [rng.standard_normal((n, n)) for n in rng.integers(2, n_max + 1, size=count)]


def _none_of(wrong: list[str], what: str, passed: str) -> Outcome:
    """Passed when no matrix is `wrong`, else failed with their count and the first."""
    if wrong:
        return Outcome("failed", f"{len(wrong)} {what}; first: {wrong[0]}", float(len(wrong)),
                       0.0, "matrices")
    return Outcome("passed", passed, 0.0, 0.0, "matrices")


def general_eig_facts(ctx: CheckContext) -> Outcome:
    """Non-symmetric A (complex eigenvalues) with torch.linalg.eig in fp64, 200 matrices:
    det A = Πλ, tr A = Σλ, A = PDP⁻¹. Errors in eps of ‖A‖₂ⁿ, ‖A‖₂ and ‖A‖₂·κ(P)."""
    import torch

    rng = numpy_rng(ctx)
    worst, where = 0.0, ""
    for a in _random_matrices(rng, 200):
        n = a.shape[0]
        lam, p = torch.linalg.eig(torch.as_tensor(a))
        lam_np, p_np = lam.numpy(), p.numpy()
        norm = float(np.linalg.norm(a, 2))
        kappa = float(np.linalg.cond(p_np))
        errors = {
            "det": abs(np.prod(lam_np) - _mp_det(a)) / norm**n,
            "trace": abs(np.sum(lam_np) - np.trace(a)) / norm,
            "PDP⁻¹": np.max(np.abs(p_np @ np.diag(lam_np) @ np.linalg.inv(p_np) - a))
            / (norm * kappa),
        }
        for name, e in errors.items():
            if e / EPS64 > worst:
                worst, where = e / EPS64, f"{name} at A={a.tolist()!r}"
    return within(worst, 64.0, f"200 random 2–4 × 2–4 matrices (seed {ctx.seed}); worst: "
                  f"{where}", note="backward-stable eig: c·n²·u with c ≤ 4, n ≤ 4")


def sigma_squared_eig_exact(ctx: CheckContext) -> Outcome:
    """σᵢ(A)² = λᵢ(AᵀA) at 50 digits (mpmath svd_r vs eigsy) on 20 random m×n matrices."""
    rng = numpy_rng(ctx)
    worst = 0.0
    with mpmath.workdps(50):
        for _ in range(20):
            m, n = (int(v) for v in rng.integers(2, 5, size=2))
            a = mpmath.matrix(rng.standard_normal((m, n)).tolist())
            s = sorted((mpmath.svd_r(a, compute_uv=False)[i] for i in range(min(m, n))),
                       reverse=True)
            e, _ = mpmath.eigsy(a.T * a)
            lam = sorted((e[i] for i in range(n)), reverse=True)
            for i in range(min(m, n)):
                worst = max(worst, float(abs(s[i] ** 2 - lam[i]) / lam[0]))
            for i in range(min(m, n), n):  # AᵀA's extra eigenvalues are 0
                worst = max(worst, float(abs(lam[i]) / lam[0]))
    return within(worst, 1e-40, "20 random matrices at 50 digits", "relative",
                  success="confirmed")


def eckart_young_optimal(ctx: CheckContext) -> Outcome:
    """No rank-k matrix beats A_k: ‖A − B‖₂ ≥ σ_{k+1} for 2000 random rank-k B, half of them
    perturbations of A_k's factors (relative size 1 … 1e−7) (fp64, torch). Violation in eps of
    σ₁."""
    import torch

    rng = numpy_rng(ctx)
    worst = -np.inf
    for _ in range(40):
        m, n = (int(v) for v in rng.integers(2, 5, size=2))
        k = int(rng.integers(1, min(m, n) + 1))
        a = torch.as_tensor(rng.standard_normal((m, n)))
        u, s, vh = torch.linalg.svd(a, full_matrices=False)
        target = float(s[k]) if k < len(s) else 0.0
        for trial in range(50):
            scale = 10.0 ** -rng.integers(0, 8) if trial % 2 else 1.0
            left = torch.as_tensor(rng.standard_normal((m, k)))
            right = torch.as_tensor(rng.standard_normal((k, n)))
            if trial % 2:  # perturb A_k's factors: still rank k
                b = ((u[:, :k] + scale * left) * s[:k]) @ (vh[:k, :] + scale * right)
            else:
                b = left @ right
            gap = (target - float(torch.linalg.matrix_norm(a - b, ord=2))) / (float(s[0]) * EPS64)
            worst = max(worst, gap)
    return within(max(worst, 0.0), 8.0, "2000 random rank-k competitors never beat A_k (beyond "
                  "rounding)", note="two fp64 spectral norms, each within ~n·u·σ₁")


def pca_equals_covariance_eig(ctx: CheckContext) -> Outcome:
    """At 50 digits (mpmath): the right singular vectors of centred X are the eigenvectors of
    the covariance XcᵀXc/(N − 1), with eigenvalues σ²/(N − 1); |vⱼ·eⱼ| = 1 up to sign."""
    rng = numpy_rng(ctx)
    worst = 0.0
    with mpmath.workdps(50):
        for _ in range(10):
            n_rows, d = int(rng.integers(4, 8)), int(rng.integers(2, 5))
            x = rng.standard_normal((n_rows, d)) * rng.uniform(0.5, 3.0, size=d)
            xc = mpmath.matrix((x - x.mean(axis=0)).tolist())
            _, s, vh = mpmath.svd_r(xc)
            cov = xc.T * xc / (n_rows - 1)
            e, q = mpmath.eigsy(cov)
            order_s = sorted(range(d), key=lambda i: -s[i])
            order_e = sorted(range(d), key=lambda i: -e[i])
            for i, j in zip(order_s, order_e, strict=True):
                cos = abs(mpmath.fsum(vh[i, c] * q[c, j] for c in range(d)))
                worst = max(worst, float(abs(1 - cos)),
                            float(abs(s[i] ** 2 / (n_rows - 1) - e[j]) / e[order_e[0]]))
    return within(worst, 1e-40, "10 random data sets at 50 digits (directions up to sign, "
                  "variances σ²/(N − 1))", "relative", success="confirmed")


def pd_criteria_agree(ctx: CheckContext) -> Outcome:
    """xᵀAx > 0 ∀x ≠ 0 ⇔ all λ > 0 ⇔ Cholesky exists, on 300 random symmetric matrices (PD,
    indefinite, negative definite; min |λ| ≥ 1e-6‖A‖ so fp64 decides each unambiguously).
    xᵀAx is probed on 200 random x plus the eigenvector of λ_min (its minimiser on the sphere)."""
    import torch

    rng = numpy_rng(ctx)
    disagreements: list[str] = []
    definite = total = 0
    for n in (2, 3, 4):
        count = 100
        q = np.linalg.qr(rng.standard_normal((count, n, n)))[0]
        signs = rng.choice([1.0, 1.0, -1.0], size=(count, n))
        lam = rng.uniform(1e-6, 3.0, size=(count, n)) * signs
        a = torch.as_tensor(q @ (lam[..., None] * np.swapaxes(q, -1, -2)))
        a = (a + a.mT) / 2
        by_eig = (torch.linalg.eigvalsh(a) > 0).all(dim=-1)
        by_cholesky = torch.linalg.cholesky_ex(a).info == 0
        probes = rng.standard_normal((count, 200, n))
        lowest = np.take_along_axis(q, np.argmin(lam, axis=-1)[:, None, None], axis=-1)[..., 0]
        xs = torch.as_tensor(np.concatenate([probes, lowest[:, None, :]], axis=1))
        by_form = (((xs @ a) * xs).sum(dim=-1) > 0).all(dim=-1)
        definite += int(by_eig.sum())
        total += count
        for i in torch.nonzero((by_eig != by_cholesky) | (by_eig != by_form)).flatten().tolist():
            disagreements.append(f"λ={lam[i].tolist()}: eig {bool(by_eig[i])}, cholesky "
                                 f"{bool(by_cholesky[i])}, xᵀAx {bool(by_form[i])}")
    return _none_of(disagreements, "disagreements", f"{total} matrices ({definite} definite, "
                    f"{total - definite} not): all three criteria agree")


def orthogonal_det_numeric(ctx: CheckContext) -> Outcome:
    """|det Q| = 1 for 300 random orthogonal Q (fp64 QR, reflections included), torch det."""
    import torch

    rng = numpy_rng(ctx)
    worst, signs = 0.0, set()
    for n in (2, 3, 4):
        q = torch.linalg.qr(torch.as_tensor(rng.standard_normal((100, n, n)))).Q
        det = torch.linalg.det(q).numpy()
        signs.update(int(v) for v in np.sign(det))
        worst = max(worst, float(np.max(np.abs(np.abs(det) - 1.0))) / EPS64)
    budget = 16.0
    ok = worst <= budget and signs == {-1, 1}
    return Outcome.verdict(ok, f"300 matrices, det signs seen {sorted(signs)}", worst, budget,
                           "eps", extra={"budget_note": "QR orthogonality n·u plus LU det n·u, "
                                                        "n ≤ 4"})


def symmetric_real_spectrum(ctx: CheckContext) -> Outcome:
    """A general (non-symmetric) eigensolver on symmetric input finds no imaginary parts beyond
    rounding: max|Im λ| / (eps‖A‖₂) over 200 random symmetric matrices (torch.linalg.eig, fp64).
    Symmetric A is normal, so Bauer–Fike bounds the shift by the backward error c·n·u‖A‖₂."""
    import torch

    rng = numpy_rng(ctx)
    worst = 0.0
    for b in _random_matrices(rng, 200):
        a = (b + b.T) / 2
        lam = torch.linalg.eigvals(torch.as_tensor(a)).numpy()
        worst = max(worst, float(np.max(np.abs(lam.imag))) / (EPS64 * np.linalg.norm(a, 2)))
    return within(worst, 16.0, "200 random symmetric matrices",
                  note="backward error c·n·u‖A‖₂, c ≤ 4, n ≤ 4")


def lora_rank_numeric(ctx: CheckContext) -> Outcome:
    """torch.linalg.matrix_rank(BA) = r for random full-rank B (d×r), A (r×k), and never > r."""
    import torch

    rng = numpy_rng(ctx)
    bad: list[str] = []
    for _ in range(200):
        d, k = int(rng.integers(3, 9)), int(rng.integers(3, 9))
        r = int(rng.integers(1, min(d, k)))
        b = torch.as_tensor(rng.standard_normal((d, r)))
        a = torch.as_tensor(rng.standard_normal((r, k)))
        rank = int(torch.linalg.matrix_rank(b @ a))
        if rank != r:
            bad.append(f"d={d}, r={r}, k={k}: rank {rank}")
    return _none_of(bad, "products of the wrong rank",
                    "200 LoRA products BA: numerical rank exactly r")
