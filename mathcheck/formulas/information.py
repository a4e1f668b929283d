"""Section 10 · Information theory."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Domain,
    Entry,
    Gradient,
    Identity,
    Property,
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    numpy_form,
    symbolic,
    torch_form,
)

SECTION = Section(10, "information", "Information theory")
S = SECTION.slug

ONE = Domain(args=(Arg("p", ("n",), 0.0, 1.0, kind="probability"),), sizes={"n": (1, 8)})
TWO = Domain(
    args=(
        Arg("p", ("n",), 0.0, 1.0, kind="probability"),
        Arg("q", ("n",), 0.0, 1.0, kind="probability"),
    ),
    sizes={"n": (1, 8)},
)
#: Away from 0, where the gradients (log p + 1, −p/q) are finite.
POSITIVE_ONE = Domain(args=(Arg("p", ("n",), 0.05, 1.0, kind="positive"),), sizes={"n": (1, 8)})
POSITIVE_TWO = Domain(
    args=(
        Arg("p", ("n",), 0.05, 1.0, kind="positive"),
        Arg("q", ("n",), 0.05, 1.0, kind="positive"),
    ),
    sizes={"n": (1, 8)},
)
LOGPROBS = Domain(args=(Arg("logp", ("T",), -10.0, 0.0, extremes=(0.0, -10.0)),),
                  sizes={"T": (1, 16)})
JOINT = Domain(args=(Arg("P", ("m", "n"), 1e-3, 1.0, kind="positive"),),
               sizes={"m": (1, 3), "n": (1, 3)})

ONE_SIGNED_SUM = Budget(
    2,
    "every term −p log q is ≥ 0 (p, q ≤ 1): log ≤ 1 ulp and the product ½ ulp per term, and "
    "a recursive sum of n same-signed terms adds ≤ (n − 1) ulp relative",
    per_length=1,
    length="n",
)
KL_BUDGET = Budget(
    8,
    "KL = Σ p log p − Σ p log q cancels: each term is within 1.5 ulp and the sum adds "
    "(n − 1)u of Σ|terms| = H(p) + H(p,q) = 2H(p) + KL ≤ 2 log n + KL ≤ 4.2 + KL; measured "
    "against max(KL, 1) that is ≤ (1.5 + n)·5.2 ulp",
    per_length=5,
    length="n",
    scale="unit",
)
BITS_WHY = ("; in bits the value is multiplied by log₂ e: the constant rounded to the dtype "
            "(½ ulp) and the product (½ ulp) add 1 ulp")
BITS_SUM = Budget(3, ONE_SIGNED_SUM.why + BITS_WHY, per_length=1, length="n")
BITS_KL = Budget(9, KL_BUDGET.why + BITS_WHY, per_length=5, length="n", scale="unit")


def _bits(name: str, what: str, budget: Budget) -> Variant:
    """The quantity in bits (log₂ for ln): information theory's unit, scipy's base=2."""
    return Variant("bits (log₂)",
                   f"{what} with log₂ in place of ln (bits, not nats): the value divided by "
                   "ln 2, as scipy.stats.entropy(..., base=2) and information-theory texts "
                   "give it", numpy=numpy_form(S, f"{name}_bits"),
                   torch=torch_form(S, f"{name}_bits"), symbolic=symbolic(S, f"{name}_bits"),
                   budget=budget)


GRADIENT = Budget(8, "elementwise log p + 1, log q or p/q: a log or a divide (≤ 1 ulp) and "
                  "one add that cancels near p = 1/e, so absolute: |log p| + 1 ≤ 4 on "
                  "[0.05, 1], measured against max(|g|, 1)", scale="unit")

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="info.entropy",
        section=SECTION,
        title="Entropy",
        used_in="Uncertainty measure, decision trees",
        **forms(S, "entropy"),
        notation=notation(S, "entropy"),
        domain=ONE,
        claims=(
            Agreement(ONE_SIGNED_SUM),
            Gradient(("p",), GRADIENT, domain=POSITIVE_ONE),
            Property("0 ≤ H(p) ≤ log n", check_fn(S, "entropy_bounds"), 24,
                     "H within (2 + n) ulp relative, n ≤ 8, H ≤ log 8 < 2.1"),
            Property("0·log 0 = 0", check_fn(S, "entropy_conventions"), 4,
                     "H(½, ½, 0) = log 2 within the 2 + n ulp budget; H(one-hot) = 0 exactly"),
        ),
        notes="Natural log (nats). 0·log 0 = 0 by continuity. In bits (log₂) it is the "
        "'bits (log₂)' variant.",
        variants=(_bits("entropy", "−Σ p log₂ p", BITS_SUM),),
        signature="f(p) -> H, over the last axis",
    ),
    Entry(
        id="info.cross_entropy",
        section=SECTION,
        title="Cross-entropy",
        used_in="THE classification loss",
        **forms(S, "cross_entropy"),
        notation=notation(S, "cross_entropy"),
        domain=TWO,
        claims=(
            Agreement(ONE_SIGNED_SUM),
            Gradient(("p", "q"), GRADIENT, domain=POSITIVE_TWO),
            Property("H(p, q) ≥ H(p) (Gibbs)", check_fn(S, "gibbs"), 24,
                     "two cross-entropies each within (2 + n) ulp relative, values ≤ log 8 "
                     "+ KL; violation absolute"),
            Property("0·log q = 0; q = 0 < p gives +∞", check_fn(S, "zero_probability_conventions"),
                     0, "exact: the terms are 0 or −∞ by convention"),
        ),
        notes="q = 0 where p > 0 returns +∞ (the true value), never NaN; p = 0 terms are 0. "
        "Natural log (nats); in bits it is the 'bits (log₂)' variant.",
        variants=(_bits("cross_entropy", "−Σ p log₂ q", BITS_SUM),),
        signature="f(p, q) -> H(p, q), over the last axis",
    ),
    Entry(
        id="info.kl",
        section=SECTION,
        title="KL divergence",
        used_in="VAE loss, knowledge distillation",
        **forms(S, "kl"),
        notation=notation(S, "kl"),
        domain=TWO,
        claims=(
            Agreement(KL_BUDGET),
            Gradient(("p", "q"), GRADIENT, domain=POSITIVE_TWO),
            Property("KL ≥ 0", check_fn(S, "non_negative"), 48,
                     "the KL budget (8 + 5n ulp of max(KL, 1)) at n = 8"),
            Property("KL(p‖p) = 0", check_fn(S, "kl_self_zero"), 0,
                     "log p − log p is exactly 0 in every dtype"),
            Property("asymmetric: KL(½,½‖15/16,1/16) ≠ KL(15/16,1/16‖½,½)",
                     check_fn(S, "kl_asymmetric_example"), 8,
                     "two terms of magnitude ≤ 1.4, each within 1.5 ulp, one subtraction; the "
                     "two directions differ by 0.27 (34 eps even in bfloat16)"),
            Property("0·log 0 = 0; q = 0 < p gives +∞", check_fn(S, "zero_probability_conventions"),
                     0, "exact: the terms are 0 or +∞ by convention"),
            Check("zero iff p = q (Gibbs, derived)", symbolic(S, "gibbs_inequality")),
        ),
        notes="Computed as Σ p(log p − log q), never log(p/q): p/q overflows fp16 for small q. "
        "Near p = q it cancels, so accuracy is absolute (in units of max(KL, 1)). One row "
        "is one KL: F.kl_div's reductions act across rows, so per row reduction='sum' and "
        "'batchmean' on a (1, n) batch are this form, and 'mean' (or 'batchmean' on a 1-D "
        "row) is the 'mean over elements' variant.",
        variants=(
            Variant("reversed order KL(q‖p)",
                    "the arguments swapped: F.kl_div(input, target) takes the log of the "
                    "*second* distribution first, so F.kl_div(log p, q) is KL(q‖p)",
                    **forms(S, "kl_reversed")),
            Variant("mean over elements (reduction='mean')",
                    "KL(p‖q)/n: F.kl_div's reduction='mean' divides by the number of "
                    "elements; 'batchmean' (sum over classes, mean over rows) is the KL of "
                    "each row of a 2-D batch, but on an unbatched 1-D row it divides by "
                    "size(0) = n too, and gives this",
                    **forms(S, "kl_mean")),
            _bits("kl", "Σ p(log₂ p − log₂ q)", BITS_KL),
        ),
        signature="f(p, q) -> KL(p‖q), over the last axis",
    ),
    Entry(
        id="info.perplexity",
        section=SECTION,
        title="Perplexity",
        used_in="LLM evaluation metric",
        **forms(S, "perplexity"),
        notation=notation(S, "perplexity"),
        domain=LOGPROBS,
        claims=(
            Agreement(Budget(
                2,
                "the mean of T same-signed log-probabilities has absolute error ≤ T·u·|a| "
                "(|a| ≤ 10); exp turns it into a relative error, plus 1 ulp: ≤ 1 + 10T ulp",
                per_length=10, length="T")),
            Gradient(("logp",), Budget(8, "−PPL/T per component: exp within 1 + 10T ulp "
                                       "folded in the row scale", per_length=10, length="T",
                                       scale="row")),
            Identity("uniform over V gives V", symbolic(S, "perplexity_of_uniform"),
                     sizes={"T": 3}),
            Identity("= (Π P_t)^(−1/T)", symbolic(S, "perplexity_is_inverse_geometric_mean"),
                     sizes={"T": 3}),
            Property("uniform over V gives V (V up to 50257)", check_fn(S, "uniform_perplexity"),
                     8, "log V rounded to the dtype (≤ ½ ulp of ≤ 10.9 → 2.7 eps relative "
                     "after exp) plus the mean and exp (≤ 2 ulp)"),
        ),
        notes="Input: the T log-probabilities log P(x_t | x_<t) (natural log).",
        signature="f(logp) -> PPL, over the last axis",
    ),
    Entry(
        id="info.mutual_information",
        section=SECTION,
        title="Mutual information",
        used_in="Feature selection, information bottleneck",
        **forms(S, "mutual_information"),
        notation=notation(S, "mutual_information"),
        domain=JOINT,
        claims=(
            Agreement(Budget(
                8,
                "Σ P(log P − log P_x − log P_y) cancels: each log within 1 ulp, the sum of "
                "|terms| is H(X,Y) + H(X) + H(Y) ≤ 2 log(mn) ≤ 4.4 (m, n ≤ 3); normalising "
                "adds mn·u; measured against max(I, 1)",
                per_length=4, length="n", scale="unit")),
            Identity("I(X;Y) = H(X) − H(X|Y)", symbolic(S, "mi_is_entropy_minus_conditional")),
            Property("I ≥ 0", check_fn(S, "non_negative"), 20, "the agreement budget at n = 3"),
            Property("I = 0 for independent X, Y", check_fn(S, "mi_independent_zero"), 20,
                     "the agreement budget at n = 3; the product joint is rounded to the dtype, "
                     "which moves I by O(u²) only"),
        ),
        notes="Input: a joint table P(x, y) over the last two axes; it is normalised by its "
        "total first (a no-op on a true joint).",
        signature="f(P) -> I(X;Y), over the last two axes",
    ),
    Entry(
        id="info.ce_decomposition",
        section=SECTION,
        title="Cross-entropy = entropy + KL",
        used_in="Minimising cross-entropy = minimising KL from the true distribution",
        **forms(S, "ce_decomposition"),
        notation=notation(S, "ce_decomposition"),
        domain=TWO,
        claims=(
            Identity("H(p,q) = H(p) + KL(p‖q)", symbolic(S, "ce_equals_entropy_plus_kl"),
                     sizes={"n": 3}),
            Identity("∇_q H(p,q) = ∇_q KL(p‖q)", symbolic(S, "ce_gradient_equals_kl_gradient"),
                     sizes={"n": 3}),
            Agreement(Budget(
                10,
                "H(p) + KL(p‖q) against H(p,q): the KL budget plus H(p) within 2 + n ulp; "
                "measured against max(H(p,q), 1)",
                per_length=6, length="n", scale="unit")),
        ),
        notes="The numeric forms compute H(p) + KL(p‖q); the oracle is −Σ p log q.",
        signature="f(p, q) -> H(p) + KL(p‖q)",
    ),
)
