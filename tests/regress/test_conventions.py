"""Framework conventions are named, not failed: real-style implementations written the way the
libraries write them come back as the entry's variant (or pass once the convention's
parameter is stated), and a plausible wrong version of each comes back "fail"."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import mathcheck
from mathcheck.adapters import drop, per_row
from mathcheck.regress.packs._common import check_on

FAST = {"examples": 5, "inputs": 2000, "gradients": False, "dtypes": ("float64", "float32")}
#: |x| ≤ 1e3: x² cannot overflow fp32, as RMSNorm implementations without rescaling need.
MODERATE_X = {"x": (-1e3, 1e3)}
#: strictly positive probabilities: F.kl_div gives 0·(log 0 − log 0) = NaN at p = q = 0.
POSITIVE = {"kind": "positive", "low": 1e-3, "high": 1.0, "extremes": (1.0, 0.5, 1e-3)}


def _named(result: mathcheck.CheckResult, name: str) -> None:
    assert (result.verdict, result.variant) == ("variant", name), str(result)


def _fails(result: mathcheck.CheckResult) -> None:
    assert result.verdict == "fail", str(result)


# ------------------------------------------------------------------------ RMSNorm


def gemma_rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (1 + weight)


def gemma_offset_twice(x, weight, eps):  # bug: (1 + γ) applied twice
    return gemma_rms_norm(x, weight, eps) * (1 + weight)


def test_gemma_rms_norm_is_its_variant():
    _named(mathcheck.check("norm.rms_norm", gemma_rms_norm, ranges=MODERATE_X, **FAST),
           "Gemma (1 + γ)")
    _fails(mathcheck.check("norm.rms_norm", gemma_offset_twice, ranges=MODERATE_X, **FAST))


def test_fp16_arithmetic_throughout_is_not_the_llama_casting_order():
    """x² and the statistics in fp16 underflow and lose bits where LLaMA's fp32 statistics
    do not: no longer taken for 'cast before weight (LLaMA)' in fp16 (the variant is judged
    against its oracle on every screened input, not within 1 ulp on a few examples)."""

    def fp16_throughout(x, weight, eps):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def llama(x, weight, eps):
        h = x.to(torch.float32)
        return weight * (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)

    low = {**FAST, "dtypes": ("float16",), "ranges": {"x": (-100.0, 100.0)}}
    wrong = mathcheck.check("norm.rms_norm", fp16_throughout, **low)
    assert wrong.verdict == "fail" and wrong.per_dtype["float16/cpu"] == "fail", str(wrong)
    _named(mathcheck.check("norm.rms_norm", llama, **low), "cast before weight (LLaMA)")


# ------------------------------------------------------------------------ RoPE


def gptj_rope(theta: float, rotary_dim: int | None = None, over_d: bool = False):
    """GPT-J / Su et al. style interleaved RoPE with the base and rotary dims built in."""

    def rope(x, m):
        d = x.shape[-1]
        r = rotary_dim or d
        inv_freq = 1.0 / theta ** (torch.arange(0, r, 2, dtype=torch.float64) / (d if over_d
                                                                                 else r))
        angle = m.to(torch.float64) * inv_freq
        cos, sin = torch.cos(angle).to(x.dtype), torch.sin(angle).to(x.dtype)
        a, b = x[..., 0:r:2], x[..., 1:r:2]
        rot = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).flatten(-2)
        return torch.cat([rot, x[..., r:]], dim=-1)

    return rope


def neox_partial_rope(x, m, base, rotary_dim):
    """GPT-NeoX: rotate_half within the first rotary_ndims coordinates, the rest passed."""
    r = int(rotary_dim)
    inv_freq = 1.0 / base ** (torch.arange(0, r, 2, dtype=torch.float64) / r)
    angle = m.to(torch.float64) * inv_freq
    emb = torch.cat([angle, angle], dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    rot, rest = x[..., :r], x[..., r:]
    half = torch.cat([-rot[..., r // 2:], rot[..., : r // 2]], dim=-1)
    return torch.cat([rot * cos + half * sin, rest], dim=-1)


RAW = drop("base", "rotary_dim")


def test_rope_base_is_a_stated_parameter():
    llama3 = gptj_rope(5e5)
    assert mathcheck.check("pos.rope", llama3, adapter=RAW, params={"base": 5e5},
                           **FAST).verdict == "pass"
    _fails(mathcheck.check("pos.rope", llama3, adapter=RAW, params={"base": 1e4}, **FAST))
    # a fixed base is caught at the drawn bases when the caller states none
    _fails(mathcheck.check("pos.rope", gptj_rope(1e4), adapter=RAW, **FAST))


def test_partial_rotary_is_a_stated_parameter():
    stated = {"base": 1e4, "rotary_dim": 4}
    assert mathcheck.check("pos.rope", gptj_rope(1e4, rotary_dim=4), adapter=RAW,
                           params=stated, **FAST).verdict == "pass"
    _named(mathcheck.check("pos.rope", neox_partial_rope, params={"rotary_dim": 4}, **FAST),
           "half-split (GPT-NeoX, HF LLaMA)")
    # bug: frequencies over all d coordinates instead of the r rotated ones
    _fails(mathcheck.check("pos.rope", gptj_rope(1e4, rotary_dim=4, over_d=True), adapter=RAW,
                           params=stated, **FAST))


# ------------------------------------------------------------------------ bits


def entropy_log2(p):
    return -torch.where(p > 0, p * torch.log2(p), torch.zeros_like(p)).sum(-1)


def test_entropy_in_bits_is_its_variant():
    _named(mathcheck.check("info.entropy", entropy_log2, **FAST), "bits (log₂)")

    def log10(p):  # bug: the wrong base
        return -torch.where(p > 0, p * torch.log10(p), torch.zeros_like(p)).sum(-1)

    def converted_twice(p):  # bug: log₂ already, divided by ln 2 again
        return entropy_log2(p) / math.log(2)

    _fails(mathcheck.check("info.entropy", log10, **FAST))
    _fails(mathcheck.check("info.entropy", converted_twice, **FAST))


def test_kl_and_cross_entropy_in_bits_are_their_variant():
    def kl_bits(p, q):
        return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1) / math.log(2)

    def cross_entropy_bits(p, q):
        return -torch.where(p > 0, p * torch.log2(q), torch.zeros_like(p)).sum(-1)

    _named(mathcheck.check("info.kl", kl_bits, **FAST), "bits (log₂)")
    _named(mathcheck.check("info.cross_entropy", cross_entropy_bits, **FAST), "bits (log₂)")
    _fails(mathcheck.check("info.kl", lambda p, q: kl_bits(p, q) / math.log(2), **FAST))


# ------------------------------------------------------------------------ ½·MSE


def test_half_mse_is_its_variant():
    def l2_loss_mean(y, y_hat):  # optax.l2_loss: 0.5 * (predictions - targets) ** 2
        return (0.5 * (y_hat - y) ** 2).mean(-1)

    def half_sse(y, y_hat):  # bug: summed, not averaged
        return (0.5 * (y_hat - y) ** 2).sum(-1)

    _named(mathcheck.check("loss.mse", l2_loss_mean, **FAST), "½·MSE (optax.l2_loss)")
    _fails(mathcheck.check("loss.mse", half_sse, **FAST))


# ------------------------------------------------------------------------ cosine


@pytest.mark.parametrize("formula", ["linalg.cosine_similarity", "sim.cosine"])
def test_cosine_zero_vector_conventions(formula):
    """0 at a zero vector is the canonical form, torch's per-norm ε clamp (max(‖a‖, 1e-8)·
    max(‖b‖, 1e-8) in torch 2.13, checked: a = b = 1e-9·e₁ gives 0.01) the eps-clamped
    variant; NaN (unguarded) is no variant, since a NaN never agrees with an oracle: it
    fails, with the zero vector as its counterexample."""

    def torch_cosine(a, b):
        return F.cosine_similarity(a, b, dim=-1)

    def naive(a, b):
        return (a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))

    def unnormalised_b(a, b):  # bug: b's norm left out
        return (a * b).sum(-1) / a.norm(dim=-1)

    away = {"kind": "positive", "low": 1e-3, "high": 10.0, "extremes": (10.0, 1e-3)}
    assert check_on(formula, torch_cosine, {"a": away, "b": away}, **FAST).verdict == "pass"
    # |aᵢ| ≤ 10 reaches norms below ε (Hypothesis draws tiny entries), where the clamp acts
    bounded = {"a": (-10.0, 10.0), "b": (-10.0, 10.0)}
    _named(mathcheck.check(formula, torch_cosine, ranges=bounded, **FAST),
           "eps-clamped norms (torch)")
    unguarded = mathcheck.check(formula, naive, ranges=bounded, **FAST)
    assert unguarded.verdict == "fail" and "nan" in unguarded.reason.lower(), str(unguarded)
    _fails(mathcheck.check(formula, unnormalised_b, ranges=bounded, **FAST))


# ------------------------------------------------------------------------ focal


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2.0):
    """torchvision.ops.sigmoid_focal_loss (reduction 'none'), as torchvision writes it."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss


