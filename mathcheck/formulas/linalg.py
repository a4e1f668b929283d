"""Section 1 · Linear algebra.

Error scales: sums and products with cancellation (dot, matmul, trace, xᵀAx) have no
relative error bound, so their inputs live in [−1, 1] and errors are measured in ulps of
max(|y|, 1) ("unit" scale): the classical bound γ_n·(|A||B|) is then at most n·n·u. The
models are homogeneous, so this loses no generality. Decompositions are not unique (signs,
rotations within repeated eigenvalues); their unique parts (eigenvalues, singular values) are
compared with mpmath at 50 digits, the rest is checked by properties every valid
decomposition has.
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

SECTION = Section(1, "linalg", "Linear algebra")
S = SECTION.slug

# --------------------------------------------------------------------------- domains


def _vec(name: str, low: float = -1.0, high: float = 1.0, **kw: object) -> Arg:
    return Arg(name, ("n",), low, high, **kw)  # type: ignore[arg-type]


UNIT_VECTORS = Domain(
    args=(_vec("a", extremes=(1.0, -1.0, 0.5, 0.0)), _vec("b", extremes=(-1.0, 0.25, 1.0, 1.0))),
    sizes={"n": (1, 8)},
)
VECTORS = Domain(
    args=(_vec("a", -10.0, 10.0, extremes=(10.0, -3.0, 1e-3, 0.0)),
          _vec("b", -10.0, 10.0, extremes=(-7.0, 2.0, 10.0, 0.5))),
    sizes={"n": (1, 8)},
)
HUGE_VECTOR = Domain(
    args=(_vec("a", -1e300, 1e300, extremes=(1e200, -1e200, 1e30, -1e30, 3.0, 0.0)),),
    sizes={"n": (1, 8)},
)
SMOOTH_VECTOR = Domain(args=(_vec("a", 1e-2, 10.0, kind="positive"),), sizes={"n": (1, 8)})
INTEGER_VECTOR = Domain(args=(_vec("a", -10, 10, kind="integer"),), sizes={"n": (1, 8)})
PROJECTION = Domain(
    args=(_vec("a", extremes=(1.0, -1.0, 0.5)), _vec("b", -10.0, 10.0, extremes=(10.0, -3.0, 0.0))),
    sizes={"n": (1, 4)},
)


def _mat(name: str, rows: str, cols: str, low: float = -1.0, high: float = 1.0,
         **kw: object) -> Arg:
    return Arg(name, (rows, cols), low, high, **kw)  # type: ignore[arg-type]


SIZES = (1, 4)
# The engine reads an r×1 SymPy matrix as a length-r vector, so a matrix output's column count
# starts at 2 (COLS); inner dimensions still start at 1.
COLS = (2, 4)
MATMUL = Domain(args=(_mat("A", "m", "k"), _mat("B", "k", "p")),
                sizes={"m": SIZES, "k": SIZES, "p": COLS})
MATMUL3 = Domain(args=(_mat("A", "m", "k"), _mat("B", "k", "p"), _mat("C", "p", "q")),
                 sizes={"m": SIZES, "k": SIZES, "p": SIZES, "q": SIZES})
ANY_MATRIX = Domain(args=(_mat("A", "m", "n", -10.0, 10.0),), sizes={"m": COLS, "n": SIZES})
SQUARE = Domain(args=(_mat("A", "n", "n", -10.0, 10.0, kind="square"),), sizes={"n": COLS})
TWO_SQUARE = Domain(args=(_mat("A", "n", "n", -10.0, 10.0, kind="square"),
                          _mat("B", "n", "n", -10.0, 10.0, kind="square")), sizes={"n": COLS})
UNIT_SQUARE = Domain(args=(_mat("A", "n", "n"),), sizes={"n": COLS})
TRACE_PAIR = Domain(args=(_mat("A", "m", "n"), _mat("B", "n", "m")),
                    sizes={"m": SIZES, "n": SIZES})
ELEMENTWISE = Domain(args=(_mat("A", "m", "n", -10.0, 10.0), _mat("B", "m", "n", -10.0, 10.0)),
                     sizes={"m": SIZES, "n": COLS})
INTEGER_TRIPLE = Domain(args=tuple(_mat(x, "m", "n", -10, 10, kind="integer") for x in "ABC"),
                        sizes={"m": SIZES, "n": SIZES})
SYMMETRIC = Domain(args=(_mat("A", "n", "n", -10.0, 10.0, kind="symmetric"),),
                   sizes={"n": SIZES})
RECTANGULAR = Domain(args=(_mat("A", "m", "n", -10.0, 10.0),), sizes={"m": (1, 4), "n": (1, 4)})
LOW_RANK = Domain(args=(_mat("A", "m", "n", -10.0, 10.0),), sizes={"m": (2, 4), "n": (2, 4)},
                  params={"k": 1})
PCA = Domain(args=(_mat("X", "N", "d", -10.0, 10.0),), sizes={"N": (4, 6), "d": (2, 3)},
             params={"k": 2})
QUADRATIC = Domain(args=(_vec("x"), _mat("A", "n", "n")), sizes={"n": COLS})
SPD_QUADRATIC = Domain(args=(_vec("x", -10.0, 10.0), _mat("A", "n", "n", -10.0, 10.0, kind="spd")),
                       sizes={"n": SIZES})
GRAM = Domain(args=(_mat("A", "m", "n"),), sizes={"m": SIZES, "n": COLS})
ORTHO = Domain(args=(_mat("A", "n", "n", -10.0, 10.0, kind="square"), _vec("x", -10.0, 10.0)),
               sizes={"n": SIZES})
LORA = Domain(args=(_mat("B", "d", "r"), _mat("A", "r", "k")),
              sizes={"d": (3, 4), "r": (1, 2), "k": (3, 4)})

# --------------------------------------------------------------------------- budgets

#: Where a tolerance rests on LAPACK's unspecified constant, the measured worst case backs it:
#: 6 × 30 × 50 random sparse 1–4 × 1–4 matrices, entries scaled by 2^−6 … 2^2, both backends.
MEASURED = "Measured worst over 9000 random sparse matrices with entries spanning 2^8:"

DOT = Budget(1, "|fl(a·b) − a·b| ≤ γ_n·Σ|aᵢbᵢ| ≤ n·u·n for entries in [−1, 1]: n²u = n²/2 "
             "ulp of 1 ≤ 4n ulp for n ≤ 8, + the final rounding", per_length=4, length="n",
             scale="unit")
COSINE = Budget(2, "â = a/‖a‖ within (n/2 + 2)u per entry (norm (n+1)/2 ulp, one divide); the "
                "dot of unit vectors adds γ_n·Σ|âᵢb̂ᵢ| ≤ n·u; |cos| ≤ 1, so absolute: (2n + 4)u "
                "= (n + 2) ulp of 1", per_length=1, length="n", scale="unit")
L2 = Budget(1, "scaling by 2^−e is exact; n squares and n − 1 adds: relative ≤ n·u in Σaᵢ², "
            "halved by √ and ½ ulp for its rounding: (n + 1)/2 ulp", per_length=0.5,
            length="n")
L1 = Budget(1, "|aᵢ| exact; n − 1 additions of nonnegative terms: relative ≤ (n − 1)·u ≤ "
            "(n − 1) ulp, + ½ ulp", per_length=1, length="n")
PROJ = Budget(1, "|Δ(a·b̂)| ≤ n·u‖a‖‖b̂‖, b̂·b̂ relative (n + 1)u, one divide, one multiply: "
              "|Δpᵢ| ≤ (2n + 2)u‖a‖ ≤ (n + 1)√n ulp of 1 for a in [−1, 1]ⁿ; ≤ 1 + 2.5n for n ≤ 4",
              per_length=2.5, length="n", scale="unit")
MATMUL_BUDGET = Budget(1, "|fl(AB) − AB| ≤ γ_k·|A||B| ≤ k·u·k for entries in [−1, 1]: k²/2 ulp "
                       "of 1 ≤ 2k ulp for k ≤ 4", per_length=2, length="k", scale="unit")
EXACT = Budget(0.5, "moves values without arithmetic, so exact; ½ ulp is the smallest budget "
               "the ratio error/budget can carry (0 would read 0/0)")
INVERSE = Budget(1, "LU inverse (gesv/getri): ‖X̂ − A⁻¹‖₂ ≤ c·n·u·κ₂(A)‖A⁻¹‖₂ with c ≈ 1; "
                 "entrywise against max|A⁻¹| loses ≤ n more: n²·κ ≤ 4n·κ ulp for n ≤ 4. "
                 "float16/bfloat16 invert in float32 and round once", per_length=4, length="n",
                 scale="row", cond_arg="A")
TRACE = Budget(1, "n − 1 additions of |Aᵢᵢ| ≤ 1: (n − 1)·u·n = n(n − 1)/2 ulp of 1 ≤ 1.5n",
               per_length=1.5, length="n", scale="unit")
PRODUCT = Budget(0.5, "one correctly rounded product (the exact product of two inputs fits the "
                 "float32 that low precision computes in, so it rounds once)")
EIGVALS = Budget(1, "Weyl: |Δλ| ≤ ‖ΔA‖₂, and eigh is backward stable with ‖ΔA‖₂ ≤ p(n)·u‖A‖₂; "
                 "LAPACK states p(n) only as 'modestly growing' (Users' Guide §4.7), so p = c·n "
                 "with c = 4, the constant of this entry's residual and orthogonality budgets "
                 "(c = 2 failed at 10⁴ inputs: 10.2 ulp at n = 3); measured against "
                 "max|λ| = ‖A‖₂", per_length=4, length="n", scale="row")
SIGMAS = Budget(1, "Weyl for singular values: |Δσ| ≤ ‖ΔA‖₂ ≤ p·u‖A‖₂ for a backward-stable "
                "SVD, p = c·max(m, n) with c = 4 as for eigenvalues (LAPACK's p is only "
                "'modestly growing'), against σ₁ = ‖A‖₂; m, n ≤ 4", per_length=4,
                length=("m", "n"), scale="row")
QUAD = Budget(1, "Ax within γ_n|A||x|, then x·(Ax) within γ_n: ≤ 2n·u·|x|ᵀ|A||x| ≤ 2n³u = n³ ulp "
              "of 1 for entries in [−1, 1] ≤ 16n for n ≤ 4", per_length=16, length="n",
              scale="unit")
QUAD_GRAD = Budget(1, "v·(A + Aᵀ)x: two matrix-vector products within n·u·n each, times |v| ≤ 4 "
                   "(a normal cotangent): 16n²u ≤ 32n ulp of 1 for n ≤ 4; v·xᵢxⱼ: 2 roundings",
                   per_length=32, length="n", scale="unit")
GRAM_BUDGET = Budget(1, "each entry of AᵀA is a dot product of m terms with |·| ≤ 1: γ_m·m ≤ "
                     "m²u = m²/2 ulp of 1 ≤ 2m for m ≤ 4", per_length=2, length="m", scale="unit")
SYMMETRISE = Budget(1.5, "½ ulp for the add; halving is exact except for subnormals, where "
                    "each half may round by ½ ulp")
LORA_BUDGET = Budget(1, "BA: dot products of r terms in [−1, 1]: γ_r·r ≤ r²u = r²/2 ulp of 1 ≤ "
                     "2r", per_length=2, length="r", scale="unit")

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="linalg.dot",
        section=SECTION,
        title="Dot product",
        used_in="Attention scores, similarity",
        **forms(S, "dot"),
        notation=notation(S, "dot"),
        domain=UNIT_VECTORS,
        claims=(
            Agreement(DOT),
            Identity("commutative: a·b = b·a", symbolic(S, "dot_commutative")),
            Identity("a·b = ‖a‖‖b‖cos θ (polar form in the plane of a and b)",
                     symbolic(S, "dot_geometric")),
            Derivative(symbolic(S, "d_dot_stated"), wrt="a"),
            Gradient(("a", "b"), Budget(1, "v·bᵢ and v·aᵢ: one rounded product each")),
            Property("commutative in floating point", check_fn(S, "commutes"), 0,
                     "aᵢbᵢ = bᵢaᵢ exactly and the summation order is the same"),
        ),
        signature="f(a, b) -> a·b over the last axis",
    ),
    Entry(
        id="linalg.cosine_similarity",
        section=SECTION,
        title="Cosine similarity",
        used_in="Embeddings, RAG retrieval, semantic search",
        **forms(S, "cosine_similarity"),
        notation=notation(S, "cosine_similarity"),
        domain=VECTORS,
        claims=(
            Agreement(COSINE, domain=spanning(VECTORS)),
            Property("in [−1, 1]", check_fn(S, "in_unit_ball"), 0,
                     "Cauchy–Schwarz; the forms clip the rounding that could step outside"),
            Property("invariant to positive scaling", check_fn(S, "scale_invariant"), 0,
                     "scaling by 4 or 16 is exact in the domain and the forms normalise, so "
                     "every rounding is the same"),
            Property("zero vector gives 0", check_fn(S, "zero_vector"), 0,
                     "stated convention: cos θ is undefined for a zero vector; the forms return "
                     "0 (the limit of torch's eps-clamped denominator), never NaN"),
        ),
        notes="cos θ is undefined when a or b is zero; mathcheck's forms return 0 there, as "
              "torch.nn.functional.cosine_similarity does (its denominator is clamped by eps) "
              "and sklearn's cosine_similarity (zero rows normalise to zero). Zero-vector "
              "behaviours: 0 (this form), each norm clamped at ε = 1e-8 (the 'eps-clamped' "
              "variant, which differs only below ε) and NaN (unguarded a·b/(‖a‖‖b‖): no "
              "variant, since a NaN never agrees with an oracle; it fails the zero-vector "
              "property).",
        variants=(
            Variant("eps-clamped norms (torch)",
                    "a·b/(max(‖a‖, ε)·max(‖b‖, ε)), ε = 1e-8, each norm clamped separately "
                    "(torch F.cosine_similarity); differs only when a norm is below ε",
                    **forms(S, "cosine_similarity_eps_clamped")),
        ),
        signature="f(a, b) -> cos θ over the last axis",
    ),
    Entry(
        id="linalg.l2_norm",
        section=SECTION,
        title="L2 norm",
        used_in="Weight decay, distance metrics",
        **forms(S, "l2_norm"),
        notation=notation(S, "l2_norm"),
        domain=HUGE_VECTOR,
        claims=(
            Agreement(L2),
            Derivative(symbolic(S, "d_l2_norm_stated"), wrt="a"),
            Gradient(("a",), Budget(2, "aᵢ/‖a‖·v through the scaled form: the norm within "
                                    "(n + 1)/2 ulp, a divide and a product", per_length=0.5,
                                    length="n"), domain=SMOOTH_VECTOR),
            Property("no overflow", check_fn(S, "no_overflow"), 0,
                     "finite whenever the exact norm is representable: entries up to 1e200 "
                     "(fp64) and 1e30 (fp32) are scaled by a power of two before squaring"),
        ),
        notes="Naive sqrt(Σa²) overflows once aᵢ² does (|aᵢ| > 1.3e154 in fp64, 1.8e19 in "
              "fp32); the forms scale by 2^−e (e the exponent of max|aᵢ|) first, exactly.",
        signature="f(a) -> ‖a‖₂ over the last axis",
    ),
    Entry(
        id="linalg.l1_norm",
        section=SECTION,
        title="L1 norm",
        used_in="Sparsity (Lasso), robust losses",
        **forms(S, "l1_norm"),
        notation=notation(S, "l1_norm"),
        domain=Domain(args=(VECTORS.args[0],), sizes=VECTORS.sizes),
        claims=(
            Agreement(L1, domain=spanning(
                Domain(args=(VECTORS.args[0],), sizes=VECTORS.sizes))),
            Derivative(symbolic(S, "d_l1_norm_stated"), wrt="a"),
            Gradient(("a",), Budget(0.5, "sign(aᵢ)·v is exact"), domain=INTEGER_VECTOR),
        ),
        notes="|x| is not differentiable at 0; sign(0) = 0 is the subgradient autograd returns. "
              "The gradient check uses integer inputs so that finite differences never straddle "
              "the kink (a central difference at exactly 0 also gives 0).",
        signature="f(a) -> ‖a‖₁ over the last axis",
        kinks=(Kink(0.0, 0.0, ABS_AT_ZERO),),
    ),
    Entry(
        id="linalg.projection",
        section=SECTION,
        title="Projection onto b",
        used_in="Orthogonal decomposition, Gram–Schmidt",
        **forms(S, "projection"),
        notation=notation(S, "projection"),
        domain=PROJECTION,
        claims=(
            Agreement(PROJ),
            Identity("idempotent: proj_b(proj_b a) = proj_b a",
                     symbolic(S, "projection_idempotent")),
            Identity("residual orthogonal: (a − proj_b a)·b = 0",
                     symbolic(S, "projection_residual_orthogonal")),
            Property("idempotent numerically", check_fn(S, "projection_idempotent"), 10,
                     "p = proj_b a and proj_b p are each within (2n + 2)u‖a‖ of the exact "
                     "projection (see the budget; ‖p‖ ≤ ‖a‖), so they differ by ≤ 2(n + 1) eps "
                     "of ‖a‖ ≤ 10 for n ≤ 4"),
            Property("residual orthogonal numerically", check_fn(S, "residual_orthogonal"), 10,
                     "pᵢ within (2n + 2)u‖a‖; |(a − p)·b| ≤ ‖Δp‖‖b‖ ≤ (n + 1)√n eps·‖a‖‖b‖ "
                     "≤ 10 for n ≤ 4"),
        ),
        notes="Undefined for b = 0; the forms return the zero vector there (stated convention).",
        signature="f(a, b) -> (a·b/‖b‖²) b over the last axis",
    ),
    Entry(
        id="linalg.matmul",
        section=SECTION,
        title="Matrix multiply",
        used_in="A @ B: every layer",
        **forms(S, "matmul"),
        notation=notation(S, "matmul"),
        domain=MATMUL,
        claims=(
            Agreement(MATMUL_BUDGET),
            Identity("(AB)ᵀ = BᵀAᵀ", symbolic(S, "matmul_transpose")),
            Identity("associative: (AB)C = A(BC)", symbolic(S, "matmul_associative")),
            Property("(AB)ᵀ = BᵀAᵀ numerically", check_fn(S, "transpose_of_product"), 16,
                     "two products, each within k²/2 eps of max(1, |y|), k ≤ 4"),
            Property("associative numerically", check_fn(S, "associative"), 128,
                     "each side within γ_{k+p}·|A||B||C| ≤ (k + p)·kp·u ≤ 64 eps (k, p ≤ 4)",
                     domain=MATMUL3),
        ),
        signature="f(A, B) -> AB, batched over leading axes",
    ),
    Entry(
        id="linalg.transpose",
        section=SECTION,
        title="Transpose",
        used_in="A.T",
        **forms(S, "transpose"),
        notation=notation(S, "transpose"),
        domain=ANY_MATRIX,
        claims=(
            Agreement(EXACT),
            Identity("involution: (Aᵀ)ᵀ = A", symbolic(S, "transpose_involution")),
            Property("involution, bit for bit", check_fn(S, "involution"), 0,
                     "no arithmetic: exact"),
        ),
        signature="f(A) -> Aᵀ (last two axes)",
    ),
    Entry(
        id="linalg.inverse",
        section=SECTION,
        title="Inverse",
        used_in="np.linalg.inv(A); solving linear systems, Newton steps",
        **forms(S, "inverse"),
        notation=notation(S, "inverse"),
        domain=SQUARE,
        claims=(
            Agreement(INVERSE),
            Identity("AA⁻¹ = I (A⁻¹ = adj A / det A)", symbolic(S, "inverse_right")),
            Identity("(AB)⁻¹ = B⁻¹A⁻¹", symbolic(S, "inverse_of_product")),
            Property("AA⁻¹ = I numerically", check_fn(S, "inverse_residual"), 16,
                     "‖AX̂ − I‖ ≤ c·n²·u·κ(A) for an LU inverse, c ≈ 2, n ≤ 4: measured in "
                     "eps·κ₂(A)"),
            Property("(AB)⁻¹ = B⁻¹A⁻¹ numerically", check_fn(S, "inverse_of_product"), 16,
                     "each inverse within c·n·u·κ relative: f(AB) within that of (AB)⁻¹, "
                     "f(B)f(A) within (κ(A) + κ(B))·c·n·u‖A⁻¹‖‖B⁻¹‖; 2-norms, c·n ≤ 8",
                     domain=TWO_SQUARE),
        ),
        notes="Accuracy degrades with the condition number: the budget is multiplied by κ₂(A) "
              "(computed from the rounded input). Exactly singular inputs have no inverse and "
              "are skipped. A matrix singular to working precision (κ₂(A)·u ≥ 1) has no "
              "computable inverse in that dtype: LU meets an exact zero pivot, the Torch form "
              "returns ±inf (inv_ex) and NumPy raises LinAlgError; such inputs carry no "
              "meaningful budget and are outside the claim.",
        signature="f(A) -> A⁻¹ (last two axes)",
    ),
    Entry(
        id="linalg.trace",
        section=SECTION,
        title="Trace",
        used_in="torch.trace(A); Frobenius norms, matrix calculus",
        **forms(S, "trace"),
        notation=notation(S, "trace"),
        domain=UNIT_SQUARE,
        claims=(
            Agreement(TRACE),
            Derivative(symbolic(S, "d_trace_stated"), wrt="A"),
            Identity("tr(AB) = tr(BA)", symbolic(S, "trace_cyclic")),
            Identity("tr A = λ₁ + λ₂ (2×2, eigenvalues in closed form)",
                     symbolic(S, "trace_eigenvalues")),
            Identity("tr A = Σλ for n = 4 (Vieta on det(λI − A))",
                     symbolic(S, "trace_eigenvalues_vieta")),
            Property("tr(AB) = tr(BA) numerically", check_fn(S, "trace_cyclic"), 4,
                     "each trace within (n − 1)u·Σ|diag| plus the rounding of the products to "
                     "the dtype (u·Σ|diag|): ≤ (n + 1)/2 eps ≤ 2.5, in eps of Σ|diag|",
                     domain=TRACE_PAIR),
            Property("tr A = Σλ numerically", check_fn(S, "trace_eigenvalue_sum"), 2,
                     "the trace within (n − 1)u·Σ|Aᵢᵢ| ≤ 1.5 eps of max(1, Σ|Aᵢᵢ|); λ from "
                     "mpmath at 30 digits (complex for non-symmetric A)"),
        ),
        signature="f(A) -> tr A (last two axes)",
    ),
    Entry(
        id="linalg.hadamard",
        section=SECTION,
        title="Hadamard (element-wise) product",
        used_in="A * B: gates, masks",
        **forms(S, "hadamard"),
        notation=notation(S, "hadamard"),
        domain=ELEMENTWISE,
        claims=(
            Agreement(PRODUCT),
            Identity("commutative: A⊙B = B⊙A", symbolic(S, "hadamard_commutative")),
            Identity("distributive: A⊙(B + C) = A⊙B + A⊙C", symbolic(S, "hadamard_distributive")),
            Property("commutative, bit for bit", check_fn(S, "elementwise_commutes"), 0,
                     "each product is the same exact value rounded once"),
            Property("distributive on integers, bit for bit", check_fn(S, "distributive"), 0,
                     "integers in [−10, 10]: every sum and product is exact in every dtype",
                     domain=INTEGER_TRIPLE),
        ),
        signature="f(A, B) -> A ⊙ B",
    ),
    Entry(
        id="linalg.eigendecomposition",
        section=SECTION,
        title="Eigendecomposition",
        used_in="PCA, spectral clustering, graph analysis",
        **forms(S, "eigendecomposition"),
        domain=SYMMETRIC,
        claims=(
            Agreement(EIGVALS),
            Identity("det A = λ₁λ₂ (2×2, eigenvalues in closed form)",
                     symbolic(S, "eig_det_product")),
            Identity("det A = Πλ for n = 4 (Vieta on det(λI − A))", symbolic(S, "eig_det_vieta")),
            Identity("symmetric 2×2: Av = λv for both pairs and v₁·v₂ = 0",
                     symbolic(S, "eig_symmetric_orthogonal")),
            Property("Av = λv", check_fn(S, "eig_residual"), 16,
                     f"backward error c·n·u‖A‖₂ with c = 4, n ≤ 4, including the rounding of P "
                     f"and λ to the dtype; in eps of ‖A‖₂. {MEASURED} ≤ 8"),
            Property("A = PDP⁻¹", check_fn(S, "eig_reconstruction"), 16,
                     f"as for Av = λv, with P⁻¹ from fp64 (P is orthogonal to n·u). {MEASURED} "
                     f"≤ 7"),
            Property("symmetric A has orthogonal P", check_fn(S, "eig_orthogonal"), 16,
                     f"eigh returns vectors orthonormal to c·n·u, c = 4, n ≤ 4. {MEASURED} ≤ 11"),
            Property("det A = Πλ", check_fn(S, "eig_det_product"), 16,
                     "each λ within c·n·u‖A‖₂ (Weyl), so Πλ within n·c·n·u‖A‖₂ⁿ; det in "
                     "mpmath; in eps of ‖A‖₂ⁿ, n ≤ 4"),
            Check("general A: det = Πλ, tr = Σλ, A = PDP⁻¹ (complex)",
                  check_fn(S, "general_eig_facts")),
        ),
        notes="Eigenvectors are unique only up to sign (and rotation within a repeated "
              "eigenvalue), so only eigenvalues are compared with the oracle (mpmath eigsy at 50 "
              "digits); vectors are checked by residual, reconstruction and orthogonality. The "
              "forms take a symmetric A (its lower triangle, as LAPACK's eigh); `vectors=True` "
              "returns (λ, P).",
        display=r"\mathbf{A}\mathbf{v}_i = \lambda_i \mathbf{v}_i, \qquad "
        r"\mathbf{A} = \mathbf{Q} \boldsymbol{\Lambda} \mathbf{Q}^{\top}",
        signature="f(A, vectors=False) -> λ ascending | (λ, P); A symmetric",
    ),
    Entry(
        id="linalg.svd",
        section=SECTION,
        title="Singular value decomposition",
        used_in="PCA, LoRA, matrix compression, recommender systems",
        **forms(S, "svd"),
        domain=RECTANGULAR,
        claims=(
            Agreement(SIGMAS),
            Property("A = UΣVᵀ", check_fn(S, "svd_reconstruction"), 64,
                     f"LAPACK bounds the backward error by p(m, n)·u·σ₁ with p only 'modestly "
                     f"growing' (LAPACK Users' Guide §4.9); {MEASURED} ≤ 48 in fp64 (dgesdd, and "
                     f"gesvd alike), ≤ 6 in fp32: p = 16·max(m, n) = 64 for m, n ≤ 4"),
            Property("U, V orthogonal", check_fn(S, "svd_orthogonal"), 16,
                     f"orthonormal to c·max(m, n)·u, c = 4, plus the rounding of the entries. "
                     f"{MEASURED} ≤ 11"),
            Property("σᵢ² are the eigenvalues of AᵀA", check_fn(S, "sigma_squared_eig"), 16,
                     f"|Δσ| ≤ c·max(m, n)·u·σ₁ so |Δσ²| ≤ 2σ₁|Δσ|: 2·c·4 eps of σ₁², c = 2, with "
                     f"λ(AᵀA) from mpmath. {MEASURED} ≤ 9"),
            Check("σᵢ² = λᵢ(AᵀA) at 50 digits", check_fn(S, "sigma_squared_eig_exact")),
        ),
        notes="U and V are unique only up to simultaneous sign flips (and rotations within "
              "repeated σ), so only σ is compared with the oracle (mpmath svd_r at 50 digits).",
        display=r"\mathbf{A} = \mathbf{U} \boldsymbol{\Sigma} \mathbf{V}^{\top}",
        signature="f(A, vectors=False) -> σ descending | (U, σ, Vᵀ) thin",
    ),
    Entry(
        id="linalg.low_rank",
        section=SECTION,
        title="Low-rank approximation",
        used_in="LoRA, compression, denoising",
        **forms(S, "low_rank"),
        domain=LOW_RANK,
        claims=(
            Property("Eckart–Young: ‖A − A_k‖₂ = σ_{k+1}", check_fn(S, "eckart_young"), 16,
                     f"A_k from a backward-stable SVD (c·n·u·σ₁), its entries rounded (≤ n·u·σ₁ "
                     f"in 2-norm), two fp64 spectral norms: ≤ (c + 2)·n eps of σ₁, c = 2, "
                     f"n ≤ 4. {MEASURED} ≤ 5"),
            Property("rank A_k ≤ k", check_fn(S, "rank_at_most_k"), 8,
                     f"σ_{{k+1}}(A_k) is the rounding of A_k's entries and the product "
                     f"U_kΣ_kV_kᵀ: ≤ ‖E‖₂ ≤ 2n·u·σ₁ = n eps, n ≤ 4. {MEASURED} ≤ 2"),
            Identity("A − A₁ = σ₂u₂v₂ᵀ (2×2): ‖A − A₁‖₂ = σ₂",
                     symbolic(S, "low_rank_residual")),
            Check("no rank-k matrix is closer (Eckart–Young optimality)",
                  check_fn(S, "eckart_young_optimal")),
        ),
        notes="A_k is unique only when σ_k > σ_{k+1}; for repeated singular values any choice "
              "is optimal, so the numeric forms are checked by Eckart–Young and rank, which "
              "every optimal A_k satisfies, not entrywise against an oracle. k = 1 here "
              "(keyword parameter).",
        display=r"\mathbf{A}_k = \sum_{i=1}^{k} \sigma_i \mathbf{u}_i \mathbf{v}_i^{\top} "
        r"= \mathbf{U}_k \boldsymbol{\Sigma}_k \mathbf{V}_k^{\top}",
        signature="f(A, k) -> A_k = U_kΣ_kV_kᵀ",
    ),
    Entry(
        id="linalg.pca_svd",
        section=SECTION,
        title="PCA via SVD",
        used_in="Dimensionality reduction, whitening, embeddings analysis",
        **forms(S, "pca_svd"),
        domain=PCA,
        claims=(
            Property("directions = covariance eigenvectors (up to sign)",
                     check_fn(S, "pca_matches_covariance"), 64,
                     f"Wedin: sin∠ ≤ ‖ΔX‖₂/gap with the SVD's backward error ‖ΔX‖₂ ≤ p·u·σ₁, "
                     f"p = 64 as for linalg.svd (the centring's γ_N·max|X| per entry is in the "
                     f"scale); measured as sin∠·gap in eps of σ₁ + max|X| against "
                     f"mpmath eigenvectors of the covariance. {MEASURED} ≤ 46 (fp64), ≤ 5 (fp32)"),
            Property("scores = X_c V_k", check_fn(S, "pca_scores_projection"), 8,
                     f"centring within γ_N·max|X| per entry (√d of them per score), the "
                     f"product within γ_d: N√d/2 + d/2 ≤ 6.7 eps of ‖X_c‖₂ + max|X| (N ≤ 6, "
                     f"d ≤ 3). {MEASURED} ≤ 2"),
            Property("directions orthonormal", check_fn(S, "pca_orthonormal"), 16,
                     f"SVD vectors orthonormal to c·n·u, c = 4, plus their rounding. {MEASURED} "
                     f"≤ 9"),
            Check("SVD of centred X = eigendecomposition of the covariance, at 50 digits",
                  check_fn(S, "pca_equals_covariance_eig")),
        ),
        notes="Principal directions are defined only up to sign; the forms make each "
              "direction's largest-magnitude entry positive. With repeated singular values the "
              "directions are not unique at all, so the forms are checked by properties, not "
              "entrywise. k = 2 here (keyword parameter).",
        display=r"\mathbf{Z} = \mathbf{X}_c \mathbf{V}_k, \qquad \mathbf{X}_c = \mathbf{X} "
        r"- \mathbf{1} \bar{\mathbf{x}}^{\top} = \mathbf{U} \boldsymbol{\Sigma} \mathbf{V}^{\top}",
        signature="f(X, k, vectors=False) -> scores X_cV_k (N×k) | (scores, V_k)",
    ),
    Entry(
        id="linalg.positive_definite",
        section=SECTION,
        title="Positive definite: xᵀAx > 0",
        used_in="Covariance matrices, convex losses",
        **forms(S, "quadratic_form"),
        notation=notation(S, "quadratic_form"),
        domain=QUADRATIC,
        claims=(
            Agreement(QUAD),
            Derivative(symbolic(S, "d_quadratic_form_stated"), wrt="x"),
            Gradient(("x", "A"), QUAD_GRAD),
            Identity("A = LLᵀ ⇒ xᵀAx = ‖Lᵀx‖² (Cholesky ⇒ positive)", symbolic(S, "pd_cholesky")),
            Identity("A = QΛQᵀ ⇒ xᵀAx = Σλᵢ(qᵢ·x)² (all λ > 0 ⇔ positive)",
                     symbolic(S, "pd_eigenvalues")),
            Property("xᵀAx > 0 for SPD A", check_fn(S, "positive_on_spd"), 4,
                     "the computed form can dip below 0 only by its rounding, γ_{2n}·|x|ᵀ|A||x| "
                     "≤ n eps, plus A's rounding (½ eps): in eps of |x|ᵀ|A||x|, n ≤ 4; "
                     "for well-conditioned A this means xᵀAx > 0", domain=SPD_QUADRATIC),
            Check("xᵀAx > 0 ⇔ all λ > 0 ⇔ Cholesky exists", check_fn(S, "pd_criteria_agree")),
        ),
        signature="f(x, A) -> xᵀAx over the last axes",
    ),
    Entry(
        id="linalg.orthogonal",
        section=SECTION,
        title="Orthogonal: AᵀA = I",
        used_in="Rotation matrices, SVD components",
        **forms(S, "gram"),
        notation=notation(S, "gram"),
        domain=GRAM,
        claims=(
            Agreement(GRAM_BUDGET),
            Identity("QᵀQ = I for Cayley rotations (3×3)", symbolic(S, "orthogonal_cayley")),
            Identity("‖Qx‖ = ‖x‖", symbolic(S, "orthogonal_preserves_norm")),
            Identity("det Q = ±1 (rotation, reflection)", symbolic(S, "orthogonal_det")),
            Property("QᵀQ = I for Q from QR", check_fn(S, "orthonormal_gram"), 6,
                     "Q rounded to the dtype: 2u·Σ|q_ki||q_kj| ≤ 2u; γ_n for the products; "
                     "QR's own defect n·u in fp64: (2 + 2n)u ≤ 5 eps, n ≤ 4", domain=ORTHO),
            Property("preserves norms: ‖Qx‖ = ‖x‖", check_fn(S, "preserves_norm"), 24,
                     "|xᵀ(QᵀQ − I)x| ≤ n·max|QᵀQ − I|·‖x‖², n ≤ 4", domain=ORTHO),
            Check("det Q = ±1 numerically", check_fn(S, "orthogonal_det_numeric")),
        ),
        notes="The numeric form is the Gram matrix AᵀA, which equals I exactly for orthogonal "
              "A; orthogonality itself is a property of inputs.",
        signature="f(A) -> AᵀA",
    ),
    Entry(
        id="linalg.symmetric",
        section=SECTION,
        title="Symmetric: A = Aᵀ",
        used_in="Covariance, Hessians, kernels",
        **forms(S, "symmetric_part"),
        notation=notation(S, "symmetric_part"),
        domain=Domain(args=(_mat("A", "n", "n", -10.0, 10.0),), sizes={"n": COLS}),
        claims=(
            Agreement(SYMMETRISE, domain=spanning(
                Domain(args=(_mat("A", "n", "n", -10.0, 10.0),), sizes={"n": COLS}))),
            Identity("real eigenvalues: the 2×2 discriminant is (p − r)² + (2q)² ≥ 0",
                     symbolic(S, "symmetric_real_eigenvalues")),
            Property("output is symmetric, bit for bit", check_fn(S, "exactly_symmetric"), 0,
                     "a/2 + b/2 = b/2 + a/2 exactly"),
            Property("symmetric A is left unchanged", check_fn(S, "fixes_symmetric"), 1,
                     "a/2 + a/2 = a exactly except when halving a subnormal rounds (one "
                     "subnormal spacing = eps·tiny)", domain=SYMMETRIC),
            Check("real eigenvalues numerically (general eig solver)",
                  check_fn(S, "symmetric_real_spectrum")),
        ),
        notes="The numeric form is the symmetric part (A + Aᵀ)/2, the nearest symmetric matrix; "
              "it equals A exactly when A = Aᵀ.",
        signature="f(A) -> (A + Aᵀ)/2",
    ),
    Entry(
        id="linalg.rank",
        section=SECTION,
        title="Rank: rank(BA) ≤ r",
        used_in="LoRA exploits low rank (ΔW = BA)",
        **forms(S, "lora_product"),
        notation=notation(S, "lora_product"),
        domain=LORA,
        claims=(
            Agreement(LORA_BUDGET),
            Identity("all 3×3 minors of BA vanish (d = k = 3, r = 2)", symbolic(S, "rank_bound")),
            Property("rank(BA) ≤ r numerically", check_fn(S, "rank_at_most_r"), 2,
                     "fl(BA) = BA + E with |E| ≤ (r + 1)u|B||A| and σ_{r+1} ≤ ‖E‖_F: "
                     "(r + 1)/2 eps of ‖|B||A|‖_F, r ≤ 2"),
            Check("numerical rank of BA is r", check_fn(S, "lora_rank_numeric")),
        ),
        notes="rank(A) = number of linearly independent rows/columns. The numeric form is the "
              "LoRA update ΔW = BA, whose rank is at most r; numerical rank needs a threshold "
              "and is checked with torch.linalg.matrix_rank.",
        signature="f(B, A) -> BA",
    ),
)
