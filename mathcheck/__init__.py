"""mathcheck: the mathematics of modern ML, verified.

The public API is re-exported here and loaded lazily (so `import mathcheck` stays cheap):
`check`, `assert_matches`, `check_optimizer`, `check_schedule` (regression-test an
implementation), `verify` (run the catalog),
`get`, `all_entries`, `sections` (browse it).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "check": "mathcheck.regress",
    "assert_matches": "mathcheck.regress",
    "CheckResult": "mathcheck.regress",
    "check_optimizer": "mathcheck.regress",
    "check_schedule": "mathcheck.regress",
    "get": "mathcheck.formulas",
    "all_entries": "mathcheck.formulas",
    "sections": "mathcheck.formulas",
    "verify_entry": "mathcheck.crosscheck",
    "verify_entries": "mathcheck.crosscheck",
    "RunOptions": "mathcheck.crosscheck",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mathcheck' has no attribute {name!r}")
