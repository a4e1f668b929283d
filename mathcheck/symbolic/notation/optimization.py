"""Section 6 · Optimization, as the field writes it: the update rules line by line
(Goodfellow et al., ch. 8; Kingma & Ba for Adam; Loshchilov & Hutter for AdamW)."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.notation._core import Notation, Tex
from mathcheck.symbolic.optimization import (
    beta1,
    beta2,
    eps,
    eta_max,
    eta_min,
    horizon,
    lam,
    lr,
    max_norm,
    momentum,
    p,
    step,
    warmup,
    weight_decay,
)

THETA0, THETA = Tex(r"\theta_{t-1}"), Tex(r"\theta_t")
M0, V0, G = Tex("m_{t-1}"), Tex("v_{t-1}"), Tex("g_t")
M, V, M_HAT, V_HAT = Tex("m_t"), Tex("v_t"), Tex(r"\hat{m}_t"), Tex(r"\hat{v}_t")
ELEMENTWISE = "elementwise in the parameters; g_t = ∇L(θ_{t−1})"


def gd(n: int = 0) -> Notation:
    return Notation(((THETA, THETA0 - lr * G),), THETA, {THETA0: "theta", G: "g"},
                    elementwise=True, where=ELEMENTWISE)


def sgd_momentum(n: int = 0) -> Notation:
    lines = ((V, momentum * V0 + lr * G), (THETA, THETA0 - V))
    return Notation(lines, (THETA, V), {THETA0: "theta", V0: "v", G: "g"}, elementwise=True,
                    where=ELEMENTWISE)


def _adam_lines(decay: bool) -> tuple[tuple[sp.Basic, sp.Basic], ...]:
    update = M_HAT / (sp.sqrt(V_HAT) + eps) + (weight_decay * THETA0 if decay else 0)
    return (
        (M, beta1 * M0 + (1 - beta1) * G),
        (V, beta2 * V0 + (1 - beta2) * G**2),
        (M_HAT, M / (1 - beta1**step)),
        (V_HAT, V / (1 - beta2**step)),
        (THETA, THETA0 - lr * update),
    )


def adam(n: int = 0) -> Notation:
    return Notation(_adam_lines(decay=False), (THETA, M, V),
                    {THETA0: "theta", M0: "m", V0: "v", G: "g"}, elementwise=True,
                    where=ELEMENTWISE)


def adamw(n: int = 0) -> Notation:
    return Notation(_adam_lines(decay=True), (THETA, M, V),
                    {THETA0: "theta", M0: "m", V0: "v", G: "g"}, elementwise=True,
                    where=ELEMENTWISE + "; the decay λθ is not part of g_t (decoupled)")


K_, I_ = sp.symbols("k i", integer=True, positive=True)
N_ = sp.Symbol("n", integer=True, positive=True)
G_ = sp.IndexedBase("g")


def clip_grad_norm(n: int | sp.Symbol = N_) -> Notation:
    norm, clipped = Tex(r"\lVert\mathbf{g}\rVert"), Tex(r"\hat{g}_{i}")
    lines = (
        (norm, sp.sqrt(sp.Sum(G_[K_] ** 2, (K_, 1, n)))),
        (clipped, sp.Piecewise((G_[I_], norm <= max_norm), (max_norm * G_[I_] / norm, True))),
    )
    return Notation(lines, clipped, {G_: "g"}, index=((I_, n),),
                    where="rescaled to norm c only when it is longer")


def _cosine_lines(t: sp.Symbol, start: sp.Basic, length: sp.Basic) -> sp.Basic:
    wave = sp.Mul(sp.Rational(1, 2), eta_max - eta_min, 1 + sp.cos(sp.pi * (t - start) / length),
                  evaluate=False)
    return sp.Add(eta_min, wave, evaluate=False)


def cosine() -> Notation:
    t, eta = sp.Symbol("t", nonnegative=True, real=True), Tex(r"\eta_t")
    rhs = sp.Piecewise((_cosine_lines(t, 0, horizon), t <= horizon), (eta_min, True))
    return Notation(((eta, rhs),), eta, {t: "t"})


def warmup_cosine() -> Notation:
    t, eta = sp.Symbol("t", nonnegative=True, real=True), Tex(r"\eta_t")
    rhs = sp.Piecewise(
        (eta_max * t / warmup, t < warmup),
        (_cosine_lines(t, warmup, horizon - warmup), t <= horizon),
        (eta_min, True),
    )
    return Notation(((eta, rhs),), eta, {t: "t"})


THETA_ = sp.IndexedBase("theta")
OMEGA = Tex(r"\Omega(\boldsymbol{\theta})")


def l2(n: int | sp.Symbol = N_) -> Notation:
    return Notation(((OMEGA, lam * sp.Sum(THETA_[K_] ** 2, (K_, 1, n))),), OMEGA,
                    {THETA_: "theta"}, where="added to the loss: L + λ Σ θ_k²")


def l1(n: int | sp.Symbol = N_) -> Notation:
    return Notation(((OMEGA, lam * sp.Sum(sp.Abs(THETA_[K_]), (K_, 1, n))),), OMEGA,
                    {THETA_: "theta"}, where="added to the loss: L + λ Σ |θ_k|")


def dropout() -> Notation:
    h, mask, out = Tex("h"), Tex("m"), Tex(r"\tilde{h}")
    return Notation(((out, mask * h / (1 - p)),), out, {h: "h", mask: "mask"},
                    where="m ~ Bernoulli(1 − p), elementwise; inverted: E[h̃] = h")
