"""Section 2 · Calculus: the derivative table, the rules that drive backpropagation, and
gradient / Jacobian / Hessian on concrete functions."""

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

SECTION = Section(2, "calculus", "Calculus")
S = SECTION.slug

REALS = Domain(args=(Arg("x", low=-100.0, high=100.0, extremes=(0.0, -100.0, 100.0, 1e-6)),))
EXP_REALS = Domain(args=(Arg("x", low=-700.0, high=700.0, extremes=(0.0, -700.0, 700.0, 1e-8)),))
POSITIVE = Domain(args=(Arg("x", low=1e-4, high=1e4, kind="positive", extremes=(1e-4, 1.0, 1e4)),))
SMALL_POSITIVE = Domain(
    args=(Arg("x", low=1e-3, high=10.0, kind="positive", extremes=(1e-3, 1.0, 10.0)),)
)
# 3 and −9: where 1 − tanh² from a rounded tanh has lost 7 bits (fp32) / all of them.
TANH = Domain(args=(Arg("x", low=-100.0, high=100.0,
                        extremes=(0.0, -100.0, 100.0, 1e-6, 3.0, -9.0, 0.5, 0.51)),))
WIDE = Domain(args=(Arg("x", low=-1e4, high=1e4, extremes=(0.0, -1e4, 1e4, 1e-6, 300.0)),))
SIGMOID = Domain(args=(Arg("x", low=-1000.0, high=1000.0, extremes=(0.0, -1000.0, 1000.0)),))
ROSENBROCK = Domain(
    args=(Arg("x", ("n",), low=-2.0, high=2.0, extremes=(1.0, -2.0, 2.0, 0.0)),),
    sizes={"n": (2, 4)},
)
LAYER = Domain(
    args=(
        Arg("W", ("m", "n"), low=-1.0, high=1.0),
        Arg("x", ("n",), low=-1.0, high=1.0),
        Arg("b", ("m",), low=-1.0, high=1.0),
    ),
    # n ≥ 2: for n = 1 the engine's gradient check reads the m×1 matrix W as a vector
    sizes={"m": (1, 3), "n": (2, 3)},
)

LIBM = Budget(2, "exp/log/pow/tanh of glibc, SLEEF (u10) and NumPy's SIMD loops are ≤ 1 ulp; "
              "fp16/bf16 are computed in fp32 and rounded once (≤ 0.5 ulp + fp32's error)")
LIBM_GRAD = Budget(4, "the stated derivative is ≤ 2 table functions (≤ 1 ulp each) times the "
                   "cotangent, each product ≤ 0.5 ulp; no cancellation anywhere")
COMPOSITE = Budget(4, "two table functions (≤ 1 ulp each), one product or sum of same-sign "
                   "terms (≤ 0.5 ulp), a squaring (≤ 0.5 ulp); rounded up",
                   low_precision_ulps=3)
COMPOSITE_GRAD = Budget(8, "autograd multiplies ≤ 3 rounded factors (≤ 4 ulp) and adds "
                        "same-sign terms: 8 ulp")
ROSENBROCK_BUDGET = Budget(
    8,
    "per term t = x_{i+1} − x_i² has |δt| ≤ (x_i² + |t|)u, so 100t² errs by ≤ 200|t|(x_i²+|t|)u; "
    "with |x| ≤ 2 and f ≥ 100t² that is ≤ 80u = 40 ulp of max(f, 1) per term (AM–GM: "
    "max(100t², 1) ≥ 10|t|); plus (1 − x_i)² ≤ 3u and the sum of 2(n−1) positive terms ≤ "
    "2n ulp: a worst-case bound (measured errors are ~3 ulp)",
    per_length=42,
    length="n",
    scale="unit",
)
HESSIAN_BUDGET = Budget(
    12,
    "H_ii = 1200x_i² − 400x_{i+1} + 2 (+200) errs by ≤ 3u(1200x_i² + 400|x_{i+1}| + 202); "
    "M = max|H| ≥ max(200, 400|x_i|, 400|x_{i+1}|) (H_nn = 200, off-diagonals −400x_i), so "
    "with |x| ≤ 2 the error is ≤ 3u(3|x_i| + 1 + 1.01)·M ≤ 24u = 12 ulp of M, norm-wise",
    scale="row",
)
LAYER_BUDGET = Budget(
    3,
    "s = Wx + b by recursive summation errs by ≤ (n+1)u·Σ|W_ij x_j| + |b_i| ≤ (n+1)²u with "
    "entries in [−1, 1]; tanh′ ≤ 1 passes it on; tanh adds ≤ 1 ulp; (n+1)²/2 ≤ 2(n+1) for "
    "n ≤ 3; absolute error since |tanh| ≤ 1: 1 + 2(n + 1) ulp",
    per_length=2,
    length="n",
    scale="unit",
)


