"""Targets: `module:callable` → formula id, from the command line or `[tool.mathcheck]`.

Nothing a user writes is evaluated: callables are imported by name, keyword arguments on the
command line are parsed as Python *literals* (`ast.literal_eval`), and pyproject values are TOML.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathcheck.errors import InvalidInputError
from mathcheck.regress._adapters import module, positional, with_kwargs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ADAPTERS = ("function", "kwargs", "module", "positional")


@dataclass(frozen=True)
class Target:
    """One implementation to check, and how to call it."""

    target: str  # "package.module:callable"
    formula: str
    adapter: str = "function"
    kwargs: dict[str, Any] = field(default_factory=dict)  # for "kwargs" (and extra call args)
    init: dict[str, Any] = field(default_factory=dict)  # for "module": constructor arguments
    args: tuple[str, ...] = ()  # for "positional": canonical names in call order
    backend: str = "torch"
    dtypes: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    allow_variants: tuple[str, ...] = ()

    def load(self) -> Callable[..., Any]:
        return load_callable(self.target)

    def make_adapter(self) -> Callable[[Any], Callable[..., Any]] | None:
        if self.adapter == "function":
            return with_kwargs(**self.kwargs) if self.kwargs else None
        if self.adapter == "kwargs":
            return with_kwargs(**self.kwargs)
        if self.adapter == "module":
            return module(**self.init)
        if self.adapter == "positional":
            return positional(*self.args)
        raise InvalidInputError(
            f"unknown adapter {self.adapter!r}; use one of {', '.join(ADAPTERS)}"
        )


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


def parse_cli_target(text: str, kwargs: dict[str, Any]) -> Target:
    """'pkg.mod:fn=act.softmax' → Target."""
    target, sep, formula = text.rpartition("=")
    if not sep:
        raise InvalidInputError(f"target {text!r} must be module:callable=FORMULA_ID")
    return Target(target=target, formula=formula, kwargs=kwargs)


def parse_kwargs(items: tuple[str, ...]) -> dict[str, Any]:
    """'dim=-1' 'eps=1e-6' → {'dim': -1, 'eps': 1e-06}; values are literals, or plain strings."""
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise InvalidInputError(f"keyword argument {item!r} must be name=value")
        try:
            parsed[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed[key] = value
    return parsed


def from_pyproject(path: Path) -> list[Target]:
    """The `[[tool.mathcheck.targets]]` of a pyproject.toml."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path} is not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("mathcheck", {})
    targets = []
    for i, item in enumerate(table.get("targets", [])):
        if not isinstance(item, dict) or "target" not in item or "formula" not in item:
            raise InvalidInputError(f"{path}: tool.mathcheck.targets[{i}] needs target and formula")
        unknown = set(item) - {f.name for f in Target.__dataclass_fields__.values()}
        if unknown:
            raise InvalidInputError(
                f"{path}: tool.mathcheck.targets[{i}] has unknown keys {sorted(unknown)}"
            )
        for key in ("dtypes", "devices", "allow_variants", "args"):
            if key in item:
                item[key] = tuple(item[key])
        targets.append(Target(**item))
    if not targets:
        raise InvalidInputError(f"{path} has no [[tool.mathcheck.targets]]")
    return targets
