"""The zoo: deliberately buggy implementations of different entries, every one of which the
regression checker must catch, next to correct ones, which must pass or be named.

Besides one-line bugs, the zoo holds third-party-style code written the way libraries write
it (Hugging Face's LlamaRMSNorm and rotary embedding, Gemma's RMSNorm, nanoGPT's causal
attention, flash-attention's (b, s, h, d) layout, timm's soft-target cross-entropy, GPT-J's
rotary embedding, Hugging Face's top-k warper), each correct and with a plausible bug, fitted
through the public adapters. The stateful ones (optimizers, schedules) are in
test_zoo_stateful.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import mathcheck
from mathcheck.adapters import Adapter, AdapterError, layout, module, per_row, shared
from mathcheck.errors import MathcheckError
from mathcheck.regress import positional, with_kwargs

FAST = {"examples": 12, "gradients": False, "dtypes": ("float64", "float32")}
LOW = {"examples": 12, "gradients": False, "dtypes": ("float16",)}
#: the third-party cases: fewer bulk inputs per agreement check (the verdicts show at 2000)
TP = {**FAST, "inputs": 2000}
TP64 = {**TP, "dtypes": ("float64",)}  # where fp64 alone shows it and the check is slow
#: |x| ≤ 1e3: x² cannot overflow, as RMSNorm code without rescaling needs (torch's own too).
MODERATE_X = {"x": (-1e3, 1e3)}


def softmax_no_max(z):
    e = torch.exp(z)
    return e / e.sum(-1, keepdim=True)


def rms_norm_with_mean(x, gamma, eps):
    c = x - x.mean(-1, keepdim=True)
    return gamma * c / torch.sqrt((c * c).mean(-1, keepdim=True) + eps)


def layer_norm_unbiased(x, gamma, beta, eps):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def attention_unscaled(Q, K, V):
    return torch.softmax(Q @ K.transpose(-1, -2), dim=-1) @ V


def tanh_by_exponentials(x):
    e, f = torch.exp(x), torch.exp(-x)
    return (e - f) / (e + f)


def bce_logits_naive(z, y):
    s = torch.sigmoid(z)
    return -(y * torch.log(s) + (1 - y) * torch.log(1 - s))


def kl_swapped(p, q):
    return (q * torch.log(q / p)).sum(-1)


# --- third-party style: normalisation ------------------------------------------------------


class AnnotatedLayerNorm(nn.Module):
    """The Annotated Transformer's LayerNorm: x.std (unbiased) and ε added to σ, not σ²."""

    def __init__(self, features: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.a_2 = nn.Parameter(torch.ones(features))
        self.b_2 = nn.Parameter(torch.zeros(features))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True)
        return self.a_2 * (x - mean) / (std + self.eps) + self.b_2


class LlamaRMSNorm(nn.Module):
    """transformers' LlamaRMSNorm, as written there: statistics in fp32, cast, then weight."""

    def __init__(self, hidden_size: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class GemmaRMSNorm(nn.Module):
    """Gemma's RMSNorm: a zero-initialised weight used as (1 + w), in fp32, cast after."""

    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(dim))

    def _norm(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output = self._norm(x.float())
        output = output * (1.0 + self.weight.float())
        return output.type_as(x)


def rms_norm_eps_outside(x, weight, eps):  # ε added to the RMS, not under the root
    return weight * (x / (x.pow(2).mean(-1, keepdim=True).sqrt() + eps))


def batch_norm_over_features(x, gamma, beta, eps):  # dim=-1: a layer norm, not the batch
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return gamma.unsqueeze(-2) * (x - mu) / torch.sqrt(var + eps) + beta.unsqueeze(-2)


#: Gemma stores γ − 1: the canonical γ goes in as its offset (exact for γ in [1, 2], Sterbenz).
gemma_offset = Adapter("gemma offset", wrap=lambda inner, _c: (
    lambda **kw: inner(**{**kw, "gamma": kw["gamma"] - 1})))


# --- third-party style: attention ----------------------------------------------------------


def nanogpt_attention(q, k, v, scale_by_seq=False):
    """nanoGPT's CausalSelfAttention maths on (B, nh, T, hs); the bug scales by √T."""
    T = q.size(-2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-2 if scale_by_seq else -1)))
    bias = torch.tril(torch.ones(T, T, dtype=torch.bool, device=q.device))
    att = att.masked_fill(~bias, float("-inf"))
    return F.softmax(att, dim=-1) @ v


