"""Section 13 · Alignment & RLHF: properties and custom checks.

Property checks return violations in machine epsilons of the dtype under test; `Check`s
return an `Outcome` (fp64 unless stated; fixed seeds from the context).
"""

from __future__ import annotations

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks._compare import EPS64, eps_apart, within
from mathcheck.numeric.checks._context import numpy_rng, torch_rng
from mathcheck.numeric.checks._properties import Args, Form, swapped
from mathcheck.outcome import CheckContext, Outcome

# ----------------------------------------------------------------- Bradley–Terry


def bt_antisymmetric(f: Form, args: Args, backend: Backend) -> float:
    """P(w ≻ l) + P(l ≻ w) = 1: |sum − 1| in eps (each probability within its budget)."""
    forward, backward = swapped(f, args, backend, "r_w", "r_l")
    return float(np.max(np.abs(forward + backward - 1.0), initial=0.0)) / backend.eps


# ----------------------------------------------------------------- PPO


def ppo_clipped_below_unclipped(
    f: Form, args: Args, backend: Backend
) -> float:
    """min(rA, clip(r)A) ≤ rA (pessimistic bound): excess over r·A, relative, in eps."""
    r, a = backend.to_numpy(args["r"]), backend.to_numpy(args["A"])
    y = backend.to_numpy(f(**args))
    unclipped = r * a
    excess = np.maximum(0.0, y - unclipped) / np.maximum(np.abs(unclipped), backend.eps)
    return float(np.max(excess, initial=0.0)) / backend.eps


def ppo_gradient_vanishes(ctx: CheckContext) -> Outcome:
    """∂L/∂r = 0 exactly where clipping is active in the direction it guards against
    (A > 0 and r > 1 + ε; A < 0 and r < 1 − ε), and = A everywhere else: autograd, fp64."""
    import torch

    from mathcheck.numeric.torch_forms.rlhf import ppo_clip

    eps = 0.2
    gen = torch_rng(ctx)
    n = 4000
    r = torch.empty(n, dtype=torch.float64).uniform_(0.2, 3.0, generator=gen)
    a = torch.randn(n, dtype=torch.float64, generator=gen) * 3
    away = ((r - (1 - eps)).abs() > 1e-6) & ((r - (1 + eps)).abs() > 1e-6) & (a != 0)
    r, a = r[away].requires_grad_(True), a[away]
    (grad,) = torch.autograd.grad(ppo_clip(r, a, eps=eps).sum(), r)
    clipped = ((a > 0) & (r > 1 + eps)) | ((a < 0) & (r < 1 - eps))
    expected = torch.where(clipped, torch.zeros_like(a), a)
    wrong = grad != expected.detach()
    # The other side of the clip range must keep its gradient (pessimism, not symmetry):
    other_side = ((a > 0) & (r < 1 - eps)) | ((a < 0) & (r > 1 + eps))
    kept = bool((grad[other_side] != 0).all())
    ok = not bool(wrong.any()) and kept and int(clipped.sum()) > 0 and int(other_side.sum()) > 0
    worst = None
    if wrong.any():
        i = int(torch.nonzero(wrong)[0])
        worst = f"r={float(r[i].detach())!r}, A={float(a[i])!r}, grad={float(grad[i])!r}"
    return Outcome.verdict(
        ok,
        f"{int(r.numel())} samples, {int(clipped.sum())} clipped (gradient 0), "
        f"{int(other_side.sum())} on the unclipped side of the range (gradient A)",
        float(wrong.sum()),
        0.0,
        "samples",
        worst,
    )


# ----------------------------------------------------------------- KL penalty


def kl_penalty_below_reward(f: Form, args: Args, backend: Backend) -> float:
    """KL ≥ 0 ⇒ objective ≤ E_π[r]: excess in eps of max(|E_π r|, 1)."""
    p, r, q = backend.to_numpy(args["p"]), backend.to_numpy(args["r"]), backend.to_numpy(args["q"])
    q = backend.asarray(q / q.sum(axis=-1, keepdims=True))  # a policy: KL ≥ 0 needs Σ π_ref = 1
    y = backend.to_numpy(f(p=args["p"], q=q, r=args["r"]))
    expected_reward = (p * r).sum(axis=-1)
    scale = np.maximum(np.abs(expected_reward), 1.0) * (1 + p.shape[-1])
    return float(np.max(np.maximum(0.0, y - expected_reward) / scale, initial=0.0)) / backend.eps


