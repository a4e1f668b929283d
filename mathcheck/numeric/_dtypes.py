"""Floating-point formats by name, rounding to them, and the ulp.

One documented rule for the ulp (used by every agreement check):

    ulp_d(s) = 2^(max(⌊log2 |s|⌋, e_min) − p + 1)

for a format d with p significand bits (implicit bit included) and minimum normal exponent
e_min; below the normal range the ulp is the subnormal spacing. The error of a computed ŷ
against the exact y is |ŷ − y| / ulp_d(s), where s is the entry's error scale (|y| for a
relative error; see `Budget.scale`). Where the exact value is subnormal the error is
measured in units of the smallest normal number instead, so flush-to-zero results pass.
bfloat16 rounding is done with NumPy bit operations (round to nearest even), so NumPy never
needs a bfloat16 type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mathcheck.errors import InvalidInputError, NotSupportedError


@dataclass(frozen=True)
class FloatFormat:
    name: str
    precision: int  # significand bits, implicit bit included
    emin: int  # exponent of the smallest normal number
    max: float  # largest finite value

    @property
    def eps(self) -> float:
        """Machine epsilon: the distance from 1 to the next larger number, 2^(1−p)."""
        return 2.0 ** (1 - self.precision)

    @property
    def tiny(self) -> float:
        return 2.0**self.emin

    @property
    def overflow_threshold(self) -> float:
        """Exact values at or beyond this magnitude round to infinity (round to nearest)."""
        # Python floats: for float64 the threshold itself overflows to inf, without a warning
        return self.max + 2.0 ** (math.floor(math.log2(self.max)) - self.precision)


FORMATS: dict[str, FloatFormat] = {
    "float64": FloatFormat("float64", 53, -1022, float(np.finfo(np.float64).max)),
    "float32": FloatFormat("float32", 24, -126, float(np.finfo(np.float32).max)),
    "float16": FloatFormat("float16", 11, -14, 65504.0),
    "bfloat16": FloatFormat("bfloat16", 8, -126, 3.3895313892515355e38),
}
ALIASES = {
    "fp64": "float64",
    "fp32": "float32",
    "fp16": "float16",
    "bf16": "bfloat16",
    "double": "float64",
    "float": "float32",
    "half": "float16",
}


def canonical(name: str) -> str:
    """'fp16' → 'float16'; an unknown name is invalid input."""
    name = ALIASES.get(name.lower(), name.lower())
    if name not in FORMATS:
        raise InvalidInputError(f"unknown dtype {name!r}; use one of {', '.join(FORMATS)}")
    return name


def fmt(name: str) -> FloatFormat:
    return FORMATS[canonical(name)]


def numpy_dtype(name: str) -> np.dtype[Any]:
    name = canonical(name)
    if name == "bfloat16":
        raise NotSupportedError("NumPy has no bfloat16 dtype")
    return np.dtype(name)


def torch_dtype(name: str) -> Any:
    import torch  # lazy: the catalog and the CLI's fast paths never import torch

    return getattr(torch, canonical(name))


def round_to(values: np.ndarray, name: str) -> np.ndarray:
    """fp64 values rounded to format `name`, returned as fp64 (exactly representable)."""
    name = canonical(name)
    values = np.asarray(values, dtype=np.float64)
    if name == "bfloat16":
        bits = values.astype(np.float32).view(np.uint32)
        rounding = np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
        rounded = ((bits + rounding) & np.uint32(0xFFFF0000)).view(np.float32)
        return rounded.astype(np.float64)
    with np.errstate(over="ignore"):
        return values.astype(name).astype(np.float64)


def ulp(scale: np.ndarray, name: str) -> np.ndarray:
    """The ulp of format `name` at magnitude `scale` (the rule in the module docstring)."""
    f = fmt(name)
    s = np.maximum(np.abs(np.asarray(scale, dtype=np.float64)), f.tiny)
    _, exponent = np.frexp(s)  # s = m·2^exponent, m in [0.5, 1)
    return np.ldexp(1.0, exponent - f.precision)