def flash_layout_attention(q, k, v, softmax_dim=-1):
    """(batch, seq, heads, dim) as flash-attention takes it; the bug normalises over queries."""
    scores = torch.einsum("bshd,bthd->bhst", q, k) / math.sqrt(q.size(-1))
    return torch.einsum("bhst,bthd->bshd", torch.softmax(scores, dim=softmax_dim), v)


# --- third-party style: rotary embeddings ---------------------------------------------------


def _rotary_angles(m, r, base, dtype):
    inv_freq = 1.0 / (base ** (torch.arange(0, r, 2, dtype=torch.float64) / r))
    angles = m.to(torch.float64) * inv_freq
    return angles.cos().to(dtype), angles.sin().to(dtype)


def rotate_every_two(x):  # GPT-J: (x1, x2) -> (−x2, x1) on interleaved pairs
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def rotate_half(x):  # GPT-NeoX / LLaMA: the halves
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def gptj_rope(x, m, base=10000.0, rotary_dim=None, rotate=rotate_every_two, interleave=True):
    """GPT-J's apply_rotary_pos_emb: interleaved pairs, the first rotary_dim coordinates."""
    r = int(rotary_dim or x.shape[-1])
    cos, sin = _rotary_angles(m, r, base, x.dtype)
    if interleave:
        cos, sin = cos.repeat_interleave(2, -1), sin.repeat_interleave(2, -1)
    else:
        cos, sin = torch.cat((cos, cos), -1), torch.cat((sin, sin), -1)
    rot, rest = x[..., :r], x[..., r:]
    return torch.cat((rot * cos + rotate(rot) * sin, rest), dim=-1)


def rope_rotated_backwards(x, m, base=10000.0, rotary_dim=None):  # R_{−m}: pair sign flipped
    return gptj_rope(x, m, base, rotary_dim, rotate=lambda t: -rotate_every_two(t))


def rope_mixed_pairing(x, m, base=10000.0, rotary_dim=None):  # GPT-J's cos/sin, NeoX's halves
    return gptj_rope(x, m, base, rotary_dim, rotate=rotate_half)


def neox_rope(x, m, base=10000.0, rotary_dim=None):  # rotate_half with duplicated halves
    return gptj_rope(x, m, base, rotary_dim, rotate=rotate_half, interleave=False)


def hf_llama_rope(x, m, base=10000.0, rotary_dim=None):
    """transformers' LlamaRotaryEmbedding + apply_rotary_pos_emb: fp32 angles, rotate_half."""
    dim = int(rotary_dim or x.shape[-1])
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    freqs = m.float() * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    rot, rest = x[..., :dim], x[..., dim:]
    out = rot * emb.cos().to(x.dtype) + rotate_half(rot) * emb.sin().to(x.dtype)
    return torch.cat((out, rest), dim=-1)


def sinusoidal_exponent_halved(pos, d):  # 10000^(i/d) for pair i: the 2 of 2i/d dropped
    i = torch.arange(d // 2, dtype=torch.float64)
    angles = pos.to(torch.float64)[..., None] / 10000 ** (i / d)
    return torch.stack((angles.sin(), angles.cos()), -1).flatten(-2)


# --- third-party style: losses and sampling --------------------------------------------------


def timm_soft_target_cross_entropy(x, target):  # timm.loss.SoftTargetCrossEntropy per row
    return torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)


def cross_entropy_without_lse_shift(z, y):
    e = torch.exp(z)
    return -(y * torch.log(e / e.sum(-1, keepdim=True))).sum(-1)


def keras_style_bce(p, y):  # the 1e-7 fudge inside both logs
    return -(y * torch.log(p + 1e-7) + (1 - y) * torch.log(1 - p + 1e-7))


def hf_top_k(z, k, keep_ties=True):
    """transformers' TopKLogitsWarper then softmax; the bug masks the k-th logit too."""
    kth = torch.topk(z, k)[0][..., -1, None]
    drop = z < kth if keep_ties else z <= kth
    return torch.softmax(z.masked_fill(drop, float("-inf")), dim=-1)


def sentence_transformers_cos(a, b):  # util.cos_sim row by row: F.normalize, then a dot
    return (F.normalize(a, p=2, dim=-1) * F.normalize(b, p=2, dim=-1)).sum(-1)