def test_alpha_balanced_sigmoid_focal_loss_is_its_variant():
    def torchvision_summed(z, y, alpha, gamma):
        return sigmoid_focal_loss(z, y, alpha, gamma).sum(-1)

    def alpha_on_both(z, y, alpha, gamma):  # bug: α for negatives too, not 1 − α
        return alpha * sigmoid_focal_loss(z, y, -1, gamma).sum(-1)

    _named(mathcheck.check("loss.focal", torchvision_summed, **FAST),
           "α-balanced sigmoid (torchvision)")
    _fails(mathcheck.check("loss.focal", alpha_on_both, **FAST))


# ------------------------------------------------------------------------ KL reductions


def test_kl_div_reductions():
    """One row is one KL: per row, reduction='sum' and 'batchmean' on a batch of one are the
    KL, 'mean' divides by n — and so does 'batchmean' on an unbatched 1-D row (size(0) = n)."""
    positive = {"p": POSITIVE, "q": POSITIVE}

    def run(impl, adapter=None):
        return check_on("info.kl", impl, positive, properties=False, adapter=adapter, **FAST)

    def kl_div(reduction, batch_of_one=False):
        def one_row(p, q):
            if batch_of_one:
                return F.kl_div(q.log()[None], p[None], reduction=reduction)
            return F.kl_div(q.log(), p, reduction=reduction)

        return one_row

    assert run(lambda p, q: F.kl_div(q.log(), p, reduction="none").sum(-1)).verdict == "pass"
    assert run(kl_div("sum"), per_row()).verdict == "pass"
    assert run(kl_div("batchmean", batch_of_one=True), per_row()).verdict == "pass"
    mean = "mean over elements (reduction='mean')"
    _named(run(kl_div("mean"), per_row()), mean)
    _named(run(kl_div("batchmean"), per_row()), mean)
    _fails(run(lambda p, q: F.kl_div(q, p, reduction="none").sum(-1)))  # bug: q not logged
