"""Section 5 · Losses: SymPy forms, stated derivatives, and the identities the catalog claims.

Vector losses take one sample's vectors (the numeric forms add leading batch dimensions);
elementwise losses (BCE, Huber) take scalars, as `reduction='none'` does in PyTorch.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

z, y, p, y_hat = real("z"), real("y"), real("p"), real("y_hat")
alpha = real("alpha", positive=True)
gamma = real("gamma", nonnegative=True)
delta = real("delta", positive=True)
tau = real("tau", positive=True)
margin = real("margin", positive=True)


def _lse(v: sp.MatrixBase) -> sp.Expr:
    return sp.log(sum(v.applyfunc(sp.exp)))


def _softmax(v: sp.MatrixBase) -> sp.MatrixBase:
    e = v.applyfunc(sp.exp)
    return e / sum(e)


def _sigma(t: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-t))


# --------------------------------------------------------------------------- cross-entropy


def _ce(logits: sp.MatrixBase, target: sp.MatrixBase) -> sp.Expr:
    """−Σ yᵢ log ŷᵢ with ŷ = softmax(z), log ŷᵢ = zᵢ − log Σⱼ e^{zⱼ}."""
    lse = _lse(logits)
    return -sum(target[i] * (logits[i] - lse) for i in range(logits.shape[0]))


def cross_entropy(n: int) -> SymForm:
    zs, ys = vector("z", n), vector("y", n)
    return SymForm(_ce(zs, ys), {"z": zs, "y": ys})


def d_cross_entropy_stated(form: SymForm) -> sp.Matrix:
    """∂L/∂z = ŷ·Σyᵢ − y: this is ŷ − y for targets on the simplex (see the identity)."""
    zs, ys = form.args["z"], form.args["y"]
    return _softmax(zs) * sum(ys) - ys


def cross_entropy_gradient_identity(n: int = 3) -> Equation:
    """∂L/∂z = ŷ − y, derived by SymPy with the target constrained to the simplex
    (y_{n−1} = 1 − Σ_{i<n−1} yᵢ substituted before differentiating)."""
    zs, ys = vector("z", n), vector("y", n)
    on_simplex = {ys[n - 1]: 1 - sum(ys[i] for i in range(n - 1))}
    loss = _ce(zs, ys).subs(on_simplex)
    derived = sp.Matrix([sp.diff(loss, zi) for zi in zs])
    stated = (_softmax(zs) - ys).subs(on_simplex)
    return Equation(derived, stated)


# --------------------------------------------------------------------------- binary CE


def bce() -> SymForm:
    """−[y log p + (1 − y) log(1 − p)], p the predicted probability, y ∈ [0, 1]."""
    return SymForm(-(y * sp.log(p) + (1 - y) * sp.log(1 - p)), {"p": p, "y": y})


def d_bce_stated(form: SymForm) -> sp.Expr:
    """∂L/∂p = (p − y) / (p(1 − p))."""
    return (p - y) / (p * (1 - p))


def bce_with_logits() -> SymForm:
    """BCE of σ(z): log(1 + eᶻ) − y·z (softplus(z) − yz), written with log1p: at 50 digits
    log(1 + eᶻ) rounds to 0 for z < −116 and the oracle would lose the whole loss."""
    return SymForm(log1p(sp.exp(z)) - y * z, {"z": z, "y": y})


def d_bce_with_logits_stated(form: SymForm) -> sp.Expr:
    """∂L/∂z = σ(z) − y."""
    return _sigma(z) - y


def bce_logits_identity() -> Equation:
    """BCE(σ(z), y) = softplus(z) − y·z: the with-logits form is the same loss."""
    s = _sigma(z)
    lhs = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    return Equation(lhs, sp.log(1 + sp.exp(z)) - y * z)


# --------------------------------------------------------------------------- focal


def _focal(logits: sp.MatrixBase, target: sp.MatrixBase, a: sp.Expr, g: sp.Expr) -> sp.Expr:
    """−α(1 − ŷ_t)^γ log ŷ_t for a one-hot target, with log ŷ_t = Σ yᵢ log ŷᵢ and
    ŷ_t = exp(log ŷ_t) (= Σ yᵢŷᵢ for one-hot y; this reading also defines it for other y)."""
    n = logits.shape[0]
    lse = _lse(logits)
    log_pt = sum(target[i] * (logits[i] - lse) for i in range(n))
    return -a * (1 - sp.exp(log_pt)) ** g * log_pt


def focal(n: int) -> SymForm:
    zs, ys = vector("z", n), vector("y", n)
    return SymForm(_focal(zs, ys, alpha, gamma), {"z": zs, "y": ys},
                   {"alpha": alpha, "gamma": gamma})


def focal_is_ce_identity(n: int = 3) -> Equation:
    """Focal loss with γ = 0 and α = 1 is the cross-entropy."""
    zs, ys = vector("z", n), vector("y", n)
    return Equation(_focal(zs, ys, sp.Integer(1), sp.Integer(0)), _ce(zs, ys))


# --------------------------------------------------------------------------- regression


def mse(n: int) -> SymForm:
    ys, yh = vector("y", n), vector("y_hat", n)
    return SymForm(sum((ys[i] - yh[i]) ** 2 for i in range(n)) / n, {"y": ys, "y_hat": yh})


def d_mse_stated(form: SymForm) -> sp.Matrix:
    """∂L/∂ŷ = (2/n)(ŷ − y)."""
    ys, yh = form.args["y"], form.args["y_hat"]
    return 2 * (yh - ys) / ys.shape[0]


def mae(n: int) -> SymForm:
    ys, yh = vector("y", n), vector("y_hat", n)
    return SymForm(sum(sp.Abs(ys[i] - yh[i]) for i in range(n)) / n, {"y": ys, "y_hat": yh})


def d_mae_stated(form: SymForm) -> sp.Matrix:
    """∂L/∂ŷ = sign(ŷ − y)/n (away from ŷᵢ = yᵢ)."""
    ys, yh = form.args["y"], form.args["y_hat"]
    return (yh - ys).applyfunc(sp.sign) / ys.shape[0]


def _huber_pieces(r: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    return r**2 / 2, delta * (sp.Abs(r) - delta / 2)


def huber() -> SymForm:
    """½r² for |r| ≤ δ, δ(|r| − ½δ) otherwise, r = y − ŷ."""
    quadratic, linear = _huber_pieces(y - y_hat)
    expr = sp.Piecewise((quadratic, sp.Abs(y - y_hat) <= delta), (linear, True))
    return SymForm(expr, {"y": y, "y_hat": y_hat}, {"delta": delta})


def d_huber_stated(form: SymForm) -> sp.Expr:
    """∂L/∂ŷ = ŷ − y clipped to [−δ, δ]."""
    r = y_hat - y
    return sp.Piecewise((r, sp.Abs(r) <= delta), (delta * sp.sign(r), True))


def _huber_seam(order: int) -> Equation:
    r = real("r")
    quadratic, linear = (sp.diff(piece, r, order) for piece in _huber_pieces(r))
    at = [delta, -delta]
    return Equation(sp.Matrix([quadratic.subs(r, v) for v in at]),
                    sp.Matrix([linear.subs(r, v) for v in at]))


def huber_continuous_identity() -> Equation:
    """Both pieces agree at r = ±δ."""
    return _huber_seam(0)


def huber_c1_identity() -> Equation:
    """Their first derivatives agree at r = ±δ (so the loss is C¹)."""
    return _huber_seam(1)


# --------------------------------------------------------------------------- contrastive


def _cosine(u: sp.MatrixBase, v: sp.MatrixBase) -> sp.Expr:
    return u.dot(v) / (sp.sqrt(u.dot(u)) * sp.sqrt(v.dot(v)))


def infonce(N: int, d: int) -> SymForm:
    """NT-Xent (SimCLR): the 2N views [a; b], positive of view i is its pair i ± N,
    Lᵢ = −log exp(sim(zᵢ, z_pos)/τ) / Σ_{k≠i} exp(sim(zᵢ, z_k)/τ), L the mean over the 2N."""
    a, b = matrix("a", N, d), matrix("b", N, d)
    views = [a.row(i) for i in range(N)] + [b.row(i) for i in range(N)]
    m = 2 * N
    sim = [[_cosine(views[i], views[k]) / tau for k in range(m)] for i in range(m)]
    terms = [sp.log(sum(sp.exp(sim[i][k]) for k in range(m) if k != i)) - sim[i][(i + N) % m]
             for i in range(m)]
    return SymForm(sum(terms) / m, {"a": a, "b": b}, {"tau": tau})


def infonce_clip(N: int, d: int) -> SymForm:
    """The CLIP form: logits_ij = cos(aᵢ, bⱼ)/τ, the mean of the row-wise (a→b) and
    column-wise (b→a) cross-entropies with the matching pair as the target."""
    a, b = matrix("a", N, d), matrix("b", N, d)
    logits = sp.Matrix(N, N, lambda i, j: _cosine(a.row(i), b.row(j)) / tau)
    rows = sum(_lse(logits.row(i).T) - logits[i, i] for i in range(N)) / N
    cols = sum(_lse(logits.col(j)) - logits[j, j] for j in range(N)) / N
    return SymForm((rows + cols) / 2, {"a": a, "b": b}, {"tau": tau})


def triplet(d: int) -> SymForm:
    """max(0, ‖a − p‖² − ‖a − n‖² + margin), squared distances as on the cheatsheet."""
    a, pos, neg = vector("a", d), vector("p", d), vector("n", d)
    t = (a - pos).dot(a - pos) - (a - neg).dot(a - neg) + margin
    return SymForm(sp.Piecewise((t, t > 0), (0, True)),
                   {"anchor": a, "positive": pos, "negative": neg}, {"margin": margin})


def d_triplet_stated(form: SymForm) -> sp.Matrix:
    """∂L/∂anchor = 2(n − p) where the loss is active (0 where it is clipped)."""
    a, pos, neg = form.args["anchor"], form.args["positive"], form.args["negative"]
    t = (a - pos).dot(a - pos) - (a - neg).dot(a - neg) + margin
    return (2 * (neg - pos)).applyfunc(lambda e: sp.Piecewise((e, t > 0), (0, True)))


# ------------------------------------------------------------------ convention variants


def smooth_l1() -> SymForm:
    """SmoothL1 with β = δ: ½r²/δ for |r| < δ, |r| − ½δ otherwise — Huber divided by δ
    (torch F.smooth_l1_loss(beta=δ)); the same loss only at δ = 1."""
    quadratic, linear = _huber_pieces(y - y_hat)
    expr = sp.Piecewise((quadratic / delta, sp.Abs(y - y_hat) < delta), (linear / delta, True))
    return SymForm(expr, {"y": y, "y_hat": y_hat}, {"delta": delta})


#: torch's pairwise_distance adds eps = 1e-6 to the difference before the norm.
TRIPLET_TORCH_EPS = sp.Rational(1, 10**6)


def triplet_plain(d: int) -> SymForm:
    """max(0, ‖a − p + ε‖ − ‖a − n + ε‖ + margin), unsquared distances with ε = 1e-6 added to
    every component of the difference: torch's TripletMarginLoss / F.triplet_margin_loss."""
    a, pos, neg = vector("a", d), vector("p", d), vector("n", d)

    def dist(u: sp.Matrix, w: sp.Matrix) -> sp.Expr:
        diff = (u - w).applyfunc(lambda e: e + TRIPLET_TORCH_EPS)
        return sp.sqrt(diff.dot(diff))

    t = dist(a, pos) - dist(a, neg) + margin
    return SymForm(sp.Piecewise((t, t > 0), (0, True)),
                   {"anchor": a, "positive": pos, "negative": neg}, {"margin": margin})


