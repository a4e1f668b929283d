"""Section 8 · Transformer & attention: properties (violations in eps) and custom checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from mathcheck.numeric._backend import Backend
from mathcheck.numeric.checks._compare import both_forms, eps_apart, within
from mathcheck.numeric.checks._context import backend_of, catalog_form, numpy_rng, torch_rng
from mathcheck.numeric.checks._properties import Args, Form, sum_gap
from mathcheck.outcome import CheckContext, Outcome

# ----------------------------------------------------------------------------- properties


def _eye_values(backend: Backend, like: np.ndarray, m: int) -> Any:
    """V = I_m broadcast over the batch: then Attention(Q, K, V) is the weight matrix itself."""
    return backend.asarray(np.broadcast_to(np.eye(m), (*like.shape[:-2], m, m)))


def rows_sum_to_one(f: Form, args: Args, backend: Backend) -> float:
    """max_i |Σ_j w_ij − 1| in eps, reading the weights off f(Q, K, V = I)."""
    k = backend.to_numpy(args["K"])
    w = backend.to_numpy(f(Q=args["Q"], K=args["K"], V=_eye_values(backend, k, k.shape[-2])))
    if np.isnan(w).any():
        return float("inf")
    return sum_gap(w) / backend.eps


def _reversed_tokens(f: Form, args: Args, backend: Backend, names: Sequence[str]) -> float:
    """max |f(P·) − P f(·)| / max(1, |f|) in eps, P reversing the tokens (axis −2) of the
    inputs `names`. The two sides differ only in summation order: a rounding difference."""
    moved = {name: backend.asarray(backend.to_numpy(args[name])[..., ::-1, :]) for name in names}
    base = backend.to_numpy(f(**args))
    permuted = backend.to_numpy(f(**{**args, **moved}))
    return eps_apart(permuted, base[..., ::-1, :], 1.0, eps=backend.eps)


def permutation_equivariant(f: Form, args: Args, backend: Backend) -> float:
    """Self-attention without a mask, P reversing the tokens of Q, K and V: permuting the
    tokens permutes the outputs the same way, f(PQ, PK, PV) = P f(Q, K, V)."""
    return _reversed_tokens(f, args, backend, list(args))


def permutation_equivariant_mha(f: Form, args: Args, backend: Backend) -> float:
    """MultiHead(PX) = P MultiHead(X) (weights are not permuted, only tokens)."""
    return _reversed_tokens(f, args, backend, ["X"])


def future_independent(f: Form, args: Args, backend: Backend) -> float:
    """Change keys/values of every token j > i: output row i must be bit-identical.

    Returns max over i of |Δ out_i| in eps over rows i < n − 1 (the last row has no future).
    A mask of −∞ makes the future weights exactly 0, so the tolerance is exactly 0.
    """
    q, k, v = (backend.to_numpy(args[n]) for n in ("Q", "K", "V"))
    n = q.shape[-2]
    base = backend.to_numpy(f(**args))
    worst = 0.0
    for i in range(n - 1):
        k2, v2 = k.copy(), v.copy()
        k2[..., i + 1 :, :] = -k2[..., i + 1 :, :] + 1.0
        v2[..., i + 1 :, :] = -v2[..., i + 1 :, :] + 0.5
        out = backend.to_numpy(f(Q=args["Q"], K=backend.asarray(k2), V=backend.asarray(v2)))
        diff = np.abs(out[..., : i + 1, :] - base[..., : i + 1, :])
        if np.isnan(diff).any():
            return float("inf")
        worst = max(worst, float(np.max(diff)) / backend.eps)
    return worst


# ----------------------------------------------------------------------------- checks


def scores_variance_sampled(ctx: CheckContext) -> Outcome:
    """Sample variance of q·k at d_k = 64, 256, 512 (N = 10 000, q, k ~ N(0, I), seed fixed).

    Under the claim the sample variance s² has mean d_k and standard deviation
    √((2d_k² + 6d_k)/N) (E[(q·k)⁴] = 3d_k² + 6d_k). Accept |s² − d_k| ≤ 5 standard errors:
    a false alarm has probability < 6e-7 per size (two-sided normal tail at 5σ), ~2e-6 overall.
    The scaled score's variance is then checked against 1 with the same rule.
    """
    rng = numpy_rng(ctx)
    samples = 10_000
    worst, lines = 0.0, []
    for d in (64, 256, 512):
        dots = np.empty(samples)
        for start in range(0, samples, 2_000):  # chunks keep memory at 2000 × d
            q = rng.standard_normal((2_000, d))
            k = rng.standard_normal((2_000, d))
            dots[start : start + 2_000] = np.einsum("ij,ij->i", q, k)
        se = np.sqrt((2 * d * d + 6 * d) / samples)
        z = abs(dots.var() - d) / se
        z_scaled = abs((dots / np.sqrt(d)).var() - 1) / (se / d)
        worst = max(worst, z, z_scaled)
        lines.append(
            f"d_k={d}: Var(q·k)={dots.var():.1f}, Var(q·k/√d_k)={(dots / np.sqrt(d)).var():.4f}"
        )
    return within(worst, 5.0, "; ".join(lines), "standard errors", success="confirmed")


def _mha_weights(rng: np.random.Generator, d: int) -> dict[str, np.ndarray]:
    return {n: rng.uniform(-1, 1, (d, d)) / np.sqrt(d) for n in ("WQ", "WK", "WV", "WO")}


def multi_head_vs_torch(ctx: CheckContext) -> Outcome:
    """Our multi-head forms (NumPy and Torch, fp64) vs torch.nn.MultiheadAttention.

    d_model = 8 with 2 and 4 heads, 5 tokens, bias off, same weights (nn.Linear stores Wᵀ).
    Both compute the same sums in different orders: a few hundred u on outputs of size ~1,
    so the tolerance is 1000·eps·max(1, |y|).
    """
    import torch

    rng = numpy_rng(ctx)
    worst = 0.0
    for heads in (2, 4):
        d, n = 8, 5
        x = rng.uniform(-1, 1, (2, n, d))
        w = _mha_weights(rng, d)
        ref = torch.nn.MultiheadAttention(
            d, heads, bias=False, batch_first=True, dtype=torch.float64
        )
        with torch.no_grad():
            ref.in_proj_weight.copy_(
                torch.as_tensor(np.concatenate([w["WQ"].T, w["WK"].T, w["WV"].T]))
            )
            ref.out_proj.weight.copy_(torch.as_tensor(w["WO"].T))
            xt = torch.as_tensor(x)
            expected = ref(xt, xt, xt, need_weights=False)[0].numpy()
            for causal in (False, True):
                mask = torch.ones(n, n, dtype=torch.bool).triu(1) if causal else None
                if causal:
                    expected_c = ref(xt, xt, xt, attn_mask=mask, need_weights=False)[0].numpy()
                ours = both_forms("attention", "multi_head", x, w["WQ"], w["WK"], w["WV"],
                                  w["WO"], heads=heads, causal=causal)
                target = expected_c if causal else expected
                worst = max(worst, *(eps_apart(got, target, 1.0) for got in ours))
    return within(worst, 1000.0, "d_model=8, heads 2 and 4, with and without causal mask")


def causal_jacobian_autograd(ctx: CheckContext) -> Outcome:
    """The Torch form's Jacobian block ∂out_i/∂(K_j, V_j), j > i, is exactly 0 (fp64, n = 6)."""
    import torch

    from mathcheck.numeric.torch_forms.attention import causal_attention

    gen = torch_rng(ctx)
    n, d = 6, 4
    q, k, v = (torch.randn(n, d, generator=gen, dtype=torch.float64) for _ in range(3))
    jk, jv = torch.autograd.functional.jacobian(lambda k_, v_: causal_attention(q, k_, v_), (k, v))
    future = torch.ones(n, n, dtype=torch.bool).triu(1)  # [i, j]: j > i
    leak = max(
        float(jk.abs().amax(dim=(1, 3))[future].max()),
        float(jv.abs().amax(dim=(1, 3))[future].max()),
    )
    past = float(jv.abs().amax(dim=(1, 3))[~future].min())  # out_i depends on every V_j, j ≤ i
    if leak != 0.0:
        return Outcome(
            "failed",
            f"future tokens leak: max |∂out_i/∂(K_j,V_j)|, j > i = {leak:.3g}",
            leak,
            0.0,
            "absolute",
        )
    if past == 0.0:
        return Outcome("failed", "some past key has no influence: the mask cuts too much")
    return Outcome(
        "passed",
        "Jacobian blocks j > i are exactly 0; blocks j ≤ i are nonzero",
        0.0,
        0.0,
        "absolute",
    )


