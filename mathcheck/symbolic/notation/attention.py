"""Section 8 · Transformer & attention, as the field writes it (Vaswani et al. 2017; tokens
are rows: Q = XW^Q). Multi-head weights are packed: W_i^Q is the i-th block of d_model/h
columns of W^Q, which is how the form (and nn.MultiheadAttention) lays them out."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.attention import BLOCK_FF, BLOCK_HEADS, BLOCK_MODEL, D_MODEL, HEADS
from mathcheck.symbolic.latex import TexMatrix
from mathcheck.symbolic.notation._blocks import (
    ROW_FUNCTIONS,
    Attention,
    Concat,
    HeadBlock,
    RowsOf,
)
from mathcheck.symbolic.notation._core import Apply, Defined, Notation, RowSoftmax

N, M, DK, DV = sp.Symbol("n"), sp.Symbol("m"), sp.Symbol("d_k"), sp.Symbol("d_v")
ROW, COL = sp.symbols("i j", integer=True, positive=True)


def _qkv(n: object, m: object, d: object, e: object) -> tuple[TexMatrix, TexMatrix, TexMatrix]:
    return (TexMatrix(r"\mathbf{Q}", n, d), TexMatrix(r"\mathbf{K}", m, d),
            TexMatrix(r"\mathbf{V}", m, e))


def scaled_dot_product(n: object = N, m: object = M, d: object = DK, e: object = DV) -> Notation:
    Q, K, V = _qkv(n, m, d, e)
    out = TexMatrix(r"\operatorname{Attention}(\mathbf{Q}, \mathbf{K}, \mathbf{V})", n, e)
    return Notation(((out, RowSoftmax(Q * K.T / sp.sqrt(d)) * V),), out, {Q: "Q", K: "K", V: "V"},
                    where="n queries and m keys of width d_k (rows), values of width d_v; "
                    "softmax over each row")


def causal_mask(n: object) -> Defined:
    """M_ij = 0 where key j may be seen from query i (j ≤ i), −∞ for the future (j > i)."""
    return Defined(r"\mathbf{M}", n, n, sp.Piecewise((0, COL <= ROW), (-sp.oo, True)), (ROW, COL))


def causal_attention(n: object = N, d: object = DK, e: object = DV) -> Notation:
    Q, K, V = _qkv(n, n, d, e)
    out = TexMatrix(r"\operatorname{Attention}(\mathbf{Q}, \mathbf{K}, \mathbf{V})", n, e)
    rhs = RowSoftmax(Q * K.T / sp.sqrt(d) + causal_mask(n)) * V
    return Notation(((out, rhs),), out, {Q: "Q", K: "K", V: "V"},
                    where="n tokens; e^{−∞} = 0: row i attends to the keys j ≤ i only")


# ----------------------------------------------------------------------------- multi-head

H, DMODEL = sp.Symbol("h"), sp.Symbol(r"d_{\mathrm{model}}")


def _heads(x: TexMatrix, w: dict[str, TexMatrix], h: object) -> Concat:
    def block(name: str) -> HeadBlock:
        return HeadBlock(w[name], ROW, h, r"\mathbf{W}_{%s}^{" + name[1] + "}")

    head = Attention(x * block("WQ"), x * block("WK"), x * block("WV"))
    return Concat(head, ROW, h, r"\mathrm{head}")


def _weights(d: object) -> dict[str, TexMatrix]:
    return {name: TexMatrix(r"\mathbf{W}^{" + name[1] + "}", d, d)
            for name in ("WQ", "WK", "WV", "WO")}


def multi_head(n: object = N) -> Notation:
    symbolic = not isinstance(n, int)
    d = DMODEL if symbolic else D_MODEL
    h = H if symbolic else HEADS
    X = TexMatrix(r"\mathbf{X}", n, d)
    w = _weights(d)
    out = TexMatrix(r"\operatorname{MultiHead}(\mathbf{X})", n, d)
    rhs = _heads(X, w, h) * w["WO"]
    return Notation(((out, rhs),), out, {X: "X", **{m: k for k, m in w.items()}},
                    where="self-attention: Q = K = V = X, n tokens as rows; h heads of width "
                    "d_k = d_model/h: W_i^Q is the i-th block of d_k columns of W^Q (likewise "
                    "W_i^K, W_i^V); the checked form has d_model = 2, h = 2")


# ----------------------------------------------------------------------------- block

EPS = sp.Symbol("eps", positive=True)  # the form's own ε (transformer_block's params)


def _rmsnorm_row(row: sp.Matrix, g: sp.Matrix) -> sp.Matrix:
    d = row.shape[1]
    rms = sp.sqrt(sp.Add(*(t**2 for t in row)) / d + EPS)
    return sp.Matrix(1, d, lambda _, j: row[j] / rms * g[j])


def _gelu(t: sp.Expr) -> sp.Expr:
    return t / 2 * (1 + sp.erf(t / sp.sqrt(2)))


ROW_FUNCTIONS[r"\operatorname{RMSNorm}_{1}"] = _rmsnorm_row
ROW_FUNCTIONS[r"\operatorname{RMSNorm}_{2}"] = _rmsnorm_row


def transformer_block(n: object = N) -> Notation:
    symbolic = not isinstance(n, int)
    d = DMODEL if symbolic else BLOCK_MODEL
    f = sp.Symbol(r"d_{\mathrm{ff}}") if symbolic else BLOCK_FF
    h = H if symbolic else BLOCK_HEADS
    X = TexMatrix(r"\mathbf{X}", n, d)
    Hm, Y = TexMatrix(r"\mathbf{H}", n, d), TexMatrix(r"\mathbf{Y}", n, d)
    w = _weights(d)
    g1, g2 = TexMatrix(r"\boldsymbol{\gamma}_1", d, 1), TexMatrix(r"\boldsymbol{\gamma}_2", d, 1)
    W1, W2 = TexMatrix(r"\mathbf{W}_1", f, d), TexMatrix(r"\mathbf{W}_2", d, f)
    b1, b2 = TexMatrix(r"\mathbf{b}_1", f, 1), TexMatrix(r"\mathbf{b}_2", d, 1)
    ones = TexMatrix(r"\mathbf{1}", n, 1)
    A1 = RowsOf(X, r"\operatorname{RMSNorm}_{1}", d, g1)
    A2 = RowsOf(Hm, r"\operatorname{RMSNorm}_{2}", d, g2)
    t = sp.Symbol("t")
    gelu = Apply(sp.Lambda(t, _gelu(t)), A2 * W1.T + ones * b1.T, r"\operatorname{GELU}")
    lines = (
        (Hm, X + _heads(A1, w, h) * w["WO"]),
        (Y, Hm + gelu * W2.T + ones * b2.T),
    )
    inputs = {X: "X", **{m: k for k, m in w.items()}, g1: "g1", g2: "g2", W1: "W1", b1: "b1",
              W2: "W2", b2: "b2", ones: lambda a: sp.ones(a["X"].shape[0], 1)}
    return Notation(lines, Y, inputs,
                    where="pre-norm block, tokens as rows; RMSNorm_k(x)_j = x_j γ_{k,j} / "
                    "√(mean(x²) + ε) per row; GELU(x) = xΦ(x) elementwise; the feed-forward "
                    "weights in nn.Linear's layout (W_1 is d_ff × d_model); 1 a column of ones")
