"""A formula as its field writes it, built from SymPy objects that carry the structure, and
the one way to tie it to the checked form: instantiate it at concrete sizes and prove the
difference zero.

Why: the checked SymForm is built at integer sizes (Adam at n = 2 is a 3×2 matrix of
explicit terms), which proves what it should and reads like nothing a reader knows. A
`Notation` is the textbook display (Adam's five lines, softmax(QKᵀ/√d_k)V, the causal mask as
a matrix of 0 and −∞) whose every symbol is bound to an input of the form, so printing and
proving use one object: what is printed is what is instantiated and proven equal.

Building blocks (all printed by the reference's one printer, `mathcheck.symbolic.latex`):
- `Tex(r"\\hat{m}_t")`: a scalar named by its LaTeX; `TexMatrix(r"\\mathbf{W}_f", H, D)` a
  matrix or vector named by its LaTeX.
- `RowSoftmax(X)`: softmax over each row (the attention convention); `Apply(f, X, name)`: a
  scalar function applied elementwise; `Defined(name, shape, element, (i, j))`: a matrix
  given by its element formula (the causal mask), printed as a line of its own.
- matrix products, transposes and sums are SymPy's own (MatMul, Transpose, HadamardProduct).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from mathcheck.symbolic.latex import Tex, latex

Binding = str | Callable[[Mapping[str, Any]], Any]


def _named(name: str | sp.Symbol) -> sp.Symbol:
    """SymPy rebuilds nodes from their args (xreplace): a name arrives as a str or a Symbol."""
    return name if isinstance(name, sp.Symbol) else sp.Symbol(name)


class RowSoftmax(MatrixExpr):
    """softmax applied to each row of X: exp(X_ij) / Σ_k exp(X_ik)."""

    def __new__(cls, arg: MatrixExpr) -> RowSoftmax:
        return super().__new__(cls, sp.sympify(arg))

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.arg.shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        x = self.arg.as_explicit()
        return sp.exp(x[i, j]) / sum(sp.exp(x[i, k]) for k in range(x.shape[1]))

    def _latex(self, printer: Any) -> str:
        return r"\softmax\left(" + printer._print(self.arg) + r"\right)"


class Apply(MatrixExpr):
    """A scalar function applied to every element: σ(X), tanh(X), ReLU(X)."""

    def __new__(cls, function: sp.Lambda, arg: MatrixExpr, name: str | sp.Symbol) -> Apply:
        return super().__new__(cls, function, sp.sympify(arg), _named(name))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[1].shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.args[0](self.args[1].as_explicit()[i, j])

    def _latex(self, printer: Any) -> str:
        return self.args[2].name + r"\left(" + printer._print(self.args[1]) + r"\right)"


class Defined(MatrixExpr):
    """A matrix given by its element formula in the index symbols (i, j): the causal mask
    M_ij = 0 if j ≤ i else −∞. Printed as its name; `definition()` is the line that defines it,
    and the same element formula is what instantiation evaluates."""

    def __new__(
        cls,
        name: str | sp.Symbol,
        rows: Any,
        cols: Any,
        element: sp.Expr,
        index: tuple[sp.Symbol, sp.Symbol],
    ) -> Defined:
        return super().__new__(
            cls, _named(name), sp.sympify(rows), sp.sympify(cols), element, sp.Tuple(*index)
        )

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[1], self.args[2]

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        row, col = self.args[4]
        # 1-based indices in the definition, as the page writes them
        return self.args[3].xreplace({row: i + 1, col: j + 1})

    def definition(self) -> tuple[sp.Basic, sp.Basic]:
        row, col = self.args[4]
        return Tex(self.args[0].name + "_{" + sp.latex(row) + sp.latex(col) + "}"), self.args[3]

    def _latex(self, printer: Any) -> str:
        return self.args[0].name


Line = tuple[sp.Basic, sp.Basic]


@dataclass(frozen=True)
class Notation:
    """Lines `lhs = rhs`, printed one per row and read top to bottom: each defines its lhs,
    later lines and `result` may use it.

    `inputs` binds each notation symbol to the form's input of that name (or to a function of
    the form's inputs: a block of a stacked weight matrix). `result` is what the form computes,
    in the lines' symbols: one expression, or a tuple stacked as the form stacks its rows.
    `elementwise`: the lines are scalar and hold for every component i of the vector inputs
    (Adam's moments), so they are instantiated once per component.
    `where`: one line of prose for the symbols the page does not define.
    """

    lines: tuple[Line, ...]
    result: sp.Basic | tuple[sp.Basic, ...]
    inputs: Mapping[sp.Basic, Binding]
    elementwise: bool = False
    where: str = ""
    shown: Sequence[int] = field(default=())  # which lines to print (default: all)
    # Free indices of `result` with their (1-based) extents, ((i, n),) or ((i, m), (j, n)):
    # the result is evaluated at every index, as a column or a matrix (y_i = γ_i x̂_i + β_i).
    index: tuple[tuple[sp.Symbol, Any], ...] = ()


def _bound(binding: Binding, args: Mapping[str, Any]) -> Any:
    value = binding(args) if callable(binding) else args[binding]
    return sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value


def _elements(expr: sp.Basic, env: Mapping[sp.Basic, Any]) -> sp.Basic:
    """Σ over concrete ranges expanded, then x_k (an `IndexedBase` bound to an array) read as
    the array's element k (1-based, as printed)."""
    arrays = {b: v for b, v in env.items() if isinstance(b, sp.IndexedBase)}
    if not arrays:
        return expr
    expr = expr.doit()

    def element(e: sp.Indexed) -> sp.Basic:
        value = arrays[e.base]
        at = [int(k) - 1 for k in e.indices]
        return value[at[0], at[1]] if len(at) == 2 else value[at[0]]

    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in arrays, element)


