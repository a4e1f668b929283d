"""Section 9 · LLM-specific, as the field writes it: PE(pos, 2i) = sin(pos/10000^{2i/d})
(Vaswani et al.), log P(x_1, …, x_T) = Σ_t log P(x_t | x_<t), temperature softmax(z/τ), the
top-k and nucleus sets V^(k), V^(p) and the renormalised p′ (Holtzman et al.), the
Chinchilla law and its optimum (Hoffmann et al.), LoRA's W_0 + BA, uniform quantisation
and the KV-cache sizes.
"""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import sympy as sp

from mathcheck.symbolic import llm as forms
from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._blocks import _Explicit
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.linalg import ByEntry, Term, mat, vec
from mathcheck.symbolic.notation.losses import Dotted, Juxtaposed, Over, Slash, Terms, _open

n, T, V = sp.symbols("n T V", integer=True, positive=True)
i, j, k, t, u, v, c = sp.symbols("i j k t u v c", integer=True, positive=True)

#: The form's k of top-k (its default; the domain states k = 2).
TOP_K = inspect.signature(forms.top_k).parameters["k"].default


# --------------------------------------------------------------------------- nodes


class Pairs(_Explicit):
    """The d-vector (even(0), odd(0), even(1), odd(1), …): components 2i and 2i + 1 (0-based)
    from the two formulas in i, for i = 0 … d/2 − 1."""

    def __new__(cls, even: Any, odd: Any, index: sp.Symbol, size: Any) -> Pairs:
        return super().__new__(cls, sp.sympify(even), sp.sympify(odd), index, sp.sympify(size))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[3], sp.Integer(1)

    def _value(self) -> sp.ImmutableMatrix:
        even, odd, index, size = self.args
        out = []
        for position in range(int(size)):
            formula = even if position % 2 == 0 else odd
            out.append(formula.xreplace({index: sp.Integer(position // 2)}))
        return sp.ImmutableMatrix(out)

    def _latex(self, printer: Any) -> str:
        return r"\mathrm{PE}"


class Indicator(sp.Expr):
    """𝟙[condition], evaluated as the forms write it: Piecewise((1, cond), (0, True)) with
    the condition kept unevaluated."""

    is_commutative = True

    def __new__(cls, condition: Any, text: Any) -> Any:
        text = text if isinstance(text, sp.Symbol) else sp.Symbol(text)
        # evaluated once its index is a number: no integer symbol (i, j) left free
        if not _open(condition) and not any(x.is_integer for x in condition.free_symbols):
            return sp.Piecewise((1, condition), (0, True), evaluate=False)
        return super().__new__(cls, condition, text)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        return self.args[0].free_symbols

    def _latex(self, printer: Any) -> str:
        return r"\mathbf{1}\left[" + self.args[1].name + r"\right]"


class Member(sp.Expr):
    """𝟙[i ∈ 𝒱]: entry i (1-based) of the indicator vector that represents the set 𝒱."""

    is_commutative = True

    def __new__(cls, index: Any, kept: Any) -> Any:
        index = sp.sympify(index)
        if isinstance(kept, sp.MatrixBase) and index.is_Integer:
            return kept[int(index) - 1]
        return super().__new__(cls, index, kept)

    def _latex(self, printer: Any) -> str:
        index, kept = (printer._print(a) for a in self.args)
        return r"\mathbf{1}\left[" + index + r" \in " + kept + r"\right]"


class SumIn(sp.Expr):
    """Σ_{j ∈ 𝒱} term: Σ_j 𝟙[j ∈ 𝒱]·term over j = 1 … n."""

    is_commutative = True

    def __new__(cls, term: Any, index: sp.Symbol, kept: Any) -> Any:
        term = sp.sympify(term)
        if isinstance(kept, sp.MatrixBase):
            return sp.Add(*(kept[r] * term.xreplace({index: sp.Integer(r + 1)})
                            for r in range(kept.shape[0])))
        return super().__new__(cls, term, index, kept)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        term, index, kept = self.args
        return (term.free_symbols - {index}) | kept.free_symbols

    def _latex(self, printer: Any) -> str:
        term, index, kept = (printer._print(a) for a in self.args)
        return r"\sum_{" + index + r" \in " + kept + "} " + term


class SetOf(_Explicit):
    """{i : condition(i)} ⊆ {1 … n}, held as its indicator vector (entry i: 𝟙[condition(i)]),
    printed as the set."""

    def __new__(cls, indicator: Any, index: sp.Symbol, size: Any, text: Any) -> SetOf:
        text = text if isinstance(text, sp.Symbol) else sp.Symbol(text)
        return super().__new__(cls, sp.sympify(indicator), index, sp.sympify(size), text)

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[2], sp.Integer(1)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        return (self.args[0].free_symbols - {self.args[1]}) | self.args[2].free_symbols

    def _value(self) -> sp.ImmutableMatrix:
        indicator, index, size, _ = self.args
        return sp.ImmutableMatrix([indicator.xreplace({index: sp.Integer(r)})
                                   for r in range(1, int(size) + 1)])

    def _latex(self, printer: Any) -> str:
        return r"\left\{" + printer._print(self.args[1]) + " : " + self.args[3].name + r"\right\}"


class KthLargest(sp.Expr):
    """The k-th largest of z_1 … z_n, as the form computes it: the max over k-subsets S of
    min_{j ∈ S} z_j (k ≥ n: the smallest)."""

    is_commutative = True

    def __new__(cls, z: Any, k: Any) -> Any:
        k = sp.sympify(k)
        if isinstance(z, sp.MatrixBase) and k.is_Integer:
            kk = min(int(k), len(z))
            return sp.Max(*(sp.Min(*s) for s in itertools.combinations(list(z), kk)))
        return super().__new__(cls, z, k)

    def _latex(self, printer: Any) -> str:
        kk = printer._print(self.args[1])
        return (r"\max_{S \subseteq \{1, \ldots, n\},\, |S| = " + kk + r"}\; \min_{j \in S} z_{j}")


class SumWhere(sp.Expr):
    """Σ_{j ≠ i : condition(j)} term over j = 1 … n, evaluated as the form does:
    Σ_{j ≠ i} term·𝟙[condition(j)], printed \\sum_{j : condition} term."""

    is_commutative = True

    def __new__(cls, term: Any, condition: Any, index: sp.Symbol, skip: Any, size: Any,
                text: Any) -> Any:
        term, condition = sp.sympify(term), sp.sympify(condition)
        skip, size = sp.sympify(skip), sp.sympify(size)
        text = text if isinstance(text, sp.Symbol) else sp.Symbol(text)
        if skip.is_Integer and size.is_Integer and not _open(term.xreplace({index: 1})):
            parts = []
            for r in range(1, int(size) + 1):
                if r == int(skip):
                    continue
                cond = condition.xreplace({index: sp.Integer(r)})
                parts.append(term.xreplace({index: sp.Integer(r)})
                             * sp.Piecewise((1, cond), (0, True), evaluate=False))
            return sp.Add(*parts)
        return super().__new__(cls, term, condition, index, skip, size, text)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        term, condition, index, skip, _size, _ = self.args
        return ((term.free_symbols | condition.free_symbols) - {index}) | skip.free_symbols

    def _latex(self, printer: Any) -> str:
        term, index = printer._print(self.args[0]), printer._print(self.args[2])
        return r"\sum_{" + index + " : " + self.args[5].name + "} " + term


class Round(sp.Expr):
    """round(x), half to even, as the form defines it."""

    is_commutative = True

    def __new__(cls, x: Any) -> Any:
        x = sp.sympify(x)
        if not _open(x):
            return forms._round_half_even(x)
        return super().__new__(cls, x)

    def _latex(self, printer: Any) -> str:
        return r"\operatorname{round}\left(" + printer._print(self.args[0]) + r"\right)"


class Clamp(sp.Expr):
    """clamp(x, lo, hi) = min(max(x, lo), hi)."""

    is_commutative = True

    def __new__(cls, x: Any, lo: Any, hi: Any) -> Any:
        x, lo, hi = (sp.sympify(a) for a in (x, lo, hi))
        if not any(_open(a) for a in (x, lo, hi)):
            return sp.Min(sp.Max(x, lo), hi)
        return super().__new__(cls, x, lo, hi)

    def _latex(self, printer: Any) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        return r"\operatorname{clamp}\left(" + inner + r"\right)"


class InOrder(_Explicit):
    """A sum of matrices printed in the order written (W_0 + BA; SymPy puts BA first)."""

    def __new__(cls, *terms: Any) -> InOrder:
        return super().__new__(cls, *(sp.sympify(a) for a in terms))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _value(self) -> sp.ImmutableMatrix:
        total = sp.ImmutableMatrix(sp.MatAdd(*self.args).as_explicit())
        return total

    def _latex(self, printer: Any) -> str:
        return " + ".join(printer._print(a) for a in self.args)


# --------------------------------------------------------------------------- positions


def sinusoidal() -> Notation:
    pos, d = Tex(r"\mathit{pos}"), Tex("d")
    even = Tex(r"\mathrm{PE}_{(\mathit{pos},\, 2i)}")
    odd = Tex(r"\mathrm{PE}_{(\mathit{pos},\, 2i+1)}")
    index = sp.Symbol("i", integer=True, nonnegative=True)
    angle = Over(pos, sp.Integer(forms.BASE) ** Slash(2 * index, d))
    lines = ((even, sp.sin(angle)), (odd, sp.cos(angle)))
    return Notation(lines, Pairs(even, odd, index, d),
                    {pos: "pos", d: lambda _: forms.PE_DIM},
                    where="i = 0, …, d/2 − 1 (0-based, as in Vaswani et al.); the checked "
                          f"form has d = {forms.PE_DIM}")


class Rotated(_Explicit):
    """R_m x from its printed element formulas: for each admissible r (even, 2 … d) the
    components j ≤ r from the pair formulas (pair i = ⌈j/2⌉) and j > r passed through,
    selected by the parameter r as the form states it (r = 2, 4, …; otherwise r = d)."""

    def __new__(cls, odd: Any, even: Any, passed: Any, pair: sp.Symbol, coord: sp.Symbol,
                r: Any, d: Any) -> Rotated:
        return super().__new__(cls, *(sp.sympify(a) for a in (odd, even, passed)), pair, coord,
                               sp.sympify(r), sp.sympify(d))

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[6], sp.Integer(1)

    def _value(self) -> sp.ImmutableMatrix:
        odd, even, passed, pair, coord, r, d = self.args
        size = int(d)

        def component(jj: int, rr: int) -> sp.Expr:
            if jj > rr:
                return passed.xreplace({coord: sp.Integer(jj)})
            formula = odd if jj % 2 == 1 else even
            return formula.xreplace({pair: sp.Integer((jj + 1) // 2), r: sp.Integer(rr)})

        widths = list(range(2, size + 1, 2))
        return sp.ImmutableMatrix([
            sp.Piecewise(*((component(jj, rr), sp.Eq(r, rr)) for rr in widths[:-1]),
                         (component(jj, widths[-1]), True))
            for jj in range(1, size + 1)])

    def _latex(self, printer: Any) -> str:
        return r"\mathbf{R}_{m} \mathbf{x}"


def rope() -> Notation:
    d, r, b, m = Tex("d"), Tex("r"), Tex("b"), Tex("m")
    x = vec(r"\mathbf{x}", d)
    theta = Tex(r"\theta_{i}")
    out = {name: Tex(r"(\mathbf{R}_{m} \mathbf{x})_{" + sub + "}")
           for name, sub in (("odd", "2i-1"), ("even", "2i"), ("pass", "j"))}
    first, second = x.at(2 * i - 1), x.at(2 * i)
    angle = Juxtaposed(m, theta)
    lines = (
        (theta, b ** -Slash(sp.Mul(2, i - 1, evaluate=False), r)),
        (out["odd"], Terms(first * sp.cos(angle), -second * sp.sin(angle))),
        (out["even"], Terms(first * sp.sin(angle), second * sp.cos(angle))),
        (out["pass"], x.at(j)),
    )
    result = Rotated(out["odd"], out["even"], out["pass"], i, j, r, d)
    inputs = {x: "x", m: lambda args: args["m"][0], b: lambda _: forms.rope_base,
              r: lambda _: forms.rotary_dim, d: lambda _: forms.ROPE_DIM}
    return Notation(lines, result, inputs,
                    where="interleaved pairs i = 1 … r/2 rotated by the angle mθ_i (Su et "
                          "al.), base b = 10⁴ (LLaMA 3: 5·10⁵); coordinates j > r pass "
                          "through; r (rotary_dim) even, r = d rotates all; the checked form "
                          f"has d = {forms.ROPE_DIM}")


# --------------------------------------------------------------------------- LM probability


def _conditional(T: Any, V: Any) -> tuple[Any, Any, tuple[TexMatrix, ByEntry]]:
    z, y = mat(r"\mathbf{z}", T, V), mat(r"\mathbf{y}", T, V)
    lse = sp.log(sp.Sum(sp.exp(z.at(t, u)), (u, 1, V)))
    ell = TexMatrix(r"\log P(x_{t} \mid x_{<t})", T, 1)
    line = (ell, ByEntry(sp.Sum(Juxtaposed(y.at(t, v), z.at(t, v) - lse), (v, 1, V)), (t, c),
                         T, 1))
    return z, y, line


def _sum_conditionals(ell: TexMatrix, T: Any) -> sp.Sum:
    return sp.Sum(Term(ell, r"\log P(x_{#1} \mid x_{<#1})", t), (t, 1, T))


SEQUENCE_WHERE = ("z_tv: the logit of token v at step t (vocabulary of V); y_t one-hot on the "
                  "observed token x_t, so the inner sum picks log softmax(z_t) at x_t")


def sequence_logprob(T: Any = T, V: Any = V) -> Notation:
    z, y, line = _conditional(T, V)
    joint = Tex(r"\log P(x_{1}, \ldots, x_{T})")
    return Notation((line, (joint, _sum_conditionals(line[0], T))), joint, {z: "z", y: "y"},
                    where=SEQUENCE_WHERE)


def nll(T: Any = T, V: Any = V) -> Notation:
    z, y, line = _conditional(T, V)
    loss = Tex(r"\mathcal{L}")
    return Notation((line, (loss, -_sum_conditionals(line[0], T) / T)), loss,
                    {z: "z", y: "y"}, where=SEQUENCE_WHERE + "; exp(L) is the perplexity")


# --------------------------------------------------------------------------- sampling


def temperature(n: Any = n) -> Notation:
    z, tau = vec(r"\mathbf{z}", n), Tex(r"\tau")
    p = Tex("p_{i}")
    rhs = sp.exp(Slash(z.at(i), tau)) / sp.Sum(sp.exp(Slash(z.at(k), tau)), (k, 1, n))
    return Notation(((p, rhs),), p, {z: "z", tau: lambda args: args["tau"][0]},
                    index=((i, n),),
                    where="p = softmax(z/τ), i = 1 … n: τ < 1 sharpens, τ > 1 flattens; "
                          "τ → 0⁺ is the argmax")


def top_k(n: Any = n) -> Notation:
    z = vec(r"\mathbf{z}", n)
    kk = Tex("k")
    kth, kept, out = Tex(r"z_{(k)}"), vec(r"\mathcal{V}^{(k)}", n), Tex("p'_{i}")
    member = Indicator(sp.GreaterThan(z.at(i), kth, evaluate=False), r"z_{i} \geq z_{(k)}")
    lines = (
        (kth, KthLargest(z, kk)),
        (kept, SetOf(member, i, n, r"z_{i} \geq z_{(k)}")),
        (out, Member(i, kept) * sp.exp(z.at(i)) / SumIn(sp.exp(z.at(j)), j, kept)),
    )
    return Notation(lines, out, {z: "z", kk: lambda _: TOP_K}, index=((i, n),),
                    where="z_(k): the k-th largest logit; every token tied with it is kept, "
                          f"so |V^(k)| ≥ k; the checked form has k = {TOP_K}")


def top_p(n: Any = n) -> Notation:
    z = vec(r"\mathbf{z}", n)
    p = sp.Symbol("p", positive=True)  # the form's parameter p
    probs = TexMatrix("p_{j}", n, 1)  # j: i is the free index of the result
    kept, out = vec(r"\mathcal{V}^{(p)}", n), Tex("p'_{i}")

    def prob(index: Any) -> Term:
        return Term(probs, "p_{#1}", index)

    above = SumWhere(prob(j), sp.StrictGreaterThan(z.at(j), z.at(i), evaluate=False), j, i, n,
                     r"z_{j} > z_{i}")
    condition = r"\sum_{j : z_{j} > z_{i}} p_{j} < p"
    member = Indicator(sp.StrictLessThan(above, p, evaluate=False), condition)
    lines = (
        (probs, ByEntry(sp.exp(z.at(j)) / sp.Sum(sp.exp(z.at(k)), (k, 1, n)), (j, c), n, 1)),
        (kept, SetOf(member, i, n, condition)),
        (out, Member(i, kept) * sp.exp(z.at(i)) / SumIn(sp.exp(z.at(j)), j, kept)),
    )
    return Notation(lines, out, {z: "z"}, index=((i, n),),
                    where="V^(p): the smallest set of most probable tokens whose mass "
                          "reaches p (the token crossing p is kept, ties with it too); "
                          "e^{z_i}/Σ_{j∈V} e^{z_j} = p_i/Σ_{j∈V} p_j")


# --------------------------------------------------------------------------- scaling laws


def chinchilla_loss() -> Notation:
    N, D = Tex("N"), Tex("D")
    lhs = Tex("L(N, D)")
    rhs = Terms(forms.E_, Over(forms.A_, N**forms.ALPHA), Over(forms.B_, D**forms.BETA))
    return Notation(((lhs, rhs),), lhs, {N: "N", D: "D"},
                    where="N parameters, D training tokens; E the irreducible loss (L∞); "
                          "Hoffmann et al.: E = 1.69, A = 406.4, B = 410.7, α = 0.34, "
                          "β = 0.28")


def chinchilla_optimal() -> Notation:
    C, G = Tex("C"), Tex("G")
    a, b = forms.ALPHA, forms.BETA
    # the constants of G's ratio, written αA/(βB) (SymPy would order them A α / (B β))
    ta, tb, tA, tB = Tex(r"\alpha"), Tex(r"\beta"), Tex("A"), Tex("B")
    n_opt, d_opt = Tex(r"N_{\mathrm{opt}}"), Tex(r"D_{\mathrm{opt}}")
    lines = (
        (G, Over(Juxtaposed(ta, tA), Juxtaposed(tb, tB)) ** Slash(1, ta + tb)),
        (n_opt, Juxtaposed(G, (C / 6) ** Slash(tb, ta + tb))),
        (d_opt, Juxtaposed(G**-1, (C / 6) ** Slash(ta, ta + tb))),
    )
    constants = {ta: lambda _: a, tb: lambda _: b, tA: lambda _: forms.A_,
                 tB: lambda _: forms.B_}
    return Notation(lines, sp.ImmutableMatrix([n_opt, d_opt]), {C: "C", **constants},
                    where="the minimiser of L(N, D) = E + A/N^α + B/D^β under the compute "
                          "budget C = 6ND")


# --------------------------------------------------------------------------- LoRA, quant, KV

D_, R_ = sp.symbols("d r", integer=True, positive=True)


def lora(d: Any = D_, r: Any = R_) -> Notation:
    W0, B, A = (TexMatrix(r"\mathbf{W}_{0}", d, d), TexMatrix(r"\mathbf{B}", d, r),
                TexMatrix(r"\mathbf{A}", r, d))
    W = TexMatrix(r"\mathbf{W}'", d, d)
    return Notation(((W, InOrder(W0, B * A)),), W, {W0: "W0", B: "B", A: "A"},
                    where="B ∈ ℝ^{d×r}, A ∈ ℝ^{r×d}, r ≪ d: rank(BA) ≤ r; implementations "
                          "scale BA by α/r, a constant this form leaves in B")


def fake_quant() -> Notation:
    x, xq, xhat = Tex("x"), Tex(r"x_{q}"), Tex(r"\hat{x}")
    s, z = sp.Symbol("s", positive=True), sp.Symbol("z")
    qmin, qmax = Tex(r"q_{\min}"), Tex(r"q_{\max}")
    lines = (
        (xq, Clamp(Round(x / s) + z, qmin, qmax)),
        (xhat, s * (xq - z)),
    )
    return Notation(lines, xhat,
                    {x: "x", qmin: lambda _: sp.Symbol("qmin"), qmax: lambda _: sp.Symbol("qmax")},
                    where="scale s, zero point z; round half to even; clamp(v, a, b) = "
                          "min(max(v, a), b); 8-bit unsigned: q_min = 0, q_max = 255")


KV_NAMES = {
    "layers": r"n_{\mathrm{layers}}",
    "heads": r"n_{\mathrm{heads}}",
    "d_head": r"d_{\mathrm{head}}",
    "seq_len": r"n_{\mathrm{seq}}",
    "bytes_per_elem": r"b",
}


def kv_cache_bytes() -> Notation:
    symbols = {Tex(tex): name for name, tex in KV_NAMES.items()}
    lhs = Tex(r"M_{\mathrm{KV}}")
    return Notation(((lhs, Dotted(2, *symbols)),), lhs, symbols,
                    where="bytes of K and V (the 2) cached per sequence: n_seq tokens, b bytes "
                          "per element; with grouped-query attention n_heads is the number of "
                          "KV heads")


def kv_cache_flops() -> Notation:
    nn, d = Tex("n"), Tex("d")
    without, with_ = Tex(r"F_{\text{no cache}}"), Tex(r"F_{\text{cache}}")
    lines = (
        (without, Terms(Juxtaposed(8, nn, d**2), Juxtaposed(4, nn**2, d))),
        (with_, Terms(Juxtaposed(8, d**2), Juxtaposed(4, nn, d))),
    )
    return Notation(lines, sp.ImmutableMatrix([without, with_]), {nn: "n", d: "d"},
                    where="matmul FLOPs of one decoding step at context length n, one "
                          "attention layer of width d: re-projecting all n tokens and "
                          "attending n × n, against projecting one token and attending 1 × n")
