"""Section 5 · Losses, as the field writes them: ŷ = softmax(z) and L = −Σ yᵢ log ŷᵢ,
the focal factor (1 − ŷ_t)^γ, Huber's two pieces in r = y − ŷ, NT-Xent over the 2N views
and the triplet hinge max(0, ‖a − p‖² − ‖a − n‖² + α) (Goodfellow et al. §6.2; Lin et al.
2017; Chen et al. 2020; Schroff et al. 2015).

Also the small printing nodes the LLM section shares (`Over`, `Slash`, `Log1p`, `Hinge`,
`Dotted`, `Juxtaposed`, `Terms`, `Cases`, `Sigma`, …): each prints as written (in the order
written, where SymPy would sort) and, once its symbols are bound, evaluates to what it prints,
built as the checked forms build it, so the proof compares like with like.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.printing.precedence import PRECEDENCE

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.losses import alpha, delta, gamma, margin, tau
from mathcheck.symbolic.notation._blocks import VStack
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import NODES, ByEntry, Term, VNorm, mat, vec

n, d, N = sp.symbols("n d N", integer=True, positive=True)
i, j, k, c = sp.symbols("i j k c", integer=True, positive=True)


# --------------------------------------------------------------------------- printing nodes


def _open(x: Any) -> bool:
    """Whether x still holds a notation symbol or node (printed, not yet evaluated)."""
    if not isinstance(x, sp.Basic):
        return False
    if x.atoms(sp.MatrixSymbol, Tex):
        return True
    return any(isinstance(a, (*NODES, *LOCAL_NODES)) for a in sp.preorder_traversal(x))


def _is_int(*xs: Any) -> bool:
    return all(sp.sympify(x).is_Integer for x in xs)


class Over(sp.Expr):
    """num/den printed as a fraction \\frac{A}{N^{α}} (SymPy prints A N^{−α})."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]  # parenthesised as a base: (αA/(βB))^{1/(α+β)}

    def __new__(cls, num: Any, den: Any) -> Any:
        num, den = sp.sympify(num), sp.sympify(den)
        if not _open(num) and not _open(den):
            return num / den
        return super().__new__(cls, num, den)

    def _latex(self, printer: Any) -> str:
        num, den = (printer._print(a) for a in self.args)
        return r"\frac{" + num + "}{" + den + "}"


class Slash(Over):
    """num/den printed inline, as in an exponent: e^{s_ij/τ}."""

    def _latex(self, printer: Any) -> str:
        num = printer.parenthesize(self.args[0], PRECEDENCE["Mul"], strict=True)
        return num + "/" + printer.parenthesize(self.args[1], PRECEDENCE["Mul"])


class Log1p(sp.Expr):
    """log(1 + x), evaluated as log1p(x), the function the forms call (the same function)."""

    is_commutative = True

    def __new__(cls, x: Any) -> Any:
        x = sp.sympify(x)
        if not _open(x):
            return log1p(x)
        return super().__new__(cls, x)

    def _latex(self, printer: Any) -> str:
        return r"\log\left(1 + " + printer._print(self.args[0]) + r"\right)"


class Hinge(sp.Expr):
    """max(0, x), evaluated as the forms write it: x where x > 0, else 0."""

    is_commutative = True

    def __new__(cls, x: Any) -> Any:
        x = sp.sympify(x)
        if not _open(x):
            return sp.Piecewise((x, x > 0), (0, True))
        return super().__new__(cls, x)

    def _latex(self, printer: Any) -> str:
        return r"\max\left(0,\; " + printer._print(self.args[0]) + r"\right)"


class Dotted(sp.Expr):
    """A product printed in the order written, with · between the factors (2 · n_layers · …)."""

    is_commutative = True

    def __new__(cls, *factors: Any) -> Any:
        factors = tuple(sp.sympify(f) for f in factors)
        if not any(_open(f) for f in factors):
            return sp.Mul(*factors)
        return super().__new__(cls, *factors)

    def _latex(self, printer: Any) -> str:
        return r" \cdot ".join(printer._print(f) for f in self.args)


class Juxtaposed(Dotted):
    """A product printed in the order written, without a dot: y_tv (z_tv − log Σ …)."""

    def _latex(self, printer: Any) -> str:
        return " ".join(printer.parenthesize(f, PRECEDENCE["Mul"], strict=True)
                        for f in self.args)