ZOO = [
    ("act.softmax", softmax_no_max, None, FAST, "overflows without the max shift"),
    ("act.softmax", lambda z: torch.softmax(z, dim=0), None, FAST, "wrong axis"),
    ("act.sigmoid", lambda x: 1 / (1 + torch.exp(-1.01 * x)), None, FAST, "wrong constant"),
    ("act.gelu_tanh", lambda x: 0.5 * x * (1 + torch.tanh(0.7978845608 * (x + 0.04 * x**3))),
     None, FAST, "wrong cubic coefficient"),
    ("act.log_softmax", lambda z: torch.log(torch.softmax(z, -1)), None, FAST,
     "log of an underflowed softmax"),
    ("act.silu", lambda x: x * torch.tanh(x), None, FAST, "tanh instead of sigmoid"),
    ("act.leaky_relu", lambda x, alpha: torch.where(x > 0, alpha * x, x),
     positional("x", "alpha"), FAST, "slope on the wrong side"),
    ("act.tanh", tanh_by_exponentials, None, LOW, "overflows in fp16 beyond x ≈ 11"),
    ("norm.layer_norm", layer_norm_unbiased, positional("x", "gamma", "beta", "eps"), FAST,
     "unbiased variance"),
    ("norm.rms_norm", rms_norm_with_mean, positional("x", "gamma", "eps"), FAST,
     "subtracts the mean"),
    ("loss.bce_with_logits", bce_logits_naive, None, FAST, "log(σ(z)) underflows at ±1e4"),
    ("loss.mse", lambda y, y_hat: ((y - y_hat) ** 2).sum(-1), None, FAST, "sum, not mean"),
    ("loss.huber", lambda y, y_hat, delta: torch.where((y - y_hat).abs() <= delta,
                                                       (y - y_hat) ** 2,
                                                       delta * ((y - y_hat).abs() - delta / 2)),
     positional("y", "y_hat", "delta"), FAST, "missing the ½ on the quadratic branch"),
    ("attn.scaled_dot_product", attention_unscaled, None, FAST, "no 1/√d_k"),
    ("sim.cosine", lambda a, b: (a * b).sum(-1), None, FAST, "not normalised"),
    ("info.kl", kl_swapped, None, FAST, "arguments swapped"),
    ("linalg.l2_norm", lambda a: torch.sqrt((a * a).sum(-1)), None, FAST,
     "overflows for entries near 1e200"),
    # third-party style, through the adapters (n ≥ 2: x.std of one value is NaN, too easy)
    ("norm.layer_norm", AnnotatedLayerNorm,
     module(features="$n", eps="$eps", state={"a_2": "gamma", "b_2": "beta"}),
     {**TP, "sizes": {"n": (2, 5)}}, "Annotated Transformer: unbiased std, eps outside"),
    ("norm.rms_norm", rms_norm_eps_outside, shared("gamma"), {**TP, "ranges": MODERATE_X},
     "eps added to the RMS, not under the root"),
    ("norm.batch_norm", batch_norm_over_features, None, TP, "statistics over the features"),
    ("attn.causal_mask", lambda q, k, v: nanogpt_attention(q, k, v, scale_by_seq=True),
     layout("bhsd"), TP64, "nanoGPT maths scaled by √T instead of √d_k"),
    ("attn.scaled_dot_product", lambda q, k, v: flash_layout_attention(q, k, v, softmax_dim=-2),
     layout("bshd"), TP64, "softmax over the query axis after the layout change"),
    ("pos.rope", rope_rotated_backwards, None, TP, "rotates by −mθ (sign of the pair)"),
    ("pos.rope", rope_mixed_pairing, None, TP, "GPT-J's interleaved cos/sin with rotate_half"),
    ("pos.sinusoidal", sinusoidal_exponent_halved, None, TP, "10000^(i/d) for pair i"),
    ("loss.cross_entropy", cross_entropy_without_lse_shift, None, TP,
     "cross-entropy without the log-sum-exp shift"),
    ("loss.bce", keras_style_bce, None, TP, "Keras-style 1e-7 inside the logs"),
    ("sample.top_k", lambda z, k: hf_top_k(z, k, keep_ties=False), None, TP,
     "masks the k-th logit too (<= for <)"),
]


@pytest.mark.parametrize(("formula", "impl", "adapter", "options", "bug"), ZOO,
                         ids=[f"{z[0]}-{z[4]}" for z in ZOO])
def test_buggy_implementation_is_caught(formula, impl, adapter, options, bug):
    result = mathcheck.check(formula, impl, adapter=adapter, **options)
    assert result.verdict == "fail", f"{bug}: not caught\n{result}"
    assert result.reason
    # caught for its bug, not because the call itself broke (a keyword it does not take)
    assert ": raised " not in result.reason, result.reason
    assert result.per_dtype[f"{options['dtypes'][0]}/cpu"] == "fail", str(result)
    assert len(ZOO) >= 28  # with test_zoo_stateful.py's optimizers and schedules: ≥ 30


