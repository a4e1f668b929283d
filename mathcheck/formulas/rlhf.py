"""Section 13 · Alignment & RLHF."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Derivative,
    Domain,
    Entry,
    Gradient,
    Identity,
    Property,
    Section,
    check_fn,
    forms,
    notation,
    symbolic,
)

SECTION = Section(13, "rlhf", "Alignment & RLHF")
S = SECTION.slug

REWARDS = Domain(
    args=(
        Arg("r_w", low=-8.0, high=8.0, extremes=(0.0, 8.0, -8.0)),
        Arg("r_l", low=-8.0, high=8.0, extremes=(0.0, 8.0, -8.0)),
    )
)
PPO = Domain(
    args=(
        Arg("r", low=0.05, high=10.0, kind="positive", extremes=(0.8, 1.0, 1.2)),
        Arg("A", low=-10.0, high=10.0, extremes=(0.0, 1.0, -1.0)),
    ),
    params={"eps": 0.2},
    ranges={"eps": (0.05, 0.5)},
)
POLICIES = Domain(
    args=(
        Arg("p", ("n",), kind="probability"),
        Arg("q", ("n",), low=1e-3, high=1.0, kind="positive"),
        Arg("r", ("n",), low=-5.0, high=5.0),
    ),
    sizes={"n": (2, 6)},
    params={"beta": 0.1},
    ranges={"beta": (0.01, 1.0)},
)
POSITIVE_POLICIES = Domain(
    args=(
        Arg("p", ("n",), low=0.05, high=1.0, kind="positive"),
        Arg("q", ("n",), low=0.05, high=1.0, kind="positive"),
        Arg("r", ("n",), low=-5.0, high=5.0),
    ),
    sizes={"n": (2, 6)},
    params={"beta": 0.1},
    ranges={"beta": (0.01, 1.0)},
)
LOGPROB = {"low": -20.0, "high": 0.0, "extremes": (0.0, -20.0)}
DPO = Domain(
    args=tuple(Arg(name, **LOGPROB) for name in ("logp_w", "logp_l", "ref_w", "ref_l")),
    params={"beta": 0.1},
    ranges={"beta": (0.01, 1.0)},
)
SFT = Domain(
    args=(
        Arg("z", ("T", "V"), low=-30.0, high=30.0, extremes=(0.0, 30.0, -30.0)),
        Arg("y", ("T", "V"), kind="onehot"),
        Arg("mask", ("T",), kind="binary"),
    ),
    sizes={"T": (1, 3), "V": (2, 4)},
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="rlhf.bradley_terry",
        section=SECTION,
        title="Bradley–Terry preference probability",
        used_in="Reward modelling from human preferences",
        **forms(S, "bradley_terry"),
        notation=notation(S, "bradley_terry"),
        domain=REWARDS,
        claims=(
            Identity("equals a two-way softmax", symbolic(S, "bt_is_two_way_softmax")),
            Derivative(symbolic(S, "d_bradley_terry_stated"), wrt="r_w"),
            Agreement(
                Budget(
                    12,
                    "r_w − r_l rounds with absolute error ≤ u|d|, |d| ≤ 16, and σ turns an "
                    "absolute input error into a relative one times (1 − σ) ≤ 1: ≤ 8 ulp; σ itself "
                    "≤ 4 ulp",
                    low_precision_ulps=12,
                )
            ),
            Gradient(("r_w", "r_l"), Budget(24, "σ(1 − σ) from a σ within 12 ulp: 2·12 ulp")),
            Property(
                "P(w ≻ l) + P(l ≻ w) = 1",
                check_fn(S, "bt_antisymmetric"),
                2,
                "two sigmoids of ±d, each ≤ 1 ulp absolute near 1/2 (sum taken in fp64)",
                domain=Domain(
                    args=(Arg("r_w", low=-2.0, high=2.0), Arg("r_l", low=-2.0, high=2.0)),
                    why="the 1-ulp absolute bound holds near σ = 1/2; far out one sigmoid "
                    "is tiny and the sum is 1 to its rounding anyway",
                ),
            ),
        ),
        notes="σ(r_w − r_l) = softmax([r_w, r_l])₀: the reward model is a two-class logistic "
        "model on the reward difference, so rewards are identified only up to a shift.",
        signature="f(r_w, r_l) -> P(y_w ≻ y_l), elementwise",
    ),
    Entry(
        id="rlhf.ppo_clip",
        section=SECTION,
        title="PPO clipped surrogate objective (per sample)",
        used_in="RLHF policy optimisation",
        **forms(S, "ppo_clip"),
        notation=notation(S, "ppo_clip"),
        domain=PPO,
        claims=(
            Agreement(
                Budget(
                    2,
                    "r·A rounds once (0.5 ulp); the clip bounds 1 ± ε are rounded to "
                    "the dtype (≤ 1 ulp relative after the product); clip and min are "
                    "exact",
                )
            ),
            Property(
                "clipped ≤ unclipped",
                check_fn(S, "ppo_clipped_below_unclipped"),
                1,
                "min(a, b) ≤ a exactly; r·A recomputed in fp64 differs by one rounding",
            ),
            Check(
                "gradient vanishes outside the clip range in the right direction",
                check_fn(S, "ppo_gradient_vanishes"),
            ),
        ),
        notes="An objective to maximise (E_t of the min); libraries minimise its negative. The "
        "min makes it a pessimistic bound: the gradient is cut only where the ratio has "
        "already moved in the advantage's favour (A > 0: r > 1 + ε; A < 0: r < 1 − ε). "
        "Not differentiable at r = 1 ± ε, so no finite-difference gradient claim.",
        signature="f(r, A, eps=0.2) -> per-sample surrogate, elementwise",
    ),
    Entry(
        id="rlhf.kl_penalty",
        section=SECTION,
        title="KL-regularised reward objective",
        used_in="RLHF (PPO with a KL penalty to the reference model)",
        **forms(S, "kl_penalty"),
        notation=notation(S, "kl_penalty"),
        domain=POLICIES,
        claims=(
            Agreement(
                Budget(
                    8,
                    "n products p_i·(log p_i − log q_i) and p_i·r_i: each term within 3 ulp of "
                    "its magnitude (≤ |r| + β(|log p| + |log q|) ≲ 5 + 0.7 + β|log p|, q ≥ 1e-3, "
                    "and p·|log p| ≤ 1/e), summed recursively "
                    "((n − 1) ulp); measured in ulps of max(|y|, 1)",
                    per_length=4,
                    length="n",
                    scale="unit",
                )
            ),
            Gradient(
                ("p", "q", "r"),
                Budget(
                    16,
                    "∂/∂p = r − β(log(p/q) + 1), ∂/∂q = βp/q, "
                    "∂/∂r = p: one log or one division each",
                    per_length=2,
                    length="n",
                    scale="row",
                ),
                domain=POSITIVE_POLICIES,
            ),
            Property(
                "objective ≤ E_π[r] (KL ≥ 0)",
                check_fn(S, "kl_penalty_below_reward"),
                8,
                "KL ≥ 0 up to its own rounding: ≤ (n + 1)·8 ulp of max(|E r|, 1)",
            ),
            Check("maximiser π* ∝ π_ref·exp(r/β)", check_fn(S, "kl_optimal_policy")),
        ),
        notes="Evaluated exactly over a finite response set (the expectation over y ~ π written "
        "out), with 0·log 0 = 0. π_ref > 0 everywhere (softmax policies have full "
        "support; where π_ref = 0 < π the KL is +∞); the agreement domain does not "
        "normalise π_ref (the formula is an expression in it), the KL ≥ 0 property does.",
        signature="f(p, q, r, beta=0.1) -> E_p[r] − β KL(p‖q), over the last axis",
    ),
    Entry(
        id="rlhf.dpo",
        section=SECTION,
        title="Direct Preference Optimisation loss (per pair)",
        used_in="Preference fine-tuning without a reward model",
        **forms(S, "dpo"),
        notation=notation(S, "dpo"),
        domain=DPO,
        claims=(
            Identity(
                "equals Bradley–Terry on the implicit reward β log π/π_ref",
                symbolic(S, "dpo_is_bradley_terry"),
            ),
            Derivative(symbolic(S, "d_dpo_stated"), wrt="logp_w"),
            Agreement(
                Budget(
                    16,
                    "margin from three subtractions of log-probs in [−20, 0]: absolute error "
                    "≤ 2u(|Δ_w| + |Δ_l|) ≤ 80u, times β = 0.1 → 8u, plus the product β·m ≤ 4u; "
                    "softplus' slope is σ ≤ 1 and it rounds within 4 ulp; in ulps of max(|y|, 1)",
                    scale="unit",
                )
            ),
            Gradient(
                ("logp_w", "logp_l", "ref_w", "ref_l"),
                Budget(32, "±β·σ(−βm) with the margin error above (16 ulp) doubled"),
            ),
            Check(
                "at π* ∝ π_ref e^{r/β}, DPO = Bradley–Terry NLL of r",
                check_fn(S, "dpo_at_optimal_policy"),
            ),
        ),
        notes="'Equivalent to PPO under certain assumptions' means: both optimise the "
        "KL-regularised reward objective, whose maximiser π* ∝ π_ref e^{r/β} turns the "
        "implicit reward into r up to a per-prompt constant (checked).",
        signature="f(logp_w, logp_l, ref_w, ref_l, beta=0.1) -> loss, elementwise",
    ),
    Entry(
        id="rlhf.sft",
        section=SECTION,
        title="Supervised fine-tuning loss (masked NLL)",
        used_in="Instruction tuning",
        **forms(S, "sft"),
        notation=notation(S, "sft"),
        domain=SFT,
        claims=(
            Agreement(
                Budget(
                    4,
                    "per token log-softmax within (V + 1)u absolute of max(|·|, 1) (log-sum-exp), "
                    "one-hot pick exact, T masked terms summed: (T − 1) ulp more",
                    per_length=4,
                    length="V",
                    scale="unit",
                    low_precision_ulps=8,
                )
            ),
            Gradient(
                ("z",),
                Budget(
                    4,
                    "m_t·(softmax(z_t) − y_t): where softmax ≈ y the difference cancels, so the "
                    "error is absolute — softmax within (V + 2)u of 1 plus one subtraction — "
                    "measured in ulps of max(|g|, 1)",
                    per_length=2,
                    length="V",
                    scale="unit",
                ),
            ),
            Property(
                "prompt tokens do not change the loss",
                check_fn(S, "sft_prompt_ignored"),
                0,
                "masked terms are multiplied by an exact 0 (dtype-independent: two dtypes)",
                dtypes=("float64", "float16"),
            ),
            Check(
                "equals F.cross_entropy(ignore_index=-100, reduction='sum')",
                check_fn(S, "sft_matches_cross_entropy"),
                per="combination",
                dtypes=("float64", "float32"),
            ),
        ),
        notes="The cheatsheet sums over response tokens; most trainers (Hugging Face, "
        "F.cross_entropy's default) average over them instead — the same minimiser, a "
        "loss 1/T as large (see errata).",
        signature="f(z[T,V], y[T,V] one-hot, mask[T]) -> summed response-token NLL",
    ),
)
