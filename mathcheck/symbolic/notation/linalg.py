"""Section 1 · Linear algebra, as the field writes it (Goodfellow et al., ch. 2): bold vectors
and matrices, a · b, ‖a‖, Aᵀ, tr A, det A, adj A, entries with 1-based indices.

Also the building blocks the other sections' notations share (calculus, probability,
information, embeddings). Each evaluates, once its symbols are bound to explicit matrices,
exactly what it prints:

- `vec(r"\\mathbf{a}", n)`, `mat(r"\\mathbf{A}", m, n)`: named vectors and matrices whose
  entries `.at(i)` / `.at(i, j)` print as a_i, A_ij (1-based) inside sums and entry formulas;
- `Dot(a, b)`: a · b; `VNorm(a)`, `VNorm(a, 1)`: ‖a‖, ‖a‖₁; `Tr(A)`: tr A;
- `Det(A)`: det A; `Adj(A)`: adj A (the adjugate, a matrix);
- `ByEntry(element, (i, j), rows, cols)`: a matrix written by its (i, j) entry formula;
- `Ordered(*factors)`, `Terms(*terms)`: a product or sum kept in the order written.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr
from sympy.printing.precedence import PRECEDENCE

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import Notation

# --------------------------------------------------------------------------- building blocks

_BOLD = re.compile(r"^\\(?:mathbf|boldsymbol)\{(.*)\}(.*)$")


def _letter(name: str) -> str:
    r"""The entry letter of a bold name: \mathbf{a} → a, \boldsymbol{\mu} → \mu."""
    match = _BOLD.match(name)
    return match.group(1) + match.group(2) if match else name


def _explicit(value: Any) -> bool:
    """Bound: an explicit matrix, or a matrix expression with no named matrix left in it."""
    if isinstance(value, sp.MatrixBase):
        return True
    return isinstance(value, MatrixExpr) and not value.atoms(sp.MatrixSymbol)


def _matrix(value: Any) -> sp.Matrix:
    if isinstance(value, sp.MatrixBase):
        return sp.Matrix(value)
    return sp.Matrix(value.as_explicit()).doit()


def _pending(x: sp.Basic) -> bool:
    """Whether x still holds a notation symbol or node (so it is printed, not evaluated)."""
    return bool(x.atoms(sp.MatrixSymbol, Tex)) or any(
        isinstance(a, NODES) for a in sp.preorder_traversal(x))


def _index(printer: Any, index: Any) -> str:
    """i + 1 as written, the symbol first (SymPy's order would give 1 + i)."""
    constant, rest = sp.sympify(index).as_coeff_Add()
    if rest == 0 or constant == 0:
        return printer._print(index)
    sign = "+" if constant > 0 else "-"
    return f"{printer._print(rest)} {sign} {printer._print(abs(constant))}"


class Elem(MatrixElement):
    """An entry of a named vector or matrix, printed with 1-based subscripts: a_i, A_ij."""

    def _latex(self, printer: Any) -> str:
        parent, row, col = self.args
        letter = _letter(parent.name) if hasattr(parent, "name") else printer._print(parent)
        rows = [_index(printer, row + 1)]
        if parent.shape[1] != 1:
            rows.append(_index(printer, col + 1))
        joined = "".join(rows) if all(len(r) == 1 for r in rows) else ",".join(rows)
        return f"{letter}_{{{joined}}}"


class Vec(TexMatrix):
    """A column vector named by its LaTeX; `at(i)` is its i-th entry (1-based)."""

    def at(self, i: Any) -> Elem:
        return Elem(self, i - 1, 0)


class Mat(TexMatrix):
    """A matrix named by its LaTeX; `at(i, j)` is its (i, j) entry (1-based)."""

    def at(self, i: Any, j: Any) -> Elem:
        return Elem(self, i - 1, j - 1)


def vec(name: str, n: Any) -> Vec:
    return Vec(name, n, 1)


def mat(name: str, rows: Any, cols: Any) -> Mat:
    return Mat(name, rows, cols)


def _column(value: Any) -> sp.Matrix:
    m = _matrix(value)
    return m.reshape(len(m), 1)


class Dot(sp.Expr):
    """a · b = Σᵢ aᵢbᵢ."""

    is_commutative = True
    is_real = True

    def __new__(cls, a: Any, b: Any) -> Any:
        if _explicit(a) and _explicit(b):
            return (_column(a).T * _column(b))[0, 0]
        return super().__new__(cls, a, b)

    def _latex(self, printer: Any) -> str:
        a, b = (printer._print(x) for x in self.args)
        return a + r" \cdot " + b


class VNorm(sp.Expr):
    """‖a‖ (Euclidean, p = 2) or ‖a‖₁ (p = 1) of a vector."""

    is_commutative = True
    is_real = True

    def __new__(cls, a: Any, p: Any = 2) -> Any:
        p = sp.sympify(p)
        if _explicit(a):
            entries = list(_matrix(a))
            if p == 1:
                return sum((sp.Abs(x) for x in entries), sp.Integer(0))
            return sp.sqrt(sum((x**2 for x in entries), sp.Integer(0)))
        return super().__new__(cls, a, p)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        a, p = self.args
        text = r"\lVert " + printer._print(a) + r" \rVert" + ("_{1}" if p == 1 else "")
        return text if exp is None else f"{text}^{{{exp}}}"

    def _eval_power(self, e: Any) -> Any:
        return None


class Tr(sp.Expr):
    """tr A = Σᵢ Aᵢᵢ."""

    is_commutative = True
    is_real = True

    def __new__(cls, a: Any) -> Any:
        if _explicit(a):
            return _matrix(a).trace()
        return super().__new__(cls, a)

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{tr}\left(" + printer._print(self.args[0]) + r"\right)"


class Det(sp.Expr):
    """det A (Berkowitz's expansion, as the forms compute it)."""

    is_commutative = True
    is_real = True

    def __new__(cls, a: Any) -> Any:
        if _explicit(a):
            return _matrix(a).det(method="berkowitz")
        return super().__new__(cls, a)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        text = r"\det " + printer._print(self.args[0])
        return text if exp is None else r"\left(" + text + r"\right)^{" + str(exp) + "}"


class Adj(MatrixExpr):
    """adj A, the adjugate (the transposed cofactor matrix): A adj A = det(A) I."""

    def __new__(cls, a: Any) -> Any:
        return super().__new__(cls, sp.sympify(a))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return sp.Matrix(self.args[0].as_explicit()).adjugate(method="berkowitz")[i, j]

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{adj}\left(" + printer._print(self.args[0]) + r"\right)"


class Divisor(sp.Expr):
    """x as the divisor of a quotient, printed x, with the forms' value where x = 0: NaN
    (the quotient is undefined there: A⁻¹ of a singular A) or 1 (the stated convention when
    the numerator vanishes with x: a·b/(‖a‖‖b‖) is 0 for a zero vector). The entry's `where`
    says which."""

    is_commutative = True
    is_real = True

    def __new__(cls, x: Any, at_zero: Any, test: Any = None) -> Any:
        """`test`: what is compared with 0 (x itself by default; ‖a‖²‖b‖², as one form
        writes its guard, is zero exactly when ‖a‖‖b‖ is)."""
        x, at_zero = sp.sympify(x), sp.sympify(at_zero)
        test = x if test is None else sp.sympify(test)
        if not _pending(x) and not _pending(test):
            return sp.Piecewise((at_zero, sp.Eq(test, 0)), (x, True))
        return super().__new__(cls, x, at_zero, test)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        text = printer._print(self.args[0])
        return text if exp is None else r"\left(" + text + r"\right)^{" + str(exp) + "}"


class Paren(sp.Expr):
    """A scalar kept in parentheses as one factor: (a·b/‖b‖²) b, not a·b b/‖b‖²."""

    is_commutative = True
    is_real = True

    def __new__(cls, x: Any) -> Any:
        x = sp.sympify(x)
        if not _pending(x):
            return x
        return super().__new__(cls, x)

    def _latex(self, printer: Any) -> str:
        return r"\left(" + printer._print(self.args[0]) + r"\right)"


class Inv(MatrixExpr):
    """A⁻¹, evaluated as adj(A)/det A (as the forms compute it)."""

    def __new__(cls, a: Any) -> Any:
        return super().__new__(cls, sp.sympify(a))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        a = _matrix(self.args[0])
        return a.adjugate(method="berkowitz")[i, j] / a.det(method="berkowitz")

    def _latex(self, printer: Any) -> str:
        return printer._print(self.args[0]) + "^{-1}"


class Scalar(sp.Expr):
    """The one entry of a 1×1 product, printed as the product: (x − μ)ᵀΣ⁻¹(x − μ)."""

    is_commutative = True

    def __new__(cls, product: Any) -> Any:
        if _explicit(product):
            return _matrix(product)[0, 0]
        return super().__new__(cls, product)

    def _latex(self, printer: Any) -> str:
        return printer._print(self.args[0])


class Term(sp.Expr):
    """An entry of a vector or matrix (1-based indices), printed by a LaTeX pattern in which
    #1, #2 stand for the indices: Term(prior, r"P(A_{#1})", i) prints P(A_i)."""

    is_commutative = True

    def __new__(cls, x: Any, pattern: Any, *indices: Any) -> Any:
        pattern = pattern if isinstance(pattern, sp.Symbol) else sp.Symbol(pattern)
        indices = tuple(sp.sympify(k) for k in indices)
        if _explicit(x) and all(k.is_Integer for k in indices):
            value = _matrix(x)
            rows = int(indices[0]) - 1
            cols = int(indices[1]) - 1 if len(indices) > 1 else 0
            return value[rows, cols]
        return super().__new__(cls, x, pattern, *indices)

    def _latex(self, printer: Any) -> str:
        text = self.args[1].name
        for number, index in enumerate(self.args[2:], start=1):
            text = text.replace(f"#{number}", _index(printer, index))
        return text


class XLog(sp.Expr):
    """x·f with the convention 0·f = 0 (0 log 0 = 0), printed x f: p_i log q_i."""

    is_commutative = True

    def __new__(cls, x: Any, factor: Any) -> Any:
        x, factor = sp.sympify(x), sp.sympify(factor)
        if not _pending(x) and not _pending(factor):
            return sp.Piecewise((0, sp.Eq(x, 0)), (x * factor, True))
        return super().__new__(cls, x, factor)

    def _latex(self, printer: Any) -> str:
        x, factor = self.args
        return printer.parenthesize(x, 50) + " " + printer.parenthesize(factor, 50)


class Guard(sp.Expr):
    """expr where `condition` holds, undefined (NaN, as the forms return) elsewhere; printed
    as expr, the condition stated in the entry's `where`."""

    is_commutative = True

    def __new__(cls, expr: Any, condition: Any) -> Any:
        expr, condition = sp.sympify(expr), sp.sympify(condition)
        if not _pending(expr) and not _pending(condition):
            return sp.Piecewise((expr, condition), (sp.nan, True))
        return super().__new__(cls, expr, condition)

    def _latex(self, printer: Any) -> str:
        return printer._print(self.args[0])


class Scaled(sp.Expr):
    """c·(expr) kept as written, the constant in front: −½(…)."""

    is_commutative = True

    def __new__(cls, c: Any, expr: Any) -> Any:
        c, expr = sp.sympify(c), sp.sympify(expr)
        if not _pending(expr):
            return c * expr
        return super().__new__(cls, c, expr)

    def _latex(self, printer: Any) -> str:
        c, expr = self.args
        sign, c = ("- ", -c) if c.could_extract_minus_sign() else ("", c)
        return sign + printer._print(c) + r" \left(" + printer._print(expr) + r"\right)"


class ByEntry(MatrixExpr):
    """A matrix written by its entry formula in the index symbols (i, j) (1-based), printed as
    that formula: the line (A ⊙ B)_ij = A_ij B_ij defines the whole matrix."""

    def __new__(cls, element: Any, index: tuple[Any, Any], rows: Any, cols: Any) -> ByEntry:
        return super().__new__(cls, sp.sympify(element), sp.Tuple(*index), sp.sympify(rows),
                               sp.sympify(cols))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[2], self.args[3]

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        row, col = self.args[1]
        return self.args[0].xreplace({row: i + 1, col: j + 1}).doit()

    def _latex(self, printer: Any) -> str:
        return printer._print(self.args[0])


class Ordered(sp.Expr):
    """A product kept in the order written, ½ as a small fraction in front:
    ½(η_max − η_min)(1 + cos(πt/T)), where SymPy would print (…)(…)/2."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, *factors: Any) -> Ordered:
        return super().__new__(cls, *(sp.sympify(f) for f in factors))

    def doit(self, **hints: Any) -> sp.Basic:
        return sp.Mul(*(f.doit(**hints) for f in self.args))

    def _latex(self, printer: Any) -> str:
        text = ""
        for f in self.args:
            if isinstance(f, sp.Rational) and not f.is_Integer:
                part = rf"\tfrac{{{f.p}}}{{{f.q}}}"
            else:
                part = printer.parenthesize(f, PRECEDENCE["Mul"])
            # two numbers side by side would read as one (2 2 n): 2 · 2 n
            glue = r" \cdot " if text and part[:1].isdigit() else " "
            text = part if not text else text + glue + part
        return text


class Terms(sp.Expr):
    """A sum kept in the order written (V + T, 12d² + 13d); evaluated (`doit`) as the Add."""

    is_commutative = True
    precedence = PRECEDENCE["Add"]

    def __new__(cls, *terms: Any) -> Terms:
        return super().__new__(cls, *(sp.sympify(t) for t in terms))

    def doit(self, **hints: Any) -> sp.Basic:
        return sp.Add(*(t.doit(**hints) for t in self.args))

    def _latex(self, printer: Any) -> str:
        return " + ".join(printer.parenthesize(t, PRECEDENCE["Add"]) for t in self.args)


NODES = (Dot, VNorm, Tr, Det, Adj, Inv, Scalar, Scaled, Term, XLog, Guard, Divisor, Paren,
         Elem)

# --------------------------------------------------------------------------- the section

n, m, k, p, r, d = sp.symbols("n m k p r d", integer=True, positive=True)
i, j, inner = sp.symbols("i j l", integer=True, positive=True)


def _ab(n: Any) -> tuple[Vec, Vec, dict[sp.Basic, str]]:
    a, b = vec(r"\mathbf{a}", n), vec(r"\mathbf{b}", n)
    return a, b, {a: "a", b: "b"}


def dot(n: Any = n) -> Notation:
    a, b, inputs = _ab(n)
    x = sp.Symbol("i", integer=True, positive=True)
    line = (Tex(r"\mathbf{a} \cdot \mathbf{b}"), sp.Sum(a.at(x) * b.at(x), (x, 1, n)))
    return Notation((line,), line[0], inputs)


def cosine_similarity(n: Any = n) -> Notation:
    a, b, inputs = _ab(n)
    cos = Tex(r"\cos\theta")
    rhs = Dot(a, b) / Divisor(VNorm(a) * VNorm(b), 1)
    return Notation(((cos, rhs),), cos, inputs,
                    where="0 when a or b is the zero vector (stated convention: cos θ is "
                          "undefined there)")


def l2_norm(n: Any = n) -> Notation:
    a = vec(r"\mathbf{a}", n)
    x = sp.Symbol("i", integer=True, positive=True)
    line = (Tex(r"\lVert \mathbf{a} \rVert"), sp.sqrt(sp.Sum(a.at(x) ** 2, (x, 1, n))))
    return Notation((line,), line[0], {a: "a"})


def l1_norm(n: Any = n) -> Notation:
    a = vec(r"\mathbf{a}", n)
    x = sp.Symbol("i", integer=True, positive=True)
    line = (Tex(r"\lVert \mathbf{a} \rVert_{1}"), sp.Sum(sp.Abs(a.at(x)), (x, 1, n)))
    return Notation((line,), line[0], {a: "a"})


def projection(n: Any = n) -> Notation:
    a, b, inputs = _ab(n)
    proj = TexMatrix(r"\operatorname{proj}_{\mathbf{b}} \mathbf{a}", n, 1)
    coefficient = Paren(Dot(a, b) / Divisor(VNorm(b) ** 2, 1))
    return Notation(((proj, coefficient * b),), proj, inputs,
                    where="the zero vector when b = 0 (stated convention)")


def matmul(m: Any = m, k: Any = k, p: Any = p) -> Notation:
    A, B = mat(r"\mathbf{A}", m, k), mat(r"\mathbf{B}", k, p)
    element = sp.Sum(A.at(i, inner) * B.at(inner, j), (inner, 1, k))
    lhs = TexMatrix(r"\left(\mathbf{A}\mathbf{B}\right)_{ij}", m, p)
    return Notation(((lhs, ByEntry(element, (i, j), m, p)),), lhs, {A: "A", B: "B"})


def transpose(m: Any = m, n: Any = n) -> Notation:
    A = mat(r"\mathbf{A}", m, n)
    lhs = TexMatrix(r"\left(\mathbf{A}^{\top}\right)_{ij}", n, m)
    return Notation(((lhs, ByEntry(A.at(j, i), (i, j), n, m)),), lhs, {A: "A"})


def inverse(n: Any = n) -> Notation:
    A = mat(r"\mathbf{A}", n, n)
    inv = TexMatrix(r"\mathbf{A}^{-1}", n, n)
    # det A = 0: the form's NaN (undefined), the quotient printed as written
    rhs = sp.MatMul(1 / Divisor(Det(A), sp.nan), Adj(A))
    return Notation(((inv, rhs),), inv, {A: "A"},
                    where="for det A ≠ 0 (A singular: no inverse, NaN in the forms); "
                          "then A A⁻¹ = A⁻¹ A = I")


def trace(n: Any = n) -> Notation:
    A = mat(r"\mathbf{A}", n, n)
    line = (Tex(r"\operatorname{tr}\left(\mathbf{A}\right)"), sp.Sum(A.at(i, i), (i, 1, n)))
    return Notation((line,), line[0], {A: "A"})


def hadamard(m: Any = m, n: Any = n) -> Notation:
    A, B = mat(r"\mathbf{A}", m, n), mat(r"\mathbf{B}", m, n)
    lhs = TexMatrix(r"\left(\mathbf{A} \odot \mathbf{B}\right)_{ij}", m, n)
    return Notation(((lhs, ByEntry(A.at(i, j) * B.at(i, j), (i, j), m, n)),), lhs,
                    {A: "A", B: "B"})


def quadratic_form(n: Any = n) -> Notation:
    x, A = vec(r"\mathbf{x}", n), mat(r"\mathbf{A}", n, n)
    lhs = Tex(r"\mathbf{x}^{\top} \mathbf{A} \mathbf{x}")
    rhs = sp.Sum(Ordered(x.at(i), A.at(i, j), x.at(j)), (i, 1, n), (j, 1, n))
    return Notation(((lhs, rhs),), lhs, {x: "x", A: "A"},
                    where="A is positive definite when xᵀAx > 0 for every x ≠ 0")


def gram(m: Any = m, n: Any = n) -> Notation:
    A = mat(r"\mathbf{A}", m, n)
    G = TexMatrix(r"\mathbf{G}", n, n)
    return Notation(((G, sp.MatMul(A.T, A)),), G, {A: "A"},
                    where="G = I exactly when A has orthonormal columns (A orthogonal: "
                          "AᵀA = AAᵀ = I)")


def symmetric_part(n: Any = n) -> Notation:
    A = mat(r"\mathbf{A}", n, n)
    S = TexMatrix(r"\mathbf{S}", n, n)
    half = Tex(r"\tfrac{1}{2}")
    rhs = sp.MatMul(half, sp.MatAdd(A, A.T))
    return Notation(((S, rhs),), S, {A: "A", half: lambda args: sp.Rational(1, 2)},
                    where="S = Sᵀ; S = A exactly when A is symmetric (A = Aᵀ)")


def lora_product(d: Any = d, r: Any = r, k: Any = k) -> Notation:
    B, A = mat(r"\mathbf{B}", d, r), mat(r"\mathbf{A}", r, k)
    W = TexMatrix(r"\Delta \mathbf{W}", d, k)
    return Notation(((W, sp.MatMul(B, A)),), W, {B: "B", A: "A"},
                    where="B ∈ ℝ^{d×r}, A ∈ ℝ^{r×k}: rank(ΔW) ≤ r")
