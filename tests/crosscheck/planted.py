"""Helpers shared by the planted-bug tests: run one kind of claim of an entry, read statuses.

The options are small on purpose: a planted bug fails at once (Hypothesis then spends its time
shrinking the counterexample), and the catalog's own form passes the same claim with them.
A file that needs other options says so where it runs: `run(entry, QUICK)`, or
`dataclasses.replace(FAST, ...)`.
"""

from __future__ import annotations

import dataclasses
import warnings

from mathcheck.crosscheck import Result, RunOptions, verify_entry
from mathcheck.formulas import Entry, get

#: Ten examples, fp64 and fp32, on the CPU: the default of `run`.
FAST = RunOptions(examples=10, devices=("cpu",), dtypes=("float64", "float32"))
#: FAST with five examples, where the oracle is slow (attention, LLM, 50-digit adjugates).
QUICK = dataclasses.replace(FAST, examples=5)
#: FAST in fp32 alone: a rejected case is shrunk, and shrinking re-runs the oracle.
FP32 = dataclasses.replace(FAST, dtypes=("float32",))
NUMPY = dataclasses.replace(FAST, backends=("numpy",))
TORCH = dataclasses.replace(FAST, backends=("torch",))


def run(entry: Entry, options: RunOptions = FAST, **overrides) -> list[Result]:
    """`verify_entry`, with the RuntimeWarnings of the planted bugs (overflow, NaN) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return verify_entry(entry, options, **overrides)


def only(entry_id: str, kind: str, label: str | None = None) -> Entry:
    """The entry with just its claims of `kind` (and `label`, when given); there must be one.

    Kinks are planned from `Entry.kinks`, so they are kept only for kind "kink".
    """
    entry = get(entry_id)
    claims = tuple(c for c in entry.checked_claims()
                   if c.kind == kind and (label is None or c.label == label))
    assert claims, f"{entry_id} has no {kind} claim {label or ''}"
    if kind == "kink":
        return dataclasses.replace(entry, claims=())
    return dataclasses.replace(entry, claims=claims, kinks=())


def statuses(results) -> set[str]:
    """The statuses of the checks that ran (skips, e.g. NumPy bfloat16, left out)."""
    return {r.status for r in results if r.status != "skipped"}


def failed_everywhere(results) -> bool:
    """Some checks ran, and every one of them failed."""
    return bool(results) and {r.status for r in results} == {"failed"}
