"""Section 15 · Model-specific, as the field writes it: the convolution as an indexed sum,
the RNN and LSTM steps on column vectors (the cheatsheet's W_f[h_{t−1}, x_t] + b_f, which is
how the form stacks its weights), and the graph convolution of Kipf & Welling."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.models import k_, p_, s_
from mathcheck.symbolic.notation._blocks import (
    Degree,
    Elementwise,
    NormalizedAdjacency,
    RowBlock,
    VStack,
)
from mathcheck.symbolic.notation._core import Notation

_POS = {"integer": True, "positive": True}
# Tex symbols: the printer puts a sum's named terms first (t − k + 1, not 1 + t − k).
N, K, T, TAU = Tex("n", **_POS), Tex("k", **_POS), Tex("t", **_POS), Tex(r"\tau", **_POS)
H, D = sp.Symbol("H", **_POS), sp.Symbol("D", **_POS)
F_, G_ = sp.IndexedBase("f"), sp.IndexedBase("g")

_U = sp.Symbol("u", real=True)
SIGMOID = sp.Lambda(_U, 1 / (1 + sp.exp(-_U)))  # the form's _sigmoid, spelled the same way
TANH = sp.Lambda(_U, sp.tanh(_U))
RELU = sp.Lambda(_U, sp.Max(0, _U))


# ----------------------------------------------------------------------------- CNN


def convolution(n: int | sp.Symbol = N, k: int | sp.Symbol = K) -> Notation:
    """The full discrete convolution, 1-based: the sum runs over the τ where both f_τ and
    g_{t−τ+1} exist (the cheatsheet's Σ_τ f(τ) g(t − τ) with the zero padding made explicit)."""
    out = Tex(r"(f \ast g)_{t}")
    rhs = sp.Sum(F_[TAU] * G_[T - TAU + 1], (TAU, sp.Max(1, T - k + 1), sp.Min(n, T)))
    return Notation(((out, rhs),), out, {F_: "f", G_: "g"}, index=((T, n + k - 1),),
                    where="f has n entries and g has k; t = 1, …, n + k − 1 (full mode). "
                    "The kernel is flipped: a true convolution, not the cross-correlation "
                    "that conv layers compute")


def output_size() -> Notation:
    """n_out = ⌊(n + 2p − k)/s⌋ + 1, the +1 last as written (the form prints 1 + ⌊…⌋)."""
    out = Tex(r"n_{\mathrm{out}}")
    n = Tex("n", integer=True, nonnegative=True)  # named first in the sum: n − k + 2p
    return Notation(((out, sp.floor((n + 2 * p_ - k_) / s_) + 1),), out,
                    {n: "n", k_: "k", p_: "p", s_: "s"},
                    where="n input length, k kernel size, p padding on each side, s stride "
                    "(dilation 1, floor mode)")


# ----------------------------------------------------------------------------- RNN, LSTM


def _column(tex: str, rows: object) -> TexMatrix:
    return TexMatrix(tex, rows, 1)


def rnn_step(H: int | sp.Symbol = H, D: int | sp.Symbol = D) -> Notation:
    """The cheatsheet's h_t = tanh(W_h h_{t−1} + W_x x_t + b), on column vectors."""
    h_prev, x = _column(r"\mathbf{h}_{t-1}", H), _column(r"\mathbf{x}_{t}", D)
    # W_h, W_x as the cheatsheet, the entry's title and the form's arguments name them
    w_h, w_x = TexMatrix(r"\mathbf{W}_{h}", H, H), TexMatrix(r"\mathbf{W}_{x}", H, D)
    b, h = _column(r"\mathbf{b}", H), _column(r"\mathbf{h}_{t}", H)
    rhs = Elementwise(TANH, w_h * h_prev + w_x * x + b, r"\tanh")
    return Notation(((h, rhs),), h, {h_prev: "h", x: "x", w_h: "W_h", w_x: "W_x", b: "b"},
                    where="hidden state of H units, input of D; tanh elementwise")


#: The gates in the order the form stacks their row blocks in W and b: [f; i; c̃; o].
GATES = ("f", "i", "c", "o")


def lstm_cell(H: int | sp.Symbol = H, D: int | sp.Symbol = D) -> Notation:
    """The six lines, gates in the order of W's row blocks; W_f is a block of the form's one W
    acting on [h_{t−1}, x_t] (not torch's split W_ih x_t + W_hh h_{t−1}), so it binds as is."""
    x, h_prev = _column(r"\mathbf{x}_{t}", D), _column(r"\mathbf{h}_{t-1}", H)
    c_prev = _column(r"\mathbf{c}_{t-1}", H)
    W, b = TexMatrix(r"\mathbf{W}", 4 * H, H + D), _column(r"\mathbf{b}", 4 * H)
    z = VStack(h_prev, x)

    def pre(gate: str) -> sp.MatrixExpr:
        k = GATES.index(gate)
        return (RowBlock(W, k, H, rf"\mathbf{{W}}_{{{gate}}}") * z
                + RowBlock(b, k, H, rf"\mathbf{{b}}_{{{gate}}}"))

    f, i = _column(r"\mathbf{f}_{t}", H), _column(r"\mathbf{i}_{t}", H)
    g, o = _column(r"\tilde{\mathbf{c}}_{t}", H), _column(r"\mathbf{o}_{t}", H)
    c, h = _column(r"\mathbf{c}_{t}", H), _column(r"\mathbf{h}_{t}", H)
    lines = (
        (f, Elementwise(SIGMOID, pre("f"), r"\sigma")),
        (i, Elementwise(SIGMOID, pre("i"), r"\sigma")),
        (g, Elementwise(TANH, pre("c"), r"\tanh")),
        (o, Elementwise(SIGMOID, pre("o"), r"\sigma")),
        # MatAdd itself: `+` canonicalises f_t ⊙ c_{t−1} into c_{t−1} ⊙ f_t
        (c, sp.MatAdd(sp.HadamardProduct(f, c_prev), sp.HadamardProduct(i, g))),
        (h, sp.HadamardProduct(o, Elementwise(TANH, c, r"\tanh"))),
    )
    return Notation(lines, VStack(h, c), {x: "x", h_prev: "h", c_prev: "c", W: "W", b: "b"},
                    where="forget, input, candidate and output gates; W_f, W_i, W_c, W_o are "
                    "the four blocks of H rows of W, in this order (likewise b_f … b_o of b), "
                    "acting on the concatenation [h_{t−1}, x_t]; σ the logistic function, "
                    "⊙ the elementwise product; the form returns [h_t; c_t]")


# ----------------------------------------------------------------------------- GCN

NN, FF, GG = (sp.Symbol(s, **_POS) for s in ("N", "F", "G"))


def gcn_layer(N: int | sp.Symbol = NN, F: int | sp.Symbol = FF,
              G: int | sp.Symbol = GG) -> Notation:
    """The cheatsheet's hats (Â = A + I, D̂ its degrees), as the entry's title and claims."""
    A, I_ = TexMatrix(r"\mathbf{A}", N, N), TexMatrix(r"\mathbf{I}", N, N)
    Hm, W = TexMatrix(r"\mathbf{H}", N, F), TexMatrix(r"\mathbf{W}", F, G)
    A_hat, out = TexMatrix(r"\hat{\mathbf{A}}", N, N), TexMatrix(r"\mathbf{H}'", N, G)
    degree = Degree(A_hat, 1, r"\hat{D}", r"\hat{A}")
    norm = NormalizedAdjacency(A_hat, degree, r"\hat{\mathbf{A}}", r"\hat{\mathbf{D}}")
    lines = (
        (A_hat, A + I_),
        (out, Elementwise(RELU, norm * Hm * W, r"\operatorname{ReLU}")),
    )
    inputs = {A: "A", Hm: "H", W: "W", I_: lambda a: sp.eye(a["A"].shape[0])}
    return Notation(lines, out, inputs,
                    where="N nodes with F features in and G out; A the adjacency matrix, Â "
                    "with self-loops added, D̂ its degree matrix; the activation σ is ReLU here "
                    "(Kipf & Welling, who write Ã and D̃)")
