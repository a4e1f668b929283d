"""The `torch` pack: PyTorch built-ins that implement catalog entries (the cheatsheet's §16
quick reference and the other functions and modules ML code calls), each checked against its
entry. A known convention difference is reported as the variant it is.
"""

from __future__ import annotations

import math
from typing import Any

from mathcheck.regress._adapters import module, positional, with_kwargs
from mathcheck.regress._optimizers import check_optimizer
from mathcheck.regress._schedules import check_schedule
from mathcheck.regress.packs._common import (
    custom_job,
    domain_job,
    fn_job,
    verdict,
    vmap_rows,
)
from mathcheck.regress.runner import Job

EPS64 = 2.0**-52
#: where torch's optimizers keep state they can hold (fp16: see the fp16 job)
STATEFUL_DTYPES = ("float64", "float32", "bfloat16")


def unavailable() -> str | None:
    return None  # torch is a dependency of mathcheck


#: What the catalog's torch `Reference` claims give when torch's function is the
#: implementation under test (every claim of the entry, not only the comparison): the recorded
#: verdict and why, where it is not a pass.
REFERENCE_FINDINGS = {
    "torch.nn.functional.gelu": (
        "fail", "finding: torch's vectorised fp32 erf-GELU kernel is 4.6 ulp off at x = −3.73 "
        "inside a batch (the scalar path, one element, is 0.09 ulp), past the 4-ulp budget; it "
        "depends on the CPU's SIMD level; and x·(1 + erf(x/√2)) overflows before the ½, so "
        "x = 2¹²⁷ gives inf in bf16 (and fp32), where GELU(x) = x is finite"),
    "torch.nn.functional.silu": (
        "fail", "finding: x/(1 + e^−x) with e^710 = inf returns −0 for x ≤ −710 in fp64, where "
        "x·σ(x) ≈ −3.2e-306 is a normal number (5e15 ulp; fp32 passes); likewise bf16 gives −0 "
        "at x = −90.5, where x·σ(x) = −4.5e-38 is normal in bf16"),
}


def reference_jobs() -> list[Job]:
    """One job per torch `Reference` claim of the catalog: the library function the claim
    compares with, checked through every claim of its entry (generated, never repeated)."""
    from mathcheck.formulas import REFERENCE_KIND, all_entries, library_of, resolve
    from mathcheck.regress._adapters import rename

    generated = []
    for entry in all_entries():
        for claim in entry.claims:
            if getattr(claim, "kind", "") != REFERENCE_KIND or "torch" not in claim.backends:
                continue
            name = library_of(claim)
            expect, note = REFERENCE_FINDINGS.get(name, ("pass", ""))
            generated.append(fn_job(name, entry.id, resolve(claim.check).library,
                                    adapter=rename(), expect=expect, note=note))
    return generated


