"""Section 1 · Linear algebra in NumPy: vectorised over leading batch axes, dtype-preserving.

Norms scale by a power of two (exact) before squaring, so entries near 1e200 (fp64) or 1e30
(fp32) neither overflow nor lose accuracy. LAPACK has no float16 routines, so inverses and
decompositions of float16 input run in float32 and round the result back (how frameworks do it).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _work(x: np.ndarray) -> np.ndarray:
    """float16 promoted to float32 for LAPACK; other dtypes unchanged."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _back(x: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """Round a float32 result back to float16; a value beyond its range becomes ±inf, which is
    the correctly rounded answer, not an accident to warn about."""
    with np.errstate(over="ignore"):
        return x.astype(dtype, copy=False)


def _pow2_scale(a: np.ndarray) -> np.ndarray:
    """The exponent e with max|a| = m·2^e, m in [0.5, 1), per row (0 for a zero row)."""
    _, e = np.frexp(np.max(np.abs(a), axis=-1, keepdims=True))
    return e


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", a, b)


def l2_norm(a: np.ndarray) -> np.ndarray:
    """‖a‖ = 2^e·‖a·2^{−e}‖: the scaled entries are ≤ 1, so squaring cannot overflow."""
    e = _pow2_scale(a)
    scaled = np.ldexp(a, -e)
    s = np.sqrt(np.sum(scaled * scaled, axis=-1, keepdims=True))
    return np.ldexp(s, e)[..., 0].astype(a.dtype, copy=False)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·b/(‖a‖‖b‖) on a·2^{−e_a} and b·2^{−e_b} (exact scalings that put each max entry in
    [½, 1)): nothing overflows, subnormal inputs become normal, and scaling a or b by a power
    of two changes nothing. Clipped to [−1, 1]; 0 when either vector is zero (stated
    convention, the limit torch's eps-clamped denominator gives)."""
    a_s, b_s = np.ldexp(a, -_pow2_scale(a)), np.ldexp(b, -_pow2_scale(b))
    norms = np.sqrt(np.sum(a_s * a_s, axis=-1)) * np.sqrt(np.sum(b_s * b_s, axis=-1))
    one = np.ones((), dtype=a.dtype)
    cos = dot(a_s, b_s) / np.where(norms == 0, one, norms)
    return np.where(norms == 0, np.zeros((), a.dtype), np.clip(cos, -one, one))


def l1_norm(a: np.ndarray) -> np.ndarray:
    return np.sum(np.abs(a), axis=-1)


def projection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a·b̂/b̂·b̂) b̂ with b̂ = b·2^{−e} (exact), so ‖b‖² cannot overflow; 0 for b = 0."""
    bs = np.ldexp(b, -_pow2_scale(b))
    bb = np.sum(bs * bs, axis=-1, keepdims=True)
    coef = np.sum(a * bs, axis=-1, keepdims=True) / np.where(bb == 0, np.ones((), b.dtype), bb)
    return coef * bs


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A @ B


def transpose(A: np.ndarray) -> np.ndarray:
    return np.swapaxes(A, -1, -2)


def inverse(A: np.ndarray) -> np.ndarray:
    """LU with partial pivoting (LAPACK gesv) on A·2^{−e} (max entry in [½, 1), exact), then
    A⁻¹ = (A·2^{−e})⁻¹·2^{−e}: tiny or huge A neither overflows inside LU nor turns an
    overflowing entry of A⁻¹ into inf − inf = NaN."""
    _, e = np.frexp(np.max(np.abs(A), axis=(-2, -1), keepdims=True))
    work = _work(A)
    with np.errstate(over="ignore"):
        return _back(np.ldexp(np.linalg.inv(np.ldexp(work, -e)), -e), A.dtype)


def trace(A: np.ndarray) -> np.ndarray:
    return np.sum(np.diagonal(A, axis1=-2, axis2=-1), axis=-1)


def hadamard(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A * B


def eigendecomposition(A: np.ndarray, vectors: bool = False) -> Any:
    """Eigenvalues (ascending) of a symmetric A, read from its lower triangle; with
    `vectors=True` also P (columns = eigenvectors), so A = P diag(λ) Pᵀ."""
    w, p = np.linalg.eigh(_work(A))
    w = w.astype(A.dtype, copy=False)
    return (w, p.astype(A.dtype, copy=False)) if vectors else w


def svd(A: np.ndarray, vectors: bool = False) -> Any:
    """Singular values (descending); with `vectors=True` the thin (U, σ, Vᵀ)."""
    if not vectors:
        return np.linalg.svd(_work(A), compute_uv=False).astype(A.dtype, copy=False)
    u, s, vh = np.linalg.svd(_work(A), full_matrices=False)
    return tuple(x.astype(A.dtype, copy=False) for x in (u, s, vh))


def low_rank(A: np.ndarray, k: float = 1) -> np.ndarray:
    """A_k = U_k Σ_k V_kᵀ: keep the k largest singular triplets."""
    k = int(k)
    u, s, vh = np.linalg.svd(_work(A), full_matrices=False)
    return ((u[..., :, :k] * s[..., None, :k]) @ vh[..., :k, :]).astype(A.dtype, copy=False)


def pca_svd(X: np.ndarray, k: float = 2, vectors: bool = False) -> Any:
    """Scores of the rows of X (N×d) on the top-k principal directions: centre, SVD, project.

    Each direction is signed so that its largest-magnitude entry is positive (SVD signs are
    arbitrary); `vectors=True` also returns the directions V_k (d×k).
    """
    k = int(k)
    xc = _work(X) - np.mean(_work(X), axis=-2, keepdims=True)
    _, _, vh = np.linalg.svd(xc, full_matrices=False)
    v = np.swapaxes(vh[..., :k, :], -1, -2)  # d×k
    pivot = np.take_along_axis(v, np.argmax(np.abs(v), axis=-2)[..., None, :], axis=-2)
    v = v * np.where(pivot < 0, -1.0, 1.0).astype(v.dtype)
    scores = (xc @ v).astype(X.dtype, copy=False)
    return (scores, v.astype(X.dtype, copy=False)) if vectors else scores


def quadratic_form(x: np.ndarray, A: np.ndarray) -> np.ndarray:
    """xᵀAx: one matrix-vector product, then a dot product."""
    with np.errstate(over="ignore"):  # inf only where xᵀAx is past the dtype's range
        return np.sum(x * (A @ x[..., None])[..., 0], axis=-1)


def gram(A: np.ndarray) -> np.ndarray:
    """AᵀA (= I exactly when A has orthonormal columns)."""
    return np.swapaxes(A, -1, -2) @ A


def symmetric_part(A: np.ndarray) -> np.ndarray:
    """A/2 + Aᵀ/2: halving first cannot overflow (A + Aᵀ can), and the result is exactly
    symmetric because floating-point addition commutes."""
    half = np.asarray(0.5, dtype=A.dtype)
    return A * half + np.swapaxes(A, -1, -2) * half


def lora_product(B: np.ndarray, A: np.ndarray) -> np.ndarray:
    """ΔW = BA (d×r times r×k): rank at most r."""
    return B @ A


def cosine_similarity_eps_clamped(a: np.ndarray, b: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Variant: a·b/(max(‖a‖, ε)·max(‖b‖, ε)), each norm clamped (torch F.cosine_similarity)."""
    na = np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), eps).astype(a.dtype)
    nb = np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), eps).astype(b.dtype)
    return dot(a / na, b / nb).astype(a.dtype, copy=False)
