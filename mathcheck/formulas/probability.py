"""Section 3 · Probability & statistics: the core rules on finite joint tables, the key
distributions (normalisation, mean and variance derived), estimation (MLE, MAP) and moments."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Domain,
    Entry,
    Identity,
    Property,
    Section,
    check_fn,
    forms,
    notation,
    symbolic,
)

SECTION = Section(3, "probability", "Probability & statistics")
S = SECTION.slug

EVENTS = Domain(
    args=(Arg("p", ("n",), 0.0, 1.0, kind="probability"), Arg("a", ("n",), 0, 1, kind="binary"),
          Arg("b", ("n",), 0, 1, kind="binary")),
    sizes={"n": (1, 8)},
)
TABLE = Domain(
    args=(Arg("px", ("k",), 0.0, 1.0, kind="probability"),
          Arg("cond", ("k", "m"), 0.0, 1.0, kind="probability")),
    sizes={"k": (1, 4), "m": (2, 4)},  # m ≥ 2: a k×1 SymPy matrix would read as a vector
)
BAYES = Domain(
    args=(Arg("prior", ("n",), 0.0, 1.0, kind="probability"),
          Arg("likelihood", ("n",), 0.0, 1.0, kind="positive")),  # down to each dtype's tiny
    sizes={"n": (1, 8)},
)
BERNOULLI = Domain(args=(Arg("x", (), 0, 1, kind="binary", extremes=(0.0, 1.0, 1.0)),
                         Arg("p", (), 0.0, 1.0, extremes=(0.0, 1.0, 0.5))))
CATEGORICAL = Domain(
    args=(Arg("p", ("n",), 0.0, 1.0, kind="probability"), Arg("x", ("n",), 0, 1, kind="onehot")),
    sizes={"n": (1, 8)},
)
GAUSSIAN = Domain(args=(
    Arg("x", (), -5.0, 5.0, extremes=(0.0, -5.0, 5.0)),
    Arg("mu", (), -5.0, 5.0, extremes=(0.0, 5.0)),
    Arg("sigma", (), 0.4, 5.0, kind="positive", extremes=(0.4, 1.0, 5.0)),
))
MVN = Domain(
    args=(Arg("x", ("n",), -3.0, 3.0), Arg("mu", ("n",), -3.0, 3.0),
          Arg("sigma", ("n", "n"), -3.0, 3.0, kind="spd")),
    sizes={"n": (1, 3)},
)
SAMPLES = Domain(args=(Arg("x", ("n",), -10.0, 10.0),), sizes={"n": (2, 8)})
MAP_SAMPLES = Domain(args=(Arg("x", ("n",), -10.0, 10.0),), sizes={"n": (1, 8)},
                     params={"sigma": 1.0, "tau": 0.5},
                     ranges={"sigma": (0.1, 10.0), "tau": (0.1, 10.0)})
WEIGHTED = Domain(
    args=(Arg("x", ("n",), -10.0, 10.0), Arg("p", ("n",), 0.0, 1.0, kind="probability")),
    sizes={"n": (1, 8)},
)
OFFSET = Domain(
    args=(Arg("x", ("n",), -50, 50, kind="integer"),
          Arg("p", ("n",), 0.0, 1.0, kind="probability")),
    sizes={"n": (1, 8)},
)
PAIRED_UNIT = Domain(args=(Arg("x", ("n",), -1.0, 1.0), Arg("y", ("n",), -1.0, 1.0)),
                     sizes={"n": (2, 8)})
PAIRED = Domain(args=(Arg("x", ("n",), -1e3, 1e3), Arg("y", ("n",), -1e3, 1e3)),
                sizes={"n": (2, 8)})

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="prob.addition_rule",
        section=SECTION,
        title="Addition rule P(A∪B) = P(A) + P(B) − P(A∩B)",
        used_in="Counting overlapping events",
        **forms(S, "addition_rule"),
        notation=notation(S, "addition_rule"),
        domain=EVENTS,
        claims=(
            Identity("on the four cells of any two events", symbolic(S, "addition_rule_table")),
            Agreement(Budget(2, "three sums of ≤ n terms p_i·{0,1} (exact products), each ≤ 1, "
                             "err ≤ (n−1)u each; the add and subtract of numbers ≤ 2 add ≤ 4u: "
                             "≤ [3(n−1) + 4]u = 1.5(n−1) + 2 ulp of 1", per_length=1.5,
                             length="n", scale="unit")),
            Property("random finite tables: P(A∪B) counted directly",
                     check_fn(S, "union_counted_directly"), 13,
                     "the rule's ≤ 1.5(n−1) + 2 ulp with n ≤ 8, plus the direct sum's "
                     "(n−1)/2: ≤ 12.5 eps"),
        ),
        notes="Events are 0/1 indicator vectors a, b over n outcomes with probabilities p.",
        signature="f(p, a, b) -> P(A∪B)",
    ),
    Entry(
        id="prob.multiplication_rule",
        section=SECTION,
        title="Multiplication rule P(A∩B) = P(A)·P(B|A)",
        used_in="Chain rule of probability, autoregressive models",
        **forms(S, "multiplication_rule"),
        notation=notation(S, "multiplication_rule"),
        domain=TABLE,
        claims=(
            Identity("marginal × conditional = joint", symbolic(S, "multiplication_rule_table"),
                     sizes={"k": 2, "m": 3}),
            Agreement(Budget(0.5, "one product of two stored numbers, correctly rounded")),
            Check("random joint tables: P(X)·P(Y|X) = P(X, Y)", check_fn(S, "joint_recovered"),
                  per="combination", backends=("numpy", "torch"),
                  dtypes=("float64", "float32", "float16", "bfloat16")),
        ),
        signature="f(px (k,), cond (k, m)) -> joint (k, m)",
    ),
    Entry(
        id="prob.bayes",
        section=SECTION,
        title="Bayes' theorem P(A|B) = P(B|A)P(A)/P(B)",
        used_in="Naive Bayes, MAP estimation, Bayesian neural nets, posterior inference",
        **forms(S, "bayes"),
        notation=notation(S, "bayes"),
        domain=BAYES,
        claims=(
            Identity("from the multiplication rule both ways", symbolic(S, "bayes_table")),
            Agreement(Budget(2, "likelihood/max ≤ u, × prior ≤ u, total probability by a sum of "
                             "n positive terms ≤ (n−1)u, divide ≤ u: relative ≤ (n + 2)u per "
                             "entry; measured against the largest posterior", per_length=1,
                             length="n", scale="row")),
            Property("posterior sums to 1", check_fn(S, "sums_to_one"), 10,
                     "each entry within (n + 2)u relative, n ≤ 8, the sum in fp64: ≤ 10 eps"),
            Check("random joint tables: posterior = normalised joint column",
                  check_fn(S, "posterior_from_joint"), per="combination",
                  backends=("numpy", "torch"), dtypes=("float64", "float32", "float16",
                                                       "bfloat16")),
        ),
        notes="P(B) by total probability Σ_j P(B|A_j)P(A_j); the likelihood is divided by its "
              "maximum first, so tiny densities do not underflow.",
        signature="f(prior (n,), likelihood (n,)) -> posterior (n,)",
    ),
    Entry(
        id="prob.bernoulli",
        section=SECTION,
        title="Bernoulli P(X=1) = p: mean p, variance p(1 − p)",
        used_in="Binary classification",
        **forms(S, "bernoulli"),
        notation=notation(S, "bernoulli"),
        domain=BERNOULLI,
        claims=(
            Identity("normalised: Σ_x P(x) = 1", symbolic(S, "bernoulli_normalised")),
            Identity("mean p (derived)", symbolic(S, "bernoulli_mean")),
            Identity("variance p(1 − p) (derived)", symbolic(S, "bernoulli_variance")),
            Agreement(Budget(0.5, "p exactly, or 1 − p correctly rounded")),
        ),
        signature="f(x ∈ {0, 1}, p) -> P(X = x), elementwise",
    ),
    Entry(
        id="prob.categorical",
        section=SECTION,
        title="Categorical P(X=k) = p_k",
        used_in="Multi-class output",
        **forms(S, "categorical"),
        notation=notation(S, "categorical"),
        domain=CATEGORICAL,
        claims=(
            Identity("normalised: Σ_k p_k = 1", symbolic(S, "categorical_normalised"),
                     sizes={"n": 3}),
            Identity("mean of the one-hot: p (derived)", symbolic(S, "categorical_mean"),
                     sizes={"n": 3}),
            Identity("covariance of the one-hot: diag(p) − ppᵀ (derived)",
                     symbolic(S, "categorical_covariance"), sizes={"n": 3}),
            Agreement(Budget(0, "exact: one nonzero term p_k·1, the rest exact zeros")),
        ),
        notes="The cheatsheet gives no mean/variance ('—'); for the one-hot encoding they are p "
              "and diag(p) − ppᵀ, derived here.",
        signature="f(p (n,), x one-hot (n,)) -> p_k",
    ),
    Entry(
        id="prob.gaussian",
        section=SECTION,
        title="Gaussian N(x; μ, σ²) = exp(−(x−μ)²/(2σ²)) / (σ√(2π))",
        used_in="Weight init, noise, VAE",
        **forms(S, "gaussian"),
        notation=notation(S, "gaussian"),
        domain=GAUSSIAN,
        claims=(
            Identity("integrates to 1", symbolic(S, "gaussian_normalised")),
            Identity("mean μ (derived)", symbolic(S, "gaussian_mean")),
            Identity("variance σ² (derived)", symbolic(S, "gaussian_variance")),
            Agreement(Budget(4, "t = (x−μ)/σ errs ≤ 2u relative, so t²/2 ≤ 2.5u·t² absolute and "
                             "exp(−t²/2) ≤ (2.5t² + 1)u relative; σ√(2π) and the divide ≤ 3u. "
                             "Absolute: e^{−t²/2}t² ≤ 2/e and 1/(σ√(2π)) ≤ 1 for σ ≥ 0.4, so "
                             "≤ 5.9u ≤ 3 ulp of 1", scale="unit")),
        ),
        notes="The density's *relative* error grows like 2.5t²·u in the tails (t = (x−μ)/σ): "
              "inherent to exp of a rounded quadratic; use a log-density there "
              "(prob.multivariate_gaussian is one, for any n).",
        signature="f(x, mu, sigma) -> pdf, elementwise",
    ),
    Entry(
        id="prob.multivariate_gaussian",
        section=SECTION,
        title="Multivariate Gaussian log N(x; μ, Σ)",
        used_in="Latent spaces, GMMs",
        **forms(S, "multivariate_gaussian"),
        notation=notation(S, "multivariate_gaussian"),
        domain=MVN,
        claims=(
            Identity("affine image of standard normals: p(μ + Lz)·det L = Π φ(z_i)",
                     symbolic(S, "multivariate_gaussian_change_of_variables"), sizes={"n": 2}),
            Identity("∫φ = 1, ∫zφ = 0, ∫z²φ = 1 ⇒ normalised, mean μ, covariance LLᵀ = Σ",
                     symbolic(S, "standard_normal_moments")),
            Agreement(Budget(4, "Cholesky and the triangular solve are backward stable "
                             "(ΔΣ ≤ γ_{n+1}|L||Lᵀ|), so log det and the Mahalanobis term err by "
                             "≲ (n+1)u·cond(Σ) each per unit of their size; absolute error "
                             "against max(|y|, 1)", per_length=4, length="n", scale="unit",
                             cond_arg="sigma")),
            Check("stable for near-singular and extremely scaled Σ", check_fn(S, "near_singular"),
                  per="combination", backends=("numpy", "torch"), dtypes=("float64", "float32")),
        ),
        notes="Numeric forms return the log-density via Σ = LLᵀ: log det Σ = 2Σ log L_ii and "
              "‖L⁻¹(x−μ)‖²; never Σ⁻¹ or det Σ. fp16/bf16 are factorised in fp32 (LAPACK and "
              "torch.linalg have no half-precision Cholesky) and rounded once. A Σ that is not "
              "positive definite after rounding gives NaN.",
        signature="f(x (n,), mu (n,), sigma (n, n)) -> log pdf",
    ),
    Entry(
        id="prob.mle",
        section=SECTION,
        title="MLE θ̂ = argmax Σ log p(x_i | θ) (Gaussian: sample mean, biased variance)",
        used_in="Fitting any likelihood model",
        **forms(S, "mle"),
        notation=notation(S, "mle"),
        domain=SAMPLES,
        claims=(
            Identity("solves the score equations ∂ℓ/∂μ = ∂ℓ/∂σ² = 0",
                     symbolic(S, "mle_score_equations"), sizes={"n": 3}),
            Identity("a maximum: Hessian diag(−n/σ̂², −n/(2σ̂⁴)) ≺ 0",
                     symbolic(S, "mle_is_maximum"), sizes={"n": 3}),
            Agreement(Budget(4, "mean: Σx errs ≤ (n−1)u·Σ|x_i| ≤ 10(n−1)u·n, /n: ≤ 5(n−1) ulp of "
                             "1 for |x| ≤ 10; variance (corrected two-pass) ≤ (n + 4)u relative; "
                             "absolute against max(|y|, 1) since the mean may cancel",
                             per_length=5, length="n", scale="unit")),
            Check("biased: E[σ̂²] = (n − 1)σ²/n (sampling, 99.999 %)",
                  check_fn(S, "mle_variance_bias")),
        ),
        notes="Output (μ̂, σ̂²) on the last axis; σ̂² divides by n (the MLE), not n − 1.",
        signature="f(x (n,)) -> (mean, biased variance)",
    ),
    Entry(
        id="prob.map",
        section=SECTION,
        title="MAP θ̂ = argmax [Σ log p(x_i | θ) + log p(θ)]",
        used_in="Regularisation (Gaussian prior → L2, Laplace prior → L1)",
        **forms(S, "map_estimate"),
        notation=notation(S, "map_estimate"),
        domain=MAP_SAMPLES,
        claims=(
            Identity("Gaussian prior ⇒ L2: −log p(θ) = ‖θ‖²/(2τ²) + const",
                     symbolic(S, "map_gaussian_prior_is_l2"), sizes={"n": 3}),
            Identity("Laplace prior ⇒ L1: −log p(θ) = ‖θ‖₁/b + const",
                     symbolic(S, "map_laplace_prior_is_l1"), sizes={"n": 3}),
            Identity("Gaussian-prior MAP solves the penalised score equation",
                     symbolic(S, "map_penalised_score"), sizes={"n": 3}),
            Agreement(Budget(2, "Σx errs ≤ (n−1)u·Σ|x_i| ≤ 10n(n−1)u; divided by n + σ²/τ² ≥ n: "
                             "≤ 5(n−1) ulp of 1; the divide ≤ 1 ulp relative", per_length=5,
                             length="n", scale="unit")),
            Identity("Laplace prior ⇒ soft-thresholding: branch stationary points x̄ ∓ σ²/(nb) "
                     "(derived)", symbolic(S, "map_laplace_soft_threshold"), sizes={"n": 3}),
            Check("Laplace-prior MAP = argmin of −log posterior",
                  check_fn(S, "laplace_soft_threshold_numeric")),
        ),
        notes="Model: x_i ~ N(θ, σ²) with σ = 1; prior N(0, τ²) with τ = 0.5 gives the ridge "
              "estimate Σx/(n + σ²/τ²); a Laplace(0, b) prior gives x̄ soft-thresholded at "
              "σ²/(nb) (map_laplace in the numeric modules).",
        signature="f(x (n,), sigma, tau) -> θ̂",
    ),
    Entry(
        id="prob.expectation",
        section=SECTION,
        title="Expectation E[X] = Σ x·P(x)",
        used_in="Every loss is an expectation",
        **forms(S, "expectation"),
        notation=notation(S, "expectation"),
        domain=WEIGHTED,
        claims=(
            Identity("linear: E[aX + c] = aE[X] + c", symbolic(S, "expectation_linear"),
                     sizes={"n": 3}),
            Agreement(Budget(1, "a dot product of n terms errs ≤ nu·Σ|x_i|p_i ≤ 10nu for "
                             "|x| ≤ 10: 5n ulp of 1 (absolute: the sum may cancel)",
                             per_length=5, length="n", scale="unit")),
        ),
        signature="f(x (n,), p (n,)) -> E[X]",
    ),
    Entry(
        id="prob.variance",
        section=SECTION,
        title="Variance Var(X) = E[X²] − (E[X])²",
        used_in="Normalisation, initialisation, uncertainty",
        **forms(S, "variance"),
        notation=notation(S, "variance"),
        domain=WEIGHTED,
        claims=(
            Identity("Var X = E[X²] − (E X)²", symbolic(S, "variance_shortcut"), sizes={"n": 3}),
            Agreement(Budget(4, "corrected two-pass: deviations from the (clipped) mean err "
                             "≤ u relative, their weighted squares summed ≤ (n + 2)u, the "
                             "correction (Σw d)² is second order: relative ≤ (n + 4)u, plus "
                             "the first-pass mean's error δ ≤ n·u·max|x| squared, δ²/Var = "
                             "(n·max|x|/σ)²u² relative (rows with a large common offset)",
                             per_length=1, length="n", cond_arg="x", cond_kind="offset",
                             cond_weights="p")),
            Property("stable under a large offset (c = 1/eps)", check_fn(S, "offset_stable"),
                     8, "x + c is exact; the corrected two-pass error is (n + 4)u relative "
                     "plus ≤ 3u·δ²/Var, δ the first-pass mean's error; NumPy and Torch "
                     "accumulate fp16/bf16 in fp32, so the mean is correctly rounded and "
                     "δ ≤ dist(μ, grid) ≤ |x_i − μ|, i.e. δ² ≤ Var: ≤ (n + 7)u ≤ 7.5 eps "
                     "for n ≤ 8", domain=OFFSET),
        ),
        notes="Weights are normalised by their sum (a no-op for exact probabilities), so their "
              "rounding in low precision cannot turn into c²-sized errors. The textbook "
              "E[X²] − (EX)² is the stated identity, never the algorithm.",
        signature="f(x (n,), p (n,)) -> Var X",
    ),
    Entry(
        id="prob.covariance",
        section=SECTION,
        title="Covariance Cov(X, Y) = E[(X − μ_X)(Y − μ_Y)]",
        used_in="PCA, Gaussian models, whitening",
        **forms(S, "covariance"),
        notation=notation(S, "covariance"),
        domain=PAIRED_UNIT,
        claims=(
            Identity("Cov(X, Y) = E[XY] − E[X]E[Y]", symbolic(S, "covariance_shortcut"),
                     sizes={"n": 3}),
            Agreement(Budget(3, "corrected two-pass: Σ dx·dy errs ≤ (n + 3)u·Σ|dx||dy|/n ≤ "
                             "(n + 3)u·σ_Xσ_Y ≤ (n + 3)u for data in [−1, 1] (Cauchy–Schwarz): "
                             "absolute, as the sum may cancel", per_length=0.5, length="n",
                             scale="unit")),
        ),
        notes="Population covariance (1/n) of paired samples.",
        signature="f(x (n,), y (n,)) -> Cov",
    ),
    Entry(
        id="prob.correlation",
        section=SECTION,
        title="Correlation ρ = Cov(X, Y)/(σ_X σ_Y)",
        used_in="Feature analysis, similarity",
        **forms(S, "correlation"),
        notation=notation(S, "correlation"),
        domain=PAIRED,
        claims=(
            Identity("Lagrange: ‖dx‖²‖dy‖² − (dx·dy)² = Σ_{i<j}(dx_i dy_j − dx_j dy_i)² ≥ 0",
                     symbolic(S, "correlation_bound"), sizes={"n": 3}),
            Agreement(Budget(3, "unit-range deviations (the mean's error cancels in the "
                             "corrected sums to first order), dot products of n terms ≤ "
                             "nu·‖dx‖‖dy‖, a sqrt and a divide: ≤ (n + 3)u of |ρ| ≤ 1, "
                             "absolute; plus the second-order term of the first-pass means' "
                             "errors, (n·max|x|/σ)²u² for a sample with a large offset",
                             per_length=0.5, length="n", scale="unit", cond_arg=("x", "y"),
                             cond_kind="offset")),
            Property("ρ ∈ [−1, 1]", check_fn(S, "in_unit_ball"), 0,
                     "clamped: rounding alone could leave [−1, 1] by an ulp"),
        ),
        notes="Undefined (NaN) when either input is constant. Each sample is scaled to unit "
              "range before and after centring (ρ is scale-free), so fp16 data anywhere in its "
              "range, subnormals included, neither overflows nor underflows.",
        signature="f(x (n,), y (n,)) -> ρ",
    ),
)
