"""Which devices can run the Torch forms here. CUDA is probed lazily (importing torch)."""

from __future__ import annotations

from functools import cache

DEVICES: tuple[str, ...] = ("cpu", "cuda")


@cache
def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def device_available(device: str) -> tuple[bool, str]:
    """(available, reason when not)."""
    if device == "cpu":
        return True, ""
    if device == "cuda":
        return (True, "") if cuda_available() else (False, "no CUDA device present")
    return False, f"unknown device {device!r}"
