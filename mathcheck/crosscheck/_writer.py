"""The one writer of report files, shared by `verify` and `regress`: strict JSON and JUnit XML.

* `check_writable(path, option)` — call before any work starts: a report path that cannot be
  written is bad usage (`InvalidInputError`, one line), found in a millisecond, not after the run.
* `json_safe(value)` — the recursive sanitizer: non-finite floats (Python, NumPy, Torch scalars
  and arrays) become the strings "nan", "inf", "-inf"; anything else JSON cannot hold becomes a
  string. `write_json` always dumps with `allow_nan=False`, so a report is strict JSON.
* `write_json(path, document, incomplete=...)` and `write_junit(path, suites, incomplete=...)` —
  an OSError while writing is an `InvalidInputError`, never a traceback; `incomplete` (a reason,
  e.g. "interrupted") marks a partial report.

The JUnit output follows the Jenkins/Surefire schema: a root <testsuites name tests failures
errors time> of <testsuite name tests failures errors skipped time>, each holding <properties>,
<testcase classname name time> (children: <skipped message>, <error message type>, <failure
message type>, <system-out>) and, for an incomplete report, <system-err>. Every attribute value
and text is stripped of characters XML 1.0 does not allow (control characters, ANSI escapes,
lone surrogates).

Imports nothing heavy: `mathcheck list` must stay free of NumPy, SymPy and Torch.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import math
import numbers
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from mathcheck.errors import InvalidInputError

__all__ = [
    "Case",
    "check_report_paths",
    "check_writable",
    "json_safe",
    "write_json",
    "write_junit",
    "xml_safe",
]

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------- paths


def _fail(option: str, path: PathLike, exc: OSError | str) -> InvalidInputError:
    reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return InvalidInputError(
        f"cannot write {option} report to {os.fspath(path)}: {reason}".replace("\n", " ")
    )


def check_writable(path: PathLike, option: str = "--json") -> None:
    """Raise `InvalidInputError` unless a report can be written at `path`.

    Fails when the parent folder does not exist, when `path` is a folder, or when it cannot be
    opened for writing. An existing file is opened in append mode (never truncated); a file this
    check had to create is removed again.
    """
    text = os.fspath(path)
    if not text:
        raise _fail(option, path, "empty path")
    if os.path.isdir(text):
        raise _fail(option, path, os.strerror(errno.EISDIR))  # also where open() would succeed
    existed = os.path.lexists(text)
    # O_NONBLOCK: a FIFO without a reader fails at once instead of blocking the run.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(text, flags, 0o666)
    except OSError as exc:
        raise _fail(option, path, exc) from None
    os.close(fd)
    if not existed:
        try:
            os.remove(text)
        except OSError:
            pass


def check_report_paths(json_path: PathLike | None, junit_path: PathLike | None) -> None:
    """`check_writable` for `--json` and `--junit` (either may be None), and not the same file."""
    if json_path:
        check_writable(json_path, "--json")
    if junit_path:
        check_writable(junit_path, "--junit")
    if json_path and junit_path:
        same = os.path.abspath(os.fspath(json_path)) == os.path.abspath(os.fspath(junit_path))
        if same:
            raise _fail("--junit", junit_path, "it is also the --json report")


def _write(path: PathLike, data: bytes, option: str) -> None:
    """Write the whole, already serialized report; an OSError becomes `InvalidInputError`."""
    try:
        with open(os.fspath(path), "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise _fail(option, path, exc) from None


# --------------------------------------------------------------------------- JSON


def _nonfinite(value: float) -> str:
    return "nan" if value != value else ("inf" if value > 0 else "-inf")


def _float(value: float) -> float | str:
    return value if math.isfinite(value) else _nonfinite(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    if isinstance(key, float):
        return repr(key) if math.isfinite(key) else _nonfinite(key)
    if isinstance(key, int):
        return str(int(key))
    safe = json_safe(key)
    return safe if isinstance(safe, str) else json.dumps(safe, allow_nan=False)


def json_safe(value: Any) -> Any:
    """`value` as plain JSON data: dicts with str keys, lists, str, int, finite float, bool,
    None. Non-finite floats become "nan", "inf" or "-inf" (wherever they are: Python floats,
    NumPy scalars and arrays, Torch tensors — via `.tolist()`, without importing either);
    other numbers (Fraction, Decimal, mpmath.mpf) floats, complex numbers strings; tuples and
    sets become lists, dataclasses dicts, bytes text, non-string dict keys strings, a
    reference cycle "<cycle>"; anything else `str(value)`."""
    return _safe(value, set())


def _safe(value: Any, active: set[int]) -> Any:
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, str):  # NumPy's str_, str enums
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    container = isinstance(value, (Mapping, list, tuple, set, frozenset)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )
    if container:
        if id(value) in active:
            return "<cycle>"
        active.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {_key(k): _safe(v, active) for k, v in value.items()}
            if isinstance(value, (set, frozenset)):
                items = [_safe(v, active) for v in value]
                try:
                    return sorted(items)
                except TypeError:
                    return sorted(items, key=repr)
            if isinstance(value, (list, tuple)):
                return [_safe(v, active) for v in value]
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            return _safe(fields, active)
        finally:
            active.discard(id(value))
    tolist = getattr(value, "tolist", None)  # NumPy scalars and arrays, Torch tensors
    if callable(tolist):
        try:
            plain = tolist()
        except Exception:
            plain = value
        if plain is not value and not _same_kind(plain, value):
            return _safe(plain, active)
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, (numbers.Real, Decimal)) or hasattr(type(value), "__float__"):
        try:  # Fraction, Decimal, mpmath.mpf, ...
            return _float(float(value))
        except (TypeError, ValueError, OverflowError):
            pass
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def _same_kind(plain: Any, value: Any) -> bool:
    """A `tolist()` that returns an object of the same type would recurse forever."""
    return type(plain) is type(value)


def _with_completeness(document: Mapping[str, Any], incomplete: str | None) -> dict[str, Any]:
    """`document` with "complete" and "incomplete_reason" right after "schema"."""
    out: dict[str, Any] = {}
    marked = False
    for key, value in document.items():
        if key in ("complete", "incomplete_reason"):
            continue
        out[key] = value
        if key == "schema":
            out["complete"] = incomplete is None
            out["incomplete_reason"] = incomplete
            marked = True
    if not marked:
        out = {"complete": incomplete is None, "incomplete_reason": incomplete, **out}
    return out


def dumps_json(document: Mapping[str, Any], incomplete: str | None = None) -> str:
    """The report as strict JSON text (what `write_json` writes)."""
    safe = json_safe(_with_completeness(document, incomplete))
    return json.dumps(safe, indent=2, allow_nan=False) + "\n"


def write_json(
    path: PathLike,
    document: Mapping[str, Any],
    *,
    incomplete: str | None = None,
    option: str = "--json",
) -> None:
    """Write `document` as strict JSON, with `"complete": incomplete is None` and
    `"incomplete_reason": incomplete` after its "schema". Never writes NaN or Infinity."""
    _write(path, dumps_json(document, incomplete).encode("utf-8"), option)


# --------------------------------------------------------------------------- JUnit XML

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
# Everything outside XML 1.0's Char production (tab, newline and CR are allowed), and the
# DEL and C1 control characters, which XML 1.0 allows but discourages (XML 1.1 forbids raw).
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: Any) -> str:
    """`text` as a string XML 1.0 can hold: ANSI escape sequences and every character XML does
    not allow (NUL and other control characters, lone surrogates, U+FFFE/U+FFFF) removed, and
    DEL and the C1 controls (U+007F-U+009F) too."""
    return _NOT_XML.sub("", _ANSI.sub("", str(text)))


def _message(text: str, limit: int = 500) -> str:
    """A one-line attribute value: the start of the text, whitespace runs collapsed."""
    line = " ".join(xml_safe(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _seconds(value: Any) -> str:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0.0
    return f"{seconds if math.isfinite(seconds) and seconds > 0 else 0.0:.3f}"


Outcome = Literal["passed", "failure", "error", "skipped"]


@dataclass(frozen=True)
class Case:
    """One <testcase>. `outcome` picks its child: <failure>, <error>, <skipped> or none;
    `message` is that child's one-line message attribute (truncated), `text` its body,
    `type` the failure/error type; `stdout` goes into <system-out>."""

    classname: str
    name: str
    time: float = 0.0
    outcome: Outcome = "passed"
    message: str = ""
    type: str = ""
    text: str = ""
    stdout: str = ""


def _element(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: Any):
    clean = {k: xml_safe(v) for k, v in attrs.items()}
    node = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text:
        node.text = xml_safe(text)
    return node


def junit_tree(
    suites: Mapping[str, Sequence[Case]], *, name: str = "mathcheck", incomplete: str | None = None
) -> ET.Element:
    """The <testsuites> element for `suites` (suite name -> cases). With no suite at all, one
    empty <testsuite name=name> is written, so that an incomplete marker always has a home."""
    if not suites:
        suites = {name: ()}
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    root = _element(None, "testsuites", name=name)
    for suite_name, cases in suites.items():
        counts = {o: sum(c.outcome == o for c in cases) for o in ("failure", "error", "skipped")}
        seconds = sum(float(_seconds(c.time)) for c in cases)
        suite = _element(
            root,
            "testsuite",
            name=suite_name,
            tests=len(cases),
            failures=counts["failure"],
            errors=counts["error"],
            skipped=counts["skipped"],
            time=_seconds(seconds),
        )
        properties = _element(suite, "properties")
        _element(properties, "property", name="complete", value=str(incomplete is None).lower())
        if incomplete is not None:
            _element(properties, "property", name="incomplete_reason", value=incomplete)
        for case in cases:
            node = _element(
                suite,
                "testcase",
                classname=case.classname,
                name=case.name,
                time=_seconds(case.time),
            )
            if case.outcome in ("failure", "error"):
                _element(
                    node,
                    case.outcome,
                    case.text or case.message,
                    message=_message(case.message or case.text),
                    type=case.type or case.outcome,
                )
            elif case.outcome == "skipped":
                _element(node, "skipped", case.text, message=_message(case.message))
            if case.stdout:
                _element(node, "system-out", case.stdout)
        if incomplete is not None:
            _element(suite, "system-err", f"mathcheck: report incomplete: {incomplete}")
        totals["tests"] += len(cases)
        totals["failures"] += counts["failure"]
        totals["errors"] += counts["error"]
        totals["time"] += seconds
    for key in ("tests", "failures", "errors"):
        root.set(key, str(totals[key]))
    root.set("time", _seconds(totals["time"]))
    return root


def dumps_junit(
    suites: Mapping[str, Sequence[Case]], *, name: str = "mathcheck", incomplete: str | None = None
) -> bytes:
    """The JUnit XML document (UTF-8, with declaration) that `write_junit` writes."""
    root = junit_tree(suites, name=name, incomplete=incomplete)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(
    path: PathLike,
    suites: Mapping[str, Sequence[Case]],
    *,
    name: str = "mathcheck",
    incomplete: str | None = None,
    option: str = "--junit",
) -> None:
    """Write `suites` (suite name -> cases) as Jenkins/Surefire JUnit XML."""
    _write(path, dumps_junit(suites, name=name, incomplete=incomplete), option)
