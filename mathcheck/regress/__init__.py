"""Regression-testing other implementations against the catalog (see README.md here)."""

from mathcheck.regress._adapters import accepts, module, positional, rename, with_kwargs
from mathcheck.regress._api import CheckResult, assert_matches, check
from mathcheck.regress._targets import Target, from_pyproject, load_callable

__all__ = [
    "CheckResult",
    "Target",
    "accepts",
    "assert_matches",
    "check",
    "from_pyproject",
    "load_callable",
    "module",
    "positional",
    "rename",
    "with_kwargs",
]
