"""Section 5 · Losses."""

from mathcheck.formulas._model import (
    ABS_AT_ZERO,
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
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    symbolic,
)

SECTION = Section(5, "losses", "Losses")
S = SECTION.slug

LOGIT_EXTREMES = (1e4, -1e4, 0.0, 30.0, -30.0)
LOGITS = Arg("z", ("n",), low=-1e4, high=1e4, extremes=LOGIT_EXTREMES)
CLASSES = {"n": (1, 8)}
# The SymPy gradient grows quickly with n (every entry depends on every logit): gradients are
# checked for n ≤ 4, values for n ≤ 8.
GRADIENT_CLASSES = {"n": (1, 4)}
# Probabilities of a softmax below e^-60 make autograd lose relative accuracy (act.softmax).
MODERATE_LOGITS = Arg("z", ("n",), -30.0, 30.0)

CE_DOMAIN = Domain(args=(LOGITS, Arg("y", ("n",), 0.0, 1.0, kind="probability")), sizes=CLASSES)
FOCAL_PARAMS = {"alpha": 0.25, "gamma": 2.0}
FOCAL_DOMAIN = Domain(args=(LOGITS, Arg("y", ("n",), 0.0, 1.0, kind="onehot")), sizes=CLASSES,
                      params=FOCAL_PARAMS, ranges={"alpha": (0.05, 0.95), "gamma": (0.0, 5.0)})

LABEL = Arg("y", low=0.0, high=1.0, extremes=(0.0, 1.0, 0.5, 0.0, 1.0))
# p ∈ [1e-3, 0.99]: 0.99 rounds below 1 even in bfloat16 (0.999 would round to 1).
BCE_DOMAIN = Domain(args=(Arg("p", low=1e-3, high=0.99, extremes=(1e-3, 0.99, 0.5, 0.99, 1e-3)),
                          LABEL))
# With soft labels ∂L/∂p = (p − y)/(p(1 − p)) is formed from two terms up to 1/p that cancel
# where p ≈ y; with hard labels one term vanishes and the gradient is relatively accurate.
# p ≥ 0.01 keeps central differences (step 6e-6) second-order accurate next to log's pole.
BCE_HARD_LABELS = Domain(args=(Arg("p", low=0.01, high=0.99), Arg("y", kind="binary")))
BCE_LOGITS_DOMAIN = Domain(args=(Arg("z", low=-1e4, high=1e4, extremes=LOGIT_EXTREMES), LABEL))
BCE_LOGITS_MODERATE = Domain(args=(Arg("z", low=-30.0, high=30.0), LABEL))

REGRESSION = Domain(args=(Arg("y", ("n",)), Arg("y_hat", ("n",))), sizes={"n": (1, 8)})
# MAE's gradient is checked on each side of its kinks (ŷ = y), where central differences
# are meaningless.
BELOW = Domain(args=(Arg("y", ("n",), 1.0, 10.0), Arg("y_hat", ("n",), -10.0, -1.0)),
               sizes={"n": (1, 8)})
ABOVE = Domain(args=(Arg("y", ("n",), -10.0, -1.0), Arg("y_hat", ("n",), 1.0, 10.0)),
               sizes={"n": (1, 8)})

HUBER_PARAMS = {"delta": 1.0}
HUBER_DOMAIN = Domain(args=(Arg("y", extremes=(1.0, 0.0, -1.0, 2.0, 0.5)),
                            Arg("y_hat", extremes=(0.0, 1.0, 0.0, -3.0, 0.5))),
                      params=HUBER_PARAMS, ranges={"delta": (0.01, 100.0)})
# Gradients inside each piece: |r| ≤ 0.9 < δ, and |r| ≥ 1.5 > δ (the seam is C¹ but not C²,
# which would cost central differences their second order there).
HUBER_QUADRATIC = Domain(args=(Arg("y", low=0.0, high=0.45), Arg("y_hat", low=-0.45, high=0.0)),
                         params=HUBER_PARAMS)
HUBER_LINEAR = Domain(args=(Arg("y", low=0.5, high=10.0), Arg("y_hat", low=-10.0, high=-1.0)),
                      params=HUBER_PARAMS)

