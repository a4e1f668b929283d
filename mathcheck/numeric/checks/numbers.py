"""Section 17 · Numbers to know: each figure recomputed from its formula, and the formula
confirmed on a real (small) torch model or a real forward pass (FlopCounterMode).

Counts are exact Python integers. Conventions are stated in every outcome's detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mathcheck.numeric.checks._context import torch_rng
from mathcheck.outcome import CheckContext, Outcome

# ----------------------------------------------------------------- published shapes


@dataclass(frozen=True)
class Gpt:
    d: int = 12288
    layers: int = 96
    heads: int = 96
    vocab: int = 50257
    ctx: int = 2048


@dataclass(frozen=True)
class Llama:
    d: int = 8192
    layers: int = 80
    heads: int = 64
    kv_heads: int = 8
    d_ff: int = 28672
    vocab: int = 32000


GPT3, LLAMA2_70B = Gpt(), Llama()
GPT3_STATED, LLAMA_STATED = 175e9, 70e9


def gpt_param_count(c: Gpt) -> int:
    """L(12d² + 13d) + (V + T)d + 2d (see mathcheck.symbolic.numbers.gpt_params)."""
    return c.layers * (12 * c.d**2 + 13 * c.d) + (c.vocab + c.ctx) * c.d + 2 * c.d


def llama_param_count(c: Llama, kv_heads: int | None = None) -> int:
    """L(2d² + 2d·h_kv·d_head + 3d·d_ff + 2d) + 2Vd + d; kv_heads overrides GQA's 8."""
    d_head = c.d // c.heads
    kv = c.kv_heads if kv_heads is None else kv_heads
    per_layer = 2 * c.d**2 + 2 * c.d * kv * d_head + 3 * c.d * c.d_ff + 2 * c.d
    return c.layers * per_layer + 2 * c.vocab * c.d + c.d


def _round_to_sig(x: float, digits: int) -> float:
    from math import floor, log10

    return round(x, -floor(log10(abs(x))) + digits - 1)


def _exact(ok: bool, detail: str, unit: str, **extra: object) -> Outcome:
    """The verdict on a figure that must come out exactly: error and budget 0."""
    return Outcome.verdict(ok, detail, 0.0, 0.0, unit, extra=extra)


# ----------------------------------------------------------------- tiny real models


def _tiny_gpt(c: Gpt) -> object:
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(c.d), nn.LayerNorm(c.d)
            self.attn = nn.MultiheadAttention(c.d, c.heads, bias=True)
            self.ffn = nn.Sequential(nn.Linear(c.d, 4 * c.d), nn.GELU(), nn.Linear(4 * c.d, c.d))

    model = nn.ModuleDict(
        {
            "tok": nn.Embedding(c.vocab, c.d),
            "pos": nn.Embedding(c.ctx, c.d),
            "blocks": nn.ModuleList(Block() for _ in range(c.layers)),
            "ln_f": nn.LayerNorm(c.d),
        }
    )  # the unembedding is tied to "tok": no extra parameters
    assert isinstance(model, torch.nn.Module)
    return model


def _tiny_llama(c: Llama) -> object:
    from torch import nn

    d_head = c.d // c.heads

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.norm2 = nn.RMSNorm(c.d), nn.RMSNorm(c.d)
            self.q, self.o = nn.Linear(c.d, c.d, bias=False), nn.Linear(c.d, c.d, bias=False)
            self.k = nn.Linear(c.d, c.kv_heads * d_head, bias=False)
            self.v = nn.Linear(c.d, c.kv_heads * d_head, bias=False)
            self.gate = nn.Linear(c.d, c.d_ff, bias=False)
            self.up = nn.Linear(c.d, c.d_ff, bias=False)
            self.down = nn.Linear(c.d_ff, c.d, bias=False)

    return nn.ModuleDict(
        {
            "tok": nn.Embedding(c.vocab, c.d),
            "blocks": nn.ModuleList(Block() for _ in range(c.layers)),
            "norm": nn.RMSNorm(c.d),
            "head": nn.Linear(c.d, c.vocab, bias=False),
        }
    )


