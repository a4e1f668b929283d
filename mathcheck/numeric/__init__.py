"""NumPy and Torch forms, the high-precision oracle, dtypes, devices and ulps.

The forms are hand-written in `numpy_forms/` and `torch_forms/` (never generated from SymPy,
or the cross-check would prove nothing). Torch is imported only by `torch_forms` modules.
The oracle and the screen (SymPy, mpmath) load on first access (`mathcheck._lazy`); the
on-disk cache is the public module `mathcheck.numeric.cache`.
"""

from typing import TYPE_CHECKING

from mathcheck._lazy import exports
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

if TYPE_CHECKING:
    from mathcheck.numeric._oracle import Oracle, flat_form, output_shape
    from mathcheck.numeric._screen import Screen, ScreenUnavailable

__getattr__, __dir__ = exports(__name__, {
    "Oracle": "mathcheck.numeric._oracle",
    "flat_form": "mathcheck.numeric._oracle",
    "output_shape": "mathcheck.numeric._oracle",
    "Screen": "mathcheck.numeric._screen",
    "ScreenUnavailable": "mathcheck.numeric._screen",
})

__all__ = [
    "DEVICES",
    "FORMATS",
    "Backend",
    "FloatFormat",
    "Oracle",
    "Screen",
    "ScreenUnavailable",
    "backend",
    "canonical",
    "condition_numbers",
    "cuda_available",
    "device_available",
    "error_scale",
    "flat_form",
    "fmt",
    "numpy_dtype",
    "output_shape",
    "round_to",
    "torch_dtype",
    "ulp",
    "ulp_errors",
]
