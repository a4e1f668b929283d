"""The one LaTeX printer of the project, and the parse-back of hand-written displays.

Why one printer: what the reference prints must be what was checked, so every display is
printed from a SymPy expression, with one set of conventions (named functions σ, Φ, GELU,
softmax; norms ‖·‖; ᵀ for transposes; 1-based subscripts; vectors in bold) instead of being
typed by hand. Named functions enter an expression only through `fold`, which replaces a
sub-expression by a function *defined* as that sub-expression, so `unfold(fold(e)) == e`
holds by construction (and `fold` checks it).

Where the notation cannot come from SymPy (argmax over a set, an expectation), an entry
carries a hand-written `display`; `parse_back` reads it with SymPy's LaTeX parser (Lark
backend) and proves it equal to the entry's SymPy form. The parser returns wrong expressions
without raising on much ML notation (`e^{x}` is the symbol e to the power x, `\\tanh` can come
back ambiguous), so a parse that succeeds still has to be proven equal.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Literal

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from mathcheck.symbolic._form import SymForm
from mathcheck.symbolic._prove import prove_equal

# --------------------------------------------------------------------------- named functions

#: LaTeX heads of named functions, by the SymForm's function name (the catalog `Ref` name).
HEADS: dict[str, str] = {
    "sigmoid": r"\sigma",
    "sigma": r"\sigma",
    "Phi": r"\Phi",
    "phi": r"\varphi",
    "gelu": r"\operatorname{GELU}",
    "gelu_tanh": r"\operatorname{GELU}_{\tanh}",
    "gelu_sigmoid": r"\operatorname{GELU}_{\sigma}",
    "relu": r"\operatorname{ReLU}",
    "leaky_relu": r"\operatorname{LeakyReLU}",
    "silu": r"\operatorname{SiLU}",
    "swish": r"\operatorname{Swish}",
    "softplus": r"\operatorname{softplus}",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\log",
    "softmax": r"\operatorname{softmax}",
    "log_softmax": r"\log\operatorname{softmax}",
    "cross_entropy": r"\mathcal{L}_{\mathrm{CE}}",
    "bce": r"\mathcal{L}_{\mathrm{BCE}}",
    "mse": r"\mathcal{L}_{\mathrm{MSE}}",
    "mae": r"\mathcal{L}_{\mathrm{MAE}}",
    "huber": r"\mathcal{L}_{\delta}",
    "focal": r"\mathcal{L}_{\mathrm{focal}}",
    "dot": r"\operatorname{dot}",
    "cosine_similarity": r"\cos\theta",
    "l2_norm": r"\lVert # \rVert_2",  # "#": where the arguments go (see `applied`)
    "l1_norm": r"\lVert # \rVert_1",
    "entropy": "H",
    "kl": r"D_{\mathrm{KL}}",
    "layer_norm": r"\operatorname{LayerNorm}",
    "rms_norm": r"\operatorname{RMSNorm}",
    "batch_norm": r"\operatorname{BatchNorm}",
    "trace": r"\operatorname{tr}",
    # forms named for what they compute, headed as the field writes the quantity
    "log_sigmoid": r"\log\sigma",
    "bce_with_logits": r"\mathcal{L}_{\mathrm{BCE}}",
    "bradley_terry": r"P_{\mathrm{BT}}",
    "chinchilla_loss": "L",
    "l2": r"\Omega",  # the penalties Ω(θ) of reg.l2 / reg.l1
    "l1": r"\Omega",
    "quadratic_form": "q",
    "reparameterization": "z",
    "scaled_score": "s",
    "residual": r"\operatorname{Residual}",
    "power": "f",
    "jacobian": r"\mathbf{J}",
    "gradient": r"\nabla f",
    "product_rule": "(f g)",
    "sum_rule": "(f + g)",
    "chain_rule": r"(f \circ g)",
}


def applied(name: str, args: str) -> str:
    """The function `name` applied to the printed `args`: head(args), or the head with the
    arguments in its place where it has one (‖a‖₂, not ‖·‖₂(a))."""
    text = head(name)
    return text.replace("#", args) if "#" in text else text + r"\left(" + args + r"\right)"


def head(name: str) -> str:
    """The LaTeX head for a function name: the table above, else \\operatorname{name}."""
    if name in HEADS:
        return HEADS[name]
    if len(name) == 1:
        return name
    return r"\operatorname{" + name.replace("_", r"\_") + "}"


class sigma(sp.Function):
    """The logistic function, defined as 1/(1 + e^{-x})."""

    @classmethod
    def definition(cls, u: sp.Expr) -> sp.Expr:
        return 1 / (1 + sp.exp(-u))


class Phi(sp.Function):
    """The standard normal CDF, defined as (1 + erf(x/√2))/2."""

    @classmethod
    def definition(cls, u: sp.Expr) -> sp.Expr:
        return (1 + sp.erf(u / sp.sqrt(2))) / 2


class phi(sp.Function):
    """The standard normal density, defined as e^{-x²/2}/√(2π)."""

    @classmethod
    def definition(cls, u: sp.Expr) -> sp.Expr:
        return sp.exp(-(u**2) / 2) / sp.sqrt(2 * sp.pi)


class Norm(sp.Function):
    """‖v‖₂ of a vector, defined as the square root of the sum of squares (a display only)."""

    @classmethod
    def definition(cls, u: sp.Expr) -> sp.Expr:  # pragma: no cover - display-level node
        return u


FOLDABLE = (sigma, Phi, phi)


class Bold(sp.Symbol):
    """A vector's name, printed in bold (z for the column of z_1 … z_n)."""


