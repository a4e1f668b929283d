"""Section 7 · Normalization, as the papers write it: the statistics first, then the
normalised value, scaled and shifted (Ioffe & Szegedy; Ba et al.; Zhang & Sennrich)."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.normalization import eps
from mathcheck.symbolic.notation._core import Notation

N, M = sp.Symbol("n", integer=True, positive=True), sp.Symbol("m", integer=True, positive=True)
IDX, J, K = sp.symbols("i j k", integer=True, positive=True)
X, GAMMA, BETA = sp.IndexedBase("x"), sp.IndexedBase("gamma"), sp.IndexedBase("beta")
MU, VAR, XHAT, Y = Tex(r"\mu"), Tex(r"\sigma^{2}"), Tex(r"\hat{x}_{i}"), Tex("y_{i}")


def layer_norm(n: int | sp.Symbol = N) -> Notation:
    lines = (
        (MU, sp.Sum(X[K], (K, 1, n)) / n),
        (VAR, sp.Sum((X[K] - MU) ** 2, (K, 1, n)) / n),
        (XHAT, (X[IDX] - MU) / sp.sqrt(VAR + eps)),
        (Y, GAMMA[IDX] * XHAT + BETA[IDX]),
    )
    return Notation(lines, Y, {X: "x", GAMMA: "gamma", BETA: "beta"}, index=((IDX, n),),
                    where="statistics over the n features of one token; i = 1 … n")


def rms_norm(n: int | sp.Symbol = N) -> Notation:
    rms = Tex(r"\operatorname{RMS}(\mathbf{x})")
    lines = (
        (rms, sp.sqrt(sp.Sum(X[K] ** 2, (K, 1, n)) / n + eps)),
        (Y, GAMMA[IDX] * X[IDX] / rms),
    )
    return Notation(lines, Y, {X: "x", GAMMA: "gamma"}, index=((IDX, n),),
                    where="no mean is subtracted; i = 1 … n")


def batch_norm(m: int | sp.Symbol = M, n: int | sp.Symbol = N) -> Notation:
    mu, var = Tex(r"\mu_{j}"), Tex(r"\sigma_{j}^{2}")
    xhat, y = Tex(r"\hat{x}_{ij}"), Tex("y_{ij}")
    lines = (
        (mu, sp.Sum(X[K, J], (K, 1, m)) / m),
        (var, sp.Sum((X[K, J] - mu) ** 2, (K, 1, m)) / m),
        (xhat, (X[IDX, J] - mu) / sp.sqrt(var + eps)),
        (y, GAMMA[J] * xhat + BETA[J]),
    )
    return Notation(lines, y, {X: "x", GAMMA: "gamma", BETA: "beta"}, index=((IDX, m), (J, n)),
                    where="statistics of feature j over the m examples of the batch")
