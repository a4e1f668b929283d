"""Section 12 · Generative models."""

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

SECTION = Section(12, "generative", "Generative models")
S = SECTION.slug


ELBO_DOMAIN = Domain(
    args=(
        Arg("x", ("n",), -2.0, 2.0),
        Arg("W", ("n", "k"), -1.0, 1.0),
        Arg("b", ("n",), -2.0, 2.0),
        Arg("m", ("k",), -1.0, 1.0),
        Arg("logv", ("k",), -4.0, 2.0),
    ),
    sizes={"n": (1, 3), "k": (1, 2)},
    params={"s": 0.5},  # = checks.generative.OBSERVATION_SCALE
)
ONE_LATENT = Domain(args=ELBO_DOMAIN.args, sizes={"n": (1, 3), "k": (1, 1)}, params={"s": 0.5})
#: Where neither gradient cancels: r = x − Wm − b ≥ 1.75 and e^ℓ(‖W‖²/s² + 1) − 1 ≥ 0.65.
ELBO_GRADIENT = Domain(
    args=(
        Arg("x", ("n",), 1.0, 2.0),
        Arg("W", ("n", "k"), -0.5, 0.5),
        Arg("b", ("n",), -2.0, -1.0),
        Arg("m", ("k",), -0.5, 0.5),
        Arg("logv", ("k",), 0.5, 2.0),
    ),
    sizes={"n": (1, 3), "k": (1, 1)},
    params={"s": 0.5},
)

#: μ, ε ≥ 0: μ + σε cannot cancel, so a relative budget is meaningful (signed: Property).
SAME_SIGN_WHY = ("a relative budget holds only without cancellation: μ + σε (and √ᾱ x + "
                 "√(1 − ᾱ) ε) can cancel to any size with mixed signs")
REPARAM_SAME_SIGN = Domain(args=(
    Arg("mu", (), 0.0, 10.0), Arg("sigma", (), 1e-3, 10.0, kind="positive"),
    Arg("eps", (), 0.0, 4.0)), why=SAME_SIGN_WHY)
REPARAM_SIGNED = Domain(args=(
    Arg("mu", (), -10.0, 10.0), Arg("sigma", (), 1e-3, 10.0, kind="positive"),
    Arg("eps", (), -4.0, 4.0)))

LOGITS = Domain(
    args=(Arg("real_logits", ("n",), -30.0, 30.0, extremes=(30.0, -30.0, 0.0)),
          Arg("fake_logits", ("n",), -30.0, 30.0, extremes=(-30.0, 30.0, 0.0))),
    sizes={"n": (1, 8)},
)
DENSITIES = Domain(args=(Arg("p_data", (), 1e-3, 10.0, kind="positive"),
                         Arg("p_g", (), 1e-3, 10.0, kind="positive")))
DISTRIBUTIONS = Domain(
    args=(Arg("p", ("n",), 0.0, 1.0, kind="probability"),
          Arg("q", ("n",), 0.0, 1.0, kind="probability")),
    sizes={"n": (1, 8)},
)

BETA = Arg("beta", (), 1e-4, 0.5, kind="positive")
FORWARD_SAME_SIGN = Domain(args=(Arg("x_prev", (), 0.0, 10.0), Arg("eps", (), 0.0, 4.0), BETA),
                           why=SAME_SIGN_WHY)
FORWARD_SIGNED = Domain(args=(Arg("x_prev", (), -10.0, 10.0), Arg("eps", (), -4.0, 4.0), BETA))
MARGINAL_SAME_SIGN = Domain(
    args=(Arg("x0", ("d",), 0.0, 10.0), Arg("eps", ("d",), 0.0, 4.0),
          Arg("betas", ("T",), 1e-4, 0.5, kind="positive")),
    sizes={"d": (1, 4), "T": (1, 8)},
)
#: x_t ≥ 0 and ε ≤ 0: x_t − cε adds magnitudes (no cancellation).
REVERSE_SAME_SIGN = Domain(args=(
    Arg("x_t", (), 0.0, 10.0), Arg("eps", (), -4.0, 0.0), BETA,
    Arg("abar_prev", (), 1e-2, 1.0, kind="positive", extremes=(1.0,))))
