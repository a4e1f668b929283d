"""Section 7 · Normalization."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Derivative,
    Domain,
    Entry,
    Gradient,
    Property,
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    spanning,
    symbolic,
)

SECTION = Section(7, "normalization", "Normalization")
S = SECTION.slug

EPS = {"eps": 1e-5}
EPS_RANGE = {"eps": (1e-12, 1e-3)}  # from fp64-tiny ε to the large ones some models use
AFFINE = (Arg("gamma", ("n",), -2.0, 2.0), Arg("beta", ("n",), -2.0, 2.0))
FEATURES = Domain(
    args=(Arg("x", ("n",), -10.0, 10.0, extremes=(10.0, -10.0, 0.0, 1e-3)), *AFFINE),
    sizes={"n": (1, 5)},
    params=EPS,
    ranges=EPS_RANGE,
)
INTEGER_FEATURES = Domain(args=(Arg("x", ("n",), -50, 50, kind="integer"), *AFFINE),
                          sizes={"n": (1, 5)}, params=EPS)
BATCH = Domain(
    args=(Arg("x", ("m", "n"), -10.0, 10.0, extremes=(10.0, -10.0, 0.0, 1e-3)), *AFFINE),
    sizes={"m": (1, 4), "n": (2, 2)},
    params=EPS,
    ranges=EPS_RANGE,
)
# Gradient domains: n = 3 (at n = 2 LayerNorm is constant up to ε, so its Jacobian is pure
# cancellation) and ε = 1e-3 so that even an all-equal row varies on a scale (√ε ≈ 0.03) that
# fp64 central differences with step 6e-6 resolve to 1e-6.
GRAD_EPS = {"eps": 1e-3}
GRAD_FEATURES = Domain(args=(Arg("x", ("n",), -50, 50, kind="integer"), *AFFINE),
                       sizes={"n": (3, 3)}, params=GRAD_EPS)
GRAD_BATCH = Domain(args=(Arg("x", ("m", "n"), -50, 50, kind="integer"), *AFFINE),
                    sizes={"m": (3, 3), "n": (2, 2)}, params=GRAD_EPS)
GRAD_RMS = Domain(args=(Arg("x", ("n",), -50, 50, kind="integer"), Arg("gamma", ("n",), -2.0, 2.0)),
                  sizes={"n": (3, 3)}, params=GRAD_EPS)
INTEGER_BATCH = Domain(args=(Arg("x", ("m", "n"), -50, 50, kind="integer"), *AFFINE),
                       sizes={"m": (1, 4), "n": (2, 2)}, params=EPS)
RMS = Domain(
    args=(Arg("x", ("n",), -10.0, 10.0, extremes=(10.0, -10.0, 0.0, 1e-3)),
          Arg("gamma", ("n",), -2.0, 2.0)),
    sizes={"n": (1, 5)},
    params={"eps": 1e-6},
    ranges=EPS_RANGE,
)
INTEGER_RMS = Domain(args=(Arg("x", ("n",), -50, 50, kind="integer"),
                           Arg("gamma", ("n",), -2.0, 2.0)),
                     sizes={"n": (1, 5)}, params={"eps": 1e-6})

LOW = ("fp16/bf16: statistics and normalisation in fp32, one final rounding: 0.5 ulp, "
       "rounded to 1")
NORMALIZE = Budget(
    20,
    "x̂ = d/√(σ² + ε) over n ≤ 5 values (features for LayerNorm, the batch for BatchNorm): "
    "d = (x − μ) − mean(x − μ) (corrected two-pass) within 2u·max|d|, σ² within (n + 1)u, "
    "√(σ² + ε) within (n/2 + 3)u, the division u; |x̂_i| ≤ √(n − 1), so |Δx̂| ≤ "
    "√n(n/2 + 6)u ≤ 19u (u = ulp(1)/2); γx̂ + β with |γ| ≤ 2 doubles it and adds 2 roundings: "
    "≤ 40u = 20 ulp of max(|y|, 1). " + LOW,
    scale="unit",
    low_precision_ulps=1,
)
RMS_BUDGET = Budget(
    16,
    "mean(x²) within (n + 1)u, the square root (n/2 + 2)u, the division u: x̂ within "
    "(n/2 + 4)u·|x̂|, |x̂| ≤ √n; γx̂ with |γ| ≤ 2 plus one rounding: ≤ 2√n(n/2 + 4)u + u "
    "≤ 30u = 15 ulp of max(|y|, 1) at n ≤ 5, rounded to 16. " + LOW,
    scale="unit",
    low_precision_ulps=1,
)
GEMMA_BUDGET = Budget(
    24,
    "x̂ within (n/2 + 4)u·|x̂| as for RMSNorm, |x̂| ≤ √n; 1 + γ rounds once (u relative) and "
    "|1 + γ| ≤ 3 for |γ| ≤ 2; the product one rounding: ≤ 3√n(n/2 + 4)u + 2u ≤ 46u = 23 ulp "
    "of max(|y|, 1) at n ≤ 5, rounded to 24. " + LOW,
    scale="unit",
    low_precision_ulps=1,
)
CAST_BEFORE_WEIGHT = Budget(
    16,
    RMS_BUDGET.why.removesuffix(LOW) + "fp16/bf16: x̂ from fp32 statistics rounded to the "
    "dtype (u·|x̂|, so u·|y| after γ), then γ·x̂ rounded in the dtype (u·|y|), plus fp32's "
    "≤ 30·2⁻²⁴ relative: ≤ 2.01u·|y| < 2.01 ulp of max(|y|, 1) (u|y| < 1 ulp), rounded to 2.5",
    scale="unit",
    low_precision_ulps=2.5,
)
GRADIENT = Budget(
    40,
    "the backward pass re-uses x̂ (≤ 18 ulp) in two inner products over n = 3 values and a "
    "division by √(σ² + ε): twice the forward budget, norm-wise over the row",
    scale="row",
)
XHAT_WHY = ("pre-affine x̂ within 19u = 9.5 eps (the budget above with γ = 1, β = 0): the "
            "mean errs by ≤ 9.5 eps, the variance by ≤ 2·RMS(x̂)·9.5 ≤ 19 eps; rounded to 20")
SHIFT_WHY = "two pre-affine normalisations, each within 9.5 eps; rounded to 20"
LOW_NOTE = ("Torch and NumPy forms accumulate fp16/bf16 statistics in fp32 and round the "
            "output once (as fused framework kernels do); the low-precision budget is 1 ulp. ")

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="norm.batch_norm",
        section=SECTION,
        title="Batch normalization",
        used_in="CNNs",
        **forms(S, "batch_norm"),
        notation=notation(S, "batch_norm"),
        domain=BATCH,
        claims=(
            Agreement(NORMALIZE),
            Gradient(("x",), GRADIENT, domain=GRAD_BATCH),
            Property("pre-affine mean 0, variance σ²/(σ² + ε) per feature",
                     check_fn(S, "standardized_batch"), 20, XHAT_WHY),
            Property("shift invariant per feature", check_fn(S, "shift_invariant_batch"), 20,
                     SHIFT_WHY, domain=INTEGER_BATCH),
            Check("matches torch F.batch_norm (training mode)",
                  check_fn(S, "matches_torch_batch_norm"),
                  per="combination", dtypes=("float64", "float32", "float16", "bfloat16")),
        ),
        notes=LOW_NOTE + "Training mode: statistics over the batch (axis −2 of x: m samples × n "
        "features), biased variance inside the normalisation. Running statistics (inference) "
        "are not part of the form; torch updates running_var with the unbiased variance "
        "(checked against F.batch_norm).",
        variants=(
            Variant("unbiased running variance",
                    "torch/Keras track running_var with the unbiased batch variance "
                    "(·m/(m − 1)) while normalising with the biased one: a separate statistic, "
                    "not the forward output (no form; see the torch pack's BatchNorm1d job)"),
        ),
        signature="f(x[..., m, n], gamma[n], beta[n], *, eps) -> y[..., m, n]",
    ),
    Entry(
        id="norm.layer_norm",
        section=SECTION,
        title="Layer normalization",
        used_in="Original Transformer, BERT",
        **forms(S, "layer_norm"),
        notation=notation(S, "layer_norm"),
        domain=FEATURES,
        claims=(
            Derivative(symbolic(S, "d_layer_norm_stated"), wrt="x", sizes={"n": 3}),
            Agreement(NORMALIZE, domain=spanning(FEATURES, "x")),
            Gradient(("x", "gamma"), GRADIENT, domain=GRAD_FEATURES),
            Property("pre-affine mean 0, variance σ²/(σ² + ε)",
                     check_fn(S, "standardized_features"),
                     20, XHAT_WHY),
            Property("shift invariant", check_fn(S, "shift_invariant"), 20, SHIFT_WHY,
                     domain=INTEGER_FEATURES),
            Property("scale invariant (ε scaled by a²)", check_fn(S, "scale_invariant"), 2,
                     "scaling by a power of two is exact, so x̂ should agree bit for bit; 2 eps "
                     "allows a reordered sum", domain=INTEGER_FEATURES),
            Check("matches torch F.layer_norm", check_fn(S, "matches_torch_layer_norm"),
                  per="combination", dtypes=("float64", "float32", "float16", "bfloat16")),
        ),
        notes=LOW_NOTE + "Biased variance (divide by n), ε inside the square root — the "
        "convention of torch.nn.LayerNorm. With ε > 0 scale invariance holds exactly when ε "
        "is scaled by a² along with the input; shift invariance holds exactly.",
        signature="f(x[..., n], gamma[n], beta[n], *, eps) -> y[..., n]",
    ),
    Entry(
        id="norm.rms_norm",
        section=SECTION,
        title="RMSNorm",
        used_in="LLaMA, modern LLMs",
        **forms(S, "rms_norm"),
        notation=notation(S, "rms_norm"),
        domain=RMS,
        claims=(
            Derivative(symbolic(S, "d_rms_norm_stated"), wrt="x", sizes={"n": 3}),
            Agreement(RMS_BUDGET, domain=spanning(RMS, "x")),
            Gradient(("x", "gamma"), GRADIENT, domain=GRAD_RMS),
            Property("pre-affine RMS √(m/(m + ε)) ≈ 1", check_fn(S, "unit_rms"), 4,
                     "RMS(x̂) inherits x̂'s relative error (n/2 + 4)u ≤ 6.5u = 3.25 eps"),
            Property("scale invariant (ε scaled by a²)", check_fn(S, "scale_invariant"), 2,
                     "scaling by a power of two is exact; 2 eps allows a reordered sum",
                     domain=INTEGER_RMS),
            Check("matches torch F.rms_norm", check_fn(S, "matches_torch_rms_norm"),
                  per="combination", dtypes=("float64", "float32", "float16", "bfloat16")),
        ),
        notes=LOW_NOTE + "RMS(x) = √(mean(x²) + ε): no mean subtraction, no β (so not shift "
        "invariant). x² overflows beyond |x| ≈ 1e154 in fp64 and 1e19 in fp32 (fp16/bf16 are "
        "computed in fp32).",
        variants=(
            Variant("cast before weight (LLaMA)",
                    "normalise in fp32, cast to the input dtype, then multiply by γ (Hugging "
                    "Face LlamaRMSNorm): the same function, rounded twice in fp16/bf16; judged "
                    "against the oracle with a 2-ulp low-precision budget, so fp16 "
                    "arithmetic throughout (x² in fp16) is not taken for it",
                    **forms(S, "rms_norm_cast_before_weight"),
                    budget=CAST_BEFORE_WEIGHT),
            Variant("Gemma (1 + γ)",
                    "(1 + γ)·x/RMS(x): the weight stored as an offset from 1 (Gemma's "
                    "RMSNorm, zero-initialised), multiplied in fp32 and cast after",
                    **forms(S, "rms_norm_gemma"), budget=GEMMA_BUDGET),
        ),
        signature="f(x[..., n], gamma[n], *, eps) -> y[..., n]",
    ),
)
