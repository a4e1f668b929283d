"""Section 15 · Model-specific."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Domain,
    Entry,
    Gradient,
    Identity,
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    symbolic,
)

SECTION = Section(15, "models", "Model-specific")
S = SECTION.slug

UNIT = {"low": -1.0, "high": 1.0}
CONV = Domain(
    args=(
        Arg("f", ("n",), **UNIT, extremes=(1.0, -1.0, 0.0, 0.5)),
        Arg("g", ("k",), **UNIT, extremes=(0.5, 1.0, -1.0, 0.0)),
    ),
    sizes={"n": (1, 5), "k": (1, 4)},
)
SIZES = Domain(
    args=(
        Arg("n", low=1, high=512, kind="integer", extremes=(32.0, 224.0, 7.0)),
        Arg("k", low=1, high=11, kind="integer", extremes=(3.0, 7.0, 2.0)),
        Arg("p", low=0, high=5, kind="integer", extremes=(1.0, 3.0, 0.0)),
        Arg("s", low=1, high=4, kind="integer", extremes=(1.0, 2.0, 3.0)),
    )
)
RNN = Domain(
    args=(
        Arg("h", ("H",), **UNIT),
        Arg("x", ("D",), **UNIT),
        Arg("W_h", ("H", "H"), **UNIT),
        Arg("W_x", ("H", "D"), **UNIT),
        Arg("b", ("H",), **UNIT),
    ),
    # H ≥ 2: the engine reads a 1×1 SymPy matrix (W_h at H = 1) as a vector (see the report).
    sizes={"H": (2, 3), "D": (1, 3)},
)
LSTM = Domain(
    args=(
        Arg("x", ("D",), **UNIT),
        Arg("h", ("H",), **UNIT),
        Arg("c", ("H",), **UNIT),
        Arg("W", (4, 3), **UNIT),
        Arg("b", (4,), **UNIT),
    ),
    # Shapes cannot say 4H or H + D, so the agreement runs at H = 1, D = 2 (W is 4×3: one
    # row per gate, in order; the oracle's cost grows fast with H); the torch-layer check
    # runs at D = 4, H = 6.
    sizes={"H": (1, 1), "D": (2, 2)},
)
GCN = Domain(
    args=(
        Arg("A", ("N", "N"), kind="binary"),
        Arg("H", ("N", "F"), **UNIT),
        Arg("W", ("F", "G"), **UNIT),
    ),
    # G ≥ 2: the engine reads an N×1 SymPy matrix as a length-N vector (see the report).
    sizes={"N": (1, 3), "F": (1, 2), "G": (2, 2)},
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="cnn.convolution",
        section=SECTION,
        title="Discrete convolution (f ∗ g)(t) = Σ_τ f(τ) g(t − τ)",
        used_in="CNNs (which compute cross-correlation, see notes)",
        **forms(S, "convolution"),
        notation=notation(S, "convolution"),
        domain=CONV,
        claims=(
            Identity(
                "commutative: f ∗ g = g ∗ f",
                symbolic(S, "convolution_commutes"),
                sizes={"n": 3, "k": 2},
            ),
            Identity(
                "f ∗ g = padded f ⋆ flip(g) (cross-correlation with a flipped kernel)",
                symbolic(S, "convolution_is_flipped_cross_correlation"),
                sizes={"n": 4, "k": 3},
            ),
            Agreement(
                Budget(
                    1,
                    "each output is a dot product of ≤ k terms in [−1, 1]: γ_k·k ≤ "
                    "k²u = k²/2 ulp of 1 ≤ 2k for k ≤ 4",
                    per_length=2,
                    length="k",
                    scale="unit",
                )
            ),
            Gradient(
                ("f", "g"),
                Budget(
                    1,
                    "the adjoint is again a correlation of ≤ n + k terms "
                    "with |v| ≲ 4: as the value, with n",
                    per_length=4,
                    length="n",
                    scale="unit",
                ),
            ),
            Check(
                "torch conv1d computes cross-correlation: equal only with a flipped kernel",
                check_fn(S, "conv_layers_cross_correlate"),
            ),
        ),
        notes="The cheatsheet's (f∗g)(t) = Σ f(τ)g(t−τ) is a true convolution (kernel flipped). "
        "nn.Conv1d/Conv2d compute cross-correlation Σ_j x(t+j)w(j); for learned kernels the "
        "difference is a relabelling of the weights, but formulas and hand-set kernels "
        "(Sobel, Gaussian derivative) change sign/direction. Full mode: length n + k − 1.",
        variants=(
            Variant("cross-correlation (conv layers)",
                    "Σ_j f(t + j − (k − 1)) g(j), the kernel not flipped: nn.Conv1d / "
                    "F.conv1d(f, g, padding=k − 1), and every deep-learning 'conv' layer",
                    **forms(S, "cross_correlation")),
        ),
        signature="f(f[n], g[k]) -> (f ∗ g)[n + k − 1]",
    ),
    Entry(
        id="cnn.output_size",
        section=SECTION,
        title="Convolution output size ⌊(n + 2p − k)/s⌋ + 1",
        used_in="Sizing CNN layers",
        **forms(S, "output_size"),
        notation=notation(S, "output_size"),
        domain=SIZES,
        claims=(
            Agreement(
                Budget(
                    0,
                    "integer arithmetic on exactly representable integers and an "
                    "exact floor division: exact",
                ),
                dtypes=("float64", "float32"),
            ),
            Check(
                "matches nn.Conv1d/Conv2d/MaxPool1d shapes over generated (n, k, p, s, d)",
                check_fn(S, "output_size_vs_torch"),
            ),
        ),
        notes="Holds for dilation 1 and floor mode. With dilation d replace k by d(k − 1) + 1 "
        "(checked); pooling with ceil_mode=True uses ⌈·⌉. Only float64/float32: above 256 "
        "(bfloat16) or 2048 (float16) integers are not all representable.",
        signature="f(n, k, p, s) -> output length, elementwise",
    ),
    Entry(
        id="rnn.step",
        section=SECTION,
        title="RNN step h_t = tanh(W_h h_{t−1} + W_x x_t + b)",
        used_in="Recurrent networks",
        **forms(S, "rnn_step"),
        notation=notation(S, "rnn_step"),
        domain=RNN,
        claims=(
            Agreement(
                Budget(
                    26,
                    "pre-activation: H + D + 1 ≤ 7 terms in [−1, 1], |error| ≤ "
                    "γ_7·7 ≤ 49u = 24.5 ulp of 1; tanh′ ≤ 1 and tanh itself ≤ 1 ulp",
                    scale="unit",
                )
            ),
            Gradient(
                ("h", "x", "W_h"),
                Budget(
                    32,
                    "(1 − h²)-weighted adjoints of the same "
                    "≤ 7-term products, |v| ≲ 4: as the value",
                    scale="unit",
                ),
            ),
            Check(
                "20 steps = torch.nn.RNNCell with copied weights",
                check_fn(S, "rnn_vs_torch"),
                per="combination",
                dtypes=("float64", "float32"),
            ),
        ),
        notes="torch.nn.RNNCell carries two biases b_ih + b_hh; only their sum is identified.",
        signature="f(h[H], x[D], W_h[H,H], W_x[H,D], b[H]) -> h_t[H]",
    ),
    Entry(
        id="lstm.cell",
        section=SECTION,
        title="LSTM cell (forget, input, candidate, output gates; cell and hidden state)",
        used_in="Recurrent networks",
        **forms(S, "lstm_cell"),
        notation=notation(S, "lstm_cell"),
        domain=LSTM,
        claims=(
            Agreement(
                Budget(
                    24,
                    "gate pre-activations: H + D + 1 = 4 terms in [−1, 1], ≤ γ_4·4 "
                    "≤ 16u; σ′ ≤ ¼ and tanh′ ≤ 1 carry that into f, i, o (≤ 5u) and c̃ "
                    "(≤ 17u); c_t = f·c + i·c̃ adds ≤ 29u, h_t = o·tanh(c_t) ≤ 36u; "
                    "with slack for the sigmoid/tanh roundings: 24 ulp of 1",
                    scale="unit",
                )
            ),
            Gradient(
                ("x", "h", "c"),
                Budget(
                    96, "the adjoints of the same chain, |v| ≲ 4: twice the value's", scale="unit"
                ),
            ),
            Check(
                "20 steps = torch.nn.LSTMCell with copied, reordered weights",
                check_fn(S, "lstm_vs_torch"),
                per="combination",
                dtypes=("float64", "float32"),
            ),
        ),
        notes="W stacks the gate blocks in the cheatsheet's order [f; i; c̃; o], acting on "
        "[h_{t−1}; x_t]; the output is [h_t; c_t]. torch.nn.LSTMCell orders gates "
        "[i; f; g; o], splits W into weight_ih (x) and weight_hh (h) and has two biases.",
        signature="f(x[D], h[H], c[H], W[4H, H+D], b[4H]) -> [h_t; c_t][2H]",
    ),
    Entry(
        id="gcn.layer",
        section=SECTION,
        title="Graph convolution H′ = σ(D̂^{−1/2} Â D̂^{−1/2} H W)",
        used_in="Graph neural networks",
        **forms(S, "gcn_layer"),
        notation=notation(S, "gcn_layer"),
        domain=GCN,
        claims=(
            Agreement(
                Budget(
                    16,
                    "HW: F ≤ 2 terms in [−1, 1] (≤ 4u); the normalised weights "
                    "Â_ij/√(d̂_i d̂_j) within 2u each, with row sums ≤ √(N + 1); N ≤ 3 "
                    "more terms: ≤ (F + N + 3)·u·F·√(N + 1) ≤ 32u = 16 ulp of 1; ReLU "
                    "is exact",
                    scale="unit",
                )
            ),
            Check("= per-edge message passing (index_add)", check_fn(S, "gcn_message_passing")),
            Check(
                "normalised spectrum in (−1, 1], eigenvalue 1 at D̂^{1/2}𝟙",
                check_fn(S, "gcn_normalisation"),
            ),
        ),
        notes="σ = ReLU here (Kipf & Welling); D̂ is the row-degree matrix of Â = A + I. For a "
        "directed A the symmetric normalisation is still defined but its spectrum is not "
        "bounded by 1.",
        signature="f(A[N,N], H[N,F], W[F,G]) -> H′[N,G]",
    ),
)