EMBEDDINGS = {"N": (2, 3), "d": (2, 3)}
INFONCE_PARAMS = {"tau": 0.5}
# Positive entries keep every norm away from 0 (cosine similarity is undefined there); the
# log-uniform spread still gives directions with cosines from ≈ 0 to 1.
INFONCE_DOMAIN = Domain(args=(Arg("a", ("N", "d"), 0.05, 4.0, kind="positive"),
                              Arg("b", ("N", "d"), 0.05, 4.0, kind="positive")),
                        sizes=EMBEDDINGS, params=INFONCE_PARAMS, ranges={"tau": (0.01, 2.0)})

TRIPLET_PARAMS = {"margin": 1.0}
TRIPLET_SIZES = {"d": (1, 4)}
TRIPLET_DOMAIN = Domain(args=(Arg("anchor", ("d",), -1.0, 1.0), Arg("positive", ("d",), -1.0, 1.0),
                              Arg("negative", ("d",), -1.0, 1.0)),
                        sizes=TRIPLET_SIZES, params=TRIPLET_PARAMS, ranges={"margin": (0.01, 10.0)})
# Away from the hinge: always active (n near a, p far), or always clipped (p near a, n far).
TRIPLET_ACTIVE = Domain(args=(Arg("anchor", ("d",), 0.0, 0.5), Arg("positive", ("d",), 2.0, 3.0),
                              Arg("negative", ("d",), 0.0, 0.5)),
                        sizes=TRIPLET_SIZES, params=TRIPLET_PARAMS)
TRIPLET_CLIPPED = Domain(args=(Arg("anchor", ("d",), 0.0, 0.5), Arg("positive", ("d",), 0.0, 0.5),
                               Arg("negative", ("d",), 2.0, 3.0)),
                         sizes=TRIPLET_SIZES, params=TRIPLET_PARAMS)

# --------------------------------------------------------------------------- budgets

CE = Budget(
    4,
    "log-softmax within (n + 1) ulp with no cancellation (z − max ≤ 0 minus log Σ ≥ 0), a "
    "product 0.5 ulp, n same-sign terms summed (n − 1) ulp; against max(|L|, 1) because "
    "log Σ of a sum in [1, 1 + ε] is only absolutely accurate (as for act.log_softmax)",
    per_length=2,
    length="n",
    scale="unit",
)
CE_GRADIENT = Budget(
    4,
    "ŷ·Σy − y through autograd of the log-softmax: softmax entries within (4 + n) ulp and one "
    "subtraction; ŷ − y cancels where the prediction matches the target, so the error is "
    "absolute (ulps of max(|g|, 1); every |gᵢ| ≤ 1)",
    per_length=2,
    length="n",
    scale="unit",
)
BCE = Budget(
    4,
    "two non-negative terms: log/log1p ≤ 1 ulp, 1 − y 0.5 ulp, a product 0.5 ulp each, the "
    "sum 0.5 ulp: ≤ 3.5 ulp relative",
)
BCE_GRADIENT = Budget(
    4,
    "hard labels: one of −y/p, (1 − y)/(1 − p) vanishes, the other is a quotient after at most "
    "one rounding (1 − p) and the cotangent product: ≤ 2 ulp relative",
)
BCE_LOGITS = Budget(
    4,
    "(1 − y)z⁺ or −y·z⁻ (≤ 1 ulp) plus log1p(e^{−|z|}) (exp 0.5 ulp, log1p ≤ 1 ulp, cond ≤ 1), "
    "both ≥ 0, summed 0.5 ulp: ≤ 3 ulp relative",
)
BCE_LOGITS_GRADIENT = Budget(
    4,
    "σ(z) − y as autograd forms it: σ within 2 ulp, one subtraction, against max(|g|, 1) "
    "because σ(z) − y cancels where the prediction matches the label",
    scale="unit",
)
FOCAL = Budget(
    8,
    "log ŷ_t within (n + 2) ulp of max(|log ŷ_t|, 1); −expm1 (cond ≤ 1) and the power γ = 2 "
    "carry that error (γ + 1) = 3 times, plus 2 ulp of products: 8 + 3n ulp of max(|L|, 1)",
    per_length=3,
    length="n",
    scale="unit",
)
FOCAL_GRADIENT = Budget(
    16,
    "the product rule on (1 − ŷ_t)^γ·log ŷ_t: two terms each within the value budget, and "
    "ŷ − y cancelling as in loss.cross_entropy: ulps of max(|g|, 1)",
    per_length=4,
    length="n",
    scale="unit",
)
FOCAL_SIGMOID = Budget(
    10,
    "per class the term α_t(1 − p_t)^γ·CE: CE within 2 ulp; p_t within 2 ulp (σ and the "
    "blend), so 1 − p_t — formed by subtraction as torchvision does — errs by 2u absolute, "
    "which the power γ ≤ 5 and the product with CE carry as ≤ (3γ + 4)u ≤ 19u of max(term, "
    "1) (the worst where p_t is moderate: the term is then of the order of CE); the n terms "
    "are ≥ 0 and each is measured against its own max(term, 1) ≤ |L| + 1, plus (n − 1) ulp "
    "for the sum: ≤ 10 + 10n ulp of max(|L|, 1)",
    per_length=10,
    length="n",
    scale="unit",
)
MSE = Budget(
    3,
    "y − ŷ 0.5 ulp, the square 1.5 ulp, n non-negative terms summed (n − 1) ulp, the mean 0.5 "
    "ulp: ≤ (n + 2) ulp relative",
    per_length=1,
    length="n",
)
MAE = Budget(2, "|y − ŷ| 0.5 ulp, n non-negative terms summed (n − 1) ulp, the mean 0.5 ulp",
             per_length=1, length="n")
