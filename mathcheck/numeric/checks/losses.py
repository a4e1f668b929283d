"""Section 5 · Losses: custom checks (agreement with torch's built-ins, focal → CE, the CLIP
variant against its own SymPy form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mathcheck.numeric.checks._context import (
    agreement_budget,
    backend_of,
    form_under_test,
    numpy_rng,
    stated_params,
)
from mathcheck.numeric.checks._properties import ulps_apart
from mathcheck.outcome import CheckContext, Outcome


def _against_reference(
    ctx: CheckContext, make: Callable[[np.random.Generator], dict[str, np.ndarray]],
    ours: Callable[..., Any], theirs: Callable[..., Any],
    budget: float | Callable[[dict[str, np.ndarray]], np.ndarray], why: str,
) -> Outcome:
    """Ours vs a reference on fixed-seed inputs, torch fp64 and fp32 on ctx.device; `budget`
    in ulps of max(|L|, 1), a number or a function of the inputs (one per loss value)."""
    import torch

    from mathcheck.numeric import torch_dtype

    inputs = make(numpy_rng(ctx))
    worst, worst_ratio, worst_allowed, at = 0.0, -1.0, 0.0, ""
    for dtype in ("float64", "float32"):
        tensors = {k: torch.as_tensor(v).to(device=ctx.device, dtype=torch_dtype(dtype))
                   for k, v in inputs.items()}
        a = ours(**tensors).to(torch.float64).cpu().numpy()
        b = theirs(**tensors).to(torch.float64).cpu().numpy()
        allowed = np.broadcast_to(budget(inputs) if callable(budget) else budget, a.shape)
        ratio = np.where(np.isfinite(a), ulps_apart(a, b, dtype) / allowed, np.inf)
        i = int(np.argmax(ratio))
        if ratio.flat[i] >= worst_ratio:
            worst_ratio = float(ratio.flat[i])
            worst, worst_allowed = float(ratio.flat[i] * allowed.flat[i]), float(allowed.flat[i])
            index = np.unravel_index(i, ratio.shape)
            at = f"{dtype}: " + ", ".join(f"{k}={v[index].tolist()!r}" for k, v in inputs.items())
    ok = worst_ratio <= 1
    return Outcome.verdict(ok, f"fixed-seed inputs × fp64/fp32; worst {worst:.3g} ulp of "
                           f"max(|L|, 1) (allowed {worst_allowed:.3g} there); {why}", error=worst,
                           budget=worst_allowed, worst_input=at)


def _logits(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    z = rng.normal(0, 5, (rows, n))
    z[:8] *= 2000  # gaps of ~1e4: softmax underflows, log-softmax must not
    return z


def matches_torch_cross_entropy(ctx: CheckContext) -> Outcome:
    """Against F.cross_entropy with probability targets (reduction 'none')."""
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.losses import cross_entropy

    def make(rng: np.random.Generator) -> dict[str, np.ndarray]:
        y = rng.dirichlet(np.ones(6), 200)
        return {"z": _logits(rng, 200, 6), "y": y}

    return _against_reference(
        ctx, make, cross_entropy,
        lambda z, y: F.cross_entropy(z, y, reduction="none"), 2 * (4 + 2 * 6),
        "each within the 4 + 2n ulp budget of the exact loss")


def matches_torch_bce_with_logits(ctx: CheckContext) -> Outcome:
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.losses import bce_with_logits

    def make(rng: np.random.Generator) -> dict[str, np.ndarray]:
        z = np.concatenate([rng.normal(0, 10, 300), [1e4, -1e4, 0.0, 50.0, -50.0]])
        return {"z": z, "y": rng.uniform(0, 1, z.size)}

    return _against_reference(
        ctx, make, bce_with_logits,
        lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none"),
        lambda inputs: 4 + np.abs(inputs["z"]),
        "ours within 4 ulp of the exact loss; torch forms (1 − y)z + softplus(−z), "
        "whose cancellation costs ≤ 1.5|z|u absolute (≤ 0.75|z| ulp of max(|L|, 1))")


def matches_torch_huber(ctx: CheckContext) -> Outcome:
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.losses import huber

    def make(rng: np.random.Generator) -> dict[str, np.ndarray]:
        y = np.concatenate([rng.normal(0, 3, 300), [1.0, -1.0, 0.0]])
        return {"y": y, "y_hat": np.concatenate([rng.normal(0, 3, 300), [0.0, 0.0, 0.0]])}

    return _against_reference(
        ctx, make, huber,
        lambda y, y_hat: F.huber_loss(y_hat, y, reduction="none", delta=1.0), 6,
        "each within 3 ulp of the exact loss")


def focal_reduces_to_cross_entropy(ctx: CheckContext) -> Outcome:
    """The Torch focal form with γ = 0, α = 1 against the Torch cross-entropy form: the same
    log-softmax, so they agree to the rounding of one product and one power (≤ 2 ulp)."""
    from mathcheck.numeric.torch_forms.losses import cross_entropy, focal

    def make(rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"z": _logits(rng, 200, 5), "y": np.eye(5)[rng.integers(0, 5, 200)]}

    return _against_reference(
        ctx, make, lambda z, y: focal(z, y, alpha=1.0, gamma=0.0),
        cross_entropy,
        2, "products by α = 1 and (1 − ŷ_t)⁰ = 1 are exact")


def infonce_clip_agreement(ctx: CheckContext) -> Outcome:
    """The CLIP variant (NumPy or Torch, per ctx) against the 50-digit oracle of its SymPy form,
    on fixed-seed embeddings in ulps of max(|L|, 1), within the budget and at the parameters
    (τ) of the entry's own agreement claim."""
    from mathcheck.numeric import error_scale, round_to, ulp_errors
    from mathcheck.numeric._oracle import Oracle
    from mathcheck.symbolic.losses import infonce_clip

    params, budget = stated_params(ctx), agreement_budget(ctx)
    rng = numpy_rng(ctx)
    be = backend_of(ctx)
    fn = form_under_test(ctx, "losses", "infonce_clip")
    worst, ratio_worst, at, allowed_at = 0.0, 0.0, "", 0.0
    for N, d in ((2, 2), (3, 3), (3, 2)):
        oracle = Oracle(infonce_clip(N, d), params, {"a": 2, "b": 2})
        a = round_to(np.exp(rng.uniform(np.log(0.05), np.log(4.0), (4, N, d))), ctx.dtype)
        b = round_to(rng.uniform(-4, 4, (4, N, d)), ctx.dtype)
        hi, lo = oracle({"a": a, "b": b})
        out = be.to_numpy(fn(be.asarray(a), be.asarray(b), **params))
        err = ulp_errors(out, hi, lo, error_scale(hi, "unit", 0), ctx.dtype)
        allowed = budget.at(params).allowed(ctx.dtype, {"N": N, "d": d})
        i = int(np.argmax(err))
        if err[i] / allowed > ratio_worst:
            ratio_worst, worst, allowed_at = err[i] / allowed, float(err[i]), allowed
            at = f"a={a[i].tolist()!r}, b={b[i].tolist()!r}"
    return Outcome.verdict(ratio_worst <= 1, f"12 embedding pairs (N×d = 2×2, 3×3, 3×2); worst "
                           f"{worst:.3g} ulp of max(|L|, 1) ({budget.describe()})", error=worst,
                           budget=allowed_at, worst_input=at)
