"""Section 9 · LLM-specific in Torch: device-agnostic, dtype-preserving, no host round-trips."""

from __future__ import annotations

import torch

BASE = 10000.0


def _work_dtype(dtype: torch.dtype) -> torch.dtype:
    """fp16/bf16 angles are computed in fp32 (as position tables are in practice), then rounded."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def sinusoidal(pos: torch.Tensor, d: float = 8) -> torch.Tensor:
    """(..., ) positions → (..., d): [sin(pos·ω_0), cos(pos·ω_0), sin(pos·ω_1), …]."""
    dim = int(d)
    work = _work_dtype(pos.dtype)
    k = torch.arange(dim, device=pos.device)
    omega = torch.pow(BASE, -(2.0 * torch.div(k, 2, rounding_mode="floor")).to(torch.float64) / dim)
    angle = pos.to(work).unsqueeze(-1) * omega.to(work)
    out = torch.where(k % 2 == 0, torch.sin(angle), torch.cos(angle))
    return out.to(pos.dtype)


def _rope_angles(
    m: torch.Tensor, pairs: int, dim: int, dtype: torch.dtype, base: float = BASE
) -> tuple[torch.Tensor, torch.Tensor]:
    work = _work_dtype(dtype)
    i = torch.arange(pairs, device=m.device, dtype=torch.float64)
    theta = torch.pow(float(base), -2.0 * i / dim).to(work)
    angle = m.to(work) * theta  # m (..., 1) broadcasts against the pairs
    return torch.cos(angle).to(dtype), torch.sin(angle).to(dtype)


def _rotated(x: torch.Tensor, rotary_dim: float | None) -> int:
    """The number r of rotated coordinates: even, at most d (None: all of them)."""
    dim = x.shape[-1]
    r = dim if rotary_dim is None else int(rotary_dim)
    if (rotary_dim is not None and r != rotary_dim) or r % 2 or not 0 < r <= dim:
        raise ValueError(f"rotary_dim must be an even integer in (0, {dim}], got {rotary_dim}")
    return r


def rope(x: torch.Tensor, m: torch.Tensor, base: float = BASE,
         rotary_dim: float | None = None) -> torch.Tensor:
    """R_m x with interleaved pairs (x_2i, x_2i+1) rotated by m·θ_i, θ_i = base^(−2i/r), on
    the first r = rotary_dim coordinates (GPT-J's rotary_dim); the rest pass through."""
    r = _rotated(x, rotary_dim)
    cos, sin = _rope_angles(m, r // 2, r, x.dtype, base)
    a, b = x[..., 0:r:2], x[..., 1:r:2]
    rotated = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).flatten(-2)
    rest = x[..., r:].expand(*rotated.shape[:-1], x.shape[-1] - r)
    return torch.cat([rotated, rest], dim=-1)


def rope_half(x: torch.Tensor, m: torch.Tensor, base: float = BASE,
              rotary_dim: float | None = None) -> torch.Tensor:
    """GPT-NeoX / HF LLaMA variant: pairs (x_i, x_{i+r/2}) ("rotate_half") within the first
    r = rotary_dim coordinates (GPT-NeoX's rotary_pct·d); the rest pass through."""
    r = _rotated(x, rotary_dim)
    cos, sin = _rope_angles(m, r // 2, r, x.dtype, base)
    a, b = x[..., : r // 2], x[..., r // 2 : r]
    first, second = a * cos - b * sin, a * sin + b * cos
    rest = x[..., r:].expand(*first.shape[:-1], x.shape[-1] - r)
    return torch.cat([first, second, rest], dim=-1)


def log_softmax(z: torch.Tensor) -> torch.Tensor:
    shifted = z - z.amax(dim=-1, keepdim=True)
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def sequence_logprob(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Σ_t log P(x_t | x_<t) from logits z (..., T, V) and one-hot targets y (..., T, V)."""
    return (y * log_softmax(z)).sum(dim=(-2, -1))


def nll(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """−(1/T) Σ_t log P(x_t | x_<t)."""
    return -(y * log_softmax(z)).sum(dim=-1).mean(dim=-1)


def _softmax(z: torch.Tensor) -> torch.Tensor:
    e = torch.exp(z - z.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def temperature(z: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """softmax(z/τ); τ (..., 1) broadcasts over the vocabulary."""
    return _softmax(z / tau)


def _renormalise(z: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    return _softmax(z.masked_fill(~keep, float("-inf")))


def top_k(z: torch.Tensor, k: float = 2) -> torch.Tensor:
    """Keep tokens whose logit ≥ the k-th largest (ties with it kept), renormalise."""
    kk = min(int(k), z.shape[-1])
    kth = torch.topk(z, kk, dim=-1).values[..., -1:]
    return _renormalise(z, z >= kth)


def top_p(z: torch.Tensor, p: float = 0.9) -> torch.Tensor:
    """Smallest set of most probable tokens with mass ≥ p (the crossing token included).

    Sort descending; r = first position whose inclusive cumulative mass reaches p; keep every
    token at least as probable as the one at r (ties with it kept).
    """
    probs = _softmax(z)
    order = torch.sort(probs, dim=-1, descending=True).values
    cum = torch.cumsum(order, dim=-1)
    r = (cum < p).sum(dim=-1, keepdim=True).clamp(max=z.shape[-1] - 1)
    threshold = torch.gather(order, -1, r)
    return _renormalise(z, probs >= threshold)


def _pow(x: torch.Tensor, a: float) -> torch.Tensor:
    """x^a with fp16/bf16 lifted to fp32: their own pow loses ~a·|ln x|·u (≈ 10 % at 1e24)."""
    return torch.pow(x.to(_work_dtype(x.dtype)), a).to(x.dtype)


def chinchilla_loss(
    N: torch.Tensor,
    D: torch.Tensor,
    E: float = 1.69,
    A: float = 406.4,
    B: float = 410.7,
    alpha: float = 0.34,
    beta: float = 0.28,
) -> torch.Tensor:
    """E + A·N^(−α) + B·D^(−β)."""
    return E + A * _pow(N, -alpha) + B * _pow(D, -beta)


def chinchilla_optimal(
    C: torch.Tensor,
    A: float = 406.4,
    B: float = 410.7,
    alpha: float = 0.34,
    beta: float = 0.28,
    E: float = 1.69,
) -> torch.Tensor:
    """(N_opt, D_opt) = (G (C/6)^(β/(α+β)), G⁻¹ (C/6)^(α/(α+β))), G = (αA/(βB))^(1/(α+β))."""
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    c6 = C / 6
    n = g * _pow(c6, beta / (alpha + beta))
    d = _pow(c6, alpha / (alpha + beta)) / g
    return torch.stack([n, d], dim=-1)


def lora(W0: torch.Tensor, B: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    """W0 + B A."""
    return W0 + B @ A


def quantize(x: torch.Tensor, s: float, z: float, qmin: float, qmax: float) -> torch.Tensor:
    """clamp(round(x/s) + z, q_min, q_max) as int32; torch.round rounds half to even."""
    return (torch.round(x / s) + z).clamp(qmin, qmax).to(torch.int32)


def dequantize(q: torch.Tensor, s: float, z: float, dtype: torch.dtype) -> torch.Tensor:
    return (q - int(z)).to(dtype) * s


def fake_quant(
    x: torch.Tensor, s: float = 0.0625, z: float = 128, qmin: float = 0, qmax: float = 255
) -> torch.Tensor:
    """dequantize(quantize(x)): the round trip x → int → x̂."""
    return dequantize(quantize(x, s, z, qmin, qmax), s, z, x.dtype)


def kv_cache_bytes(
    layers: torch.Tensor,
    heads: torch.Tensor,
    d_head: torch.Tensor,
    seq_len: torch.Tensor,
    bytes_per_elem: torch.Tensor,
) -> torch.Tensor:
    return 2 * layers * heads * d_head * seq_len * bytes_per_elem


def kv_cache_flops(n: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """(without cache, with cache) matmul FLOPs of one decoding step: (8nd² + 4n²d, 8d² + 4nd)."""
    return torch.stack([8 * n * d * d + 4 * n * n * d, 8 * d * d + 4 * n * d], dim=-1)


def fake_quant_half_away(
    x: torch.Tensor, s: float = 0.0625, z: float = 128, qmin: float = 0, qmax: float = 255
) -> torch.Tensor:
    """Variant: round half away from zero, sign(y)·⌊|y| + ½⌋ (C round())."""
    y = x / s
    q = (torch.sign(y) * torch.floor(y.abs() + 0.5) + z).clamp(qmin, qmax).to(torch.int32)
    return dequantize(q, s, z, x.dtype)
