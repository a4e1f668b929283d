"""Section 14 · Backpropagation: the stated recursion against autograd on random MLPs, the
gradient product, and initialisation variances (statistically, against torch.nn.init).

All checks run in fp64 with fixed seeds; tolerances are stated in each outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from mathcheck.numeric.checks._compare import EPS64, both_forms, within
from mathcheck.numeric.checks._context import torch_rng
from mathcheck.outcome import CheckContext, Outcome

DEPTHS = (1, 2, 4, 8)


def _activations() -> dict[str, tuple[Callable, Callable]]:
    """σ and its derivative σ′, written independently of autograd."""
    import torch

    def gelu_prime(z: torch.Tensor) -> torch.Tensor:
        return 0.5 * torch.erfc(-z / math.sqrt(2)) + z * torch.exp(-z * z / 2) / math.sqrt(
            2 * math.pi
        )

    return {
        "tanh": (torch.tanh, lambda z: 1 / torch.cosh(z) ** 2),
        "sigmoid": (torch.sigmoid, lambda z: torch.sigmoid(z) * torch.sigmoid(-z)),
        "relu": (torch.relu, lambda z: (z > 0).to(z.dtype)),
        "gelu": (torch.nn.functional.gelu, gelu_prime),
    }


@dataclass
class _Mlp:
    """One random MLP, its forward values, autograd gradients and the stated backprop ones."""

    name: str
    depth: int
    autograd: dict[str, list]
    stated: dict[str, list]


def _mlp_cases(ctx: CheckContext) -> list[_Mlp]:
    """Random MLPs of every depth × activation: z_l = W_l a_{l−1} + b_l, a_l = σ(z_l), loss
    ½‖a_L − y‖² on a batch. Autograd gives ∂L/∂z_l (retain_grad), ∂L/∂W_l, ∂L/∂b_l; the stated
    rules give δ_L = (a_L − y) ⊙ σ′(z_L), δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ′(z_l), δ_l a_{l−1}ᵀ, δ_l."""
    import torch

    from mathcheck.numeric.torch_forms.backprop import bias_grad, delta, weight_grad

    gen = torch_rng(ctx)
    cases = []
    for name, (act, dact) in _activations().items():
        for depth in DEPTHS:
            widths = torch.randint(2, 9, (depth + 1,), generator=gen).tolist()
            batch = 5
            Ws = [
                (
                    torch.randn(widths[i + 1], widths[i], generator=gen, dtype=torch.float64)
                    / math.sqrt(widths[i])
                ).requires_grad_(True)
                for i in range(depth)
            ]
            bs = [
                torch.randn(widths[i + 1], generator=gen, dtype=torch.float64).requires_grad_(True)
                for i in range(depth)
            ]
            a = torch.randn(batch, widths[0], generator=gen, dtype=torch.float64)
            y = torch.randn(batch, widths[-1], generator=gen, dtype=torch.float64)
            acts, zs = [a], []
            for W, b in zip(Ws, bs, strict=True):
                z = acts[-1] @ W.T + b
                z.retain_grad()
                zs.append(z)
                acts.append(act(z))
            loss = 0.5 * ((acts[-1] - y) ** 2).sum()
            loss.backward()
            auto = {
                "delta": [z.grad for z in zs],
                "W": [W.grad for W in Ws],
                "b": [b.grad for b in bs],
            }
            with torch.no_grad():
                deltas = [None] * depth
                deltas[-1] = (acts[-1] - y) * dact(zs[-1])
                for layer in range(depth - 2, -1, -1):
                    back = deltas[layer + 1] @ Ws[layer + 1]  # rows of (W_{l+1}ᵀ δ_{l+1})
                    if name == "tanh":  # the catalog form itself, for σ = tanh
                        back_form = delta(
                            Ws[layer + 1].expand(batch, -1, -1), deltas[layer + 1], zs[layer]
                        )
                        deltas[layer] = back_form
                    else:
                        deltas[layer] = back * dact(zs[layer])
                stated = {
                    "delta": deltas,
                    "W": [
                        weight_grad(d, a_prev).sum(0)
                        for d, a_prev in zip(deltas, acts[:-1], strict=True)
                    ],
                    "b": [bias_grad(d).sum(0) for d in deltas],
                }
            cases.append(_Mlp(name, depth, auto, stated))
    return cases


def _against_autograd(ctx: CheckContext, key: str, what: str) -> Outcome:
    """Norm-wise relative error per layer, worst over all MLPs, in fp64 eps. Budget: each δ
    is a chain of ≤ 8 matrix-vector products of width ≤ 8 plus elementwise factors; both
    autograd and the recursion are backward-stable, so 64·depth eps norm-wise is generous
    yet catches any wrong factor (which is O(1))."""
    worst, where, budget_used = 0.0, "", 0.0
    count = 0
    for case in _mlp_cases(ctx):
        budget = 64.0 * case.depth
        for layer, (got, want) in enumerate(zip(case.stated[key], case.autograd[key], strict=True)):
            err = float((got - want).norm() / want.norm().clamp_min(1e-300)) / EPS64
            count += 1
            if err / budget > (worst / budget_used if budget_used else 0.0):
                worst, budget_used = err, budget
                where = f"{case.name} MLP, depth {case.depth}, layer {layer + 1}"
    return within(worst, budget_used, f"{what}: {count} layers of {len(DEPTHS)} depths × 4 "
                  f"activations (tanh, sigmoid, relu, gelu) vs autograd; worst at {where}",
                  "eps (norm-wise)", where)


delta_vs_autograd = partial(_against_autograd, key="delta", what="δ_l = ∂L/∂z_l")
weight_grad_vs_autograd = partial(_against_autograd, key="W",
                                  what="∂L/∂W_l = Σ_batch δ_l a_{l−1}ᵀ")
bias_grad_vs_autograd = partial(_against_autograd, key="b", what="∂L/∂b_l = Σ_batch δ_l")


# ----------------------------------------------------------------- gradient product


def gradient_product_vs_autograd(ctx: CheckContext) -> Outcome:
    """∏ diag(σ′(z_l)) W_l equals autograd's Jacobian ∂a_L/∂a_0 of a deep tanh net (fp64),
    for the NumPy and the Torch form alike."""
    import torch

    gen = torch_rng(ctx)
    worst = 0.0
    for depth in (1, 3, 10):
        n = 6
        W = torch.randn(depth, n, n, generator=gen, dtype=torch.float64) / math.sqrt(n)
        a0 = torch.randn(n, generator=gen, dtype=torch.float64)

        def net(a: torch.Tensor, W: torch.Tensor = W) -> torch.Tensor:
            for layer in range(W.shape[0]):
                a = torch.tanh(W[layer] @ a)
            return a

        zs, a = [], a0
        for layer in range(depth):
            zs.append(W[layer] @ a)
            a = torch.tanh(zs[-1])
        auto = torch.autograd.functional.jacobian(net, a0)
        for form in both_forms("backprop", "gradient_product", W.numpy(),
                               torch.stack(zs).numpy()):
            worst = max(worst, float((torch.from_numpy(form) - auto).norm() / auto.norm()) / EPS64)
    budget = 640.0  # 64 eps per layer for the deepest (10-layer) product
    return within(worst, budget, "depths 1, 3, 10, width 6: the NumPy and Torch products vs "
                  "torch.autograd.functional.jacobian", "eps (norm-wise)")


def vanishing_exploding(ctx: CheckContext) -> Outcome:
    """The table's claim, made exact: ‖∏ diag(σ′)W_l‖ ≤ ∏ ‖diag(σ′)W_l‖ (submultiplicativity),
    so factors < 1 vanish geometrically; and with W_l = g·Q_l (Q orthogonal) in the linear
    regime, ‖∏‖₂ = g^L exactly: g = 0.9 vanishes, g = 1.1 explodes, g = 1 is preserved."""
    import torch

    from mathcheck.numeric.torch_forms.backprop import gradient_product

    gen = torch_rng(ctx)
    n, depth = 16, 50
    details, ok, worst = [], True, 0.0
    for g in (0.9, 1.0, 1.1):
        Q = torch.linalg.qr(torch.randn(depth, n, n, generator=gen, dtype=torch.float64))[0]
        z = torch.zeros(depth, n, dtype=torch.float64)  # σ′(0) = 1 for tanh: the linear regime
        norm = float(torch.linalg.matrix_norm(gradient_product(g * Q, z), ord=2))
        rel = abs(norm / g**depth - 1) / EPS64
        worst = max(worst, rel)
        ok &= rel <= 64 * depth
        details.append(f"g={g}: ‖J‖₂={norm:.4g} (g^L={g**depth:.4g})")
    W = torch.randn(depth, n, n, generator=gen, dtype=torch.float64) * 1.5 / math.sqrt(n)
    z = torch.randn(depth, n, generator=gen, dtype=torch.float64) * 2
    factors = torch.linalg.matrix_norm((1 / torch.cosh(z) ** 2)[..., None] * W, ord=2)
    bound = float(torch.prod(factors))
    actual = float(torch.linalg.matrix_norm(gradient_product(W, z), ord=2))
    ok &= actual <= bound * (1 + 64 * depth * EPS64)
    details.append(f"random tanh net: ‖J‖₂={actual:.3g} ≤ ∏‖σ′W‖={bound:.3g}")
    return Outcome.verdict(
        ok,
        "; ".join(details),
        worst,
        64.0 * depth,
        "eps (relative, ‖J‖ vs g^L)",
    )


# ----------------------------------------------------------------- initialisation

Z_CRIT = 3.89  # two-sided 99.99 % normal quantile


def _variance_z(w: object, variance: float, kurtosis: float) -> float:
    """z-score of mean(w²) against σ²: w has known mean 0, so mean(w²) is unbiased with
    Var = (κ − 1)σ⁴/N (κ = 3 normal, 9/5 uniform); N ≥ 8000 makes the normal approximation good."""
    import torch

    assert isinstance(w, torch.Tensor)
    n = w.numel()
    s2 = float((w.double() ** 2).mean())
    return (s2 / variance - 1) / math.sqrt((kurtosis - 1) / n)


SHAPES = ((256, 128), (64, 512), (300, 300))  # (n_in, n_out)


def _init_vs_torch(ctx: CheckContext, kind: str) -> Outcome:
    import torch

    gen = torch_rng(ctx)
    results = []
    for n_in, n_out in SHAPES:
        variance = 2 / (n_in + n_out) if kind == "xavier" else 2 / n_in
        for dist, kurt in (("normal", 3.0), ("uniform", 1.8)):
            w = torch.empty(n_out, n_in, dtype=torch.float64)  # nn.Linear layout (out, in)
            if kind == "xavier":
                init = (
                    torch.nn.init.xavier_normal_
                    if dist == "normal"
                    else torch.nn.init.xavier_uniform_
                )
                init(w, generator=gen)
            else:
                init = (
                    torch.nn.init.kaiming_normal_
                    if dist == "normal"
                    else torch.nn.init.kaiming_uniform_
                )
                init(w, mode="fan_in", nonlinearity="relu", generator=gen)
            results.append((abs(_variance_z(w, variance, kurt)), f"{dist} {n_in}→{n_out}"))
    worst, where = max(results)
    api = (
        "xavier_{normal,uniform}_"
        if kind == "xavier"
        else "kaiming_{normal,uniform}_(mode='fan_in', nonlinearity='relu')"
    )
    return within(worst, Z_CRIT, f"torch.nn.init.{api}: |z| of the sample variance vs the "
                  f"stated one over {len(results)} draws; each test at 99.99 % confidence "
                  "(family ≥ 99.9 %)", "|z|", where)


xavier_vs_torch = partial(_init_vs_torch, kind="xavier")
he_vs_torch = partial(_init_vs_torch, kind="he")


def _second_moment_ratio(
    variance_of: Callable[[int, int], float],
    act: Callable,
    ctx: CheckContext,
    width: int = 256,
    depth: int = 20,
    batch: int = 512,
) -> float:
    """E[a_L²]/E[a_0²] through `depth` square layers initialised with N(0, variance_of(n, n))."""
    import torch

    gen = torch_rng(ctx)
    x = torch.randn(batch, width, generator=gen, dtype=torch.float64)
    a = x
    std = math.sqrt(variance_of(width, width))
    for _ in range(depth):
        W = torch.randn(width, width, generator=gen, dtype=torch.float64) * std
        a = act(a @ W.T)
    return float((a**2).mean() / (x**2).mean())


DEPTH = 20
#: Band for the per-layer gain (E[a_L²]/E[a_0²])^{1/L}. Measured over 8 seeds at width 256,
#: the log of the 20-layer ratio has standard deviation ≈ 0.47 for ReLU (≈ 0.08 linear), so the
#: per-layer log gain has ≈ 0.024: ±0.095 is a 4σ band (≥ 99.99 % for a normal log gain).
GAIN_BAND = (0.91, 1.10)


def _depth_check(ctx: CheckContext, kind: str) -> Outcome:
    """Forward signal through 20 square layers of width 256: with the stated variance the
    per-layer gain of E[a²] is 1; the wrong choice is off by a factor (Xavier under ReLU: ½)."""
    import torch

    identity = lambda t: t  # noqa: E731  (a linear network: Glorot's derivation regime)
    xavier = lambda i, o: 2 / (i + o)  # noqa: E731
    he = lambda i, o: 2 / i  # noqa: E731
    if kind == "xavier":
        kept = _second_moment_ratio(xavier, identity, ctx, batch=256)
        kept_name = "Xavier, linear layers"
    else:
        kept = _second_moment_ratio(he, torch.relu, ctx, batch=256)
        kept_name = "He, ReLU layers"
    contrast = _second_moment_ratio(xavier, torch.relu, ctx, batch=256)
    gain, contrast_gain = kept ** (1 / DEPTH), contrast ** (1 / DEPTH)
    ok = GAIN_BAND[0] <= gain <= GAIN_BAND[1] and not GAIN_BAND[0] <= contrast_gain
    return Outcome.verdict(
        ok,
        f"{kept_name}: E[a_20²]/E[a_0²] = {kept:.3f}, per-layer gain {gain:.4f} "
        f"(4σ band {GAIN_BAND}); Xavier under ReLU: {contrast:.3g}, per-layer "
        f"{contrast_gain:.3f} (theory ½)",
        abs(gain - 1),
        GAIN_BAND[1] - 1,
        "|per-layer gain − 1|",
    )


xavier_through_depth = partial(_depth_check, kind="xavier")
he_through_depth = partial(_depth_check, kind="he")
