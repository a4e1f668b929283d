"""Section 17 · Numbers to know: the formulas behind the figures, as SymPy expressions.

These are counts (exact integers once the shapes are substituted); the checks evaluate them
with Python integers and compare with the stated figures and with real torch models.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm

d, L, V, T, n = sp.symbols("d L V T n", positive=True, integer=True)
d_ff, h_kv, d_head, N, bytes_ = sp.symbols("d_ff h_kv d_head N b", positive=True)


def gpt_params() -> SymForm:
    """GPT-2/3 decoder: per layer QKV+O (4d² + 4d), FFN with d_ff = 4d (8d² + 5d), two
    LayerNorms (4d); token + learned position embeddings; final LayerNorm; tied unembedding."""
    count = L * (12 * d**2 + 13 * d) + (V + T) * d + 2 * d
    return SymForm(count, {"d": d, "L": L, "V": V, "T": T})


def llama_params() -> SymForm:
    """LLaMA-2 decoder: Q and O d×d, K and V d×(h_kv·d_head) (GQA), SwiGLU FFN 3·d·d_ff, two
    RMSNorms (2d), no biases; untied input embedding and output head (2Vd); final RMSNorm."""
    per_layer = 2 * d**2 + 2 * d * h_kv * d_head + 3 * d * d_ff + 2 * d
    count = L * per_layer + 2 * V * d + d
    return SymForm(count, {"d": d, "L": L, "V": V, "d_ff": d_ff, "h_kv": h_kv, "d_head": d_head})


def memory() -> SymForm:
    """Weight memory = N parameters × b bytes each (no optimizer state, activations or KV cache)."""
    return SymForm(N * bytes_, {"N": N, "b": bytes_})


def chinchilla_tokens() -> SymForm:
    return SymForm(20 * N, {"N": N})


def attention_flops() -> SymForm:
    """2n²d: one n×d by d×n product (QKᵀ), 2 FLOPs per multiply-add. AV costs as much again."""
    return SymForm(2 * n**2 * d, {"n": n, "d": d})


def ffn_flops() -> SymForm:
    """Two matmuls n×d·d×d_ff and n×d_ff·d_ff×d at 2 FLOPs per multiply-add."""
    return SymForm(2 * (2 * n * d * d_ff), {"n": n, "d": d, "d_ff": d_ff})


def ffn_flops_at_4d() -> Equation:
    """With d_ff = 4d the two-matmul count is the cheatsheet's 16nd²."""
    return Equation(ffn_flops().expr.subs(d_ff, 4 * d), 16 * n * d**2)


def swiglu_flops_at_8d_over_3() -> Equation:
    """A SwiGLU FFN has three d×d_ff matrices; LLaMA's d_ff = 8d/3 keeps it at 16nd² too."""
    return Equation((3 * 2 * n * d * d_ff).subs(d_ff, sp.Rational(8, 3) * d), 16 * n * d**2)
