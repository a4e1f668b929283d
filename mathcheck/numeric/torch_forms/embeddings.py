"""Section 11 · Embeddings & similarity in Torch (device-agnostic, dtype-preserving)."""

from __future__ import annotations

import torch


def embed(ids: torch.Tensor, E: torch.Tensor) -> torch.Tensor:
    """E[ids, :] by gather, exact in every dtype. E is (..., V, d), ids (...)."""
    batch = torch.broadcast_shapes(ids.shape, E.shape[:-2])
    table = E.expand(*batch, *E.shape[-2:])
    index = ids.expand(batch)[..., None, None].expand(*batch, 1, E.shape[-1])
    return torch.gather(table, -2, index)[..., 0, :]


def lookup(x: torch.Tensor, E: torch.Tensor) -> torch.Tensor:
    return embed(x.argmax(dim=-1), E)


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum(dim=-1)


def _rescaled(v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scale = v.abs().amax(dim=-1, keepdim=True)
    return v / torch.where(scale == 0, 1, scale), scale


def cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    a, sa = _rescaled(a)
    b, sb = _rescaled(b)
    value = dot(a, b) / torch.sqrt(dot(a, a) * dot(b, b))
    zero = (sa[..., 0] == 0) | (sb[..., 0] == 0)
    return torch.where(zero, 0, value.clamp(-1, 1))


def euclidean(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r, s = _rescaled(a - b)
    return s[..., 0] * torch.sqrt(dot(r, r))


# --------------------------------------------------------------------------- ANN


def squared_distances(queries: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    diff = queries[:, None, :] - points[None, :, :]
    return (diff * diff).sum(dim=-1)


def ivf_search(
    queries: torch.Tensor,
    points: torch.Tensor,
    centroids: torch.Tensor,
    assignment: torch.Tensor,
    nprobe: int,
    k: int,
) -> torch.Tensor:
    """The NumPy form's semantics: k nearest among the members of the nprobe nearest lists."""
    probe = torch.argsort(squared_distances(queries, centroids), dim=-1, stable=True)[:, :nprobe]
    candidate = (assignment[None, :, None] == probe[:, None, :]).any(dim=-1)
    distances = torch.where(candidate, squared_distances(queries, points), torch.inf)
    order = torch.argsort(distances, dim=-1, stable=True)[:, :k]
    return torch.where(torch.gather(candidate, -1, order), order, -1)


def pq_adc(queries: torch.Tensor, codebooks: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """Σ_m T[m, code_m] with T[m, j] = ‖q⁽ᵐ⁾ − c⁽ᵐ⁾_j‖² (tables (Q, m, k), codes (N, m))."""
    m = codebooks.shape[0]
    sub = queries.reshape(queries.shape[0], m, 1, -1)
    tables = ((sub - codebooks[None]) ** 2).sum(dim=-1)
    rows = torch.arange(m, device=codes.device)[None, :]
    return tables[:, rows, codes].sum(dim=-1)


def pq_search(queries: torch.Tensor, codebooks: torch.Tensor, codes: torch.Tensor,
              k: int) -> torch.Tensor:
    return torch.argsort(pq_adc(queries, codebooks, codes), dim=-1, stable=True)[:, :k]


def cosine_eps_clamped(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Variant: a·b/(max(‖a‖, ε)·max(‖b‖, ε)), each norm clamped (torch F.cosine_similarity)."""
    na = torch.linalg.vector_norm(a, dim=-1, keepdim=True).clamp_min(eps)
    nb = torch.linalg.vector_norm(b, dim=-1, keepdim=True).clamp_min(eps)
    return dot(a / na, b / nb)