class Applied(sp.Symbol):
    """A function applied to its arguments, printed with its head: softmax(z)_i, σ(x).

    Used to fold a form's own value back into its derivative (σ(x)(1 − σ(x))).
    """

    def __new__(cls, latex_text: str, **assumptions: Any) -> Applied:
        obj = super().__new__(cls, f"applied[{latex_text}]", **assumptions)
        obj._latex_text = latex_text  # type: ignore[attr-defined]
        return obj

    def _latex(self, printer: Any) -> str:
        return self.name[len("applied[") : -1]


class Tex(sp.Symbol):
    """A scalar named by its LaTeX (m_{t-1}, \\hat{v}_t): textbook notation's symbols."""

    def _latex(self, printer: Any) -> str:
        return self.name


class TexMatrix(sp.MatrixSymbol):
    """A matrix or vector named by its LaTeX (\\mathbf{Q}, \\mathbf{W}_f)."""

    def _latex(self, printer: Any) -> str:
        return self.name


def _has_tex(expr: sp.Basic) -> bool:
    return any(isinstance(a, (Tex, TexMatrix)) for a in sp.preorder_traversal(expr))


# --------------------------------------------------------------------------- the printer

#: Names that the forms spell in ASCII, printed as the cheatsheet writes them.
MODIFIERS: dict[str, str] = {
    "hat": r"\hat{%s}",
    "bar": r"\bar{%s}",
    "tilde": r"\tilde{%s}",
    "dot": r"\dot{%s}",
    "vec": r"\vec{%s}",
    "star": "{%s^{*}}",
    "prime": "{%s'}",
}
WORDS: dict[str, str] = {"eps": r"\epsilon", "lam": r"\lambda", "lr": r"\eta", "inf": r"\infty"}


def _is_greek(name: str) -> bool:
    from sympy.printing.latex import greek_letters_set

    return name.split("_")[0].lower() in greek_letters_set


def _word(part: str) -> str:
    """One piece of a symbol name: Greek and modifiers via SymPy, ASCII words upright."""
    from sympy.printing.latex import translate

    if part in WORDS:
        return WORDS[part]
    translated = translate(part)
    if translated != part or len(part) <= 1 or part.isdigit():
        return translated
    return r"\mathrm{" + part + "}"


