"""Targets: `module:callable` → formula id, from the command line or `[tool.mathcheck]`.

A target names a function or a class: a class (an `nn.Module` such as `torch.nn.RMSNorm`, or
the user's own) is built per input shape by the `module` adapter, from `init` (constructor
arguments, "$n" the input's last axis) with `state` mapping its weights to canonical inputs.

Nothing a user writes is evaluated: callables are imported by name, keyword arguments on the
command line are parsed as Python *literals* (`ast.literal_eval`), and pyproject values are TOML,
checked key by key against `SCHEMA`. Every problem is an `InvalidInputError` of one line that
names its key path (`pyproject.toml: tool.mathcheck.targets[2].dtypes: expected ...`).
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import math
import reprlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathcheck.errors import InvalidInputError
from mathcheck.numeric import FORMATS, canonical
from mathcheck.regress._adapters import Adapter, chain, from_spec, module, positional, with_kwargs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ADAPTERS = ("function", "kwargs", "module", "positional")
BACKENDS = ("numpy", "torch")
DEVICES = ("cpu", "cuda")
MAX_KWARG_CHARS = 10_000  # a --kwargs value longer than this is refused, not parsed
MAX_PYPROJECT_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Target:
    """One implementation to check, and how to call it."""

    target: str  # "package.module:callable" (a function or a class)
    formula: str
    adapter: str = "function"
    kwargs: dict[str, Any] = field(default_factory=dict)  # for "kwargs" (and extra call args)
    init: dict[str, Any] = field(default_factory=dict)  # for "module": constructor arguments
    args: tuple[str, ...] = ()  # for "positional": canonical names in call order
    backend: str = "torch"
    dtypes: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    allow_variants: tuple[str, ...] = ()
    state: dict[str, str] = field(default_factory=dict)  # module attribute -> canonical input
    params: dict[str, float] = field(default_factory=dict)  # the implementation's values
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # narrowed size ranges
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # narrowed ranges
    adapters: tuple[dict[str, Any], ...] = ()  # `from_spec` tables, outermost first

    def load(self) -> Callable[..., Any]:
        return load_callable(self.target)

    def check_options(self) -> dict[str, Any]:
        """What `check` takes from the target itself (only what it sets)."""
        options: dict[str, Any] = {"backend": self.backend}
        for key in ("dtypes", "devices", "params", "sizes", "ranges"):
            if value := getattr(self, key):
                options[key] = value
        return options

    def make_adapter(self, impl: Any = None) -> Adapter | None:
        """The adapter chain: `adapters` (outermost), `kwargs`, then how `impl` is called.

        A class is built per input shape (`module`) unless `adapter` or `adapters` says
        otherwise; `init` and `state` belong to that construction only.
        """
        steps: list[Adapter] = []
        if self.adapters:
            steps.append(from_spec(list(self.adapters), f"target {self.target}: adapters"))
        spec_calls = bool(steps) and steps[0].steps[-1].bind is not None
        if self.kwargs:
            steps.append(with_kwargs(**self.kwargs))
        built = self.adapter == "module" or (
            self.adapter == "function" and inspect.isclass(impl) and not spec_calls
        )
        if (self.init or self.state) and not built:
            what = "a class" if inspect.isclass(impl) else f"a {type(impl).__name__}"
            raise InvalidInputError(
                f"target {self.target}: init and state build a class per input shape "
                f"(adapter module), but it is {what} called with adapter {self.adapter!r}"
            )
        if built:
            steps.append(module(state=self.state, **self.init))
        elif self.adapter == "positional":
            steps.append(positional(*self.args))
        elif self.adapter not in ("function", "kwargs"):
            raise InvalidInputError(
                f"unknown adapter {self.adapter!r}; use one of {', '.join(ADAPTERS)}"
            )
        if not steps:
            return None
        try:
            return chain(*steps)
        except InvalidInputError as exc:
            raise InvalidInputError(f"target {self.target}: {exc}") from None


def load_callable(spec: str) -> Callable[..., Any]:
    """Import `module:attr.attr`; every way this can go wrong is one clear line."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise InvalidInputError(f"target {spec!r} is not of the form module:callable")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or anything the module raises on import
        raise InvalidInputError(
            f"cannot import {module_name!r} for target {spec!r}: {type(exc).__name__}: {exc}"
        ) from None
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise InvalidInputError(f"{module_name!r} has no attribute {attribute!r}") from None
    if not callable(obj):
        raise InvalidInputError(f"target {spec!r} is not callable (it is a {type(obj).__name__})")
    return obj


