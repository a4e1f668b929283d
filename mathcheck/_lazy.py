"""Lazy package attributes (PEP 562): a package's public names, imported on first access.

A package lists `name -> "module"` (the attribute of the same name) or `"module:attr"` (an
alias), and gets a module `__getattr__`/`__dir__`; so importing a light part of the package
(the CLI's options, the catalog) does not pull in SymPy, Hypothesis or Torch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any],
                                                               Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, resolving `names` on first access."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = names[name].partition(":")
        return getattr(import_module(module), attr or name)

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