class ReferencePrinter(LatexPrinter):
    """SymPy's LaTeX printer with the reference's conventions."""

    printmethod = "_latex"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        # "old" keeps 1 + x and e^x − e^{−x} in the order people write them.
        base = {"mul_symbol": None, "fold_short_frac": False, "order": "old"}
        base.update(settings or {})
        super().__init__(base)

    def _print_sigma(self, expr: sp.Expr) -> str:
        return r"\sigma\left(" + self._print(expr.args[0]) + r"\right)"

    def _print_Phi(self, expr: sp.Expr) -> str:
        return r"\Phi\left(" + self._print(expr.args[0]) + r"\right)"

    def _print_phi(self, expr: sp.Expr) -> str:
        return r"\varphi\left(" + self._print(expr.args[0]) + r"\right)"

    def _print_Norm(self, expr: sp.Expr) -> str:
        return r"\left\lVert " + self._print(expr.args[0]) + r" \right\rVert"

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr in self._settings["symbol_names"]:
            return self._settings["symbol_names"][expr]
        parts = expr.name.split("_")
        text = _word(parts[0])
        subscripts = []
        for part in parts[1:]:
            if part in MODIFIERS:  # y_hat → ŷ
                text = MODIFIERS[part] % text
            elif part:
                subscripts.append(_word(part))
        if subscripts:
            text += "_{" + ",".join(subscripts) + "}"
        return text

    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list[sp.Basic]:
        """SymPy's order, except that a sum starts with a positive term (x_i − μ, not −μ + x_i)."""
        terms = list(super()._as_ordered_terms(expr, order=order))
        if any(_has_tex(t) for t in terms):  # notation: the variables first, √v̂_t + ε
            terms.sort(key=lambda t: not _has_tex(t))
        elif len(terms) > 1 and type(terms[0]) is sp.Symbol and terms[0].is_positive:
            if all(t.has(sp.Indexed, sp.Sum) for t in terms[1:]):  # (1/n)Σ x_k² + ε
                terms.append(terms.pop(0))
        if terms and terms[0].could_extract_minus_sign():
            for k, term in enumerate(terms):
                if not term.could_extract_minus_sign():
                    terms.insert(0, terms.pop(k))
                    break
        return terms

    def _print_Mul(self, expr: sp.Mul) -> str:
        """A constant factor of a sum goes in front: (1/n) Σ_k x_k rather than Σ_k x_k / n."""
        decimals = [a for a in expr.args if isinstance(a, _Decimal)]
        if decimals and len(expr.args) > 1:  # 1.702 x, −0.134145 x² tanh x: the constant first
            rest = sp.Mul(*(a for a in expr.args if not isinstance(a, _Decimal)))
            sign = "- " if rest.could_extract_minus_sign() else ""
            rest = -rest if sign else rest
            shown = " ".join(d.name for d in decimals)
            if rest == 1:
                return sign + shown
            return sign + shown + " " + self.parenthesize(rest, PRECEDENCE["Mul"], strict=True)
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        if len(sums) == 1:
            coefficient = expr / sums[0]
            if not coefficient.has(sp.Sum, sp.Indexed) and coefficient.count_ops() <= 3:
                sign = ""
                if coefficient.could_extract_minus_sign():
                    sign, coefficient = "- ", -coefficient
                text = "" if coefficient == 1 else self._print(coefficient) + " "
                return sign + text + self._print(sums[0])
        if _has_tex(expr) and not expr.could_extract_minus_sign():
            _, denominator = sp.fraction(expr)
            if denominator == 1:  # notation: coefficients first, (1 − β₁) g_t
                factors = sorted(sp.Mul.make_args(expr), key=_has_tex)
                return " ".join(self.parenthesize(f, 50) for f in factors)
        if len(expr.args) >= 2 and all(type(f) is sp.Symbol for f in expr.args):
            # A parameter in front, as written: α x, λ θ (SymPy's order would give x α).
            ordered = sorted(expr.args, key=lambda f: not _is_greek(f.name))
            return " ".join(self._print(f) for f in ordered)
        return super()._print_Mul(expr)

    def _print_Bold(self, expr: sp.Symbol) -> str:
        return r"\boldsymbol{" + self._print_Symbol(sp.Symbol(expr.name)) + "}"

    def _print_Applied(self, expr: Applied) -> str:
        return expr._latex(self)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        indices = [self._print(i) for i in expr.indices]
        joined = "".join(indices) if all(len(i) == 1 for i in indices) else ",".join(indices)
        subscripted = re.match(r"^(.*)_\{(.*)\}$", base)
        if subscripted:  # r_w indexed by k: r_{w,k}, never a double subscript
            return f"{subscripted.group(1)}_{{{subscripted.group(2)},{joined}}}"
        if "_" in base or "^" in base:
            base = "{" + base + "}"
        return f"{base}_{{{joined}}}"

    def _print_Transpose(self, expr: sp.Expr) -> str:
        if isinstance(expr.arg, sp.MatrixSymbol):
            name = self._print(expr.arg)
            return ("{" + name + "}" if "^" in name else name) + r"^{\top}"
        return self.parenthesize(expr.arg, 1000) + r"^{\top}"

    def _print_MatMul(self, expr: sp.Expr) -> str:
        """A scalar divisor under the product, as written: QKᵀ/√d_k."""
        scalar, matrices = expr.as_coeff_matrices()
        numerator, denominator = sp.fraction(scalar)
        body = " ".join(self._matrix_factor(m) for m in matrices)
        if denominator != 1:
            top = body if numerator == 1 else self._print(numerator) + " " + body
            return r"\frac{" + top + "}{" + self._print(denominator) + "}"
        if scalar == 1:
            return body
        if scalar == -1:
            return "- " + body
        return self.parenthesize(scalar, 50) + " " + body

    def _print_HadamardProduct(self, expr: sp.Expr) -> str:
        def factor(a: sp.Basic) -> str:
            text = self._print(a)
            return r"\left(" + text + r"\right)" if isinstance(a, (sp.MatMul, sp.MatAdd)) else text

        return r" \odot ".join(factor(a) for a in expr.args)

    def _matrix_factor(self, m: sp.Basic) -> str:
        text = self._print(m)
        return r"\left(" + text + r"\right)" if isinstance(m, (sp.MatAdd, sp.Add)) else text

    def _print_Function(self, expr: sp.Expr, exp: str | None = None) -> str:
        name = type(expr).__name__
        if isinstance(expr, sp.core.function.AppliedUndef) and len(name) > 1:
            args = ", ".join(self._print(a) for a in expr.args)
            text = applied(name, args)
            return f"{text}^{{{exp}}}" if exp else text
        return super()._print_Function(expr, exp)


