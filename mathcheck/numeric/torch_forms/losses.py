"""Section 5 · Losses in Torch: device-agnostic, dtype-preserving, no host round-trips.

The same numerical arrangement as the NumPy forms (see there): log-softmax and softplus,
never the log of a probability; non-negative terms summed so that nothing cancels.
"""

from __future__ import annotations

import torch

from mathcheck.numeric.torch_forms.activations import log_softmax


def cross_entropy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -(y * log_softmax(z)).sum(dim=-1)


def bce(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return -(y * torch.log(p) + (1 - y) * torch.log1p(-p))


def bce_with_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(1 − y)z⁺ + y·z⁻ + log1p(e^{−|z|}): non-negative terms, exp of non-positive values.
    −|z| is taken as a branch so that autograd gives σ(0) − y at z = 0 (abs' is 0 there)."""
    linear = torch.where(z > 0, (1 - y) * z, -y * z)
    return linear + torch.log1p(torch.exp(torch.where(z > 0, -z, z)))


def focal(
    z: torch.Tensor, y: torch.Tensor, alpha: float = 0.25, gamma: float = 2.0
) -> torch.Tensor:
    log_pt = (y * log_softmax(z)).sum(dim=-1)
    return -alpha * (-torch.expm1(log_pt)) ** gamma * log_pt


def mse(y: torch.Tensor, y_hat: torch.Tensor) -> torch.Tensor:
    return (y - y_hat).square().mean(dim=-1)


def mae(y: torch.Tensor, y_hat: torch.Tensor) -> torch.Tensor:
    return (y - y_hat).abs().mean(dim=-1)


def huber(y: torch.Tensor, y_hat: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    r = y - y_hat
    a = r.abs()
    return torch.where(a <= delta, 0.5 * (r * r), delta * (a - 0.5 * delta))


def _normalize(x: torch.Tensor) -> torch.Tensor:
    return x / torch.linalg.vector_norm(x, dim=-1, keepdim=True)


def infonce(a: torch.Tensor, b: torch.Tensor, tau: float = 0.5) -> torch.Tensor:
    """NT-Xent (SimCLR) over the 2N views [a; b], the diagonal masked with −inf."""
    n = a.shape[-2]
    zn = _normalize(torch.cat([a, b], dim=-2))
    sim = (zn @ zn.transpose(-1, -2)) / tau
    m = 2 * n
    eye = torch.eye(m, dtype=torch.bool, device=a.device)
    masked = sim.masked_fill(eye, float("-inf"))
    index = torch.arange(m, device=a.device)
    positive = sim[..., index, (index + n) % m]
    return (torch.logsumexp(masked, dim=-1) - positive).mean(dim=-1)


def infonce_clip(a: torch.Tensor, b: torch.Tensor, tau: float = 0.5) -> torch.Tensor:
    """CLIP: ½[CE(rows of cos(a, b)/τ) + CE(columns)], the matching pair as target."""
    logits = (_normalize(a) @ _normalize(b).transpose(-1, -2)) / tau
    diagonal = torch.diagonal(logits, dim1=-2, dim2=-1)
    rows = torch.logsumexp(logits, dim=-1) - diagonal
    cols = torch.logsumexp(logits, dim=-2) - diagonal
    return (rows.mean(dim=-1) + cols.mean(dim=-1)) / 2


def triplet(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
            margin: float = 1.0) -> torch.Tensor:
    d_pos = (anchor - positive).square().sum(dim=-1)
    d_neg = (anchor - negative).square().sum(dim=-1)
    return (d_pos - d_neg + margin).clamp_min(0)


def smooth_l1(y: torch.Tensor, y_hat: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Variant: SmoothL1 with β = δ, i.e. Huber/δ (torch F.smooth_l1_loss(beta=δ))."""
    a = (y - y_hat).abs()
    return torch.where(a < delta, 0.5 * (a * a) / delta, a - 0.5 * delta)


def triplet_plain(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
                  margin: float = 1.0, eps: float = 1e-6) -> torch.Tensor:
    """Variant: unsquared distances ‖a − p + ε‖ (torch TripletMarginLoss, ε = 1e-6)."""
    d_pos = torch.linalg.vector_norm(anchor - positive + eps, dim=-1)
    d_neg = torch.linalg.vector_norm(anchor - negative + eps, dim=-1)
    return (d_pos - d_neg + margin).clamp_min(0)


def mse_half(y: torch.Tensor, y_hat: torch.Tensor) -> torch.Tensor:
    """Variant: ½·MSE, the mean of optax.l2_loss (½ is exact)."""
    return 0.5 * mse(y, y_hat)


def _softplus(t: torch.Tensor) -> torch.Tensor:
    """log(1 + eᵗ) as max(t, 0) + log1p(e^{−|t|}) (no threshold, unlike F.softplus)."""
    return t.clamp_min(0) + torch.log1p(torch.exp(-t.abs()))


def focal_sigmoid(z: torch.Tensor, y: torch.Tensor, alpha: float = 0.25,
                  gamma: float = 2.0) -> torch.Tensor:
    """Variant: α-balanced sigmoid focal loss summed over classes (torchvision), with
    1 − p_t = exp(−softplus(s·z)) and CE = softplus(−s·z), s = 2y − 1: no 1 − σ(z)."""
    s = 2 * y - 1
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return (alpha_t * torch.exp(-gamma * _softplus(s * z)) * _softplus(-s * z)).sum(dim=-1)
