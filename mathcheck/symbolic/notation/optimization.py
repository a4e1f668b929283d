"""Section 6 · Optimization, as the field writes it: the update rules line by line
(Goodfellow et al., ch. 8; Kingma & Ba for Adam; Loshchilov & Hutter for AdamW)."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.notation._core import Notation, Tex
from mathcheck.symbolic.optimization import beta1, beta2, eps, lr, momentum, step, weight_decay

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
