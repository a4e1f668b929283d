"""Mutants of the catalog's numeric forms: the form's source parsed with `ast`, one node
replaced per mutant, compiled in a copy of the form's module globals (so the helpers it calls
still resolve, and the catalog's own module is left untouched).

A mutant's id is `entry:backend:operator:Lline:Ccol[#k]` with the line counted from the
form's `def` (line 1) and the column in the dedented source: editing another function of the
same file does not change it, so the equivalents file stays valid.
"""

from __future__ import annotations
import __future__

import ast
import copy
import inspect
import os
import textwrap
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mathcheck.formulas import Entry, resolve
from mathcheck.selftest._operators import Context, proposals

_ARRAY_MODULES = ("numpy", "torch")


@dataclass(frozen=True)
class Mutant:
    """One small change of one form. `build()` compiles it; the engine runs it as an override."""

    id: str
    entry_id: str
    section: str
    backend: str
    operator: str
    file: str  # the form's source file, relative to the package's parent when inside it
    line: int  # in the file
    col: int
    description: str
    diff: str
    tree: ast.Module = field(compare=False, repr=False)
    original: Callable[..., Any] = field(compare=False, repr=False)

    def build(self) -> Callable[..., Any]:
        """The mutated function, defined in a copy of the original's module globals."""
        fn = self.original
        code = compile(
            self.tree, f"<mutant {self.id}>", "exec",
            flags=__future__.annotations.compiler_flag, dont_inherit=True,
        )  # fmt: skip
        namespace = dict(fn.__globals__)
        exec(code, namespace)  # our own catalog's code, mutated: trusted
        built = namespace[fn.__name__]
        if not callable(built):
            raise TypeError(f"{fn.__name__} is not callable after mutation")
        return built


def _relative(path: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.abspath(path)
    return os.path.relpath(path, root) if path.startswith(root + os.sep) else path


def _preorder(body: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of the function body, parents first (annotations left out)."""
    for node in body:
        yield node
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns", "type_comment"):
                continue
            children = value if isinstance(value, list) else [value]
            yield from _preorder(c for c in children if isinstance(c, ast.AST))


def _function(fn: Callable[..., Any]) -> tuple[types.FunctionType, ast.Module, str, int] | None:
    """The plain function behind a form, its parsed source, the source and its first line;
    None for what cannot be mutated in isolation (a closure, a class, a builtin)."""
    fn = inspect.unwrap(fn)
    if not isinstance(fn, types.FunctionType) or fn.__closure__:
        return None
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    source = textwrap.dedent("".join(lines))
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    return fn, tree, source, first


def _body(func: ast.FunctionDef) -> list[ast.stmt]:
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return body


def _context(fn: types.FunctionType, func: ast.FunctionDef, backend: str) -> Context:
    g = fn.__globals__
    modules = frozenset(k for k, v in g.items() if isinstance(v, types.ModuleType))
    wanted = _ARRAY_MODULES[0] if backend == "numpy" else _ARRAY_MODULES[1]
    array = next((k for k, v in g.items() if getattr(v, "__name__", None) == wanted
                  and isinstance(v, types.ModuleType)), None)
    subtracted, axis_constants = set(), set()
    for node in ast.walk(func):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            if isinstance(node.right, ast.Name):
                subtracted.add(node.right.id)
        if isinstance(node, ast.keyword) and node.arg in ("axis", "dim", "keepdims", "keepdim"):
            axis_constants.update(id(n) for n in ast.walk(node.value))
    return Context(array, modules, frozenset(subtracted), frozenset(axis_constants))


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put `new` where `old` is in `tree` (by identity)."""
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise LookupError("node not found in its tree")


def _splice(source: str, node: ast.AST, text: str) -> tuple[list[str], list[str]]:
    """The lines `node` spans, before and after its text is replaced (offsets are in UTF-8)."""
    lines = source.splitlines()
    start, end = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    span = [line.encode() for line in lines[start : end + 1]]
    head = span[0][: node.col_offset]  # type: ignore[attr-defined]
    tail = span[-1][node.end_col_offset :]  # type: ignore[attr-defined]
    new = (head + text.encode() + tail).decode().splitlines()
    return lines[start : end + 1], new


def _shown(source: str, tree: ast.Module, node: ast.AST, new: ast.AST) -> tuple[list[str], str]:
    """The changed lines as they read in the file, checked to parse to the mutant itself
    (parenthesised where the replacement binds less tightly than what it replaces)."""
    before = source.splitlines()
    text = ast.unparse(new)
    for candidate in (text, f"({text})"):
        old_lines, new_lines = _splice(source, node, candidate)
        start = node.lineno - 1  # type: ignore[attr-defined]
        rebuilt = before[:start] + new_lines + before[start + len(old_lines) :]
        try:
            same = ast.dump(ast.parse("\n".join(rebuilt))) == ast.dump(tree)
        except SyntaxError:
            same = False
        if same:
            return new_lines, candidate
    return [f"# {text}"], text  # display only; the mutant itself is the tree


def _brief(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mutants_of(entry: Entry, backend: str) -> list[Mutant]:
    """Every mutant of `entry`'s `backend` form, in source order (deterministic)."""
    ref = entry.form(backend)
    if ref is None:
        return []
    found = _function(resolve(ref))
    if found is None:
        return []
    fn, tree, source, first = found
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    ctx = _context(fn, func, backend)
    file = _relative(inspect.getsourcefile(fn) or "?")
    nodes = list(_preorder(_body(func)))
    mutants: list[Mutant] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(nodes):
        for proposal in proposals(node, ctx):
            mutated = copy.deepcopy(tree)
            target = list(_preorder(_body(mutated.body[0])))[index]  # type: ignore[arg-type]
            _replace(mutated, target, proposal.node)
            ast.fix_missing_locations(mutated)
            if ast.dump(mutated) == ast.dump(tree):
                continue  # a no-op (e.g. 1.0 · 1.01 rounding back): not a mutant
            new_lines, text = _shown(source, mutated, node, proposal.node)
            ast.increment_lineno(mutated, first - 1)
            line, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
            base = f"{entry.id}:{backend}:{proposal.operator}:L{line}C{col}"
            seen[base] = seen.get(base, 0) + 1
            mid = base if seen[base] == 1 else f"{base}#{seen[base]}"
            old_lines = source.splitlines()[line - 1 : node.end_lineno]  # type: ignore[attr-defined]
            at = first + line - 1
            diff = "\n".join([
                f"--- {file}:{at}", f"+++ mutant {mid}",
                f"@@ -{at},{len(old_lines)} +{at},{len(new_lines)} @@",
                *(f"-{x}" for x in old_lines), *(f"+{x}" for x in new_lines),
            ])  # fmt: skip
            old_text = ast.get_source_segment(source, node) or ast.unparse(node)
            mutants.append(Mutant(
                id=mid, entry_id=entry.id, section=entry.section.slug, backend=backend,
                operator=proposal.operator, file=file, line=at, col=col,
                description=f"{proposal.operator}: `{_brief(old_text)}` → `{_brief(text)}` "
                            f"({fn.__name__}, line {at})",
                diff=diff, tree=mutated, original=fn,
            ))  # fmt: skip
    return mutants


def generate(entries: Iterable[Entry], backends: Iterable[str]) -> list[Mutant]:
    """All mutants of the entries' forms, in catalog order, then backend, then source order."""
    backends = tuple(backends)
    return [m for e in entries for b in backends for m in mutants_of(e, b)]


__all__ = ["Mutant", "generate", "mutants_of"]
