"""Section 8 · Transformer & attention: the forms against torch built-ins, batch/head dims,
dtype preservation, and the section's custom checks."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from mathcheck.numeric.checks import attention as checks
from mathcheck.numeric.numpy_forms import attention as npf
from mathcheck.numeric.torch_forms import attention as tf
from mathcheck.outcome import CheckContext
from mathcheck.symbolic import attention as sym
from mathcheck.symbolic import prove_equal

CTX = CheckContext("torch", "float64", "cpu", seed=0, examples=8)
RNG = np.random.default_rng(0)


def qkv(*lead: int, n: int = 5, m: int = 7, d: int = 8, e: int = 3):
    return (
        RNG.normal(size=(*lead, n, d)),
        RNG.normal(size=(*lead, m, d)),
        RNG.normal(size=(*lead, m, e)),
    )


def test_sdp_matches_torch_builtin_with_batch_and_head_dims():
    q, k, v = qkv(2, 4)  # batch 2, 4 heads
    ref = torch.nn.functional.scaled_dot_product_attention(*map(torch.as_tensor, (q, k, v)))
    np.testing.assert_allclose(npf.scaled_dot_product(q, k, v), ref.numpy(), rtol=0, atol=1e-13)
    got = tf.scaled_dot_product(*map(torch.as_tensor, (q, k, v)))
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=0, atol=1e-13)


def test_causal_matches_torch_is_causal():
    q, k, v = qkv(3, n=6, m=6)
    ref = torch.nn.functional.scaled_dot_product_attention(
        *map(torch.as_tensor, (q, k, v)), is_causal=True
    )
    np.testing.assert_allclose(npf.causal_attention(q, k, v), ref.numpy(), atol=1e-13)
    np.testing.assert_allclose(
        tf.causal_attention(*map(torch.as_tensor, (q, k, v))).numpy(), ref.numpy(), atol=1e-13
    )


def test_causal_mask_values():
    mask = npf.causal_mask(3)
    assert (mask == np.array([[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])).all()
    assert torch.equal(tf.causal_mask(3), torch.as_tensor(mask))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_torch_forms_preserve_dtype(dtype):
    q, k, v = (torch.as_tensor(a).to(dtype) for a in qkv(2))
    assert tf.scaled_dot_product(q, k, v).dtype == dtype
    x = torch.randn(2, 3, 4, dtype=dtype)
    w = [torch.randn(4, 4, dtype=dtype) for _ in range(4)]
    assert tf.multi_head(x, *w, heads=2).dtype == dtype


def test_numpy_forms_preserve_float16():
    q, k, v = (a.astype(np.float16) for a in qkv(2))
    assert npf.scaled_dot_product(q, k, v).dtype == np.float16
    x = RNG.normal(size=(2, 4)).astype(np.float16)
    w1, w2 = RNG.normal(size=(8, 4)).astype(np.float16), RNG.normal(size=(4, 8)).astype(np.float16)
    assert (
        npf.ffn_gelu(x, w1, np.zeros(8, np.float16), w2, np.zeros(4, np.float16)).dtype
        == np.float16
    )


def test_ffns_match_torch_functional():
    x = torch.randn(3, 5, dtype=torch.float64)
    w1, w3 = torch.randn(12, 5, dtype=torch.float64), torch.randn(12, 5, dtype=torch.float64)
    w2, b1, b2 = (
        torch.randn(5, 12, dtype=torch.float64),
        torch.randn(12, dtype=torch.float64),
        torch.randn(5, dtype=torch.float64),
    )
    F = torch.nn.functional
    ref = F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)
    torch.testing.assert_close(tf.ffn_gelu(x, w1, b1, w2, b2), ref)
    np.testing.assert_allclose(
        npf.ffn_gelu(*(t.numpy() for t in (x, w1, b1, w2, b2))), ref.numpy(), atol=1e-12
    )
    ref = F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)
    torch.testing.assert_close(tf.ffn_swiglu(x, w1, w3, w2), ref)
    np.testing.assert_allclose(
        npf.ffn_swiglu(*(t.numpy() for t in (x, w1, w3, w2))), ref.numpy(), atol=1e-12
    )


def test_numpy_and_torch_blocks_agree():
    args = [
        RNG.normal(size=s)
        for s in (
            (2, 5, 4),
            (4, 4),
            (4, 4),
            (4, 4),
            (4, 4),
            (4,),
            (4,),
            (16, 4),
            (16,),
            (4, 16),
            (4,),
        )
    ]
    for causal in (False, True):
        a = npf.transformer_block(*args, heads=2, causal=causal)
        b = tf.transformer_block(*map(torch.as_tensor, args), heads=2, causal=causal)
        np.testing.assert_allclose(a, b.numpy(), atol=1e-12)


def test_residual_is_x_plus_sublayer():
    x, w = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 4))
    np.testing.assert_allclose(npf.residual(x, w), x + np.tanh(x @ w.T), atol=1e-15)


@pytest.mark.parametrize(
    "name",
    [
        "multi_head_vs_torch",
        "causal_jacobian_autograd",
        "block_vs_torch_modules",
        "swiglu_parameter_match",
        "residual_gradient_flow",
        "scores_variance_sampled",
    ],
)
def test_numeric_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status in ("passed", "confirmed"), outcome.detail


def test_block_agreement_check_in_float32():
    outcome = checks.block_agreement(CheckContext("numpy", "float32", "cpu", 0, 8))
    assert outcome.status == "passed", outcome.detail
    assert outcome.error <= outcome.budget


def test_a_leaking_mask_makes_the_future_jacobian_nonzero():
    """The identity can fail: without the mask, row 0 depends on key 1."""
    form = sym.scaled_dot_product(3, 3, 2, 2)
    assert sp.diff(form.expr[0, 0], form.args["K"][1, 0]) != 0


@pytest.mark.parametrize(
    "build",
    [
        sym.rows_sum_to_one,
        sym.permutation_equivariant,
        sym.residual_jacobian_general,
        sym.causal_future_jacobian,
        sym.scores_variance,
    ],
)
def test_identities_are_proven(build):
    eq = build()
    assert prove_equal(eq.lhs, eq.rhs).status == "proven"


def test_rows_sum_property_reads_weights_through_identity_values():
    from mathcheck.numeric import backend

    be = backend("numpy", "float64")
    q, k, _ = qkv(2, n=3, m=3, d=4)
    assert checks.rows_sum_to_one(npf.scaled_dot_product, {"Q": q, "K": k}, be) <= 4