SIGMOID_BUDGET = Budget(
    4,
    "exp ≤ 1 ulp, one add and one divide ≤ 0.5 ulp each, cond(σ) ≤ 1; rounded to 4 "
    "(as act.sigmoid)",
    low_precision_ulps=2,
)


def _table_entry(
    name: str,
    title: str,
    used_in: str,
    domain: Domain,
    budget: Budget = LIBM,
    gradient_domain: Domain | None = None,
    notes: str = "",
    notation_name: str | None = None,
) -> Entry:
    return Entry(
        id=f"calc.d_{name}",
        section=SECTION,
        title=title,
        used_in=used_in,
        **forms(S, name),
        notation=notation(S, notation_name) if notation_name else None,
        domain=domain,
        claims=(
            Derivative(symbolic(S, f"d_{name}_stated"), wrt="x"),
            Agreement(budget),
            Gradient(("x",), LIBM_GRAD, domain=gradient_domain),
        ),
        notes=notes,
        signature="f(x) -> y, elementwise",
    )


ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="calc.d_power",
        section=SECTION,
        title="Derivative of xⁿ: n·xⁿ⁻¹",
        used_in="Polynomial features",
        **forms(S, "power"),
        notation=notation(S, "power"),
        domain=Domain(args=POSITIVE.args, params={"n": 2.5}),
        claims=(
            Derivative(symbolic(S, "d_power_stated"), wrt="x"),
            Agreement(LIBM),
            Gradient(("x",), LIBM_GRAD),
        ),
        notes="Proven for a symbolic real exponent n on x > 0; checked numerically at n = 2.5.",
        signature="f(x, n) -> x**n, elementwise",
    ),
    _table_entry("exp", "Derivative of eˣ: eˣ", "Softmax, exponential LR decay", EXP_REALS,
                 notation_name="exp"),
    _table_entry("log", "Derivative of ln x: 1/x", "Log-likelihood, cross-entropy", POSITIVE,
                 gradient_domain=Domain(args=(Arg("x", low=1e-2, high=1e4, kind="positive",
                                                  extremes=(1e-2, 1.0, 1e4)),)),
                 notes="The gradient claim starts at x = 0.01: the engine's fp64 central "
                       "differences use an absolute step of eps^(1/3) below |x| = 1, whose "
                       "truncation error (h/x)² exceeds 1e-6 for 1/x at x < 0.006.",
                 notation_name="log"),
    _table_entry("sigmoid", "Derivative of σ(x): σ(x)(1 − σ(x))",
                 "Sigmoid activation, logistic regression", SIGMOID, SIGMOID_BUDGET,
                 notation_name="sigmoid"),
    _table_entry("tanh", "Derivative of tanh x: 1 − tanh²(x)", "RNN/LSTM gates", TANH,
                 notation_name="tanh",
                 budget=Budget(5, "sign·(1 − e)/(1 + e), e = e^{−2|x|}: worst just above the "
                               "|x| = 0.5 switch from expm1, e ≤ 0.37: e's 1 ulp gives 1 − e "
                               "≤ 1.2u + 1u and 1 + e ≤ 0.6u + 1u relative, the divide 1u: "
                               "≤ 4.8u relative, i.e. ≤ 5 ulp (measured 3.0)"),
                 notes="The numeric forms are not torch.tanh/np.tanh: torch.tanh's backward forms "
                       "1 − y² from the rounded y, which loses relative accuracy like "
                       "e^{2|x|}·u (69 ulp at x = 3 in fp32, every digit by |x| ≈ 9). The "
                       "stated 1 − tanh² is exact mathematics but, evaluated in floating point "
                       "from tanh, ill-conditioned for large |x|; autograd through this form "
                       "adds only positive terms."),
    Entry(
        id="calc.chain_rule",
        section=SECTION,
        title="Chain rule: (f∘g)′ = f′(g(x))·g′(x)",
        used_in="Backpropagation (local gradient × upstream gradient)",
        **forms(S, "chain_rule"),
        notation=notation(S, "chain_rule"),
        domain=WIDE,
        claims=(
            Identity("holds for undefined f, g", symbolic(S, "chain_rule_general")),
            Derivative(symbolic(S, "d_chain_rule_stated"), wrt="x"),
            Agreement(COMPOSITE),
            Gradient(("x",), COMPOSITE_GRAD),
            Check("autograd on composites", check_fn(S, "autograd_chain")),
        ),
        notes="Concrete composite: log(1 + x²) = f(g(x)) with f(u) = log(1 + u), g(x) = x²; "
              "evaluated as 2·log|x| + log1p(1/x²) for |x| > 1 so that x² cannot overflow.",
        signature="f(x) -> log1p(x²), elementwise",
    ),
    Entry(
        id="calc.product_rule",
        section=SECTION,
        title="Product rule: (fg)′ = f′g + fg′",
        used_in="Backpropagation through gates and products",
        **forms(S, "product_rule"),
        notation=notation(S, "product_rule"),
        domain=SMALL_POSITIVE,
        claims=(
            Identity("holds for undefined f, g", symbolic(S, "product_rule_general")),
            Derivative(symbolic(S, "d_product_rule_stated"), wrt="x"),
            Agreement(COMPOSITE),
            Gradient(("x",), COMPOSITE_GRAD),
            Check("autograd on composites", check_fn(S, "autograd_product")),
        ),
        notes="Concrete product: x²·eˣ on x > 0 (both terms of the derivative positive).",
        signature="f(x) -> x²·eˣ, elementwise",
    ),
    Entry(
        id="calc.sum_rule",
        section=SECTION,
        title="Sum rule: (f + g)′ = f′ + g′",
        used_in="Backpropagation through residual connections and summed losses",
        **forms(S, "sum_rule"),
        notation=notation(S, "sum_rule"),
        domain=SMALL_POSITIVE,
        claims=(
            Identity("holds for undefined f, g", symbolic(S, "sum_rule_general")),
            Derivative(symbolic(S, "d_sum_rule_stated"), wrt="x"),
            Agreement(COMPOSITE),
            Gradient(("x",), COMPOSITE_GRAD),
            Check("autograd on composites", check_fn(S, "autograd_sum")),
        ),
        notes="Concrete sum: x² + eˣ on x > 0.",
        signature="f(x) -> x² + eˣ, elementwise",
    ),
    Entry(
        id="calc.gradient",
        section=SECTION,
        title="Gradient ∇f = [∂f/∂x₁, …, ∂f/∂xₙ]ᵀ",
        used_in="Every optimizer (direction of steepest ascent)",
        **forms(S, "gradient"),
        notation=notation(S, "gradient"),
        domain=ROSENBROCK,
        claims=(
            Derivative(symbolic(S, "d_gradient_stated"), wrt="x", sizes={"n": 3}),
            Agreement(ROSENBROCK_BUDGET),
            Gradient(("x",), Budget(16, "∂f/∂x_i has ≤ 3 terms of size ≤ 4800 with |x| ≤ 2; "
                                    "norm-wise over the gradient", scale="row")),
            Check("steepest ascent: max_u D_u f = ‖∇f‖ at u = ∇f/‖∇f‖",
                  check_fn(S, "steepest_ascent")),
        ),
        notes="f is the Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² on [−2, 2]ⁿ; "
              "its value near the valley x_{i+1} = x_i² is only accurate in absolute terms.",
        signature="f(x) -> scalar over the last axis",
    ),
    Entry(
        id="calc.jacobian",
        section=SECTION,
        title="Jacobian J_ij = ∂f_i/∂x_j",
        used_in="Normalizing flows, diffusion models",
        **forms(S, "jacobian"),
        notation=notation(S, "jacobian"),
        domain=LAYER,
        claims=(
            Derivative(symbolic(S, "d_jacobian_stated"), wrt="x", sizes={"m": 2, "n": 3}),
            Agreement(LAYER_BUDGET),
            Gradient(("W", "x", "b"), Budget(8, "vector-Jacobian product (1 − y²)·v through a "
                                             "sum of ≤ 4 terms; norm-wise", per_length=2,
                                             length="m", scale="row")),
            Check("autograd Jacobian = diag(1 − y²)W = differences", check_fn(S, "full_jacobian")),
        ),
        notes="f is a layer tanh(Wx + b): Rⁿ → Rᵐ; its Jacobian is diag(1 − f²)·W.",
        signature="f(W, x, b) -> tanh(Wx + b)",
    ),
    Entry(
        id="calc.hessian",
        section=SECTION,
        title="Hessian H_ij = ∂²f/∂x_i∂x_j",
        used_in="Loss landscape analysis, Newton's method",
        **forms(S, "hessian"),
        notation=notation(S, "hessian"),
        domain=ROSENBROCK,
        claims=(
            Identity("mixed partials commute", symbolic(S, "hessian_mixed_partials"),
                     sizes={"n": 3}),
            Identity("closed form", symbolic(S, "hessian_closed_form"), sizes={"n": 3}),
            Agreement(HESSIAN_BUDGET),
            Property("symmetric", check_fn(S, "symmetric"), 0, "built symmetric by construction"),
            Check("autograd Hessian = closed form = differences", check_fn(S, "full_hessian")),
            Check("critical points classified (exact)", check_fn(S, "critical_points_symbolic")),
            Check("critical points classified (autograd)", check_fn(S, "critical_points_numeric")),
        ),
        notes="Numeric forms are the hand-written tridiagonal Hessian of the Rosenbrock function; "
              "H ≻ 0 → minimum, H ≺ 0 → maximum, mixed signs → saddle (x³ − 3x + y³ − 3y has "
              "all three).",
        signature="f(x) -> H, (..., n, n)",
    ),
)