def parse_cli_target(text: str, kwargs: dict[str, Any], **options: Any) -> Target:
    """'pkg.mod:fn=act.softmax' → Target; `options` are the other command-line settings
    (backend, init, state)."""
    target, sep, formula = text.rpartition("=")
    if not sep:
        raise _invalid(f"target {_show(text)} must be module:callable=FORMULA_ID")
    return Target(target=target, formula=formula, kwargs=kwargs, **options)


def parse_kwargs(items: tuple[str, ...], option: str = "--kwargs") -> dict[str, Any]:
    """'dim=-1' 'eps=1e-6' → {'dim': -1, 'eps': 1e-06}; values are literals, or plain strings.

    Nothing is evaluated: `ast.literal_eval` only builds literals. What it cannot parse stays
    a string (`--kwargs mode=mean`, `--init dim=$n`); a value too long, too deeply nested or
    that cannot be built (`{[1]: 2}`, an int too large for a float) is invalid input naming
    the key (and `option`, the flag it came from).
    """
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise _invalid(f"keyword argument {_show(item)} must be name=value")
        where = f"{option} {key}"
        if len(value) > MAX_KWARG_CHARS:
            raise _invalid(f"{where}: value is {len(value)} characters; at most "
                           f"{MAX_KWARG_CHARS} are parsed")
        try:
            parsed[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):  # not a literal (UnicodeEncodeError is a ValueError)
            parsed[key] = value
        except (RecursionError, MemoryError):
            raise _invalid(f"{where}: value is nested too deeply to parse") from None
        except (TypeError, OverflowError) as exc:  # {[1]: 2}; 10**400 + 1j
            raise _invalid(f"{where}: {_show(value)} is not a valid literal ({exc})") from None
    return parsed


def parse_state(items: tuple[str, ...]) -> dict[str, str]:
    """'weight=gamma' → {'weight': 'gamma'}: a module attribute (dotted for a submodule's)
    takes the canonical input's values."""
    state: dict[str, str] = {}
    for item in items:
        attr, sep, arg = item.partition("=")
        try:
            state[_attribute(attr)] = _name(arg)
        except ValueError as exc:
            hint = "" if sep else " (write attribute=canonical_input, e.g. weight=gamma)"
            raise _invalid(f"--state {_show(item)}: {exc}{hint}") from None
    return state


def from_pyproject(path: Path | str) -> list[Target]:
    """The `[[tool.mathcheck.targets]]` of a pyproject.toml; every problem is one line."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_PYPROJECT_BYTES + 1)
    except FileNotFoundError:
        raise _invalid(f"no such file: {path}") from None
    except IsADirectoryError:
        raise _invalid(f"{path} is a directory, not a pyproject.toml") from None
    except PermissionError:
        raise _invalid(f"cannot read {path}: permission denied") from None
    except (OSError, ValueError) as exc:  # other OS errors; ValueError: a NUL in the path
        raise _invalid(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_PYPROJECT_BYTES:
        raise _invalid(f"{path} is larger than {MAX_PYPROJECT_BYTES} bytes")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # an editor's BOM is harmless
    except UnicodeDecodeError as exc:
        raise _invalid(f"{path} is not UTF-8 at byte {exc.start}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(f"{path} is not valid TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise _invalid(f"{path} is not valid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise _invalid(f"{path} is not valid TOML: {exc}") from None
    return targets_from_document(data, str(path))


def targets_from_document(data: Any, source: str = "pyproject.toml") -> list[Target]:
    """The targets of a parsed pyproject (a dict); `source` prefixes every message."""
    where = f"{source}: "
    tool = _table(data, "tool", where)
    table = _table(tool, "mathcheck", where + "tool.")
    items = table.get("targets", [])
    if not isinstance(items, list):
        raise _invalid(f"{where}tool.mathcheck.targets: expected an array of tables "
                       f"([[tool.mathcheck.targets]]), got {_describe(items)}")
    if not items:
        found = f" (tool.mathcheck has {_keys(table)})" if table else ""
        raise _invalid(f"{source} has no [[tool.mathcheck.targets]]{found}")
    return [target_from_table(item, f"{where}tool.mathcheck.targets[{i}]")
            for i, item in enumerate(items)]


def _table(parent: Any, key: str, where: str) -> dict[str, Any]:
    value = parent.get(key, {}) if isinstance(parent, dict) else parent
    if not isinstance(value, dict):
        raise _invalid(f"{where}{key}: expected a table, got {_describe(value)}")
    return value


# --- the schema of one [[tool.mathcheck.targets]] table -------------------------------------


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {_describe(value)}")
        return value

    return check


def _dtype(value: str) -> str:
    try:
        return canonical(value)
    except InvalidInputError:
        raise ValueError(f"unknown dtype {_show(value)}; use one of {', '.join(FORMATS)}") from None


def _spec(value: str) -> str:
    module_name, sep, attribute = value.partition(":")
    parts = [*module_name.split("."), *attribute.split(".")]
    if not sep or not all(p.isidentifier() for p in parts):
        raise ValueError(f"expected module:callable (pkg.mod:fn), got {_describe(value)}")
    return value


def _name(value: str) -> str:
    if not value.isidentifier():
        raise ValueError(f"{_show(value)} is not a Python identifier")
    return value


def _attribute(value: str) -> str:
    """A module's parameter or buffer: `weight`, or `norm.weight` in a submodule."""
    if not value or not all(part.isidentifier() for part in value.split(".")):
        raise ValueError(f"{_show(value)} is not an attribute name (weight, norm.weight)")
    return value


