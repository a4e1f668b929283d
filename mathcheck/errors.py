"""Errors users see. Each maps to one line of output and a distinct exit code.

Follows latexify's split: `NotSupportedError` means "valid, but not supported (yet)",
`InvalidInputError` means "the input itself is wrong". Neither should ever reach the user as a
traceback: the CLI catches `MathcheckError` and prints `str(error)`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# The exit codes of every command (README, "Exit codes"; tests/cli/test_exit_codes.py).
EXIT_OK = 0  # every check passed
EXIT_FAILED = 1  # a check failed, or nothing could be checked
EXIT_USAGE = 2  # bad usage or input, found before any work: id, dtype, device, path, value
EXIT_TARGET = 3  # the code under test crashed, exited or ran past its time budget
EXIT_INTERNAL = 4  # a bug in mathcheck itself (one line; --debug shows the traceback)
EXIT_INTERRUPTED = 130  # Ctrl-C; the reports written so far are marked incomplete
EXIT_PIPE_CLOSED = 141  # the reader of stdout went away (`| head`): 128 + SIGPIPE, as a shell


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
    swallow it and keep running (or shrinking) a hung implementation. Each `time_limit`
    raises a subclass of its own whose `message` says which budget ran out.
    """

    message = "ran past its time budget"

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message
