"""Section 6 · Optimization.

Optimizers are step functions, state in and state out: the new state comes back stacked on
axis −2 (θ' first, then the buffers in argument order). A single step is checked against the
oracle on generated states; the step is then iterated for many steps on four objectives
against the exact (50-digit) recurrence, and against torch.optim.
"""

from mathcheck.formulas._model import (
    ABS_AT_ZERO,
    Agreement,
    Arg,
    Budget,
    Check,
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

SECTION = Section(6, "optimization", "Optimization")
S = SECTION.slug

LOW = "fp16/bf16: computed in fp32 and rounded once: 0.5 ulp, rounded to 1"
SIZES = {"n": (1, 8)}
# Stacked states are k×n matrices; the engine reads a k×1 matrix as a length-k vector, so n ≥ 2.
STATE_SIZES = {"n": (2, 5)}
ADAM_PARAMS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "t": 10.0}
ADAM_RANGES = {"lr": (1e-5, 0.1), "beta1": (0.5, 0.99), "beta2": (0.9, 0.9999),
               "eps": (1e-12, 1e-6)}
ADAM_ARGS = (
    Arg("theta", ("n",), -1.0, 1.0, extremes=(1.0, -1.0, 0.0)),
    Arg("m", ("n",), -1.0, 1.0, extremes=(0.0, 1.0, -1.0)),
    Arg("v", ("n",), 0.0, 1.0, extremes=(0.0, 1.0, 1e-6)),
    Arg("g", ("n",), -1.0, 1.0, extremes=(0.0, -1.0, 1.0)),
)

GD_BUDGET = Budget(
    2,
    "ηg rounds twice (η itself and the product) to ≤ u|ηg| ≤ u with |ηg| ≤ 1, the subtraction "
    "adds u|θ'|: ≤ 2u·max(|θ'|, 1) = 1 ulp of max(|θ'|, 1), rounded to 2. " + LOW,
    scale="unit", low_precision_ulps=1,
)
MOMENTUM_BUDGET = Budget(
    4,
    "v' = γv + ηg: four roundings on terms ≤ 1 and a sum ≤ 2: ≤ 4u; θ' = θ − v' adds u|θ'|: "
    "≤ 5u·max(|y|, 1) ≤ 2.5 ulp of max(|y|, 1), rounded to 4. " + LOW,
    scale="unit", low_precision_ulps=1,
)
ADAM_BUDGET = Budget(
    8,
    "m', v' within 2u of terms ≤ 1; m̂/(√v̂ + ε) within ~6u (β^t and the bias corrections, the "
    "square root, the division; a cancelling m' needs |g| ≈ 9|m|, which keeps √v̂ ≥ 0.5|g|, so "
    "its absolute error stays ≤ 3u of the direction); θ − η·d adds u|θ'|: with |θ| ≤ 1 all "
    "terms are ≤ 7u·max(|y|, 1) = 3.5 ulp, doubled for the λθ term of AdamW and rounded to "
    "8. " + LOW,
    scale="unit", low_precision_ulps=1,
)
SCHEDULE_BUDGET = Budget(
    8,
    "angle π(T − t)/(2T): T − t exact (integers), a division and a product by the rounded "
    "π/2: ≤ 1.5u relative; sin/cos add 1 ulp and inherit ≤ 1.5u (|x cot x| ≤ 1); squaring "
    "doubles: ≤ 5.5u; η_max·sin² + η_min·cos² adds 1.5u (the η rounded to the dtype, the "
    "product, the sum of two positive terms): ≤ 7u, rounded to 8. The sin² form avoids the "
    "cancellation of 1 + cos near t = T. " + LOW,
    low_precision_ulps=1,
)
PENALTY_BUDGET = Budget(
    10,
    "a sum of n ≤ 8 non-negative terms (recursive summation ≤ (n − 1)u), each one rounding, "
    "then λ (rounded) times it: ≤ (n + 1)u ≤ 9u relative, rounded to 10. " + LOW,
    low_precision_ulps=1,
)