class SumExcept(sp.Expr):
    """Σ_{k ≠ i} term over k = 1 … top, printed \\sum_{k \\neq i}."""

    is_commutative = True

    def __new__(cls, term: Any, k: sp.Symbol, i: Any, top: Any) -> Any:
        term, i, top = sp.sympify(term), sp.sympify(i), sp.sympify(top)
        if _is_int(i, top):
            return sp.Add(*(term.xreplace({k: sp.Integer(v)}) for v in range(1, int(top) + 1)
                            if v != int(i)))
        return super().__new__(cls, term, k, i, top)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        term, k, i, top = self.args
        return (term.free_symbols - {k}) | i.free_symbols | top.free_symbols

    def _latex(self, printer: Any) -> str:
        term, k, i, _ = (printer._print(a) for a in self.args)
        return r"\sum_{" + k + r" \neq " + i + "} " + term


class Sigma(sp.Expr):
    """Σ_{k=1}^{top} term, added up term by term once top is a number (SymPy's Sum.doit
    tries partial fractions on a summand of logs of sums, which takes seconds)."""

    is_commutative = True

    def __new__(cls, term: Any, k: sp.Symbol, top: Any) -> Any:
        term, top = sp.sympify(term), sp.sympify(top)
        if _is_int(top):
            return sp.Add(*(term.xreplace({k: sp.Integer(v)}) for v in range(1, int(top) + 1)))
        return super().__new__(cls, term, k, top)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        term, k, top = self.args
        return (term.free_symbols - {k}) | top.free_symbols

    def _latex(self, printer: Any) -> str:
        term, k, top = self.args
        body = printer.parenthesize(term, PRECEDENCE["Mul"], strict=True)
        return r"\sum_{" + printer._print(k) + "=1}^{" + printer._print(top) + "} " + body


class Cosine(sp.Expr):
    """cos(z_i, z_j) of rows i, j of Z (1-based), computed as the forms do:
    z_i·z_j / (√(z_i·z_i) √(z_j·z_j)); printed as that quotient."""

    is_commutative = True

    def __new__(cls, z: Any, i: Any, j: Any, letter: Any = r"\mathbf{z}") -> Any:
        letter = letter if isinstance(letter, sp.Symbol) else sp.Symbol(letter)
        i, j = sp.sympify(i), sp.sympify(j)
        if isinstance(z, sp.MatrixBase) and _is_int(i, j):
            u, v = z.row(int(i) - 1), z.row(int(j) - 1)
            return u.dot(v) / (sp.sqrt(u.dot(u)) * sp.sqrt(v.dot(v)))
        return super().__new__(cls, z, i, j, letter)

    def _latex(self, printer: Any) -> str:
        _, i, j, letter = self.args
        zi = letter.name + "_{" + printer._print(i) + "}"
        zj = letter.name + "_{" + printer._print(j) + "}"
        return (r"\frac{" + zi + r"^{\top} " + zj + r"}{\lVert " + zi + r" \rVert\, \lVert "
                + zj + r" \rVert}")


class Stacked(VStack):
    """[A; B]: the rows of A, then those of B, printed as a block column."""

    def _latex(self, printer: Any) -> str:
        rows = r" \\ ".join(printer._print(p) for p in self.args)
        return r"\begin{bmatrix} " + rows + r" \end{bmatrix}"


class Terms(sp.Expr):
    """A sum printed in the order written (‖a − p‖² − ‖a − n‖² + α; SymPy sorts its terms)."""

    is_commutative = True

    def __new__(cls, *terms: Any) -> Any:
        terms = tuple(sp.sympify(t) for t in terms)
        if not any(_open(t) for t in terms):
            return sp.Add(*terms)
        return super().__new__(cls, *terms)

    def _latex(self, printer: Any) -> str:
        first, *rest = self.args
        text = printer._print(first)
        for t in rest:
            negative = t.could_extract_minus_sign()
            text += (" - " if negative else " + ") + printer._print(-t if negative else t)
        return text