def jobs() -> list[Job]:
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.func import functional_call

    def linear_as_matmul(A: Any, B: Any) -> Any:
        layer = nn.Linear(B.shape[-2], B.shape[-1], bias=False, device=A.device, dtype=A.dtype)
        return vmap_rows(lambda A, B: functional_call(layer, {"weight": B.T}, (A,)),
                          "B", 2)(A=A, B=B)

    def embedding(x: Any, E: Any) -> Any:
        return vmap_rows(lambda x, E: F.embedding(x.argmax(-1), E), "E", 2)(x=x, E=E)

    def mha(X: Any, WQ: Any, WK: Any, WV: Any, WO: Any, heads: int) -> Any:
        d = X.shape[-1]
        layer = nn.MultiheadAttention(d, heads, bias=False, batch_first=True,
                                      device=X.device, dtype=X.dtype)

        def one(X: Any, WQ: Any, WK: Any, WV: Any, WO: Any) -> Any:
            p = {"in_proj_weight": torch.cat([WQ.T, WK.T, WV.T]), "out_proj.weight": WO.T}
            return functional_call(layer, p, (X, X, X), {"need_weights": False})[0]

        return vmap_rows(one, "WQ", 2)(X=X, WQ=WQ, WK=WK, WV=WV, WO=WO)

    def rnn_cell(h: Any, x: Any, W_h: Any, W_x: Any, b: Any) -> Any:
        cell = nn.RNNCell(x.shape[-1], h.shape[-1], device=x.device, dtype=x.dtype)

        def one(h: Any, x: Any, W_h: Any, W_x: Any, b: Any) -> Any:
            p = {"weight_ih": W_x, "weight_hh": W_h, "bias_ih": b, "bias_hh": torch.zeros_like(b)}
            return functional_call(cell, p, (x[None], h[None]))[0]

        return vmap_rows(one, "W_h", 2)(h=h, x=x, W_h=W_h, W_x=W_x, b=b)

    def lstm_cell(x: Any, h: Any, c: Any, W: Any, b: Any) -> Any:
        """Catalog: W (4H, H+D) on [h; x], gates [f; i; c̃; o]. LSTMCell: [i; f; g; o]."""
        H, D = h.shape[-1], x.shape[-1]
        cell = nn.LSTMCell(D, H, device=x.device, dtype=x.dtype)

        def one(x: Any, h: Any, c: Any, W: Any, b: Any) -> Any:
            f, i, g, o = W.chunk(4, dim=0)
            bf, bi, bg, bo = b.chunk(4, dim=0)
            Wt = torch.cat([i, f, g, o])
            p = {"weight_hh": Wt[:, :H], "weight_ih": Wt[:, H:],
                 "bias_ih": torch.cat([bi, bf, bg, bo]), "bias_hh": torch.zeros_like(b)}
            h1, c1 = functional_call(cell, p, (x[None], (h[None], c[None])))
            return torch.cat([h1[0], c1[0]])

        if W.ndim == 2:
            return one(x, h, c, W, b)
        # aten::lstm_cell has no vmap rule: one cell per row of weights (a test harness loop)
        return torch.stack([one(*row) for row in zip(x, h, c, W, b, strict=True)])

    def layer_norm(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
        return vmap_rows(lambda x, gamma, beta: F.layer_norm(x, x.shape[-1:], gamma, beta, eps),
                          "gamma", 1)(x=x, gamma=gamma, beta=beta)

    def rms_norm(x: Any, gamma: Any, eps: float) -> Any:
        def one(x: Any, gamma: Any) -> Any:
            layer = nn.RMSNorm(x.shape[-1], eps=eps, device=x.device, dtype=x.dtype)
            return functional_call(layer, {"weight": gamma}, (x,))

        return vmap_rows(one, "gamma", 1)(x=x, gamma=gamma)

    def batch_norm(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
        return vmap_rows(lambda x, gamma, beta: F.batch_norm(
            x, None, None, gamma, beta, training=True, eps=eps), "gamma", 1)(
            x=x, gamma=gamma, beta=beta)

    def mse(y: Any, y_hat: Any) -> Any:
        return F.mse_loss(y_hat, y, reduction="none").mean(-1)

    def mae(y: Any, y_hat: Any) -> Any:
        return F.l1_loss(y_hat, y, reduction="none").mean(-1)

    def huber(y: Any, y_hat: Any, delta: float) -> Any:
        return F.huber_loss(y_hat, y, reduction="none", delta=delta)

    def smooth_l1(y: Any, y_hat: Any, delta: float) -> Any:
        return F.smooth_l1_loss(y_hat, y, reduction="none", beta=delta)

    def triplet(a: Any, p: Any, n: Any, margin: float) -> Any:
        return F.triplet_margin_loss(a, p, n, margin=margin, reduction="none")

    y_pair = positional("y", "y_hat", "delta")

    def kl_div(p: Any, q: Any) -> Any:
        return F.kl_div(torch.log(q), p, reduction="none").sum(-1)

    def kl_div_swapped(p: Any, q: Any) -> Any:
        """The common misreading of F.kl_div(input, target) as (p, q): KL(q‖p)."""
        return F.kl_div(torch.log(p), q, reduction="none").sum(-1)

    def kl_div_mean(p: Any, q: Any) -> Any:
        """reduction='mean' on each row (the mean over its n elements)."""
        return vmap_rows(lambda p, q: F.kl_div(torch.log(q), p, reduction="mean"), "p", 1)(
            p=p, q=q)

    def svd(A: Any, vectors: bool = False) -> Any:
        if vectors:
            U, S, Vh = torch.linalg.svd(A, full_matrices=False)
            return U, S, Vh
        return torch.linalg.svdvals(A)

    def eig_general(A: Any, vectors: bool = False) -> Any:
        """torch.linalg.eig (the general solver): real parts, sorted ascending.

        Entries below 1e-150·max|A| are flushed to zero first: on CPU, geev corrupts the heap
        ("free(): invalid next size", then abort) for [[t, .5, t], [.5, t, t], [t, t, t]] with
        t = 5.2e-204 in fp64, which would kill the whole run. The flush moves eigenvalues by
        ~1e-150 relative, far inside every budget.
        """
        scale = A.abs().amax(dim=(-2, -1), keepdim=True)
        A = torch.where(A.abs() < 1e-150 * scale, torch.zeros_like(A), A)
        values, P = torch.linalg.eig(A)
        order = torch.argsort(values.real, dim=-1)
        lam = torch.gather(values.real, -1, order).to(A.dtype)
        if not vectors:
            return lam
        P = torch.gather(P.real, -1, order[..., None, :].expand_as(P.real)).to(A.dtype)
        return lam, P / torch.linalg.vector_norm(P, dim=-2, keepdim=True)

    def eigh(A: Any, vectors: bool = False) -> Any:
        return torch.linalg.eigh(A) if vectors else torch.linalg.eigvalsh(A)

    def conv1d_flipped(f: Any, g: Any) -> Any:
        k = g.shape[-1]
        return vmap_rows(lambda f, g: F.conv1d(f[None, None], g.flip(-1)[None, None],
                                               padding=k - 1)[0, 0], "g", 1)(f=f, g=g)

    def conv1d(f: Any, g: Any) -> Any:
        k = g.shape[-1]
        return vmap_rows(lambda f, g: F.conv1d(f[None, None], g[None, None],
                                               padding=k - 1)[0, 0], "g", 1)(f=f, g=g)

    def cross_entropy_indices(z: Any, y: Any) -> Any:
        """Class-index targets: the one-hot rows' argmax (what nn.CrossEntropyLoss usually gets)."""
        return F.cross_entropy(z.reshape(-1, z.shape[-1]), y.argmax(-1).reshape(-1),
                               reduction="none").reshape(z.shape[:-1])

    def sgd_step(theta: Any, v: Any, g: Any, lr: float, momentum: float) -> Any:
        """One torch.optim.SGD(momentum) step from the state (θ, buffer)."""
        param = theta.detach().clone().requires_grad_(True)
        opt = torch.optim.SGD([param], lr=lr, momentum=momentum, foreach=False)
        opt.state[param]["momentum_buffer"] = v.detach().clone()
        param.grad = g.detach().clone()
        opt.step()
        return torch.stack((param.detach(), opt.state[param]["momentum_buffer"]), dim=-2)

    def adam_step(kind: str) -> Any:
        def step(theta: Any, m: Any, v: Any, g: Any, lr: float, beta1: float, beta2: float,
                 eps: float, t: float, weight_decay: float = 0.0) -> Any:
            """One torch.optim.Adam/AdamW step from the state (θ, m, v) at step number t."""
            param = theta.detach().clone().requires_grad_(True)
            cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
            extra = {"weight_decay": weight_decay} if kind == "adamw" else {}
            opt = cls([param], lr=lr, betas=(beta1, beta2), eps=eps, foreach=False, **extra)
            opt.state[param].update(step=torch.tensor(t - 1.0), exp_avg=m.detach().clone(),
                                    exp_avg_sq=v.detach().clone())
            param.grad = g.detach().clone()
            opt.step()
            state = opt.state[param]
            return torch.stack((param.detach(), state["exp_avg"], state["exp_avg_sq"]), dim=-2)

        return step

    def fake_quantize(x: Any, s: float, z: float, qmin: float, qmax: float) -> Any:
        return torch.fake_quantize_per_tensor_affine(x, s, int(z), int(qmin), int(qmax))

    exact = ("float64", "float32")
    no_fp16 = ("float64", "float32", "bfloat16")
    adam_case = {"theta": {"extremes": (0.0,)}, "m": {"extremes": (1.0,)},
                 "v": {"extremes": (0.0,)}, "g": {"extremes": (2.0**-8,)}}
    tiny = {"low": -1e-9, "high": 1e-9, "extremes": (1e-9, -1e-9, 3e-10, 0.0)}
    positive = {"kind": "positive", "low": 1e-3, "high": 1.0, "extremes": (1.0, 0.5, 1e-3)}
    return [
        # §16 quick reference ---------------------------------------------------------
        fn_job("A @ B", "linalg.matmul", torch.matmul),
        fn_job("torch.linalg.svd", "linalg.svd", svd, dtypes=exact,
               note="svdvals / thin svd; torch.linalg has no fp16/bf16 kernels"),
        fn_job("torch.linalg.eigh", "linalg.eigendecomposition", eigh, dtypes=exact,
               note="the symmetric solver; no fp16/bf16 kernels"),
        domain_job("torch.linalg.eig", "linalg.eigendecomposition", eig_general,
                   {"A": {"extremes": (1.0, 1.5, 1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0)}},
                   sizes={"n": (3, 3)}, dtypes=exact, expect="fail",
                   note="real parts, sorted; finding: the general solver (geev) on a symmetric "
                        "A misses the symmetric budget: λ = −0.5 off by 8.1 ulp of ‖A‖ > 7 in "
                        "fp64 at A = [[1, 1.5, 1], [1.5, 1, 1], [1, 1, 1]] (an extreme case; "
                        "random draws land at 7–8); eigh passes"),
        fn_job("torch.linalg.norm", "linalg.l2_norm", torch.linalg.norm,
               adapter=with_kwargs(dim=-1), expect="fail",
               note="finding: Σaᵢ² is not rescaled, so it overflows to inf for entries near "
                    "1e153 in fp64 (1e19 in fp32), where ‖a‖ is finite"),
        custom_job("autograd: y = x² + 3x", "calc.gradient", _autograd_polynomial),
        fn_job("nn.Linear", "linalg.matmul", linear_as_matmul, adapter=positional("A", "B"),
               note="weight = Bᵀ, no bias"),
        fn_job("nn.Embedding", "emb.lookup", embedding, adapter=positional("x", "E"),
               note="ids = argmax of the one-hot rows"),
        fn_job("nn.MultiheadAttention", "attn.multi_head", mha,
               adapter=positional("X", "WQ", "WK", "WV", "WO"), inputs=1000,
               note="in_proj = [WQᵀ; WKᵀ; WVᵀ], out_proj = WOᵀ, no bias; 1,000 inputs per "
               "check, as vmap runs the module once per input (~6 ms)"),
        fn_job("nn.LayerNorm", "norm.layer_norm", layer_norm,
               adapter=positional("x", "gamma", "beta"), expect="fail",
               note="finding: the variance overflows, giving NaN for rows with |x| ≥ 1.3e154 "
                    "in fp64 (≥ 1.8e19 in fp32), where the exact result is finite"),
        custom_job("nn.Dropout", "reg.dropout", _dropout_statistics),
        fn_job("nn.CrossEntropyLoss", "loss.cross_entropy", F.cross_entropy,
               adapter=with_kwargs(reduction="none"), note="probability targets"),
        domain_job("nn.CrossEntropyLoss (class indices)", "loss.cross_entropy",
                   cross_entropy_indices, {"y": {"kind": "onehot"}},
                   adapter=positional("z", "y"), note="one-hot targets passed as their indices"),
        fn_job("nn.MSELoss", "loss.mse", mse, adapter=positional("y", "y_hat")),
        domain_job("nn.BCEWithLogitsLoss, hard targets", "loss.bce_with_logits",
                   F.binary_cross_entropy_with_logits, {"y": {"kind": "binary", "low": 0.0,
                                                              "high": 1.0, "extremes": (0.0, 1.0)}},
                   adapter=with_kwargs(reduction="none"), expect="fail",
                   note="finding: at z = −30, y = 0 it returns 9.237e-14 for log1p(e^−30) = "
                        "9.358e-14 (1.3% off: z + log(e^−z + 1) cancels; the mirrored z = 30, "
                        "y = 1 is exact)"),
        domain_job("nn.BCEWithLogitsLoss, soft target at z ≈ −1092", "loss.bce_with_logits",
                   F.binary_cross_entropy_with_logits,
                   {"z": {"extremes": (-1092.4496916273001,)}, "y": {"extremes": (0.0625,)}},
                   adapter=with_kwargs(reduction="none"), expect="fail",
                   note="finding: (1 − y)z + max(−z, 0) cancels for soft targets, losing "
                        "≈ log2(|z|/L) bits: 8 ulp at z = −1092.45, y = 1/16, L = 68.3 (fp64)"),
        fn_job("F.binary_cross_entropy", "loss.bce", F.binary_cross_entropy,
               adapter=with_kwargs(reduction="none"), note="probabilities"),
        domain_job("F.cosine_similarity, ‖b‖ < ε", "sim.cosine", F.cosine_similarity,
                   {"a": {"extremes": (1.0,)}, "b": {"extremes": (1e-20,)}},
                   adapter=with_kwargs(dim=-1), dtypes=no_fp16,
                   expect="fail",
                   note="a = 1, b = 1e-20 (an extreme case): torch gives √n·1e-12, not 1; "
                        "fp16 below; finding: ‖b‖² overflows, so b of 7.7e153 gives 0, not 1"),
        domain_job("F.cosine_similarity, norms below ε", "linalg.cosine_similarity",
                   F.cosine_similarity, {"a": tiny, "b": tiny}, adapter=with_kwargs(dim=-1),
                   dtypes=exact, expect="eps-clamped norms (torch)",
                   note="entries in ±1e-9, so ‖a‖ < ε = 1e-8 (fp16/bf16 cannot hold them)"),
        domain_job("F.cosine_similarity, ‖a‖ ≥ 1e-3", "linalg.cosine_similarity",
                   F.cosine_similarity,
                   {"a": {"kind": "positive", "low": 1e-3, "high": 10.0,
                          "extremes": (10.0, 1e-3, 2.0)}},
                   adapter=with_kwargs(dim=-1), dtypes=no_fp16, expect="fail",
                   note="entries of a in [1e-3, 10]: norms ≫ ε, the clamp never acts (the "
                        "entry's own draws include norms below ε, the variant above); "
                        "finding: ‖b‖² overflows, so b of 4.7e153 gives 0, not 1"),
        fn_job("F.cosine_similarity in fp16", "linalg.cosine_similarity", F.cosine_similarity,
               adapter=with_kwargs(dim=-1), dtypes=("float16",), expect="fail",
               note="finding: ε = 1e-8 underflows to 0 in fp16, so a zero vector gives "
                    "0/0 = NaN instead of 0"),
        custom_job("optim.Adam, 200 steps", "opt.adam", lambda: check_optimizer(
            "opt.adam", torch.optim.Adam, lr=1e-3, dtypes=STATEFUL_DTYPES)),
        custom_job("optim.AdamW, 200 steps", "opt.adamw", lambda: check_optimizer(
            "opt.adamw", torch.optim.AdamW, lr=1e-3, weight_decay=0.1, dtypes=STATEFUL_DTYPES)),
        custom_job("optim.Adam in fp16, 200 steps", "opt.adam", lambda: check_optimizer(
            "opt.adam", torch.optim.Adam, lr=1e-3, dtypes=("float16",)), expect="fail",
            note="finding: torch keeps fp16 state in fp16, where ε = 1e-8 is 0 and (1 − β₂)g² "
                 "underflows, so the step divides by 0 and θ becomes ±∞ (the catalog's form "
                 "updates fp16 state in fp32)"),
        domain_job("optim.Adam, one step", "opt.adam", adam_step("adam"), adam_case,
                   dtypes=exact, gradients=False, adapter=positional("theta", "m", "v", "g"),
                   expect="fail",
               note="state (step, exp_avg, exp_avg_sq) = (t − 1, m, v); finding: torch forms "
                    "1 − β₂ᵗ directly, which cancels (15 ulp relative at β₂ = 0.999, t = 10), "
                    "so √v̂ is 8.7 ulp off in fp64 (budget 8) at the extreme case θ = 0, "
                    "m = 1, v = 0, g = 2⁻⁸; ε placement is canonical"),
        domain_job("optim.AdamW, one step", "opt.adamw", adam_step("adamw"), adam_case,
                   dtypes=exact, gradients=False, adapter=positional("theta", "m", "v", "g"),
                   expect="fail",
               note="θ(1 − ηλ) then the Adam step (decay × η, canonical); the same 1 − β₂ᵗ "
                    "cancellation finding as Adam"),
        custom_job("lr_scheduler.CosineAnnealingLR", "sched.cosine", lambda: check_schedule(
            "sched.cosine", torch.optim.lr_scheduler.CosineAnnealingLR,
            init={"T_max": 100, "eta_min": 3e-5}, eta_max=3e-4, eta_min=3e-5, T=100),
            note="t = 0…100; torch's recursive (chainable) form drifts, within (t + 1)·B"),
        custom_job("lr_scheduler.OneCycleLR", "sched.warmup_cosine", _one_cycle,
                   expect="one-cycle"),
        # other built-ins implementing catalog entries ------------------------------------
        fn_job("F.softmax", "act.softmax", F.softmax, adapter=with_kwargs(dim=-1)),
        fn_job("F.log_softmax", "act.log_softmax", F.log_softmax, adapter=with_kwargs(dim=-1),
               gradients=False,
               note="values on the entry's |z| ≤ 1e4; its gradient claim trips the engine's "
                    "fp64 finite-difference cross-check at z ≈ (0, 1e3) for the catalog's own "
                    "form too, so the gradient is checked on |z| ≤ 30 below"),
        domain_job("F.log_softmax, gradient on |z| ≤ 30", "act.log_softmax", F.log_softmax,
                   {"z": {"low": -30.0, "high": 30.0, "extremes": (30.0, -30.0, 0.0)}},
                   adapter=with_kwargs(dim=-1)),
        fn_job("F.gelu(approximate='tanh')", "act.gelu", F.gelu,
               adapter=with_kwargs(approximate="tanh"), expect="tanh"),
        fn_job("torch.sigmoid", "act.sigmoid", torch.sigmoid, expect="fail",
               note="finding: the backward computes σ(1 − σ) from the rounded output, so "
                    "1 − σ cancels for x ≳ 3 (26 ulp at x = 3 in fp64); the values pass"),
        fn_job("nn.RMSNorm", "norm.rms_norm", rms_norm, adapter=positional("x", "gamma"),
               expect="fail",
               note="finding: mean(x²) overflows, giving 0 for |x| ≥ 1.3e154 in fp64 (1.8e19 in "
                    "fp32 and bf16, whose statistics are fp32)"),
        fn_job("nn.RMSNorm, |x| ≤ 1e3", "norm.rms_norm", torch.nn.RMSNorm,
               ranges={"x": (-1e3, 1e3)},
               adapter=module(normalized_shape="$n", eps="$eps", state={"weight": "gamma"}),
               note="the class itself, built per shape with the canonical γ as its weight; away "
                    "from the overflow it is the canonical RMSNorm in every dtype"),
        domain_job("F.batch_norm (training), a constant column", "norm.batch_norm", batch_norm,
                   {"x": {"extremes": (3.25,)}}, adapter=positional("x", "gamma", "beta"),
                   sizes={"m": (2, 4)}, expect="fail",
                   note="batches of ≥ 2 rows (torch refuses one sample; the entry's own draws "
                        "include constant columns too); finding: the CPU kernel's batch mean "
                        "of a constant column is 1 ulp "
                        "off, so x − μ ≠ 0 and 1/√ε ≈ 316 amplifies it (512 ulp at x ≡ 3.25 "
                        "in fp64)"),
        custom_job("nn.BatchNorm1d running_var", "norm.batch_norm", _batchnorm_running_var,
                   expect="unbiased running variance"),
        fn_job("F.scaled_dot_product_attention", "attn.scaled_dot_product",
               F.scaled_dot_product_attention),
        fn_job("F.scaled_dot_product_attention(is_causal=True)", "attn.causal_mask",
               F.scaled_dot_product_attention, adapter=with_kwargs(is_causal=True)),
        fn_job("F.l1_loss", "loss.mae", mae, adapter=positional("y", "y_hat")),
        fn_job("F.huber_loss(delta=2)", "loss.huber", huber, adapter=y_pair,
               params={"delta": 2.0}),
        fn_job("F.smooth_l1_loss(beta=2)", "loss.huber", smooth_l1, adapter=y_pair,
               params={"delta": 2.0}, expect="SmoothL1 (Huber/δ)",
               note="β = δ = 2: SmoothL1 = Huber/δ"),
        fn_job("F.smooth_l1_loss(beta=1)", "loss.huber", smooth_l1, adapter=y_pair,
               params={"delta": 1.0}, note="at δ = 1 SmoothL1 and Huber are the same loss"),
        fn_job("F.triplet_margin_loss", "loss.triplet", triplet,
               adapter=positional("anchor", "positive", "negative", "margin"),
               expect="plain distances (torch TripletMarginLoss)",
               note="unsquared distances ‖a − p + 1e-6‖ (FaceNet squares them)"),
        domain_job("F.kl_div(log q, p)", "info.kl", kl_div,
                   {"p": {"extremes": (1.0, 0.0)}, "q": {"extremes": (1.0, 0.0)}},
                   adapter=positional("p", "q"), sizes={"n": (2, 2)}, expect="fail",
               note="F.kl_div(input=log q, target=p) is KL(p‖q); finding: where p = q = 0 it "
                    "computes 0·(log 0 − log 0) = NaN, not the 0 of 0·log 0 (p = q = (1, 0) "
                    "is an extreme case)"),
        domain_job("F.kl_div(log q, p), p, q > 0", "info.kl", kl_div,
                   {"p": positive, "q": positive}, adapter=positional("p", "q"), properties=False,
                   note="reduction 'none' summed; unnormalised positive vectors, so the "
                        "properties (KL ≥ 0) are not checked"),
        domain_job("F.kl_div(log p, q), p, q > 0", "info.kl", kl_div_swapped,
                   {"p": positive, "q": positive}, adapter=positional("p", "q"),
                   expect="reversed order KL(q‖p)",
                   note="input/target read as (p, q): the other direction"),
        domain_job("F.kl_div(log q, p, reduction='mean'), p, q > 0", "info.kl", kl_div_mean,
                   {"p": positive, "q": positive}, adapter=positional("p", "q"),
                   gradients=False, expect="mean over elements (reduction='mean')",
                   note="per row; 'batchmean' is the KL"),
        fn_job("nn.RNNCell", "rnn.step", rnn_cell, adapter=positional("h", "x", "W_h", "W_x", "b"),
               note="bias_ih = b, bias_hh = 0"),
        fn_job("nn.LSTMCell", "lstm.cell", lstm_cell, adapter=positional("x", "h", "c", "W", "b"),
               note="gate rows reordered [f; i; c̃; o] → [i; f; g; o]"),
        fn_job("F.conv1d", "cnn.convolution", conv1d, adapter=positional("f", "g"),
               expect="cross-correlation (conv layers)", note="padding = k − 1 (full mode)"),
        fn_job("F.conv1d with a flipped kernel", "cnn.convolution", conv1d_flipped,
               adapter=positional("f", "g"),
               note="flipping the kernel makes the cross-correlation a convolution"),
        fn_job("torch.fake_quantize_per_tensor_affine", "quant.uniform", fake_quantize,
               dtypes=("float32",), gradients=False,
               note="rounds half to even (nearbyint); fp32 only"),
        custom_job("nn.init.xavier_normal_", "init.xavier", lambda: _init_variance("xavier")),
        custom_job("nn.init.kaiming_normal_", "init.he", lambda: _init_variance("he")),
        fn_job("optim.SGD(momentum), one step", "opt.sgd_momentum", sgd_step,
               adapter=positional("theta", "v", "g"), gradients=False,
               params={"momentum": 0.9}, expect="lr outside the buffer", dtypes=STATEFUL_DTYPES,
               note="b' = γb + g, θ' = θ − ηb': with a constant η the iterates equal the "
                    "canonical ones (v = ηb), but the step function differs. γ is pinned: at "
                    "γ = 0 torch keeps no buffer at all (the state passed in comes back). fp16 "
                    "is left out: torch forms the buffer in fp16, 922 ulp from the variant's "
                    "form (which rounds once from fp32)"),
        custom_job("optim.SGD(momentum) under a schedule", "opt.sgd_momentum", _sgd_momentum,
                   expect="lr outside the buffer"),
        *reference_jobs(),
    ]


# ------------------------------------------------------------------ custom comparisons


def _autograd_polynomial() -> Any:
    """The §16 example: y = x² + 3x, y.backward() → x.grad = 2x + 3 (7 at x = 2)."""
    import sympy as sp
    import torch

    xs = sp.Symbol("x")
    derivative = sp.lambdify(xs, sp.diff(xs**2 + 3 * xs, xs))
    points = torch.tensor([2.0, -1.5, 0.0, 1e3, -7.25], dtype=torch.float64, requires_grad=True)
    (points**2 + 3 * points).sum().backward()
    exact = torch.tensor([derivative(float(v)) for v in points.detach()], dtype=torch.float64)
    err = float((points.grad - exact).abs().max())
    ok = err == 0.0 and float(points.grad[0]) == 7.0
    return verdict("calc.gradient", ok, err / EPS64, "" if ok else f"grad differs by {err}")


def _one_cycle() -> Any:
    """OneCycleLR warms up along a cosine from η_max/div_factor and anneals to
    η_max/(div_factor·final_div_factor): a different schedule from linear warm-up + cosine."""
    import torch

    from mathcheck.numeric.torch_forms.optimization import warmup_cosine

    total, eta_max, pct = 100, 1e-3, 0.3
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta_max)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=eta_max, total_steps=total,
                                                pct_start=pct, anneal_strategy="cos")
    warmup = pct * total - 1
    eta_min = eta_max / 25 / 1e4
    lrs, canonical, one_cycle = [], [], []
    for t in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        canonical.append(float(warmup_cosine(torch.tensor(float(t), dtype=torch.float64),
                                             eta_max=eta_max, eta_min=eta_min, warmup=warmup,
                                             T=float(total - 1))))
        start = eta_max / 25
        if t <= warmup:
            w = t / warmup
            one_cycle.append(eta_max + (start - eta_max) * (1 + math.cos(math.pi * w)) / 2)
        else:
            w = (t - warmup) / (total - 1 - warmup)
            one_cycle.append(eta_min + (eta_max - eta_min) * (1 + math.cos(math.pi * w)) / 2)
        opt.step()
        sched.step()
    miss = max(abs(a - b) / b for a, b in zip(lrs, canonical, strict=True) if b)
    match = max(abs(a - b) / b for a, b in zip(lrs, one_cycle, strict=True))
    if match < 1e-9:
        return verdict("sched.warmup_cosine", False, miss / EPS64,
                       f"misses linear warm-up + cosine by {miss:.2g} relative; matches the "
                       f"one-cycle form (cosine warm-up from η_max/25) within {match:.2g}",
                       variant="one-cycle")
    return verdict("sched.warmup_cosine", False, miss / EPS64, "matches neither form")