def _numel(model: object) -> int:
    return sum(p.numel() for p in model.parameters())  # type: ignore[attr-defined]


# ----------------------------------------------------------------- parameter counts


def gpt3_params(ctx: CheckContext) -> Outcome:
    """175B from d = 12288, 96 layers, vocab 50257, context 2048 (biases, learned positions,
    tied unembedding); the count formula confirmed on a small GPT built from torch modules."""
    small = Gpt(d=48, layers=3, heads=4, vocab=101, ctx=32)
    real = _numel(_tiny_gpt(small))
    formula_ok = real == gpt_param_count(small)
    count = gpt_param_count(GPT3)
    rel = abs(count - GPT3_STATED) / GPT3_STATED
    ok = formula_ok and _round_to_sig(count, 3) == GPT3_STATED
    return Outcome.verdict(
        ok,
        f"computed {count:,} = {count / 1e9:.2f}B, stated 175B (3 significant figures; "
        f"{rel:.2%} apart); d_head = {GPT3.d // GPT3.heads}; formula = numel of a small "
        f"torch GPT ({real:,} parameters): {formula_ok}",
        rel,
        0.005,
        "relative",
        extra={"computed": count, "stated": GPT3_STATED},
    )


def llama2_70b_params(ctx: CheckContext) -> Outcome:
    """70B from d = 8192, 80 layers, 64 heads with 8 KV heads (GQA), d_ff = 28672 (SwiGLU),
    vocab 32000, untied head, no biases; the formula confirmed on a small LLaMA-like model."""
    small = Llama(d=64, layers=2, heads=8, kv_heads=2, d_ff=176, vocab=97)
    real = _numel(_tiny_llama(small))
    formula_ok = real == llama_param_count(small)
    count = llama_param_count(LLAMA2_70B)
    mha = llama_param_count(LLAMA2_70B, kv_heads=LLAMA2_70B.heads)
    rel = abs(count - LLAMA_STATED) / LLAMA_STATED
    ok = formula_ok and _round_to_sig(count, 1) == LLAMA_STATED
    return Outcome.verdict(
        ok,
        f"computed {count:,} = {count / 1e9:.2f}B, stated 70B (a name: 1 significant "
        f"figure; {rel:.1%} apart); with the 64 heads as written (no GQA) it would be "
        f"{mha / 1e9:.1f}B; formula = numel of a small torch LLaMA ({real:,}): "
        f"{formula_ok}",
        rel,
        0.05,
        "relative",
        extra={"computed": count, "stated": LLAMA_STATED, "without_gqa": mha},
    )


# ----------------------------------------------------------------- memory

GB, GIB = 10**9, 2**30


def fp16_memory(ctx: CheckContext) -> Outcome:
    """2 bytes per fp16 parameter (a real tensor's element_size and nbytes); 70B × 2 B = 140 GB
    with GB = 10⁹ B (130.4 GiB); the computed 68.98B parameters need 137.95 GB."""
    import torch

    t = torch.empty(1000, dtype=torch.float16)
    per = t.element_size()
    stated_total = 70 * 10**9 * per / GB
    actual = llama_param_count(LLAMA2_70B) * per
    ok = per == 2 and t.untyped_storage().nbytes() == 2000 and stated_total == 140
    return _exact(ok, f"{per} B/param; 70e9 × 2 B = {stated_total:g} GB = {70e9 * 2 / GIB:.1f} "
                  f"GiB; LLaMA-2 70B as computed: {actual / GB:.2f} GB (weights only: no "
                  "gradients, optimizer state, activations or KV cache)", "bytes",
                  gib=70e9 * 2 / GIB, actual_gb=actual / GB)


