"""`sympy.lambdify` with its generated source text cached on disk (`cache`).

Printing a large form (and its CSE) is most of an oracle's cold cost; compiling the printed
source is ~1 ms. Kept honest: a source is cached only when the function's namespace can be
rebuilt exactly (lambdify's module namespaces plus named imports, each checked at store time
to be the very objects lambdify used), and a warm load compiles that same source in that
namespace, so the function is the one lambdify would return. The key is the `srepr` of the
arguments and expressions, the options and the versions (`cache.digest`).
"""

from __future__ import annotations

import builtins
import itertools
import linecache
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

import sympy as sp

from mathcheck.numeric import cache

KIND = "lambdify"
NAME = "_lambdifygenerated"
_counter = itertools.count()


def _namespace(modules: Sequence[str], imports: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The globals lambdify gives its function, for string `modules` and list expressions."""
    from sympy.utilities.lambdify import _get_namespace

    namespace: dict[str, Any] = {}
    for module in reversed(modules):  # the first has the highest priority, as in lambdify
        namespace.update(_get_namespace(module))
    for module, name in imports:
        namespace[name] = getattr(import_module(module), name)
    namespace.update({"builtins": builtins, "range": range})
    return namespace


def _entry(fn: Callable[..., Any], modules: Sequence[str]) -> tuple[str, tuple] | None:
    """(source, imports) that rebuild `fn` exactly, or None when they would not."""
    lines = linecache.cache.get(fn.__code__.co_filename)
    if fn.__name__ != NAME or not lines:
        return None
    source = "".join(lines[2])
    used = {k: v for k, v in fn.__globals__.items() if k != "__builtins__"}
    base = _namespace(modules, ())
    imports = []
    for name in sorted(set(used) - set(base)):
        module = getattr(used[name], "__module__", None)
        try:
            if not module or getattr(import_module(module), name) is not used[name]:
                return None
        except (ImportError, AttributeError):
            return None
        imports.append((module, name))
    rebuilt = _namespace(modules, imports)
    if rebuilt.keys() != used.keys() or any(rebuilt[k] is not used[k] for k in used):
        return None
    return source, tuple(imports)


def _compile(source: str, modules: Sequence[str], imports: Sequence[tuple[str, str]]) -> Any:
    filename = f"<lambdifygenerated-cached-{next(_counter)}>"
    namespace, local = _namespace(modules, imports), {}  # type: ignore[var-annotated]
    exec(compile(source, filename, "exec"), namespace, local)
    # As lambdify does, so that tracebacks and inspect show the source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return local[NAME]


class Lambdified:
    """One argument list and expression list, compiled with and without CSE on demand."""

    def __init__(self, symbols: Sequence[sp.Basic], exprs: Sequence[sp.Basic],
                 modules: Sequence[str]) -> None:
        self.symbols, self.exprs, self.modules = list(symbols), list(exprs), tuple(modules)
        self._text: str | None = None

    def _key(self, cse: bool) -> str:
        if self._text is None:  # one srepr for both variants: it is the warm run's main cost
            self._text = sp.srepr(self.symbols) + "\n" + sp.srepr(self.exprs)
        return cache.digest(KIND, cache.source_digest(__name__), self._text, self.modules, cse)

    def function(self, cse: bool = False) -> Callable[..., Any]:
        if not cache.enabled():
            return sp.lambdify(self.symbols, self.exprs, modules=list(self.modules), cse=cse)
        key = self._key(cse)
        cached = cache.load(KIND, key)
        if cached is not None:
            try:
                source, imports = cached
                return _compile(source, self.modules, imports)
            except Exception:  # unusable (another SymPy's names): rebuilt and rewritten
                pass
        fn = sp.lambdify(self.symbols, self.exprs, modules=list(self.modules), cse=cse)
        entry = _entry(fn, self.modules)
        if entry is not None:
            cache.store(KIND, key, entry)
        return fn
