"""Library functions as their users call them, for the accuracy table's rows.

Each is a one-line wrapper where the library needs an argument (`approximate=`) or a
composition (x·Φ(x) from `scipy.special.ndtr`), so that a row names one importable
`module:callable` the Ray workers resolve themselves. SciPy's ufuncs have no float16 loop
and return float32 for it: the wrappers cast back to the input's dtype, as a user would.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _as_input(out: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(out).astype(x.dtype, copy=False)


def scipy_gelu(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) with Φ = scipy.special.ndtr."""
    from scipy.special import ndtr

    return _as_input(x * ndtr(x), x)


def scipy_silu(x: np.ndarray) -> np.ndarray:
    """x·σ(x) with σ = scipy.special.expit."""
    from scipy.special import expit

    return _as_input(x * expit(x), x)


def scipy_expit(x: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return _as_input(expit(x), x)


def scipy_log_expit(x: np.ndarray) -> np.ndarray:
    from scipy.special import log_expit

    return _as_input(log_expit(x), x)


def scipy_erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return _as_input(erf(x), x)


def numpy_softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) as np.logaddexp(0, x), the stable NumPy idiom."""
    return np.logaddexp(np.zeros((), dtype=x.dtype), x)


def torch_gelu_tanh(x: Any) -> Any:
    import torch.nn.functional as F

    return F.gelu(x, approximate="tanh")


def jax_gelu(x: np.ndarray) -> np.ndarray:
    import jax

    return np.asarray(jax.nn.gelu(x, approximate=False))


def jax_gelu_tanh(x: np.ndarray) -> np.ndarray:
    """jax.nn.gelu's default (approximate=True)."""
    import jax

    return np.asarray(jax.nn.gelu(x))
