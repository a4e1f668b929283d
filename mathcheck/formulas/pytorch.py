"""Section 16 · PyTorch quick reference.

The section has no formulas of its own: each API the cheatsheet lists implements an entry of
another section. `APIS` is that map, data only: the call as the cheatsheet writes it, the
entry it implements, and (`claim`) the torch function as the entry's comparison claim names
it, where the catalog compares with it ("" where only the torch pack does,
`mathcheck.regress.packs.torch_pack`). The reference prints it as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from mathcheck.formulas._model import Entry, Section

SECTION = Section(16, "pytorch", "PyTorch quick reference")

ENTRIES: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Api:
    call: str  # as the cheatsheet writes it
    entry_id: str  # the catalog entry it implements
    note: str  # how it maps (conventions, what differs)
    claim: str = ""  # a substring of the entry's claim comparing with this API, if any


APIS: tuple[Api, ...] = (
    Api("A @ B", "linalg.matmul", "torch.matmul; batched over leading dimensions"),
    Api("torch.linalg.svd(A)", "linalg.svd",
        "returns U, S, Vᴴ (Vᴴ, not V); full_matrices=True by default; no fp16/bf16 kernels"),
    Api("torch.linalg.eig(A)", "linalg.eigendecomposition",
        "the general solver: complex eigenvalues, unsorted; torch.linalg.eigh for symmetric A"),
    Api("torch.linalg.norm(x, dim=-1)", "linalg.l2_norm",
        "the 2-norm of each row; Σxᵢ² is not rescaled, so it overflows near the dtype's max"),
    Api("y = x**2 + 3*x; y.backward(); x.grad", "calc.gradient",
        "autograd: x.grad = 2x + 3 = 7 at x = 2"),
    Api("nn.Linear(d_in, d_out)", "linalg.matmul",
        "y = xWᵀ + b: the weight is stored d_out × d_in"),
    Api("nn.Embedding(vocab_size, d_model)", "emb.lookup",
        "row lookup E[ids] = one_hot(ids) @ E", claim="torch.nn.Embedding"),
    Api("nn.MultiheadAttention(d_model, num_heads)", "attn.multi_head",
        "in_proj = [W_Qᵀ; W_Kᵀ; W_Vᵀ], out_proj = W_Oᵀ; batch_first=False by default",
        claim="torch.nn.MultiheadAttention"),
    Api("nn.LayerNorm(d_model)", "norm.layer_norm",
        "biased variance, ε = 1e-5 inside the square root", claim="layer_norm"),
    Api("nn.Dropout(p=0.1)", "reg.dropout",
        "inverted dropout: kept units scaled by 1/(1 − p) in training, identity in eval",
        claim="dropout"),
    Api("nn.CrossEntropyLoss()", "loss.cross_entropy",
        "takes logits (log-softmax inside) and class indices or probabilities; mean by default",
        claim="cross_entropy"),
    Api("nn.MSELoss()", "loss.mse", "mean over every element by default"),
    Api("nn.BCEWithLogitsLoss()", "loss.bce_with_logits",
        "the stable form max(z, 0) − zy + log(1 + e^{−|z|}); mean by default",
        claim="binary_cross_entropy_with_logits"),
    Api("F.cosine_similarity(a, b)", "linalg.cosine_similarity",
        "dim=1 by default; each norm clamped to ε = 1e-8 (see also sim.cosine)"),
    Api("torch.optim.Adam(model.parameters(), lr=1e-4)", "opt.adam",
        "β = (0.9, 0.999), ε = 1e-8 added outside the square root; weight_decay is L2 "
        "(coupled)", claim="torch.optim.Adam"),
    Api("torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)", "opt.adamw",
        "decoupled decay θ ← θ(1 − ηλ) before the Adam step", claim="torch.optim.AdamW"),
    Api("torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=1000)", "sched.cosine",
        "η_min = 0 by default; the recursive (chainable) form", claim="CosineAnnealingLR"),
    Api("torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-3, total_steps=10000)",
        "sched.warmup_cosine",
        "a cosine warm-up from max_lr/25 (not linear from 0), then a cosine to "
        "max_lr/(25·10⁴): a relative of warm-up + cosine, not the same schedule"),
)
