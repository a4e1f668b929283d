"""Section 9 · LLM-specific: deliberately wrong implementations the engine must reject.

One per kind of claim the section uses (agreement, property, identity); each test also runs the
catalog's own form through the same claim, so a rejection means the bug was caught.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch

from mathcheck.numeric.numpy_forms import llm as np_forms
from mathcheck.numeric.torch_forms import llm as torch_forms
from mathcheck.symbolic import llm as sym
from mathcheck.symbolic._form import Equation, vector
from tests.crosscheck.planted import QUICK, only, run, statuses

TORCH64 = dataclasses.replace(QUICK, backends=("torch",), dtypes=("float64",))



# ---------------------------------------------------------------- RoPE rotating the wrong pairs


def rope_sliding_pairs(x, m):
    """Rotates (x_i, x_{i+1}) for every i (overlapping pairs) instead of (x_2i, x_2i+1)."""
    d = x.shape[-1]
    theta = torch.pow(10000.0, -2.0 * torch.div(torch.arange(d), 2, rounding_mode="floor") / d)
    angle = m * theta.to(x.dtype)
    return x * torch.cos(angle) - torch.roll(x, -1, dims=-1) * torch.sin(angle)


def test_rope_rejects_wrong_pairs():
    agreement = only("pos.rope", "agreement")
    norm = only("pos.rope", "property", "norm preserving")
    assert statuses(run(agreement, TORCH64)) == statuses(run(norm, TORCH64)) == {"passed"}
    assert statuses(run(agreement, TORCH64, torch=rope_sliding_pairs)) == {"failed"}
    assert statuses(run(norm, TORCH64, torch=rope_sliding_pairs)) == {"failed"}


def test_rope_conventions_are_not_interchangeable():
    """The half-split variant is a different map (same properties, other coordinates)."""
    agreement = only("pos.rope", "agreement")
    assert statuses(run(agreement, TORCH64, torch=torch_forms.rope_half)) == {"failed"}
    norm = only("pos.rope", "property", "norm preserving")
    assert statuses(run(norm, TORCH64, torch=torch_forms.rope_half)) == {"passed"}


def rope_angles_in_half_precision(x, m):
    """The catalog's RoPE, but with the angles m·θ formed in the input's own 16-bit dtype."""
    d = x.shape[-1]
    theta = torch.pow(10000.0, -2.0 * torch.arange(d // 2, dtype=torch.float64) / d)
    angle = m.to(x.dtype) * theta.to(x.dtype)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).reshape(x.shape)


def test_rope_rejects_angles_formed_in_fp16_at_long_positions():
    """Positions up to 131072: an fp16 angle at m = 2000 is off by ~1 rad, and the budget's
    term in the position (fp32 angles: 2.6e-4·m ulp) is far below that."""
    agreement = only("pos.rope", "agreement")
    fp16 = dataclasses.replace(QUICK, backends=("torch",), dtypes=("float16",))
    assert statuses(run(agreement, fp16)) == {"passed"}
    (result,) = run(agreement, fp16, torch=rope_angles_in_half_precision)
    assert result.status == "failed"


# ---------------------------------------------------------------- top-p without the crossing token


def top_p_excluding_crossing(z, p=0.9):
    probs = torch.softmax(z, dim=-1)
    order = torch.sort(probs, dim=-1, descending=True).values
    cum = torch.cumsum(order, dim=-1)
    count = (cum < p).sum(dim=-1, keepdim=True).clamp(min=1)  # stops *before* crossing p
    threshold = torch.gather(order, -1, count - 1)
    return torch.softmax(z.masked_fill(probs < threshold, float("-inf")), dim=-1)


def test_top_p_rejects_set_that_excludes_the_crossing_token():
    prop = only("sample.top_p", "property")
    agreement = only("sample.top_p", "agreement")
    assert statuses(run(prop, TORCH64)) == statuses(run(agreement, TORCH64)) == {"passed"}
    assert statuses(run(prop, TORCH64, torch=top_p_excluding_crossing)) == {"failed"}
    assert statuses(run(agreement, TORCH64, torch=top_p_excluding_crossing)) == {"failed"}


def top_k_plus_one(z, k=2):
    return torch_forms.top_k(z, k + 1)


def test_top_k_rejects_k_plus_one():
    prop = only("sample.top_k", "property")
    assert statuses(run(prop, TORCH64)) == {"passed"}
    assert statuses(run(prop, TORCH64, torch=top_k_plus_one)) == {"failed"}


# ---------------------------------------------------------------- temperature multiplied


def temperature_multiplied_np(z, tau):
    return np_forms.temperature(z, 1 / tau)


def test_temperature_rejects_multiplying_by_tau():
    entry = only("sample.temperature", "agreement")
    opts = dataclasses.replace(QUICK, backends=("numpy",), dtypes=("float64",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, numpy=temperature_multiplied_np)) == {"failed"}


# ---------------------------------------------------------------- quantisation rounding mode


def fake_quant_half_away(x, s=0.0625, z=128.0, qmin=0.0, qmax=255.0):
    """floor(x/s + ½): rounds ties up, not to even."""
    q = np.clip(np.floor(x / s + 0.5) + z, qmin, qmax)
    return (s * (q - z)).astype(x.dtype)


def test_quant_rejects_round_half_up():
    entry = only("quant.uniform", "agreement")
    opts = dataclasses.replace(QUICK, backends=("numpy",))
    assert statuses(run(entry, opts)) == {"passed"}
    assert statuses(run(entry, opts, numpy=fake_quant_half_away)) == {"failed"}


# ---------------------------------------------------------------- LM objectives, KV, Chinchilla


def nll_summed(z, y):
    return -(y * torch_forms.log_softmax(z)).sum(dim=(-2, -1))


def kv_without_factor_two(layers, heads, d_head, seq_len, bytes_per_elem):
    return layers * heads * d_head * seq_len * bytes_per_elem


def optimal_exponents_swapped(C, A=406.4, B=410.7, alpha=0.34, beta=0.28, E=1.69):
    return torch_forms.chinchilla_optimal(C, A, B, beta, alpha)


def test_agreement_rejects_wrong_objective_cache_and_split():
    for entry_id, bad in (
        ("lm.nll", nll_summed),
        ("kv.cache_memory", kv_without_factor_two),
        ("scaling.chinchilla_optimal", optimal_exponents_swapped),
    ):
        entry = only(entry_id, "agreement")
        assert statuses(run(entry, TORCH64)) == {"passed"}, entry_id
        assert statuses(run(entry, TORCH64, torch=bad)) == {"failed"}, entry_id


# ---------------------------------------------------------------- identity: RoPE on m + n


def rope_absolute_claim(d: int = 4) -> Equation:
    """Claims the score equals qᵀR_{m+n}k (the sum of positions): false."""
    q, k = vector("q", d), vector("k", d)
    m, n = sp.Symbol("m", real=True), sp.Symbol("n", real=True)
    thetas = [sp.Symbol(f"theta_{i}", positive=True) for i in range(d // 2)]
    lhs = (sym._rotate(q, m, thetas).T * sym._rotate(k, n, thetas))[0, 0]
    rhs = (q.T * sym._rotate(k, n + m, thetas))[0, 0]
    return Equation(*(sp.expand(sp.expand_trig(sp.expand(s))) for s in (lhs, rhs)))


def test_identity_rejects_rope_depending_on_m_plus_n():
    entry = only("pos.rope", "identity", "⟨f(q, m), f(k, n)⟩ = qᵀ R_{n−m} k")
    wrong = dataclasses.replace(entry.claims[0], build=rope_absolute_claim)
    assert statuses(run(entry)) == {"proven"}
    assert statuses(run(dataclasses.replace(entry, claims=(wrong,)))) == {"failed"}