CORRECT = [
    ("act.softmax", F.softmax, with_kwargs(dim=-1)),
    ("act.log_softmax", F.log_softmax, with_kwargs(dim=-1)),
    ("act.relu", F.relu, None),  # (F.gelu is a finding: see the torch pack's F.gelu job)
    ("act.tanh", torch.tanh, None),
    ("attn.scaled_dot_product", F.scaled_dot_product_attention, None),
    ("loss.mse", lambda y, y_hat: F.mse_loss(y_hat, y, reduction="none").mean(-1), None),
]


@pytest.mark.parametrize(("formula", "impl", "adapter"), CORRECT, ids=[c[0] for c in CORRECT])
def test_correct_builtins_pass(formula, impl, adapter):
    result = mathcheck.check(formula, impl, adapter=adapter, examples=12,
                             dtypes=("float64", "float32", "float16", "bfloat16"))
    assert result.verdict == "pass", str(result)


HALF_SPLIT = "half-split (GPT-NeoX, HF LLaMA)"
#: (entry, implementation, adapter, extra options, expected: "pass" or the variant named)
THIRD_PARTY = [
    ("attn.causal_mask", nanogpt_attention, layout("bhsd"), {}, "pass"),
    ("attn.scaled_dot_product", flash_layout_attention, layout("bshd"), {}, "pass"),
    ("pos.rope", gptj_rope, None, {}, "pass"),
    ("pos.rope", neox_rope, None, {}, HALF_SPLIT),
    ("loss.cross_entropy", timm_soft_target_cross_entropy, None, {}, "pass"),
    ("loss.bce", F.binary_cross_entropy, with_kwargs(reduction="none"), {}, "pass"),
    ("loss.mae", lambda y, y_hat: F.l1_loss(y_hat, y, reduction="none").mean(-1), None, {},
     "pass"),
    ("sample.top_k", hf_top_k, None, {}, "pass"),
    ("loss.triplet", lambda a, p, n, margin: F.triplet_margin_loss(
        a, p, n, margin=margin, reduction="none"), None, {},
     "plain distances (torch TripletMarginLoss)"),
]


@pytest.mark.parametrize(("formula", "impl", "adapter", "options", "expected"), THIRD_PARTY,
                         ids=[f"{c[0]}-{getattr(c[1], '__name__', 'lambda')}"
                              for c in THIRD_PARTY])
def test_third_party_implementation_passes_or_is_named(formula, impl, adapter, options,
                                                       expected):
    result = mathcheck.check(formula, impl, adapter=adapter, **{**TP, **options})
    if expected == "pass":
        assert result.verdict == "pass", str(result)
    else:
        assert (result.verdict, result.variant) == ("variant", expected), str(result)
        assert set(result.per_dtype.values()) == {expected}
    assert len(CORRECT) + len(THIRD_PARTY) + 3 >= 15  # + LLaMA, Gemma, NumPy softmax below


def test_llama_rms_norm_module_is_fp32_inside_and_the_casting_order_in_fp16():
    """LlamaRMSNorm as a module, its weight injected: fp64 inputs are computed in fp32 (a
    finding, not a verdict), fp32 passes, fp16/bf16 are its casting-order variant."""
    options = {"adapter": module(hidden_size="$n", eps="$eps", state={"weight": "gamma"}),
               "ranges": MODERATE_X, "examples": 12, "gradients": False, "inputs": 2000}
    result = mathcheck.check("norm.rms_norm", LlamaRMSNorm, **options)
    llama = "cast before weight (LLaMA)"
    assert result.per_dtype == {"float64/cpu": "fail", "float32/cpu": "pass",
                                "float16/cpu": llama, "bfloat16/cpu": llama}, str(result)
    (finding,) = result.findings
    assert (finding.kind, finding.where) == ("internal_precision", "float64/cpu")
    assert "float32 internally" in finding.text
    mathcheck.assert_matches("norm.rms_norm", LlamaRMSNorm, allow_variants=[llama],
                             allow_findings=["internal_precision"], **options)


def test_gemma_rms_norm_module_through_a_composed_adapter():
    """Gemma's (1 + w) module, given γ − 1 by a user transform composed with `module`: on
    γ in [1, 2] that is exact, so it is the canonical RMSNorm, computed in fp32."""
    result = mathcheck.check(
        "norm.rms_norm", GemmaRMSNorm,
        adapter=gemma_offset | module(dim="$n", eps="$eps", state={"weight": "gamma"}),
        ranges={**MODERATE_X, "gamma": (1.0, 2.0)}, **TP)
    assert result.per_dtype == {"float64/cpu": "fail", "float32/cpu": "pass"}, str(result)
    assert [(f.kind, f.where) for f in result.findings] == [("internal_precision",
                                                             "float64/cpu")]