_PRINTER = ReferencePrinter()


#: A rational with a denominator of 100 or more made of 2s and 5s is a decimal constant
#: (1702/1000 is 1.702, 8943/200000 is 0.044715 · 3): printed as its exact decimal.
DECIMAL_FROM = 100


def _decimal(r: sp.Rational) -> str | None:
    q = int(r.q)
    twos, fives = 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1 or r.q < DECIMAL_FROM:
        return None
    digits = max(twos, fives)
    return f"{abs(r.p) * 10**digits // r.q}".rjust(digits + 1, "0")[:-digits] + "." + \
        f"{abs(r.p) * 10**digits // r.q}".rjust(digits + 1, "0")[-digits:].rstrip("0")


class _Decimal(sp.Symbol):
    """A decimal constant, ordered with the numbers (first in a product: 1.702 x)."""

    def _latex(self, printer: Any) -> str:
        return self.name

    @classmethod
    def class_key(cls) -> tuple[int, int, str]:
        return 1, 0, "Number"


def _decimals(expr: Any) -> Any:
    """The expression with its decimal constants as exact decimals (for printing only)."""
    if not isinstance(expr, sp.Basic):
        return expr
    swap = {}
    for r in expr.atoms(sp.Rational):
        text = _decimal(r)
        if text is not None:
            swap[r] = _Decimal(text) if r > 0 else -_Decimal(text)
    return expr.xreplace(swap) if swap else expr


