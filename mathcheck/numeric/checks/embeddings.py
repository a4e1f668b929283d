"""Section 11 · Embeddings & similarity: properties and the ANN checks against exact k-NN.

ANN data: a Gaussian mixture (clusters are what real embeddings look like and what IVF/PQ
exploit), generated from the check's seed; queries come from the same mixture.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.checks._compare import EPS64, both_forms
from mathcheck.numeric.checks._context import numpy_rng, torch_rng
from mathcheck.numeric.checks._properties import Args, Form, componentwise, scaling_change
from mathcheck.numeric.numpy_forms import embeddings as npf
from mathcheck.outcome import CheckContext, Outcome

# The shared properties, under the names this section's entries use.
commutative = _properties.commutative
symmetric = _properties.commutative  # ‖a − b‖ = ‖b − a‖: the differences only change sign
in_minus_one_one = _properties.in_symmetric_unit_interval
zero_vector = _properties.zero_vector


# --------------------------------------------------------------------------- properties


def dot_error_bound(f: Form, args: Args, backend: Backend) -> float:
    """|fl(a·b) − a·b| / (Σ|aᵢbᵢ|·eps): the classical bound is γ_n ≈ n·u = (n/2)·eps.

    Signed inputs cancel, so a relative error has no bound; this componentwise one does.
    The reference is taken in extended precision; gradual underflow adds n subnormal
    spacings at most, which are subtracted first.
    """
    a, b = backend.to_numpy(args["a"]), backend.to_numpy(args["b"])
    products = a.astype(np.longdouble) * b.astype(np.longdouble)
    magnitude = np.abs(products).sum(axis=-1).astype(np.float64)
    return componentwise(backend.to_numpy(f(**args)), products.sum(axis=-1), magnitude, backend,
                         a.shape[-1], absolute_at_zero=True)


def scale_invariant(f: Form, args: Args, backend: Backend) -> float:
    """cos(c·a, b) = cos(a, b) for c ∈ {2, 4} and cos(−a, b) = −cos(a, b): scaling by a power of
    two is exact and the max-rescaling undoes it exactly, so bit-for-bit."""
    return scaling_change(f, args, backend, ("a",), (2.0, 4.0, -1.0), odd=True)


# --------------------------------------------------------------------------- checks


def _timed(outcome: Callable[[], Outcome]) -> Outcome:
    start = time.perf_counter()
    result = outcome()
    return Outcome(result.status, f"{result.detail} ({time.perf_counter() - start:.2f} s)",
                   result.error, result.budget, result.unit, result.worst_input, result.extra)


def matches_torch_embedding(ctx: CheckContext) -> Outcome:
    """lookup(one-hot) = embed(ids) = torch.nn.Embedding(ids) = one_hot(ids) @ E, bit for bit,
    in every dtype (a gather copies; a one-hot product adds exact zeros)."""
    import torch

    from mathcheck.numeric.torch_forms import embeddings as tf

    gen = torch_rng(ctx)
    vocab, dim = 50, 8
    ids = torch.randint(0, vocab, (4, 7), generator=gen)
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        table = torch.randn(vocab, dim, generator=gen, dtype=torch.float64).to(dtype)
        one_hot = torch.nn.functional.one_hot(ids, vocab).to(dtype)
        layer = torch.nn.Embedding.from_pretrained(table)
        results = {
            "lookup(one-hot)": tf.lookup(one_hot, table),
            "embed(ids)": tf.embed(ids, table),
            "nn.Embedding": layer(ids),
            "one-hot @ E": (one_hot.double() @ table.double()).to(dtype),
            "numpy lookup": torch.from_numpy(npf.lookup(one_hot.double().numpy(),
                                                        table.double().numpy())).to(dtype),
        }
        reference = results["nn.Embedding"]
        for name, value in results.items():
            if value.dtype != dtype or not torch.equal(value, reference):
                return Outcome("failed", f"{name} differs from nn.Embedding in {dtype}")
    return Outcome("passed", "5 ways agree bit for bit in fp64/fp32/fp16/bf16 (V=50, d=8)",
                   error=0.0, budget=0.0)


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    v = rng.standard_normal(shape)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def euclidean_ranks_like_cosine(ctx: CheckContext) -> Outcome:
    """Unit vectors: 20 queries × 300 keys (d = 16). Sorted by the euclidean form, the cosine
    form's values never increase (beyond 8 eps of fp64 rounding), in NumPy and Torch."""
    rng = numpy_rng(ctx)
    queries, keys = _unit(rng, (20, 1, 16)), _unit(rng, (1, 300, 16))
    worst = 0.0
    distances = both_forms("embeddings", "euclidean", queries, keys)
    cosines = both_forms("embeddings", "cosine", queries, keys)
    for name, dist, cos in zip(("numpy", "torch"), distances, cosines, strict=True):
        order = np.argsort(dist, axis=-1, kind="stable")
        by_distance = np.take_along_axis(cos, order, axis=-1)
        rise = float(np.max(np.diff(by_distance, axis=-1)))
        worst = max(worst, rise / EPS64)
        if rise > 8 * EPS64:
            return Outcome("failed", f"{name}: cosine rises by {rise:.3g} along the distance order",
                           error=rise / EPS64, budget=8, unit="eps")
    return Outcome("passed", "same ranking (6000 pairs, both backends)", error=worst, budget=8,
                   unit="eps")


