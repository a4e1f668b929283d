"""Building blocks the section notations need beyond `_core`'s: each is a SymPy matrix
expression that prints as the field writes it and whose `_entry`/`as_explicit` evaluate
exactly what is printed (so `prove_notation` checks the printed formula, not a stand-in).

- `Attention(Q, K, V)`: printed by name, evaluated as softmax(QKᵀ/√d_k)V with d_k the width of Q.
- `HeadBlock(W, i, h, tex)`: the i-th of h column blocks of W (W_i^Q: the packed layout of
  multi-head weights), 1-based.
- `Concat(template, i, h, name)`: [template(1) … template(h)] side by side; printed
  Concat(head_1, …, head_h) with a line of its own defining head_i (a `Defined`, so the core
  printer adds that line).
- `RowBlock(W, k, size, tex)`: rows k·size … (k+1)·size − 1 of W (an LSTM gate's block).
- `Degree(A, power, tex)`: diag(Σ_j A_ij)^power, the degree matrix D̃^{−1/2} of a graph;
  printed with its definition line D̃_ii = Σ_j Ã_ij.
- `NormalizedAdjacency(A, D, a_tex, d_tex)`: D̂^{−1/2}ÂD̂^{−1/2} (D a `Degree` of Â), printed
  so, with the line defining it elementwise (Â_ij / √(D̂_ii D̂_jj)) and D̂'s.
- `VStack(a, b)`: [a; b], printed [a, b] (the concatenated input [h_{t−1}, x_t]).
- `RowsOf(X, tex, cols, *params)`: a registered function of one row (and its parameters),
  applied to every row of X (RMSNorm, the FFN per token).
- `Elementwise(f, X, name)`: `Apply` evaluated once for the whole matrix (`Apply` evaluates
  its argument again for every element, which is slow where the argument is a product).
- `SqNorm(v)`: ‖v‖², printed with the norm bars, evaluated as vᵀv.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixExpr

from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation._core import Apply, Defined


def _sym(name: Any) -> sp.Symbol:
    return name if isinstance(name, sp.Symbol) else sp.Symbol(name)


def _explicit(m: Any) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(m.as_explicit() if isinstance(m, MatrixExpr) else m)


class _Explicit(MatrixExpr):
    """A matrix expression computed at once (`_value`), indexed by `_entry`."""

    def _value(self) -> sp.ImmutableMatrix:  # pragma: no cover - abstract
        raise NotImplementedError

    def as_explicit(self) -> sp.ImmutableMatrix:
        cache = self.__dict__.setdefault("_cached", {})
        if "v" not in cache:
            cache["v"] = self._value()
        return cache["v"]

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.as_explicit()[i, j]


def _attend(q: sp.ImmutableMatrix, k: sp.ImmutableMatrix, v: sp.ImmutableMatrix) -> sp.Matrix:
    scores = q * k.T / sp.sqrt(q.shape[1])
    rows = []
    for i in range(scores.shape[0]):
        e = [sp.exp(s) for s in scores.row(i)]
        total = sp.Add(*e)
        rows.append([t / total for t in e])
    return sp.Matrix(rows) * v


class Attention(_Explicit):
    """Attention(Q, K, V) = softmax(QKᵀ/√d_k)V, d_k the number of columns of Q."""

    def __new__(cls, q: Any, k: Any, v: Any) -> Attention:
        return super().__new__(cls, sp.sympify(q), sp.sympify(k), sp.sympify(v))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape[0], self.args[2].shape[1]

    def _value(self) -> sp.ImmutableMatrix:
        q, k, v = (_explicit(a) for a in self.args)
        return sp.ImmutableMatrix(_attend(q, k, v))

    def _latex(self, printer: Any) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        return r"\operatorname{Attention}\left(" + inner + r"\right)"


class HeadBlock(_Explicit):
    """Columns (i − 1)·c/h … i·c/h − 1 of the c columns of W: head i's block (1-based)."""

    def __new__(cls, w: Any, i: Any, h: Any, tex: str) -> HeadBlock:
        return super().__new__(cls, sp.sympify(w), sp.sympify(i), sp.sympify(h), _sym(tex))

    @property
    def shape(self) -> tuple[Any, Any]:
        rows, cols = self.args[0].shape
        return rows, cols / self.args[2]

    def _value(self) -> sp.ImmutableMatrix:
        w, i, h = _explicit(self.args[0]), int(self.args[1]), int(self.args[2])
        width = w.shape[1] // h
        if width * h != w.shape[1]:
            raise ValueError(f"{w.shape[1]} columns do not split into {h} heads")
        return w[:, (i - 1) * width : i * width]

    def _latex(self, printer: Any) -> str:
        return self.args[3].name % printer._print(self.args[1])


