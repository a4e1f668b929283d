"""Section 9 · LLM-specific in NumPy: vectorised, dtype-preserving, any leading batch dims."""

from __future__ import annotations

import numpy as np

BASE = 10000.0


def _work_dtype(dtype: np.dtype) -> np.dtype:
    """fp16 angles are computed in fp32 (as position tables are in practice), then rounded."""
    return np.dtype(np.float32) if np.dtype(dtype).itemsize < 4 else np.dtype(dtype)


def sinusoidal(pos: np.ndarray, d: float = 8) -> np.ndarray:
    """(..., ) positions → (..., d): [sin(pos·ω_0), cos(pos·ω_0), sin(pos·ω_1), …]."""
    dim = int(d)
    work = _work_dtype(pos.dtype)
    omega = np.power(BASE, -(2.0 * (np.arange(dim) // 2)) / dim).astype(work)
    angle = pos.astype(work)[..., None] * omega
    out = np.where(np.arange(dim) % 2 == 0, np.sin(angle), np.cos(angle))
    return out.astype(pos.dtype)


def _rope_angles(
    m: np.ndarray, pairs: int, dim: int, dtype: np.dtype, base: float = BASE
) -> tuple[np.ndarray, np.ndarray]:
    work = _work_dtype(dtype)
    theta = np.power(float(base), -2.0 * np.arange(pairs) / dim).astype(work)
    angle = m.astype(work) * theta  # m (..., 1) broadcasts against the pairs
    return np.cos(angle).astype(dtype), np.sin(angle).astype(dtype)


def _rotated(x: np.ndarray, rotary_dim: float | None) -> int:
    """The number r of rotated coordinates: even, at most d (None: all of them)."""
    dim = x.shape[-1]
    r = dim if rotary_dim is None else int(rotary_dim)
    if (rotary_dim is not None and r != rotary_dim) or r % 2 or not 0 < r <= dim:
        raise ValueError(f"rotary_dim must be an even integer in (0, {dim}], got {rotary_dim}")
    return r


def rope(x: np.ndarray, m: np.ndarray, base: float = BASE,
         rotary_dim: float | None = None) -> np.ndarray:
    """R_m x with interleaved pairs (x_2i, x_2i+1) rotated by m·θ_i, θ_i = base^(−2i/r), on
    the first r = rotary_dim coordinates (GPT-J's rotary_dim); the rest pass through.

    x (..., d), m (..., 1) (or anything broadcasting to (..., r/2)).
    """
    r = _rotated(x, rotary_dim)
    cos, sin = _rope_angles(m, r // 2, r, x.dtype, base)
    a, b = x[..., 0:r:2], x[..., 1:r:2]
    out = np.stack([a * cos - b * sin, a * sin + b * cos], axis=-1)
    out = out.reshape(*out.shape[:-2], r)
    rest = np.broadcast_to(x[..., r:], (*out.shape[:-1], x.shape[-1] - r))
    return np.concatenate([out, rest], axis=-1).astype(x.dtype, copy=False)


def rope_half(x: np.ndarray, m: np.ndarray, base: float = BASE,
              rotary_dim: float | None = None) -> np.ndarray:
    """GPT-NeoX / HF LLaMA variant: pairs (x_i, x_{i+r/2}) ("rotate_half") within the first
    r = rotary_dim coordinates (GPT-NeoX's rotary_pct·d); the rest pass through."""
    r = _rotated(x, rotary_dim)
    cos, sin = _rope_angles(m, r // 2, r, x.dtype, base)
    a, b = x[..., : r // 2], x[..., r // 2 : r]
    first, second = a * cos - b * sin, a * sin + b * cos
    rest = np.broadcast_to(x[..., r:], (*first.shape[:-1], x.shape[-1] - r))
    return np.concatenate([first, second, rest], axis=-1).astype(x.dtype)


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def sequence_logprob(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Σ_t log P(x_t | x_<t) from logits z (..., T, V) and one-hot targets y (..., T, V)."""
    return (y * log_softmax(z)).sum(axis=(-2, -1)).astype(z.dtype, copy=False)


def nll(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−(1/T) Σ_t log P(x_t | x_<t)."""
    per_token = -(y * log_softmax(z)).sum(axis=-1)
    return per_token.mean(axis=-1).astype(z.dtype, copy=False)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def temperature(z: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """softmax(z/τ); τ (..., 1) broadcasts over the vocabulary."""
    return _softmax(z / tau).astype(z.dtype, copy=False)


def _renormalise(z: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """softmax over the kept tokens (the rest get exactly 0)."""
    masked = np.where(keep, z, -np.inf)
    return _softmax(masked).astype(z.dtype, copy=False)


def top_k(z: np.ndarray, k: float = 2) -> np.ndarray:
    """Keep tokens whose logit ≥ the k-th largest (ties with it kept), renormalise."""
    kk = min(int(k), z.shape[-1])
    kth = np.sort(z, axis=-1)[..., -kk][..., None]
    return _renormalise(z, z >= kth)


def top_p(z: np.ndarray, p: float = 0.9) -> np.ndarray:
    """Smallest set of most probable tokens with mass ≥ p (the crossing token included).

    Sort descending, find the first position r whose inclusive cumulative mass reaches p, and
    keep every token at least as probable as the token at r (ties with it kept).
    """
    probs = _softmax(z)
    order = np.flip(np.sort(probs, axis=-1), axis=-1)
    cum = np.cumsum(order, axis=-1)
    r = np.minimum((cum < np.asarray(p, probs.dtype)).sum(axis=-1, keepdims=True), z.shape[-1] - 1)
    threshold = np.take_along_axis(order, r, axis=-1)
    return _renormalise(z, probs >= threshold)


CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_loss(
    N: np.ndarray,
    D: np.ndarray,
    E: float = 1.69,
    A: float = 406.4,
    B: float = 410.7,
    alpha: float = 0.34,
    beta: float = 0.28,
) -> np.ndarray:
    """E + A·N^(−α) + B·D^(−β), powers as exp(−α log N) never overflow."""
    dt = N.dtype
    n_term = np.asarray(A, dt) * np.power(N, np.asarray(-alpha, dt))
    d_term = np.asarray(B, dt) * np.power(D, np.asarray(-beta, dt))
    return (np.asarray(E, dt) + n_term + d_term).astype(dt, copy=False)


def chinchilla_optimal(
    C: np.ndarray,
    A: float = 406.4,
    B: float = 410.7,
    alpha: float = 0.34,
    beta: float = 0.28,
    E: float = 1.69,
) -> np.ndarray:
    """(N_opt, D_opt) = (G (C/6)^(β/(α+β)), G⁻¹ (C/6)^(α/(α+β))), G = (αA/(βB))^(1/(α+β))."""
    dt = C.dtype
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    c6 = C / np.asarray(6, dt)
    n = np.asarray(g, dt) * np.power(c6, np.asarray(beta / (alpha + beta), dt))
    d = np.power(c6, np.asarray(alpha / (alpha + beta), dt)) / np.asarray(g, dt)
    return np.stack([n, d], axis=-1).astype(dt, copy=False)


def lora(W0: np.ndarray, B: np.ndarray, A: np.ndarray) -> np.ndarray:
    """W0 + B A."""
    return (W0 + B @ A).astype(W0.dtype, copy=False)


def quantize(x: np.ndarray, s: float, z: float, qmin: float, qmax: float) -> np.ndarray:
    """clamp(round(x/s) + z, q_min, q_max) as int32; np.rint rounds half to even."""
    q = np.rint(x / np.asarray(s, x.dtype)) + z
    return np.clip(q, qmin, qmax).astype(np.int32)


def dequantize(q: np.ndarray, s: float, z: float, dtype: np.dtype) -> np.ndarray:
    return (np.asarray(s, dtype) * (q - int(z)).astype(dtype)).astype(dtype, copy=False)


def fake_quant(
    x: np.ndarray, s: float = 0.0625, z: float = 128, qmin: float = 0, qmax: float = 255
) -> np.ndarray:
    """dequantize(quantize(x)): the round trip x → int → x̂."""
    return dequantize(quantize(x, s, z, qmin, qmax), s, z, x.dtype)


def kv_cache_bytes(
    layers: np.ndarray,
    heads: np.ndarray,
    d_head: np.ndarray,
    seq_len: np.ndarray,
    bytes_per_elem: np.ndarray,
) -> np.ndarray:
    with np.errstate(over="ignore"):  # fp16 overflows to inf exactly when the exact value does
        total = 2 * layers * heads * d_head * seq_len * bytes_per_elem
    return total.astype(layers.dtype, copy=False)


def kv_cache_flops(n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """(without cache, with cache) matmul FLOPs of one decoding step: (8nd² + 4n²d, 8d² + 4nd)."""
    with np.errstate(over="ignore"):  # fp16 overflows to inf exactly when the exact value does
        without = 8 * n * d * d + 4 * n * n * d
        with_cache = 8 * d * d + 4 * n * d
    return np.stack([without, with_cache], axis=-1).astype(n.dtype, copy=False)


def fake_quant_half_away(
    x: np.ndarray, s: float = 0.0625, z: float = 128, qmin: float = 0, qmax: float = 255
) -> np.ndarray:
    """Variant: round half away from zero, sign(y)·⌊|y| + ½⌋ (C round())."""
    y = x / np.asarray(s, x.dtype)
    q = np.clip(np.sign(y) * np.floor(np.abs(y) + 0.5) + z, qmin, qmax).astype(np.int32)
    return dequantize(q, s, z, x.dtype)
