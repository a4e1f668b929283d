"""Section 6 · Optimization in NumPy: step functions (state in, state out), schedules, penalties.

Optimizer states come back stacked on axis −2 (θ' first, then the buffers), so one array is
the whole new state. float16 arithmetic is done in float32 and rounded once (the mixed-precision
practice: ε = 1e-8 is not even representable in float16).
"""

from __future__ import annotations

import math

import numpy as np


def _work(x: np.ndarray) -> np.dtype:
    return np.dtype(np.float32) if x.dtype == np.float16 else x.dtype


def _round(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The final rounding; a value beyond the format's range becomes ±inf, as it should."""
    with np.errstate(over="ignore"):
        return x.astype(dtype)


def gd(theta: np.ndarray, g: np.ndarray, *, lr: float) -> np.ndarray:
    w = _work(theta)
    return (theta.astype(w) - lr * g.astype(w)).astype(theta.dtype)


def sgd_momentum(
    theta: np.ndarray, v: np.ndarray, g: np.ndarray, *, lr: float, momentum: float
) -> np.ndarray:
    w = _work(theta)
    v_new = momentum * v.astype(w) + lr * g.astype(w)
    theta_new = theta.astype(w) - v_new
    return np.stack((theta_new, v_new), axis=-2).astype(theta.dtype)


def _bias_correction(beta: float, t: float) -> float:
    """1 − βᵗ as −expm1(t·log β): the direct form cancels (β₂ = 0.999, t = 10 loses 2 digits)."""
    return -math.expm1(t * math.log(beta))


def _adam_direction(
    m: np.ndarray, v: np.ndarray, g: np.ndarray, beta1: float, beta2: float, eps: float, t: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * (g * g)
    m_hat = m_new / _bias_correction(beta1, t)
    v_hat = v_new / _bias_correction(beta2, t)
    return m_new, v_new, m_hat / (np.sqrt(v_hat) + eps)


def adam(theta: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, *, lr: float,
         beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, t: float = 1) -> np.ndarray:
    """One Adam step at step number t ≥ 1 (the bias corrections use t)."""
    w = _work(theta)
    m_new, v_new, d = _adam_direction(m.astype(w), v.astype(w), g.astype(w), beta1, beta2, eps, t)
    return _round(np.stack((theta.astype(w) - lr * d, m_new, v_new), axis=-2), theta.dtype)


def adamw(theta: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, *, lr: float,
          beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, t: float = 1,
          weight_decay: float = 0.01) -> np.ndarray:
    """AdamW: the decay λθ joins the step, never the gradient or the moments."""
    w = _work(theta)
    th = theta.astype(w)
    m_new, v_new, d = _adam_direction(m.astype(w), v.astype(w), g.astype(w), beta1, beta2, eps, t)
    return _round(np.stack((th - lr * (d + weight_decay * th), m_new, v_new), axis=-2), theta.dtype)


def clip_grad_norm(g: np.ndarray, *, max_norm: float) -> np.ndarray:
    """g·min(1, c/‖g‖). With m = max|g| the norm is m·‖g/m‖, so it never overflows or
    underflows; a clipped g is (g/m)·(c/‖g/m‖), never g·(c/‖g‖), whose factor is subnormal
    for a huge ‖g‖ and a small c (‖g‖ = 4e307, c = 0.02 lost 9 ulp). Where g/m itself is
    subnormal (|g| < m·tiny, so |g| < 4) it is g·(c/‖g/m‖)/m instead, which cannot overflow
    (c = 100, m = 1.6e306 lost 37 ulp on the small entries)."""
    w = _work(g)
    x = g.astype(w)
    top = np.max(np.abs(x), axis=-1, keepdims=True)
    safe = np.where(top > 0, top, 1)
    unit = x / safe
    scaled_norm = np.sqrt(np.sum(unit**2, axis=-1, keepdims=True))  # in [1, √n] unless g = 0
    norm = top * scaled_norm
    # g = 0 is never clipped; x·factor overflows only where |g/m| ≥ tiny, a discarded branch
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = max_norm / scaled_norm
        tiny_part = np.abs(unit) < np.finfo(w).tiny
        clipped = np.where(tiny_part, x * factor / safe, unit * factor)
    return np.where(norm > max_norm, clipped, x).astype(g.dtype)


def _cosine_weights(remaining: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """(cos², sin²) of π·remaining/(2·span).

    ½(1 + cos πs) = sin²(π(1 − s)/2): the sine form has no cancellation as s → 1.
    """
    angle = (np.pi / 2) * (np.clip(remaining, 0, span) / span)
    return np.cos(angle) ** 2, np.sin(angle) ** 2


def cosine(t: np.ndarray, *, eta_max: float, eta_min: float, T: float) -> np.ndarray:
    """η_min·cos² + η_max·sin² of π(T − t)/(2T): exact η_max at t = 0, η_min for t ≥ T."""
    w = _work(t)
    low, high = _cosine_weights(T - t.astype(w), T)
    return (eta_min * low + eta_max * high).astype(t.dtype)


def warmup_cosine(t: np.ndarray, *, eta_max: float, eta_min: float, warmup: float,
                  T: float) -> np.ndarray:
    w = _work(t)
    tt = t.astype(w)
    low, high = _cosine_weights(T - tt, T - warmup)
    eta = np.where(tt < warmup, eta_max * (tt / warmup), eta_min * low + eta_max * high)
    return eta.astype(t.dtype)


def l2(theta: np.ndarray, *, lam: float) -> np.ndarray:
    w = _work(theta)
    x = theta.astype(w)
    return (lam * np.sum(x * x, axis=-1)).astype(theta.dtype)


def l1(theta: np.ndarray, *, lam: float) -> np.ndarray:
    w = _work(theta)
    return (lam * np.sum(np.abs(theta.astype(w)), axis=-1)).astype(theta.dtype)


def dropout(h: np.ndarray, mask: np.ndarray, *, p: float) -> np.ndarray:
    """Inverted dropout: survivors are scaled by 1/(1 − p) so E[output] = h."""
    w = _work(h)
    return (mask.astype(w) * h.astype(w) / (1 - p)).astype(h.dtype)


# ------------------------------------------------------------------ convention variants


def adam_eps_in_sqrt(theta: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, *,
                     lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                     t: float = 1) -> np.ndarray:
    """Variant: θ' = θ − η m̂/√(v̂ + ε)."""
    w = _work(theta)
    gw = g.astype(w)
    m_new = beta1 * m.astype(w) + (1 - beta1) * gw
    v_new = beta2 * v.astype(w) + (1 - beta2) * (gw * gw)
    d = (m_new / _bias_correction(beta1, t)) / np.sqrt(v_new / _bias_correction(beta2, t) + eps)
    return _round(np.stack((theta.astype(w) - lr * d, m_new, v_new), axis=-2), theta.dtype)


def adam_eps_outside_correction(theta: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray,
                                *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                                eps: float = 1e-8, t: float = 1) -> np.ndarray:
    """Variant: θ' = θ − η_t m/(√v + ε̂), η_t = η√(1 − β₂ᵗ)/(1 − β₁ᵗ) (TF/Keras ε̂)."""
    w = _work(theta)
    gw = g.astype(w)
    m_new = beta1 * m.astype(w) + (1 - beta1) * gw
    v_new = beta2 * v.astype(w) + (1 - beta2) * (gw * gw)
    lr_t = lr * math.sqrt(_bias_correction(beta2, t)) / _bias_correction(beta1, t)
    return _round(np.stack((theta.astype(w) - lr_t * m_new / (np.sqrt(v_new) + eps), m_new,
                            v_new), axis=-2), theta.dtype)


def adamw_decay_not_scaled(theta: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, *,
                           lr: float, beta1: float = 0.9, beta2: float = 0.999,
                           eps: float = 1e-8, t: float = 1,
                           weight_decay: float = 0.01) -> np.ndarray:
    """Variant: θ' = θ − η m̂/(√v̂ + ε) − λθ (decay not multiplied by η)."""
    w = _work(theta)
    th = theta.astype(w)
    m_new, v_new, d = _adam_direction(m.astype(w), v.astype(w), g.astype(w), beta1, beta2, eps, t)
    return _round(np.stack((th - lr * d - weight_decay * th, m_new, v_new), axis=-2), theta.dtype)


def sgd_momentum_lr_outside(theta: np.ndarray, v: np.ndarray, g: np.ndarray, *, lr: float,
                            momentum: float) -> np.ndarray:
    """Variant (torch.optim.SGD): b' = γb + g, θ' = θ − ηb'."""
    w = _work(theta)
    v_new = momentum * v.astype(w) + g.astype(w)
    return np.stack((theta.astype(w) - lr * v_new, v_new), axis=-2).astype(theta.dtype)