class Concat(Defined, _Explicit):
    """[f(1), …, f(h)] side by side, f(i) = `template` at index i; printed by its items'
    name (head_1, …, head_h), with the line head_i = template."""

    def __new__(cls, template: Any, index: sp.Symbol, count: Any, name: str) -> Concat:
        return MatrixExpr.__new__(cls, template, index, sp.sympify(count), _sym(name))

    @property
    def shape(self) -> tuple[Any, Any]:
        rows, cols = self.args[0].shape
        return rows, cols * self.args[2]

    def _value(self) -> sp.ImmutableMatrix:
        template, index, count = self.args[0], self.args[1], int(self.args[2])
        parts = [_explicit(template.xreplace({index: sp.Integer(k)})) for k in range(1, count + 1)]
        return sp.ImmutableMatrix(sp.Matrix.hstack(*parts))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.as_explicit()[i, j]

    def definition(self) -> tuple[sp.Basic, sp.Basic]:
        name = self.args[3].name
        return Tex(name + "_{" + sp.latex(self.args[1]) + "}"), self.args[0]

    def _latex(self, printer: Any) -> str:
        name, count = self.args[3].name, self.args[2]
        if count.is_Integer and int(count) <= 3:
            items = [f"{name}_{{{k}}}" for k in range(1, int(count) + 1)]
        else:
            items = [f"{name}_{{1}}", r"\ldots", f"{name}_{{{printer._print(count)}}}"]
        return r"\operatorname{Concat}\left(" + ", ".join(items) + r"\right)"


class RowBlock(_Explicit):
    """Rows k·size … (k + 1)·size − 1 of W (0-based block k): one gate's weights in a stacked
    matrix, or one gate's bias in a stacked vector."""

    def __new__(cls, w: Any, k: int, size: Any, tex: str) -> RowBlock:
        return super().__new__(cls, sp.sympify(w), sp.Integer(k), sp.sympify(size), _sym(tex))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[2], self.args[0].shape[1]

    def _value(self) -> sp.ImmutableMatrix:
        w, k, size = _explicit(self.args[0]), int(self.args[1]), int(self.args[2])
        return w[k * size : (k + 1) * size, :]

    def _latex(self, printer: Any) -> str:
        return self.args[3].name


class Degree(Defined, _Explicit):
    """diag(d)^power with d_i = Σ_j A_ij: the degree matrix of the graph A (D̃ of Ã), printed
    D̃^{power}, with the definition line D̃_ii = Σ_j Ã_ij."""

    def __new__(cls, a: Any, power: Any, tex: str, a_tex: str) -> Degree:
        return MatrixExpr.__new__(cls, sp.sympify(a), sp.sympify(power), _sym(tex),
                                  _sym(a_tex))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _value(self) -> sp.ImmutableMatrix:
        a, power = _explicit(self.args[0]), self.args[1]
        n = a.shape[0]
        return sp.ImmutableMatrix(sp.diag(*[sp.Add(*a.row(i)) ** power for i in range(n)]))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.as_explicit()[i, j]

    def definition(self) -> tuple[sp.Basic, sp.Basic]:
        i, j = sp.symbols("i j", integer=True)
        n = self.args[0].shape[1]
        element = sp.Sum(sp.Indexed(sp.IndexedBase(Tex(self.args[3].name)), i, j), (j, 1, n))
        return Tex(self.args[2].name + "_{ii}"), element

    def _latex(self, printer: Any) -> str:
        power = self.args[1]
        if power == 1:
            return self.args[2].name
        text = "-1/2" if power == sp.Rational(-1, 2) else printer._print(power)
        return self.args[2].name + "^{" + text + "}"


