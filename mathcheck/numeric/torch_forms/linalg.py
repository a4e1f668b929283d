"""Section 1 · Linear algebra in Torch: device-agnostic, dtype-preserving, no host round-trips.

Same algorithms as the NumPy forms. torch.linalg has no float16/bfloat16 kernels for
inverses and decompositions, so those run in float32 and round back (as autocast does).
"""

from __future__ import annotations

from typing import Any

import torch

_LOW = (torch.float16, torch.bfloat16)


def _work(x: torch.Tensor) -> torch.Tensor:
    return x.to(torch.float32) if x.dtype in _LOW else x


def _pow2_exponent(a: torch.Tensor) -> torch.Tensor:
    """e with max|a| = m·2^e, m in [0.5, 1), per row (no gradient: it only picks a scale)."""
    _, e = torch.frexp(a.detach().abs().amax(dim=-1, keepdim=True))
    return e


def _times_pow2(a: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """a·2^e, exact: split in two factors so neither power of two over- or underflows."""
    e1 = torch.div(e, 2, rounding_mode="floor")
    return a * torch.exp2(e1.to(a.dtype)) * torch.exp2((e - e1).to(a.dtype))


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum(dim=-1)


def l2_norm(a: torch.Tensor) -> torch.Tensor:
    """‖a‖ = 2^e·‖a·2^{−e}‖: the scaled entries are ≤ 1, so squaring cannot overflow."""
    e = _pow2_exponent(a)
    scaled = _times_pow2(a, -e)
    s = torch.sqrt((scaled * scaled).sum(dim=-1, keepdim=True))
    return _times_pow2(s, e).squeeze(-1)


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a·b/(‖a‖‖b‖) on power-of-two-scaled copies (exact; see the NumPy form); clipped to
    [−1, 1]; 0 when either vector is zero (stated convention)."""
    a_s, b_s = _times_pow2(a, -_pow2_exponent(a)), _times_pow2(b, -_pow2_exponent(b))
    norms = (a_s * a_s).sum(dim=-1).sqrt() * (b_s * b_s).sum(dim=-1).sqrt()
    cos = dot(a_s, b_s) / torch.where(norms == 0, torch.ones_like(norms), norms)
    return torch.where(norms == 0, torch.zeros_like(cos), cos.clamp(-1, 1))


def l1_norm(a: torch.Tensor) -> torch.Tensor:
    return a.abs().sum(dim=-1)


def projection(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(a·b̂/b̂·b̂) b̂ with b̂ = b·2^{−e} (exact), so ‖b‖² cannot overflow; 0 for b = 0."""
    bs = _times_pow2(b, -_pow2_exponent(b))
    bb = (bs * bs).sum(dim=-1, keepdim=True)
    coef = (a * bs).sum(dim=-1, keepdim=True) / torch.where(bb == 0, torch.ones_like(bb), bb)
    return coef * bs


def matmul(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    return A @ B


def transpose(A: torch.Tensor) -> torch.Tensor:
    return A.transpose(-1, -2)


def inverse(A: torch.Tensor) -> torch.Tensor:
    """LU inverse of A·2^{−e} (exact), scaled back by 2^{−e}: tiny or huge A cannot overflow
    inside LU. `inv_ex` skips the singularity check that would sync with the device (a matrix
    singular to working precision comes back with inf/NaN instead of raising)."""
    work = _work(A)
    _, e = torch.frexp(work.detach().abs().amax(dim=(-2, -1), keepdim=True))
    scaled = _times_pow2(work, -e)  # max entry in [½, 1): exact
    return _times_pow2(torch.linalg.inv_ex(scaled).inverse, -e).to(A.dtype)


def trace(A: torch.Tensor) -> torch.Tensor:
    return torch.diagonal(A, dim1=-2, dim2=-1).sum(dim=-1)


def hadamard(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    return A * B


def eigendecomposition(A: torch.Tensor, vectors: bool = False) -> Any:
    """Eigenvalues (ascending) of a symmetric A from its lower triangle; `vectors=True` adds P."""
    if not vectors:
        return torch.linalg.eigvalsh(_work(A)).to(A.dtype)
    w, p = torch.linalg.eigh(_work(A))
    return w.to(A.dtype), p.to(A.dtype)


def svd(A: torch.Tensor, vectors: bool = False) -> Any:
    """Singular values (descending); with `vectors=True` the thin (U, σ, Vᵀ)."""
    if not vectors:
        return torch.linalg.svdvals(_work(A)).to(A.dtype)
    u, s, vh = torch.linalg.svd(_work(A), full_matrices=False)
    return u.to(A.dtype), s.to(A.dtype), vh.to(A.dtype)


def low_rank(A: torch.Tensor, k: float = 1) -> torch.Tensor:
    k = int(k)
    u, s, vh = torch.linalg.svd(_work(A), full_matrices=False)
    return ((u[..., :, :k] * s[..., None, :k]) @ vh[..., :k, :]).to(A.dtype)


def pca_svd(X: torch.Tensor, k: float = 2, vectors: bool = False) -> Any:
    """Centre, SVD, project on the top-k directions (each signed: largest entry positive)."""
    k = int(k)
    xc = _work(X) - _work(X).mean(dim=-2, keepdim=True)
    _, _, vh = torch.linalg.svd(xc, full_matrices=False)
    v = vh[..., :k, :].transpose(-1, -2)  # d×k
    pivot = torch.gather(v, -2, v.abs().argmax(dim=-2, keepdim=True))
    v = v * torch.where(pivot < 0, -1.0, 1.0).to(v.dtype)
    scores = (xc @ v).to(X.dtype)
    return (scores, v.to(X.dtype)) if vectors else scores


def quadratic_form(x: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    return (x * (A @ x.unsqueeze(-1)).squeeze(-1)).sum(dim=-1)


def gram(A: torch.Tensor) -> torch.Tensor:
    return A.transpose(-1, -2) @ A


def symmetric_part(A: torch.Tensor) -> torch.Tensor:
    """A/2 + Aᵀ/2 (cannot overflow; exactly symmetric since addition commutes)."""
    return A * 0.5 + A.transpose(-1, -2) * 0.5


def lora_product(B: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    return B @ A


def cosine_similarity_eps_clamped(a: torch.Tensor, b: torch.Tensor,
                                  eps: float = 1e-8) -> torch.Tensor:
    """Variant: a·b/(max(‖a‖, ε)·max(‖b‖, ε)), each norm clamped (torch F.cosine_similarity)."""
    na = torch.linalg.vector_norm(a, dim=-1, keepdim=True).clamp_min(eps)
    nb = torch.linalg.vector_norm(b, dim=-1, keepdim=True).clamp_min(eps)
    return dot(a / na, b / nb)
