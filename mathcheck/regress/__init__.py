"""Regression-testing other implementations against the catalog (see README.md here)."""

from mathcheck.regress import _adapters
from mathcheck.regress._adapters import (
    Adapter,
    AdapterError,
    accepts,
    cast_output,
    chain,
    drop,
    from_spec,
    layout,
    module,
    per_row,
    positional,
    rename,
    shared,
    with_kwargs,
)
from mathcheck.regress._api import BROKE, CheckResult, assert_matches, check
from mathcheck.regress._findings import Finding
from mathcheck.regress._optimizers import check_optimizer
from mathcheck.regress._schedules import check_schedule
from mathcheck.regress._targets import (
    Target,
    from_pyproject,
    load_callable,
    parse_cli_target,
    parse_kwargs,
    parse_state,
)

#: The adapter vocabulary, re-exported by `mathcheck.adapters`.
ADAPTERS: tuple[str, ...] = tuple(_adapters.__all__)

__all__ = [
    "ADAPTERS",
    "BROKE",
    "Adapter",
    "AdapterError",
    "CheckResult",
    "Finding",
    "Target",
    "accepts",
    "assert_matches",
    "cast_output",
    "chain",
    "check",
    "check_optimizer",
    "check_schedule",
    "drop",
    "from_pyproject",
    "from_spec",
    "layout",
    "load_callable",
    "module",
    "parse_cli_target",
    "parse_kwargs",
    "parse_state",
    "per_row",
    "positional",
    "rename",
    "shared",
    "with_kwargs",
]