def test_an_adapter_that_breaks_is_a_usage_error_not_a_verdict():
    with pytest.raises(AdapterError, match="shared"):
        mathcheck.check("norm.rms_norm", rms_norm_eps_outside, adapter=shared("weight"),
                        isolate=False, **TP)
    with pytest.raises(AdapterError, match="no parameter or buffer 'scale'"):
        mathcheck.check("norm.rms_norm", LlamaRMSNorm, ranges=MODERATE_X, isolate=False, **TP,
                        adapter=module(hidden_size="$n", state={"scale": "gamma"}))
    with pytest.raises(MathcheckError, match="adapter shared") as info:  # from the worker
        mathcheck.check("norm.rms_norm", rms_norm_eps_outside, adapter=shared("weight"), **TP)
    assert info.value.exit_code == 2


# --- found by the zoo, and fixed in the engine ------------------------------------------------


def test_an_adapter_error_from_the_worker_keeps_its_class():
    with pytest.raises(AdapterError):
        mathcheck.check("norm.rms_norm", rms_norm_eps_outside, adapter=shared("weight"), **TP)


def test_a_property_failure_is_not_excused_as_a_variant():
    result = mathcheck.check("sim.cosine", sentence_transformers_cos, **TP,
                             ranges={"a": (1e-3, 10.0), "b": (1e-3, 10.0)})
    failed = {r.kind for r in result.results if r.status == "failed"}
    assert failed == {"property"}, str(result)  # the agreement passes: the values are right
    assert (result.verdict, result.variant) == ("fail", None), str(result)


def test_a_variant_computed_in_fp32_gets_the_internal_precision_finding():
    result = mathcheck.check("pos.rope", hf_llama_rope, **TP)
    assert result.per_dtype["float32/cpu"] == HALF_SPLIT, str(result)
    mathcheck.assert_matches("pos.rope", hf_llama_rope, allow_variants=[HALF_SPLIT],
                             allow_findings=["internal_precision"], **TP)


def test_batch_norm_module_gets_its_batch():
    adapter = module(num_features="$n", eps="$eps", train=True,
                     state={"weight": "gamma", "bias": "beta"})
    try:
        result = mathcheck.check("norm.batch_norm", nn.BatchNorm1d, adapter=adapter,
                                 sizes={"m": (2, 4)}, **TP64)
    except MathcheckError as exc:  # an adapter that cannot fit the module must say so
        assert "adapter module" in str(exc)
        return
    assert ": raised " not in result.reason, str(result)


def test_batch_norm_module_row_by_row_shows_the_known_constant_column_finding():
    """With per_row() the module sees each (m, n) batch; it then misses only where torch's
    batch mean of a constant column is 1 ulp off (the torch pack's F.batch_norm finding)."""
    adapter = per_row() | module(num_features="$n", eps="$eps", train=True,
                                 state={"weight": "gamma", "bias": "beta"})
    result = mathcheck.check("norm.batch_norm", nn.BatchNorm1d, adapter=adapter,
                             sizes={"m": (2, 4)}, **TP64)
    assert result.verdict == "fail" and ": raised " not in result.reason, str(result)
    assert "vs exact [0.0, 0.0" in result.reason, str(result)  # x − μ should be exactly 0


def test_convention_difference_is_reported_as_its_variant():
    result = mathcheck.check("act.gelu", F.gelu, adapter=with_kwargs(approximate="tanh"),
                             examples=12, gradients=False, dtypes=("float64",))
    assert result.verdict == "variant" and result.variant == "tanh"
    assert "tanh" in str(result)


def test_assert_matches_shows_counterexample_and_variant():
    with pytest.raises(AssertionError) as info:
        mathcheck.assert_matches("act.softmax", softmax_no_max, **FAST)
    message = str(info.value)
    assert "act.softmax: fail" in message and "reproduce(" in message
    result = mathcheck.assert_matches("act.gelu", F.gelu, adapter=with_kwargs(approximate="tanh"),
                                      allow_variants=["tanh"], examples=8, gradients=False,
                                      dtypes=("float64",))
    assert result.variant == "tanh"


def test_numpy_implementations_are_checked_too():
    def np_softmax(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    assert mathcheck.check("act.softmax", np_softmax, backend="numpy", examples=8,
                           dtypes=("float64", "float32")).verdict == "pass"
