"""Section 4 · Activations (value and derivative, each)."""

import math
from typing import Any

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Claim,
    Derivative,
    Domain,
    Entry,
    Gradient,
    Identity,
    Kink,
    Property,
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    spanning,
    symbolic,
)
from mathcheck.formulas._reference import Reference

SECTION = Section(4, "activations", "Activations")
#: the budget of a comparison of two implementations, each within its own budget
SUM_OF_BOTH = "each within its own budget of the exact value, so within their sum of each other"
S = SECTION.slug

SCALAR_EXTREMES = (0.0, -1000.0, 1000.0, 1e-8, -1e-8)
# The whole line: each dtype's range is the limit (16-bit formats: every value, ±∞ and NaN).
SCALAR = Domain(args=(Arg("x", low=-math.inf, high=math.inf, extremes=SCALAR_EXTREMES),))
LEAKY = Domain(args=SCALAR.args, params={"alpha": 0.01}, ranges={"alpha": (1e-3, 0.5)})
# Gradients against fp64 central differences: those lose all meaning once x·h overflows.
BOUNDED = Domain(args=(Arg("x", low=-1000.0, high=1000.0, extremes=SCALAR_EXTREMES),))
# Gradients of the piecewise-linear maps are checked on each side of the kink at 0, where
# central differences are meaningless (the one-sided derivatives differ).
POSITIVE = Arg("x", low=1e-3, high=1000.0, extremes=(1e-3, 1.0, 1000.0))
NEGATIVE = Arg("x", low=-1000.0, high=-1e-3, extremes=(-1e-3, -1.0, -1000.0))
LOGITS = Domain(
    args=(Arg("z", ("n",), low=-1e4, high=1e4, extremes=(1e4, -1e4, 0.0)),),
    sizes={"n": (1, 8)},
)
# Gradients of probabilities below e^-60 lose relative accuracy (see act.softmax notes).
MODERATE_LOGITS = Domain(args=(Arg("z", ("n",), -30.0, 30.0),), sizes={"n": (1, 8)})
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

EXACT = Budget(
    0.5,
    "max(0, x) selects an input: exact (0 ulp; stated as correctly rounded, 0.5 ulp)",
)
LEAKY_BUDGET = Budget(
    1,
    "x for x > 0 is exact; α·x for x ≤ 0 is one product with α rounded to the dtype "
    "(≤ 0.5 ulp + 0.5 ulp)",
)
PASS_THROUGH = Budget(1, "autograd passes the cotangent through (exact) or scales it by α "
                         "(α rounded ≤ 0.5 ulp, product ≤ 0.5 ulp)")
GELU_MIXED = Budget(
    4,
    "mixed absolute/relative error, in ulps of max(|y|, 1): in the left tail x·Φ(x) has "
    "condition ≈ x² with respect to the rounding of the inner argument (x/√2, 1.702x or the "
    "cubic), so no fixed-precision form is relatively accurate there; elsewhere the special "
    "function (erfc / exp / tanh) ≤ 1 ulp, the argument 0.5 ulp amplified ≤ 1, two products "
    "0.5 ulp each; rounded up to 4. In fp16/bf16 the special function is evaluated in fp32 "
    "and each of the ≤ 3 roundings to the dtype is ≤ 0.5 ulp of a value ≤ max(|y|, 1): 2",
    scale="unit",
    low_precision_ulps=2,
)
GELU_GRADIENT = Budget(
    8,
    "Φ(x) + x·φ(x) (or its approximations) as autograd forms it: two terms each within the "
    "4-ulp value budget, measured against max(|g|, 1) for the same tail reason as the value",
    scale="unit",
)
SILU = Budget(
    4,
    "e^{-|x|/2} 0.5 ulp (used twice), two products and 1 + e^{-|x|} 0.5 ulp each, the "
    "division 0.5 ulp: ≤ 3.5 ulp relative (the numerator never passes through a subnormal)",
)
SILU_GRADIENT = Budget(
    8,
    "σ + x·σ(1 − σ) through autograd of the value form, each term within 4 ulp; measured "
    "against max(|g|, 1) because SiLU' crosses zero at x ≈ −1.278",
    scale="unit",
)
TANH = Budget(2, "libm/torch tanh is faithfully rounded (≤ 1 ulp); rounded up to 2",
              low_precision_ulps=1)
