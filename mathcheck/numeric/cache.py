"""An on-disk cache for deterministic, expensive artefacts: lambdify's generated source text
(printing a large SymPy form is most of the cold cost of an oracle) and completed proofs.

Where: `mathcheck._paths.forms_cache()` (the user cache folder, `MATHCHECK_CACHE_DIR` moves
it), never the working directory. Off with `MATHCHECK_NO_CACHE=1` (`verify --no-cache`).
Keys hash what the artefact is a function of: the expression itself (`srepr`), the options,
and the versions of mathcheck, SymPy, mpmath and Python, so that a cached value is the one
recomputing would give. Writes are atomic (a temporary file, then `os.replace`), so any
number of parallel workers may share the folder; an entry that cannot be read (truncated,
corrupt, another version's) is ignored and rewritten. Values are pickles read only from
this folder, which only mathcheck writes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import sys
import tempfile
from functools import cache
from typing import Any

from mathcheck._paths import forms_cache


def enabled() -> bool:
    return os.environ.get("MATHCHECK_NO_CACHE", "") in ("", "0")


def package_version(name: str) -> str:
    """The installed distribution's version, or "?" when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


@cache
def _versions() -> str:
    return "|".join((*(package_version(n) for n in ("mathcheck", "sympy", "mpmath")),
                     platform.python_version(), sys.implementation.name))


@cache
def source_digest(*modules: str) -> str:
    """A hash of the source files of `modules`: what computes an artefact is part of its key,
    so that editing that code (without a version bump) never serves a stale value."""
    import importlib.util

    hasher = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        if origin and os.path.isfile(origin):
            with open(origin, "rb") as file:
                hasher.update(file.read())
        else:
            hasher.update(name.encode())
    return hasher.hexdigest()


def digest(kind: str, *parts: Any) -> str:
    """A stable key: `parts` must have a deterministic repr (strings, numbers, tuples)."""
    text = repr((kind, _versions(), parts))
    return hashlib.sha256(text.encode()).hexdigest()


def _path(kind: str, key: str) -> str:
    return os.path.join(forms_cache(), kind, key[:2], key + ".pickle")


def load(kind: str, key: str) -> Any | None:
    """The cached value, or None (absent, disabled, or unreadable: then it is rewritten)."""
    if not enabled():
        return None
    try:
        with open(_path(kind, key), "rb") as file:
            stored_key, value = pickle.load(file)
    except Exception:  # absent, truncated, corrupt, or written by another version
        return None
    return value if stored_key == key else None


def store(kind: str, key: str, value: Any) -> None:
    """Write atomically; a cache that cannot be written is no error (the run goes on)."""
    if not enabled():
        return
    path = _path(kind, key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump((key, value), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