def _nonempty(value: str) -> str:
    if not value:
        raise ValueError("expected a non-empty string, got ''")
    return value


def _number(value: Any) -> float:
    """A finite TOML number (an integer or a float; not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {_describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return value


def _pair(value: Any, integers: bool) -> tuple[Any, Any]:
    """[lo, hi] with lo ≤ hi: integers ≥ 1 for sizes, numbers (±inf allowed) for ranges."""
    kind = "two integers ≥ 1" if integers else "two numbers"
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"expected [lo, hi], {kind}, got {_describe(value)}")
    for bound in value:
        bad = (isinstance(bound, bool) or not isinstance(bound, int) or bound < 1
               if integers else
               isinstance(bound, bool) or not isinstance(bound, (int, float))
               or (isinstance(bound, float) and math.isnan(bound)))
        if bad:
            raise ValueError(f"expected [lo, hi], {kind}, got {_describe(value)}")
    lo, hi = value
    if lo > hi:
        raise ValueError(f"expected [lo, hi] with lo ≤ hi, got {_show(value)}")
    return lo, hi


@dataclass(frozen=True)
class _Key:
    # "str": one string; "list": an array of strings; "table": string keys -> any;
    # "mapping": string keys -> `convert(value)`; "adapters": an array of adapter tables
    shape: str
    expected: str  # what the value should be, for messages
    item: str = ""  # what one string of a list (or one key of a table) should be
    check: Callable[[str], str] = _nonempty  # one string -> its canonical form, or ValueError
    convert: Callable[[Any], Any] | None = None  # one value of a "mapping", or ValueError


SCHEMA: dict[str, _Key] = {
    "target": _Key("str", "a string module:callable", check=_spec),
    "formula": _Key("str", "a formula id (a string)"),
    "adapter": _Key("str", f"one of {', '.join(ADAPTERS)}", check=_choice(*ADAPTERS)),
    "kwargs": _Key("table", "a table of keyword arguments (name = value)",
                    "argument names (strings)", _name),
    "init": _Key("table", "a table of constructor arguments (name = value)",
                  "argument names (strings)", _name),
    "args": _Key("list", "a list of argument names", "an argument name (a string)", _name),
    "backend": _Key("str", f"one of {', '.join(BACKENDS)}", check=_choice(*BACKENDS)),
    "dtypes": _Key("list", "a list of dtype names", "a dtype name (a string)", _dtype),
    "devices": _Key("list", f"a list of devices ({', '.join(DEVICES)})",
                    "a device name (a string)", _choice(*DEVICES)),
    "allow_variants": _Key("list", "a list of variant names", "a variant name (a string)"),
    "state": _Key("mapping", "a table of module attributes (weight = \"gamma\")",
                  "module attributes (strings)", _attribute,
                  lambda v: _name(v) if isinstance(v, str) else _string_expected(v)),
    "params": _Key("mapping", "a table of parameter values (eps = 1e-5)",
                   "parameter names (strings)", _name, _number),
    "sizes": _Key("mapping", "a table of size ranges (n = [1, 64])",
                  "size names (strings)", _name, lambda v: _pair(v, integers=True)),
    "ranges": _Key("mapping", "a table of ranges (x = [-5.0, 5.0])",
                   "argument or parameter names (strings)", _name,
                   lambda v: tuple(map(float, _pair(v, integers=False)))),
    "adapters": _Key("adapters", "an array of adapter tables ([{per_row = true}, ...])"),
}
REQUIRED = ("target", "formula")


def _string_expected(value: Any) -> str:
    raise ValueError(f"expected a canonical input name (a string), got {_describe(value)}")


def target_from_table(item: Any, where: str) -> Target:
    """Validate one target table key by key; the first problem is raised with its key path."""
    if not isinstance(item, dict):
        raise _invalid(f"{where}: expected a table, got {_describe(item)}")
    unknown = [k for k in item if k not in SCHEMA]
    if unknown:
        raise _invalid(f"{where}: unknown keys {_keys(unknown, suggest=True)}; "
                       f"known keys are {', '.join(SCHEMA)}")
    missing = [k for k in REQUIRED if k not in item]
    if missing:
        raise _invalid(f"{where}: missing {' and '.join(missing)}")
    values: dict[str, Any] = {}
    for key, value in item.items():
        spec, at = SCHEMA[key], f"{where}.{key}"
        if spec.shape == "str":
            values[key] = _string(spec, value, at, spec.expected)
            continue
        if spec.shape == "adapters":
            values[key] = _adapter_tables(value, at)
            continue
        container = list if spec.shape == "list" else dict
        if not isinstance(value, container):
            as_list = isinstance(value, str) and spec.shape == "list"
            hint = f" (write [{_show(value)}])" if as_list else ""
            raise _invalid(f"{at}: expected {spec.expected}, got {_describe(value)}{hint}")
        if spec.shape == "list":
            values[key] = tuple(_string(spec, v, f"{at}[{j}]", spec.item)
                                for j, v in enumerate(value))
        elif spec.shape == "table":
            for name in value:
                _string(spec, name, at, spec.item)
            values[key] = dict(value)
        else:
            assert spec.convert is not None
            values[key] = {}
            for name, entry in value.items():
                _string(spec, name, at, spec.item)
                try:
                    values[key][name] = spec.convert(entry)
                except ValueError as exc:
                    raise _invalid(f"{at}.{name}: {exc}") from None
    return Target(**values)


def _adapter_tables(value: Any, at: str) -> tuple[dict[str, Any], ...]:
    """Checked by building them (`from_spec`, which names the key path); kept as data."""
    tables = [value] if isinstance(value, dict) else value
    try:
        from_spec(tables, at)
    except InvalidInputError as exc:  # an adapter's own check may not name the key path
        message = str(exc)
        raise _invalid(message if message.startswith(at) else f"{at}: {message}") from None
    return tuple(tables)


def _string(spec: _Key, value: Any, at: str, expected: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{at}: expected {expected}, got {_describe(value)}")
    try:
        return spec.check(value)
    except ValueError as exc:
        raise _invalid(f"{at}: {exc}") from None


# --- one-line messages -----------------------------------------------------------------------

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40
_REPR.maxlist = _REPR.maxdict = _REPR.maxset = _REPR.maxtuple = 4
_REPR.maxlevel = 3


def _show(value: Any) -> str:
    """A short, single-line repr of anything a user wrote."""
    try:
        return _REPR.repr(value)
    except Exception:  # an int too large to print, say
        return f"<{type(value).__name__}>"


def _describe(value: Any) -> str:
    """`int 5`, `str 'fp32'`, `table {...}`: the kind of a value and a short repr."""
    kind = {dict: "table", list: "list"}.get(type(value), type(value).__name__)
    return f"{kind} {_show(value)}"


def _keys(keys: Any, suggest: bool = False) -> str:
    """Up to five keys, shown safely, with a 'did you mean' for each typo."""
    keys = sorted(keys, key=str)
    shown = []
    for key in keys[:5]:
        close = (difflib.get_close_matches(key, SCHEMA, n=1)
                 if suggest and isinstance(key, str) and len(key) <= 40 else [])
        shown.append(_show(key) + (f" (did you mean {close[0]}?)" if close else ""))
    more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
    return ", ".join(shown) + more


def _invalid(message: str) -> InvalidInputError:
    """Every message is one line: control characters (in a path or a key) are escaped."""
    return InvalidInputError(
        "".join(c if c.isprintable() else ascii(c)[1:-1] for c in message)
    )