def _mixture(ctx: CheckContext, n: int = 1000, queries: int = 100, d: int = 16,
             clusters: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping clusters (centres ~ N(0, 1.5²I), unit spread), so a query's neighbours
    often sit in several lists: the regime where nprobe matters."""
    rng = numpy_rng(ctx)
    centres = rng.standard_normal((clusters, d)) * 1.5
    points = centres[rng.integers(clusters, size=n)] + rng.standard_normal((n, d))
    asked = centres[rng.integers(clusters, size=queries)] + rng.standard_normal((queries, d))
    return points, asked


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean over queries of |found ∩ truth| / |truth| (recall k@k′ for k = truth's width)."""
    hits = (found[:, :, None] == truth[:, None, :]).any(axis=-1).sum(axis=-1)
    return float(hits.mean() / truth.shape[1])


def _recall_reaches(r: float, minimum: float, detail: str) -> Outcome:
    """Passed when the recall `r` is at least `minimum`."""
    return Outcome.verdict(r >= minimum, detail, error=r, budget=minimum, unit="recall")


IVF_NLIST, IVF_NPROBE, K = 16, 2, 10
IVF_MIN_RECALL = 0.95


def ivf_against_exact(ctx: CheckContext) -> Outcome:
    """IVF (k-means, nlist = 16) on 1000 points of a 16-cluster mixture in ℝ¹⁶, 100 queries:
    with all lists probed the result IS exact k-NN (identical indices, NumPy and Torch); at
    nprobe = 2, recall@10 ≥ 0.95 (measured 0.98-0.99 over seeds 0-2)."""

    def run() -> Outcome:
        points, queries = _mixture(ctx)
        truth = npf.exact_knn(queries, points, K)
        centroids = npf.kmeans(points, IVF_NLIST, seed=ctx.seed)
        assignment = npf.squared_distances(points, centroids).argmin(axis=-1)
        index = (queries, points, centroids, assignment)
        full, full_t = both_forms("embeddings", "ivf_search", *index, IVF_NLIST, K)
        if not (np.array_equal(full, truth) and np.array_equal(full_t, truth)):
            return Outcome("failed", "all lists probed, IVF differs from exact k-NN")
        probed, probed_t = both_forms("embeddings", "ivf_search", *index, IVF_NPROBE, K)
        if not np.array_equal(probed, probed_t):
            return Outcome("failed", "NumPy and Torch IVF disagree at nprobe = 4")
        r = recall(probed, truth)
        return _recall_reaches(r, IVF_MIN_RECALL, f"nprobe = nlist: exact; nprobe = "
                               f"{IVF_NPROBE}/{IVF_NLIST}: recall@{K} = {r:.3f} (≥ "
                               f"{IVF_MIN_RECALL})")

    return _timed(run)


PQ_M, PQ_K = 8, 32
PQ_MIN_RECALL = 0.9


def pq_against_exact(ctx: CheckContext) -> Outcome:
    """PQ (m = 8 sub-spaces of ℝ², 32 codewords each: 40 bits per point instead of 1024):
    (1) the ADC distance equals ‖q − x̂‖² to the decoded point (the sub-space sum, within
    fp64 rounding, NumPy and Torch); (2) recall 1@10 — the true nearest neighbour is among
    the 10 ADC-nearest — ≥ 0.9 on the mixture (measured 0.99-1.0 over seeds 0-2)."""

    def run() -> Outcome:
        points, queries = _mixture(ctx)
        codebooks = npf.pq_train(points, PQ_M, PQ_K, iterations=10, seed=ctx.seed)
        codes = npf.pq_encode(points, codebooks)
        adc, adc_t = both_forms("embeddings", "pq_adc", queries, codebooks, codes)
        direct = npf.squared_distances(queries, npf.pq_decode(codes, codebooks))
        scale = EPS64 * 64 * np.maximum(direct, 1.0)
        gap = float(np.max(np.abs(np.stack([adc, adc_t]) - direct) / scale))
        if gap > 1:
            return Outcome("failed", "ADC ≠ ‖q − x̂‖²", error=gap * 64, budget=64, unit="eps")
        found = npf.pq_search(queries, codebooks, codes, K)
        r = recall(found, npf.exact_knn(queries, points, 1))
        return _recall_reaches(r, PQ_MIN_RECALL, f"ADC = Σ sub-space distances = ‖q − x̂‖² (≤ "
                               f"{gap * 64:.2g} eps); recall 1@{K} = {r:.3f} (≥ {PQ_MIN_RECALL}) "
                               f"at m = {PQ_M}, k = {PQ_K}")

    return _timed(run)


HNSW_MIN_RECALL = 0.95


def hnsw_against_exact(ctx: CheckContext) -> Outcome:
    """faiss HNSW (M = 16, efConstruction = 64, efSearch = 64) on the mixture: recall@10 ≥ 0.95.
    Skipped, saying why, when faiss-cpu is not installed."""
    try:
        import faiss  # noqa: F401
    except ImportError:
        return Outcome("skipped", "faiss-cpu is not installed (pip install faiss-cpu)")

    def run() -> Outcome:
        points, queries = _mixture(ctx)
        found = npf.hnsw_search(points, queries, K)
        r = recall(found, npf.exact_knn(queries, points, K))
        return _recall_reaches(r, HNSW_MIN_RECALL, f"recall@{K} = {r:.3f} (≥ {HNSW_MIN_RECALL}), "
                               "faiss IndexHNSWFlat M=16, ef 64/64")

    return _timed(run)
