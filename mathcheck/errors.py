"""Errors users see. Each maps to one line of output and a distinct exit code.

Follows latexify's split: `NotSupportedError` means "valid, but not supported (yet)",
`InvalidInputError` means "the input itself is wrong". Neither should ever reach the user as a
traceback: the CLI catches `MathcheckError` and prints `str(error)`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

EXIT_OK = 0
EXIT_FAILED = 1  # a check failed
EXIT_USAGE = 2  # bad usage: unknown id, bad option, unimportable target
EXIT_TARGET = 3  # the user's implementation could not be run (raised, hung, wrong shape)


class MathcheckError(Exception):
    """Base class: a one-line message and an exit code."""

    exit_code = EXIT_USAGE


class InvalidInputError(MathcheckError, ValueError):
    """The request itself is wrong (unknown id, bad dtype name, malformed target)."""


class UnknownFormulaError(InvalidInputError, KeyError):
    """An id that is not in the catalog; the message names the closest ids."""

    def __init__(self, formula_id: str, known: Iterable[str]) -> None:
        known = list(known)
        close = difflib.get_close_matches(formula_id, known, n=3, cutoff=0.5)
        if not close:
            prefix = formula_id.split(".")[0] + "."
            close = [k for k in known if k.startswith(prefix)][:3]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown formula id {formula_id!r}{hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class NotSupportedError(MathcheckError, NotImplementedError):
    """Valid request that mathcheck does not support (yet), e.g. bfloat16 in NumPy."""


class TargetError(MathcheckError):
    """A user's implementation could not be imported or run."""

    exit_code = EXIT_TARGET


class CheckTimeout(BaseException):
    """Raised inside a check that ran past its time budget.

    A BaseException, so that neither Hypothesis nor a check's own `except Exception` can
    swallow it and keep running (or shrinking) a hung implementation.
    """