def kl_optimal_policy(ctx: CheckContext) -> Outcome:
    """The maximiser is π* ∝ π_ref·e^{r/β} with value β log E_ref[e^{r/β}] (Gibbs variational
    principle): the form reaches it at π*, and no random policy beats it (fp64)."""
    import torch

    from mathcheck.numeric.torch_forms.rlhf import kl_penalty

    rng = numpy_rng(ctx)
    beta, n, trials = 0.1, 6, 2000
    worst_gap, worst_excess = 0.0, -np.inf
    for _ in range(20):
        q = torch.from_numpy(rng.dirichlet(np.ones(n)))
        r = torch.from_numpy(rng.standard_normal(n))
        logits = torch.log(q) + r / beta
        optimum = beta * torch.logsumexp(logits, dim=-1)
        star = torch.softmax(logits, dim=-1)
        gap = eps_apart(kl_penalty(star, q, r, beta=beta), optimum, 1.0, elementwise=True)
        others = torch.from_numpy(rng.dirichlet(np.full(n, 0.5), size=trials))
        excess = float(
            (
                kl_penalty(others, q.expand(trials, n), r.expand(trials, n), beta=beta) - optimum
            ).max()
        )
        worst_gap, worst_excess = max(worst_gap, gap), max(worst_excess, excess)
    ok = worst_gap <= 64 and worst_excess <= 64 * EPS64
    return Outcome.verdict(
        ok,
        f"value at π* within {worst_gap:.1f} eps of β·logsumexp(log π_ref + r/β); "
        f"best of {20 * trials} random policies exceed it by at most {worst_excess:.3g} "
        "(must be ≤ 0)",
        worst_gap,
        64,
        "eps",
    )


# ----------------------------------------------------------------- DPO


def dpo_at_optimal_policy(ctx: CheckContext) -> Outcome:
    """Why DPO is 'equivalent under certain assumptions': at the KL-optimal policy
    π* ∝ π_ref e^{r/β}, the implicit reward β log π*/π_ref = r − β log Z, so the DPO loss equals
    the Bradley–Terry NLL of the true reward for every pair (fp64)."""
    import torch

    from mathcheck.numeric.torch_forms.rlhf import bradley_terry, dpo

    gen = torch_rng(ctx)
    beta, n = 0.5, 8
    ref_logits = torch.randn(n, dtype=torch.float64, generator=gen)
    reward = torch.randn(n, dtype=torch.float64, generator=gen) * 2
    log_ref = torch.log_softmax(ref_logits, -1)
    log_star = torch.log_softmax(log_ref + reward / beta, -1)
    win, lose = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    win, lose = win.flatten(), lose.flatten()
    loss = dpo(log_star[win], log_star[lose], log_ref[win], log_ref[lose], beta=beta)
    nll = -torch.log(bradley_terry(reward[win], reward[lose]))
    err = eps_apart(loss, nll, 1.0, elementwise=True)
    return within(err, 64, f"{n * n} preference pairs: DPO(π*) vs −log σ(r_w − r_l)")


# ----------------------------------------------------------------- SFT


def sft_prompt_ignored(f: Form, args: Args, backend: Backend) -> float:
    """Changing the logits of prompt tokens (mask 0) leaves the loss unchanged: |Δ| in eps."""
    z, mask = backend.to_numpy(args["z"]), backend.to_numpy(args["mask"])
    base = backend.to_numpy(f(**args))
    rng = np.random.default_rng(0)
    noise = rng.integers(-8, 9, size=z.shape).astype(np.float64) * (mask[..., None] == 0)
    moved = backend.to_numpy(f(z=backend.asarray(z + noise), y=args["y"], mask=args["mask"]))
    diff = np.abs(moved - base) / np.maximum(np.abs(base), 1.0)
    return float(np.max(diff, initial=0.0)) / backend.eps


def sft_matches_cross_entropy(ctx: CheckContext) -> Outcome:
    """The form equals F.cross_entropy(..., ignore_index=-100, reduction="sum") with prompt
    labels set to -100 (the Hugging Face convention); reduction="mean" is that sum divided by
    the number of response tokens, i.e. the cheatsheet's sum is one convention of two."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric._dtypes import torch_dtype
    from mathcheck.numeric.torch_forms.rlhf import sft

    dtype = torch_dtype(ctx.dtype)
    gen = torch_rng(ctx)
    T, V = 12, 50
    z = (torch.randn(T, V, generator=gen, dtype=torch.float64) * 3).to(dtype)
    targets = torch.randint(0, V, (T,), generator=gen)
    mask = (torch.arange(T) >= 4).to(dtype)  # 4 prompt tokens, then the response
    y = F.one_hot(targets, V).to(dtype)
    ours = sft(z.to(ctx.device), y.to(ctx.device), mask.to(ctx.device))
    labels = torch.where(mask.bool(), targets, torch.full_like(targets, -100))
    ref_sum = F.cross_entropy(z, labels, ignore_index=-100, reduction="sum")
    ref_mean = F.cross_entropy(z, labels, ignore_index=-100, reduction="mean")
    eps = float(torch.finfo(dtype).eps)
    scale = float(ref_sum.abs().clamp_min(1))
    err = float((ours.cpu().double() - ref_sum.double()).abs()) / scale / eps
    mean_err = float((ref_sum / mask.sum() - ref_mean).double().abs()) / scale / eps
    budget = 4.0 * (T + V)  # two length-(T+V) reductions, each ≤ (T+V)·u relative
    return Outcome.verdict(
        err <= budget and mean_err <= budget,
        f"sum over {int(mask.sum())} response tokens = {float(ref_sum):.6g} (form: "
        f"{float(ours):.6g}); F.cross_entropy's default mean = {float(ref_mean):.6g} = sum / "
        f"{int(mask.sum())}",
        err,
        budget,
        "eps",
    )