def block_agreement(ctx: CheckContext) -> Outcome:
    """The transformer block vs a 50-digit oracle composed from the SymPy forms of its parts.

    The block's single SymPy expression repeats the attention inside every RMSNorm and FFN
    unit (lambdify without CSE takes ~30 s at 2 tokens), so the oracle here evaluates the
    SymPy forms of multi-head attention and the GELU FFN with mpmath at 50 digits and composes
    them with a 50-digit RMSNorm. Error in ulps of max(1, |y|) of the dtype under test.
    """
    import mpmath

    from mathcheck.numeric import error_scale, round_to, ulp_errors
    from mathcheck.symbolic import attention as sym

    d, heads, f, eps = sym.BLOCK_MODEL, sym.BLOCK_HEADS, sym.BLOCK_FF, 1e-6
    budget = BLOCK_BUDGET_ULPS
    be = backend_of(ctx)
    form = catalog_form("attention", "transformer_block", ctx.backend)
    rng = numpy_rng(ctx)
    worst = 0.0
    worst_input = None
    for n in (1, 2, 3, 4):
        mh_f, ffn_f = _compiled_parts(n)
        for _ in range(max(1, ctx.examples // 8)):
            arrays = {
                "X": rng.uniform(-1, 1, (n, d)),
                **{k: rng.uniform(-1, 1, (d, d)) for k in ("WQ", "WK", "WV", "WO")},
                "g1": rng.uniform(0.5, 1.5, d),
                "g2": rng.uniform(0.5, 1.5, d),
                "W1": rng.uniform(-1, 1, (f, d)),
                "b1": rng.uniform(-1, 1, f),
                "W2": rng.uniform(-1, 1, (d, f)),
                "b2": rng.uniform(-1, 1, d),
            }
            arrays = {k: round_to(v, ctx.dtype) for k, v in arrays.items()}
            with mpmath.workdps(50):
                exact = _block_oracle(arrays, mh_f, ffn_f, eps)
            got = be.to_numpy(
                form(**{k: be.asarray(v) for k, v in arrays.items()}, heads=heads, eps=eps)
            )
            hi = np.array([[float(exact[i, j]) for j in range(d)] for i in range(n)])
            lo = np.array([[float(exact[i, j] - hi[i, j]) for j in range(d)] for i in range(n)])
            err = float(np.max(ulp_errors(got, hi, lo, error_scale(hi, "unit", 2), ctx.dtype)))
            if err > worst:
                worst, worst_input = err, repr({k: v.tolist() for k, v in arrays.items()})
    return within(worst, budget, f"n = 1..4 tokens, d_model={d}, {heads} heads, d_ff={f}", "ulp",
                  worst_input, note=BLOCK_BUDGET_WHY)


BLOCK_BUDGET_ULPS = 600.0
BLOCK_BUDGET_WHY = (
    "inputs in [−1, 1], γ in [0.5, 1.5]: RMSNorm ≤ 4 ulp relative; attention on the normalised "
    "rows ≤ 180 ulp(1) (the multi-head bound); the FFN on |a| ≤ 1.5·√2 ≤ 380 ulp(1) (the GELU-FFN "
    "bound); two residual adds ≤ 2 ulp: ≤ 600 ulp of max(1, |y|)"
)


@cache
def _compiled_parts(n: int) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The SymPy multi-head (d_model = 2, 2 heads) and GELU-FFN forms, lambdified for mpmath."""
    import sympy as sp

    from mathcheck.symbolic import attention as sym

    assert sym.BLOCK_MODEL == sym.D_MODEL and sym.BLOCK_HEADS == sym.HEADS
    mh = sym.multi_head(n, sym.BLOCK_HEADS)
    ffn = sym.ffn_gelu(sym.BLOCK_MODEL, sym.BLOCK_FF)
    return (
        sp.lambdify([s for a in mh.args.values() for s in a], list(mh.expr), "mpmath"),
        sp.lambdify([s for a in ffn.args.values() for s in a], list(ffn.expr), "mpmath"),
    )


def _block_oracle(
    arrays: Mapping[str, np.ndarray],
    mh_f: Callable[..., Any],
    ffn_f: Callable[..., Any],
    eps: float,
) -> Any:
    import mpmath

    def mat(a: np.ndarray) -> Any:
        return mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in np.atleast_2d(a)])

    def rms(x: Any, g: np.ndarray) -> Any:
        out = mpmath.matrix(x.rows, x.cols)
        for i in range(x.rows):
            r = mpmath.sqrt(
                mpmath.fsum(x[i, j] ** 2 for j in range(x.cols)) / x.cols + mpmath.mpf(eps)
            )
            for j in range(x.cols):
                out[i, j] = x[i, j] / r * mpmath.mpf(float(g[j]))
        return out

    def flat(a: Any) -> list[Any]:
        return [a[i, j] for i in range(a.rows) for j in range(a.cols)]

    x = mat(arrays["X"])
    n, d = x.rows, x.cols
    weights = [v for k in ("WQ", "WK", "WV", "WO") for v in flat(mat(arrays[k]))]
    attn = mh_f(*flat(rms(x, arrays["g1"])), *weights)
    h = x + mpmath.matrix([[attn[i * d + j] for j in range(d)] for i in range(n)])
    a = rms(h, arrays["g2"])
    rest = [mpmath.mpf(float(v)) for k in ("W1", "b1", "W2", "b2") for v in np.ravel(arrays[k])]
    out = mpmath.matrix(n, d)
    for i in range(n):
        y = ffn_f(*[a[i, j] for j in range(d)], *rest)
        for j in range(d):
            out[i, j] = h[i, j] + y[j]
    return out


def block_vs_torch_modules(ctx: CheckContext) -> Outcome:
    """The block equals one built from torch.nn.RMSNorm, nn.MultiheadAttention, nn.Linear, nn.GELU.

    d_model = 8, 2 heads, d_ff = 32, 6 tokens, fp64; tolerance 1000·eps·max(1, |y|) as for
    two fp64 evaluations of the same sums in different orders.
    """
    import torch

    from mathcheck.numeric.torch_forms.attention import transformer_block

    torch.manual_seed(ctx.seed)
    d, heads, f, n, eps = 8, 2, 32, 6, 1e-6
    dt = torch.float64
    norm1, norm2 = (torch.nn.RMSNorm(d, eps=eps, dtype=dt) for _ in range(2))
    attn = torch.nn.MultiheadAttention(d, heads, bias=False, batch_first=True, dtype=dt)
    lin1, lin2 = torch.nn.Linear(d, f, dtype=dt), torch.nn.Linear(f, d, dtype=dt)
    with torch.no_grad():
        for norm in (norm1, norm2):
            norm.weight.uniform_(0.5, 1.5)
        x = torch.rand(3, n, d, dtype=dt) * 2 - 1
        a = norm1(x)
        h = x + attn(a, a, a, need_weights=False)[0]
        expected = h + lin2(torch.nn.functional.gelu(lin1(norm2(h))))
        wq, wk, wv = attn.in_proj_weight.chunk(3)
        got = transformer_block(
            x,
            wq.T,
            wk.T,
            wv.T,
            attn.out_proj.weight.T,
            norm1.weight,
            norm2.weight,
            lin1.weight,
            lin1.bias,
            lin2.weight,
            lin2.bias,
            heads=heads,
            eps=eps,
        )
        err = eps_apart(got, expected, 1.0)
    return within(err, 1000.0, "pre-norm block vs torch.nn modules (d=8, 2 heads, d_ff=32)")


def swiglu_parameter_match(ctx: CheckContext) -> Outcome:
    """SwiGLU with d_ff = 8d/3 has the parameters of a GELU FFN with d_ff = 4d (no biases).

    3·d·(8d/3) = 8d² = 2·d·(4d): why LLaMA uses d_ff = ⅔·4d (11008 ≈ 8·4096/3 rounded up to a
    multiple of 256). Counted on real tensors for d = 96 (8d/3 = 256 exactly).
    """
    import torch

    d = 96
    f_swiglu, f_gelu = 8 * d // 3, 4 * d
    swiglu = [torch.empty(f_swiglu, d), torch.empty(f_swiglu, d), torch.empty(d, f_swiglu)]
    gelu = [torch.empty(f_gelu, d), torch.empty(d, f_gelu)]
    p_s, p_g = sum(t.numel() for t in swiglu), sum(t.numel() for t in gelu)
    llama = 8 * 4096 / 3
    ok = p_s == p_g == 8 * d * d and 11008 >= llama and 11008 % 256 == 0 and 11008 - llama < 256
    return Outcome.verdict(
        ok,
        f"d={d}: SwiGLU {p_s} = GELU-FFN {p_g} = 8d² parameters; LLaMA-7B d_ff=11008 "
        f"= 8·4096/3 = {llama:.1f} rounded up to a multiple of 256",
        float(abs(p_s - p_g)),
        0.0,
        "parameters",
    )


def residual_gradient_flow(ctx: CheckContext) -> Outcome:
    """Gradient at the input of a 64-layer stack: with residuals it survives, without it vanishes.

    Layers x ← x + tanh(W x) vs x ← tanh(W x), W ~ N(0, 0.5²/d), d = 32, fp64, fixed seed.
    The claim holds when ‖∂L/∂x‖ with residuals ≥ 0.1·‖∂L/∂x_L‖ while the plain stack's
    gradient is below 1e-6 of it (a vanishing factor of ~0.5 per layer for 64 layers).
    """
    import torch

    gen = torch_rng(ctx)
    d, layers = 32, 64
    ws = [
        torch.randn(d, d, generator=gen, dtype=torch.float64) * 0.5 / d**0.5 for _ in range(layers)
    ]
    x0 = torch.randn(d, generator=gen, dtype=torch.float64)
    norms = {}
    for residual in (True, False):
        x = x0.clone().requires_grad_(True)
        h = x
        for w in ws:
            h = h + torch.tanh(w @ h) if residual else torch.tanh(w @ h)
        g_out = torch.ones_like(h)
        (g,) = torch.autograd.grad(h, x, g_out)
        norms[residual] = float(g.norm() / g_out.norm())
    ok = norms[True] >= 0.1 and norms[False] <= 1e-6
    return Outcome.verdict(
        ok,
        f"‖∂L/∂x‖/‖∂L/∂x_L‖ after {layers} layers: residual {norms[True]:.3g}, "
        f"plain {norms[False]:.3g}",
        norms[False],
        1e-6,
        "gradient ratio",
    )