TANH_GRADIENT = Budget(
    4,
    "autograd forms (1 − y²)·v from the rounded y = tanh(x): absolute error ≤ 2u·y² + u, "
    "so measured against max(|g|, 1) (relative accuracy of 1 − tanh² is lost for |x| > 1)",
    scale="unit",
)


SOFTPLUS = Budget(
    6,
    "max(x, 0) + log1p(e^{−|x|}) (log-sigmoid: its negation at −x, exact): exp, which log1p "
    "passes on with condition t/((1 + t)·log1p t) ≤ 1, and log1p itself, each ≤ 2.5 ulp (libm "
    "and torch ≤ 1; NumPy's AVX-512 float32 loops measured up to 2.4 and 1.9); for x > 0 one "
    "add of two non-negative terms (no cancellation) ≤ 0.5 ulp: ≤ 5.5 ulp, rounded up to 6. "
    "In fp16/bf16 each of the three operations is computed in fp32 and rounded once (≤ 0.5 "
    "ulp each): 1.5, rounded up to 2",
    low_precision_ulps=2,
)
SOFTPLUS_GRADIENT = Budget(
    4,
    "autograd forms v·σ(x) as v·e/(1 + e) for x < 0, v − v·e/(1 + e) for x ≥ 0 (e = e^{−|x|}; "
    "the subtracted term is ≤ v/2, so no cancellation): exp 1 ulp, 1 + e, the division, the "
    "product and the difference 0.5 ulp each: ≤ 3 ulp, rounded up to 4",
)
ERF = Budget(
    4,
    "erf is well conditioned (x·erf′(x)/erf(x) ≤ 1) at an exact input, so the error is the "
    "kernel's: SciPy's (Cephes) erf documents 3.7e-16 peak relative error (≤ 3.4 ulp; measured "
    "2.5), torch's measured ≤ 0.72 ulp (fp64) and 0.67 (fp32); rounded up to 4. In fp16/bf16 "
    "both forms compute in fp32 and round once: 0.5 ulp + 2⁻¹³, stated as 1",
    low_precision_ulps=1,
)
ERF_GRADIENT = Budget(
    4,
    "autograd forms (2/√π)·e^{−x²}·v: the rounding of x² (0.5 ulp) enters exp with condition "
    "x², so relative accuracy is lost for |x| > 1 (x²·e^{−x²} ≤ 1/e bounds it absolutely); in "
    "ulps of max(|g|, 1): that term ≤ 0.4·|v|, exp 1 ulp and two products 0.5 ulp each: ≤ 3 "
    "for |v| ≤ 3, rounded up to 4",
    scale="unit",
)


def _two_outputs(budget: Budget, note: str = "") -> dict[str, Any]:
    """Tolerance and why of a property comparing f(x) with f(−x), relative to the larger
    output: each is within the agreement budget of a value no larger (an ulp is ≤ eps·|y|)."""
    return {"tolerance": 2 * budget.ulps,
            "why": f"f(x) and f(−x) each within the {budget.ulps:g}-ulp agreement budget of a "
                   f"value ≤ the larger output: ≤ {2 * budget.ulps:g} eps relative" + note}


