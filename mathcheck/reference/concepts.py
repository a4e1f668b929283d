"""The concept index: what a reader looks up ("KL divergence", "Kullback–Leibler", "RoPE",
"rotary") → the catalog entries that carry it.

Data, curated: `CONCEPTS` maps a concept (synonyms are concepts of their own, so each is
found under its own letter) to entry ids. `index(entries)` adds, for any entry no concept
names, its title up to the first colon, so every entry is reachable; ids the build does not
contain are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from mathcheck.formulas import Entry

CONCEPTS: dict[str, tuple[str, ...]] = {
    "activation functions": ("act.relu", "act.leaky_relu", "act.gelu", "act.silu",
                             "act.sigmoid", "act.tanh", "act.softplus"),
    "Adam": ("opt.adam", "opt.adamw"),
    "AdamW": ("opt.adamw",),
    "addition rule": ("prob.addition_rule",),
    "approximate nearest neighbours": ("ann.ivf", "ann.pq", "ann.hnsw"),
    "attention": ("attn.scaled_dot_product", "attn.multi_head", "attn.causal_mask",
                  "attn.scale_variance"),
    "attention FLOPs": ("num.attention_flops",),
    "autoregressive factorisation": ("lm.chain_rule", "prob.multiplication_rule"),
    "backpropagation": ("bp.delta", "bp.weight_grad", "bp.bias_grad", "bp.gradient_product",
                        "calc.chain_rule"),
    "batch normalization": ("norm.batch_norm",),
    "batch size": ("num.batch_size",),
    "Bayes' theorem": ("prob.bayes",),
    "Bernoulli distribution": ("prob.bernoulli",),
    "bias correction": ("opt.adam",),
    "binary cross-entropy": ("loss.bce", "loss.bce_with_logits"),
    "BPE (byte-pair encoding)": ("tok.bpe",),
    "Bradley–Terry model": ("rlhf.bradley_terry", "rlhf.dpo"),
    "categorical distribution": ("prob.categorical",),
    "causal mask": ("attn.causal_mask",),
    "chain rule": ("calc.chain_rule", "lm.chain_rule"),
    "Chinchilla": ("scaling.chinchilla_loss", "scaling.chinchilla_optimal",
                   "num.chinchilla_tokens"),
    "CNN": ("cnn.convolution", "cnn.output_size"),
    "compute-optimal scaling": ("scaling.chinchilla_optimal", "num.chinchilla_tokens"),
    "contrastive loss": ("loss.infonce", "loss.triplet"),
    "convexity": ("opt.convexity",),
    "convolution": ("cnn.convolution", "cnn.output_size"),
    "correlation": ("prob.correlation",),
    "cosine annealing": ("sched.cosine", "sched.warmup_cosine"),
    "cosine similarity": ("linalg.cosine_similarity", "sim.cosine"),
    "covariance": ("prob.covariance", "prob.multivariate_gaussian"),
    "cross-entropy": ("loss.cross_entropy", "info.cross_entropy", "info.ce_decomposition",
                      "lm.nll"),
    "derivatives": ("calc.d_power", "calc.d_exp", "calc.d_log", "calc.d_sigmoid",
                    "calc.d_tanh"),
    "diffusion (DDPM)": ("ddpm.forward", "ddpm.marginal", "ddpm.reverse", "ddpm.loss"),
    "distance": ("sim.euclidean",),
    "dot product": ("linalg.dot", "sim.dot"),
    "DPO (direct preference optimisation)": ("rlhf.dpo",),
    "dropout": ("reg.dropout",),
    "eigendecomposition": ("linalg.eigendecomposition",),
    "ELBO": ("vae.elbo",),
    "embedding": ("emb.lookup",),
    "entropy": ("info.entropy", "info.ce_decomposition"),
    "error function (erf)": ("act.erf",),
    "Euclidean distance": ("sim.euclidean",),
    "evidence lower bound": ("vae.elbo",),
    "expectation": ("prob.expectation",),
    "exploding gradients": ("bp.gradient_product", "block.residual"),
    "feed-forward network (FFN)": ("ffn.gelu", "ffn.swiglu", "num.ffn_flops"),
    "FLOPs": ("num.attention_flops", "num.ffn_flops", "scaling.chinchilla_optimal"),
    "focal loss": ("loss.focal",),
    "GAN": ("gan.minimax", "gan.optimal_discriminator", "gan.equilibrium"),
    "Gaussian distribution": ("prob.gaussian", "prob.multivariate_gaussian"),
    "GELU": ("act.gelu", "act.gelu_sigmoid", "act.gelu_tanh", "ffn.gelu"),
    "Glorot initialisation": ("init.xavier",),
    "GPT-3": ("num.gpt3_params",),
    "gradient": ("calc.gradient", "opt.gd"),
    "gradient clipping": ("opt.clip_grad_norm",),
    "gradient descent": ("opt.gd", "opt.sgd_momentum"),
    "graph convolution (GCN)": ("gcn.layer",),
    "Hadamard product": ("linalg.hadamard",),
    "He initialisation": ("init.he",),
    "Hessian": ("calc.hessian",),
    "HNSW": ("ann.hnsw",),
    "Huber loss": ("loss.huber",),
    "InfoNCE": ("loss.infonce",),
    "initialisation": ("init.xavier", "init.he"),
    "INT4 / INT8": ("quant.uniform", "num.int4_memory"),
    "inverse": ("linalg.inverse",),
    "IVF index": ("ann.ivf",),
    "Jacobian": ("calc.jacobian",),
    "Jensen's inequality": ("opt.convexity",),
    "Kaiming initialisation": ("init.he",),
    "KL divergence": ("info.kl", "info.ce_decomposition", "rlhf.kl_penalty", "vae.elbo"),
    "Kullback–Leibler divergence": ("info.kl", "info.ce_decomposition", "rlhf.kl_penalty"),
    "KV cache": ("kv.cache_memory", "kv.cache_cost"),
    "L1 / L2 norm": ("linalg.l1_norm", "linalg.l2_norm"),
    "L1 regularization (lasso)": ("reg.l1", "prob.map"),
    "L2 regularization": ("reg.l2", "opt.adamw", "prob.map"),
    "language modelling": ("lm.chain_rule", "lm.nll", "info.perplexity"),
    "LayerNorm": ("norm.layer_norm",),
    "leaky ReLU": ("act.leaky_relu",),
    "learning rate": ("num.learning_rate", "sched.cosine", "sched.warmup_cosine"),
    "learning-rate schedule": ("sched.cosine", "sched.warmup_cosine"),
    "LLaMA-2 70B": ("num.llama2_70b_params", "num.fp16_memory", "num.int4_memory"),
    "log-sigmoid": ("act.log_sigmoid",),
    "log-softmax": ("act.log_softmax",),
    "LoRA (low-rank adaptation)": ("lora.update", "linalg.rank", "linalg.low_rank"),
    "low-rank approximation": ("linalg.low_rank", "linalg.svd"),
    "LSTM": ("lstm.cell",),
    "MAP estimation": ("prob.map",),
    "matrix multiply": ("linalg.matmul",),
    "maximum likelihood (MLE)": ("prob.mle",),
    "mean absolute error": ("loss.mae",),
    "mean squared error (MSE)": ("loss.mse",),
    "memory (fp16, INT4)": ("num.fp16_memory", "num.int4_memory", "kv.cache_memory"),
    "momentum": ("opt.sgd_momentum", "opt.adam"),
    "multi-head attention": ("attn.multi_head", "block.transformer"),
    "multiplication rule": ("prob.multiplication_rule",),
    "mutual information": ("info.mutual_information",),
    "negative log-likelihood": ("lm.nll", "rlhf.sft", "loss.cross_entropy"),
    "normalization layers": ("norm.batch_norm", "norm.layer_norm", "norm.rms_norm"),
    "nucleus sampling": ("sample.top_p",),
    "orthogonal matrix": ("linalg.orthogonal",),
    "parameter count": ("num.gpt3_params", "num.llama2_70b_params", "lora.update"),
    "PCA": ("linalg.pca_svd",),
    "perplexity": ("info.perplexity",),
    "positional encoding": ("pos.sinusoidal", "pos.rope"),
    "positive definite": ("linalg.positive_definite", "calc.hessian"),
    "PPO": ("rlhf.ppo_clip",),
    "product quantization (PQ)": ("ann.pq",),
    "product rule": ("calc.product_rule",),
    "projection": ("linalg.projection",),
    "quantisation": ("quant.uniform", "num.int4_memory"),
    "rank": ("linalg.rank",),
    "ReLU": ("act.relu",),
    "reparameterization trick": ("vae.reparameterization",),
    "residual connection": ("block.residual", "block.transformer"),
    "reward model": ("rlhf.bradley_terry", "rlhf.kl_penalty"),
    "RLHF": ("rlhf.bradley_terry", "rlhf.ppo_clip", "rlhf.kl_penalty", "rlhf.dpo",
             "rlhf.sft"),
    "RMSNorm": ("norm.rms_norm", "block.transformer"),
    "RNN": ("rnn.step", "lstm.cell"),
    "RoPE": ("pos.rope",),
    "rotary position embedding": ("pos.rope",),
    "sampling": ("sample.temperature", "sample.top_k", "sample.top_p"),
    "scaled dot-product attention": ("attn.scaled_dot_product", "attn.scale_variance"),
    "scaling laws": ("scaling.chinchilla_loss", "scaling.chinchilla_optimal"),
    "SFT (supervised fine-tuning)": ("rlhf.sft",),
    "SGD": ("opt.gd", "opt.sgd_momentum"),
    "sigmoid (logistic)": ("act.sigmoid", "calc.d_sigmoid", "act.log_sigmoid"),
    "SiLU / Swish": ("act.silu", "ffn.swiglu"),
    "similarity search": ("sim.dot", "sim.cosine", "sim.euclidean", "ann.ivf", "ann.pq",
                          "ann.hnsw"),
    "sinusoidal positional encoding": ("pos.sinusoidal",),
    "softmax": ("act.softmax", "act.log_softmax", "sample.temperature",
                "attn.scaled_dot_product"),
    "softplus": ("act.softplus",),
    "sum rule": ("calc.sum_rule",),
    "SVD (singular value decomposition)": ("linalg.svd", "linalg.low_rank", "linalg.pca_svd"),
    "SwiGLU": ("ffn.swiglu",),
    "symmetric matrix": ("linalg.symmetric",),
    "tanh": ("act.tanh", "calc.d_tanh", "act.gelu_tanh"),
    "temperature": ("sample.temperature",),
    "tokenization": ("tok.bpe",),
    "top-k sampling": ("sample.top_k",),
    "top-p sampling": ("sample.top_p",),
    "trace": ("linalg.trace",),
    "transformer block": ("block.transformer", "ffn.gelu", "ffn.swiglu", "block.residual"),
    "transpose": ("linalg.transpose",),
    "triplet loss": ("loss.triplet",),
    "VAE": ("vae.elbo", "vae.reparameterization"),
    "vanishing gradients": ("bp.gradient_product", "block.residual"),
    "variance": ("prob.variance", "attn.scale_variance"),
    "vector database": ("ann.ivf", "ann.pq", "ann.hnsw"),
    "warmup": ("sched.warmup_cosine",),
    "weight decay": ("reg.l2", "opt.adamw"),
    "Xavier initialisation": ("init.xavier",),
}


def sort_key(concept: str) -> str:
    """Alphabetical as a reader expects: case, accents and punctuation ignored."""
    plain = unicodedata.normalize("NFKD", concept).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9 ]", "", plain.casefold())


def _from_title(entry: Entry) -> str:
    return entry.title.split(":")[0].strip()


def index(entries: Iterable[Entry]) -> list[tuple[str, list[str]]]:
    """(concept, entry ids in the catalog's order) for the entries given, alphabetical;
    an entry no curated concept reaches is listed under its title."""
    chosen = list(entries)
    order = {e.id: k for k, e in enumerate(chosen)}
    by_id = {e.id: e for e in chosen}
    found: dict[str, list[str]] = {}
    for concept, ids in CONCEPTS.items():
        present = sorted((i for i in dict.fromkeys(ids) if i in order), key=order.__getitem__)
        if present:
            found[concept] = present
    reached = {i for ids in found.values() for i in ids}
    for entry_id in sorted(set(order) - reached, key=order.__getitem__):
        found.setdefault(_from_title(by_id[entry_id]), []).append(entry_id)
    return sorted(found.items(), key=lambda item: (sort_key(item[0]), item[0]))