def _dropout_statistics() -> Any:
    """E[dropout(h)] = h (inverted scaling) and P(kept) = 1 − p, at 6σ for n = 10⁶."""
    import torch

    p, n = 0.1, 1_000_000
    torch.manual_seed(0)
    h = torch.full((n,), 2.0, dtype=torch.float64)
    out = torch.nn.Dropout(p=p).train()(h)
    kept = out != 0
    scale_ok = bool(torch.all(out[kept] == 2.0 / (1 - p)))
    frac = float(kept.double().mean())
    sigma = math.sqrt(p * (1 - p) / n)
    mean = float(out.mean())
    mean_sigma = 2.0 * math.sqrt(p / (1 - p) / n)
    ok = scale_ok and abs(frac - (1 - p)) < 6 * sigma and abs(mean - 2.0) < 6 * mean_sigma
    reason = (f"kept {frac:.5f} (expected {1 - p}, σ {sigma:.1g}); mean {mean:.5f} vs 2 "
              f"(σ {mean_sigma:.1g}); survivors scaled by 1/(1−p): {scale_ok}")
    return verdict("reg.dropout", ok, 0.0, reason)


def _batchnorm_running_var() -> Any:
    """nn.BatchNorm1d normalises with the biased batch variance but tracks the unbiased one."""
    import torch

    torch.manual_seed(0)
    m = 8
    x = torch.randn(m, 3, dtype=torch.float64)
    bn = torch.nn.BatchNorm1d(3, momentum=1.0, dtype=torch.float64).train()
    bn(x)
    biased = x.var(dim=0, unbiased=False)
    unbiased = x.var(dim=0, unbiased=True)
    miss = float((bn.running_var - biased).abs().max() / biased.abs().max())
    match = float((bn.running_var - unbiased).abs().max() / unbiased.abs().max())
    if match < 1e-12:
        return verdict("norm.batch_norm", False, miss / EPS64,
                       f"running_var = biased·m/(m−1) (m = {m}): misses σ²_B by {miss:.2g}",
                       variant="unbiased running variance")
    return verdict("norm.batch_norm", miss < 1e-12, miss / EPS64, "")