def latex(expr: Any) -> str:
    """Print an expression (or Matrix, or Equation sides) with the reference's conventions."""
    return _PRINTER.doprint(_decimals(expr))


# --------------------------------------------------------------------------- folding


def _as_sigma(e: sp.Expr) -> sp.Expr | None:
    """1/(1 + e^{w}) → σ(−w)."""
    if isinstance(e, sp.Pow) and e.exp == -1 and isinstance(e.base, sp.Add):
        terms = e.base.args
        if len(terms) == 2 and sp.S.One in terms:
            other = terms[0] if terms[1] == 1 else terms[1]
            if isinstance(other, sp.exp):
                return sigma(-other.args[0])
    return None


def _as_two_phi(e: sp.Expr) -> sp.Expr | None:
    """1 + erf(u/√2) → 2Φ(u)."""
    if isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.One in e.args:
        other = e.args[0] if e.args[1] == 1 else e.args[1]
        if isinstance(other, sp.erf):
            return 2 * Phi(sp.expand(other.args[0] * sp.sqrt(2)))
    return None


def _as_phi_from_erfc(e: sp.Expr) -> sp.Expr | None:
    """erfc(w) → 2Φ(−√2·w) (so x·erfc(−x/√2)/2 reads x·Φ(x))."""
    if isinstance(e, sp.erfc):
        return 2 * Phi(sp.expand(-sp.sqrt(2) * e.args[0]))
    return None


def _fold_phi_density(e: sp.Expr) -> sp.Expr:
    """√2·e^{-u²/2}/(2√π) → φ(u), for u a symbol of the expression."""
    for s in sorted(e.free_symbols, key=str):
        if isinstance(s, sp.Symbol) or isinstance(s, sp.Indexed):
            e = e.subs(phi.definition(s), phi(s))
    return e


def fold(expr: Any, keep_root: bool = True) -> Any:
    """Replace sub-expressions by the named functions defined as them (σ, Φ, φ).

    The root is never folded when `keep_root` (σ's own display stays 1/(1 + e^{-x})).
    Returns the original expression if unfolding would not give it back.
    """
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda e: fold(e, keep_root))
    if not isinstance(expr, sp.Basic):
        return expr

    def walk(e: sp.Basic, root: bool) -> sp.Basic:
        if e.is_Atom or isinstance(e, sp.Indexed):
            return e
        args = [walk(a, False) for a in e.args]
        try:
            e = e.func(*args) if args != list(e.args) else e
        except TypeError:
            return e
        if root and keep_root:
            return e
        for rule in (_as_sigma, _as_two_phi, _as_phi_from_erfc):
            folded = rule(e)
            if folded is not None:
                return folded
        return e

    folded = walk(expr, True)
    if not isinstance(expr, sp.Matrix):
        folded = _fold_phi_density(folded) if folded.has(sp.exp) else folded
    if folded == expr:
        return folded
    try:
        back = unfold(folded)
        if back == expr or sp.expand(back - expr) == 0:
            return folded
        if sp.expand((back - expr).rewrite(sp.erf)) == 0:
            return folded
    except Exception:
        pass
    return expr


