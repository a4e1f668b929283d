"""Section 15 · Model-specific: checks against the torch layers that implement these formulas.

Fixed seeds; fp64 unless the context says otherwise; tolerances stated in each outcome.
"""

from __future__ import annotations

import numpy as np

from mathcheck.numeric.checks._compare import EPS64, eps_apart, within
from mathcheck.numeric.checks._context import numpy_rng, torch_rng
from mathcheck.outcome import CheckContext, Outcome

# ----------------------------------------------------------------- convolution


def conv_layers_cross_correlate(ctx: CheckContext) -> Outcome:
    """torch.nn.functional.conv1d computes cross-correlation Σ_j x(t + j)w(j): it equals the
    stated convolution (valid part) only after flipping the kernel, and differs for an
    asymmetric kernel without the flip. Stated and checked on random signals (fp64)."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.models import convolution

    gen = torch_rng(ctx)
    worst_flip, least_plain = 0.0, np.inf
    for n, k in ((8, 3), (16, 5), (5, 2), (12, 4)):
        f = torch.randn(n, generator=gen, dtype=torch.float64)
        g = torch.randn(k, generator=gen, dtype=torch.float64)
        full = convolution(f, g)
        valid = full[k - 1 : n]  # the outputs where the kernel lies inside the signal
        layer_flipped = F.conv1d(f.view(1, 1, n), g.flip(0).view(1, 1, k)).view(-1)
        layer_plain = F.conv1d(f.view(1, 1, n), g.view(1, 1, k)).view(-1)
        layer_padded = F.conv1d(f.view(1, 1, n), g.flip(0).view(1, 1, k), padding=k - 1).view(-1)
        scale = float(full.abs().max())
        worst_flip = max(
            worst_flip,
            float((layer_flipped - valid).abs().max()) / scale / EPS64,
            float((layer_padded - full).abs().max()) / scale / EPS64,
        )
        least_plain = min(least_plain, float((layer_plain - valid).abs().max()) / scale)
    budget = 16.0  # dot products of ≤ 5 terms, norm-wise: a few eps
    ok = worst_flip <= budget and least_plain > 1e-3
    return Outcome.verdict(
        ok,
        f"conv1d(x, flip(g)) = (f ∗ g) within {worst_flip:.2g} eps (valid and "
        f"padding = k − 1 'full' mode); conv1d(x, g) differs by ≥ {least_plain:.2g} "
        f"(relative) for asymmetric kernels: layers cross-correlate",
        worst_flip,
        budget,
        "eps (norm-wise)",
    )


# ----------------------------------------------------------------- output size


def output_size_vs_torch(ctx: CheckContext) -> Outcome:
    """⌊(n + 2p − k)/s⌋ + 1 against the shapes nn.Conv1d, nn.Conv2d and nn.MaxPool1d produce
    over generated (n, k, p, s); with dilation d the same formula holds for the effective
    kernel d(k − 1) + 1, and the stated one (k as written) is wrong there."""
    import torch
    import torch.nn.functional as F

    from mathcheck.numeric.torch_forms.models import output_size

    rng = numpy_rng(ctx)
    shapes: list[tuple[str, int, int, int, int, int, int]] = []  # layer, n, k, p, s, d, got
    for _ in range(80):
        k, p, s, d = (
            int(rng.integers(1, 8)),
            int(rng.integers(0, 4)),
            int(rng.integers(1, 5)),
            int(rng.choice([1, 1, 2, 3])),
        )
        n = int(rng.integers(max(1, d * (k - 1) + 1 - 2 * p), 40))
        x = torch.zeros(1, 1, n, n, dtype=torch.float64)
        w = torch.zeros(1, 1, k, k, dtype=torch.float64)
        rows = F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
        shapes.append(("conv2d", n, k, p, s, d, rows))
        x1, w1 = x[:, :, 0], w[:, :, 0]  # (1, 1, n) and (1, 1, k)
        shapes.append(
            ("conv1d", n, k, p, s, d, F.conv1d(x1, w1, stride=s, padding=p, dilation=d).shape[-1])
        )
        if d == 1 and 2 * p <= k:  # max_pool1d requires padding ≤ kernel/2
            shapes.append(
                ("max_pool1d", n, k, p, s, 1, F.max_pool1d(x1, k, stride=s, padding=p).shape[-1])
            )
    n, k, p, s, d, got = (
        torch.tensor([row[i] for row in shapes], dtype=torch.float64) for i in range(1, 7)
    )
    with_k_eff = output_size(n, d * (k - 1) + 1, p, s)
    as_written = output_size(n, k, p, s)
    bad = torch.nonzero(with_k_eff != got).flatten().tolist()
    dilated = d > 1
    dilated_wrong = int((as_written[dilated] != got[dilated]).sum())
    mismatches = [
        f"{shapes[i][0]} n,k,p,s,d={shapes[i][1:6]}: {shapes[i][6]} vs {int(with_k_eff[i])}"
        for i in bad
    ]
    ok = not mismatches and dilated_wrong > 0
    return Outcome.verdict(
        ok,
        f"{len(shapes)} layer shapes (conv2d, conv1d, max_pool1d; dilation 1–3) match "
        f"the formula with k_eff = d(k − 1) + 1; the formula with k as written is "
        f"wrong for {dilated_wrong}/{int(dilated.sum())} dilated layers",
        float(len(mismatches)),
        0.0,
        "mismatches",
        mismatches[0] if mismatches else None,
    )


# ----------------------------------------------------------------- RNN / LSTM


def _relative(a: object, b: object) -> float:
    import torch

    assert isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-300))


def rnn_vs_torch(ctx: CheckContext) -> Outcome:
    """20 steps of the form against torch.nn.RNNCell (tanh) with copied weights: W_ih = W_x,
    W_hh = W_h, b_ih = b, b_hh = 0 (torch carries two biases; only their sum matters)."""
    import torch

    from mathcheck.numeric._dtypes import torch_dtype
    from mathcheck.numeric.torch_forms.models import rnn_step

    dtype = torch_dtype(ctx.dtype)
    D, H, T, B = 5, 7, 20, 3
    cell = torch.nn.RNNCell(D, H, nonlinearity="tanh").to(dtype)
    gen = torch_rng(ctx)
    W_x = torch.randn(H, D, generator=gen, dtype=torch.float64).to(dtype) * 0.5
    W_h = torch.randn(H, H, generator=gen, dtype=torch.float64).to(dtype) * 0.5
    b = torch.randn(H, generator=gen, dtype=torch.float64).to(dtype)
    with torch.no_grad():
        cell.weight_ih.copy_(W_x)
        cell.weight_hh.copy_(W_h)
        cell.bias_ih.copy_(b)
        cell.bias_hh.zero_()
    xs = torch.randn(T, B, D, generator=gen, dtype=torch.float64).to(dtype)
    cell, W_x, W_h, b, xs = (t.to(ctx.device) for t in (cell, W_x, W_h, b, xs))
    h_ours = h_ref = torch.zeros(B, H, dtype=dtype, device=ctx.device)
    worst = 0.0
    with torch.no_grad():
        for t in range(T):
            h_ours = rnn_step(h_ours, xs[t], W_h, W_x, b)
            h_ref = cell(xs[t], h_ref)
            worst = max(worst, _relative(h_ours, h_ref))
    # a few eps per step (dot products of ≤ 12 terms), carried forward
    return within(worst / float(torch.finfo(dtype).eps), 64.0 * T,
                  f"{T} steps, batch {B}, D={D}, H={H}: max |h_ours − h_RNNCell| / max|h|")


def lstm_vs_torch(ctx: CheckContext) -> Outcome:
    """20 steps against torch.nn.LSTMCell with copied weights. Conventions stated: the
    cheatsheet stacks gates [f; i; c̃; o] acting on [h; x]; LSTMCell stacks [i; f; g; o], splits
    the weight into weight_ih (on x) and weight_hh (on h), and has two biases (summed)."""
    import torch

    from mathcheck.numeric._dtypes import torch_dtype
    from mathcheck.numeric.torch_forms.models import lstm_cell

    dtype = torch_dtype(ctx.dtype)
    D, H, T, B = 4, 6, 20, 3
    cell = torch.nn.LSTMCell(D, H).to(dtype)
    gen = torch_rng(ctx)
    W = (torch.randn(4 * H, H + D, generator=gen, dtype=torch.float64) * 0.5).to(dtype)
    b = torch.randn(4 * H, generator=gen, dtype=torch.float64).to(dtype)
    f_, i_, g_, o_ = (slice(j * H, (j + 1) * H) for j in range(4))
    order = [i_, f_, g_, o_]  # torch's gate order, in the cheatsheet's row blocks
    with torch.no_grad():
        cell.weight_hh.copy_(torch.cat([W[s, :H] for s in order]))
        cell.weight_ih.copy_(torch.cat([W[s, H:] for s in order]))
        cell.bias_ih.copy_(torch.cat([b[s] for s in order]))
        cell.bias_hh.zero_()
    xs = torch.randn(T, B, D, generator=gen, dtype=torch.float64).to(dtype)
    cell, W, b, xs = (t.to(ctx.device) for t in (cell, W, b, xs))
    h = c = torch.zeros(B, H, dtype=dtype, device=ctx.device)
    h_ref, c_ref = h, c
    worst = 0.0
    with torch.no_grad():
        for t in range(T):
            h, c = lstm_cell(xs[t], h, c, W, b).split(H, dim=-1)
            h_ref, c_ref = cell(xs[t], (h_ref, c_ref))
            worst = max(worst, _relative(h, h_ref), _relative(c, c_ref))
    # the cell state accumulates: a few eps per step of each gate
    return within(worst / float(torch.finfo(dtype).eps), 64.0 * T,
                  f"{T} steps, batch {B}, D={D}, H={H}: h and c vs LSTMCell (gates reordered)")


# ----------------------------------------------------------------- GCN


def _random_graph(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    upper = np.triu(rng.random((n, n)) < p, 1)
    return (upper | upper.T).astype(np.float64)


def gcn_message_passing(ctx: CheckContext) -> Outcome:
    """The matrix form equals per-edge message passing h_i′ = σ(Σ_{j ∈ N(i) ∪ {i}}
    h_j W / √(d̂_i d̂_j)) computed with index_add (how graph libraries implement it), fp64."""
    import torch

    from mathcheck.numeric.torch_forms.models import gcn_layer

    rng = numpy_rng(ctx)
    worst = 0.0
    for n in (5, 20, 60):
        A = _random_graph(rng, n, 0.2)
        H = torch.from_numpy(rng.standard_normal((n, 4)))
        W = torch.from_numpy(rng.standard_normal((4, 3)))
        src, dst = np.nonzero(A + np.eye(n))
        deg = torch.from_numpy((A + np.eye(n)).sum(1))
        src_t, dst_t = torch.from_numpy(src), torch.from_numpy(dst)
        weight = (deg[src_t] * deg[dst_t]).rsqrt()[:, None]
        messages = weight * (H @ W)[dst_t]
        ref = torch.relu(torch.zeros(n, 3, dtype=torch.float64).index_add_(0, src_t, messages))
        ours = gcn_layer(torch.from_numpy(A), H, W)
        worst = max(worst, eps_apart(ours, ref))
    return within(worst, 64.0, "graphs of 5, 20, 60 nodes (edge probability 0.2): matrix form vs "
                  "index_add message passing", "eps (norm-wise)")


def gcn_normalisation(ctx: CheckContext) -> Outcome:
    """Why D̂^{−1/2}ÂD̂^{−1/2}: for an undirected graph its spectrum lies in (−1, 1] with
    eigenvalue 1 exactly at D̂^{1/2}𝟙, so stacking layers neither explodes nor vanishes
    the signal; the raw Â has spectral radius ≥ mean degree + 1 (explodes with depth)."""
    rng = numpy_rng(ctx)
    worst, details = 0.0, []
    for n, p in ((10, 0.3), (40, 0.1), (80, 0.05)):
        A = _random_graph(rng, n, p)
        A_hat = A + np.eye(n)
        d = A_hat.sum(1)
        norm = A_hat / np.sqrt(np.outer(d, d))
        eig = np.linalg.eigvalsh(norm)
        v = np.sqrt(d)
        residual = np.abs(norm @ v - v).max() / v.max()
        worst = max(
            worst,
            (eig.max() - 1) / EPS64 if eig.max() > 1 else 0.0,
            residual / EPS64,
            max(0.0, -1 - eig.min()) / EPS64,
        )
        details.append(
            f"n={n}: λ ∈ [{eig.min():.3f}, {eig.max():.15g}], ρ(Â)="
            f"{np.abs(np.linalg.eigvalsh(A_hat)).max():.2f}"
        )
    return within(float(worst), 32.0, "; ".join(details), "eps (λ_max − 1, ‖Nv − v‖)")