class Cases(sp.Expr):
    """A Piecewise printed with its conditions as written (|r| ≤ δ, where SymPy's Piecewise
    would print δ ≥ |r|); evaluated as that Piecewise."""

    is_commutative = True

    def __new__(cls, *pairs: tuple[Any, Any]) -> Any:
        pairs = tuple(sp.Tuple(sp.sympify(v), sp.sympify(cond)) for v, cond in pairs)
        if not any(_open(p) for p in pairs):
            return sp.Piecewise(*(tuple(p) for p in pairs))
        return super().__new__(cls, *pairs)

    def _latex(self, printer: Any) -> str:
        rows = []
        for value, cond in self.args:
            if cond == sp.true:
                test = r"\text{otherwise}"
            else:
                op = {"<=": r"\leq", "<": "<", ">": ">", ">=": r"\geq"}[cond.rel_op]
                test = (r"\text{if } " + printer._print(cond.lhs) + f" {op} "
                        + printer._print(cond.rhs))
            rows.append(printer._print(value) + " & " + test)
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


class Prod(sp.Expr):
    """Π_{i=1}^{n} b_i^{e_i} for positive b_i (probabilities), evaluated by the definition
    of the real power, b^e = exp(e log b): exp(Σ e_i log b_i)."""

    is_commutative = True

    def __new__(cls, base: Any, exponent: Any, i: sp.Symbol, top: Any) -> Any:
        base, exponent, top = sp.sympify(base), sp.sympify(exponent), sp.sympify(top)
        if _is_int(top) and not _open(base.xreplace({i: 1})):
            return sp.exp(sp.Add(*(exponent.xreplace({i: v}) * sp.log(base.xreplace({i: v}))
                                   for v in range(1, int(top) + 1))))
        return super().__new__(cls, base, exponent, i, top)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        base, exponent, i, top = self.args
        return ((base.free_symbols | exponent.free_symbols) - {i}) | top.free_symbols

    def _latex(self, printer: Any) -> str:
        base, exponent, i, top = (printer._print(a) for a in self.args)
        return (r"\prod_{" + i + "=1}^{" + top + "} " + base + "^{" + exponent + "}")


class NegLogRatio(sp.Expr):
    """−log(e^x / D) for D > 0 (a sum of exponentials), evaluated by the quotient rule as
    log D − x: the value of the printed quotient for every real x, which SymPy leaves
    unexpanded when it cannot tell that x (a cosine over norms) is real."""

    is_commutative = True

    def __new__(cls, x: Any, den: Any) -> Any:
        x, den = sp.sympify(x), sp.sympify(den)
        if not _open(x) and not _open(den):
            return sp.log(den) - x
        return super().__new__(cls, x, den)

    def _latex(self, printer: Any) -> str:
        x, den = (printer._print(a) for a in self.args)
        return r"-\log \frac{e^{" + x + "}}{" + den + "}"


LOCAL_NODES: tuple[type, ...] = (Over, Log1p, Hinge, Dotted, SumExcept, Sigma, Cosine, Terms, Cases,
                                 Prod, NegLogRatio)


def entries(name: str, element: sp.Expr, rows: Any, cols: Any = 1,
            index: tuple[sp.Symbol, sp.Symbol] | None = None) -> tuple[TexMatrix, ByEntry]:
    """A line `name = element` defining a vector (or matrix) by its entry formula."""
    lhs = TexMatrix(name, rows, cols)
    return lhs, ByEntry(element, index or (i, c), rows, cols)


# --------------------------------------------------------------------------- the section

CE, FOCAL = Tex(r"\mathcal{L}_{\mathrm{CE}}"), Tex(r"\mathcal{L}_{\mathrm{focal}}")


def _softmax_line(z: Any, n: Any) -> tuple[TexMatrix, ByEntry]:
    return entries(r"\hat{y}_{i}", sp.exp(z.at(i)) / sp.Sum(sp.exp(z.at(k)), (k, 1, n)), n)


def cross_entropy(n: Any = n) -> Notation:
    z, y = vec(r"\mathbf{z}", n), vec(r"\mathbf{y}", n)
    yhat = _softmax_line(z, n)
    loss = -sp.Sum(y.at(i) * sp.log(Term(yhat[0], r"\hat{y}_{#1}", i)), (i, 1, n))
    return Notation((yhat, (CE, loss)), CE, {z: "z", y: "y"},
                    where="ŷ = softmax(z) from the logits z; y: the target distribution "
                          "(one-hot for a class label); log ŷ_i = z_i − log Σ_k e^{z_k} "
                          "as the forms compute it")


