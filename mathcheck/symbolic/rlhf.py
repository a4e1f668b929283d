"""Section 13 · Alignment & RLHF: SymPy forms and the identities the cheatsheet relies on."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

r_w, r_l = real("r_w"), real("r_l")
ratio, adv = real("r", positive=True), real("A")
eps, beta = real("eps", positive=True), real("beta", positive=True)
logp_w, logp_l, ref_w, ref_l = real("logp_w"), real("logp_l"), real("ref_w"), real("ref_l")


def _sigmoid(t: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-t))


def bradley_terry() -> SymForm:
    """P(y_w ≻ y_l) = σ(r_w − r_l)."""
    return SymForm(_sigmoid(r_w - r_l), {"r_w": r_w, "r_l": r_l})


def d_bradley_terry_stated(form: SymForm) -> sp.Expr:
    """∂P/∂r_w = P(1 − P): the logistic derivative."""
    return form.expr * (1 - form.expr)


def bt_is_two_way_softmax() -> Equation:
    """σ(r_w − r_l) = e^{r_w} / (e^{r_w} + e^{r_l}): the first entry of a two-way softmax."""
    return Equation(bradley_terry().expr, sp.exp(r_w) / (sp.exp(r_w) + sp.exp(r_l)))


def ppo_clip() -> SymForm:
    """Per-sample clipped surrogate min(r·A, clip(r, 1 − ε, 1 + ε)·A) (maximised)."""
    clipped = sp.Min(sp.Max(ratio, 1 - eps), 1 + eps)
    return SymForm(sp.Min(ratio * adv, clipped * adv), {"r": ratio, "A": adv}, {"eps": eps})


def kl_penalty(n: int) -> SymForm:
    """Σ_y π(y) r(y) − β Σ_y π(y) log(π(y)/π_ref(y)) over a finite response set of size n.

    0·log 0 = 0 (the KL convention) is written as a Piecewise so the oracle never sees 0·∞.
    """
    p, q, r = vector("p", n, nonnegative=True), vector("q", n, positive=True), vector("r", n)
    kl = sum(
        sp.Piecewise((0, sp.Eq(p[i], 0)), (p[i] * sp.log(p[i] / q[i]), True)) for i in range(n)
    )
    reward = sum(p[i] * r[i] for i in range(n))
    return SymForm(reward - beta * kl, {"p": p, "q": q, "r": r}, {"beta": beta})


def _softplus(t: sp.Expr) -> sp.Expr:
    return sp.log(1 + sp.exp(t))


def dpo() -> SymForm:
    """−log σ(β[(log π_w − log π_ref,w) − (log π_l − log π_ref,l)]) = softplus(−β·margin)."""
    margin = (logp_w - ref_w) - (logp_l - ref_l)
    args = {"logp_w": logp_w, "logp_l": logp_l, "ref_w": ref_w, "ref_l": ref_l}
    return SymForm(_softplus(-beta * margin), args, {"beta": beta})


def d_dpo_stated(form: SymForm) -> sp.Expr:
    """∂L/∂log π_w = −β·σ(r̂_l − r̂_w), r̂ = β log π/π_ref (the DPO paper's gradient weight)."""
    implicit_w, implicit_l = beta * (logp_w - ref_w), beta * (logp_l - ref_l)
    return -beta * _sigmoid(implicit_l - implicit_w)


def dpo_is_bradley_terry() -> Equation:
    """DPO = −log P_BT(y_w ≻ y_l) with the implicit reward r̂ = β log π/π_ref."""
    implicit_w, implicit_l = beta * (logp_w - ref_w), beta * (logp_l - ref_l)
    bt = _sigmoid(implicit_w - implicit_l)
    return Equation(dpo().expr, -sp.log(bt))


def sft(T: int, V: int) -> SymForm:
    """−Σ_t m_t log softmax(z_t)[y_t] with one-hot targets y and a response mask m."""
    z, y = matrix("z", T, V), matrix("y", T, V)
    m = vector("m", T)
    total = 0
    for t in range(T):
        lse = sp.log(sum(sp.exp(z[t, v]) for v in range(V)))
        total += m[t] * sum(y[t, v] * (z[t, v] - lse) for v in range(V))
    return SymForm(-total, {"z": z, "y": y, "mask": m})