def _evaluate(expr: sp.Basic, env: Mapping[sp.Basic, Any]) -> Any:
    scalars = {k: v for k, v in env.items() if not isinstance(k, sp.IndexedBase)}
    value = _elements(expr.xreplace(scalars), env)
    if isinstance(value, MatrixExpr) or isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value.as_explicit()).doit()
    return value.doit() if isinstance(value, sp.Basic) else value


def _run(notation: Notation, env: dict[sp.Basic, Any]) -> list[Any]:
    free = {i for i, _ in notation.index}
    lazy: dict[sp.Basic, sp.Basic] = {}  # lines in the free indices (x̂_i): used where they occur
    for lhs, rhs in notation.lines:
        rhs = rhs.xreplace(lazy)
        if rhs.free_symbols & free:
            lazy[lhs] = rhs
        else:
            env[lhs] = _evaluate(rhs, env)
    results = notation.result if isinstance(notation.result, tuple) else (notation.result,)
    results = tuple(r.xreplace(lazy) for r in results)
    if notation.index:
        return [_over_index(r, notation.index, env) for r in results]
    return [_evaluate(r, env) for r in results]


def _over_index(result: sp.Basic, index: tuple[tuple[sp.Symbol, Any], ...],
                env: Mapping[sp.Basic, Any]) -> sp.Matrix:
    """The result at every value of its free indices: a column (one index) or a matrix."""
    (i, rows), *rest = index
    if not rest:
        return sp.Matrix([_evaluate(result.xreplace({i: k}), env) for k in range(1, int(rows) + 1)])
    ((j, cols),) = rest
    return sp.Matrix(int(rows), int(cols),
                     lambda a, b: _evaluate(result.xreplace({i: a + 1, j: b + 1}), env))


def instantiate(notation: Notation, args: Mapping[str, Any]) -> Any:
    """The notation's value for the form's inputs `args` (a SymForm's `args` at some sizes),
    shaped as the form's expression: what `prove_equal` compares with it."""
    if not notation.elementwise:
        env = {symbol: _bound(b, args) for symbol, b in notation.inputs.items()}
        values = _run(notation, env)
        if len(values) == 1:
            return values[0]
        return sp.Matrix.vstack(*(sp.Matrix(v).T for v in values))
    bound = {symbol: _bound(b, args) for symbol, b in notation.inputs.items()}
    sizes = {len(v) for v in bound.values() if isinstance(v, sp.MatrixBase)}
    if len(sizes) != 1:
        raise ValueError(f"elementwise notation needs vector inputs of one length, got {sizes}")
    (n,) = sizes
    columns = []
    for i in range(n):
        env = {s: (v[i] if isinstance(v, sp.MatrixBase) else v) for s, v in bound.items()}
        columns.append(_run(notation, env))
    if len(columns[0]) == 1:
        return sp.Matrix([c[0] for c in columns])
    return sp.Matrix(len(columns[0]), n, lambda r, i: columns[i][r])


def printed_lines(notation: Notation) -> list[Line]:
    """The lines as printed: each `Defined` matrix used gets its definition line."""
    lines = list(notation.lines)
    chosen = [lines[k] for k in notation.shown] if notation.shown else lines
    out: list[Line] = []
    for lhs, rhs in chosen:
        out.append((lhs, rhs))
    for _, rhs in chosen:
        for node in sp.preorder_traversal(rhs):
            if isinstance(node, Defined) and node.definition() not in out:
                out.append(node.definition())
    return out


def sizes_of(builder: Callable[..., Notation]) -> tuple[str, ...]:
    """The size parameters a notation builder takes (the form builder's names)."""
    import inspect

    return tuple(inspect.signature(builder).parameters)


def prove_notation(
    builder: Callable[..., Notation],
    form_builder: Callable[..., Any],
    size_sets: Sequence[Mapping[str, int]],
    time_budget: float = 20.0,
) -> tuple[str, str]:
    """(status, detail): the notation instantiated at each size set, proven equal to the form
    built there. "proven" only if every set is; the weakest status otherwise."""
    from mathcheck.symbolic._prove import prove_equal

    order = ("failed", "confirmed", "proven")
    worst, details = "proven", []
    for sizes in size_sets or ({},):
        names = sizes_of(builder)
        form = form_builder(**sizes)
        value = instantiate(builder(**{k: v for k, v in sizes.items() if k in names}), form.args)
        proof = prove_equal(value, form.expr, time_budget=time_budget)
        at = ", ".join(f"{k} = {v}" for k, v in sizes.items()) or "its fixed size"
        if order.index(proof.status) < order.index(worst):
            worst = proof.status
        details.append(at if proof.status == "proven" else f"{at}: {proof.status} ({proof.detail})")
    return worst, " and ".join(details)


def notation_latex(notation: Notation) -> str:
    """The display: one line, or the lines aligned at their = signs."""
    lines = printed_lines(notation)
    if len(lines) == 1:
        return f"{latex(lines[0][0])} = {latex(lines[0][1])}"
    rows = [f"{latex(lhs)} &= {latex(rhs)}" for lhs, rhs in lines]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