def unfold(expr: Any) -> Any:
    """Replace the named functions by their definitions (the inverse of `fold`)."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(unfold)
    for fn in FOLDABLE:
        expr = expr.replace(
            lambda e, fn=fn: isinstance(e, fn), lambda e, fn=fn: fn.definition(e.args[0])
        )
    return expr


# --------------------------------------------------------------------------- parse-back

ParseStatus = Literal["proven", "confirmed", "unparseable", "mismatched", "no_form"]


@dataclass(frozen=True)
class ParseBack:
    """The outcome of reading a hand-written display back into SymPy."""

    status: ParseStatus
    detail: str
    parsed: str | None = None  # the parsed expression, as SymPy prints it


def _reason(exc: Exception, text: str) -> str:
    """Why the parser gave up, naming the LaTeX it could not read (not just a column)."""
    column = getattr(exc, "column", None)
    if isinstance(column, int) and column > 0:
        token = re.match(r"\\[A-Za-z]+|\\.|.", text[column - 1 :])
        if token:
            return f"the Lark LaTeX grammar has no rule for `{token.group(0)}` in `{text.strip()}`"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message[:160]}"


def _equations(display: str) -> list[str]:
    """Equations set side by side with \\quad or \\qquad (and an optional comma)."""
    pieces = re.split(r",?\s*\\q?quad\b\s*", display)
    return [p.strip() for p in pieces if p.strip()] or [display]


def _split_equals(display: str) -> list[str]:
    """Top-level '=' splits (outside braces, \\left/\\right groups are braces-free anyway)."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(display):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            parts.append(display[start:k])
            start = k + 1
    parts.append(display[start:])
    return [p.strip() for p in parts if p.strip()]


def _parse(text: str) -> sp.Basic:
    from sympy.parsing.latex import parse_latex

    kwargs: dict[str, Any] = {"backend": "lark"}
    if "strict" in inspect.signature(parse_latex).parameters:
        # In SymPy ≤ 1.14 `strict` only affects the ANTLR backend; Lark is always strict
        # (it raises on input outside its grammar). Passing it keeps newer SymPy strict too.
        kwargs["strict"] = True
    result = parse_latex(text, **kwargs)
    if not isinstance(result, sp.Basic):
        raise ValueError(f"ambiguous parse ({type(result).__name__}), e.g. \\tanh read as tan·h")
    return result


_SUBSCRIPTED = re.compile(r"^([A-Za-z]+)_\{?([A-Za-z0-9]+)\}?$")


def _normalise(parsed: sp.Basic, form: SymForm) -> sp.Basic:
    """Map the parser's symbols onto the form's: e → Euler's number, z_{j} → Indexed."""
    replacements: dict[sp.Basic, sp.Basic] = {}
    for s in parsed.free_symbols:
        if s.name == "e":
            replacements[s] = sp.E
            continue
        m = _SUBSCRIPTED.match(s.name)
        if m and m.group(1) in form.args and isinstance(form.args[m.group(1)], sp.MatrixBase):
            index = m.group(2)
            idx: sp.Basic = (
                sp.Integer(int(index)) if index.isdigit() else sp.Symbol(index, integer=True)
            )
            replacements[s] = sp.IndexedBase(m.group(1))[idx]
    parsed = parsed.xreplace(replacements)
    # Bound summation variables must be the integer symbols used in the Indexed objects.
    bound = {v: sp.Symbol(v.name, integer=True) for s in parsed.atoms(sp.Sum) for v, *_ in s.limits}
    parsed = parsed.xreplace(bound)
    by_name: dict[str, sp.Basic] = {}
    for value in form.args.values():
        if isinstance(value, sp.Symbol):
            by_name[value.name] = value
    for value in form.params.values():
        by_name[value.name] = value
    return parsed.xreplace(
        {
            s: by_name[s.name]
            for s in parsed.free_symbols
            if isinstance(s, sp.Symbol) and s.name in by_name
        }
    )