def _relu_like(name: str, params: dict[str, float]) -> tuple[Claim, ...]:
    """Derivative, value and gradient claims shared by ReLU and leaky ReLU."""
    return (
        Derivative(symbolic(S, f"d_{name}_stated"), wrt="x"),
        Agreement(LEAKY_BUDGET if params else EXACT),
        Gradient(("x",), PASS_THROUGH, domain=Domain((POSITIVE,), params=params),
                 label="gradient (x > 0)"),
        Gradient(("x",), PASS_THROUGH, domain=Domain((NEGATIVE,), params=params),
                 label="gradient (x < 0)"),
    )


ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="act.relu",
        section=SECTION,
        title="ReLU",
        used_in="CNNs, default choice",
        **forms(S, "relu"),
        domain=SCALAR,
        claims=(
            *_relu_like("relu", {}),
            Reference("torch.relu", check_fn(S, "torch_relu"), 0, "both exact"),
        ),
        notes="The derivative at the kink x = 0 is taken as 0 (what torch.relu's backward "
        "returns); gradients are checked on each side of it.",
        signature="f(x) -> y, elementwise",
        kinks=(Kink(0.0, 0.0, "torch.relu and F.relu give 0 at 0 (so does where(x > 0, x, 0); "
                    "x·(x ≥ 0) and clamp_min(0) give 1, torch.maximum(x, 0) gives ½); JAX "
                    "documents ∇relu(0) = 0 for jax.nn.relu"),),
    ),
    Entry(
        id="act.leaky_relu",
        section=SECTION,
        title="Leaky ReLU",
        used_in="Avoids dead neurons",
        **forms(S, "leaky_relu"),
        domain=LEAKY,
        claims=(
            *_relu_like("leaky_relu", LEAKY.params),
            Reference("torch.nn.functional.leaky_relu", check_fn(S, "torch_leaky_relu"), 1,
                      "one product by α each: the same rounding"),
        ),
        notes="max(αx, x) equals the branch form only for 0 < α < 1; the forms use the branch. "
        "α = 0.01 is PyTorch's default negative slope.",
        signature="f(x, alpha=0.01) -> y, elementwise",
        kinks=(Kink(0.0, "alpha", "torch.nn.functional.leaky_relu gives negative_slope α at 0 "
                    "(run on CPU), as does the branch where(x > 0, x, αx)"),),
    ),
    Entry(
        id="act.gelu",
        section=SECTION,
        title="GELU (exact)",
        used_in="GPT, BERT, modern transformers",
        **forms(S, "gelu"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_gelu_stated"), wrt="x"),
            Agreement(GELU_MIXED),
            Gradient(("x",), GELU_GRADIENT, domain=BOUNDED),
            Reference("torch.nn.functional.gelu", check_fn(S, "torch_gelu"), 8, SUM_OF_BOTH),
        ),
        notes="Φ is computed as ½erfc(−x/√2): 1 + erf(x/√2) cancels to 0 for x < −8 (fp64). "
        "Accuracy is stated in ulps of max(|y|, 1): for x ≪ 0 the value is tiny and "
        "ill-conditioned (condition ≈ x²) with respect to the rounding of x/√2, so even a "
        "correctly rounded erfc gives only ~x²/2 ulps of relative accuracy there (measured: "
        "~900 ulp relative at x ≈ −35 in fp64); absolute error stays below 1 ulp of 1.",
        variants=(
            Variant("tanh", "½x(1 + tanh(√(2/π)(x + 0.044715x³))): PyTorch "
                    "approximate='tanh', the original GPT-2/BERT code (see act.gelu_tanh)",
                    **forms(S, "gelu_tanh")),
            Variant("sigmoid", "x·σ(1.702x), the cheatsheet's approximation (see "
                    "act.gelu_sigmoid)", **forms(S, "gelu_sigmoid")),
        ),
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.gelu_sigmoid",
        section=SECTION,
        title="GELU, sigmoid approximation x·σ(1.702x)",
        used_in="The cheatsheet's GELU ≈ x·σ(1.702x)",
        **forms(S, "gelu_sigmoid"),
        notation=notation(S, "gelu_sigmoid"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_gelu_sigmoid_stated"), wrt="x"),
            Agreement(GELU_MIXED),
            Gradient(("x",), GELU_GRADIENT, domain=BOUNDED),
            Check("max deviation from exact GELU", check_fn(S, "gelu_sigmoid_max_deviation")),
        ),
        notes="Largest deviation from exact GELU: |x·σ(1.702x) − x·Φ(x)| ≤ 0.02033, reached at "
        "x = ±2.2704 (the difference is even in x). Accuracy in ulps of max(|y|, 1), see act.gelu.",
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.gelu_tanh",
        section=SECTION,
        title="GELU, tanh approximation",
        used_in="GPT-2, BERT reference code; PyTorch gelu(approximate='tanh')",
        **forms(S, "gelu_tanh"),
        notation=notation(S, "gelu_tanh"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_gelu_tanh_stated"), wrt="x"),
            Agreement(GELU_MIXED),
            Gradient(("x",), GELU_GRADIENT, domain=BOUNDED),
            Check("max deviation from exact GELU", check_fn(S, "gelu_tanh_max_deviation")),
            Reference("torch.nn.functional.gelu(approximate='tanh')",
                      check_fn(S, "torch_gelu_tanh"),
                      8, SUM_OF_BOTH),
        ),
        notes="Computed as x·σ(2u) (1 + tanh u = 2σ(2u)), which does not cancel for u ≪ 0; the "
        "cubic is evaluated on x clipped to ±50, where σ(2u) is already exactly 0 or 1, so it "
        "never overflows (float16 overflows x³ from |x| > 40). Largest deviation from exact "
        "GELU: 4.732e-4 at x = ±2.6989. Accuracy in ulps of max(|y|, 1), see act.gelu.",
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.silu",
        section=SECTION,
        title="SiLU / Swish",
        used_in="LLaMA, modern LLMs",
        **forms(S, "silu"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_silu_stated"), wrt="x"),
            Agreement(SILU),
            Gradient(("x",), SILU_GRADIENT, domain=BOUNDED),
            Reference("torch.nn.functional.silu", check_fn(S, "torch_silu"), 8, SUM_OF_BOTH),
        ),
        notes="For x < 0 the numerator x·eˣ is formed as (x·e^{x/2})·e^{x/2}: eˣ alone is "
        "subnormal (and loses bits) while x·eˣ is still normal, e.g. fp32 x ∈ [−91.8, −87.4].",
        signature="f(x) -> y, elementwise",
    ),
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
            Gradient(("x",), Budget(8, "σ(1−σ) from a σ within 4 ulp: 2·4 ulp"), domain=BOUNDED),
            Property("range [0, 1]", check_fn(S, "in_unit_interval"), 0, "σ maps into [0, 1]"),
        ),
        notes="The Torch form takes −|x| as a branch, not abs(): autograd of abs() is 0 at "
        "x = 0, which made σ'(0) come out as 0 instead of 1/4.",
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.tanh",
        section=SECTION,
        title="Tanh",
        used_in="RNN hidden states",
        **forms(S, "tanh"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_tanh_stated"), wrt="x"),
            Identity("tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)", symbolic(S, "tanh_exp_identity")),
            Agreement(TANH),
            Gradient(("x",), TANH_GRADIENT, domain=BOUNDED),
            Property("range [−1, 1]", check_fn(S, "in_symmetric_unit_interval"), 0,
                     "tanh maps into [−1, 1]"),
            Reference("torch.tanh", check_fn(S, "torch_tanh"), 4, SUM_OF_BOTH),
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
            Agreement(SOFTMAX, domain=spanning(LOGITS)),
            Gradient(("z",), Budget(2, "s ⊙ (v − s·v): a dot product of n terms (n ulp) on top "
                                    "of s_i, whose relative error grows with the logit spread "
                                    "because exp has condition |t| at the rounded t = z_i − max z",
                                    per_length=1, length="n", scale="row", cond_arg="z",
                                    cond_kind="spread"), domain=MODERATE_LOGITS),
            Property("sums to 1", check_fn(S, "sums_to_one"), 12,
                     "n ≤ 8 outputs, each within (n+2) ulp relative, sum in fp64"),
            Property("shift invariant", check_fn(S, "shift_invariant"), 24,
                     "two softmaxes, each within the 4 + n ulp row budget", domain=INTEGER_LOGITS),
        ),
        signature="f(z) -> s, softmax over the last axis",
        notes="The gradient is checked for logit gaps up to 60. Beyond that the backward pass "
        "of the max-shifted form loses relative accuracy on the tiny probabilities: measured "
        "1.5e3 ulp (fp64) at z = [91, 0], where those gradient entries are ~5e-40; the absolute "
        "error stays below u·|v|.",
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
                             length="n", scale="unit"), domain=spanning(LOGITS)),
            Gradient(("z",), Budget(16, "1 − softmax, norm-wise", per_length=2, length="n",
                                    scale="row")),
        ),
        signature="f(z) -> log s, over the last axis",
    ),
    Entry(
        id="act.softplus",
        section=SECTION,
        title="Softplus",
        used_in="Smooth ReLU; positive outputs (variances, rates); BCE-with-logits, DPO losses",
        **forms(S, "softplus"),
        notation=notation(S, "softplus"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_softplus_stated"), wrt="x"),
            Identity("softplus(x) = log(1 + eˣ)", symbolic(S, "softplus_log_identity")),
            Identity("softplus(x) − softplus(−x) = x", symbolic(S, "softplus_odd_part_identity")),
            Agreement(SOFTPLUS),
            Gradient(("x",), SOFTPLUS_GRADIENT, domain=BOUNDED),
            Property("softplus(x) − softplus(−x) = x", check_fn(S, "softplus_odd_part"),
                     **_two_outputs(SOFTPLUS)),
            Property("softplus ≥ 0", check_fn(S, "non_negative"), 0,
                     "both terms are ≥ 0 and every rounding keeps them so"),
        ),
        notes="Computed as max(x, 0) + log1p(e^{−|x|}): log(1 + eˣ) overflows for x > 88.7 "
        "(fp32), > 11.1 (fp16), and log1p keeps the relative accuracy of eˣ for x ≪ 0. The Torch "
        "form takes max(x, 0) and −|x| as branches on the same test x ≥ 0, so autograd gives "
        "σ(0) = ½ (abs() would give 1).",
        variants=(
            Variant("threshold (torch)", "F.softplus(x, beta=1, threshold=20): x itself for "
                    "βx > threshold, else log1p(e^{βx})/β; at β = 1 it drops log1p(e^{−x}) ≤ "
                    "2.1·10⁻⁹ for x > 20: below an ulp of x in fp32 and lower, up to ~6·10⁵ "
                    "ulp in fp64", **forms(S, "softplus_threshold")),
        ),
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.log_sigmoid",
        section=SECTION,
        title="Log-sigmoid",
        used_in="Binary log-likelihoods, DPO/RLHF losses, negative sampling (word2vec)",
        **forms(S, "log_sigmoid"),
        notation=notation(S, "log_sigmoid"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_log_sigmoid_stated"), wrt="x"),
            Identity("log σ(x) = −softplus(−x)", symbolic(S, "log_sigmoid_identity")),
            Agreement(SOFTPLUS),
            Gradient(("x",), SOFTPLUS_GRADIENT, domain=BOUNDED),
            Property("log σ ≤ 0", check_fn(S, "non_positive"), 0,
                     "−softplus(−x), and softplus ≥ 0 holds exactly"),
        ),
        notes="Computed as −softplus(−x) = min(x, 0) − log1p(e^{−|x|}), bit for bit: log(σ(x)) "
        "gives −∞ once σ(x) underflows (x < −103.3 in fp32) and loses all relative accuracy "
        "for x > 16.6 (fp32), where σ(x) rounds to 1 while log σ(x) ≈ −e^{−x} is still normal.",
        signature="f(x) -> y, elementwise",
    ),
    Entry(
        id="act.erf",
        section=SECTION,
        title="Error function",
        used_in="Exact GELU: Φ(x) = ½(1 + erf(x/√2)); normal CDFs",
        **forms(S, "erf"),
        notation=notation(S, "erf"),
        domain=SCALAR,
        claims=(
            Derivative(symbolic(S, "d_erf_stated"), wrt="x"),
            Identity("erf(−x) = −erf(x)", symbolic(S, "erf_odd_identity")),
            Agreement(ERF),
            Gradient(("x",), ERF_GRADIENT, domain=BOUNDED),
            Property("odd", check_fn(S, "odd"), **_two_outputs(
                ERF, " (SciPy's and torch's kernels are odd bit for bit)")),
            Property("range [−1, 1]", check_fn(S, "in_symmetric_unit_interval"), 0,
                     "erf maps into [−1, 1]; the kernels round to ±1 at most"),
        ),
        notes="The special function under exact GELU, kept with the activations that use it "
        "(act.gelu computes Φ from erfc, which keeps the left tail: 1 + erf(x/√2) cancels for "
        "x < −8). The NumPy form is SciPy's erf and the Torch form torch.special.erf, as "
        "act.gelu uses their erfc; the claims check those kernels against the oracle. The Torch "
        "form computes fp16/bf16 in fp32 and rounds once: torch's own half and bfloat16 CPU "
        "kernels are accurate only absolutely (4.7 ulp at x = 8.3e-5 in fp16; 0 instead of "
        "1.25e-20 at x = 1.1e-20 in bf16).",
        signature="f(x) -> y, elementwise",
    ),
)
