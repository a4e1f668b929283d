"""The two numeric backends behind one small interface: move fp64 data in, results out.

Forms themselves are plain NumPy/Torch functions; this is only what the engine and the
property checks need to feed them and read them back. Torch is imported on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mathcheck.errors import InvalidInputError
from mathcheck.numeric._dtypes import canonical, fmt, numpy_dtype, torch_dtype


@dataclass(frozen=True)
class Backend:
    name: str  # "numpy" or "torch"
    dtype: str  # canonical dtype name
    device: str = "cpu"

    @property
    def xp(self) -> Any:
        """The array namespace: numpy, or torch."""
        if self.name == "numpy":
            return np
        import torch

        return torch

    @property
    def eps(self) -> float:
        return fmt(self.dtype).eps

    def asarray(self, values: Any, dtype: str | None = None) -> Any:
        """fp64 data (already representable in the dtype) as this backend's array."""
        dtype = canonical(dtype or self.dtype)
        if self.name == "numpy":
            return np.asarray(values, dtype=np.float64).astype(numpy_dtype(dtype))
        import torch

        tensor = torch.from_numpy(np.array(values, dtype=np.float64))  # a writable copy
        return tensor.to(device=self.device, dtype=torch_dtype(dtype))

    def asindex(self, values: Any) -> Any:
        """Integer data (class indices, token ids) as this backend's int64 array."""
        if self.name == "numpy":
            return np.asarray(values, dtype=np.int64)
        import torch

        return torch.as_tensor(np.asarray(values, dtype=np.int64), device=self.device)

    def to_numpy(self, result: Any) -> np.ndarray:
        """A result as fp64 NumPy (the only host copy: done by the engine, never by forms)."""
        if self.name == "numpy":
            return np.asarray(result).astype(np.float64)
        import torch

        if isinstance(result, torch.Tensor):
            return result.detach().to(dtype=torch.float64).cpu().numpy()
        return np.asarray(result, dtype=np.float64)

    def dtype_of(self, result: Any) -> str:
        """The canonical dtype name of a result, to check that forms preserve dtype."""
        name = str(getattr(result, "dtype", type(result).__name__))
        return name.removeprefix("torch.")


def backend(name: str, dtype: str, device: str = "cpu") -> Backend:
    if name not in ("numpy", "torch"):
        raise InvalidInputError(f"unknown backend {name!r}; use numpy or torch")
    return Backend(name, canonical(dtype), device)