def _init_variance(kind: str) -> Any:
    """Sample variance of a 512×1024 init against the formula, 99.9% chi-square interval."""
    import torch

    from mathcheck.numeric.torch_forms import backprop as forms

    n_out, n_in = 512, 1024
    torch.manual_seed(0)
    w = torch.empty(n_out, n_in, dtype=torch.float64)
    if kind == "xavier":
        torch.nn.init.xavier_normal_(w)
        expected = float(forms.xavier(torch.tensor(float(n_in), dtype=torch.float64),
                                      torch.tensor(float(n_out), dtype=torch.float64)))
    else:
        torch.nn.init.kaiming_normal_(w, nonlinearity="relu")
        expected = float(forms.he(torch.tensor(float(n_in), dtype=torch.float64)))
    n = w.numel()
    var = float(w.var())
    z = 3.29  # two-sided 99.9 %
    half_width = z * math.sqrt(2 / (n - 1))
    ratio = var / expected
    ok = abs(ratio - 1) < half_width
    return verdict(f"init.{kind}", ok, 0.0, f"var {var:.4g} vs {expected:.4g} (ratio "
                   f"{ratio:.4f}, 99.9% band ±{half_width:.4f})")


def _sgd_momentum() -> Any:
    """torch's SGD keeps v ← μv + g and steps θ −= η·v; the cheatsheet keeps v ← γv + ηg and
    steps θ −= v. Equal for a constant η; under a schedule they differ."""
    import torch

    from mathcheck.numeric.torch_forms.optimization import sgd_momentum

    g = torch.Generator().manual_seed(1)
    A = torch.randn(5, 5, generator=g, dtype=torch.float64)
    theta0 = torch.randn(5, generator=g, dtype=torch.float64)
    mu = 0.9

    def grad(th: Any) -> Any:
        return A.T @ (A @ th)

    param = theta0.clone().requires_grad_(True)
    opt = torch.optim.SGD([param], lr=0.05, momentum=mu)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    theta, v = theta0.clone(), torch.zeros(5, dtype=torch.float64)
    theta_var, buf = theta0.clone(), torch.zeros(5, dtype=torch.float64)
    miss = match = 0.0
    for _ in range(60):
        lr = opt.param_groups[0]["lr"]
        opt.zero_grad()
        param.grad = grad(param.detach())
        opt.step()
        sched.step()
        out = sgd_momentum(theta, v, grad(theta), lr=lr, momentum=mu)
        theta, v = out[0], out[1]
        buf = mu * buf + grad(theta_var)
        theta_var = theta_var - lr * buf
        scale = float(param.detach().abs().max())
        miss = max(miss, float((param.detach() - theta).abs().max()) / scale)
        match = max(match, float((param.detach() - theta_var).abs().max()) / scale)
    if miss > 1e-9 and match < 1e-12:
        return verdict("opt.sgd_momentum", False, miss / EPS64,
                       f"under a step schedule misses v ← γv + ηg by {miss:.2g}; matches "
                       f"v ← μv + g, θ −= ηv within {match:.2g}", variant="lr outside the buffer")
    return verdict("opt.sgd_momentum", miss <= 1e-9, miss / EPS64, "")
