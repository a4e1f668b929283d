"""Section 11 · Embeddings & similarity in NumPy, and the ANN search semantics.

Similarities reduce over the last axis and broadcast (a query against a matrix of keys).
Cosine and euclidean rescale by the largest |component| first, so neither overflows nor
underflows where the result itself is representable (fp16 norms of 1e-4 vectors, say).
"""

from __future__ import annotations

import numpy as np


def embed(ids: np.ndarray, E: np.ndarray) -> np.ndarray:
    """E[ids, :]: a gather, exact in every dtype. E is (..., V, d), ids (...)."""
    lead = max(ids.ndim + 2 - E.ndim, 0)
    table = E.reshape((1,) * lead + E.shape)
    index = ids.reshape((*ids.shape, 1, 1))
    index = index.reshape((1,) * max(table.ndim - index.ndim, 0) + index.shape)
    return np.take_along_axis(table, index, axis=-2)[..., 0, :]


def lookup(x: np.ndarray, E: np.ndarray) -> np.ndarray:
    """embed(argmax x) for one-hot x: the row lookup that one-hot × E computes."""
    return embed(x.argmax(axis=-1), E)


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=-1)


def _rescaled(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(v / max|v|, max|v|), with a zero vector left as zeros."""
    scale = np.abs(v).max(axis=-1, keepdims=True)
    return v / np.where(scale == 0, 1, scale), scale


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·b/(‖a‖‖b‖) clipped to [−1, 1]; 0 when either vector is zero (as torch's eps clamp)."""
    a, sa = _rescaled(a)
    b, sb = _rescaled(b)
    with np.errstate(invalid="ignore"):  # 0/0 for a zero vector, replaced below
        value = dot(a, b) / np.sqrt(dot(a, a) * dot(b, b))
    zero = (sa[..., 0] == 0) | (sb[..., 0] == 0)
    return np.where(zero, 0, np.clip(value, -1, 1)).astype(value.dtype, copy=False)


def euclidean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """‖a − b‖₂ as s·‖(a − b)/s‖ with s = max|aᵢ − bᵢ| (no overflow of the squares)."""
    r, s = _rescaled(a - b)
    with np.errstate(over="ignore"):  # ∞ where the exact norm overflows: the right answer
        return s[..., 0] * np.sqrt(dot(r, r))


# --------------------------------------------------------------------------- ANN


def squared_distances(queries: np.ndarray, points: np.ndarray) -> np.ndarray:
    """‖q − x‖² for every pair, (Q, d) × (N, d) → (Q, N), from differences: each pair's value
    does not depend on which other points are present, so subsets give identical numbers."""
    diff = queries[:, None, :] - points[None, :, :]
    return (diff * diff).sum(axis=-1)


def exact_knn(queries: np.ndarray, points: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k nearest points per query (stable: ties by index)."""
    return np.argsort(squared_distances(queries, points), axis=-1, kind="stable")[:, :k]


def kmeans(x: np.ndarray, k: int, iterations: int = 20, seed: int = 0) -> np.ndarray:
    """Lloyd's algorithm from k distinct random points; an empty cluster keeps its centroid."""
    rng = np.random.default_rng(seed)
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(iterations):
        assign = squared_distances(x, centroids).argmin(axis=-1)
        counts = np.bincount(assign, minlength=k)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, x)
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
    return centroids


def ivf_search(
    queries: np.ndarray,
    points: np.ndarray,
    centroids: np.ndarray,
    assignment: np.ndarray,
    nprobe: int,
    k: int,
) -> np.ndarray:
    """IVF: candidates are the members of the nprobe lists whose centroids are nearest the
    query; the k nearest candidates are returned (index −1 if fewer than k candidates).

    This states the semantics with a mask over all points; an index that only visits the
    probed lists returns the same indices.
    """
    probe = np.argsort(squared_distances(queries, centroids), axis=-1, kind="stable")[:, :nprobe]
    candidate = (assignment[None, :, None] == probe[:, None, :]).any(axis=-1)
    distances = np.where(candidate, squared_distances(queries, points), np.inf)
    order = np.argsort(distances, axis=-1, kind="stable")[:, :k]
    return np.where(np.take_along_axis(candidate, order, axis=-1), order, -1)


def pq_train(x: np.ndarray, m: int, k: int, iterations: int = 20, seed: int = 0) -> np.ndarray:
    """Codebooks (m, k, d/m): k-means in each of the m sub-spaces."""
    sub = x.reshape(len(x), m, -1)
    return np.stack([kmeans(sub[:, j], k, iterations, seed + j) for j in range(m)])


def pq_encode(x: np.ndarray, codebooks: np.ndarray) -> np.ndarray:
    """Codes (N, m): the nearest sub-codeword per sub-space."""
    sub = x.reshape(len(x), codebooks.shape[0], 1, -1)
    return ((sub - codebooks[None]) ** 2).sum(axis=-1).argmin(axis=-1)


def pq_decode(codes: np.ndarray, codebooks: np.ndarray) -> np.ndarray:
    """x̂: the concatenation of the chosen sub-codewords."""
    chosen = codebooks[np.arange(codebooks.shape[0])[None, :], codes]  # (N, m, d/m)
    return chosen.reshape(len(codes), -1)


def pq_adc(queries: np.ndarray, codebooks: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Asymmetric distance ‖q − x̂‖² = Σ_m T[m, code_m], T[m, j] = ‖q⁽ᵐ⁾ − c⁽ᵐ⁾_j‖²: one
    table per query, then M lookups per point."""
    m = codebooks.shape[0]
    sub = queries.reshape(len(queries), m, 1, -1)
    tables = ((sub - codebooks[None]) ** 2).sum(axis=-1)  # (Q, m, k)
    looked_up = tables[:, np.arange(m)[None, :], codes]  # (Q, N, m)
    return looked_up.sum(axis=-1)


def pq_search(queries: np.ndarray, codebooks: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(pq_adc(queries, codebooks, codes), axis=-1, kind="stable")[:, :k]


def hnsw_search(
    points: np.ndarray,
    queries: np.ndarray,
    k: int,
    m: int = 16,
    ef_construction: int = 64,
    ef_search: int = 64,
) -> np.ndarray:
    """HNSW through faiss (faiss-cpu), single-threaded so results are reproducible."""
    import faiss

    faiss.omp_set_num_threads(1)
    index = faiss.IndexHNSWFlat(points.shape[1], m)
    index.hnsw.efConstruction = ef_construction
    index.add(np.ascontiguousarray(points, dtype=np.float32))
    index.hnsw.efSearch = ef_search
    _, found = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return found


def cosine_eps_clamped(a: np.ndarray, b: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Variant: a·b/(max(‖a‖, ε)·max(‖b‖, ε)), each norm clamped (torch F.cosine_similarity)."""
    na = np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), eps).astype(a.dtype)
    nb = np.maximum(np.linalg.norm(b, axis=-1, keepdims=True), eps).astype(b.dtype)
    return dot(a / na, b / nb).astype(a.dtype, copy=False)
