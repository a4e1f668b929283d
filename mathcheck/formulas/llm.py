"""Section 9 · LLM-specific.

u = eps/2 (unit roundoff); "ulp(1)" budgets are absolute errors against max(1, |y|).
"""

from dataclasses import replace

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
    Variant,
    check_fn,
    forms,
    notation,
    symbolic,
)

SECTION = Section(9, "llm", "LLM-specific")
S = SECTION.slug

HOFFMANN = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}

MAX_POSITION = 131072  # 128k context
ROPE_ARGS = (
    Arg("x", (6,), -1.0, 1.0, extremes=(1.0, -1.0, 0.5, 0.0)),
    Arg("m", (1,), 0, MAX_POSITION, kind="integer", extremes=(0.0, 64.0, 1.0, 131072.0)),
)
#: θ_i = base^(−2i/r): 10⁴ (Su et al., LLaMA 1–2), 5·10⁵ (LLaMA 3), 10⁶ (Qwen 2, Code
#: LLaMA); every base ≥ 1 keeps θ_i ≤ 1, which is all the budgets assume. rotary_dim = r is
#: how many leading coordinates are rotated (GPT-NeoX rotary_pct, GPT-J rotary_dim, Phi's
#: partial_rotary_factor), the rest passed through: a stated value, not drawn.
ROPE_PARAMS = {"base": 10000.0, "rotary_dim": 6.0}
ROPE_RANGES = {"base": (1e4, 1e6)}
ROPE_PAIR = Domain(
    args=(
        Arg("q", (6,), -1.0, 1.0),
        Arg("k", (6,), -1.0, 1.0),
        Arg("m", (1,), 0, 16, kind="integer"),
        Arg("n", (1,), 0, 16, kind="integer"),
    ),
    params=ROPE_PARAMS,
    why="the fixed 140-eps budget is derived for angles ≤ 21θ; long positions are the "
    "agreement's, whose budget grows with m",
)
ANGLE_WHY = (
    "the angle pos·ω (ω ≤ 1) carries a relative error ≤ 3u (ω's rounding and the product), "
    "i.e. ≤ 3u·pos absolute, which sin/cos pass on (slope ≤ 1): 1.5·pos ulp(1), plus 1 ulp "
    "for sin/cos. Absolute accuracy therefore falls linearly with the position (at 131072 in "
    "fp32, ≈ 0.02 rad): a property of computing the angle in the dtype, not a defect. "
    "fp16/bf16 inputs get their angles in fp32 (as position tables are built in practice), "
    "3·2⁻²⁴·pos absolute = 1.83e-4·pos ulp(1) of fp16, then one rounding"
)

# n ≤ 4: the exact forms of top-k/top-p are Piecewise selections whose 50-digit oracle grows
# quickly with n; the properties run at n ≤ 8.
LOGITS = Domain(
    args=(Arg("z", ("n",), -20.0, 20.0, extremes=(20.0, -20.0, 0.0, 20.0)),),
    sizes={"n": (2, 4)},
)
WIDE_LOGITS = Domain(args=LOGITS.args, sizes={"n": (2, 8)})
INTEGER_LOGITS = Domain(  # ties and exact comparisons in every dtype
    args=(Arg("z", ("n",), -8, 8, kind="integer", extremes=(3.0, 3.0, 1.0, -2.0)),),
    sizes={"n": (2, 8)},
)
SEQUENCE = Domain(
    args=(
        Arg("z", ("T", "V"), -20.0, 20.0, extremes=(20.0, -20.0, 0.0)),
        Arg("y", ("T", "V"), kind="onehot"),  # no extremes: they would not be one-hot
    ),
    sizes={"T": (2, 4), "V": (2, 5)},
)
SEQ_BUDGET_WHY = (
    "each log-softmax row within (4 + V) ulp of max(1, |ℓ_t|); the T terms all ≤ 0 (no "
    "cancellation) so their sum adds T·u relative: ≤ (5 + V)(T + |y|)·2u + T·u·|y| ≤ 60 ulp of "
    "max(1, |y|) for T ≤ 4, V ≤ 5"
)

