"""Section 17 · Numbers to know, as the field writes them: parameter counts per layer, then
the model; memory as parameters × bytes; FLOPs as 2 per multiply-add (Kaplan et al.;
Hoffmann et al.). The terms stay in the order the papers give them (L(12d² + 13d) + …), where
SymPy would sort them, and the counts are named, not printed as code names (gpt_params).
"""

from __future__ import annotations

from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import Ordered, Terms
from mathcheck.symbolic.numbers import L, N, T, V, bytes_, d, d_ff, d_head, h_kv, n

PARAMS, PER_LAYER = Tex(r"N_{\mathrm{params}}"), Tex(r"N_{\mathrm{layer}}")


def gpt_params() -> Notation:
    lines = (
        (PER_LAYER, Terms(Ordered(12, d**2), Ordered(13, d))),
        (PARAMS, Terms(Ordered(L, PER_LAYER), Ordered(Terms(V, T), d), Ordered(2, d))),
    )
    return Notation(lines, PARAMS, {},
                    where="per layer: attention 4d² + 4d, FFN (d_ff = 4d) 8d² + 5d, two "
                          "LayerNorms 4d; V-token and T-position embeddings, final LayerNorm, "
                          "tied unembedding")


def llama_params() -> Notation:
    lines = (
        (PER_LAYER, Terms(Ordered(2, d**2), Ordered(2, d, h_kv, d_head), Ordered(3, d, d_ff),
                          Ordered(2, d))),
        (PARAMS, Terms(Ordered(L, PER_LAYER), Ordered(2, V, d), d)),
    )
    return Notation(lines, PARAMS, {},
                    where="per layer: Q, O (d × d) and K, V (d × h_kv d_head, grouped-query), "
                          "SwiGLU FFN 3 d d_ff, two RMSNorms 2d; untied embedding and head 2Vd, "
                          "final RMSNorm d")


def memory() -> Notation:
    mem = Tex(r"M")
    return Notation(((mem, Ordered(N, bytes_)),), mem, {},
                    where="N parameters of b bytes each: b = 2 (float16), b = ½ (INT4); "
                          "weights only")


def chinchilla_tokens() -> Notation:
    tokens = Tex(r"D")
    return Notation(((tokens, Ordered(20, N)),), tokens, {},
                    where="D training tokens for N parameters (compute-optimal, Hoffmann et al.)")


def attention_flops() -> Notation:
    flops = Tex(r"\mathrm{FLOPs}_{\mathrm{attn}}")
    return Notation(((flops, Ordered(2, n**2, d)),), flops, {},
                    where="QKᵀ for n tokens of width d, 2 FLOPs per multiply-add (AV as much "
                          "again)")


def ffn_flops() -> Notation:
    flops = Tex(r"\mathrm{FLOPs}_{\mathrm{FFN}}")
    return Notation(((flops, Ordered(2, 2, n, d, d_ff)),), flops, {},
                    where="two matmuls of 2 n d d_ff FLOPs each (2 per multiply-add): "
                          "16 n d² at d_ff = 4d")
