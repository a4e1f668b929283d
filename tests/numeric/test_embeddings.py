"""Section 11 · Embeddings & similarity: forms against torch built-ins, and the ANN helpers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mathcheck.numeric.numpy_forms import embeddings as npf
from mathcheck.numeric.torch_forms import embeddings as tf

RNG = np.random.default_rng(0)


def test_lookup_is_one_hot_times_e_and_nn_embedding():
    table = RNG.standard_normal((10, 4))
    ids = np.array([[3, 0, 9], [1, 1, 2]])
    one_hot = np.eye(10)[ids]
    np.testing.assert_array_equal(npf.lookup(one_hot, table), one_hot @ table)
    np.testing.assert_array_equal(npf.embed(ids, table), table[ids])
    layer = torch.nn.Embedding.from_pretrained(torch.from_numpy(table))
    np.testing.assert_array_equal(tf.lookup(torch.from_numpy(one_hot), torch.from_numpy(table)),
                                  layer(torch.from_numpy(ids)).numpy())


def test_lookup_with_batched_tables():
    tables = RNG.standard_normal((2, 5, 3))
    one_hot = np.eye(5)[[4, 1]]
    expected = np.stack([tables[0, 4], tables[1, 1]])
    np.testing.assert_array_equal(npf.lookup(one_hot, tables), expected)
    np.testing.assert_array_equal(
        tf.lookup(torch.from_numpy(one_hot), torch.from_numpy(tables)).numpy(), expected)


def test_cosine_matches_torch_and_handles_extremes():
    a, b = RNG.standard_normal((6, 8)), RNG.standard_normal((6, 8))
    ref = torch.nn.functional.cosine_similarity(torch.from_numpy(a), torch.from_numpy(b), dim=-1)
    np.testing.assert_allclose(npf.cosine(a, b), ref.numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(tf.cosine(torch.from_numpy(a), torch.from_numpy(b)).numpy(),
                               ref.numpy(), rtol=1e-14, atol=1e-15)
    assert npf.cosine(np.zeros(3), np.ones(3)) == 0.0
    tiny = np.array([1e-7, 2e-7], dtype=np.float16)  # squares underflow in fp16
    assert npf.cosine(tiny, tiny) == pytest.approx(1.0, abs=1e-3)
    huge = np.array([1e30, 1e30], dtype=np.float32)  # squares overflow in fp32
    assert npf.cosine(huge, -huge) == pytest.approx(-1.0)


def test_euclidean_matches_torch_dist_and_expansion():
    a, b = RNG.standard_normal((6, 8)), RNG.standard_normal((6, 8))
    ref = torch.linalg.vector_norm(torch.from_numpy(a - b), dim=-1).numpy()
    np.testing.assert_allclose(npf.euclidean(a, b), ref, rtol=1e-14)
    np.testing.assert_allclose(tf.euclidean(torch.from_numpy(a), torch.from_numpy(b)).numpy(),
                               ref, rtol=1e-14)
    expansion = (a * a).sum(-1) + (b * b).sum(-1) - 2 * npf.dot(a, b)
    np.testing.assert_allclose(npf.euclidean(a, b) ** 2, expansion, rtol=1e-12)
    assert npf.euclidean(np.zeros(3), np.zeros(3)) == 0.0


def test_ivf_with_all_lists_is_exact_and_pq_adc_is_decoded_distance():
    points, queries = RNG.standard_normal((300, 8)), RNG.standard_normal((20, 8))
    centroids = npf.kmeans(points, 8, iterations=5)
    assignment = npf.squared_distances(points, centroids).argmin(-1)
    truth = npf.exact_knn(queries, points, 5)
    np.testing.assert_array_equal(npf.ivf_search(queries, points, centroids, assignment, 8, 5),
                                  truth)
    few = npf.ivf_search(queries, points, centroids, assignment, 1, 5)
    few_t = tf.ivf_search(*(torch.from_numpy(v) for v in (queries, points, centroids,
                                                          assignment)), 1, 5)
    np.testing.assert_array_equal(few, few_t.numpy())
    codebooks = npf.pq_train(points, 4, 16, iterations=5)
    codes = npf.pq_encode(points, codebooks)
    decoded = npf.pq_decode(codes, codebooks)
    np.testing.assert_allclose(npf.pq_adc(queries, codebooks, codes),
                               npf.squared_distances(queries, decoded), rtol=1e-12)
    np.testing.assert_allclose(
        tf.pq_adc(*(torch.from_numpy(v) for v in (queries, codebooks, codes))).numpy(),
        npf.squared_distances(queries, decoded), rtol=1e-12)


def test_hnsw_finds_the_exact_neighbours_on_easy_data():
    pytest.importorskip("faiss")
    points, queries = RNG.standard_normal((500, 8)), RNG.standard_normal((10, 8))
    found = npf.hnsw_search(points, queries, 5, ef_search=128)
    truth = npf.exact_knn(queries, points, 5)
    assert (found[:, 0] == truth[:, 0]).mean() >= 0.9
