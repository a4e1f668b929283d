"""Section 6 · Optimization, as the field writes it: the update rules line by line
(Goodfellow et al., ch. 8; Kingma & Ba for Adam; Loshchilov & Hutter for AdamW)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.notation._core import Notation, Tex
from mathcheck.symbolic.notation.linalg import Ordered
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


class Cases(sp.Expr):
    """Branches `value if condition`, the last one `otherwise`, printed as the field writes
    them (η_max t/T_w if t < T_w), with the condition as given: SymPy's Piecewise
    canonicalises it (T_w > t). Evaluated (`doit`) as that Piecewise."""

    is_commutative = True

    def __new__(cls, *flat: Any) -> Cases:
        """value₁, condition₁, value₂, condition₂, … (flat, as SymPy rebuilds a node)."""
        return super().__new__(cls, *(sp.sympify(x) for x in flat))

    @classmethod
    def of(cls, *branches: tuple[Any, Any]) -> Cases:
        return cls(*(x for branch in branches for x in branch))

    def _branches(self) -> list[tuple[sp.Basic, sp.Basic]]:
        return list(zip(self.args[::2], self.args[1::2], strict=True))

    def doit(self, **hints: Any) -> sp.Basic:
        return sp.Piecewise(*((v.doit(**hints), c) for v, c in self._branches()))

    def _latex(self, printer: Any) -> str:
        rows = []
        for value, condition in self._branches():
            when = r"\text{otherwise}" if condition is sp.true else (
                r"\text{if } " + printer._print(condition))
            rows.append(printer._print(value) + r" & " + when)
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def clip_grad_norm(n: int | sp.Symbol = N_) -> Notation:
    norm, clipped = Tex(r"\lVert\mathbf{g}\rVert"), Tex(r"\hat{g}_{i}")
    lines = (
        (norm, sp.sqrt(sp.Sum(G_[K_] ** 2, (K_, 1, n)))),
        (clipped, Cases.of((G_[I_], sp.Le(norm, max_norm)), (max_norm * G_[I_] / norm, sp.true))),
    )
    return Notation(lines, clipped, {G_: "g"}, index=((I_, n),),
                    where="i = 1 … n: rescaled to norm c only when it is longer")


def _cosine_decay(t: sp.Basic, start: sp.Basic, length: sp.Basic) -> sp.Basic:
    """η_min + ½(η_max − η_min)(1 + cos(π(t − start)/length))."""
    wave = Ordered(sp.Rational(1, 2), eta_max - eta_min, 1 + sp.cos(sp.pi * (t - start) / length))
    return sp.Add(eta_min, wave, evaluate=False)


T_ = sp.Symbol("t", nonnegative=True, real=True)
ETA = Tex(r"\eta_t")


def cosine() -> Notation:
    rhs = Cases.of((_cosine_decay(T_, 0, horizon), sp.Le(T_, horizon)), (eta_min, sp.true))
    return Notation(((ETA, rhs),), ETA, {T_: "t"}, where="step t ≥ 0; held at η_min after T")


def warmup_cosine() -> Notation:
    rhs = Cases.of(
        (Ordered(eta_max, T_) / warmup, sp.Lt(T_, warmup)),
        (_cosine_decay(T_, warmup, horizon - warmup), sp.Le(T_, horizon)),
        (eta_min, sp.true),
    )
    return Notation(((ETA, rhs),), ETA, {T_: "t"},
                    where="linear warmup over T_w steps, then cosine decay to η_min at step T")


THETA_ = sp.IndexedBase("theta")
OMEGA = Tex(r"\Omega(\boldsymbol{\theta})")


def l2(n: int | sp.Symbol = N_) -> Notation:
    return Notation(((OMEGA, lam * sp.Sum(THETA_[I_] ** 2, (I_, 1, n))),), OMEGA,
                    {THETA_: "theta"}, where="added to the loss: L + λ Σᵢ θᵢ²")


def l1(n: int | sp.Symbol = N_) -> Notation:
    return Notation(((OMEGA, lam * sp.Sum(sp.Abs(THETA_[I_]), (I_, 1, n))),), OMEGA,
                    {THETA_: "theta"}, where="added to the loss: L + λ Σᵢ |θᵢ|")


def dropout() -> Notation:
    h, mask, out = Tex("h"), Tex("m"), Tex(r"\tilde{h}")
    return Notation(((out, Ordered(mask, h) / (1 - p)),), out, {h: "h", mask: "mask"},
                    where="m ~ Bernoulli(1 − p), elementwise; inverted: E[h̃] = h")
