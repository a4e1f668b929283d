"""Adapters that fit an implementation to an entry's canonical signature (public re-export;
the docstring of `mathcheck.regress._adapters` has the examples)."""

from mathcheck.regress import _adapters
from mathcheck.regress._adapters import *  # noqa: F403  (exactly _adapters.__all__)

__all__ = list(_adapters.__all__)
