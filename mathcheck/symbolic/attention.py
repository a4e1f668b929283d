"""Section 8 · Transformer & attention: SymPy forms at small sizes (tokens as rows).

Conventions follow the cheatsheet: attention in row form (Q = X W_Q, tokens are rows), the
feed-forward networks in column form (W1 x), which is also `nn.Linear`'s weight layout.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, vector

#: Fixed shapes of the multi-head form: d_model = 2 split into 2 heads of width 1 (the exact
#: expression grows fast with d_model; larger shapes are checked against torch built-ins).
D_MODEL = 2
HEADS = 2
#: The block is built smaller (d_model = 2, two heads of width 1): its exact expression
#: repeats the attention inside every RMSNorm and FFN unit, and must stay quick to evaluate.
BLOCK_MODEL = 2
BLOCK_HEADS = 2
BLOCK_FF = 4


def _softmax_rows(scores: sp.Matrix, keep: list[list[bool]] | None = None) -> sp.Matrix:
    """Row-wise softmax; `keep[i, j] = 0` drops key j from row i (a mask of −∞)."""
    rows, cols = scores.shape
    out = sp.zeros(rows, cols)
    for i in range(rows):
        e = [
            sp.exp(scores[i, j]) if keep is None or keep[i][j] else sp.Integer(0)
            for j in range(cols)
        ]
        total = sp.Add(*e)
        for j in range(cols):
            out[i, j] = e[j] / total
    return out


def _attend(q: sp.Matrix, k: sp.Matrix, v: sp.Matrix, causal: bool = False) -> sp.Matrix:
    d = q.shape[1]
    scores = q * k.T / sp.sqrt(d)
    keep = [[j <= i for j in range(k.shape[0])] for i in range(q.shape[0])] if causal else None
    return _softmax_rows(scores, keep) * v


def scaled_dot_product(n: int, m: int, d: int, e: int) -> SymForm:
    """softmax(Q Kᵀ / √d_k) V for n queries, m keys of width d, values of width e."""
    q, k, v = matrix("Q", n, d), matrix("K", m, d), matrix("V", m, e)
    return SymForm(_attend(q, k, v), {"Q": q, "K": k, "V": v})


def attention_weights(n: int, m: int, d: int) -> sp.Matrix:
    """The weight matrix softmax(Q Kᵀ / √d) alone (rows sum to 1)."""
    q, k = matrix("Q", n, d), matrix("K", m, d)
    return _softmax_rows(q * k.T / sp.sqrt(d))


def rows_sum_to_one(n: int = 3, m: int = 3, d: int = 2) -> Equation:
    """Σ_j softmax(QKᵀ/√d)_{ij} = 1 for every row i, proven for symbolic Q, K."""
    w = attention_weights(n, m, d)
    return Equation(w * sp.ones(m, 1), sp.ones(n, 1))


def permutation_equivariant(n: int = 3, d: int = 2) -> Equation:
    """Self-attention without a mask: Attn(PX) = P Attn(X) for a token permutation P.

    Q, K, V all permuted by the same P (they are projections of the same tokens X); a cyclic
    shift is used, which generates every permutation together with one transposition (the
    transposition case is the same proof with a different P).
    """
    q, k, v = matrix("Q", n, d), matrix("K", n, d), matrix("V", n, d)
    p = sp.Matrix(n, n, lambda i, j: int(j == (i + 1) % n))
    return Equation(_attend(p * q, p * k, p * v), p * _attend(q, k, v))


# ----------------------------------------------------------------------------- Var(q·k)


def scaled_score(d: int) -> SymForm:
    """q·k / √d_k for one query and one key of width d."""
    q, k = vector("q", d), vector("k", d)
    return SymForm((q.T * k)[0, 0] / sp.sqrt(d), {"q": q, "k": k})


# ----------------------------------------------------------------------------- multi-head


def multi_head(n: int, heads: int = HEADS) -> SymForm:
    """Concat(head_1..head_h) W_O, head_i = Attention(X W_Q[:, i], X W_K[:, i], X W_V[:, i])."""
    x = matrix("X", n, D_MODEL)
    w = {name: matrix(name, D_MODEL, D_MODEL) for name in ("WQ", "WK", "WV", "WO")}
    return SymForm(_multi_head(x, w["WQ"], w["WK"], w["WV"], w["WO"], heads), {"X": x, **w})


def _multi_head(
    x: sp.Matrix,
    wq: sp.Matrix,
    wk: sp.Matrix,
    wv: sp.Matrix,
    wo: sp.Matrix,
    heads: int,
    causal: bool = False,
) -> sp.Matrix:
    dh = wq.shape[1] // heads
    q, k, v = x * wq, x * wk, x * wv
    parts = []
    for h in range(heads):
        cols = slice(h * dh, (h + 1) * dh)
        parts.append(_attend(q[:, cols], k[:, cols], v[:, cols], causal))
    return sp.Matrix.hstack(*parts) * wo


# ----------------------------------------------------------------------------- causal


def causal_mask(n: int) -> sp.Matrix:
    """mask_ij = 0 for i ≥ j, −∞ for i < j."""
    return sp.Matrix(n, n, lambda i, j: 0 if i >= j else -sp.oo)


def causal_attention(n: int, d: int, e: int) -> SymForm:
    """softmax(QKᵀ/√d + mask) V: row i only sums over keys j ≤ i (e^{−∞} = 0)."""
    q, k, v = matrix("Q", n, d), matrix("K", n, d), matrix("V", n, e)
    return SymForm(_attend(q, k, v, causal=True), {"Q": q, "K": k, "V": v})


# ----------------------------------------------------------------------------- block


def _rmsnorm_rows(x: sp.Matrix, g: sp.Matrix, eps: sp.Symbol) -> sp.Matrix:
    rows, cols = x.shape
    out = sp.zeros(rows, cols)
    for i in range(rows):
        rms = sp.sqrt(sp.Add(*(x[i, j] ** 2 for j in range(cols))) / cols + eps)
        for j in range(cols):
            out[i, j] = x[i, j] / rms * g[j]
    return out


def _gelu(t: sp.Expr) -> sp.Expr:
    return t / 2 * (1 + sp.erf(t / sp.sqrt(2)))


def transformer_block(n: int) -> SymForm:
    """Pre-norm block: h = x + MHA(RMSNorm(x)); y = h + FFN(RMSNorm(h)), FFN with GELU."""
    eps = sp.Symbol("eps", positive=True)
    x = matrix("X", n, BLOCK_MODEL)
    w = {name: matrix(name, BLOCK_MODEL, BLOCK_MODEL) for name in ("WQ", "WK", "WV", "WO")}
    g1, g2 = vector("g1", BLOCK_MODEL), vector("g2", BLOCK_MODEL)
    w1, b1 = matrix("W1", BLOCK_FF, BLOCK_MODEL), vector("b1", BLOCK_FF)
    w2, b2 = matrix("W2", BLOCK_MODEL, BLOCK_FF), vector("b2", BLOCK_MODEL)
    h = x + _multi_head(_rmsnorm_rows(x, g1, eps), w["WQ"], w["WK"], w["WV"], w["WO"], BLOCK_HEADS)
    a = _rmsnorm_rows(h, g2, eps)
    ffn = sp.Matrix.vstack(*(_ffn_gelu_col(a[i, :].T, w1, b1, w2, b2).T for i in range(n)))
    args = {"X": x, **w, "g1": g1, "g2": g2, "W1": w1, "b1": b1, "W2": w2, "b2": b2}
    return SymForm(h + ffn, args, {"eps": eps})


# ----------------------------------------------------------------------------- FFNs


def _ffn_gelu_col(
    x: sp.Matrix, w1: sp.Matrix, b1: sp.Matrix, w2: sp.Matrix, b2: sp.Matrix
) -> sp.Matrix:
    return w2 * (w1 * x + b1).applyfunc(_gelu) + b2


def ffn_gelu(d: int, f: int) -> SymForm:
    """W2 · GELU(W1 x + b1) + b2 with the exact GELU x·Φ(x)."""
    x, w1, b1 = vector("x", d), matrix("W1", f, d), vector("b1", f)
    w2, b2 = matrix("W2", d, f), vector("b2", d)
    return SymForm(
        _ffn_gelu_col(x, w1, b1, w2, b2), {"x": x, "W1": w1, "b1": b1, "W2": w2, "b2": b2}
    )


def _silu(t: sp.Expr) -> sp.Expr:
    return t / (1 + sp.exp(-t))


def ffn_swiglu(d: int, f: int) -> SymForm:
    """W2 (SiLU(W1 x) ⊙ W3 x) (the cheatsheet's (SiLU(W1x) ⊙ W3x)·W2 in column form)."""
    x, w1, w3, w2 = vector("x", d), matrix("W1", f, d), matrix("W3", f, d), matrix("W2", d, f)
    gate = (w1 * x).applyfunc(_silu)
    return SymForm(w2 * gate.multiply_elementwise(w3 * x), {"x": x, "W1": w1, "W3": w3, "W2": w2})


# ----------------------------------------------------------------------------- residual


def residual(n: int) -> SymForm:
    """x + Sublayer(x) with the concrete sublayer tanh(W x)."""
    x, w = vector("x", n), matrix("W", n, n)
    return SymForm(x + (w * x).applyfunc(sp.tanh), {"x": x, "W": w})


def d_residual_stated(form: SymForm) -> sp.Matrix:
    """∂(x + F(x))/∂x = I + ∂F/∂x, with ∂tanh(Wx)/∂x = diag(1 − tanh²(Wx)) W."""
    x, w = form.args["x"], form.args["W"]
    n = x.shape[0]
    inner = w * x
    return sp.eye(n) + sp.diag(*[1 - sp.tanh(t) ** 2 for t in inner]) * w


def residual_jacobian_general(n: int = 3) -> Equation:
    """For ANY sublayer F (undefined functions F_i(x)): J(x + F(x)) = I + J_F."""
    x = vector("x", n)
    fs = sp.Matrix([sp.Function(f"F{i}")(*x) for i in range(n)])
    return Equation((x + fs).jacobian(list(x)), sp.eye(n) + fs.jacobian(list(x)))


def causal_future_jacobian(n: int = 3, d: int = 2) -> Equation:
    """∂out_i/∂(K_j, V_j) for every j > i, stacked, against 0: the future never enters row i.

    That the mask does not cut the past too is the Agreement claim's job (the oracle is this
    same form, compared with the numeric forms that attend to every j ≤ i).
    """
    form = causal_attention(n, d, d)
    out, k, v = form.expr, form.args["K"], form.args["V"]
    terms = [
        sp.diff(out[i, col], var)
        for i in range(n)
        for j in range(i + 1, n)
        for var in [*k[j, :], *v[j, :]]
        for col in range(out.shape[1])
    ]
    return Equation(sp.Matrix(terms), sp.zeros(len(terms), 1))


# ----------------------------------------------------------------------------- score variance


def scores_variance() -> Equation:
    """Var(q·k) = d_k and Var(q·k/√d_k) = 1 for iid zero-mean unit-variance components.

    sympy.stats integrates over the joint density: Normal q_i, k_i at d_k = 1, 2 (d_k = 3 takes
    ~10 s and adds nothing), and Uniform(−√3, √3) at d_k = 1 (the claim needs only mean 0,
    variance 1 and independence, not normality). Var(cX) = c²Var(X) gives the scaled rows.
    """
    import sympy.stats as st

    lhs: list[sp.Expr] = []
    rhs: list[sp.Expr] = []
    for d in (1, 2):
        q = [st.Normal(f"q{i}", 0, 1) for i in range(d)]
        k = [st.Normal(f"k{i}", 0, 1) for i in range(d)]
        var = st.variance(sp.Add(*(a * b for a, b in zip(q, k, strict=True))))
        lhs += [var, var / sp.sqrt(d) ** 2]
        rhs += [sp.Integer(d), sp.Integer(1)]
    r3 = sp.sqrt(3)
    lhs.append(st.variance(st.Uniform("uq", -r3, r3) * st.Uniform("uk", -r3, r3)))
    rhs.append(sp.Integer(1))
    return Equation(sp.Matrix(lhs), sp.Matrix(rhs))
