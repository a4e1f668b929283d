"""Deliberately wrong implementations the sweep must reject."""

from __future__ import annotations

import torch


def gelu_wrong_constant(x: torch.Tensor) -> torch.Tensor:
    """GELU as Φ(x) = ½erfc(−x/2): the constant ½ where 1/√2 belongs."""
    return 0.5 * x * torch.special.erfc(-x * 0.5)