def int4_memory(ctx: CheckContext) -> Outcome:
    """0.5 bytes per INT4 parameter: two 4-bit codes packed per uint8 (done here for real, with a
    round trip); 70B → 35 GB before per-group scales (group 128 with an fp16 scale and zero
    point adds 0.25 bit/param: 37.2 GB)."""
    import torch

    gen = torch_rng(ctx)
    w = torch.randn(4096, generator=gen)
    scale = (w.max() - w.min()) / 15
    zero = torch.round(-w.min() / scale)
    codes = torch.clamp(torch.round(w / scale) + zero, 0, 15).to(torch.uint8)
    packed, unpacked = packed_nibbles(codes)
    per = packed.untyped_storage().nbytes() / w.numel()
    grouped = 70e9 * (4 + 32 / 128) / 8 / GB
    ok = per == 0.5 and bool((unpacked == codes).all()) and 70e9 * per / GB == 35
    return _exact(ok, f"{per} B/param (packed nibbles, round trip exact); 70e9 × 0.5 B = 35 GB; "
                  f"with group-128 fp16 scale + zero point: {grouped:.1f} GB", "bytes",
                  grouped_gb=grouped)


def packed_nibbles(codes: Any) -> tuple[Any, Any]:
    """4-bit codes (a uint8 tensor of 0 … 15, even length) packed two per byte, and the
    codes unpacked from those bytes again."""
    import torch

    packed = codes[0::2] | (codes[1::2] << 4)
    return packed, torch.stack([packed & 0xF, packed >> 4], dim=-1).flatten()


# ----------------------------------------------------------------- Chinchilla

#: Hoffmann et al. (2022) eq. 10, approach 3: L(N, D) = E + A/N^α + B/D^β.
CHINCHILLA_FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
CHINCHILLA_N, CHINCHILLA_D = 70e9, 1.4e12


def parametric_ratio(compute: float) -> tuple[float, float, float]:
    """(N_opt, D_opt, D_opt/N_opt) minimising the fitted loss subject to C = 6ND."""
    a, b = CHINCHILLA_FIT["alpha"], CHINCHILLA_FIT["beta"]
    g = (a * CHINCHILLA_FIT["A"] / (b * CHINCHILLA_FIT["B"])) ** (1 / (a + b))
    n_opt = g * (compute / 6) ** (b / (a + b))
    d_opt = (compute / 6) ** (a / (a + b)) / g
    return n_opt, d_opt, d_opt / n_opt


def chinchilla_tokens(ctx: CheckContext) -> Outcome:
    """D ≈ 20N is Chinchilla itself (70B parameters, 1.4T tokens): exactly 20. Under the
    paper's own parametric fit (approach 3) the optimal ratio is not constant (reported)."""
    ratio = CHINCHILLA_D / CHINCHILLA_N
    compute = 6 * CHINCHILLA_N * CHINCHILLA_D
    ratios = {c: parametric_ratio(c)[2] for c in (1e21, compute, 1e25)}
    listed = ", ".join(f"C={c:.2g}: {r:.0f}" for c, r in ratios.items())
    return Outcome.verdict(
        ratio == 20,
        f"Chinchilla: {CHINCHILLA_D:.3g}/{CHINCHILLA_N:.3g} = {ratio:g} tokens/param "
        f"(approaches 1–2); approach-3 fit D_opt/N_opt: {listed} (grows as "
        f"C^{(0.34 - 0.28) / 0.62:.3f})",
        abs(ratio - 20),
        0.0,
        "tokens/param",
        extra={"approach3": ratios},
    )


# ----------------------------------------------------------------- FLOPs


def _count(fn: object, *args: object) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn(*args)  # type: ignore[operator]
    return int(counter.get_total_flops())