def _instantiate(parsed: sp.Basic, form: SymForm, sizes: dict[str, int]) -> sp.Basic:
    """Substitute sizes, expand sums and map z[k] (1-based) onto the form's z_{k-1}."""
    size_subs = {sp.Symbol(k): v for k, v in sizes.items()}
    size_subs.update({sp.Symbol(k, integer=True): v for k, v in sizes.items()})
    expr = parsed.xreplace(size_subs).doit()

    def element(ix: sp.Indexed) -> sp.Basic:
        arr = form.args[str(ix.base.label)]
        k = [int(i) - 1 for i in ix.indices]
        return arr[k[0], k[1]] if len(k) == 2 else arr[k[0]]

    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and all(i.is_Integer for i in e.indices), element
    )


def parse_back(display: str, form: SymForm, sizes: dict[str, int] | None = None) -> ParseBack:
    """Parse a hand-written display and prove it equal to the form (at `sizes`).

    The display's right-hand side(s) (after top-level '=') are compared with the form's
    expression; for a vector form the display's free index i is set to every component.
    """
    sizes = sizes or {}
    # Several equations side by side (A v = λ v, \qquad A = P D P^{-1}): the first is the form.
    parts = _split_equals(_equations(display)[0])
    candidates = parts[1:] if len(parts) > 1 else parts
    parsed_texts: list[str] = []
    verdict = ParseBack("unparseable", "empty display")
    for text in candidates:
        try:
            parsed = _normalise(_parse(text), form)
        except Exception as exc:  # the parser raises many exception types
            return ParseBack("unparseable", _reason(exc, text))
        parsed_texts.append(sp.sstr(parsed))
        try:
            verdict = _compare(parsed, form, sizes)
        except Exception as exc:
            verdict = ParseBack("mismatched", f"could not map onto the form: {exc}")
        if verdict.status not in ("proven", "confirmed"):
            break
    return ParseBack(verdict.status, verdict.detail, "; ".join(parsed_texts))


def parse_only(display: str) -> ParseBack:
    """For a display without a SymPy form: can the parser read it at all? (never "proven")"""
    parsed = []
    for text in (part for eq in _equations(display) for part in _split_equals(eq)):
        try:
            parsed.append(sp.sstr(_parse(text)))
        except Exception as exc:  # the parser raises many exception types
            return ParseBack("unparseable", _reason(exc, text))
    return ParseBack(
        "no_form", "parsed, but the entry has no SymPy form to prove it against", "; ".join(parsed)
    )


def _compare(parsed: sp.Basic, form: SymForm, sizes: dict[str, int]) -> ParseBack:
    known: set[sp.Basic] = set()
    for value in list(form.args.values()) + list(form.params.values()):
        known |= set(value.free_symbols)
    bound = {v for s in parsed.atoms(sp.Sum) for v, *_ in s.limits}
    free_index = [
        s
        for s in parsed.free_symbols
        if isinstance(s, sp.Symbol) and s.name == "i" and s not in bound and s not in known
    ]
    target = form.expr
    if isinstance(target, sp.MatrixBase):
        if free_index:
            i = free_index[0]
            got = sp.Matrix(
                [_instantiate(parsed.xreplace({i: k + 1}), form, sizes) for k in range(len(target))]
            )
            want = sp.Matrix(list(target))
        elif target.shape == (1, 1):
            got, want = sp.Matrix([_instantiate(parsed, form, sizes)]), sp.Matrix([target[0]])
        else:
            rows, cols = target.shape
            return ParseBack(
                "mismatched",
                f"parsed as the scalar {sp.sstr(parsed)}, but the form is a {rows}×{cols} "
                "matrix: the parser reads matrix notation as a product of scalars",
            )
    else:
        got, want = sp.Matrix([_instantiate(parsed, form, sizes)]), sp.Matrix([target])
    leftover = {s for s in got.free_symbols if s not in known}
    if leftover:
        names = ", ".join(sorted(str(s) for s in leftover))
        return ParseBack("mismatched", f"parsed with symbols the form does not have: {names}")
    proof = prove_equal(got, want, time_budget=5.0)
    status: ParseStatus = "mismatched" if proof.status == "failed" else proof.status  # type: ignore[assignment]
    return ParseBack(status, proof.detail)
