"""Textbook notations of the model-specific and backpropagation sections prove equal to their
checked forms; planted wrong notations (swapped LSTM gates, a missing tanh, an unflipped
kernel, row normalisation for the GCN, σ for σ′, a transposed outer product, a wrong
initialisation variance) fail; the printed LaTeX has the expected shape."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic import backprop as B
from mathcheck.symbolic import models as M
from mathcheck.symbolic._prove import prove_equal
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation import Apply, Notation, instantiate, notation_latex, prove_notation
from mathcheck.symbolic.notation import backprop as NB
from mathcheck.symbolic.notation import models as NM
from mathcheck.symbolic.notation._blocks import (
    Degree,
    Elementwise,
    NormalizedAdjacency,
    RowBlock,
    VStack,
)

RNN = [{"H": 2, "D": 2}, {"H": 3, "D": 3}]
GCN = [{"N": 2, "F": 2, "G": 2}, {"N": 3, "F": 2, "G": 2}]
MN = [{"m": 2, "n": 2}, {"m": 3, "n": 3}]


def _rejected(builder, form, sizes) -> bool:  # type: ignore[no-untyped-def]
    """A wrong notation fails; a short simplification budget, as the numbers decide."""
    return prove_notation(builder, form, sizes, time_budget=2.0)[0] == "failed"


def test_model_notations_prove() -> None:
    assert prove_notation(NM.convolution, M.convolution,
                          [{"n": 2, "k": 2}, {"n": 3, "k": 2}, {"n": 2, "k": 4}])[0] == "proven"
    assert prove_notation(NM.output_size, M.output_size, [{}])[0] == "proven"
    assert prove_notation(NM.rnn_step, M.rnn_step, RNN)[0] == "proven"
    assert prove_notation(NM.lstm_cell, M.lstm_cell, RNN)[0] == "proven"
    assert prove_notation(NM.gcn_layer, M.gcn_layer, GCN)[0] == "proven"


def test_backprop_notations_prove() -> None:
    assert prove_notation(NB.delta, B.delta, [*MN, {"m": 3, "n": 2}])[0] == "proven"
    assert prove_notation(NB.weight_grad, B.weight_grad, [*MN, {"m": 2, "n": 3}])[0] == "proven"
    assert prove_notation(NB.bias_grad, B.bias_grad, [{"m": 2}, {"m": 3}])[0] == "proven"
    assert prove_notation(NB.xavier, B.xavier, [{}])[0] == "proven"
    assert prove_notation(NB.he, B.he, [{}])[0] == "proven"


# ----------------------------------------------------------------------------- wrong ones


def _lstm(order: tuple[str, ...], cell_tanh: bool = True):  # type: ignore[no-untyped-def]
    """The LSTM notation with the gates read from `order`'s blocks (the form's: f, i, c, o)."""

    def build(H=NM.H, D=NM.D):  # type: ignore[no-untyped-def]
        good = NM.lstm_cell(H, D)
        x, h_prev, c_prev, W, b = good.inputs
        z = VStack(h_prev, x)

        def pre(gate: str) -> sp.MatrixExpr:
            k = order.index(gate)
            return RowBlock(W, k, H, "W") * z + RowBlock(b, k, H, "b")

        f, i, g, o, c, h = (TexMatrix(name, H, 1) for name in "figoch")
        last = Elementwise(NM.TANH, c, "tanh") if cell_tanh else c
        lines = (
            (f, Elementwise(NM.SIGMOID, pre("f"), "s")),
            (i, Elementwise(NM.SIGMOID, pre("i"), "s")),
            (g, Elementwise(NM.TANH, pre("c"), "tanh")),
            (o, Elementwise(NM.SIGMOID, pre("o"), "s")),
            (c, sp.MatAdd(sp.HadamardProduct(f, c_prev), sp.HadamardProduct(i, g))),
            (h, sp.HadamardProduct(o, last)),
        )
        return Notation(lines, VStack(h, c), good.inputs)

    return build


def test_the_lstm_built_the_same_way_proves() -> None:
    assert prove_notation(_lstm(NM.GATES), M.lstm_cell, RNN[:1])[0] == "proven"


def test_torch_gate_order_is_rejected() -> None:
    # nn.LSTMCell's [i; f; g; o], read against the form's [f; i; c̃; o]
    assert _rejected(_lstm(("i", "f", "c", "o")), M.lstm_cell, RNN[:1])


def test_hidden_state_without_tanh_is_rejected() -> None:
    assert _rejected(_lstm(NM.GATES, cell_tanh=False), M.lstm_cell, RNN[:1])


def test_rnn_with_transposed_recurrent_weights_is_rejected() -> None:
    def wrong(H=NM.H, D=NM.D):  # type: ignore[no-untyped-def]
        good = NM.rnn_step(H, D)
        h_prev, x, w_h, w_x, b = good.inputs
        h = TexMatrix("h", H, 1)
        rhs = Elementwise(NM.TANH, w_h.T * h_prev + w_x * x + b, "tanh")
        return Notation(((h, rhs),), h, good.inputs)

    assert _rejected(wrong, M.rnn_step, RNN[:1])


def test_unflipped_kernel_is_rejected() -> None:
    """Σ_τ f_τ g_{k−t+τ}: the cross-correlation over the same τ, where the form convolves."""

    def wrong(n=NM.N, k=NM.K):  # type: ignore[no-untyped-def]
        out = Tex("y_t")
        rhs = sp.Sum(NM.F_[NM.TAU] * NM.G_[k - NM.T + NM.TAU],
                     (NM.TAU, sp.Max(1, NM.T - k + 1), sp.Min(n, NM.T)))
        return Notation(((out, rhs),), out, {NM.F_: "f", NM.G_: "g"}, index=((NM.T, n + k - 1),))

    assert _rejected(wrong, M.convolution, [{"n": 3, "k": 3}])


def test_gcn_row_normalisation_is_rejected() -> None:
    """D̂^{−1}Â (random-walk normalisation) instead of the symmetric one, compared on a graph
    (the form is complex at real A with negative degrees, where the numeric check cannot
    order Max(0, ·): so the comparison is at a point of the binary domain)."""

    def wrong(N=NM.NN, F=NM.FF, G=NM.GG):  # type: ignore[no-untyped-def]
        good = NM.gcn_layer(N, F, G)
        A, Hm, W, I_ = good.inputs
        a_hat, out = TexMatrix("Ah", N, N), TexMatrix("Hp", N, G)
        rhs = Elementwise(NM.RELU, Degree(a_hat, -1, "D", "A") * a_hat * Hm * W, "ReLU")
        return Notation(((a_hat, A + I_), (out, rhs)), out, good.inputs)

    form = M.gcn_layer(3, 2, 2)
    path = dict(zip(form.args["A"], [0, 1, 0, 1, 0, 1, 0, 1, 0], strict=True))
    point = {**path, **{s: sp.Rational(k + 1, 7) for k, s in
                        enumerate([*form.args["H"], *form.args["W"]])}}
    value = {b.__name__: instantiate(b(3, 2, 2), form.args).xreplace(point)
             for b in (NM.gcn_layer, wrong)}
    expected = form.expr.xreplace(point)
    assert sp.simplify(value["gcn_layer"] - expected) == sp.zeros(3, 2)
    assert sp.simplify(value["wrong"] - expected) != sp.zeros(3, 2)


def test_the_elementwise_normalisation_is_the_matrix_product_for_nonnegative_a() -> None:
    """(D̂^{−1/2}ÂD̂^{−1/2})_ij = Â_ij/√(D̂_ii D̂_jj), as printed, for A ≥ 0 (the binary domain):
    over all reals the product differs where degrees are negative (complex square roots)."""
    n = 3
    A = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"a_{i}{j}", nonnegative=True))
    a_hat = sp.ImmutableMatrix(A + sp.eye(n))
    elementwise = NormalizedAdjacency(a_hat, Degree(a_hat, 1, "D", "A"), "A", "D").as_explicit()
    half = Degree(a_hat, sp.Rational(-1, 2), "D", "A").as_explicit()
    assert prove_equal(elementwise, half * a_hat * half).status == "proven"


def test_sigma_for_sigma_prime_is_rejected() -> None:
    def wrong(m=NB.M, n=NB.N):  # type: ignore[no-untyped-def]
        good = NB.delta(m, n)
        w, d_next, z = good.inputs
        d = TexMatrix("d", n, 1)
        rhs = sp.HadamardProduct(w.T * d_next, Apply(NM.TANH, z, "tanh"))
        return Notation(((d, rhs),), d, good.inputs)

    assert _rejected(wrong, B.delta, MN[1:])


def test_transposed_outer_product_is_rejected() -> None:
    def wrong(m=NB.M, n=NB.N):  # type: ignore[no-untyped-def]
        good = NB.weight_grad(m, n)
        d, a = good.inputs
        g = TexMatrix("G", m, n)
        return Notation(((g, a * d.T),), g, good.inputs)  # a δᵀ: n×m

    assert _rejected(wrong, B.weight_grad, [{"m": 3, "n": 3}])


def test_he_variance_for_xavier_is_rejected() -> None:
    def wrong():  # type: ignore[no-untyped-def]
        return Notation(((NB.VAR_W, 2 / B.n_in),), NB.VAR_W, {})

    assert _rejected(wrong, B.xavier, [{}])


def test_elementwise_is_apply_evaluated_once() -> None:
    x = TexMatrix("X", 2, 2)
    args = {"X": sp.Matrix(2, 2, sp.symbols("x0:4"))}
    for f in (NM.SIGMOID, NM.TANH, NM.RELU):
        one = Notation(((x, x),), Elementwise(f, x * x, "f"), {x: "X"})
        each = Notation(((x, x),), Apply(f, x * x, "f"), {x: "X"})
        assert instantiate(one, args) == instantiate(each, args)


# ----------------------------------------------------------------------------- printed


def test_lstm_prints_its_six_lines() -> None:
    text = notation_latex(NM.lstm_cell())
    assert text.count("&=") == 6
    assert r"\mathbf{f}_{t} &= \sigma\left(\mathbf{W}_{f} \left[\mathbf{h}_{t-1}, " in text
    assert r"\tilde{\mathbf{c}}_{t} &= \tanh\left(\mathbf{W}_{c}" in text
    assert (r"\mathbf{c}_{t} &= \mathbf{f}_{t} \odot \mathbf{c}_{t-1} + "
            r"\mathbf{i}_{t} \odot \tilde{\mathbf{c}}_{t}") in text
    assert text.endswith(r"\mathbf{h}_{t} &= \mathbf{o}_{t} \odot \tanh\left(\mathbf{c}_{t}\right)"
                         r"\end{aligned}")


def test_gcn_prints_the_normalisation_and_its_definitions() -> None:
    text = notation_latex(NM.gcn_layer())
    norm = r"\hat{\mathbf{D}}^{-1/2} \hat{\mathbf{A}} \hat{\mathbf{D}}^{-1/2}"
    assert text.count("&=") == 4
    assert r"\hat{\mathbf{A}} &= \mathbf{A} + \mathbf{I}" in text
    assert r"\operatorname{ReLU}\left(" + norm + r" \mathbf{H} \mathbf{W}\right)" in text
    assert r"\left(" + norm + r"\right)_{ij} &= \frac{\hat{A}_{ij}}{\sqrt{" in text
    assert r"\hat{D}_{ii} &= \sum_{j=1}^{N} \hat{A}_{ij}" in text


def test_single_line_displays() -> None:
    assert notation_latex(NM.convolution()) == (
        r"(f \ast g)_{t} = \sum_{\tau=\max\left(1, t - k + 1\right)}^{\min\left(n, t\right)} "
        r"f_{\tau} g_{t - \tau + 1}")
    assert notation_latex(NM.rnn_step()) == (
        r"\mathbf{h}_{t} = \tanh\left(\mathbf{W}_{h} \mathbf{h}_{t-1} + \mathbf{W}_{x} "
        r"\mathbf{x}_{t} + \mathbf{b}\right)")
    assert r"\right\rfloor + 1" in notation_latex(NM.output_size())
    assert r"\odot \sigma'\left(\mathbf{z}^{(l)}\right)" in notation_latex(NB.delta())