class NormalizedAdjacency(Defined, _Explicit):
    """D̂^{−1/2} Â D̂^{−1/2}, D̂ = `degree` (a `Degree` of Â at power 1), printed so with the line
    that defines it elementwise, (D̂^{−1/2}ÂD̂^{−1/2})_ij = Â_ij / √(D̂_ii D̂_jj), and D̂'s line
    (found inside it). What it evaluates is that line: over the reals √(d_i)√(d_j) ≠ √(d_i d_j)
    where degrees are negative, and a form computing Â_ij/√(d_i d_j) equals only the
    elementwise line for every real A; the two agree for positive degrees (A ≥ 0), which the
    tests prove separately. `tex`: the matrix names (Â, D̂) as the product prints them."""

    def __new__(cls, a: Any, degree: Degree, a_tex: str, d_tex: str) -> NormalizedAdjacency:
        return MatrixExpr.__new__(cls, sp.sympify(a), degree, _sym(a_tex), _sym(d_tex))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _value(self) -> sp.ImmutableMatrix:
        a, degree = _explicit(self.args[0]), _explicit(self.args[1])
        n = a.shape[0]
        return sp.ImmutableMatrix(
            n, n, lambda i, j: a[i, j] / sp.sqrt(degree[i, i] * degree[j, j]))

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return self.as_explicit()[i, j]

    def definition(self) -> tuple[sp.Basic, sp.Basic]:
        i, j = sp.symbols("i j", integer=True)
        degree = self.args[1]
        a = sp.IndexedBase(Tex(degree.args[3].name))
        d = sp.IndexedBase(Tex(degree.args[2].name))
        lhs = Tex(r"\left(" + self._latex(None) + r"\right)_{ij}")
        return lhs, a[i, j] / sp.sqrt(d[i, i] * d[j, j])

    def _latex(self, printer: Any) -> str:
        d, a = self.args[3].name, self.args[2].name
        return f"{d}^{{-1/2}} {a} {d}^{{-1/2}}"


class VStack(_Explicit):
    """[a; b] stacked (column vectors), printed [a, b] as the LSTM gates write their input."""

    def __new__(cls, *parts: Any) -> VStack:
        return super().__new__(cls, *(sp.sympify(p) for p in parts))

    @property
    def shape(self) -> tuple[Any, Any]:
        return sp.Add(*(p.shape[0] for p in self.args)), self.args[0].shape[1]

    def _value(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(sp.Matrix.vstack(*(_explicit(p) for p in self.args)))

    def _latex(self, printer: Any) -> str:
        return r"\left[" + ", ".join(printer._print(p) for p in self.args) + r"\right]"


#: The row functions `RowsOf` knows, by their LaTeX name.
ROW_FUNCTIONS: dict[str, Callable[..., sp.Matrix]] = {}


class RowsOf(_Explicit):
    """A function of one row vector (registered in ROW_FUNCTIONS under its LaTeX name),
    applied to every row of X (tokens are rows): RMSNorm(X), FFN(X)."""

    def __new__(cls, arg: Any, tex: Any, cols: Any, *params: Any) -> RowsOf:
        if _sym(tex).name not in ROW_FUNCTIONS:
            raise KeyError(f"no row function registered as {_sym(tex).name}")
        return super().__new__(cls, sp.sympify(arg), _sym(tex), sp.sympify(cols),
                               *(sp.sympify(p) for p in params))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape[0], self.args[2]

    def _value(self) -> sp.ImmutableMatrix:
        x, function = _explicit(self.args[0]), ROW_FUNCTIONS[self.args[1].name]
        params = [_explicit(p) if isinstance(p, (MatrixExpr, sp.MatrixBase)) else p
                  for p in self.args[3:]]
        rows = [sp.Matrix(function(x.row(r), *params)).reshape(1, int(self.args[2]))
                for r in range(x.shape[0])]
        return sp.ImmutableMatrix(sp.Matrix.vstack(*rows))

    def _latex(self, printer: Any) -> str:
        return self.args[1].name + r"\left(" + printer._print(self.args[0]) + r"\right)"


class Elementwise(_Explicit, Apply):
    """f(X) elementwise, printed as `Apply` prints it; the argument is made explicit once
    (ReLU(ÂHW): a product of three matrices, which `Apply` would expand N·G times)."""

    def _value(self) -> sp.ImmutableMatrix:
        return _explicit(self.args[1]).applyfunc(self.args[0])


class SqNorm(sp.Expr):
    """‖v‖² of a vector expression, evaluated as the sum of its squared entries."""

    def __new__(cls, v: Any) -> SqNorm:
        return super().__new__(cls, sp.sympify(v))

    def doit(self, **hints: Any) -> sp.Expr:
        v = _explicit(self.args[0])
        return sp.Add(*(e**2 for e in v))

    def _latex(self, printer: Any) -> str:
        return r"\left\lVert " + printer._print(self.args[0]) + r" \right\rVert^{2}"