SCHEDULE_DOMAIN_ARGS = (Arg("t", (), 0, 250, kind="integer", extremes=(0, 1, 20, 199, 200, 250)),)
CONVEXITY_REASON = ("Convexity is a property of a function, not a computation: it is checked "
                    "on named losses (Jensen at 50 digits) and refuted exactly on a non-convex "
                    "one.")

CLIP = Domain(args=(Arg("g", ("n",), -10.0, 10.0, extremes=(0.0, 10.0, -10.0, 1e-3)),),
              sizes=SIZES, params={"max_norm": 5.0}, ranges={"max_norm": (0.01, 100.0)})

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="opt.gd",
        section=SECTION,
        title="Gradient descent step",
        used_in="Every optimizer",
        **forms(S, "gd"),
        notation=notation(S, "gd"),
        domain=Domain(args=(Arg("theta", ("n",), extremes=(10.0, -10.0, 0.0)),
                            Arg("g", ("n",), extremes=(10.0, -10.0, 0.0))),
                      sizes=SIZES, params={"lr": 0.1}, ranges={"lr": (1e-5, 0.1)}),
        claims=(
            Agreement(GD_BUDGET),
            Check("120 steps on 4 objectives = exact recurrence", check_fn(S, "gd_many_steps"),
                  per="combination", backends=("numpy", "torch"), dtypes=("float64", "float32"),
                  uses_form=True),
            Check("matches torch.optim.SGD", check_fn(S, "gd_matches_torch")),
        ),
        notes="θ_{t+1} = θ_t − η∇L(θ_t). The form is one step: f(theta, g, *, lr) -> theta'.",
        signature="f(theta[..., n], g[..., n], *, lr) -> theta'[..., n]",
    ),
    Entry(
        id="opt.sgd_momentum",
        section=SECTION,
        title="SGD with momentum",
        used_in="CNN training, the classical optimizer",
        **forms(S, "sgd_momentum"),
        notation=notation(S, "sgd_momentum"),
        domain=Domain(args=(Arg("theta", ("n",), extremes=(10.0, -10.0, 0.0)),
                            Arg("v", ("n",), -1.0, 1.0, extremes=(1.0, -1.0, 0.0)),
                            Arg("g", ("n",), extremes=(10.0, -10.0, 0.0))),
                      sizes=STATE_SIZES, params={"lr": 0.1, "momentum": 0.9},
                      ranges={"lr": (1e-5, 0.1), "momentum": (0.0, 0.99)}),
        claims=(
            Agreement(MOMENTUM_BUDGET),
            Check("120 steps on 4 objectives = exact recurrence",
                  check_fn(S, "sgd_momentum_many_steps"), per="combination",
                  backends=("numpy", "torch"), dtypes=("float64", "float32"),
                  uses_form=True),
            Check("matches torch.optim.SGD(momentum)", check_fn(S, "sgd_momentum_matches_torch")),
        ),
        notes="v_t = γv_{t−1} + η∇L(θ_t), θ_{t+1} = θ_t − v_t; returns rows (θ', v'). "
        "torch.optim.SGD keeps b = γb + g and steps θ −= ηb: the same iterates while η is "
        "constant (v = ηb), different ones under a schedule.",
        variants=(
            Variant("lr outside the buffer",
                    "torch.optim.SGD: b' = γb + g, θ' = θ − ηb'. With a constant η the "
                    "iterates coincide with the canonical ones (v = ηb); the step function "
                    "differs, and so do the iterates under a schedule",
                    **forms(S, "sgd_momentum_lr_outside")),
        ),
        signature="f(theta, v, g, *, lr, momentum) -> [theta', v'] stacked on axis −2",
    ),
    Entry(
        id="opt.adam",
        section=SECTION,
        title="Adam (with bias correction)",
        used_in="The default optimizer for most deep learning",
        **forms(S, "adam"),
        notation=notation(S, "adam"),
        domain=Domain(args=ADAM_ARGS, sizes=STATE_SIZES, params=ADAM_PARAMS, ranges=ADAM_RANGES),
        claims=(
            Agreement(ADAM_BUDGET),
            Check("120 steps on 4 objectives = exact recurrence", check_fn(S, "adam_many_steps"),
                  per="combination", backends=("numpy", "torch"), dtypes=("float64", "float32"),
                  uses_form=True),
            Check("matches torch.optim.Adam", check_fn(S, "adam_matches_torch")),
        ),
        notes="m_t = β₁m + (1 − β₁)g, v_t = β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), "
        "θ' = θ − ηm̂/(√v̂ + ε) with t ≥ 1 the number of this step; returns rows (θ', m', v'). "
        "ε is added after the square root of the bias-corrected v̂, as in torch.optim.Adam. "
        "fp16/bf16 states are updated in fp32 and rounded once (ε = 1e-8 underflows in fp16).",
        variants=(
            Variant("eps inside the square root",
                    "θ' = θ − η m̂/√(v̂ + ε): ε added to v̂ under the root",
                    **forms(S, "adam_eps_in_sqrt")),
            Variant("eps outside the bias correction (TF/Keras ε̂)",
                    "θ' = θ − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m/(√v + ε̂): Kingma & Ba's efficient "
                    "ordering; ε is not bias-corrected",
                    **forms(S, "adam_eps_outside_correction")),
        ),
        signature="f(theta, m, v, g, *, lr, beta1, beta2, eps, t) -> [theta', m', v'] on axis −2",
    ),
    Entry(
        id="opt.adamw",
        section=SECTION,
        title="AdamW (decoupled weight decay)",
        used_in="LLM training",
        **forms(S, "adamw"),
        notation=notation(S, "adamw"),
        domain=Domain(args=ADAM_ARGS, sizes=STATE_SIZES,
                      params={**ADAM_PARAMS, "weight_decay": 0.1},
                      ranges={**ADAM_RANGES, "weight_decay": (0.0, 0.3)}),
        claims=(
            Agreement(ADAM_BUDGET),
            Check("120 steps on 4 objectives = exact recurrence", check_fn(S, "adamw_many_steps"),
                  per="combination", backends=("numpy", "torch"), dtypes=("float64", "float32"),
                  uses_form=True),
            Check("matches torch.optim.AdamW", check_fn(S, "adamw_matches_torch")),
            Check("differs from Adam on L + (λ/2)‖θ‖²", check_fn(S, "adamw_is_not_adam_on_l2")),
        ),
        notes="θ' = θ − η(m̂/(√v̂ + ε) + λθ): the decay is applied to θ directly, never through "
        "the gradient, so the moments never see it. torch.optim.AdamW computes θ(1 − ηλ) first, "
        "then the Adam step: the same update. (Loshchilov & Hutter's original multiplies λ by "
        "the schedule factor, not by η.)",
        variants=(
            Variant("decay not multiplied by the learning rate",
                    "θ' = θ − η m̂/(√v̂ + ε) − λθ (Loshchilov & Hutter with schedule "
                    "multiplier 1; torch multiplies λ by η)",
                    **forms(S, "adamw_decay_not_scaled")),
        ),
        signature="f(theta, m, v, g, *, lr, beta1, beta2, eps, t, weight_decay) -> "
        "[theta', m', v'] on axis −2",
    ),
    Entry(
        id="opt.clip_grad_norm",
        section=SECTION,
        title="Gradient clipping by norm",
        used_in="LLM training (prevents exploding gradients)",
        **forms(S, "clip_grad_norm"),
        notation=notation(S, "clip_grad_norm"),
        domain=CLIP,
        claims=(
            Agreement(Budget(
                8,
                "‖g‖ as max|g|·‖g/max|g|‖ (no overflow): n ≤ 8 scaled squares summed, a square "
                "root and a product: ≤ (n/2 + 2)u; c/‖g‖ and the product add u: ≤ 7u relative "
                "at n = 8, rounded to 8. Near ‖g‖ = c either branch is within this. " + LOW,
                low_precision_ulps=1), domain=spanning(CLIP)),
            Property("‖ĝ‖ ≤ c", check_fn(S, "clipped_norm_bounded"), 8,
                     "every ĝ_i within the 8 ulp (≤ 8 eps relative) agreement budget, so "
                     "‖ĝ‖ ≤ c(1 + 8 eps)"),
            Check("matches torch clip_grad_norm_ (up to its 1e-6)",
                  check_fn(S, "clip_matches_torch")),
        ),
        notes="ĝ = g if ‖g‖ ≤ c else c·g/‖g‖ over the last axis. torch.nn.utils.clip_grad_norm_ "
        "uses c/(‖g‖ + 1e-6) (clamped to 1) over all parameters together: a relative "
        "difference of 1e-6/‖g‖ from this form.",
        signature="f(g[..., n], *, max_norm) -> g_clipped[..., n]",
    ),
    Entry(
        id="sched.cosine",
        section=SECTION,
        title="Cosine annealing",
        used_in="Most modern LLM training",
        **forms(S, "cosine"),
        notation=notation(S, "cosine"),
        domain=Domain(args=SCHEDULE_DOMAIN_ARGS,
                      params={"eta_max": 3e-4, "eta_min": 3e-5, "T": 200.0}),
        claims=(
            Agreement(SCHEDULE_BUDGET),
            Check("every step t = 0 … 1.25T, exact endpoints", check_fn(S, "cosine_every_step"),
                  per="combination", backends=("numpy", "torch"),
                  dtypes=("float64", "float32", "float16", "bfloat16")),
            Check("matches torch CosineAnnealingLR on 0 … T", check_fn(S, "cosine_matches_torch")),
        ),
        notes="η_t = η_min + ½(η_max − η_min)(1 + cos(πt/T)), computed as "
        "η_min·cos²(π(T − t)/(2T)) + η_max·sin²(π(T − t)/(2T)): exactly η_max at t = 0 and "
        "η_min at t = T, no cancellation near T. For t > T the rate is held at η_min (the "
        "formula read literally — and torch's CosineAnnealingLR — rises again with period 2T).",
        signature="f(t[...], *, eta_max, eta_min, T) -> eta[...]",
    ),
    Entry(
        id="sched.warmup_cosine",
        section=SECTION,
        title="Warmup + cosine decay",
        used_in="The LLM standard",
        **forms(S, "warmup_cosine"),
        notation=notation(S, "warmup_cosine"),
        domain=Domain(args=SCHEDULE_DOMAIN_ARGS,
                      params={"eta_max": 3e-4, "eta_min": 3e-5, "warmup": 20.0, "T": 200.0}),
        claims=(
            Agreement(SCHEDULE_BUDGET),
            Check("every step t = 0 … 1.25T, exact endpoints",
                  check_fn(S, "warmup_cosine_every_step"), per="combination",
                  backends=("numpy", "torch"),
                  dtypes=("float64", "float32", "float16", "bfloat16")),
        ),
        notes="η_t = η_max·t/T_w for t < T_w (so η_0 = 0; some codebases use (t + 1)/T_w), then "
        "cosine decay from η_max at t = T_w to η_min at t = T over progress (t − T_w)/(T − T_w), "
        "held at η_min for t > T.",
        signature="f(t[...], *, eta_max, eta_min, warmup, T) -> eta[...]",
    ),
    Entry(
        id="reg.l2",
        section=SECTION,
        title="L2 regularization / weight decay",
        used_in="Small weights",
        **forms(S, "l2"),
        notation=notation(S, "l2"),
        domain=Domain(args=(Arg("theta", ("n",), extremes=(10.0, -10.0, 0.0)),), sizes=SIZES,
                      params={"lam": 0.01}, ranges={"lam": (1e-5, 1.0)}),
        claims=(
            Derivative(symbolic(S, "d_l2_stated"), wrt="theta"),
            Agreement(PENALTY_BUDGET),
            Gradient(("theta",), Budget(2, "2λθ: two roundings", scale="row")),
            Identity("GD on L + λΣθ² = decay (1 − 2ηλ)θ − η∇L",
                     symbolic(S, "l2_step_is_weight_decay")),
        ),
        notes="The form is the penalty λΣθ_i² added to the loss L. For plain gradient descent it "
        "is exactly weight decay (identity above); for Adam it is not (see opt.adamw).",
        signature="f(theta[..., n], *, lam) -> penalty[...]",
    ),
    Entry(
        id="reg.l1",
        section=SECTION,
        title="L1 regularization",
        used_in="Sparse weights",
        **forms(S, "l1"),
        notation=notation(S, "l1"),
        domain=Domain(args=(Arg("theta", ("n",), extremes=(10.0, -10.0, 0.0)),), sizes=SIZES,
                      params={"lam": 0.01}, ranges={"lam": (1e-5, 1.0)}),
        claims=(
            Derivative(symbolic(S, "d_l1_stated"), wrt="theta"),
            Agreement(PENALTY_BUDGET),
            Gradient(("theta",), Budget(1, "λ·sign(θ): one rounding", scale="row"),
                     domain=Domain(args=(Arg("theta", ("n",), 0.25, 10.0),), sizes=SIZES,
                                   params={"lam": 0.01})),
        ),
        notes="The form is the penalty λΣ|θ_i| added to the loss L; its subgradient is λ·sign(θ) "
        "(torch's autograd takes 0 at θ_i = 0). The gradient claim stays on θ ≥ 0.25, away from "
        "the kink, where finite differences are meaningful.",
        signature="f(theta[..., n], *, lam) -> penalty[...]",
        kinks=(Kink(0.0, 0.0, "λ·" + ABS_AT_ZERO),),
    ),
    Entry(
        id="reg.dropout",
        section=SECTION,
        title="Dropout (inverted)",
        used_in="Random neuron masking",
        **forms(S, "dropout"),
        notation=notation(S, "dropout"),
        domain=Domain(args=(Arg("h", (), extremes=(0.0, 10.0, -10.0)),
                            Arg("mask", (), kind="binary")), params={"p": 0.3}),
        claims=(
            Identity("E[mask·h/(1 − p)] = h", symbolic(S, "dropout_expectation")),
            Agreement(Budget(2, "1 − p and the division round once each: ≤ 2 ulp. " + LOW,
                             low_precision_ulps=1)),
            Check("E[h] = f(x) over random masks", check_fn(S, "dropout_expectation"),
                  per="combination", backends=("numpy", "torch"), dtypes=("float64", "float32")),
            Check("matches torch F.dropout", check_fn(S, "dropout_matches_torch")),
        ),
        notes="h = mask ⊙ f(x)/(1 − p) with mask ~ Bernoulli(1 − p). The form takes the mask as "
        "an input (so it is deterministic and checkable); the statistical check draws masks "
        "with a fixed seed.",
        signature="f(h[...], mask[...], *, p) -> h_dropped[...]",
    ),
    Entry(
        id="opt.convexity",
        section=SECTION,
        title="Convexity (Jensen's inequality)",
        used_in="Convex → single global minimum; deep learning losses are non-convex",
        symbolic=None,
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check("Jensen holds on convex losses", check_fn(S, "jensen_convex")),
            Check("a non-convex loss violates it (and has a saddle)",
                  check_fn(S, "nonconvex_counterexample")),
        ),
        notes="f convex ⟺ f(λx + (1 − λ)y) ≤ λf(x) + (1 − λ)f(y) for λ ∈ [0, 1].",
        display=r"f \text{ convex} \iff f(\lambda x + (1-\lambda) y) \le \lambda f(x) + "
        r"(1-\lambda) f(y)",
        no_numeric_reason=CONVEXITY_REASON,
    ),
)
