"""Section 4 · Activations (value and derivative, each)."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Derivative,
    Domain,
    Entry,
    Gradient,
    Property,
    Section,
    check,
    forms,
    symbolic,
)

SECTION = Section(4, "activations", "Activations")
S = SECTION.slug

SCALAR = Domain(args=(Arg("x", low=-1000.0, high=1000.0, extremes=(0.0, -1000.0, 1000.0, 1e-8)),))
LOGITS = Domain(
    args=(Arg("z", ("n",), low=-1e4, high=1e4, extremes=(1e4, -1e4, 0.0)),),
    sizes={"n": (1, 8)},
)
INTEGER_LOGITS = Domain(args=(Arg("z", ("n",), -50, 50, kind="integer"),), sizes={"n": (1, 8)})

ELEMENTWISE = Budget(
    4,
    "exp ≤ 1 ulp, one add and one divide ≤ 0.5 ulp each, cond(σ) ≤ 1; rounded to 4",
    low_precision_ulps=2,
)
SOFTMAX = Budget(
    4,
    "exp 1 ulp; shift rounding adds ≤ |t|e^{-t}u ≤ u/e to each s_i; division 0.5 ulp; the "
    "sum of n terms adds ≤ (n − 1) ulp (recursive summation); norm-wise over the row",
    per_length=1,
    length="n",
    scale="row",
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="act.sigmoid",
        section=SECTION,
        title="Sigmoid",
        used_in="Gates (LSTM), binary output",
        **forms(S, "sigmoid"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_sigmoid_stated"), wrt="x"),
            Agreement(ELEMENTWISE),
            Gradient(("x",), Budget(8, "σ(1−σ) from a σ within 4 ulp: 2·4 ulp")),
            Property("range [0, 1]", check(S, "in_unit_interval"), 0, "σ maps into [0, 1]"),
        ),
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.softmax",
        section=SECTION,
        title="Softmax",
        used_in="Classification output, attention",
        **forms(S, "softmax"),
        domain=LOGITS,
        claims=(
            Derivative(symbolic(S, "d_softmax_stated"), wrt="z", sizes={"n": 3}),
            Agreement(SOFTMAX),
            Gradient(("z",), Budget(16, "Jacobian-vector product of a row-accurate softmax",
                                    per_length=2, length="n", scale="row")),
            Property("sums to 1", check(S, "sums_to_one"), 12,
                     "n ≤ 8 outputs, each within (n+2) ulp relative, sum in fp64"),
            Property("shift invariant", check(S, "shift_invariant"), 24,
                     "two softmaxes, each within the 4 + n ulp row budget", domain=INTEGER_LOGITS),
        ),
        signature="f(z) -> s, softmax over the last axis",
    ),
    Entry(
        id="act.log_softmax",
        section=SECTION,
        title="Log-softmax",
        used_in="Cross-entropy, language-model log-probabilities",
        **forms(S, "log_softmax"),
        domain=LOGITS,
        claims=(
            Agreement(Budget(4, "t − log Σe^t: the log of a sum in [1, n] has absolute error "
                             "≤ (n + 1)u, so measured against max(|y|, 1)", per_length=1,
                             length="n", scale="unit")),
            Gradient(("z",), Budget(16, "1 − softmax, norm-wise", per_length=2, length="n",
                                    scale="row")),
        ),
        signature="f(z) -> log s, over the last axis",
    ),
)
