"""The `transformers` pack: the LLaMA-family building blocks of Hugging Face Transformers,
built from a small randomly initialised config (no downloads), against the catalog.

RMSNorm, the rotary embedding and its application, the SwiGLU MLP, attention, and the whole
decoder layer (against the catalog's parts composed in fp64).
"""

from __future__ import annotations

from typing import Any

from mathcheck.regress._adapters import positional
from mathcheck.regress.packs._common import custom_job, fn_job, verdict, vmap_rows
from mathcheck.regress.runner import Job

LOW = ("float32", "float16", "bfloat16")


def unavailable() -> str | None:
    try:
        import transformers  # noqa: F401
    except ImportError:
        return "Hugging Face Transformers is not installed (pip install 'mathcheck[transformers]')"
    return None


def _config(hidden: int, heads: int, intermediate: int = 8, eps: float = 1e-6,
            base: float = 10000.0) -> Any:
    from transformers import LlamaConfig

    config = LlamaConfig(hidden_size=hidden, num_attention_heads=heads,
                         num_key_value_heads=heads, intermediate_size=intermediate,
                         num_hidden_layers=1, vocab_size=16, rms_norm_eps=eps,
                         max_position_embeddings=128, rope_theta=base, head_dim=hidden // heads)
    config._attn_implementation = "eager"
    return config


def jobs() -> list[Job]:
    from torch.func import functional_call
    from transformers.models.llama import modeling_llama as llama

    def rms_norm(x: Any, gamma: Any, eps: float) -> Any:
        layer = llama.LlamaRMSNorm(x.shape[-1], eps=eps).to(device=x.device, dtype=x.dtype)
        return vmap_rows(lambda x, gamma: functional_call(layer, {"weight": gamma}, (x,)),
                         "gamma", 1, randomness="same")(x=x, gamma=gamma)

    def rotary(x: Any, m: Any, base: float = 10000.0, rotary_dim: float | None = None) -> Any:
        import torch

        if rotary_dim is not None and int(rotary_dim) != x.shape[-1]:
            raise ValueError("LLaMA rotates every dimension (rotary_dim = d)")
        config = _config(hidden=x.shape[-1], heads=1, base=float(base))
        rot = llama.LlamaRotaryEmbedding(config).to(x.device)
        positions = m.reshape(-1, 1).long()
        q = x.reshape(-1, 1, 1, x.shape[-1])  # (rows, heads, seq, head_dim)
        cos, sin = rot(q, positions)
        out, _ = llama.apply_rotary_pos_emb(q, q, cos.to(x.dtype), sin.to(x.dtype))
        return out.reshape(x.shape).to(x.dtype) if isinstance(out, torch.Tensor) else out

    def mlp(x: Any, W1: Any, W3: Any, W2: Any) -> Any:
        config = _config(hidden=x.shape[-1], heads=1, intermediate=W1.shape[-2])
        layer = llama.LlamaMLP(config).to(device=x.device, dtype=x.dtype)

        def one(x: Any, W1: Any, W3: Any, W2: Any) -> Any:
            p = {"gate_proj.weight": W1, "up_proj.weight": W3, "down_proj.weight": W2}
            return functional_call(layer, p, (x,))

        return vmap_rows(one, "W1", 2, randomness="same")(x=x, W1=W1, W3=W3, W2=W2)

    def attention(X: Any, WQ: Any, WK: Any, WV: Any, WO: Any, heads: float) -> Any:
        import torch

        h = int(heads)
        config = _config(hidden=X.shape[-1], heads=h)
        layer = llama.LlamaAttention(config, layer_idx=0).to(device=X.device, dtype=X.dtype)

        def one(X: Any, WQ: Any, WK: Any, WV: Any, WO: Any) -> Any:
            n, hd = X.shape[-2], X.shape[-1] // h
            identity = (torch.ones(1, n, hd, dtype=X.dtype, device=X.device),
                        torch.zeros(1, n, hd, dtype=X.dtype, device=X.device))
            p = {"q_proj.weight": WQ.T, "k_proj.weight": WK.T, "v_proj.weight": WV.T,
                 "o_proj.weight": WO.T}
            out, _ = functional_call(layer, p, (X[None],),
                                     {"position_embeddings": identity, "attention_mask": None})
            return out[0]

        return vmap_rows(one, "WQ", 2, randomness="same")(X=X, WQ=WQ, WK=WK, WV=WV, WO=WO)

    return [
        fn_job("LlamaRMSNorm", "norm.rms_norm", rms_norm, adapter=positional("x", "gamma", "eps"),
               dtypes=LOW, expect="fail",
               note="normalises in fp32 whatever the input dtype (an fp64 input is rounded to "
                    "fp32), so fp64 is not checked; the casting order is LLaMA's (named in "
                    "fp16); finding: x² overflows fp32 for |x| ≥ 1.8e19 (fp32 and bf16 inputs), "
                    "giving 0"),
        fn_job("LlamaRMSNorm, |x| ≤ 1e3", "norm.rms_norm", rms_norm,
               adapter=positional("x", "gamma", "eps"), dtypes=LOW, ranges={"x": (-1e3, 1e3)},
               expect="cast before weight (LLaMA)",
               note="away from the overflow: fp32 passes, fp16/bf16 cast before the weight"),
        fn_job("LlamaRotaryEmbedding + apply_rotary_pos_emb", "pos.rope", rotary,
               adapter=positional("x", "m"), dtypes=LOW, gradients=False,
               expect="half-split (GPT-NeoX, HF LLaMA)",
               note="judged against the half-split variant's SymPy oracle (not bit-for-bit "
                    "against a numeric form); HF computes the angles in fp32 whatever the "
                    "model dtype, so fp64 is not checked"),
        fn_job("LlamaMLP", "ffn.swiglu", mlp, adapter=positional("x", "W1", "W3", "W2"),
               note="gate_proj = W1, up_proj = W3, down_proj = W2"),
        fn_job("LlamaAttention (eager, no mask, identity rotary)", "attn.multi_head", attention,
               adapter=positional("X", "WQ", "WK", "WV", "WO", "heads"), dtypes=LOW,
               note="q/k/v/o_proj = Wᵀ (row form); cos = 1, sin = 0; the eager softmax runs in "
                    "fp32 whatever the dtype, so fp64 is not checked"),
        custom_job("LlamaDecoderLayer", "block.transformer", _decoder_layer,
                   note="vs the catalog's RMSNorm, multi-head attention and SwiGLU forms "
                        "composed in fp64 (causal, RoPE at positions 0…n−1)"),
    ]


def _decoder_layer() -> Any:
    """The whole decoder layer against the catalog's parts composed in fp64.

    Budget: the layer is ~6 stages (2 RMSNorms, attention, SwiGLU, 2 residual adds), each
    within ≤ 16 ulp of its own output in the row-wise scale: 96 ulp of the fp32 output.
    """
    import torch
    from transformers.models.llama import modeling_llama as llama

    from mathcheck.numeric import ulp
    from mathcheck.numeric.torch_forms import attention as att
    from mathcheck.numeric.torch_forms import llm
    from mathcheck.numeric.torch_forms import normalization as norm

    d, heads, ff, n = 8, 2, 16, 5
    config = _config(hidden=d, heads=heads, intermediate=ff)
    torch.manual_seed(0)
    layer = llama.LlamaDecoderLayer(config, layer_idx=0).double()
    for p in layer.parameters():
        torch.nn.init.normal_(p, std=0.5)
    X = torch.randn(1, n, d, dtype=torch.float64)
    positions = torch.arange(n)[None]
    rot = llama.LlamaRotaryEmbedding(config)

    def reference(X: Any) -> Any:
        a = layer.self_attn
        x = norm.rms_norm(X, layer.input_layernorm.weight, eps=config.rms_norm_eps)
        hd = d // heads

        def split(W: Any) -> Any:
            return (x @ W.weight.T).reshape(1, n, heads, hd).transpose(1, 2)

        q, k, v = split(a.q_proj), split(a.k_proj), split(a.v_proj)
        pos = positions.to(torch.float64).reshape(1, 1, n, 1)
        q, k = llm.rope_half(q, pos), llm.rope_half(k, pos)
        attended = att.causal_attention(q, k, v).transpose(1, 2).reshape(1, n, d)
        h = X + attended @ a.o_proj.weight.T
        y = norm.rms_norm(h, layer.post_attention_layernorm.weight, eps=config.rms_norm_eps)
        m = layer.mlp
        swi = att.ffn_swiglu(y, m.gate_proj.weight, m.up_proj.weight, m.down_proj.weight)
        return h + swi

    exact = reference(X).detach()
    lay = layer.to(torch.float32)
    cos, sin = rot(X.to(torch.float32), positions)
    causal = torch.full((n, n), torch.finfo(torch.float32).min).triu(1)[None, None]
    out = lay(X.to(torch.float32), attention_mask=causal, position_ids=positions,
              position_embeddings=(cos, sin))
    out = out[0] if isinstance(out, tuple) else out
    layer.double()
    scale = exact.abs().amax(dim=-1, keepdim=True).numpy()
    err = float(((out.detach().double() - exact).abs().numpy() / ulp(scale, "float32")).max())
    return verdict("block.transformer", err <= 96.0, err,
                   f"causal decoder layer, n = {n}, d = {d}, h = {heads}, fp32 against the "
                   f"fp64 composition: worst {err:.3g} ulp (budget 96); HF computes norms, "
                   "softmax and rotary angles in fp32, so fp64 is not checked",
                   key="float32/cpu", budget=96.0)
