"""NumPy and Torch forms, the high-precision oracle, dtypes, devices and ulps.

The forms are hand-written in `numpy_forms/` and `torch_forms/` (never generated from SymPy,
or the cross-check would prove nothing). Torch is imported only by `torch_forms` modules.
"""

from mathcheck.numeric._backend import Backend, backend
from mathcheck.numeric._devices import DEVICES, cuda_available, device_available
from mathcheck.numeric._dtypes import (
    FORMATS,
    FloatFormat,
    canonical,
    fmt,
    numpy_dtype,
    round_to,
    torch_dtype,
    ulp,
)
from mathcheck.numeric._ulps import condition_numbers, error_scale, ulp_errors

__all__ = [
    "DEVICES",
    "FORMATS",
    "Backend",
    "FloatFormat",
    "backend",
    "canonical",
    "condition_numbers",
    "cuda_available",
    "device_available",
    "error_scale",
    "fmt",
    "numpy_dtype",
    "round_to",
    "torch_dtype",
    "ulp",
    "ulp_errors",
]
