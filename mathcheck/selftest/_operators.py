"""The mutation operators: each looks at one AST node of a form and proposes replacements.

An operator is a small rewrite a plausible bug (or a dropped numerical precaution) would make:
a constant nudged, an operator swapped, a comparison made inclusive, the wrong axis, the max
shift of a softmax left out, log1p written as log(1 + x), an upcast forgotten. Every proposal
is a whole new node; `_mutate` puts it in place of the old one in a copy of the tree.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

#: The kinds of mutation, in the order they are proposed for a node.
OPERATORS: tuple[str, ...] = (
    "const-scale",  # c → c·1.01
    "const-plus1",  # c → c + 1 (1 → 2)
    "const-half",  # 0.5 → 0.25
    "const-eps",  # a small ε (|c| ≤ 1e-4) → 100ε (1e-5 → 1e-3)
    "arith",  # + ↔ −, * ↔ /
    "compare",  # > ↔ >=, < ↔ <=
    "minmax",  # max ↔ min (maximum, amax, fmax, nanmax)
    "axis",  # axis=-1 → axis=0 (dim, and a literal dim of a reduction)
    "keepdims",  # keepdims=True / keepdim=True dropped
    "drop-max-shift",  # x − max(x) → x
    "naive-logsumexp",  # logsumexp(x) → log(sum(exp(x)))
    "naive-logaddexp",  # logaddexp(a, b) → log(exp(a) + exp(b))
    "naive-log1p",  # log1p(x) → log(1 + x)
    "naive-expm1",  # expm1(x) → exp(x) − 1
    "drop-upcast",  # .astype(np.float64) / .to(torch.float32) / .double() / .float() → x
)

_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_COMPARE = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}
_MINMAX = {
    "max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum",
    "amax": "amin", "amin": "amax", "fmax": "fmin", "fmin": "fmax",
    "nanmax": "nanmin", "nanmin": "nanmax",
}  # fmt: skip
_MAXES = frozenset({"max", "amax", "nanmax"})
_AXIS_KEYWORDS = frozenset({"axis", "dim"})
_KEEPDIMS = frozenset({"keepdims", "keepdim"})
#: Methods and functions whose literal positional integer argument is an axis.
_REDUCTIONS = frozenset({
    "sum", "mean", "prod", "max", "min", "amax", "amin", "std", "var", "norm", "cumsum",
    "logsumexp", "softmax", "log_softmax", "argmax", "argmin", "all", "any", "median",
})  # fmt: skip
_FLOAT_TYPES = frozenset({"float64", "float32", "double", "float", "float_", "longdouble"})
_EPS = 1e-4


@dataclass(frozen=True)
class Proposal:
    operator: str
    node: ast.AST  # the replacement


@dataclass(frozen=True)
class Context:
    """What an operator needs beyond the node: the backend's array module name in the form's
    globals (for rewrites that must call exp/log/sum) and the names the form subtracts."""

    array_module: str | None
    modules: frozenset[str]  # the names in the form's globals that are bound to modules
    subtracted: frozenset[str]
    axis_constants: frozenset[int]  # id()s of constants that are an axis=/dim= value


def _name(func: ast.AST) -> str | None:
    """The called name: `f` of `f(...)`, `m.f(...)` or `x.f(...)`."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _call(func: ast.expr, *args: ast.expr, keywords: list[ast.keyword] | None = None) -> ast.Call:
    return ast.Call(func=func, args=list(args), keywords=keywords or [])


def _attr(value: ast.expr, attr: str) -> ast.Attribute:
    return ast.Attribute(value=value, attr=attr, ctx=ast.Load())


def _module_fn(call: ast.Call, name: str, ctx: Context) -> ast.expr | None:
    """`m.name` for the module `m` of `m.f(...)` (np, torch, math), or the backend's array
    module otherwise (`logsumexp` imported by name, `torch.special.expm1`)."""
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return _attr(ast.Name(id=call.func.value.id, ctx=ast.Load()), name)
    if ctx.array_module:
        return _attr(ast.Name(id=ctx.array_module, ctx=ast.Load()), name)
    return None


