"""Adapters that fit an implementation to an entry's canonical signature: the names of
`mathcheck.regress` listed in `ADAPTERS`, re-exported (the docstring of
`mathcheck.regress._adapters` has the examples)."""

from mathcheck._lazy import exports
from mathcheck.regress import ADAPTERS

__all__ = list(ADAPTERS)
__getattr__, __dir__ = exports(__name__, {name: f"mathcheck.regress:{name}" for name in ADAPTERS})
