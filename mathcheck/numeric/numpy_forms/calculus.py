"""Section 2 · Calculus in NumPy: the table's functions, the rule composites, and the
multivariate examples (Rosenbrock gradient/Hessian, a tanh layer). Dtype-preserving."""

from __future__ import annotations

import numpy as np

from mathcheck.numeric.numpy_forms.activations import sigmoid

__all__ = [
    "chain_rule",
    "exp",
    "gradient",
    "gradient_closed_form",
    "hessian",
    "jacobian",
    "log",
    "power",
    "product_rule",
    "sigmoid",
    "sum_rule",
    "tanh",
]


def power(x: np.ndarray, n: float) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):  # ±inf / 0 are the right answers there
        return np.power(x, np.asarray(n, dtype=x.dtype))


def exp(x: np.ndarray) -> np.ndarray:
    """eˣ; below fp64 in fp64, rounded once: NumPy's fp32 SIMD exp is 2.01 ulp off at
    x = −50.945 (AVX-512, NumPy 2.4), past the 1 ulp its table budget assumes."""
    with np.errstate(over="ignore", under="ignore"):
        if x.dtype == np.float64:
            return np.exp(x)
        return np.exp(x.astype(np.float64)).astype(x.dtype)


def log(x: np.ndarray) -> np.ndarray:
    return np.log(x)


def tanh(x: np.ndarray) -> np.ndarray:
    """sign(x)·(1 − e^{−2|x|})/(1 + e^{−2|x|}), the same formula as the Torch form (whose
    autograd then never forms 1 − tanh² from a rounded tanh)."""
    a = np.abs(x)
    e = np.exp(-2 * a)
    numerator = np.where(a < 0.5, -np.expm1(-2 * a), 1 - e)
    return np.where(x < 0, -1, 1).astype(x.dtype) * (numerator / (1 + e))


def chain_rule(x: np.ndarray) -> np.ndarray:
    """log(1 + x²): log1p(x²) for |x| ≤ 1 (small x keeps its relative accuracy), and
    2·log|x| + log1p(1/x²) above, so x² never overflows (fp16 would at |x| > 256)."""
    a = np.abs(x)
    small = np.minimum(a, 1)
    big = np.maximum(a, 1)
    r = 1 / big
    return np.where(a <= 1, np.log1p(small * small), 2 * np.log(big) + np.log1p(r * r))


def product_rule(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (x * x) * np.exp(x)


def sum_rule(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return x * x + np.exp(x)


def gradient(x: np.ndarray) -> np.ndarray:
    """Rosenbrock Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² over the last axis."""
    head, tail = x[..., :-1], x[..., 1:]
    return np.sum(100 * (tail - head * head) ** 2 + (1 - head) ** 2, axis=-1).astype(x.dtype)


def gradient_closed_form(x: np.ndarray) -> np.ndarray:
    """∇ of the Rosenbrock function, written out (used by the Hessian's finite differences)."""
    head, tail = x[..., :-1], x[..., 1:]
    inner = tail - head * head
    g = np.zeros_like(x)
    g[..., :-1] += -400 * head * inner - 2 * (1 - head)
    g[..., 1:] += 200 * inner
    return g


def hessian(x: np.ndarray) -> np.ndarray:
    """The tridiagonal Hessian of the Rosenbrock function, built symmetric by construction."""
    n = x.shape[-1]
    head, tail = x[..., :-1], x[..., 1:]
    diag = np.zeros_like(x)
    diag[..., :-1] += 1200 * head * head - 400 * tail + 2
    diag[..., 1:] += 200
    off = -400 * head
    H = np.zeros((*x.shape, n), dtype=x.dtype)
    i = np.arange(n)
    H[..., i, i] = diag
    H[..., i[:-1], i[1:]] = off
    H[..., i[1:], i[:-1]] = off
    return H


def jacobian(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The layer tanh(Wx + b) (its Jacobian is the claim; this is the map itself)."""
    return np.tanh(np.matmul(W, x[..., None])[..., 0] + b)