CHINCHILLA_ARGS = Domain(
    args=(
        Arg("N", (), 1e6, 1e13, kind="positive", extremes=(1e6, 1e13, 70e9, 65504.0)),
        Arg("D", (), 1e6, 1e13, kind="positive", extremes=(1e6, 1e13, 1.4e12, 65504.0)),
    ),
    params=HOFFMANN,
)

QUANT_PARAMS = {"s": 0.0625, "z": 128.0, "qmin": 0.0, "qmax": 255.0}
QUANT = Domain(
    # s = 1/16: x/s and s·(q − z) are exact in every dtype, so ties x/s = k + ½ really occur
    # and half-to-even is tested; the extremes are ties (±1/32, 3/32, 5/32) and clipping.
    args=(
        Arg(
            "x",
            (),
            -10.0,
            10.0,
            extremes=(0.03125, -0.03125, 0.09375, 0.15625, -0.15625, 9.0, -9.0, 7.96875),
        ),
    ),
    params=QUANT_PARAMS,
)
QUANT_GENERAL = Domain(
    args=(Arg("x", (), -4.0, 4.0, extremes=(0.01855, -0.01855, 4.0, -4.0)),),
    params={"s": 0.0371, "z": 128.0, "qmin": 0.0, "qmax": 255.0},
    why="|x̂ − x| ≤ s/2 only inside the representable range s·(qmin − z) … s·(qmax − z) "
    "≈ [−4.7, 4.7]; beyond it x̂ clips",
)