def _is_method(call: ast.Call, ctx: Context) -> bool:
    """`x.f(...)` on a value, not `m.f(x)` on a module (`np.log1p`, `scipy.special.logsumexp`)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
    return not (isinstance(receiver, ast.Name) and receiver.id in ctx.modules)


def _strip_detach(node: ast.AST) -> ast.AST:
    while (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr == "detach" and not node.args
    ):
        node = node.func.value
    return node


def is_max_call(node: ast.AST) -> bool:
    """`x.max(...)`, `np.max(x, ...)`, `x.amax(...)`, `torch.max(x, dim).values` or `[0]`."""
    node = _strip_detach(node)
    if isinstance(node, ast.Attribute) and node.attr == "values":
        node = node.value
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        node = node.value
    return isinstance(node, ast.Call) and _name(node.func) in _MAXES


def _number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )


def _int_literal(node: ast.AST) -> int | None:
    if _number(node) and isinstance(node.value, int):  # type: ignore[attr-defined]
        return int(node.value)  # type: ignore[attr-defined]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_literal(node.operand)
        return None if inner is None else -inner
    return None


def _other_axis(value: int) -> ast.expr:
    return ast.Constant(value=-1 if value == 0 else 0)


def _constants(node: ast.Constant) -> Iterator[Proposal]:
    c = node.value
    if isinstance(c, float) and 0 < abs(c) <= _EPS:
        yield Proposal("const-eps", ast.Constant(value=c * 100))
        return
    if isinstance(c, float) and c != 0:
        yield Proposal("const-scale", ast.Constant(value=c * 1.01))
    if c == 0.5:
        yield Proposal("const-half", ast.Constant(value=0.25))
    else:
        yield Proposal("const-plus1", ast.Constant(value=c + 1))


def _calls(node: ast.Call, ctx: Context) -> Iterator[Proposal]:
    name = _name(node.func)
    if name in _MINMAX:
        new = copy.deepcopy(node)
        if isinstance(new.func, ast.Name):
            new.func.id = _MINMAX[name]
        else:
            assert isinstance(new.func, ast.Attribute)
            new.func.attr = _MINMAX[name]
        yield Proposal("minmax", new)
    for i, kw in enumerate(node.keywords):
        value = _int_literal(kw.value)
        if kw.arg in _AXIS_KEYWORDS and value is not None:
            new = copy.deepcopy(node)
            new.keywords[i].value = _other_axis(value)
            yield Proposal("axis", new)
    if name in _REDUCTIONS:
        for i, arg in enumerate(node.args):
            value = _int_literal(arg)
            if value is not None:
                new = copy.deepcopy(node)
                new.args[i] = _other_axis(value)
                yield Proposal("axis", new)
    for i, kw in enumerate(node.keywords):
        if kw.arg in _KEEPDIMS and isinstance(kw.value, ast.Constant) and kw.value.value is True:
            new = copy.deepcopy(node)
            del new.keywords[i]
            yield Proposal("keepdims", new)
    yield from _naive(node, name, ctx)
    yield from _upcasts(node, name)


def _naive(node: ast.Call, name: str | None, ctx: Context) -> Iterator[Proposal]:
    """The textbook forms the stable ones replace."""
    args = copy.deepcopy(node.args)
    one = ast.Constant(value=1)
    if name in ("log1p", "expm1"):
        if _is_method(node, ctx):
            receiver = copy.deepcopy(node.func.value)  # type: ignore[attr-defined]
            if name == "log1p":
                new: ast.expr = _call(_attr(ast.BinOp(one, ast.Add(), receiver), "log"))
            else:
                new = ast.BinOp(_call(_attr(receiver, "exp")), ast.Sub(), one)
            yield Proposal(f"naive-{name}", new)
        elif len(args) == 1 and not node.keywords:
            fn = _module_fn(node, "log" if name == "log1p" else "exp", ctx)
            if fn is not None:
                if name == "log1p":
                    new = _call(fn, ast.BinOp(one, ast.Add(), args[0]))
                else:
                    new = ast.BinOp(_call(fn, args[0]), ast.Sub(), one)
                yield Proposal(f"naive-{name}", new)
    elif name == "logaddexp" and len(args) == 2 and not node.keywords:
        exp, log = _module_fn(node, "exp", ctx), _module_fn(node, "log", ctx)
        if exp is not None and log is not None:
            total = ast.BinOp(_call(exp, args[0]), ast.Add(), _call(copy.deepcopy(exp), args[1]))
            yield Proposal("naive-logaddexp", _call(log, total))
    elif name == "logsumexp" and not any(kw.arg in ("b", "return_sign") for kw in node.keywords):
        keywords = copy.deepcopy(node.keywords)
        if _is_method(node, ctx):
            receiver = copy.deepcopy(node.func.value)  # type: ignore[attr-defined]
            summed = _call(_attr(_call(_attr(receiver, "exp")), "sum"), *args, keywords=keywords)
            yield Proposal("naive-logsumexp", _call(_attr(summed, "log")))
        elif args and ctx.array_module:
            m = ast.Name(id=ctx.array_module, ctx=ast.Load())
            exp = _call(_attr(m, "exp"), args[0])
            summed = _call(_attr(copy.deepcopy(m), "sum"), exp, *args[1:], keywords=keywords)
            yield Proposal("naive-logsumexp", _call(_attr(copy.deepcopy(m), "log"), summed))


def _float_type(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in _FLOAT_TYPES


def _upcasts(node: ast.Call, name: str | None) -> Iterator[Proposal]:
    """A cast to a wider (or working) float type, dropped: `x.astype(np.float64)`,
    `x.astype(w)` (a working dtype held in a name), `x.to(torch.float32)`, `x.double()`."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    receiver = copy.deepcopy(func.value)
    if name in ("double", "float") and not node.args and not node.keywords:
        yield Proposal("drop-upcast", receiver)
    elif name in ("astype", "to"):
        targets = [*node.args[:1], *(kw.value for kw in node.keywords if kw.arg == "dtype")]
        if targets and (_float_type(targets[0]) or isinstance(targets[0], ast.Name)):
            yield Proposal("drop-upcast", receiver)


def proposals(node: ast.AST, ctx: Context) -> Iterator[Proposal]:
    """Every mutation of `node` itself (its children are proposed on their own)."""
    if _number(node) and id(node) not in ctx.axis_constants:
        yield from _constants(node)  # type: ignore[arg-type]
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITH:
        new = copy.deepcopy(node)
        new.op = _ARITH[type(node.op)]()
        yield Proposal("arith", new)
        if (
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
            and is_max_call(node.right)
        ):
            yield Proposal("drop-max-shift", copy.deepcopy(node.left))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE:
                new = copy.deepcopy(node)
                new.ops[i] = _COMPARE[type(op)]()
                yield Proposal("compare", new)
    elif isinstance(node, ast.Call):
        yield from _calls(node, ctx)
    elif (
        isinstance(node, ast.Assign) and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name) and node.targets[0].id in ctx.subtracted
        and is_max_call(node.value)
    ):  # m = x.max(...); ... x - m ...: the shift (and any add-back of m) vanishes
        new = copy.deepcopy(node)
        new.value = ast.Constant(value=0)
        yield Proposal("drop-max-shift", new)


__all__ = ["OPERATORS", "Context", "Proposal", "is_max_call", "proposals"]
