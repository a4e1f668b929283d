"""Section 17 · Numbers to know.

Counts, not functions of real inputs: no numeric forms (no ulp agreement is meaningful for an
integer count), each figure recomputed exactly and its formula confirmed on a real torch model
or a real forward pass. Figures that no formula gives (batch size, learning rate) say so.
"""

from mathcheck.formulas._model import (
    Check,
    Entry,
    Identity,
    Section,
    check_fn,
    notation,
    symbolic,
)

SECTION = Section(17, "numbers", "Numbers to know")
S = SECTION.slug

COUNT = "A count evaluated exactly in integers from published shapes, not a numeric formula."
EMPIRICAL = (
    "Not derivable: an empirical training choice, reported with published values and not checked."
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="num.gpt3_params",
        section=SECTION,
        title="GPT-3 parameters: 175B",
        used_in="d_model = 12288, 96 layers, 96 heads",
        symbolic=symbolic(S, "gpt_params"),
        notation=notation(S, "gpt_params"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check(
                "175B from the published shapes; formula = numel of a real small GPT",
                check_fn(S, "gpt3_params"),
            ),
        ),
        notes="Computed 174,604,259,328 with vocab 50257, context 2048, biases, learned "
        "positions and a tied unembedding: '175B' is that to 3 significant figures.",
        no_numeric_reason=COUNT,
        signature="L(12d² + 13d) + (V + T)d + 2d",
    ),
    Entry(
        id="num.llama2_70b_params",
        section=SECTION,
        title="LLaMA-2 70B parameters: 70B",
        used_in="d_model = 8192, 80 layers, 64 heads",
        symbolic=symbolic(S, "llama_params"),
        notation=notation(S, "llama_params"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check(
                "70B from the published shapes (GQA, SwiGLU); formula = numel of a real "
                "small LLaMA",
                check_fn(S, "llama2_70b_params"),
            ),
        ),
        notes="Needs what the table omits: 8 KV heads (GQA), d_ff = 28672, vocab 32000, an "
        "untied head. Computed 68.98B; with 64 KV heads as the table reads, 78.4B.",
        no_numeric_reason=COUNT,
        signature="L(2d² + 2d·h_kv·d_head + 3d·d_ff + 2d) + 2Vd + d",
    ),
    Entry(
        id="num.fp16_memory",
        section=SECTION,
        title="Float16 memory per parameter: 2 bytes (70B ≈ 140 GB)",
        used_in="Serving and fine-tuning memory estimates",
        symbolic=symbolic(S, "memory"),
        notation=notation(S, "memory"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(Check("2 bytes per fp16 element; 70e9 × 2 B = 140 GB",
                      check_fn(S, "fp16_memory")),),
        notes="GB = 10⁹ B (130.4 GiB). Weights only.",
        no_numeric_reason=COUNT,
        signature="N × 2 bytes",
    ),
    Entry(
        id="num.int4_memory",
        section=SECTION,
        title="INT4 memory per parameter: 0.5 bytes (70B ≈ 35 GB)",
        used_in="Quantised inference",
        symbolic=symbolic(S, "memory"),
        notation=notation(S, "memory"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check(
                "two 4-bit codes per byte (packed for real); 70e9 × 0.5 B = 35 GB",
                check_fn(S, "int4_memory"),
            ),
        ),
        notes="Before per-group scales and zero points (≈ +6 % at group size 128).",
        no_numeric_reason=COUNT,
        signature="N × 0.5 bytes",
    ),
    Entry(
        id="num.chinchilla_tokens",
        section=SECTION,
        title="Chinchilla-optimal tokens: 20 × N",
        used_in="Choosing the training-set size",
        symbolic=symbolic(S, "chinchilla_tokens"),
        notation=notation(S, "chinchilla_tokens"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check("Chinchilla's 1.4T tokens / 70B parameters = 20",
                  check_fn(S, "chinchilla_tokens")),
        ),
        notes="An empirical ratio (approaches 1–2 of Hoffmann et al.), not a constant of the "
        "fitted law: the approach-3 fit gives a ratio that grows with compute (errata).",
        no_numeric_reason=COUNT,
        signature="D ≈ 20·N",
    ),
    Entry(
        id="num.attention_flops",
        section=SECTION,
        title="Attention FLOPs: 2n²d",
        used_in="n = sequence length, d = model dimension",
        symbolic=symbolic(S, "attention_flops"),
        notation=notation(S, "attention_flops"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Check(
                "counted with FlopCounterMode: QKᵀ = 2n²d, QKᵀ + AV = 4n²d",
                check_fn(S, "attention_flops"),
            ),
        ),
        notes="Conventions: 2 FLOPs per multiply-add, only matmuls counted. 2n²d is QKᵀ alone "
        "(or the multiply-adds of QKᵀ and AV); the full score-and-mix step is 4n²d. The "
        "Q/K/V/O projections (8nd²) are separate.",
        no_numeric_reason=COUNT,
        signature="2·n²·d",
    ),
    Entry(
        id="num.ffn_flops",
        section=SECTION,
        title="FFN FLOPs: 16nd²",
        used_in="Dominates for short sequences",
        symbolic=symbolic(S, "ffn_flops"),
        notation=notation(S, "ffn_flops"),
        numpy=None,
        torch=None,
        domain=None,
        claims=(
            Identity("two matmuls with d_ff = 4d give 16nd²", symbolic(S, "ffn_flops_at_4d")),
            Identity(
                "a SwiGLU FFN with d_ff = 8d/3 also gives 16nd²",
                symbolic(S, "swiglu_flops_at_8d_over_3"),
            ),
            Check("counted with FlopCounterMode on a real FFN and block", check_fn(S, "ffn_flops")),
        ),
        notes="Conventions: d_ff = 4d, 2 FLOPs per multiply-add, biases and the activation not "
        "counted. 'Dominates for short sequences': FFN 16nd² > attention mixing 4n²d iff "
        "n < 4d (n < 8d against the stated 2n²d). LLaMA-2 70B (SwiGLU, d_ff = 3.5d) has "
        "21nd².",
        no_numeric_reason=COUNT,
        signature="2 · 2 · n · d · d_ff = 16nd² at d_ff = 4d",
    ),
    Entry(
        id="num.batch_size",
        section=SECTION,
        title="Typical LLM batch size: 1–4M tokens",
        used_in="Per gradient step",
        symbolic=None,
        numpy=None,
        torch=None,
        domain=None,
        claims=(Check("not derivable: published values reported", check_fn(S, "batch_size")),),
        no_numeric_reason=EMPIRICAL,
    ),
    Entry(
        id="num.learning_rate",
        section=SECTION,
        title="Typical LLM learning rate: 1e-4 to 3e-4",
        used_in="With cosine decay",
        symbolic=None,
        numpy=None,
        torch=None,
        domain=None,
        claims=(Check("not derivable: published values reported", check_fn(S, "learning_rate")),),
        no_numeric_reason=EMPIRICAL,
    ),
)
