"""Section 7 · Normalization: SymPy forms and the Jacobians the backward passes rest on.

All three use the biased variance (divide by the count), with ε inside the square root.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import SymForm, matrix, real, vector

eps = real("epsilon", positive=True)


def _normalize(x: sp.Matrix) -> tuple[list[sp.Expr], sp.Expr]:
    """x̂ of a list of values: (x − μ)/√(σ² + ε), σ² the biased variance; also √(σ² + ε)."""
    values = list(x)
    count = len(values)
    mean = sum(values) / count
    var = sum((v - mean) ** 2 for v in values) / count
    scale = sp.sqrt(var + eps)
    return [(v - mean) / scale for v in values], scale


def layer_norm(n: int) -> SymForm:
    """y_i = γ_i (x_i − μ_L)/√(σ_L² + ε) + β_i over the features of one sample."""
    x, gamma, beta = vector("x", n), vector("gamma", n), vector("beta", n)
    xhat, _ = _normalize(x)
    y = sp.Matrix([gamma[i] * xhat[i] + beta[i] for i in range(n)])
    return SymForm(y, {"x": x, "gamma": gamma, "beta": beta}, {"eps": eps})


def d_layer_norm_stated(form: SymForm) -> sp.Matrix:
    """∂y_i/∂x_j = γ_i/s · (δ_ij − 1/n − x̂_i x̂_j/n), s = √(σ² + ε)."""
    x, gamma = form.args["x"], form.args["gamma"]
    n = x.shape[0]
    xhat, s = _normalize(x)
    return sp.Matrix(n, n, lambda i, j: gamma[i] / s
                     * (sp.KroneckerDelta(i, j) - sp.Rational(1, n) - xhat[i] * xhat[j] / n))


def batch_norm(m: int, n: int) -> SymForm:
    """y_ij = γ_j (x_ij − μ_j)/√(σ_j² + ε) + β_j, statistics over the m samples of the batch."""
    x, gamma, beta = matrix("x", m, n), vector("gamma", n), vector("beta", n)
    columns = [_normalize(x[:, j])[0] for j in range(n)]
    y = sp.Matrix(m, n, lambda i, j: gamma[j] * columns[j][i] + beta[j])
    return SymForm(y, {"x": x, "gamma": gamma, "beta": beta}, {"eps": eps})


def rms_norm(n: int) -> SymForm:
    """y_i = γ_i x_i / RMS(x), RMS(x) = √(Σx_i²/n + ε): no mean subtraction, no β."""
    x, gamma = vector("x", n), vector("gamma", n)
    rms = sp.sqrt(sum(v**2 for v in x) / n + eps)
    return SymForm(sp.Matrix([gamma[i] * x[i] / rms for i in range(n)]),
                   {"x": x, "gamma": gamma}, {"eps": eps})


def d_rms_norm_stated(form: SymForm) -> sp.Matrix:
    """∂y_i/∂x_j = γ_i/r · (δ_ij − x̂_i x̂_j/n), r = RMS(x), x̂ = x/r."""
    x, gamma = form.args["x"], form.args["gamma"]
    n = x.shape[0]
    r = sp.sqrt(sum(v**2 for v in x) / n + eps)
    return sp.Matrix(n, n, lambda i, j: gamma[i] / r
                     * (sp.KroneckerDelta(i, j) - x[i] * x[j] / (n * r**2)))


# ------------------------------------------------------------------ convention variants


def rms_norm_gemma(n: int) -> SymForm:
    """Gemma's RMSNorm: y_i = (1 + γ_i)·x_i/RMS(x), the weight stored as an offset from 1
    (zero-initialised)."""
    x, gamma = vector("x", n), vector("gamma", n)
    rms = sp.sqrt(sum(v**2 for v in x) / n + eps)
    return SymForm(sp.Matrix([(1 + gamma[i]) * x[i] / rms for i in range(n)]),
                   {"x": x, "gamma": gamma}, {"eps": eps})


def rms_norm_cast_before_weight(n: int) -> SymForm:
    """The LLaMA casting order computes the same function as `rms_norm`; only where it rounds
    differs. Its own oracle lets the variant be judged on every screened input with its own
    rounding budget, not bit for bit on a few examples."""
    return rms_norm(n)