def mse_half(n: int) -> SymForm:
    """½·MSE = (1/2n) Σ(yᵢ − ŷᵢ)²: the mean of optax.l2_loss (½(ŷ − y)², Bishop's ½), whose
    gradient is (ŷ − y)/n."""
    form = mse(n)
    return SymForm(form.expr / 2, form.args)


def _softplus(t: sp.Expr) -> sp.Expr:
    """log(1 + eᵗ) = max(t, 0) + log1p(e^{−|t|}): no huge exponential for the oracle."""
    return sp.Max(t, 0) + log1p(sp.exp(-sp.Abs(t)))


def focal_sigmoid(n: int) -> SymForm:
    """The α-balanced sigmoid focal loss summed over classes (torchvision's
    sigmoid_focal_loss(z, y, α, γ).sum(−1), RetinaNet): Σᵢ α_t (1 − p_t)^γ · CE_i with
    p = σ(zᵢ), p_t = p for yᵢ = 1 and 1 − p otherwise, α_t = α for yᵢ = 1 and 1 − α otherwise.

    For a 0/1 label and s = 2yᵢ − 1: p_t = σ(s·zᵢ), 1 − p_t = σ(−s·zᵢ) = e^{−softplus(s·zᵢ)}
    and CE_i = softplus(−s·zᵢ), so no 1 − σ is ever formed."""
    zs, ys = vector("z", n), vector("y", n)
    total = sp.Integer(0)
    for zi, yi in zip(zs, ys, strict=True):
        s = 2 * yi - 1
        alpha_t = alpha * yi + (1 - alpha) * (1 - yi)
        total += alpha_t * sp.exp(-gamma * _softplus(s * zi)) * _softplus(-s * zi)
    return SymForm(total, {"z": zs, "y": ys}, {"alpha": alpha, "gamma": gamma})