REGRESSION_GRADIENT = Budget(
    2,
    "the cotangent times 2/n (or 1/n) times ŷ − y (or its sign): three roundings, ≤ 1.5 ulp",
)
HUBER = Budget(
    3,
    "½r²: r 0.5 ulp, the square 1.5 ulp (×½ exact); δ(|r| − δ/2): the difference has "
    "condition ≤ 2 (|r| ≥ δ), 1.5 ulp, the product 0.5 ulp: ≤ 2.5 ulp relative",
)
HUBER_GRADIENT = Budget(2, "v·r or v·δ·sign(r): r 0.5 ulp, one or two products: ≤ 1.5 ulp")
INFONCE = Budget(
    6,
    "cosines: norms (d + 1) ulp each, the dot d ulp, so |Δcos| ≤ (3d + 3)u; divided by τ "
    "that is (3d + 3)u/τ in every logit (6d + 6 at τ = 1/2: the error grows as τ shrinks), "
    "which log-sum-exp passes on with its own (2N + 2)u; the mean over 2N views adds ≤ 2N "
    "ulp: ≤ 6 + (3 + 3d)/τ ulp of max(|L|, 1) for N ≤ 3",
    length="d",
    scale="unit",
    inverse_of="tau",
    inverse_ulps=3,
    inverse_per_length=3,
)
INFONCE_GRADIENT = Budget(
    32,
    "the Jacobian-vector product of normalisation, a Gram matrix and a masked log-softmax: "
    "each stage's error (≤ the value budget) enters once more in the backward pass; ∂cos/∂u "
    "= v/‖u‖‖v‖ − cos·u/‖u‖² cancels for parallel u, v, so the error is absolute (ulps of "
    "max(|g|, 1))",
    per_length=12,
    length="d",
    scale="unit",
)
TRIPLET = Budget(
    2,
    "‖a − p‖² and ‖a − n‖² each within (d + 1) ulp relative, subtracted: absolute error "
    "≤ (d + 1)u(‖a − p‖² + ‖a − n‖²) ≤ 8d(d + 1)u for entries in [−1, 1], i.e. ≤ 4d(d + 1) "
    "≤ 20d ulp of max(|L|, 1) for d ≤ 4 (the cancellation is inherent to the formula)",
    per_length=20,
    length="d",
    scale="unit",
)
TRIPLET_GRADIENT = Budget(
    6,
    "2v(a − p) − 2v(a − n) = 2v(n − p): each ≤ 1.5 ulp, the difference has condition ≤ 7/3 in "
    "the active domain: ≤ 4.5 ulp",
)


