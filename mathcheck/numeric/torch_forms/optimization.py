"""Section 6 · Optimization in Torch: device-agnostic, dtype-preserving step functions.

Optimizer states come back stacked on dim −2 (θ' first, then the buffers). float16/bfloat16
arithmetic is done in float32 and rounded once, as mixed-precision training keeps optimizer
math in fp32 (ε = 1e-8 underflows to 0 in float16, and bfloat16 has 8 significant bits).
"""

from __future__ import annotations

import math

import torch

_LOW = (torch.float16, torch.bfloat16)


def _up(x: torch.Tensor) -> torch.Tensor:
    return x.float() if x.dtype in _LOW else x


def gd(theta: torch.Tensor, g: torch.Tensor, *, lr: float) -> torch.Tensor:
    return (_up(theta) - lr * _up(g)).to(theta.dtype)


def sgd_momentum(theta: torch.Tensor, v: torch.Tensor, g: torch.Tensor, *, lr: float,
                 momentum: float) -> torch.Tensor:
    v_new = momentum * _up(v) + lr * _up(g)
    return torch.stack((_up(theta) - v_new, v_new), dim=-2).to(theta.dtype)


def _bias_correction(beta: float, t: float) -> float:
    """1 − βᵗ as −expm1(t·log β): the direct form cancels (β₂ = 0.999, t = 10 loses 2 digits)."""
    return -math.expm1(t * math.log(beta))


def _adam_direction(m: torch.Tensor, v: torch.Tensor, g: torch.Tensor, beta1: float,
                    beta2: float, eps: float, t: float) -> tuple[torch.Tensor, ...]:
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * (g * g)
    m_hat = m_new / _bias_correction(beta1, t)
    v_hat = v_new / _bias_correction(beta2, t)
    return m_new, v_new, m_hat / (torch.sqrt(v_hat) + eps)


def adam(theta: torch.Tensor, m: torch.Tensor, v: torch.Tensor, g: torch.Tensor, *, lr: float,
         beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, t: float = 1) -> torch.Tensor:
    """One Adam step at step number t ≥ 1 (the bias corrections use t)."""
    m_new, v_new, d = _adam_direction(_up(m), _up(v), _up(g), beta1, beta2, eps, t)
    return torch.stack((_up(theta) - lr * d, m_new, v_new), dim=-2).to(theta.dtype)


def adamw(theta: torch.Tensor, m: torch.Tensor, v: torch.Tensor, g: torch.Tensor, *, lr: float,
          beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, t: float = 1,
          weight_decay: float = 0.01) -> torch.Tensor:
    """AdamW: the decay λθ joins the step, never the gradient or the moments."""
    th = _up(theta)
    m_new, v_new, d = _adam_direction(_up(m), _up(v), _up(g), beta1, beta2, eps, t)
    return torch.stack((th - lr * (d + weight_decay * th), m_new, v_new), dim=-2).to(theta.dtype)


def clip_grad_norm(g: torch.Tensor, *, max_norm: float) -> torch.Tensor:
    """g·min(1, c/‖g‖). With m = max|g| the norm is m·‖g/m‖, so it never overflows or
    underflows; a clipped g is (g/m)·(c/‖g/m‖), never g·(c/‖g‖), whose factor is subnormal
    for a huge ‖g‖ and a small c; where g/m is itself subnormal, g·(c/‖g/m‖)/m."""
    x = _up(g)
    top = x.abs().amax(dim=-1, keepdim=True)
    safe = torch.where(top > 0, top, torch.ones_like(top))
    unit = x / safe
    scaled_norm = torch.sqrt((unit**2).sum(dim=-1, keepdim=True))  # in [1, √n] unless g = 0
    norm = top * scaled_norm
    factor = max_norm / torch.where(scaled_norm > 0, scaled_norm, torch.ones_like(top))
    tiny_part = unit.abs() < torch.finfo(unit.dtype).tiny  # then |g| < 4: g·factor is finite
    clipped = torch.where(tiny_part, x * factor / safe, unit * factor)
    return torch.where(norm > max_norm, clipped, x).to(g.dtype)


