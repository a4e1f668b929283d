"""Section 15 · Model-specific: SymPy forms (convolution, conv output size, RNN, LSTM, GCN)."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector


def _convolve(f: sp.Matrix, g: sp.Matrix) -> sp.Matrix:
    """(f ∗ g)(t) = Σ_τ f(τ) g(t − τ), t = 0 … n + k − 2 (the full discrete convolution)."""
    n, k = f.shape[0], g.shape[0]
    return sp.Matrix(
        [sum(f[tau] * g[t - tau] for tau in range(n) if 0 <= t - tau < k) for t in range(n + k - 1)]
    )


def convolution(n: int, k: int) -> SymForm:
    f, g = vector("f", n), vector("g", k)
    return SymForm(_convolve(f, g), {"f": f, "g": g})


def convolution_commutes(n: int = 3, k: int = 2) -> Equation:
    f, g = vector("f", n), vector("g", k)
    return Equation(_convolve(f, g), _convolve(g, f))


def convolution_is_flipped_cross_correlation(n: int = 4, k: int = 3) -> Equation:
    """f ∗ g = (f zero-padded by k − 1) ⋆ flip(g), where (x ⋆ w)(t) = Σ_j x(t + j) w(j) is the
    cross-correlation that deep-learning 'conv' layers compute."""
    f, g = vector("f", n), vector("g", k)
    padded = [0] * (k - 1) + list(f) + [0] * (k - 1)
    flipped = list(g)[::-1]
    xcorr = sp.Matrix([sum(padded[t + j] * flipped[j] for j in range(k)) for t in range(n + k - 1)])
    return Equation(_convolve(f, g), xcorr)


n_, k_, p_, s_ = (real(name, integer=True, nonnegative=True) for name in ("n", "k", "p", "s"))


def output_size() -> SymForm:
    """⌊(n + 2p − k)/s⌋ + 1."""
    return SymForm(sp.floor((n_ + 2 * p_ - k_) / s_) + 1, {"n": n_, "k": k_, "p": p_, "s": s_})


def rnn_step(H: int, D: int) -> SymForm:
    """h_t = tanh(W_h h_{t−1} + W_x x_t + b)."""
    h, x, b = vector("h", H), vector("x", D), vector("b", H)
    W_h, W_x = matrix("Wh", H, H), matrix("Wx", H, D)
    return SymForm(
        (W_h * h + W_x * x + b).applyfunc(sp.tanh), {"h": h, "x": x, "W_h": W_h, "W_x": W_x, "b": b}
    )


def _sigmoid(t: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-t))


def lstm_cell(H: int, D: int) -> SymForm:
    """One LSTM step; W stacks the gate weights row-blocks in the cheatsheet's order
    [f; i; c̃; o], each acting on [h_{t−1}; x_t]. Output: [h_t; c_t] (2H)."""
    x, h, c = vector("x", D), vector("h", H), vector("c", H)
    W, b = matrix("W", 4 * H, H + D), vector("b", 4 * H)
    pre = W * sp.Matrix.vstack(h, x) + b
    f = pre[0:H, 0].applyfunc(_sigmoid)
    i = pre[H : 2 * H, 0].applyfunc(_sigmoid)
    g = pre[2 * H : 3 * H, 0].applyfunc(sp.tanh)
    o = pre[3 * H : 4 * H, 0].applyfunc(_sigmoid)
    c_new = f.multiply_elementwise(c) + i.multiply_elementwise(g)
    h_new = o.multiply_elementwise(c_new.applyfunc(sp.tanh))
    return SymForm(sp.Matrix.vstack(h_new, c_new), {"x": x, "h": h, "c": c, "W": W, "b": b})


def gcn_layer(N: int, F: int, G: int) -> SymForm:
    """ReLU(D̂^{−1/2} Â D̂^{−1/2} H W), Â = A + I, D̂ = diag(row sums of Â)."""
    A, H, W = matrix("A", N, N), matrix("H", N, F), matrix("W", F, G)
    A_hat = A + sp.eye(N)
    d = [sum(A_hat[i, j] for j in range(N)) for i in range(N)]
    norm = sp.Matrix(N, N, lambda i, j: A_hat[i, j] / sp.sqrt(d[i] * d[j]))
    return SymForm((norm * H * W).applyfunc(lambda t: sp.Max(0, t)), {"A": A, "H": H, "W": W})


def cross_correlation(n: int, k: int) -> SymForm:
    """(f ⋆ g)(t) = Σ_j f(t + j − (k − 1)) g(j), t = 0 … n + k − 2: what conv layers compute
    (F.conv1d(f, g, padding=k − 1)), the convolution with the kernel not flipped."""
    f, g = vector("f", n), vector("g", k)
    padded = [0] * (k - 1) + list(f) + [0] * (k - 1)
    return SymForm(sp.Matrix([sum(padded[t + j] * g[j] for j in range(k))
                              for t in range(n + k - 1)]), {"f": f, "g": g})