def _mae_gradients() -> tuple[Claim, ...]:
    return (
        Gradient(("y", "y_hat"), REGRESSION_GRADIENT, domain=BELOW, label="gradient (ŷ < y)"),
        Gradient(("y", "y_hat"), REGRESSION_GRADIENT, domain=ABOVE, label="gradient (ŷ > y)"),
    )


ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="loss.cross_entropy",
        section=SECTION,
        title="Cross-entropy (multi-class)",
        used_in="THE standard classification loss",
        **forms(S, "cross_entropy"),
        notation=notation(S, "cross_entropy"),
        domain=CE_DOMAIN,
        claims=(
            Derivative(symbolic(S, "d_cross_entropy_stated"), wrt="z", sizes={"n": 3}),
            Identity("∂L/∂z = ŷ − y for targets on the simplex",
                     symbolic(S, "cross_entropy_gradient_identity"), sizes={"n": 3}),
            Agreement(CE),
            Gradient(("z",), CE_GRADIENT,
                     domain=Domain(args=(MODERATE_LOGITS, CE_DOMAIN.args[1]),
                                   sizes=GRADIENT_CLASSES)),
            Check("matches torch.nn.functional.cross_entropy",
                  check_fn(S, "matches_torch_cross_entropy")),
        ),
        notes="Computed from log-softmax, never as log(softmax(z)): softmax underflows to 0 for "
        "logit gaps beyond ~745 (fp64) / ~104 (fp32) / ~17 (fp16), and log 0 = −∞ (NaN for a "
        "zero target). The derivative SymPy derives for an arbitrary target is ŷ·Σy − y; with "
        "y on the simplex it is ŷ − y (derived with y_{n−1} = 1 − Σ the rest).",
        signature="f(z, y) -> L: logits and target probabilities over the last axis",
    ),
    Entry(
        id="loss.bce",
        section=SECTION,
        title="Binary cross-entropy (probabilities)",
        used_in="Binary classification, multi-label outputs",
        **forms(S, "bce"),
        domain=BCE_DOMAIN,
        claims=(
            Derivative(symbolic(S, "d_bce_stated"), wrt="p"),
            Agreement(BCE),
            Gradient(("p",), BCE_GRADIENT, domain=BCE_HARD_LABELS,
                     label="gradient (hard labels)"),
        ),
        notes="Takes probabilities, so p = 0 or 1 gives an infinite loss; prefer "
        "loss.bce_with_logits, which is finite for any logit.",
        signature="f(p, y) -> L, elementwise (reduction 'none')",
    ),
    Entry(
        id="loss.bce_with_logits",
        section=SECTION,
        title="Binary cross-entropy with logits",
        used_in="nn.BCEWithLogitsLoss",
        **forms(S, "bce_with_logits"),
        notation=notation(S, "bce_with_logits"),
        domain=BCE_LOGITS_DOMAIN,
        claims=(
            Derivative(symbolic(S, "d_bce_with_logits_stated"), wrt="z"),
            Identity("BCE(σ(z), y) = softplus(z) − y·z", symbolic(S, "bce_logits_identity")),
            Agreement(BCE_LOGITS),
            Gradient(("z",), BCE_LOGITS_GRADIENT),
            Check("matches torch binary_cross_entropy_with_logits",
                  check_fn(S, "matches_torch_bce_with_logits")),
        ),
        notes="Finite and accurate for logits of ±1e4: softplus(z) − yz is evaluated as "
        "(1 − y)·max(z, 0) + y·max(−z, 0) + log1p(e^{−|z|}), a sum of non-negative terms.",
        signature="f(z, y) -> L, elementwise (reduction 'none')",
    ),
    Entry(
        id="loss.focal",
        section=SECTION,
        title="Focal loss",
        used_in="Class imbalance, object detection (RetinaNet)",
        **forms(S, "focal"),
        notation=notation(S, "focal"),
        domain=FOCAL_DOMAIN,
        claims=(
            Identity("γ = 0, α = 1 gives cross-entropy", symbolic(S, "focal_is_ce_identity"),
                     sizes={"n": 3}),
            Agreement(FOCAL),
            Gradient(("z",), FOCAL_GRADIENT,
                     domain=Domain(args=(MODERATE_LOGITS, FOCAL_DOMAIN.args[1]),
                                   sizes=GRADIENT_CLASSES, params=FOCAL_PARAMS)),
            Check("numeric forms at γ = 0, α = 1 equal cross-entropy",
                  check_fn(S, "focal_reduces_to_cross_entropy")),
        ),
        notes="Multi-class form with a one-hot target and a scalar α (α = 0.25, γ = 2 as in "
        "RetinaNet). 1 − ŷ_t is computed as −expm1(log ŷ_t), accurate when ŷ_t → 1. All "
        "forms read ŷ_t as exp(Σ yᵢ log ŷᵢ), which is Σ yᵢŷᵢ for a one-hot y. The sigmoid, "
        "α-balanced form (one binary focal loss per class, α for positives and 1 − α for "
        "negatives) is the 'α-balanced sigmoid (torchvision)' variant.",
        variants=(
            Variant("α-balanced sigmoid (torchvision)",
                    "Σᵢ α_t(1 − p_t)^γ·BCE(zᵢ, yᵢ) with p = σ(zᵢ), p_t = p or 1 − p and α_t "
                    "= α or 1 − α for yᵢ = 1 or 0: torchvision.ops.sigmoid_focal_loss "
                    "(RetinaNet) summed over the classes",
                    **forms(S, "focal_sigmoid"), budget=FOCAL_SIGMOID),
        ),
        signature="f(z, y, alpha=0.25, gamma=2.0) -> L: logits, one-hot target",
    ),
    Entry(
        id="loss.mse",
        section=SECTION,
        title="Mean squared error",
        used_in="Regression",
        **forms(S, "mse"),
        domain=REGRESSION,
        claims=(
            Derivative(symbolic(S, "d_mse_stated"), wrt="y_hat"),
            Agreement(MSE),
            Gradient(("y", "y_hat"), REGRESSION_GRADIENT),
        ),
        notes="Mean of (y − ŷ)², no ½; with the ½ of Bishop and optax.l2_loss it is the "
        "'½·MSE (optax.l2_loss)' variant.",
        variants=(
            Variant("½·MSE (optax.l2_loss)",
                    "(1/2n)Σ(yᵢ − ŷᵢ)²: the mean of optax.l2_loss (½(ŷ − y)²) and many "
                    "textbooks' ½, chosen so the gradient is ŷ − y",
                    **forms(S, "mse_half")),
        ),
        signature="f(y, y_hat) -> L, mean over the last axis",
    ),
    Entry(
        id="loss.mae",
        section=SECTION,
        title="Mean absolute error (L1)",
        used_in="Robust regression",
        **forms(S, "mae"),
        domain=REGRESSION,
        claims=(
            Derivative(symbolic(S, "d_mae_stated"), wrt="y_hat"),
            Agreement(MAE),
            *_mae_gradients(),
        ),
        notes="Not differentiable where ŷᵢ = yᵢ (subgradient [−1/n, 1/n]); gradients are "
        "checked on either side.",
        signature="f(y, y_hat) -> L, mean over the last axis",
        kinks=(Kink(0.0, 0.0, "at ŷ = y: " + ABS_AT_ZERO, wrt="y_hat"),),
    ),
    Entry(
        id="loss.huber",
        section=SECTION,
        title="Huber loss",
        used_in="Robust regression, DQN",
        **forms(S, "huber"),
        notation=notation(S, "huber"),
        domain=HUBER_DOMAIN,
        claims=(
            Derivative(symbolic(S, "d_huber_stated"), wrt="y_hat"),
            Identity("continuous at |r| = δ", symbolic(S, "huber_continuous_identity")),
            Identity("C¹ at |r| = δ", symbolic(S, "huber_c1_identity")),
            Agreement(HUBER),
            Gradient(("y", "y_hat"), HUBER_GRADIENT, domain=HUBER_QUADRATIC,
                     label="gradient (|r| < δ)"),
            Gradient(("y", "y_hat"), HUBER_GRADIENT, domain=HUBER_LINEAR,
                     label="gradient (|r| > δ)"),
            Check("matches torch.nn.functional.huber_loss", check_fn(S, "matches_torch_huber")),
        ),
        notes="Elementwise (reduction 'none'), δ = 1 (PyTorch's default). Not C²: the second "
        "derivative jumps from 1 to 0 at |r| = δ.",
        variants=(
            Variant("SmoothL1 (Huber/δ)",
                    "½r²/δ for |r| < δ, |r| − ½δ otherwise: torch F.smooth_l1_loss(beta=δ), "
                    "Fast R-CNN; equal to Huber only at δ = 1",
                    **forms(S, "smooth_l1"),
                    budget=Budget(4, HUBER.why + "; the division by δ adds one rounding "
                                  "(exact only for δ a power of two): + 1 ulp")),
        ),
        signature="f(y, y_hat, delta=1.0) -> L, elementwise",
    ),
    Entry(
        id="loss.infonce",
        section=SECTION,
        title="Contrastive loss (InfoNCE / NT-Xent)",
        used_in="SimCLR, CLIP",
        **forms(S, "infonce"),
        notation=notation(S, "infonce"),
        domain=INFONCE_DOMAIN,
        claims=(
            Agreement(INFONCE),
            Gradient(("a",), INFONCE_GRADIENT,
                     domain=Domain(INFONCE_DOMAIN.args, sizes={"N": (2, 2), "d": (2, 2)},
                                   params=INFONCE_PARAMS)),
            Check("CLIP variant agrees with its SymPy form", check_fn(S, "infonce_clip_agreement"),
                  backends=("numpy", "torch"), dtypes=("float64", "float32"),
                  per="combination"),
        ),
        notes="The entry is the cheatsheet's formula (SimCLR's NT-Xent: 2N views, the "
        "denominator over k ≠ i, sim = cosine, τ = 0.5). CLIP's symmetric form over an N×N "
        "image-text similarity matrix is the 'clip' variant, checked by its own claim. The "
        "gradient is checked with respect to a at N = d = 2 (the SymPy gradient is costly; b "
        "enters the formula symmetrically).",
        variants=(
            Variant("clip", "½[CE(rows) + CE(columns)] of cos(aᵢ, bⱼ)/τ with the matching "
                    "pair as target (CLIP)", **forms(S, "infonce_clip")),
        ),
        signature="f(a, b, tau=0.5) -> L: paired views (N, d) each",
    ),
    Entry(
        id="loss.triplet",
        section=SECTION,
        title="Triplet loss",
        used_in="Metric learning, face recognition (FaceNet)",
        **forms(S, "triplet"),
        notation=notation(S, "triplet"),
        domain=TRIPLET_DOMAIN,
        claims=(
            Derivative(symbolic(S, "d_triplet_stated"), wrt="anchor"),
            Agreement(TRIPLET),
            Gradient(("anchor", "positive", "negative"), TRIPLET_GRADIENT, domain=TRIPLET_ACTIVE,
                     label="gradient (active)"),
            Gradient(("anchor", "positive", "negative"), TRIPLET_GRADIENT,
                     domain=TRIPLET_CLIPPED, label="gradient (clipped)"),
        ),
        notes="Squared Euclidean distances as on the cheatsheet (FaceNet); PyTorch's "
        "TripletMarginLoss uses unsquared p-norm distances, a different loss. The difference of "
        "squared distances cancels, so accuracy is absolute (ulps of max(|L|, 1)) and scales "
        "with the embeddings' magnitude: checked for entries in [−1, 1].",
        variants=(
            Variant("plain distances (torch TripletMarginLoss)",
                    "max(0, ‖a − p + ε‖ − ‖a − n + ε‖ + margin): unsquared Euclidean "
                    "distances, torch adding ε = 1e-6 to each component of the difference",
                    **forms(S, "triplet_plain")),
        ),
        signature="f(anchor, positive, negative, margin=1.0) -> L, over the last axis",
    ),
)