def _cosine_weights(remaining: torch.Tensor, span: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(cos², sin²) of π·remaining/(2·span).

    ½(1 + cos πs) = sin²(π(1 − s)/2): the sine form has no cancellation as s → 1.
    """
    angle = (math.pi / 2) * (remaining.clamp(0, span) / span)
    return torch.cos(angle) ** 2, torch.sin(angle) ** 2


def cosine(t: torch.Tensor, *, eta_max: float, eta_min: float, T: float) -> torch.Tensor:
    """η_min·cos² + η_max·sin² of π(T − t)/(2T): exact η_max at t = 0, η_min for t ≥ T."""
    low, high = _cosine_weights(T - _up(t), T)
    return (eta_min * low + eta_max * high).to(t.dtype)


def warmup_cosine(t: torch.Tensor, *, eta_max: float, eta_min: float, warmup: float,
                  T: float) -> torch.Tensor:
    tt = _up(t)
    low, high = _cosine_weights(T - tt, T - warmup)
    eta = torch.where(tt < warmup, eta_max * (tt / warmup), eta_min * low + eta_max * high)
    return eta.to(t.dtype)


def l2(theta: torch.Tensor, *, lam: float) -> torch.Tensor:
    x = _up(theta)
    return (lam * (x * x).sum(dim=-1)).to(theta.dtype)


def l1(theta: torch.Tensor, *, lam: float) -> torch.Tensor:
    return (lam * _up(theta).abs().sum(dim=-1)).to(theta.dtype)


def dropout(h: torch.Tensor, mask: torch.Tensor, *, p: float) -> torch.Tensor:
    """Inverted dropout: survivors are scaled by 1/(1 − p) so E[output] = h."""
    return (_up(mask) * _up(h) / (1 - p)).to(h.dtype)


# ------------------------------------------------------------------ convention variants


def adam_eps_in_sqrt(theta: torch.Tensor, m: torch.Tensor, v: torch.Tensor, g: torch.Tensor, *,
                     lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                     t: float = 1) -> torch.Tensor:
    """Variant: θ' = θ − η m̂/√(v̂ + ε)."""
    m_new = beta1 * _up(m) + (1 - beta1) * _up(g)
    v_new = beta2 * _up(v) + (1 - beta2) * (_up(g) * _up(g))
    d = (m_new / _bias_correction(beta1, t)) / torch.sqrt(v_new / _bias_correction(beta2, t) + eps)
    return torch.stack((_up(theta) - lr * d, m_new, v_new), dim=-2).to(theta.dtype)


def adam_eps_outside_correction(theta: torch.Tensor, m: torch.Tensor, v: torch.Tensor,
                                g: torch.Tensor, *, lr: float, beta1: float = 0.9,
                                beta2: float = 0.999, eps: float = 1e-8,
                                t: float = 1) -> torch.Tensor:
    """Variant: θ' = θ − η_t m/(√v + ε̂), η_t = η√(1 − β₂ᵗ)/(1 − β₁ᵗ) (TF/Keras ε̂)."""
    m_new = beta1 * _up(m) + (1 - beta1) * _up(g)
    v_new = beta2 * _up(v) + (1 - beta2) * (_up(g) * _up(g))
    lr_t = lr * math.sqrt(_bias_correction(beta2, t)) / _bias_correction(beta1, t)
    return torch.stack((_up(theta) - lr_t * m_new / (torch.sqrt(v_new) + eps), m_new, v_new),
                       dim=-2).to(theta.dtype)


def adamw_decay_not_scaled(theta: torch.Tensor, m: torch.Tensor, v: torch.Tensor,
                           g: torch.Tensor, *, lr: float, beta1: float = 0.9,
                           beta2: float = 0.999, eps: float = 1e-8, t: float = 1,
                           weight_decay: float = 0.01) -> torch.Tensor:
    """Variant: θ' = θ − η m̂/(√v̂ + ε) − λθ (decay not multiplied by η)."""
    th = _up(theta)
    m_new, v_new, d = _adam_direction(_up(m), _up(v), _up(g), beta1, beta2, eps, t)
    return torch.stack((th - lr * d - weight_decay * th, m_new, v_new), dim=-2).to(theta.dtype)


def sgd_momentum_lr_outside(theta: torch.Tensor, v: torch.Tensor, g: torch.Tensor, *,
                            lr: float, momentum: float) -> torch.Tensor:
    """Variant (torch.optim.SGD): b' = γb + g, θ' = θ − ηb'."""
    v_new = momentum * _up(v) + _up(g)
    return torch.stack((_up(theta) - lr * v_new, v_new), dim=-2).to(theta.dtype)