def bce_with_logits() -> Notation:
    z, y = Tex("z"), Tex("y")
    lhs = Tex(r"\mathcal{L}_{\mathrm{BCE}}(z, y)")
    return Notation(((lhs, Log1p(sp.exp(z)) - y * z),), lhs, {z: "z", y: "y"},
                    where="= −y log σ(z) − (1 − y) log(1 − σ(z)), σ(z) = 1/(1 + e^{−z}): "
                          "BCE of the probability σ(z), written in the logit z")


def focal(n: Any = n) -> Notation:
    z, y = vec(r"\mathbf{z}", n), vec(r"\mathbf{y}", n)
    yhat = _softmax_line(z, n)
    yt = Tex(r"\hat{y}_{t}")
    lines = (
        yhat,
        (yt, Prod(Term(yhat[0], r"\hat{y}_{#1}", i), y.at(i), i, n)),
        (FOCAL, -alpha * (1 - yt) ** gamma * sp.log(yt)),
    )
    return Notation(lines, FOCAL, {z: "z", y: "y"},
                    where="y one-hot on the target class t, so ŷ_t is its predicted "
                          "probability; γ = 0, α = 1 is the cross-entropy")


def huber() -> Notation:
    y, yhat, r = Tex("y"), Tex(r"\hat{y}"), Tex("r")
    lhs = Tex(r"\mathcal{L}_{\delta}")
    rhs = Cases((r**2 / 2, sp.Abs(r) <= delta), (delta * (sp.Abs(r) - delta / 2), sp.true))
    return Notation(((r, y - yhat), (lhs, rhs)), lhs, {y: "y", yhat: "y_hat"},
                    where="elementwise; quadratic near 0, linear (slope δ) beyond |r| = δ")


def infonce(N: Any = N, d: Any = d) -> Notation:
    A, B = mat(r"\mathbf{A}", N, d), mat(r"\mathbf{B}", N, d)
    Z = mat(r"\mathbf{Z}", 2 * N, d)
    S = TexMatrix("s_{ij}", 2 * N, 2 * N)
    ell = TexMatrix(r"\ell_{ij}", 2 * N, 2 * N)
    sim = ByEntry(Cosine(Z, i, j), (i, j), 2 * N, 2 * N)

    def s(a: Any, b: Any) -> Term:
        return Term(S, "s_{#1#2}", a, b)

    ratio = NegLogRatio(Slash(s(i, j), tau), SumExcept(sp.exp(Slash(s(i, k), tau)), k, i, 2 * N))
    loss = Tex(r"\mathcal{L}")

    def pair(a: Any, b: Any) -> Term:
        return Term(ell, r"\ell_{#1,\,#2}", a, b)

    lines = (
        (Z, Stacked(A, B)),
        (S, sim),
        (ell, ByEntry(ratio, (i, j), 2 * N, 2 * N)),
        (loss, Juxtaposed(1 / (2 * N), Sigma(pair(i, N + i) + pair(N + i, i), i, N))),
    )
    return Notation(lines, loss, {A: "a", B: "b"},
                    where="NT-Xent (SimCLR): the rows a_i of A and b_i of B are two views of "
                          "example i; z_1 … z_2N the rows of Z; s_ij their cosine similarity; "
                          "the positive of view i is its pair (i ± N), the denominator runs "
                          "over the other 2N − 1 views; temperature τ")


def triplet(d: Any = d) -> Notation:
    a, p, m = vec(r"\mathbf{a}", d), vec(r"\mathbf{p}", d), vec(r"\mathbf{n}", d)
    margin_tex = Tex(r"\alpha")
    lhs = Tex(r"\mathcal{L}")
    rhs = Hinge(Terms(VNorm(a - p) ** 2, -VNorm(a - m) ** 2, margin_tex))
    return Notation(((lhs, rhs),), lhs,
                    {a: "anchor", p: "positive", m: "negative", margin_tex: lambda _: margin},
                    where="anchor a, positive p (same identity), negative n; squared "
                          "Euclidean distances, margin α (FaceNet)")
