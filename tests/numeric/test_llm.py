"""Section 9 · LLM-specific: forms against reference values and torch built-ins, the BPE trainer
on the shipped corpus, and the section's custom checks."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mathcheck.numeric import bpe
from mathcheck.numeric.checks import llm as checks
from mathcheck.numeric.numpy_forms import llm as npf
from mathcheck.numeric.torch_forms import llm as tf
from mathcheck.outcome import CheckContext

CTX = CheckContext("torch", "float64", "cpu", seed=0, examples=8)
CORPUS = (Path(__file__).parent.parent / "data" / "bpe_corpus.txt").read_text(encoding="utf-8")
TOKENIZER = bpe.train(CORPUS, 256 + 120)
RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- positions


def test_sinusoidal_values_and_backends():
    pos = np.array([0.0, 1.0, 7.0])
    pe = npf.sinusoidal(pos, d=4)
    w1 = 10000 ** (-2 / 4)
    np.testing.assert_allclose(pe[1], [np.sin(1), np.cos(1), np.sin(w1), np.cos(w1)], atol=1e-15)
    np.testing.assert_array_equal(pe[0], [0, 1, 0, 1])
    np.testing.assert_allclose(tf.sinusoidal(torch.as_tensor(pos), d=4).numpy(), pe, atol=1e-15)
    assert tf.sinusoidal(torch.tensor([3.0], dtype=torch.float16), d=8).dtype == torch.float16


def test_rope_relative_position_and_norm_numerically():
    q, k = RNG.normal(size=(2, 8)), RNG.normal(size=(2, 8))
    m, n = np.array([[5.0], [40.0]]), np.array([[2.0], [33.0]])
    s1 = (npf.rope(q, m) * npf.rope(k, n)).sum(-1)
    s2 = (npf.rope(q, m + 100) * npf.rope(k, n + 100)).sum(-1)
    np.testing.assert_allclose(s1, s2, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(npf.rope(q, m), axis=-1), np.linalg.norm(q, axis=-1))
    got = tf.rope(torch.as_tensor(q), torch.as_tensor(m)).numpy()
    np.testing.assert_allclose(got, npf.rope(q, m), atol=1e-15)


def test_rope_half_is_interleaved_up_to_a_coordinate_permutation():
    x, m = RNG.normal(size=(3, 6)), np.array([[1.0], [2.0], [9.0]])
    perm = np.array([0, 3, 1, 4, 2, 5])  # interleaved position of each half-split coordinate
    half = npf.rope_half(x, m)
    inter = npf.rope(x[..., perm], m)
    np.testing.assert_allclose(inter, half[..., perm], atol=1e-15)


# ---------------------------------------------------------------- BPE


def test_bpe_trainer_merges_the_most_frequent_pair_on_the_shipped_corpus():
    words = Counter(bpe.chunks(CORPUS))
    for r, pair in enumerate(TOKENIZER.merges):
        partial = bpe.Tokenizer(TOKENIZER.merges[:r])
        counts: Counter[tuple[int, int]] = Counter()
        for word, freq in words.items():
            ids = partial.encode(word)
            for a, b in itertools.pairwise(ids):
                counts[(a, b)] += freq
        best = max(counts.values())
        assert counts[pair] == best
        assert pair == min(p for p, c in counts.items() if c == best)  # tie rule


def test_bpe_tie_rule_takes_the_smallest_ids():
    tok = bpe.train("abab cdcd", 258)
    assert tok.merges == ((97, 98), (99, 100))  # "ab" and "cd" both occur twice: "ab" first


def test_bpe_learns_frequent_words_and_compresses():
    table = TOKENIZER.token_bytes()
    assert b" the" in table and b"token" in table
    assert len(TOKENIZER.encode(CORPUS)) < 0.6 * len(CORPUS.encode("utf-8"))
    assert TOKENIZER.vocab_size == 256 + len(TOKENIZER.merges) <= 256 + 120


@given(st.text())
def test_bpe_round_trips_any_text(text):
    ids = TOKENIZER.encode(text)
    assert TOKENIZER.decode(ids) == text
    assert all(0 <= i < TOKENIZER.vocab_size for i in ids)


# ---------------------------------------------------------------- LM probability and sampling


def test_nll_matches_cross_entropy_and_chain_rule_sums():
    z, x = RNG.normal(size=(2, 6, 9)) * 3, RNG.integers(0, 9, size=(2, 6))
    y = np.eye(9)[x]
    ref = torch.stack(
        [
            torch.nn.functional.cross_entropy(torch.as_tensor(z[b]), torch.as_tensor(x[b]))
            for b in range(2)
        ]
    ).numpy()
    np.testing.assert_allclose(npf.nll(z, y), ref, rtol=1e-14)
    np.testing.assert_allclose(
        tf.nll(torch.as_tensor(z), torch.as_tensor(y)).numpy(), ref, rtol=1e-14
    )
    np.testing.assert_allclose(npf.sequence_logprob(z, y), -6 * ref, rtol=1e-14)


def test_top_p_keeps_the_crossing_token():
    z = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    out = npf.top_p(z, p=0.75)  # 0.5 < 0.75 ≤ 0.8: the 0.3 token crosses and is kept
    np.testing.assert_allclose(out, [0.625, 0.375, 0, 0], atol=1e-15)
    np.testing.assert_allclose(tf.top_p(torch.as_tensor(z), p=0.75).numpy(), out, atol=1e-15)
    np.testing.assert_allclose(npf.top_p(z, p=0.5), [1, 0, 0, 0])  # mass exactly p: stop there


def test_top_k_keeps_ties_with_the_kth():
    z = np.array([[3.0, 1.0, 3.0, 3.0, 0.0], [5.0, 4.0, 1.0, 0.0, -1.0]])
    out = npf.top_k(z, k=2)
    assert (out[0] > 0).tolist() == [True, False, True, True, False]
    assert (out[1] > 0).tolist() == [True, True, False, False, False]
    np.testing.assert_allclose(tf.top_k(torch.as_tensor(z), k=2).numpy(), out, atol=1e-15)


def test_quantisation_rounds_half_to_even():
    x = np.array([1 / 32, 3 / 32, 5 / 32, -1 / 32, 100.0])
    np.testing.assert_array_equal(npf.fake_quant(x), [0, 0.125, 0.125, 0, 127 / 16])
    np.testing.assert_array_equal(
        tf.fake_quant(torch.as_tensor(x)).numpy(), [0, 0.125, 0.125, 0, 127 / 16]
    )
    assert tf.fake_quant(torch.as_tensor(x, dtype=torch.bfloat16)).dtype == torch.bfloat16


def test_kv_cache_figures():
    args = [np.array(float(v)) for v in (32, 32, 128, 4096, 2)]
    assert float(npf.kv_cache_bytes(*args)) == 2**31  # LLaMA-2-7B: 2 GiB at 4096 tokens, fp16
    n, d = torch.tensor(64.0, dtype=torch.float64), torch.tensor(32.0, dtype=torch.float64)
    assert tf.kv_cache_flops(n, d).tolist() == [
        8 * 64 * 32**2 + 4 * 64**2 * 32,
        8 * 32**2 + 4 * 64 * 32,
    ]


def test_chinchilla_ratio_is_reported_honestly():
    outcome = checks.chinchilla_tokens_per_parameter(CTX)
    assert outcome.status == "passed"
    assert outcome.error > 20  # the fitted law does not give 20 tokens per parameter
    n, d = npf.chinchilla_optimal(np.array([5.88e23]))[0]
    assert abs(6 * n * d / 5.88e23 - 1) < 1e-12


@pytest.mark.parametrize(
    "name",
    [
        "temperature_near_limits",
        "chain_rule_normalised",
        "nll_vs_cross_entropy",
        "bpe_greedy_merges",
        "chinchilla_is_minimum",
        "chinchilla_figures",
        "lora_parameter_count",
        "quant_memory",
        "kv_cache_real_tensors",
        "kv_cache_flop_count",
    ],
)
def test_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status in ("passed", "confirmed"), outcome.detail
