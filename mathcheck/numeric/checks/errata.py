"""Evidence for the errata (`mathcheck.formulas.errata`); `mathcheck.crosscheck.errata`
evaluates it, each erratum as one task of the engine (its time budget and isolation).

Each evidence function takes the `CheckContext` the engine gives it (torch, fp64, CPU, the
run's seed and effort), computes from scratch the numbers that show the discrepancy (or the
convention the statement needs) and returns {"reproduced": bool, "values": {...}, "summary":
str}: reproduced = the computation shows what the erratum says. Seeded from the context;
fast (< 1 s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from mathcheck.numeric.checks import models, numbers, rlhf
from mathcheck.numeric.checks._context import numpy_rng, torch_rng
from mathcheck.outcome import CheckContext, Outcome

Evidence = dict[str, Any]


def _evidence(reproduced: bool, summary: str, **values: Any) -> Evidence:
    return {"reproduced": bool(reproduced), "summary": summary, "values": _plain(values)}


def _check_evidence(
    check: Callable[[CheckContext], Outcome], ctx: CheckContext, *, error: bool = False
) -> Evidence:
    """A catalog check run as evidence: reproduced when it passes; its detail is the summary,
    its extra values (and with `error` its error, as error_eps) the values."""
    outcome = check(ctx)
    values = {**outcome.extra, **({"error_eps": outcome.error} if error else {})}
    return _evidence(outcome.status == "passed", outcome.detail, **values)


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, tuples to lists, recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# ----------------------------------------------------------------- §3, §1, §4, §5, §6, §8


def mvn_determinant(ctx: CheckContext) -> Evidence:
    """Integrate the 2-D density with det Σ, ∥Σ∥₂ and ∥Σ∥_F in the normaliser (closed form
    ∫exp(−½xᵀΣ⁻¹x)dx = 2π√det Σ, confirmed by quadrature)."""
    from scipy import integrate

    sigma = np.array([[2.0, 0.9], [0.9, 1.0]])
    inv = np.linalg.inv(sigma)
    kernel = integrate.dblquad(
        lambda y, x: math.exp(-0.5 * np.array([x, y]) @ inv @ np.array([x, y])),
        -12,
        12,
        -12,
        12,
        epsabs=1e-10,
    )[0]
    norms = {
        "det": float(np.linalg.det(sigma)),
        "spectral": float(np.linalg.norm(sigma, 2)),
        "frobenius": float(np.linalg.norm(sigma, "fro")),
    }
    totals = {k: kernel / (2 * math.pi * math.sqrt(v)) for k, v in norms.items()}
    ok = abs(totals["det"] - 1) < 1e-8 and all(
        abs(totals[k] - 1) > 0.1 for k in ("spectral", "frobenius")
    )
    return _evidence(
        ok,
        f"Σ = [[2, .9], [.9, 1]]: total mass with |Σ|: {totals['det']:.10f}; "
        f"with ∥Σ∥₂: {totals['spectral']:.4f}; with ∥Σ∥_F: {totals['frobenius']:.4f}",
        integrals=totals,
        normalisers=norms,
    )


def gelu_sigmoid(ctx: CheckContext) -> Evidence:
    from scipy.special import ndtr

    x = np.linspace(-8, 8, 160001)
    exact = x * ndtr(x)
    sig = x / (1 + np.exp(-1.702 * x))
    tanh = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    dev_sig, dev_tanh = float(np.abs(sig - exact).max()), float(np.abs(tanh - exact).max())
    where = float(x[np.argmax(np.abs(sig - exact))])
    return _evidence(
        dev_sig > 1e-2 and dev_tanh < dev_sig / 10,
        f"max |x·σ(1.702x) − GELU| = {dev_sig:.4f} at x = {where:.2f}; tanh form: "
        f"{dev_tanh:.2e} ({dev_sig / dev_tanh:.0f}× closer)",
        sigmoid_max_abs=dev_sig,
        tanh_max_abs=dev_tanh,
        at=where,
    )


def eig_diagonalisable(ctx: CheckContext) -> Evidence:
    A = np.array([[1.0, 1.0], [0.0, 1.0]])
    _, P = np.linalg.eig(A)
    cond = float(np.linalg.cond(P))
    return _evidence(
        cond > 1e14,
        f"Jordan block [[1, 1], [0, 1]]: cond(P) = {cond:.3g} (P is singular: no A = PDP⁻¹)",
        cond_P=cond,
    )


def convex_unique(ctx: CheckContext) -> Evidence:
    xs = np.linspace(-50, 5, 10001)
    exp_values = np.exp(xs)
    flat = np.maximum(0, np.abs(xs[(xs > -3) & (xs < 3)]) - 1)
    minimisers = int((flat == 0).sum())
    return _evidence(
        exp_values.min() > 0 and minimisers > 1,
        f"inf eˣ = 0 is not attained (min over [−50, 5] is {exp_values.min():.2e} at "
        f"the left end); max(0, |x| − 1) is 0 at {minimisers} grid points of [−1, 1]",
        exp_inf_not_attained=True,
        flat_minimisers=minimisers,
    )


def hessian_critical_point(ctx: CheckContext) -> Evidence:
    f = lambda x: x * x + x  # noqa: E731
    hessian = (f(1e-3) - 2 * f(0.0) + f(-1e-3)) / 1e-6
    return _evidence(
        hessian > 0 and f(-0.5) < f(0.0),
        f"f(x) = x² + x: f'' = {hessian:.6g} > 0 at 0, but f(−½) = {f(-0.5)} < f(0) = 0 "
        f"(∇f(0) = 1 ≠ 0)",
        hessian=hessian,
    )


def swiglu_order(ctx: CheckContext) -> Evidence:
    import torch

    d, d_ff = 4, 6
    x = torch.ones(d, 1, dtype=torch.float64)  # shapes are the point: values are irrelevant
    W1, W3, W2 = (
        torch.ones(shape, dtype=torch.float64) for shape in ((d_ff, d), (d_ff, d), (d, d_ff))
    )
    gated = torch.nn.functional.silu(W1 @ x) * (W3 @ x)  # (d_ff, 1)
    try:
        gated @ W2
        printed_conforms = True
    except RuntimeError:
        printed_conforms = False
    left = W2 @ gated
    return _evidence(
        not printed_conforms and tuple(left.shape) == (d, 1),
        f"column convention: (SiLU(W₁x) ⊙ W₃x) is {tuple(gated.shape)}, ·W₂ {tuple(W2.shape)} "
        f"conforms: {printed_conforms}; W₂·(…) gives {tuple(left.shape)}",
        printed_conforms=printed_conforms,
    )


def qk_variance_mean(ctx: CheckContext) -> Evidence:
    rng = numpy_rng(ctx)
    d, mu, samples = 16, 1.0, 200_000
    q = rng.standard_normal((samples, d)) + mu
    k = rng.standard_normal((samples, d)) + mu
    var = float((q * k).sum(-1).var())
    predicted = d * (1 + 2 * mu**2)
    se = predicted * math.sqrt(2 / samples) * 2  # generous: heavier tails than normal
    return _evidence(
        abs(var - predicted) < 4 * se and abs(var - d) > 10 * se,
        f"d_k = {d}, mean 1: Var(q·k) = {var:.2f} (predicted {predicted:g}, stated "
        f"{d}); {samples:,} samples",
        measured=var,
        predicted=predicted,
        stated=d,
    )


def triplet_squared(ctx: CheckContext) -> Evidence:
    import torch

    gen = torch_rng(ctx)
    a, p, n = (torch.randn(8, 5, generator=gen, dtype=torch.float64) for _ in range(3))
    margin = 1.0
    stated = torch.clamp((a - p).pow(2).sum(-1) - (a - n).pow(2).sum(-1) + margin, min=0).mean()
    torch_loss = torch.nn.TripletMarginLoss(margin=margin, p=2, eps=0.0)(a, p, n)
    unsquared = torch.clamp((a - p).norm(dim=-1) - (a - n).norm(dim=-1) + margin, min=0).mean()
    ok = abs(float(torch_loss - unsquared)) < 1e-12 and abs(float(torch_loss - stated)) > 1e-3
    return _evidence(
        ok,
        f"batch of 8: stated (squared) {float(stated):.4f}, TripletMarginLoss "
        f"{float(torch_loss):.4f} = unsquared {float(unsquared):.4f}",
        stated=float(stated),
        torch=float(torch_loss),
    )


def sgd_momentum(ctx: CheckContext) -> Evidence:
    """Minimise ½θ² from θ = 1 with γ = μ = 0.9: a constant η, then a halving schedule."""
    import torch

    def run(lrs: list[float]) -> tuple[float, float]:
        theta_c, v = 1.0, 0.0  # the cheatsheet's form
        for lr in lrs:
            v = 0.9 * v + lr * theta_c
            theta_c -= v
        p = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
        opt = torch.optim.SGD([p], lr=lrs[0], momentum=0.9)
        for lr in lrs:
            for group in opt.param_groups:
                group["lr"] = lr
            opt.zero_grad()
            (0.5 * p**2).backward()
            opt.step()
        return theta_c, float(p.detach())

    const = run([0.1] * 20)
    sched = run([0.1 * 0.5 ** (t // 5) for t in range(20)])
    ok = abs(const[0] - const[1]) < 1e-12 and abs(sched[0] - sched[1]) > 1e-4
    return _evidence(
        ok,
        f"20 steps: constant η → {const[0]:.6g} vs torch {const[1]:.6g}; "
        f"halving η every 5 steps → {sched[0]:.6g} vs torch {sched[1]:.6g}",
        constant=const,
        scheduled=sched,
    )


# ----------------------------------------------------------------- §9


def lora_reduction(ctx: CheckContext) -> Evidence:
    import torch
    from torch import nn

    d, r = 4096, 16
    full = sum(p.numel() for p in nn.Linear(d, d, bias=False, device="meta").parameters())
    lora = sum(
        p.numel()
        for m in (
            nn.Linear(d, r, bias=False, device="meta"),
            nn.Linear(r, d, bias=False, device="meta"),
        )
        for p in m.parameters()
    )
    saving = 1 - lora / full
    rect = 1 - r * (4096 + 11008) / (4096 * 11008)
    del torch
    return _evidence(
        round(saving * 100, 1) == 99.2,
        f"{lora:,} vs {full:,} parameters: {saving:.5%} fewer (99.2 % to 3 figures); a "
        f"4096×11008 matrix: {rect:.3%}",
        saving=saving,
        rectangular=rect,
    )


def quant_reduction(ctx: CheckContext) -> Evidence:
    bits = {"fp32": 32, "fp16": 16, "int8": 8, "int4": 4, "int4+g128": 4 + 32 / 128}
    vs32 = {k: 32 / v for k, v in bits.items()}
    vs16 = {k: 16 / v for k, v in bits.items()}
    return _evidence(
        vs32["int8"] == 4 and vs32["int4"] == 8 and vs16["int4"] == 4,
        f"vs fp32: INT8 {vs32['int8']:g}×, INT4 {vs32['int4']:g}× ({vs32['int4+g128']:.2f}× "
        f"with group-128 scales); vs fp16: INT8 {vs16['int8']:g}×, INT4 {vs16['int4']:g}×",
        vs_fp32=vs32,
        vs_fp16=vs16,
    )


def kv_cache_gqa(ctx: CheckContext) -> Evidence:
    layers, heads, kv_heads, d_head, seq, precision = 80, 64, 8, 128, 4096, 2
    mha = 2 * layers * heads * d_head * seq * precision
    gqa = 2 * layers * kv_heads * d_head * seq * precision
    return _evidence(
        mha == 8 * gqa,
        f"LLaMA-2 70B, 4096 tokens, fp16: {mha / 1e9:.2f} GB with "
        f"n_heads = 64, {gqa / 1e9:.2f} GB with its 8 KV heads",
        mha_bytes=mha,
        gqa_bytes=gqa,
    )


# ----------------------------------------------------------------- §13–15


sft_sum = partial(_check_evidence, rlhf.sft_matches_cross_entropy, error=True)


def ppo_maximised(ctx: CheckContext) -> Evidence:
    import torch

    from mathcheck.numeric.torch_forms.rlhf import ppo_clip

    r = torch.tensor([0.9, 1.1], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([1.0, 1.0], dtype=torch.float64)
    (grad,) = torch.autograd.grad(ppo_clip(r, a).sum(), r)
    return _evidence(
        bool((grad > 0).all()),
        f"A = 1, r ∈ {{0.9, 1.1}}: ∂L/∂r = {grad.tolist()} > 0, so L is increased by "
        f"making good actions likelier: an objective to maximise",
        gradient=grad.tolist(),
    )


dpo_equivalence = partial(_check_evidence, rlhf.dpo_at_optimal_policy, error=True)


def backprop_product(ctx: CheckContext) -> Evidence:
    """3 square tanh layers: autograd's ∂L/∂W¹ against δ¹a⁰ᵀ (the correct chain) and against the
    printed ∏_{l=1}^{3} W^l σ′(z^l) used the same way."""
    import torch

    gen = torch_rng(ctx)
    n = 4
    Ws = [
        torch.randn(n, n, generator=gen, dtype=torch.float64, requires_grad=True) for _ in range(3)
    ]
    a0 = torch.randn(n, generator=gen, dtype=torch.float64)
    zs, a = [], a0
    for W in Ws:
        zs.append(W @ a)
        a = torch.tanh(zs[-1])
    loss = a.sum()
    (grad_w1,) = torch.autograd.grad(loss, Ws[0])
    with torch.no_grad():
        dsig = [1 / torch.cosh(z) ** 2 for z in zs]
        delta = torch.ones(n, dtype=torch.float64) * dsig[2]
        for layer in (1, 0):
            delta = (Ws[layer + 1].T @ delta) * dsig[layer]
        chain = torch.outer(delta, a0)
        printed = torch.eye(n, dtype=torch.float64)
        for W, s in zip(Ws, dsig, strict=True):
            printed = printed @ (W * s[None, :])
        printed_grad = torch.outer(printed.T @ torch.ones(n, dtype=torch.float64), a0)
    err_chain = float((chain - grad_w1).norm() / grad_w1.norm())
    err_printed = float((printed_grad - grad_w1).norm() / grad_w1.norm())
    return _evidence(
        err_chain < 1e-12 and err_printed > 1e-2,
        f"relative error vs autograd: correct chain {err_chain:.1e}; printed product "
        f"{err_printed:.2f}",
        correct_chain=err_chain,
        printed_product=err_printed,
    )


conv_cross_correlation = partial(_check_evidence, models.conv_layers_cross_correlate, error=True)
output_size_dilation = partial(_check_evidence, models.output_size_vs_torch)


# ----------------------------------------------------------------- §17


def ffn_flops(ctx: CheckContext) -> Evidence:
    evidence = _check_evidence(numbers.ffn_flops, ctx)
    llama = 3 * 2 * numbers.LLAMA2_70B.d_ff / numbers.LLAMA2_70B.d
    evidence["values"]["llama2_70b_coefficient"] = llama
    evidence["summary"] += f"; LLaMA-2 70B SwiGLU: {llama:g}nd²"
    return evidence


attention_flops = partial(_check_evidence, numbers.attention_flops)


def ffn_dominates(ctx: CheckContext) -> Evidence:
    d = 4096
    ns = np.array([1024, 8192, 16384, 32768])
    ffn, attn = 16 * ns * d**2, 4 * ns**2 * d
    crossover = int(ns[np.argmax(attn >= ffn)])
    return _evidence(
        crossover == 4 * d,
        f"d = {d}: FFN/attention-mixing FLOP ratio "
        f"{dict(zip(ns.tolist(), (ffn / attn).tolist(), strict=True))}"
        f"; equal at n = 4d = {4 * d}",
        ratios=(ffn / attn).tolist(),
        crossover=crossover,
    )


gpt3_params = partial(_check_evidence, numbers.gpt3_params)
llama2_params = partial(_check_evidence, numbers.llama2_70b_params)
fp16_memory = partial(_check_evidence, numbers.fp16_memory)
int4_memory = partial(_check_evidence, numbers.int4_memory)


def chinchilla_ratio(ctx: CheckContext) -> Evidence:
    evidence = _check_evidence(numbers.chinchilla_tokens, ctx)
    ratios = evidence["values"]["approach3"]
    evidence["reproduced"] = evidence["reproduced"] and all(r > 20 for r in ratios.values())
    return evidence


def lr_range(ctx: CheckContext) -> Evidence:
    outside = {k: v["lr"] for k, v in numbers.PUBLISHED.items() if not 1e-4 <= v["lr"] <= 3e-4}
    return _evidence(
        bool(outside),
        f"published peak rates outside 1e-4–3e-4: {outside}",
        published={k: v["lr"] for k, v in numbers.PUBLISHED.items()},
    )


def batch_range(ctx: CheckContext) -> Evidence:
    tokens = {k: v["batch_tokens"] for k, v in numbers.PUBLISHED.items()}
    above_decimal = {k: t for k, t in tokens.items() if t > 4_000_000}
    inside_binary = all(2**20 <= t <= 4 * 2**20 for t in tokens.values())
    return _evidence(
        bool(above_decimal) and inside_binary,
        f"published: {tokens}; above 4·10⁶: {list(above_decimal)}; all within "
        f"[2²⁰, 4·2²⁰]: {inside_binary}",
        published=tokens,
    )
