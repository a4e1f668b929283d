"""Where mathcheck keeps its files: a user cache folder, never the working directory.

`MATHCHECK_CACHE_DIR` moves all of it (Hypothesis's files and the form cache); otherwise
`$XDG_CACHE_HOME/mathcheck`, else `~/.cache/mathcheck`. Standard library only: the CLI
imports this before anything heavy.
"""

from __future__ import annotations

import os


def cache_root() -> str:
    explicit = os.environ.get("MATHCHECK_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mathcheck")


def hypothesis_cache() -> str:
    """Where Hypothesis may keep its files for mathcheck runs (its default is ./.hypothesis)."""
    return os.path.join(cache_root(), "hypothesis")


def forms_cache() -> str:
    """Where built SymPy forms and completed proofs are cached (`mathcheck.crosscheck._cache`)."""
    return os.path.join(cache_root(), "forms")
