"""Section 8 · Transformer & attention: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, property, derivative, identity); each test
also runs the catalog's own form through the same claim, so a rejection means the bug was
caught, not that the claim can never pass.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import sympy as sp
import torch

from mathcheck.numeric.numpy_forms import attention as np_forms
from mathcheck.numeric.torch_forms import attention as torch_forms
from mathcheck.symbolic import attention as sym
from mathcheck.symbolic._form import Equation, SymForm, matrix
from tests.crosscheck.planted import QUICK, only, run, statuses

# ---------------------------------------------------------------- agreement: no 1/√d_k


def unscaled_np(Q, K, V):
    s = Q @ np.swapaxes(K, -1, -2)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)) @ V


def unscaled_torch(Q, K, V):
    return torch.softmax(Q @ K.transpose(-1, -2), dim=-1) @ V


def test_agreement_rejects_attention_without_sqrt_dk():
    entry = only("attn.scaled_dot_product", "agreement")
    opts = dataclasses.replace(QUICK, dtypes=("float64",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, numpy=unscaled_np, torch=unscaled_torch)) == {"failed"}


# ---------------------------------------------------------------- causal mask off by one


def _masked(Q, K, V, diagonal):
    n = Q.shape[-2]
    mask = torch.ones(n, n, dtype=torch.bool).triu(diagonal)
    s = (Q @ K.transpose(-1, -2)) / math.sqrt(Q.shape[-1])
    return torch.softmax(s.masked_fill(mask, float("-inf")), dim=-1) @ V


def sees_next_token(Q, K, V):
    """Mask starts one diagonal too late: token i also attends to token i + 1."""
    return _masked(Q, K, V, diagonal=2)


def misses_itself(Q, K, V):
    """Mask starts one diagonal too early: token i cannot attend to itself (row 0 is empty)."""
    return _masked(Q, K, V, diagonal=0)


def test_property_rejects_mask_that_lets_token_see_the_next_one():
    entry = only(
        "attn.causal_mask", "property", "output i independent of tokens j > i (bit-identical)"
    )
    opts = dataclasses.replace(QUICK, backends=("torch",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, torch=sees_next_token)) == {"failed"}


def test_agreement_rejects_mask_shifted_both_ways():
    entry = only("attn.causal_mask", "agreement")
    opts = dataclasses.replace(QUICK, backends=("torch",), dtypes=("float64",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, torch=sees_next_token)) == {"failed"}
    assert statuses(run(entry, opts, torch=misses_itself)) == {"failed"}


# ---------------------------------------------------------------- multi-head: heads not split


def single_wide_head(X, WQ, WK, WV, WO, heads=2):
    """Runs one head over all of d_model instead of h heads of d_model/h."""
    return torch_forms.scaled_dot_product(X @ WQ, X @ WK, X @ WV) @ WO


def test_agreement_rejects_multi_head_without_split():
    entry = only("attn.multi_head", "agreement")
    opts = dataclasses.replace(QUICK, backends=("torch",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, torch=single_wide_head)) == {"failed"}


# ---------------------------------------------------------------- FFNs: wrong activation / gate


def ffn_tanh_gelu(x, W1, b1, W2, b2):
    a = (W1 @ x.unsqueeze(-1)).squeeze(-1) + b1
    return (W2 @ torch.nn.functional.gelu(a, approximate="tanh").unsqueeze(-1)).squeeze(-1) + b2


def swiglu_gate_swapped(x, W1, W3, W2):
    lin = lambda W: (W @ x.unsqueeze(-1)).squeeze(-1)  # noqa: E731
    return (W2 @ (lin(W1) * torch.nn.functional.silu(lin(W3))).unsqueeze(-1)).squeeze(-1)


def test_agreement_rejects_tanh_gelu_and_swapped_swiglu_gate():
    opts = dataclasses.replace(QUICK, backends=("torch",), dtypes=("float64",))
    gelu = only("ffn.gelu", "agreement")
    swiglu = only("ffn.swiglu", "agreement")
    assert statuses(run(gelu, opts)) == statuses(run(swiglu, opts)) == {"passed"}
    assert statuses(run(gelu, opts, torch=ffn_tanh_gelu)) == {"failed"}
    assert statuses(run(swiglu, opts, torch=swiglu_gate_swapped)) == {"failed"}


# ---------------------------------------------------------------- residual: skip dropped


def no_skip_np(x, W):
    return np.tanh((W @ x[..., None])[..., 0])


def test_agreement_rejects_residual_without_skip():
    entry = only("block.residual", "agreement")
    opts = dataclasses.replace(QUICK, backends=("numpy",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, numpy=no_skip_np)) == {"failed"}


def test_derivative_rejects_a_stated_jacobian_without_identity():
    """The stated ∂/∂x of x + tanh(Wx) without the I of the skip path is not proven."""
    entry = only("block.residual", "derivative")
    claim = entry.claims[0]
    wrong = dataclasses.replace(
        claim, expected=lambda form: sym.d_residual_stated(form) - sp.eye(2)
    )
    assert statuses(run(entry)) == {"proven"}
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}


# ---------------------------------------------------------------- identity: masked equivariance


def masked_permutation(n: int = 3, d: int = 2) -> Equation:
    """Permutation equivariance claimed for *causal* attention: false (the mask is positional)."""
    q, k, v = matrix("Q", n, d), matrix("K", n, d), matrix("V", n, d)
    p = sp.Matrix(n, n, lambda i, j: int(j == (i + 1) % n))
    return Equation(
        sym._attend(p * q, p * k, p * v, causal=True), p * sym._attend(q, k, v, causal=True)
    )


def test_identity_rejects_equivariance_under_a_causal_mask():
    entry = only("attn.scaled_dot_product", "identity", "permutation equivariant (no mask)")
    wrong = dataclasses.replace(entry.claims[0], build=masked_permutation)
    assert statuses(run(entry)) == {"proven"}
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}


def test_numpy_and_torch_forms_are_the_ones_planted_against():
    """Sanity: the planted bugs differ from the real forms on a plain input."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(3, 2)) for _ in range(3))
    right = np_forms.scaled_dot_product(q, k, v)
    assert not np.allclose(right, unscaled_np(q, k, v))
    assert isinstance(sym.scaled_dot_product(2, 2, 2, 2), SymForm)
