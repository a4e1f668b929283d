"""Section 13 · Alignment & RLHF, as the papers write it: the Bradley–Terry preference
probability, PPO's clipped surrogate (Schulman et al., 2017), the KL-regularised objective,
DPO with its log-ratios (Rafailov et al., 2023) and the SFT next-token loss.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.activations import Clip, Log, Min2, Plus, Sigmoid, Times
from mathcheck.symbolic.notation.linalg import ByEntry, Term, XLog, mat, vec
from mathcheck.symbolic.rlhf import beta, eps

n, T, V = sp.symbols("n T V", integer=True, positive=True)
i, t, v, c = sp.symbols("i t v c", integer=True, positive=True)


class LogSoftmaxAt(sp.Expr):
    """log softmax(z_t)_v = z_tv − log Σ_k e^{z_tk}: row t of the logits Z (1-based)."""

    is_commutative = True

    def __new__(cls, z: Any, row: Any, col: Any) -> Any:
        z, row, col = sp.sympify(z), sp.sympify(row), sp.sympify(col)
        if isinstance(z, sp.MatrixBase) and row.is_Integer and col.is_Integer:
            logits = z.row(int(row) - 1)
            return logits[int(col) - 1] - sp.log(sp.Add(*(sp.exp(u) for u in logits)))
        return super().__new__(cls, z, row, col)

    def _latex(self, printer: Any) -> str:
        row, col = (printer._print(a) for a in self.args[1:])
        return (r"\log \operatorname{softmax}\left(\mathbf{z}_{" + row + r"}\right)_{" + col
                + "}")


def bradley_terry() -> Notation:
    r_w, r_l = Tex(r"r_{\phi}(x, y_{w})"), Tex(r"r_{\phi}(x, y_{l})")
    lhs = Tex(r"P(y_{w} \succ y_{l} \mid x)")
    return Notation(((lhs, Sigmoid(r_w - r_l)),), lhs, {r_w: "r_w", r_l: "r_l"},
                    where="r_φ(x, y) is the reward model's score of the response y to the "
                          "prompt x; y_w is preferred to y_l")


def ppo_clip() -> Notation:
    r, adv = Tex(r"r_{t}(\theta)"), Tex(r"A_{t}")
    lhs = Tex(r"L_{t}^{\mathrm{CLIP}}(\theta)")
    rhs = Min2(Times(r, adv), Times(Clip(r, 1 - eps, 1 + eps), adv))
    return Notation(((lhs, rhs),), lhs, {r: "r", adv: "A"},
                    where="r_t(θ) = π_θ(a_t | s_t)/π_old(a_t | s_t) is the probability ratio "
                          "and A_t the advantage estimate; maximised, as E_t of this")


def kl_penalty(n: Any = n) -> Notation:
    p, q, r = vec(r"\boldsymbol{\pi}", n), vec(r"\boldsymbol{\pi}_{\mathrm{ref}}", n), \
        vec(r"\mathbf{r}", n)
    pi = Term(p, r"\pi(y_{#1})", i)
    reward = Tex(r"\mathbb{E}_{y \sim \pi}\left[r(y)\right]")
    kl = Tex(r"D_{\mathrm{KL}}\left(\pi \parallel \pi_{\mathrm{ref}}\right)")
    objective = Tex(r"J(\pi)")
    ratio = pi / Term(q, r"\pi_{\mathrm{ref}}(y_{#1})", i)
    lines = (
        (reward, sp.Sum(Times(pi, Term(r, "r(y_{#1})", i)), (i, 1, n))),
        (kl, sp.Sum(XLog(pi, Log(ratio)), (i, 1, n))),
        (objective, Plus(reward, -Times(beta, kl))),
    )
    return Notation(lines, objective, {p: "p", q: "q", r: "r"}, shown=(2, 0, 1),
                    where="y_1 … y_n are the responses to one prompt x, π(y_i) = π(y_i | x), "
                          "and 0 log 0 = 0")


def dpo() -> Notation:
    names = {"logp_w": r"\pi_{\theta}(y_{w} \mid x)", "ref_w": r"\pi_{\mathrm{ref}}(y_{w} \mid x)",
             "logp_l": r"\pi_{\theta}(y_{l} \mid x)", "ref_l": r"\pi_{\mathrm{ref}}(y_{l} \mid x)"}
    pw, rw, pl, rl = (Tex(tex) for tex in names.values())
    lhs = Tex(r"\mathcal{L}_{\mathrm{DPO}}")
    margin = Plus(Times(beta, Log(pw / rw)), -Times(beta, Log(pl / rl)))
    inputs = {
        symbol: (lambda args, key=key: sp.exp(args[key]))
        for symbol, key in zip((pw, rw, pl, rl), names, strict=True)
    }
    return Notation(((lhs, -Log(Sigmoid(margin))),), lhs, inputs,
                    where="y_w is preferred to y_l for the prompt x; the inputs are the "
                          "log-probabilities log π_θ(y | x) and log π_ref(y | x) of one pair")


def sft(T: Any = T, V: Any = V) -> Notation:
    z, y, m = mat(r"\mathbf{z}", T, V), mat(r"\mathbf{y}", T, V), vec(r"\mathbf{m}", T)
    logp = TexMatrix(r"\log P_{\theta}(y_{t} \mid x, y_{<t})", T, 1)
    lhs = Tex(r"\mathcal{L}_{\mathrm{SFT}}")
    element = sp.Sum(Times(y.at(t, v), LogSoftmaxAt(z, t, v)), (v, 1, V))
    total = -sp.Sum(Times(m.at(t), Term(logp, r"\log P_{\theta}(y_{#1} \mid x, y_{<#1})", t)),
                    (t, 1, T))
    lines = ((logp, ByEntry(element, (t, c), T, 1)), (lhs, total))
    return Notation(lines, lhs, {z: "z", y: "y", m: "mask"}, shown=(1, 0),
                    where="z_t are the logits at token t, y_tv = 1 for the next token y_t "
                          "(one-hot), and m_t = 1 on response tokens, 0 on the prompt")
