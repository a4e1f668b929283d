"""Section 8 · Transformer & attention, as the field writes it (Vaswani et al. 2017; tokens
are rows: Q = XW^Q). Multi-head weights are packed: W_i^Q is the i-th block of d_model/h
columns of W^Q, which is how the form (and nn.MultiheadAttention) lays them out.

The FFNs and the residual connection are in column form, as their forms (and the cheatsheet)
write them: FFN(x) = W₂ GELU(W₁x + b₁) + b₂, y = x + Sublayer(x) checked at the form's
sublayer tanh(Wx). The transformer block is built from `Product`, `Plus` and `Pointwise`,
which evaluate explicitly (never through a MatMul's symbolic Σ) and call GELU as the form
does, so its instance is the form's expression term for term: it proves in seconds where the
simplifier took minutes."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from mathcheck.symbolic.attention import BLOCK_FF, BLOCK_HEADS, BLOCK_MODEL, D_MODEL, HEADS
from mathcheck.symbolic.latex import TexMatrix
from mathcheck.symbolic.notation._blocks import (
    ROW_FUNCTIONS,
    Attention,
    Concat,
    Elementwise,
    HeadBlock,
    RowsOf,
)
from mathcheck.symbolic.notation._core import Defined, Notation, RowSoftmax

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


def _heads(x: TexMatrix, w: dict[str, TexMatrix], h: object,
           mul: Callable[[object, object], object] = lambda a, b: a * b) -> Concat:
    def block(name: str) -> HeadBlock:
        return HeadBlock(w[name], ROW, h, r"\mathbf{W}_{%s}^{" + name[1] + "}")

    head = Attention(mul(x, block("WQ")), mul(x, block("WK")), mul(x, block("WV")))
    return Concat(head, ROW, h, r"\mathrm{head}")


def _explicit(x: object) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(x.as_explicit() if isinstance(x, MatrixExpr) else x)


class Product(MatrixExpr):
    """A B printed as SymPy's MatMul prints it, evaluated by explicit multiplication once the
    factors are bound (a MatMul's entry is a Σ over a symbolic index, whose evaluation expands
    every term: the transformer block's nested products took minutes that way)."""

    def __new__(cls, a: object, b: object) -> Product:
        return super().__new__(cls, sp.sympify(a), sp.sympify(b))

    @property
    def shape(self) -> tuple[object, object]:
        return self.args[0].shape[0], self.args[1].shape[1]

    def as_explicit(self) -> sp.ImmutableMatrix:
        """The value, computed once (`_value`) and kept: every entry asks for it."""
        cache = self.__dict__.setdefault("_cached", {})
        if "v" not in cache:
            cache["v"] = sp.ImmutableMatrix(self._value())
        return cache["v"]

    def _value(self) -> sp.MatrixBase:
        a, b = (_explicit(x) for x in self.args)
        return a * b

    def _entry(self, i: object, j: object, **kwargs: object) -> sp.Expr:
        return self.as_explicit()[i, j]

    def _latex(self, printer: object) -> str:
        return printer._print(sp.MatMul(*self.args))  # type: ignore[attr-defined]


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


class Plus(Product):
    """A + B + … in the order written (x + Sublayer(x): the skip first), evaluated as the
    explicit sum."""

    def __new__(cls, *terms: object) -> Plus:
        return MatrixExpr.__new__(cls, *(sp.sympify(t) for t in terms))

    @property
    def shape(self) -> tuple[object, object]:
        return self.args[0].shape

    def _value(self) -> sp.MatrixBase:
        parts = [_explicit(t) for t in self.args]
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def _latex(self, printer: object) -> str:
        return " + ".join(printer._print(t) for t in self.args)  # type: ignore[attr-defined]


#: Scalar functions `Pointwise` applies, by their LaTeX name.
POINTWISE: dict[str, Callable[[sp.Expr], sp.Expr]] = {r"\operatorname{GELU}": _gelu}


class Pointwise(Product):
    """f(X) elementwise, f a Python function of one scalar (POINTWISE, by its LaTeX name),
    called on each entry: the same expression the form builds by calling it, where a
    `Lambda` substitutes into its own body and SymPy regroups the halves (t/2 · (1 + …))."""

    def __new__(cls, arg: object, name: object) -> Pointwise:
        name = name if isinstance(name, sp.Symbol) else sp.Symbol(str(name))
        return MatrixExpr.__new__(cls, sp.sympify(arg), name)

    @property
    def shape(self) -> tuple[object, object]:
        return self.args[0].shape

    def _value(self) -> sp.MatrixBase:
        return _explicit(self.args[0]).applyfunc(POINTWISE[self.args[1].name])

    def _latex(self, printer: object) -> str:
        return (self.args[1].name + r"\left(" + printer._print(self.args[0])  # type: ignore[attr-defined]
                + r"\right)")


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
    A1 = TexMatrix(r"\mathbf{A}", n, d)
    A2 = RowsOf(Hm, r"\operatorname{RMSNorm}_{2}", d, g2)
    gelu = Pointwise(Plus(Product(A2, W1.T), Product(ones, b1.T)), r"\operatorname{GELU}")
    lines = (
        (A1, RowsOf(X, r"\operatorname{RMSNorm}_{1}", d, g1)),
        (Hm, Plus(X, Product(_heads(A1, w, h, Product), w["WO"]))),
        (Y, Plus(Hm, Product(gelu, W2.T), Product(ones, b2.T))),
    )
    inputs = {X: "X", **{m: k for k, m in w.items()}, g1: "g1", g2: "g2", W1: "W1", b1: "b1",
              W2: "W2", b2: "b2", ones: lambda a: sp.ones(a["X"].shape[0], 1)}
    return Notation(lines, Y, inputs,
                    where="pre-norm block, tokens as rows; RMSNorm_k(x)_j = x_j γ_{k,j} / "
                    "√(mean(x²) + ε) per row; GELU(x) = xΦ(x) elementwise; the feed-forward "
                    "weights in nn.Linear's layout (W_1 is d_ff × d_model); 1 a column of ones")


# ----------------------------------------------------------------------------- FFNs, residual
# Column form, as the forms (and nn.Linear) write them: W_1 is d_ff × d_model.

D, F = sp.Symbol(r"d_{\mathrm{model}}"), sp.Symbol(r"d_{\mathrm{ff}}")
_t = sp.Symbol("t", real=True)


def _silu(t: sp.Expr) -> sp.Expr:
    return t / (1 + sp.exp(-t))


def _column(tex: str, rows: object) -> TexMatrix:
    return TexMatrix(tex, rows, 1)


def ffn_gelu(d: object = D, f: object = F) -> Notation:
    """FFN(x) = W₂ GELU(W₁x + b₁) + b₂ (the cheatsheet's form), exact GELU x Φ(x)."""
    x, b1, b2 = _column(r"\mathbf{x}", d), _column(r"\mathbf{b}_1", f), _column(r"\mathbf{b}_2", d)
    W1, W2 = TexMatrix(r"\mathbf{W}_1", f, d), TexMatrix(r"\mathbf{W}_2", d, f)
    out = _column(r"\operatorname{FFN}(\mathbf{x})", d)
    hidden = Elementwise(sp.Lambda(_t, _gelu(_t)), W1 * x + b1, r"\operatorname{GELU}")
    return Notation(((out, W2 * hidden + b2),), out,
                    {x: "x", W1: "W1", b1: "b1", W2: "W2", b2: "b2"},
                    where="GELU(t) = t Φ(t) elementwise (Φ the standard normal CDF); "
                    "W_1 is d_ff × d_model")


class Gated(Product):
    """(a ⊙ b) in the order written, in parentheses (SymPy would print W₂ b ⊙ a, which reads
    as (W₂b) ⊙ a); evaluated as the elementwise product."""

    @property
    def shape(self) -> tuple[object, object]:
        return self.args[0].shape

    def _value(self) -> sp.MatrixBase:
        a, b = (_explicit(x) for x in self.args)
        return a.multiply_elementwise(b)

    def _latex(self, printer: object) -> str:
        a, b = (printer._print(x) for x in self.args)  # type: ignore[attr-defined]
        return r"\left(" + a + r" \odot " + b + r"\right)"


def ffn_swiglu(d: object = D, f: object = F) -> Notation:
    """SwiGLU(x) = W₂(SiLU(W₁x) ⊙ W₃x), the cheatsheet's (SiLU(W₁x) ⊙ W₃x)·W₂ in column form."""
    x = _column(r"\mathbf{x}", d)
    W1, W3 = TexMatrix(r"\mathbf{W}_1", f, d), TexMatrix(r"\mathbf{W}_3", f, d)
    W2 = TexMatrix(r"\mathbf{W}_2", d, f)
    out = _column(r"\operatorname{SwiGLU}(\mathbf{x})", d)
    gate = Elementwise(sp.Lambda(_t, _silu(_t)), W1 * x, r"\operatorname{SiLU}")
    return Notation(((out, W2 * Gated(gate, W3 * x)),), out,
                    {x: "x", W1: "W1", W3: "W3", W2: "W2"},
                    where="SiLU(t) = t σ(t) elementwise; ⊙ the elementwise product")


def residual(n: object = N) -> Notation:
    """y = x + Sublayer(x), checked at the form's sublayer tanh(Wx)."""
    x, W = _column(r"\mathbf{x}", n), TexMatrix(r"\mathbf{W}", n, n)
    name = r"\operatorname{Sublayer}(\mathbf{x})"
    checked, sub = _column(r"\text{checked at } " + name, n), _column(name, n)
    out = _column(r"\mathbf{y}", n)
    lines = (
        (checked, Elementwise(sp.Lambda(_t, sp.tanh(_t)), W * x, r"\tanh")),
        (sub, checked),
        (out, x + sub),
    )
    return Notation(lines, out, {x: "x", W: "W"}, shown=(2, 0),
                    where="Sublayer: the block's attention or FFN; the Jacobian identity below "
                    "holds for any sublayer")