LOSS = Domain(args=(Arg("eps", ("d",), -5.0, 5.0), Arg("eps_pred", ("d",), -5.0, 5.0)),
              sizes={"d": (1, 8)})

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="vae.elbo",
        section=SECTION,
        title="ELBO (evidence lower bound)",
        used_in="VAE training objective",
        **forms(S, "elbo"),
        notation=notation(S, "elbo"),
        domain=ELBO_DOMAIN,
        claims=(
            Identity("KL(N(μ,σ²)‖N(0,1)) = ½(σ² + μ² − 1 − log σ²), integrated",
                     symbolic(S, "gaussian_kl_closed_form")),
            Identity("log p(x) − ELBO = KL(q ‖ p(z|x)) (n = k = 1)",
                     symbolic(S, "elbo_gap_is_posterior_kl")),
            Agreement(Budget(
                8,
                "the pieces −(n/2)log 2πs², −‖r‖²/2s², −spread/2s², −KL all have one sign, "
                "so only r = x − Wm − b (k + 2 roundings of operands ≤ 2 + k) and the KL "
                "brackets v − 1 − log v cancel; each adds ≤ (k + 2) ulp of its operands, "
                "measured against max(|ELBO|, 1)", per_length=2, length="n", scale="unit")),
            Gradient(("x", "logv"), Budget(
                16, "−r/s² and ½ − ½e^ℓ(‖W_:j‖²/s² + 1): a residual of k + 2 operands and an "
                "exp, on a domain where neither cancels (ratio of terms to result ≤ 3)",
                per_length=2, length="n", scale="row"), domain=ELBO_GRADIENT),
            Property("ELBO ≤ log p(x) (known evidence N(b, WWᵀ + s²I))",
                     check_fn(S, "elbo_below_evidence"), 24,
                     "the agreement budget (8 + 2n ulp of max(|ELBO|, 1), n ≤ 4) plus the fp64 "
                     "log-determinant"),
            Property("ELBO = log p(x) at the exact posterior (k = 1)",
                     check_fn(S, "elbo_tight_at_posterior"), 24,
                     "the agreement budget; the posterior is rounded to the dtype, which "
                     "opens a gap of O(u²) only", domain=ONE_LATENT),
        ),
        notes="A linear-Gaussian VAE (p(z) = N(0, I), p(x|z) = N(Wz + b, s²I), diagonal "
        "Gaussian q = N(m, e^logv)) makes both ELBO terms closed-form and log p(x) known, so "
        "the bound is checked exactly, not by sampling.",
        signature="f(x, W, b, m, logv, s) -> ELBO",
    ),
    Entry(
        id="vae.reparameterization",
        section=SECTION,
        title="Reparameterization trick",
        used_in="Backprop through sampling (VAE)",
        **forms(S, "reparameterization"),
        notation=notation(S, "reparameterization"),
        domain=REPARAM_SIGNED,
        claims=(
            Derivative(symbolic(S, "d_reparameterization_d_mu"), wrt="mu"),
            Derivative(symbolic(S, "d_reparameterization_d_sigma"), wrt="sigma"),
            Agreement(Budget(1.5, "σε ½ ulp, the sum ½ ulp: same-signed terms",
                             low_precision_ulps=1.5), domain=REPARAM_SAME_SIGN),
            Property("|error| ≤ eps·(|μ| + |σε|) (signed)",
                     check_fn(S, "reparameterization_error_bound"), 1,
                     "two roundings of ½ ulp: u|σε| + u(|μ| + |σε|)"),
            Gradient(("mu", "sigma"), Budget(1, "∂z/∂μ = 1 and ∂z/∂σ = ε are exact",
                                             scale="row")),
            Check("z ~ N(μ, σ²); ∇ E[f(z)] by autograd = analytic",
                  check_fn(S, "reparameterization_gradients")),
        ),
        notes="Gradients flow to μ and σ because ε is an input: ∂z/∂μ = 1, ∂z/∂σ = ε.",
        signature="f(mu, sigma, eps) -> z, elementwise",
    ),
    Entry(
        id="gan.minimax",
        section=SECTION,
        title="GAN minimax value",
        used_in="GAN training (D ascends, G descends)",
        **forms(S, "gan_minimax"),
        notation=notation(S, "gan_minimax"),
        domain=LOGITS,
        claims=(
            Agreement(Budget(
                4,
                "log σ(a) = −softplus(−a) within 2 ulp (log1p and exp 1 ulp each); the two "
                "means of n non-positive terms add (n − 1) ulp relative and cannot cancel",
                per_length=1, length="n")),
            Gradient(("real_logits", "fake_logits"), Budget(
                8, "σ(−a)/n and −σ(b)/n: an exp, an add and a divide", scale="row")),
            Property("V ≤ 0", check_fn(S, "non_positive"), 0, "every term is a log of a "
                     "probability, computed as −softplus ≤ 0"),
            Check("= −(BCE(D(x), 1) + BCE(D(G(z)), 0))", check_fn(S, "minimax_matches_bce")),
        ),
        notes="Takes discriminator logits, D = σ(logit): log D = −softplus(−logit) stays "
        "finite when D saturates at 0 or 1 (log of a rounded σ would give −∞).",
        signature="f(real_logits, fake_logits) -> V, means over the last axis",
    ),
    Entry(
        id="gan.optimal_discriminator",
        section=SECTION,
        title="Optimal discriminator",
        used_in="GAN theory: D*(x) = p_data/(p_data + p_g)",
        **forms(S, "optimal_discriminator"),
        notation=notation(S, "optimal_discriminator"),
        domain=DENSITIES,
        claims=(
            Check("derived by pointwise maximisation",
                  symbolic(S, "optimal_discriminator_derived")),
            Agreement(Budget(2, "one add and one divide, ½ ulp each, positive operands")),
            Property("in [0, 1]", check_fn(S, "in_unit_interval"), 0,
                     "p ≤ p + q holds after rounding, so the quotient is ≤ 1"),
        ),
        signature="f(p_data, p_g) -> D*, elementwise",
    ),
    Entry(
        id="gan.equilibrium",
        section=SECTION,
        title="GAN equilibrium",
        used_in="GAN theory: at p_g = p_data, D* = ½ and the value is −log 4",
        **forms(S, "gan_equilibrium"),
        notation=notation(S, "gan_equilibrium"),
        domain=DISTRIBUTIONS,
        claims=(
            Identity("C(G) = −log 4 + 2·JSD(p_data‖p_g)", symbolic(S, "equilibrium_is_jsd")),
            Agreement(Budget(
                5,
                "every term u·log(u/(u+v)) is ≤ 0 and computed to ≤ 4 ulp (−u·log1p(v/u) "
                "when v ≤ u; otherwise the ratio is ≤ ½ and its log well conditioned); a sum "
                "of 2n same-signed terms adds (2n − 1) ulp", per_length=2, length="n")),
            Property("value −log 4 at p_g = p_data", check_fn(S, "equilibrium_value"), 24,
                     "the agreement budget (5 + 2n ulp, n ≤ 8) relative to log 4·Σp"),
            Property("−log 4 is the minimum over p_g", check_fn(S, "equilibrium_is_minimum"), 24,
                     "the agreement budget, absolute in eps at |C| ≤ log 4"),
        ),
        notes="The value V(D*, G) for discrete p_data = p, p_g = q; 0·log 0 = 0.",
        signature="f(p, q) -> V(D*, G), over the last axis",
    ),
    Entry(
        id="ddpm.forward",
        section=SECTION,
        title="DDPM forward step",
        used_in="Diffusion models: q(x_t | x_{t−1}) = N(√(1−β_t) x_{t−1}, β_t I)",
        **forms(S, "ddpm_forward"),
        notation=notation(S, "ddpm_forward"),
        domain=FORWARD_SIGNED,
        claims=(
            Agreement(Budget(4, "1 − β, two square roots, two products and a sum of "
                             "same-signed terms, ½ ulp each (the roots halve their argument's "
                             "error)"), domain=FORWARD_SAME_SIGN),
            Property("|error| ≤ 2 eps·(|√(1−β)x| + |√β ε|) (signed)",
                     check_fn(S, "forward_error_bound"), 2,
                     "the same six roundings, against the magnitudes of the two terms"),
            Check("sample moments of q(x_t | x_{t−1})", check_fn(S, "forward_step_moments")),
        ),
        notes="Returns the sample x_t given the noise ε ~ N(0, 1).",
        signature="f(x_prev, eps, beta) -> x_t, elementwise",
    ),
    Entry(
        id="ddpm.marginal",
        section=SECTION,
        title="DDPM direct jump",
        used_in="Diffusion training: sample x_t from x_0 in one step",
        **forms(S, "ddpm_marginal"),
        notation=notation(S, "ddpm_marginal"),
        domain=MARGINAL_SAME_SIGN,
        claims=(
            Identity("composing 3 steps gives √ᾱ_t x₀ + √(1 − ᾱ_t) ε",
                     symbolic(S, "marginal_by_composition")),
            Agreement(Budget(
                4,
                "log ᾱ = Σ log1p(−β) within T ulp of |log ᾱ|, which exp and −expm1 turn into "
                "relative errors of √ᾱ and √(1 − ᾱ) (halved by the roots); then two products "
                "and a same-signed sum", per_length=1, length="T")),
            Check("200 steps of ddpm.forward match the marginal (statistically)",
                  check_fn(S, "many_steps_match_marginal")),
        ),
        notes="ᾱ is formed as exp(Σ log1p(−β_s)) and 1 − ᾱ as −expm1(Σ log1p(−β_s)), so "
        "1 − ᾱ keeps its relative accuracy for small t.",
        signature="f(x0 (..., d), eps (..., d), betas (..., T)) -> x_T (..., d)",
    ),
    Entry(
        id="ddpm.reverse",
        section=SECTION,
        title="DDPM reverse step mean",
        used_in="Diffusion sampling: p_θ(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t² I)",
        **forms(S, "ddpm_reverse"),
        notation=notation(S, "ddpm_reverse"),
        domain=REVERSE_SAME_SIGN,
        claims=(
            Identity("posterior mean and variance of q(x_{t−1} | x_t, x₀), derived",
                     symbolic(S, "posterior_mean_derived")),
            Agreement(Budget(
                6,
                "1 − ᾱ_t from non-negative parts (≤ 1.5 ulp), its root, β/√·ε (1.5 ulp), a "
                "same-signed difference, √(1 − β) and the division: ≤ 6 ulp")),
        ),
        notes="μ_θ = (x_t − β_t/√(1 − ᾱ_t)·ε_θ)/√α_t, the ε-prediction form; args are β_t and "
        "ᾱ_{t−1} (ᾱ_t = ᾱ_{t−1}(1 − β_t)). 1 − ᾱ_t is computed as (1 − ᾱ_{t−1}) + ᾱ_{t−1}β_t: "
        "the direct 1 − ᾱ_t cancels for small β (fp16 rounds 1 − 1e-4 to 1).",
        signature="f(x_t, eps, beta, abar_prev) -> mean of x_{t−1}, elementwise",
    ),
    Entry(
        id="ddpm.loss",
        section=SECTION,
        title="DDPM training loss",
        used_in="Diffusion training: predict the noise",
        **forms(S, "ddpm_loss"),
        notation=notation(S, "ddpm_loss"),
        domain=LOSS,
        claims=(
            Agreement(Budget(2, "differences ½ ulp relative (doubled by squaring), squares ½, "
                             "a sum of d non-negative terms (d − 1) ulp", per_length=1,
                             length="d")),
            Gradient(("eps_pred",), Budget(4, "−2(ε − ε̂): one subtraction", scale="row")),
            Identity("‖μ̃ − μ_θ‖² = β²/(α(1 − ᾱ))·‖ε − ε̂‖²",
                     symbolic(S, "loss_is_weighted_mean_error")),
            Check("= F.mse_loss(reduction='sum')", check_fn(S, "loss_matches_mse")),
        ),
        notes="Per sample ‖ε − ε_θ(x_t, t)‖² over the last axis; the expectation over t, x₀ "
        "and ε is the training loop's mean.",
        signature="f(eps, eps_pred) -> loss, over the last axis",
    ),
)