def attention_flops(ctx: CheckContext) -> Outcome:
    """Counted on real forward passes with torch.utils.flop_counter.FlopCounterMode (which
    counts 2 FLOPs per multiply-add and only matmuls): QKᵀ alone is 2n²d exactly; the whole
    score-and-mix step (QKᵀ and AV, F.scaled_dot_product_attention) is 4n²d; softmax, scaling
    and the Q/K/V/O projections (8nd²) are not in either figure."""
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    gen = torch_rng(ctx)
    rows = []
    for n, d in ((16, 32), (64, 16), (7, 24)):
        q, k, v = (torch.randn(1, 1, n, d, generator=gen) for _ in range(3))
        scores = _count(torch.matmul, q, k.transpose(-1, -2))
        with sdpa_kernel(SDPBackend.MATH):
            full = _count(F.scaled_dot_product_attention, q, k, v)
        rows.append((n, d, scores, full))
    ok = all(s == 2 * n * n * d and f == 4 * n * n * d for n, d, s, f in rows)
    n, d, s, f = rows[0]
    return _exact(ok, f"n={n}, d={d}: QKᵀ counted {s:,} = 2n²d; QKᵀ + AV counted {f:,} = 4n²d "
                  "(single head; with h heads of d/h the totals are the same)", "FLOPs",
                  rows=rows)


def ffn_flops(ctx: CheckContext) -> Outcome:
    """A GPT FFN (Linear d→4d, GELU, Linear 4d→d) on n tokens, counted by FlopCounterMode:
    16nd² exactly (2 FLOPs per multiply-add; bias adds and GELU not counted). A whole
    pre-norm block counts 24nd² + 4n²d, so FFN > attention mixing iff n < 4d."""
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.nn.attention import SDPBackend, sdpa_kernel

    rows = []
    for n, d in ((16, 32), (5, 48)):
        ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        x = torch.randn(n, d)
        counted = _count(ffn, x)
        qkv, out = nn.Linear(d, 3 * d), nn.Linear(d, d)

        def block(
            x: torch.Tensor, qkv: nn.Module = qkv, out: nn.Module = out, ffn: nn.Module = ffn
        ) -> torch.Tensor:
            q, k, v = qkv(x).unsqueeze(0).chunk(3, dim=-1)
            with sdpa_kernel(SDPBackend.MATH):
                a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            h = x + out(a.squeeze(0))
            return h + ffn(h)

        rows.append((n, d, counted, _count(block, x)))
    ok = all(c == 16 * n * d * d and b == 24 * n * d * d + 4 * n * n * d for n, d, c, b in rows)
    n, d, c, b = rows[0]
    return _exact(ok, f"n={n}, d={d}: FFN counted {c:,} = 16nd²; block counted {b:,} = 24nd² + "
                  "4n²d (causal masking is not credited by the counter)", "FLOPs", rows=rows)


# ----------------------------------------------------------------- not derivable

#: Published configurations (GPT-3 paper Table 2.1; LLaMA-2 paper §2.2; Chinchilla Table A9).
PUBLISHED = {
    "GPT-3 175B": {"batch_tokens": 1536 * 2048, "lr": 0.6e-4},
    "LLaMA-2 70B": {"batch_tokens": 1024 * 4096, "lr": 1.5e-4},
    "LLaMA-2 7B": {"batch_tokens": 1024 * 4096, "lr": 3.0e-4},
}


def batch_size(ctx: CheckContext) -> Outcome:
    """Not derivable from a formula: an empirical choice. Reported, not checked."""
    listed = "; ".join(f"{k}: {v['batch_tokens']:,} tokens" for k, v in PUBLISHED.items())
    return Outcome(
        "skipped",
        f"not derivable (empirical practice); published: {listed} ('4M' = 4·2^20 = 4,194,304)",
    )


def learning_rate(ctx: CheckContext) -> Outcome:
    """Not derivable from a formula: an empirical choice. Reported, not checked."""
    listed = "; ".join(f"{k}: {v['lr']:.1e}" for k, v in PUBLISHED.items())
    return Outcome(
        "skipped",
        f"not derivable (empirical practice); published peak rates: "
        f"{listed} (GPT-3 175B is below the stated 1e-4 to 3e-4)",
    )
