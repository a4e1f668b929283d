"""Adapters that fit an implementation to an entry's canonical signature (public re-export)."""

from mathcheck.regress._adapters import Adapter, accepts, module, positional, rename, with_kwargs

__all__ = ["Adapter", "accepts", "module", "positional", "rename", "with_kwargs"]
