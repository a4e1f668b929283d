"""What a sweep covers: the entry, the implementation, the dtype and its shards.

A `SweepSpec` holds names and numbers only, so it pickles to Ray workers, which resolve the
callables themselves (`resolved`). Everything a user gives is checked here, before any work,
and a bad value is one `InvalidInputError` line (exit 2).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from mathcheck.errors import InvalidInputError, NotSupportedError, UnknownFormulaError
from mathcheck.formulas import Agreement, Entry, all_entries, get, resolve
from mathcheck.numeric import canonical

BITS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}
WEYL = 0x9E3779B97F4A7C15  # odd: i ↦ i·WEYL mod 2⁶⁴ is a bijection, spread over all patterns
TOP_K = 16


@dataclass(frozen=True)
class SweepSpec:
    entry_id: str
    dtype: str  # canonical
    backend: str = "torch"  # "torch" or "numpy"
    impl: str | None = None  # "module:callable"; None: the catalog's own form
    shard_bits: int = 24
    sample_bits: int = 28  # fp64 only: 2^sample_bits patterns of the 2⁶⁴ (a Weyl sample)
    top_k: int = TOP_K
    paths: tuple[str, ...] = field(default_factory=tuple)  # sys.path entries for the impl
    device: str = "cpu"  # where the implementation runs; the reference is always on the CPU

    @property
    def total_bits(self) -> int:
        return self.sample_bits if self.dtype == "float64" else BITS[self.dtype]

    @property
    def shards(self) -> int:
        return 2 ** max(self.total_bits - self.shard_bits, 0)

    @property
    def shard_size(self) -> int:
        return 2 ** min(self.shard_bits, self.total_bits)

    @property
    def total(self) -> int:
        return 2**self.total_bits

    @property
    def how(self) -> str:
        return "sampled" if self.dtype == "float64" else "exhaustive"

    def label(self) -> str:
        what = self.impl or f"{self.backend} form"
        where = "" if self.device == "cpu" else f", {self.device}"
        return f"{self.entry_id} ({what}, {self.dtype}{where})"

    def patterns(self, index: int) -> np.ndarray:
        """The bit patterns of shard `index` as values of the dtype, in fp64 (exact)."""
        start = index * self.shard_size
        i = np.arange(start, start + self.shard_size, dtype=np.uint64)
        if self.dtype == "float64":
            with np.errstate(over="ignore"):
                return (i * np.uint64(WEYL)).view(np.float64)
        if self.dtype == "float32":
            return i.astype(np.uint32).view(np.float32).astype(np.float64)
        if self.dtype == "bfloat16":
            with np.errstate(invalid="ignore"):
                bits = i.astype(np.uint32) << np.uint32(16)
                return bits.view(np.float32).astype(np.float64)
        return i.astype(np.uint16).view(np.float16).astype(np.float64)


def elementwise(entry: Entry) -> bool:
    """One scalar real input and an Agreement claim: what a sweep can cover."""
    domain = entry.domain
    if domain is None or len(domain.args) != 1:
        return False
    arg = domain.args[0]
    has_agreement = any(isinstance(c, Agreement) for c in entry.claims)
    return not arg.shape and arg.kind in ("real", "positive") and has_agreement


def sweepable() -> list[str]:
    return [e.id for e in all_entries() if elementwise(e)]


def make_spec(
    entry_id: str, dtype: str, backend: str = "torch", impl: str | None = None,
    shard_bits: int = 24, sample_bits: int = 28, paths: tuple[str, ...] = (),
    device: str = "cpu",
) -> SweepSpec:
    """A checked spec: every problem is one line (exit 2) before anything runs."""
    try:
        entry = get(entry_id)
    except KeyError:
        raise UnknownFormulaError(entry_id, [e.id for e in all_entries()]) from None
    if not elementwise(entry):
        raise InvalidInputError(
            f"{entry_id} is not an elementwise one-input entry; sweepable: "
            + ", ".join(sweepable()))
    dtype = canonical(dtype)
    if backend not in ("torch", "numpy"):
        raise InvalidInputError(f"unknown backend {backend!r}; use torch or numpy")
    if backend == "numpy" and dtype == "bfloat16" and impl is None:
        raise NotSupportedError("the catalog's NumPy forms have no bfloat16 (NumPy has no such "
                                "dtype); use --backend torch")
    if not 8 <= shard_bits <= 30:
        raise InvalidInputError(f"--shard-bits must be in 8..30, not {shard_bits}")
    if not 8 <= sample_bits <= 40:
        raise InvalidInputError(f"--sample-bits must be in 8..40, not {sample_bits}")
    check_device(device, backend)
    if backend == "numpy" and dtype == "bfloat16":
        from mathcheck.sweep._kernel import numpy_dtype

        numpy_dtype(dtype)  # ml_dtypes missing: one line now
    spec = SweepSpec(entry_id, dtype, backend, impl, shard_bits, sample_bits, paths=paths,
                     device=device)
    resolved(spec)  # an unimportable --impl is a usage error now, not in a worker
    return spec


def check_device(device: str, backend: str) -> None:
    """cpu, or cuda with torch and a visible GPU: anything else is one line (exit 2)."""
    if device == "cpu":
        return
    if device != "cuda":
        raise InvalidInputError(f"unknown device {device!r}; use cpu or cuda")
    if backend != "torch":
        raise NotSupportedError("--device cuda runs the torch backend only")
    import torch

    if not torch.cuda.is_available():
        raise NotSupportedError("--device cuda: no CUDA device is visible to torch here")


@functools.lru_cache(maxsize=16)
def resolved(spec: SweepSpec) -> tuple[Entry, Callable[..., Any], dict[str, float]]:
    """(the entry, the callable under test, the keyword parameters it is given)."""
    for p in reversed(spec.paths):
        if p not in sys.path:
            sys.path.insert(0, p)
    entry = get(spec.entry_id)
    params = dict(entry.domain.params) if entry.domain is not None else {}
    if spec.impl is not None:
        from mathcheck.regress import load_callable

        return entry, load_callable(spec.impl), {}  # a user's function has its own values
    form = resolve(entry.torch if spec.backend == "torch" else entry.numpy)
    return entry, form, params


#: Sweep modules a shard's content does not depend on (the reference is keyed by its code).
NOT_IN_SHARDS = ("_reference", "_table", "_library", "_report")


def _code_of(fn: Any, seen: set[str] | None = None) -> str:
    """The source of `fn` and of the functions of its own module it calls, transitively."""
    seen = set() if seen is None else seen
    code = getattr(fn, "__code__", None)
    parts = [_source(fn)]
    for name in (code.co_names if code else ()):
        helper = getattr(fn, "__globals__", {}).get(name)
        if (callable(helper) and getattr(helper, "__module__", None) == fn.__module__
                and name not in seen):
            seen.add(name)
            parts.append(_code_of(helper, seen))
    return "\n".join(parts)


def _source(fn: Any) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "machine": platform.machine()}
    for name in ("mathcheck", "numpy", "scipy", "mpmath", "sympy", "torch", "ml_dtypes"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import torch

        found["torch_cpu"] = str(torch.backends.cpu.get_cpu_capability())
    except Exception:  # no torch: the NumPy backend still sweeps
        pass
    return found


def key(spec: SweepSpec) -> str:
    """The results folder's name: the spec, the code under test and the reference, the sweep's
    own source and the library versions. Any change starts a fresh sweep."""
    entry, fn, _ = resolved(spec)
    digest = hashlib.sha256()
    spec_fields = {k: v for k, v in asdict(spec).items() if k != "paths"}
    digest.update(repr(sorted(spec_fields.items())).encode())
    digest.update(_source(fn).encode())
    digest.update(_source(resolve(entry.symbolic)).encode())
    from mathcheck.sweep._reference import BOUND, reference_for

    reference = reference_for(spec.entry_id)
    if reference is not None:  # its code, not the whole module: a new reference keeps keys
        digest.update(_code_of(reference).encode())
        digest.update(repr(BOUND.get(spec.entry_id)).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem not in NOT_IN_SHARDS:
            digest.update(path.read_bytes())
    digest.update(repr(sorted(versions().items())).encode())
    stem = spec.entry_id.replace(".", "_") + "-" + spec.dtype
    return f"{stem}-{digest.hexdigest()[:16]}"
