"""Errata: where the cheatsheet's stated figure or formula disagrees with what is computed, or
holds only under a convention it does not state. Data only (like the catalog): each erratum
names its catalog entry, quotes the statement, says what is computed and under which
convention the statement holds, and points (lazily) to the function that computes the
evidence (`mathcheck.numeric.checks.errata`); `mathcheck.crosscheck.errata.collect()` runs
each one as a task of the engine, under the run's time budget and isolation.

Kinds: "wrong" (false as written), "convention" (true only under an unstated convention or
condition), "approximation" (a rounded or empirical figure, with the computed value),
"notation" (the formula as printed is not the one meant), "empirical" (not derivable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mathcheck.formulas._model import Ref

Kind = Literal["wrong", "convention", "approximation", "notation", "empirical"]


@dataclass(frozen=True)
class Erratum:
    id: str
    entry: str  # the catalog entry id it concerns
    section: int
    kind: Kind
    stated: str  # what the cheatsheet says (quoted as printed, glyphs restored)
    computed: str  # what is computed instead (the evidence function gives the numbers)
    convention: str  # under which convention / condition the statement holds ("" if none)
    evidence: Ref


def _ev(name: str) -> Ref:
    return Ref(f"mathcheck.numeric.checks.errata:{name}")


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        "errata.mvn_determinant",
        "prob.multivariate_gaussian",
        3,
        "wrong",
        stated="p(x) = exp(−½(x−μ)ᵀΣ⁻¹(x−μ)) / ((2π)^{n/2} ∥Σ∥^{1/2})",
        computed="the normaliser needs |Σ| = det Σ; with a norm ∥Σ∥ (spectral or Frobenius) "
        "the density integrates to √(det Σ/∥Σ∥) ≠ 1",
        convention="none: read ∥Σ∥ as the determinant |Σ| (possibly a typesetting slip)",
        evidence=_ev("mvn_determinant"),
    ),
    Erratum(
        "errata.lora_99_2",
        "lora.update",
        9,
        "convention",
        stated="d = 4096, r = 16 → 99.2% fewer trainable parameters",
        computed="1 − 2dr/d² = 1 − 1/128 = 99.21875 % (confirmed on real nn.Linear modules)",
        convention="per adapted square d×d matrix; a d×k matrix saves 1 − r(d + k)/(dk), and "
        "relative to the whole model the saving is larger still",
        evidence=_ev("lora_reduction"),
    ),
    Erratum(
        "errata.ffn_16nd2",
        "num.ffn_flops",
        17,
        "convention",
        stated="FFN FLOPs = 16nd²",
        computed="2·2·n·d·d_ff counted by FlopCounterMode: 16nd² at d_ff = 4d; 21nd² for "
        "LLaMA-2 70B's SwiGLU (3 matrices, d_ff = 3.5d); 8nd² in multiply-adds",
        convention="d_ff = 4d, a two-matrix FFN, FLOPs = 2·MACs, biases and activation ignored",
        evidence=_ev("ffn_flops"),
    ),
    Erratum(
        "errata.attention_2n2d",
        "num.attention_flops",
        17,
        "convention",
        stated="Attention FLOPs = 2n²d",
        computed="FlopCounterMode on real passes: QKᵀ = 2n²d, QKᵀ + AV (scaled_dot_product_"
        "attention) = 4n²d; projections add 8nd²",
        convention="only the QKᵀ product at 2 FLOPs per multiply-add (or both products counted "
        "in multiply-adds)",
        evidence=_ev("attention_flops"),
    ),
    Erratum(
        "errata.ffn_dominates",
        "num.ffn_flops",
        17,
        "convention",
        stated="FFN FLOPs dominate for short sequences",
        computed="16nd² > 4n²d iff n < 4d (n < 8d against the stated 2n²d); counting the "
        "projections too, the attention block (8nd² + 4n²d) overtakes the FFN at n = 2d",
        convention="'short' means n < 4d (16384 tokens at d = 4096)",
        evidence=_ev("ffn_dominates"),
    ),
    Erratum(
        "errata.gpt3_175b",
        "num.gpt3_params",
        17,
        "approximation",
        stated="GPT-3 parameters: 175B (d = 12288, 96 layers, 96 heads)",
        computed="174,604,259,328 from the shapes (also vocab 50257, context 2048)",
        convention="rounded to 3 significant figures; biases, learned positions, tied unembedding",
        evidence=_ev("gpt3_params"),
    ),
    Erratum(
        "errata.llama2_70b",
        "num.llama2_70b_params",
        17,
        "convention",
        stated="LLaMA-2 70B: 70B (d = 8192, 80 layers, 64 heads)",
        computed="68,976,648,192 with GQA (8 KV heads), d_ff = 28672, vocab 32000; 78.4B if "
        "the 64 heads had their own K/V (what the table's shapes imply)",
        convention="grouped-query attention with 8 KV heads and d_ff = 28672 (unstated); '70B' "
        "is a name (1 significant figure)",
        evidence=_ev("llama2_params"),
    ),
    Erratum(
        "errata.fp16_140gb",
        "num.fp16_memory",
        17,
        "convention",
        stated="Float16: 2 bytes/param, 70B model ≈ 140 GB",
        computed="140 × 10⁹ B = 130.4 GiB; LLaMA-2 70B's 68.98B parameters take 137.95 GB",
        convention="GB = 10⁹ bytes, the nominal 70B, weights only",
        evidence=_ev("fp16_memory"),
    ),
    Erratum(
        "errata.int4_35gb",
        "num.int4_memory",
        17,
        "convention",
        stated="INT4: 0.5 bytes/param, 70B model ≈ 35 GB",
        computed="35 GB for the packed codes; per-group scales and zero points (fp16, group 128) "
        "make it 37.2 GB",
        convention="codes only, no quantisation metadata",
        evidence=_ev("int4_memory"),
    ),
    Erratum(
        "errata.quant_reduction",
        "quant.uniform",
        9,
        "convention",
        stated="INT8: 4× memory reduction, INT4: 8× memory reduction",
        computed="4× and 8× relative to fp32; relative to fp16/bf16 weights (how LLMs ship) 2× "
        "and 4×; with group-128 fp16 scales INT4 is 7.5× vs fp32",
        convention="baseline fp32, metadata ignored",
        evidence=_ev("quant_reduction"),
    ),
    Erratum(
        "errata.chinchilla_20",
        "num.chinchilla_tokens",
        17,
        "approximation",
        stated="Chinchilla-optimal: D ≈ 20 × N",
        computed="20 is Chinchilla's own 1.4T/70B (approaches 1–2); the paper's parametric fit "
        "(approach 3) gives D_opt/N_opt ≈ 93 at that compute, growing as C^0.097",
        convention="the approach 1–2 estimate at ~6e23 FLOPs",
        evidence=_ev("chinchilla_ratio"),
    ),
    Erratum(
        "errata.kv_cache_gqa",
        "kv.cache_memory",
        9,
        "convention",
        stated="KV memory = 2 × n_layers × n_heads × d_head × seq_len × precision",
        computed="with grouped-query attention n_heads must be the number of KV heads: LLaMA-2 "
        "70B at 4096 tokens in fp16 needs 1.34 GB per sequence, not 10.7 GB",
        convention="multi-head attention (one K/V per head), batch 1",
        evidence=_ev("kv_cache_gqa"),
    ),
    Erratum(
        "errata.conv_cross_correlation",
        "cnn.convolution",
        15,
        "convention",
        stated="(f ∗ g)(t) = Σ_τ f(τ) g(t − τ) (CNN — Convolution)",
        computed="torch's Conv layers compute cross-correlation Σ_j x(t + j) w(j): equal to the "
        "stated convolution only with a flipped kernel",
        convention="the kernel is flipped (or learned, so the flip is absorbed)",
        evidence=_ev("conv_cross_correlation"),
    ),
    Erratum(
        "errata.output_size_dilation",
        "cnn.output_size",
        15,
        "convention",
        stated="Output size ⌊(n + 2p − k)/s⌋ + 1",
        computed="matches Conv1d/Conv2d/MaxPool1d at dilation 1; with dilation d the kernel is "
        "d(k − 1) + 1; ceil_mode pooling rounds up",
        convention="dilation 1, floor mode",
        evidence=_ev("output_size_dilation"),
    ),
    Erratum(
        "errata.backprop_product",
        "bp.gradient_product",
        14,
        "notation",
        stated="∂L/∂W¹ ∝ ∏_{l=1}^{n} W^l·σ′(z^l)",
        computed="∂L/∂W¹ = δ¹ a⁰ᵀ with δ¹ = diag(σ′(z¹)) W²ᵀ diag(σ′(z²)) ⋯ W^nᵀ diag(σ′(zⁿ)) "
        "∂L/∂aⁿ: W¹ is not in it, the Wᵀ are transposed and ordered; the printed "
        "product differs (and does not conform for non-square layers)",
        convention="schematic: read as the norm of the per-layer factors",
        evidence=_ev("backprop_product"),
    ),
    Erratum(
        "errata.sgd_momentum",
        "opt.sgd_momentum",
        6,
        "convention",
        stated="v_t = γv_{t−1} + η∇L(θ_t), θ_{t+1} = θ_t − v_t",
        computed="torch.optim.SGD uses v = μv + g, θ −= η·v: the same iterates at constant η, "
        "different ones once η is scheduled",
        convention="a constant learning rate",
        evidence=_ev("sgd_momentum"),
    ),
    Erratum(
        "errata.triplet_squared",
        "loss.triplet",
        5,
        "convention",
        stated="L = max(0, ∥f(a) − f(p)∥² − ∥f(a) − f(n)∥² + α)",
        computed="torch.nn.TripletMarginLoss uses unsquared distances ∥·∥₂ (p = 2): a different "
        "loss with a different margin scale",
        convention="squared distances (FaceNet)",
        evidence=_ev("triplet_squared"),
    ),
    Erratum(
        "errata.sft_sum",
        "rlhf.sft",
        13,
        "convention",
        stated="L_SFT = −Σ_t log P_θ(y_t | x, y_<t)",
        computed="trainers (F.cross_entropy's default, Hugging Face) average over response "
        "tokens: L/T, the same minimiser; §9's LM loss has the 1/T",
        convention="summed (not averaged) over the response tokens only",
        evidence=_ev("sft_sum"),
    ),
    Erratum(
        "errata.ppo_maximised",
        "rlhf.ppo_clip",
        13,
        "notation",
        stated="L^PPO = E_t[min(r_t A_t, clip(r_t, 1−ε, 1+ε) A_t)]",
        computed="an objective to maximise (∂/∂r = A > 0 inside the range), unlike the L of DPO "
        "and SFT, which are minimised; implementations minimise −L^PPO",
        convention="L denotes an objective, not a loss",
        evidence=_ev("ppo_maximised"),
    ),
    Erratum(
        "errata.dpo_equivalence",
        "rlhf.dpo",
        13,
        "convention",
        stated="DPO is equivalent to PPO under certain assumptions",
        computed="DPO and PPO-with-KL optimise the same KL-regularised objective; at its "
        "maximiser π* ∝ π_ref e^{r/β} the DPO loss equals the Bradley–Terry NLL of r",
        convention="Bradley–Terry preferences, the exact optimum of E[r] − βKL (not PPO's "
        "clipped updates), a reward model equal to the true r",
        evidence=_ev("dpo_equivalence"),
    ),
    Erratum(
        "errata.gelu_sigmoid",
        "act.gelu_sigmoid",
        4,
        "approximation",
        stated="GELU: x·Φ(x) ≈ x·σ(1.702x)",
        computed="max |x·σ(1.702x) − x·Φ(x)| ≈ 0.02; the tanh form frameworks ship is ~40× closer",
        convention="an approximation, not the exact GELU",
        evidence=_ev("gelu_sigmoid"),
    ),
    Erratum(
        "errata.eig_diagonalisable",
        "linalg.eigendecomposition",
        1,
        "convention",
        stated="Av = λv, A = PDP⁻¹",
        computed="a defective matrix (Jordan block) has no invertible P: numpy's eigenvector "
        "matrix is singular to working precision",
        convention="A diagonalisable (e.g. symmetric)",
        evidence=_ev("eig_diagonalisable"),
    ),
    Erratum(
        "errata.convex_unique",
        "opt.convexity",
        6,
        "wrong",
        stated="Convex → single global minimum (guaranteed convergence)",
        computed="e^x is convex with no minimiser; max(0, |x| − 1) is convex with a whole "
        "interval of minimisers",
        convention="strictly convex and coercive (then: at most one, and exactly one, minimiser)",
        evidence=_ev("convex_unique"),
    ),
    Erratum(
        "errata.hessian_critical_point",
        "calc.hessian",
        2,
        "convention",
        stated="H ≻ 0 (positive definite) → local minimum; H ≺ 0 → local maximum",
        computed="f(x) = x² + x has H = 2 ≻ 0 everywhere, yet x = 0 is no minimum (f(−½) < f(0)): "
        "the test classifies critical points only",
        convention="at a critical point, ∇f = 0",
        evidence=_ev("hessian_critical_point"),
    ),
    Erratum(
        "errata.swiglu_order",
        "ffn.swiglu",
        8,
        "notation",
        stated="SwiGLU(x) = (SiLU(W₁x) ⊙ W₃x)·W₂",
        computed="with column vectors (W₁x) the product must be W₂(SiLU(W₁x) ⊙ W₃x): the printed "
        "right factor does not conform (d_ff×1 times d×d_ff)",
        convention="row vectors throughout: (SiLU(xW₁) ⊙ xW₃)W₂, as code writes it",
        evidence=_ev("swiglu_order"),
    ),
    Erratum(
        "errata.qk_variance_mean",
        "attn.scale_variance",
        8,
        "convention",
        stated="If q, k have components with variance 1, then q·k has variance d_k",
        computed="with mean μ the variance is d_k(1 + 2μ²) (independent components): μ = 1 "
        "gives 3d_k (Monte Carlo agrees)",
        convention="zero-mean, independent components",
        evidence=_ev("qk_variance_mean"),
    ),
    Erratum(
        "errata.lr_range",
        "num.learning_rate",
        17,
        "empirical",
        stated="Typical learning rate (LLM): 1e-4 to 3e-4",
        computed="not derivable; GPT-3 175B used 0.6e-4, below the range (LLaMA-2: 1.5e-4 "
        "for 70B, 3e-4 for 7B)",
        convention="mid-size models; the largest use smaller rates",
        evidence=_ev("lr_range"),
    ),
    Erratum(
        "errata.batch_range",
        "num.batch_size",
        17,
        "empirical",
        stated="Typical batch size (LLM): 1–4M tokens",
        computed="not derivable; GPT-3: 1536 × 2048 = 3,145,728; LLaMA-2: 1024 × 4096 = "
        "4,194,304 (> 4·10⁶: inside only if M = 2²⁰)",
        convention="M = 2²⁰ tokens",
        evidence=_ev("batch_range"),
    ),
)
