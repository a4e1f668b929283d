"""Replayed verdicts: a catalog check none of whose inputs changed returns its recorded result.

A result is a function of the check, the run options, mathcheck's code, the libraries and the
machine; the determinism tests hold the engine to that (same seed ⇒ same records, whatever
the imports, the working folder, the machine's speed, `-j`). So `mathcheck verify` keeps each
finished result under a key hashing all of those, and a warm run replays it instead of
recomputing it, as a build system replays a test whose inputs are unchanged. The key holds:

* the check (entry, claim, backend, dtype, device) and every RunOptions field;
* the source of every mathcheck module, and the code of the forms and check functions the
  task resolves *now* (so a form patched in memory is a different key);
* the versions of Python, NumPy, SciPy, SymPy, mpmath, Torch, Hypothesis and ml_dtypes;
* the machine: architecture, Torch's CPU kernel level, the CPU's feature flags, and for CUDA
  checks the CUDA version and the GPU's name.

Only successes and skips are kept: a failure always runs again. Overrides (regression
targets, planted bugs, mutants) are never replayed. Replayed records say so
(`extra.replayed`); `--no-cache` (or `MATHCHECK_NO_CACHE=1`, or `MATHCHECK_NO_REPLAY=1`,
which the test suite sets) runs everything. Files: one JSON-lines file per fingerprint under
the user cache folder, appended by the parent process only; a torn line is skipped.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import platform
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from mathcheck._paths import cache_root
from mathcheck.crosscheck._results import Result, RunOptions

KEPT = ("passed", "proven", "confirmed", "skipped")
#: Fingerprint files kept (the newest); older ones belong to code or libraries since replaced.
FILES_KEPT = 8
_LIBRARIES = ("numpy", "scipy", "sympy", "mpmath", "torch", "hypothesis", "ml_dtypes")


def enabled() -> bool:
    return all(os.environ.get(v, "") in ("", "0") for v in ("MATHCHECK_NO_CACHE",
                                                             "MATHCHECK_NO_REPLAY"))


@cache
def _package_digest() -> str:
    """Every .py file of the installed mathcheck package, by relative path and content."""
    root = Path(__file__).resolve().parents[1]
    hasher = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        hasher.update(str(path.relative_to(root)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


@cache
def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith(("flags", "Features")):
                    return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return platform.processor()


@cache
def fingerprint() -> str:
    """What every replayed result depends on beyond its own task: code, libraries, machine."""
    import torch

    from mathcheck.numeric.cache import package_version

    parts = (
        _package_digest(),
        sys.version,
        *(f"{name}={package_version(name)}" for name in _LIBRARIES),
        platform.machine(),
        platform.system(),
        torch.backends.cpu.get_cpu_capability(),
        _cpu_flags(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _code_digest(fn: Any) -> str:
    """The compiled code of a callable (and what a partial binds), else its qualified name."""
    func = getattr(fn, "func", None)
    if func is not None and hasattr(fn, "args"):  # functools.partial
        return _code_digest(func) + repr((fn.args, sorted(fn.keywords.items())))
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    if code is None:
        return f"{type(fn).__module__}.{type(fn).__qualname__}"
    return hashlib.sha256(marshal.dumps(code)).hexdigest()


def _cuda(device: str) -> str:
    if device != "cuda":
        return ""
    import torch

    if not torch.cuda.is_available():
        return "no-cuda"
    return f"{torch.version.cuda}|{torch.cuda.get_device_name()}"


def task_key(task: Any, options: RunOptions, resolved: Iterable[Any]) -> str:
    """The key of one catalog task; `resolved`: the callables it would run, as resolved now."""
    parts = (
        fingerprint(),
        repr(sorted(vars(options).items())),
        task.entry.id,
        task.claim.kind,
        task.claim.label,
        task.backend,
        task.dtype,
        task.device,
        _cuda(task.device),
        tuple(_code_digest(fn) for fn in resolved),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class Replay:
    """The recorded results of this fingerprint: `get` a key, `keep` a finished result."""

    def __init__(self, folder: str | None = None):
        self.folder = Path(folder or os.path.join(cache_root(), "verdicts"))
        self.path = self.folder / f"{fingerprint()[:32]}.jsonl"
        self._known: dict[str, dict[str, Any]] = {}
        self.replayed = 0
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
            self._pruned = True  # the folder was pruned when this file was created
        except (OSError, UnicodeDecodeError):
            lines, self._pruned = [], False
        for line in lines:
            try:
                record = json.loads(line)
                self._known[record["key"]] = record["result"]
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a killed run

    def get(self, key: str) -> Result | None:
        stored = self._known.get(key)
        if stored is None:
            return None
        try:
            result = Result(**{**stored, "extra": {**stored.get("extra", {}), "replayed": True}})
        except TypeError:  # written by another Result layout
            return None
        self.replayed += 1
        return result

    def keep(self, key: str, result: Result) -> None:
        """Append a success or skip; a cache that cannot be written is no error."""
        if result.status not in KEPT or key in self._known or result.extra.get("timed_out"):
            return
        stored = {f: getattr(result, f) for f in Result.__dataclass_fields__}
        try:
            line = json.dumps({"key": key, "result": stored}, allow_nan=True) + "\n"
        except (TypeError, ValueError):  # a value JSON cannot hold: not replayable
            return
        self._known[key] = stored
        try:
            if not self._pruned:  # this fingerprint's file is new: once per run
                self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as file:
                file.write(line)
            if not self._pruned:
                self._prune()
                self._pruned = True
        except OSError:
            pass

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[FILES_KEPT:]:
            stale.unlink(missing_ok=True)