KV_ARGS = Domain(
    args=(
        Arg("layers", (), 1, 96, kind="integer", extremes=(32.0, 80.0, 1.0)),
        Arg("heads", (), 1, 128, kind="integer", extremes=(32.0, 8.0, 1.0)),
        Arg("d_head", (), 1, 256, kind="integer", extremes=(128.0, 128.0, 64.0)),
        Arg("seq_len", (), 1, 131072, kind="integer", extremes=(4096.0, 32768.0, 1.0)),
        Arg("bytes_per_elem", (), 1, 4, kind="integer", extremes=(2.0, 2.0, 4.0)),
    ),
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="pos.sinusoidal",
        section=SECTION,
        title="Sinusoidal positional encoding",
        used_in="Original Transformer",
        **forms(S, "sinusoidal"),
        notation=notation(S, "sinusoidal"),
        domain=Domain(
            args=(Arg("pos", (), 0, MAX_POSITION, kind="integer",
                      extremes=(0.0, 1.0, 63.0, 64.0, 131072.0)),),
            params={"d": 8},
        ),
        claims=(
            Agreement(Budget(1, ANGLE_WHY, low_precision_ulps=1, scale="unit", cond_arg="pos",
                             cond_kind="magnitude", per_unit=1.5, low_precision_per_unit=1.83e-4)),
            Identity(
                "PE(p + k) = M_k PE(p) (a rotation per pair, independent of p)",
                symbolic(S, "sinusoidal_shift"),
            ),
            Property(
                "each (sin, cos) pair has norm 1",
                check_fn(S, "unit_pairs"),
                4,
                "sin and cos of the same (rounded) angle, each within 1 ulp: the angle error "
                "cancels; squares summed in fp64: ≤ 2·2 eps",
            ),
        ),
        notes="PE(pos, 2i) = sin(pos/10000^(2i/d)), PE(pos, 2i+1) = cos(…). Accuracy is absolute "
        "and degrades linearly with the position: the angle pos·ω carries ~pos·u of error "
        "(at pos = 2048 in fp16 arithmetic the angle is off by ~1 radian, hence fp32 angles "
        "for low-precision outputs). The SymPy form is d = 8.",
        signature="f(pos, d=8) -> (..., d)",
    ),
    Entry(
        id="pos.rope",
        section=SECTION,
        title="Rotary position embedding f(x, m) = R_m x",
        used_in="LLaMA, GPT-NeoX",
        **forms(S, "rope"),
        notation=notation(S, "rope"),
        domain=Domain(args=ROPE_ARGS, params=ROPE_PARAMS, ranges=ROPE_RANGES),
        claims=(
            Agreement(
                Budget(
                    4,
                    ANGLE_WHY.replace("1.5·pos ulp(1)", "1.5·√2·pos ≤ 2.2·pos ulp(1) for a pair "
                                      "of norm ≤ √2")
                    .replace("1.83e-4·pos", "2.6e-4·pos (×√2)")
                    + "; the rotation's two products and a sum add 3u·√2 ≤ 3 ulp",
                    low_precision_ulps=4,
                    scale="unit",
                    cond_arg="m",
                    cond_kind="magnitude",
                    per_unit=2.2,
                    low_precision_per_unit=2.6e-4,
                )
            ),
            Identity("⟨f(q, m), f(k, n)⟩ = qᵀ R_{n−m} k", symbolic(S, "rope_relative")),
            Identity("‖R_m x‖ = ‖x‖", symbolic(S, "rope_norm")),
            Identity(
                "∂/∂n ⟨f(q, n + Δ), f(k, n)⟩ ≡ 0: depends on m − n only",
                symbolic(S, "rope_offset_only"),
            ),
            Property(
                "norm preserving",
                check_fn(S, "norm_preserving"),
                8,
                "cos² + sin² of rounded values is 1 within 2u; two products and a sum per "
                "component ≤ 3u: ≤ 4u‖x‖ = 2 eps, doubled for the fp64 norm of rounded data",
            ),
            Property(
                "score invariant under a common shift of m and n (s = 5)",
                check_fn(S, "relative_position"),
                140,
                "m, n ≤ 16: angles ≤ 21θ with error ≤ 63u, per vector ≤ 66u‖x‖; two scores: "
                "≤ 264u‖q‖‖k‖ = 132 eps",
                domain=ROPE_PAIR,
            ),
        ),
        notes="Interleaved pairs (x_2i, x_2i+1) rotated by m·θ_i, θ_i = base^(−2i/r) (Su et al.: "
        "base 10⁴, r = d); the SymPy form is d = 6. The base is a parameter checked over "
        "[10⁴, 10⁶] (LLaMA 3 uses 5·10⁵, Qwen 10⁶): state yours with params={'base': 5e5}. "
        "Partial rotary embeddings (only the first r = rotary_dim coordinates rotated, with "
        "θ over r, the rest passed through: GPT-J, GPT-NeoX, Phi) are the parameter "
        "rotary_dim (default r = d = 6), not a variant: r is a number the model states, and "
        "it composes with the half-split variant (GPT-NeoX rotates half-split within r). "
        "Implementations without these keywords: drop('base', 'rotary_dim') and "
        "params={'base': …}. Absolute accuracy degrades linearly with m (see "
        "pos.sinusoidal).",
        variants=(
            Variant(
                "half-split (GPT-NeoX, HF LLaMA)",
                "pairs (x_i, x_{i+d/2}) — 'rotate_half'; the same map up to a fixed "
                "permutation of the coordinates",
                **forms(S, "rope_half"),
            ),
        ),
        signature="f(x, m, base=10000.0, rotary_dim=6) -> R_m x; x (..., d) with d even, "
        "m (..., 1) positions",
    ),
    Entry(
        id="tok.bpe",
        section=SECTION,
        title="Byte-pair encoding: merge the most frequent adjacent pair",
        used_in="GPT-2 … GPT-4, LLaMA tokenizers",
        symbolic=None,
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check(
                "each merge is the most frequent pair (ties → smallest ids)",
                check_fn(S, "bpe_greedy_merges"),
                backends=("numpy",),
            ),
            Check(
                "decode(encode(s)) = s for any Unicode text (Hypothesis)",
                check_fn(S, "bpe_round_trip"),
                backends=("numpy",),
            ),
        ),
        no_numeric_reason="A discrete algorithm on byte strings: implemented as a real trainer "
        "and encoder in mathcheck.numeric.bpe and checked on a built-in corpus.",
        notes="Byte-level base vocabulary (256 ids), so every string round-trips. Tie rule: the "
        "lexicographically smallest (left id, right id) pair among those with the maximal "
        "count. Encoding applies merges by rank (GPT-2 style).",
        signature="train(text, vocab_size) -> Tokenizer; .encode(str) -> ids; .decode(ids) -> str",
    ),
    Entry(
        id="lm.chain_rule",
        section=SECTION,
        title="P(x_1..x_T) = Π_t P(x_t | x_<t)",
        used_in="Every autoregressive language model",
        **forms(S, "sequence_logprob"),
        notation=notation(S, "sequence_logprob"),
        domain=SEQUENCE,
        claims=(
            Agreement(Budget(60, SEQ_BUDGET_WHY, scale="unit")),
            Identity(
                "Π_t P(x_t | x_<t) = P(x_1..x_T) (T = 3, V = 2, symbolic joint)",
                symbolic(S, "chain_rule"),
            ),
            Check(
                "Σ over all sequences of Π_t P(x_t | x_<t) = 1 (causal toy model)",
                check_fn(S, "chain_rule_normalised"),
            ),
        ),
        notes="Computed in log space: log P(x) = Σ_t log_softmax(z_t)[x_t]; one-hot target rows.",
        signature="f(z, y) -> log P; logits z (..., T, V), one-hot y (..., T, V)",
    ),
    Entry(
        id="lm.nll",
        section=SECTION,
        title="Training objective L = −(1/T) Σ_t log P(x_t | x_<t)",
        used_in="LLM pre-training",
        **forms(S, "nll"),
        notation=notation(S, "nll"),
        domain=SEQUENCE,
        claims=(
            Agreement(Budget(60, SEQ_BUDGET_WHY + "; ÷T adds ½ ulp", scale="unit")),
            Derivative(symbolic(S, "d_nll_stated"), wrt="z", sizes={"T": 2, "V": 3}),
            Gradient(
                ("z",),
                Budget(16, "(softmax − y)/T from a row-accurate softmax", scale="row"),
                domain=Domain(args=SEQUENCE.args, sizes={"T": (2, 2), "V": (3, 3)}),
            ),
            Check(
                "equals torch.nn.functional.cross_entropy (mean)",
                check_fn(S, "nll_vs_cross_entropy")
            ),
        ),
        notes="exp(L) is the perplexity (section 10).",
        signature="f(z, y) -> mean NLL per token; logits z (..., T, V), one-hot y (..., T, V)",
    ),
    Entry(
        id="sample.temperature",
        section=SECTION,
        title="Temperature softmax(z/τ)",
        used_in="Sampling from LLMs",
        **forms(S, "temperature"),
        notation=notation(S, "temperature"),
        domain=Domain(
            args=(
                Arg("z", ("n",), -5.0, 5.0, extremes=(5.0, -5.0, 0.0)),
                Arg("tau", (1,), 0.5, 4.0, kind="positive", extremes=(0.5, 4.0, 1.0)),
            ),
            sizes={"n": (2, 8)},
        ),
        claims=(
            Agreement(
                Budget(
                    24,
                    "|z/τ| ≤ 10: the rounded quotients and the max shift give an "
                    "exponent error ≤ 40u, i.e. 20 ulp relative on each probability; "
                    "softmax's own (4 + n) ulp of the row maximum",
                    per_length=1,
                    length="n",
                    scale="row",
                )
            ),
            Identity("τ→0⁺ argmax (ties share it), τ→∞ uniform (SymPy limits)",
                     symbolic(S, "temperature_limits")),
            Check(
                "the form at τ = 1e-3 and 1e14 is within 1e-12 of those limits",
                check_fn(S, "temperature_near_limits"),
            ),
        ),
        notes="τ→0 concentrates on the argmax (uniformly over tied maxima); τ = 1 is softmax.",
        signature="f(z, tau) -> softmax(z/τ); z (..., n), tau (..., 1)",
    ),
    Entry(
        id="sample.top_k",
        section=SECTION,
        title="Top-k sampling distribution",
        used_in="LLM decoding",
        **forms(S, "top_k"),
        notation=notation(S, "top_k"),
        domain=Domain(args=LOGITS.args, sizes=LOGITS.sizes, params={"k": 2}),
        claims=(
            Agreement(
                Budget(
                    4,
                    "softmax over the kept logits (exact comparisons select them)",
                    per_length=1,
                    length="n",
                    scale="row",
                )
            ),
            Property(
                "support = {i : fewer than k logits larger}, sums to 1",
                check_fn(S, "top_k_support"),
                12,
                "n ≤ 8 kept probabilities within (4 + n) ulp",
                domain=Domain(
                    args=INTEGER_LOGITS.args, sizes=INTEGER_LOGITS.sizes, params={"k": 2}
                ),
            ),
        ),
        notes="Tie rule: every token tied with the k-th largest logit is kept (the kept set is "
        "closed under ties, so it may exceed k). Zero probability outside the set.",
        signature="f(z, k=2) -> renormalised distribution over the top k; z (..., n)",
    ),
    Entry(
        id="sample.top_p",
        section=SECTION,
        title="Top-p (nucleus) sampling distribution",
        used_in="LLM decoding",
        **forms(S, "top_p"),
        notation=notation(S, "top_p"),
        domain=Domain(args=LOGITS.args, sizes=LOGITS.sizes, params={"p": 0.9},
                      ranges={"p": (0.5, 0.99)}),
        claims=(
            Agreement(
                Budget(4, "softmax over the kept logits", per_length=1, length="n", scale="row"),
                dtypes=("float64",),
                domain=replace(
                    INTEGER_LOGITS,
                    sizes=LOGITS.sizes,
                    params={"p": 0.9},
                    why="the kept set is decided on rounded probabilities, so logits closer "
                    "than the dtype resolves (1e-22 and 2e-34 both give exp = 1) tie there "
                    "but not exactly, and flip membership; integer logits tie exactly or "
                    "differ by a factor e, and in fp64 a mass within n(4 + n)·u of p is "
                    "negligible",
                ),
            ),
            Property(
                "support is the smallest top set with mass ≥ p",
                check_fn(S, "top_p_smallest_set"),
                100,
                "the set is chosen from dtype probabilities: n ≤ 8 values each within "
                "(4 + n) ulp, so masses differ from fp64 ones by ≤ n(4 + n) = 96 eps",
                domain=Domain(args=WIDE_LOGITS.args, sizes=WIDE_LOGITS.sizes, params={"p": 0.9}),
            ),
        ),
        notes="Keep token i iff the mass of tokens strictly more probable than i is < p: the token "
        "that crosses p is kept; tokens tied with it are kept too. The set is decided on "
        "probabilities rounded to the working dtype: in fp16/bf16 (u ≈ 1e-3) a crossing "
        "within rounding of p can legitimately flip membership against the exact set, so "
        "the exact Agreement runs in fp64/fp32 and the smallest-set property (with the "
        "rounding tolerance) in every dtype.",
        signature="f(z, p=0.9) -> renormalised nucleus distribution; z (..., n)",
    ),
    Entry(
        id="scaling.chinchilla_loss",
        section=SECTION,
        title="Chinchilla scaling law L(N, D) = E + A/N^α + B/D^β",
        used_in="Compute-optimal training (Hoffmann et al. 2022)",
        **forms(S, "chinchilla_loss"),
        notation=notation(S, "chinchilla_loss"),
        domain=CHINCHILLA_ARGS,
        claims=(
            Agreement(
                Budget(
                    8,
                    "A·N^(−α): pow ≤ 1 ulp but the exponent is rounded to the dtype, "
                    "a relative error α·ln N·u ≤ 0.34·30u = 10.2u; the D term ≤ 8.4u; "
                    "three positive terms add ≤ 2u: ≤ 12.2u ≈ 6.1 ulp. bf16 computes the "
                    "powers in fp32, then rounds: ≤ 2 ulp",
                    low_precision_ulps=2,
                ),
                dtypes=("float64", "float32", "bfloat16"),
            ),
            Derivative(symbolic(S, "d_chinchilla_loss_dN"), wrt="N"),
            Check("L(70B, 1.4T) with the published constants", check_fn(S, "chinchilla_figures")),
        ),
        notes="Published fit (Approach 3): E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28. "
        "The cheatsheet writes E as L∞. No fp16 agreement: parameter and token counts "
        "(≥ 1e6) exceed fp16's range (65504). torch's own bf16 pow loses ~a·|ln x|·u (2.4 % "
        "measured at C = 4e24), so the Torch forms lift fp16/bf16 to fp32 for the powers.",
        signature="f(N, D, E, A, B, alpha, beta) -> loss in nats/token, elementwise",
    ),
    Entry(
        id="scaling.chinchilla_optimal",
        section=SECTION,
        title="Compute-optimal N, D under C = 6ND",
        used_in="Sizing LLM training runs",
        **forms(S, "chinchilla_optimal"),
        notation=notation(S, "chinchilla_optimal"),
        domain=Domain(
            args=(Arg("C", (), 1e15, 1e26, kind="positive", extremes=(1e15, 5.88e23, 1e26, 6.0)),),
            params={k: v for k, v in HOFFMANN.items() if k != "E"},
        ),
        claims=(
            Agreement(
                Budget(
                    21,
                    "(C/6)^a with the exponent a rounded to the dtype: relative error "
                    "a·ln(C/6)·u ≤ 0.55·58u = 32u; G = (αA/(βB))^(1/(α+β)) from three rounded "
                    "operations amplified by 1/(α+β) = 1.6: 5u; pow 2u; C/6 and the product "
                    "1.5u: ≤ 40.5u ≈ 20.3 ulp. bf16 computes the power in fp32, then rounds: "
                    "≤ 2 ulp",
                    low_precision_ulps=2,
                ),
                dtypes=("float64", "float32", "bfloat16"),
            ),
            Identity(
                "N_opt is stationary for L(N, C/6N) and D_opt = C/(6N_opt) (SymPy)",
                symbolic(S, "chinchilla_stationary"),
            ),
            Check(
                "the stationary point is a minimum (L'' > 0, published constants)",
                check_fn(S, "chinchilla_is_minimum"),
                backends=("sympy",),
                dtypes=("exact",),
            ),
            Check(
                "D/N from the fit vs the 20 tokens/parameter rule",
                check_fn(S, "chinchilla_tokens_per_parameter"),
                backends=("numpy",),
            ),
        ),
        notes="N_opt = G(C/6)^(β/(α+β)), D_opt = G⁻¹(C/6)^(α/(α+β)), G = (αA/(βB))^(1/(α+β)). "
        "With the published Approach-3 constants D/N is not constant: it grows as "
        "C^0.097 and is far above 20 at Chinchilla's budget (see the check's detail); "
        "'D ≈ 20N' is the paper's Approach 1/2 result and the trained Chinchilla "
        "(70B params, 1.4T tokens), not a consequence of this fit. No fp16 agreement: FLOP "
        "budgets exceed fp16's range.",
        signature="f(C, A, B, alpha, beta) -> (..., 2) = (N_opt, D_opt)",
    ),
    Entry(
        id="lora.update",
        section=SECTION,
        title="LoRA W' = W0 + BA",
        used_in="Parameter-efficient fine-tuning",
        **forms(S, "lora"),
        notation=notation(S, "lora"),
        domain=Domain(
            args=(
                Arg("W0", ("d", "d"), -1.0, 1.0, extremes=(1.0, -1.0, 0.5)),
                Arg("B", ("d", "r"), -1.0, 1.0, extremes=(1.0, 1.0, -1.0)),
                Arg("A", ("r", "d"), -1.0, 1.0, extremes=(1.0, -1.0, 0.0)),
            ),
            sizes={"d": (2, 4), "r": (1, 2)},
        ),
        claims=(
            Agreement(
                Budget(
                    5,
                    "each entry W0_ij + Σ_k B_ik A_kj has r + 1 ≤ 3 terms of size "
                    "≤ 1: products and recursive summation ≤ (r + 1)·u·Σ|terms| ≤ 9u = "
                    "4.5 ulp(1)",
                    scale="unit",
                )
            ),
            Property(
                "rank(BA) ≤ r",
                check_fn(S, "low_rank"),
                16,
                "σ_{r+1} of the rounded product is ≤ ‖rounding error‖ ≤ r·u·‖|B||A|‖ ≤ 8 "
                "eps·max(σ_1, 1) for d ≤ 4",
                domain=Domain(
                    args=(
                        Arg("W0", ("d", "d")),
                        Arg("B", ("d", "r"), -1.0, 1.0),
                        Arg("A", ("r", "d"), -1.0, 1.0),
                    ),
                    sizes={"d": (3, 6), "r": (1, 2)},
                ),
            ),
            Identity("all (r+1)-minors of BA vanish (SymPy)", symbolic(S, "lora_minors")),
            Check(
                "2dr parameters; d = 4096, r = 16 → 99.2 % fewer",
                check_fn(S, "lora_parameter_count")
            ),
        ),
        notes="Implementations scale ΔW by α/r; that constant does not change rank or count. "
        "B starts at 0 so W' = W0 at initialisation.",
        signature="f(W0, B, A) -> W0 + B A",
    ),
    Entry(
        id="quant.uniform",
        section=SECTION,
        title="Uniform quantisation x_q = round(x/s) + z, x̂ = s(x_q − z)",
        used_in="INT8 / INT4 inference",
        **forms(S, "fake_quant"),
        notation=notation(S, "fake_quant"),
        domain=QUANT,
        claims=(
            Agreement(
                Budget(
                    0.5,
                    "with s = 1/16 every step is exact in every dtype (x/s and s·k "
                    "are exponent shifts, |k| ≤ 128); any nonzero error is a wrong "
                    "integer, i.e. ≥ 1 step",
                )
            ),
            Property(
                "|x̂ − x| ≤ s/2 inside the range (s = 0.0371)",
                check_fn(S, "round_trip_half_step"),
                2,
                "x/s rounds (≤ u|x| may move a near-tie), s(q − z) rounds (≤ u|x̂|)",
                domain=QUANT_GENERAL,
            ),
            Check("INT8 4×, INT4 8× smaller than fp32 (real tensors)", check_fn(S, "quant_memory")),
        ),
        notes="Rounding mode: round half to even (np.rint, torch.round), stated in the SymPy form. "
        "Unsigned 8-bit codes [0, 255] with zero point 128; outside s·[q_min − z, q_max − z] "
        "values clip and the error is unbounded.",
        variants=(
            Variant("round half away from zero",
                    "sign(y)·⌊|y| + ½⌋ (C round(), many INT8 kernels) instead of half to "
                    "even (torch.round, np.rint); differs only at exact ties",
                    **forms(S, "fake_quant_half_away")),
        ),
        signature="f(x, s, z, qmin, qmax) -> s·(clamp(round(x/s) + z, qmin, qmax) − z)",
    ),
    Entry(
        id="kv.cache_memory",
        section=SECTION,
        title="KV-cache memory 2 × n_layers × n_heads × d_head × seq_len × bytes",
        used_in="LLM inference serving",
        **forms(S, "kv_cache_bytes"),
        notation=notation(S, "kv_cache_bytes"),
        domain=KV_ARGS,
        claims=(
            Agreement(
                Budget(
                    4.5,
                    "five factors, four products of integers, each rounded ≤ u = eps/2 "
                    "relative (exact while below 2^p): ≤ 4u relative, which is up to 4 ulp "
                    "of a result just above a power of two (where ulp/|y| = eps/2), plus "
                    "second-order terms; fp16 overflows to inf exactly when the exact value "
                    "does",
                )
            ),
            Check(
                "formula = bytes of the K, V tensors a decoding loop caches",
                check_fn(S, "kv_cache_real_tensors"),
            ),
        ),
        notes="Per sequence (multiply by the batch). With grouped-query attention use the number "
        "of KV heads. LLaMA-2-7B, 4096 tokens, fp16: 2 GiB.",
        signature="f(layers, heads, d_head, seq_len, bytes_per_elem) -> bytes",
    ),
    Entry(
        id="kv.cache_cost",
        section=SECTION,
        title="Decoding cost per token: O(n²) without a KV cache, O(n) with one",
        used_in="LLM inference",
        **forms(S, "kv_cache_flops"),
        notation=notation(S, "kv_cache_flops"),
        domain=Domain(
            args=(
                Arg("n", (), 1, 4096, kind="integer", extremes=(1.0, 4096.0, 64.0)),
                Arg("d", (), 1, 1024, kind="integer", extremes=(1.0, 1024.0, 32.0)),
            )
        ),
        claims=(
            Agreement(
                Budget(3, "products and sums of integers: ≤ 5 roundings of ½ ulp on positive terms")
            ),
            Check(
                "formula = torch FlopCounterMode of a real decoding step",
                check_fn(S, "kv_cache_flop_count"),
            ),
        ),
        notes="Per layer of width d at context n: without cache 8nd² + 4n²d (re-project and "
        "re-attend all n tokens), with cache 8d² + 4nd. Attention's own part is n² vs n.",
        signature="f(n, d) -> (..., 2) = (FLOPs without cache, FLOPs with cache)",
    ),
)
