"""Every displayed formula of an entry, printed from SymPy (or, by exception, by hand).

For each entry: the main display (index notation when `indexing.generalize` can verify it,
else the form at its smallest sizes), the derivatives re-derived with `sympy.diff` next to
the stated ones, and the identities as built. Anything that fails is reported in the
display's note instead of breaking the build: the catalog grows while this is written.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp
from sympy.core.function import AppliedUndef

from mathcheck.formulas import Derivative, Entry, Identity, resolve
from mathcheck.reference._limits import FAILURES, limit
from mathcheck.reference.breaking import arrange, readable
from mathcheck.reference.indexing import (
    Generic,
    Layout,
    element_map,
    generalize,
    output_dims,
)
from mathcheck.symbolic import SIMPLIFIED, Equation, SymForm, prove_equal
from mathcheck.symbolic.latex import (
    Applied,
    Bold,
    ParseBack,
    applied,
    fold,
    latex,
    parse_back,
    parse_only,
)
from mathcheck.symbolic.notation import notation_latex, prove_notation

INDEX_REPRODUCED = "index notation reproduces SymPy's result at two sets of sizes"
#: Parts of a derivation's note every proven one carries (the notation page says them once).
ROUTINE = (SIMPLIFIED, INDEX_REPRODUCED)

MAX_CHARS = 1600  # longer than this, a concrete display is not worth printing
MAX_NODES = 20_000  # a form this large is not printed at all (it would only exhaust the limit)
Source = Literal["sympy", "sympy-sized", "notation", "hand", "none"]
#: How a display is tied to the checked SymPy form (the build summary counts them):
#: printed from it, proven (or only numerically confirmed) equal to it, or neither.
Provenance = Literal["printed", "proven", "confirmed", "unproven", "none"]


@dataclass
class Display:
    """One displayed formula: the LaTeX, where it came from, and what was verified."""

    latex: str | None
    source: Source
    note: str = ""
    parse_back: ParseBack | None = None
    checked: str | None = None  # for a hand-written display: the SymPy form it was checked against
    where: str = ""  # for a textbook display: what its symbols are

    @property
    def provenance(self) -> Provenance:
        if self.latex is None:
            return "none"
        if self.source in ("sympy", "sympy-sized"):
            return "printed"
        if self.source == "notation":
            return "proven" if self.note.startswith("proven") else "confirmed"
        status = self.parse_back.status if self.parse_back else ""
        return status if status in ("proven", "confirmed") else "unproven"  # type: ignore[return-value]


@dataclass
class Derived:
    """A derivative or identity of an entry, as SymPy derived or built it."""

    label: str
    kind: str
    latex: str | None
    proof: str  # "proven", "confirmed", "failed", "not checked"
    note: str = ""

    @property
    def concrete(self) -> bool:
        """Printed at fixed sizes (evidence, set in the appendix), not as a general formula."""
        return bool(self.latex) and ("built at" in self.note or "printed at" in self.note)


@dataclass
class EntryDisplays:
    main: Display
    derived: list[Derived] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _name(entry: Entry) -> str:
    ref = entry.symbolic
    name = getattr(ref, "name", None) or getattr(ref, "__name__", "") or entry.id.split(".")[-1]
    return str(name)


def _size_names(builder: Callable[..., SymForm], entry: Entry) -> tuple[str, ...]:
    try:
        params = inspect.signature(builder).parameters
    except (TypeError, ValueError):
        return tuple(entry.domain.sizes) if entry.domain else ()
    return tuple(
        p
        for p, v in params.items()
        if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY) and v.default is v.empty
    )


def _small_sizes(names: tuple[str, ...], entry: Entry, floor: int = 2) -> dict[str, int]:
    ranges = entry.domain.sizes if entry.domain else {}
    sizes = {}
    for name in names:
        low, high = ranges.get(name, (floor, floor + 2))
        sizes[name] = max(min(max(low, floor), high), 1)
    return sizes


def _arg_dims(entry: Entry) -> dict[str, tuple[str | None, ...]]:
    if entry.domain is None:
        return {}
    return {
        a.name: tuple(d if isinstance(d, str) else None for d in a.shape) for a in entry.domain.args
    }


def _arg_latex(name: str, value: Any) -> sp.Basic:
    if isinstance(value, sp.MatrixBase):
        rows, cols = value.shape
        return Bold(name) if 1 in (rows, cols) else sp.Symbol(name)
    return value


def lhs(entry: Entry, form: SymForm, index: tuple[sp.Symbol, ...] = ()) -> str:
    """head(args)_i: the left-hand side naming the function and its inputs."""
    args = ", ".join(latex(_arg_latex(n, v)) for n, v in form.args.items())
    text = applied(_name(entry), args)
    if index:
        text += "_{" + "".join(latex(i) for i in index) + "}"
    return text


def _concrete(expr: Any, form: SymForm) -> Any:
    """The form's element symbols as 1-based subscripts (z_1 … z_n), folded."""
    mapping = element_map(form)
    value = expr.xreplace(mapping) if hasattr(expr, "xreplace") else expr
    return fold(value)


def _sized_note(sizes: dict[str, int]) -> str:
    if not sizes:
        return ""
    return "shown at " + ", ".join(f"{k} = {v}" for k, v in sizes.items())


def _atoms(value: Any, kind: type) -> list[sp.Basic]:
    items = list(value) if isinstance(value, sp.MatrixBase) else [value]
    return [a for item in items if isinstance(item, sp.Basic) for a in item.atoms(kind)]


def _fit(text: str, left: str, value: Any) -> tuple[str | None, str]:
    """Shorten a concrete display: whole, then its first component, then nothing."""
    if len(text) <= MAX_CHARS and readable(text, rows=6):
        return text, ""
    if isinstance(value, sp.MatrixBase) and len(value) > 1:
        subscript = "_{1}" if value.shape[1] == 1 else "_{11}"
        first = arrange(left + subscript, [value[0]])
        if len(first) <= MAX_CHARS and readable(first, rows=6):
            return first, "first component only"
    return None, f"too long to print ({len(text)} characters of LaTeX)"


# --------------------------------------------------------------------------- main display


@dataclass
class Prepared:
    """What the derivative displays reuse from the main display."""

    builder: Callable[..., SymForm] | None = None
    names: tuple[str, ...] = ()
    generic: Generic | None = None
    small: dict[str, int] = field(default_factory=dict)
    notation_failure: str = ""


def main_display(entry: Entry, prepared: Prepared) -> Display:
    if entry.symbolic is None:
        note = entry.no_numeric_reason or "no SymPy form"
        if entry.display:
            return Display(
                entry.display,
                "hand",
                note,
                _parse_only(entry.display),
            )
        return Display(None, "none", note)
    try:
        builder = resolve(entry.symbolic)
        names = _size_names(builder, entry)
        small = _small_sizes(names, entry)
        form = builder(**small)
    except FAILURES as exc:
        return Display(
            entry.display,
            "hand" if entry.display else "none",
            f"SymPy form failed to build: {type(exc).__name__}: {exc}",
        )
    prepared.builder, prepared.names, prepared.small = builder, names, small
    if entry.notation is not None:
        shown = _notation_display(entry, prepared)
        if any(isinstance(c, Derivative) for c in entry.claims):
            _print_form(entry, form, prepared)  # its index notation folds the derivatives
        if shown is not None:
            return shown
    checked = _print_form(entry, form, prepared)
    if entry.notation is not None:
        checked.note = "; ".join(x for x in (prepared.notation_failure, checked.note) if x)
    if entry.display:
        try:
            with limit(30.0):
                verdict = parse_back(entry.display, form, small)
        except FAILURES as exc:
            verdict = ParseBack("unparseable", f"{type(exc).__name__}: {exc}")
        return Display(entry.display, "hand", "", verdict, checked.latex)
    return checked


def _print_form(entry: Entry, form: SymForm, prepared: Prepared) -> Display:
    size = _nodes(form.expr)
    if size > MAX_NODES:  # block.transformer: 2·10⁵ nodes; the largest printable, ~10³
        return Display(None, "none", f"the SymPy form has {size} operations at its smallest "
                       "sizes: too large to print")
    dims = _arg_dims(entry)
    builder, names = prepared.builder, prepared.names
    if names and builder is not None:

        def build(sizes: dict[str, int]) -> tuple[SymForm, sp.Basic]:
            f = builder(**sizes)
            return f, f.expr

        def layout_of(sizes: dict[str, int], value: sp.Basic) -> Layout:
            return Layout(dims, output_dims(value, sizes))

        try:
            generic = generalize(build, layout_of, names, _check_sizes(prepared.small), budget=30.0)
            prepared.generic = generic
            at = " and at ".join(
                ", ".join(f"{k} = {v}" for k, v in sizes.items()) for sizes in generic.verified_at
            )
            note = f"index notation reproduces the SymPy form at {at}"
            return Display(
                f"{lhs(entry, form, generic.index)} = {latex(fold(generic.expr))}", "sympy", note
            )
        except FAILURES as exc:  # NotGeneral, or out of time
            reason = str(exc)
            del reason
    value = form.expr
    left = lhs(entry, form)
    opaque = [f for f in _atoms(value, AppliedUndef) if len(f.args) > 3]
    if opaque:
        name = type(opaque[0]).__name__
        return Display(
            None,
            "none",
            f"the SymPy form evaluates {name} numerically (mpmath); "
            "it has no closed form to print: see the code",
        )
    elementary = (
        isinstance(value, sp.Function)
        and not isinstance(value, (sp.Piecewise, sp.Min, sp.Max))
        and set(value.args) <= set(form.args.values())
    )
    if elementary and latex(value) == latex(fold(value, keep_root=False)):
        rewritten = value.rewrite(sp.exp)  # tanh(x): print the definition SymPy knows
        if rewritten != value:
            return Display(
                f"{latex(value)} = {latex(rewritten)}",
                "sympy",
                "the right-hand side is SymPy's rewrite of the form",
            )
    try:
        text = arrange(left, [_concrete(value, form)])
    except FAILURES as exc:
        return Display(None, "none", f"could not print the SymPy form: {exc}")
    fitted, why = _fit(text, left, _concrete(value, form))
    note = "; ".join(x for x in (_sized_note(prepared.small), why) if x)
    return Display(fitted, "sympy-sized" if prepared.small else "sympy", note)


def _notation_display(entry: Entry, prepared: Prepared) -> Display | None:
    """The textbook display, if it is proven (or confirmed) equal to the form at two sets of
    sizes; else None, and the reason in `prepared.notation_failure`."""
    assert entry.notation is not None and prepared.builder is not None
    try:
        with limit(60.0):
            builder = resolve(entry.notation)
            shown = builder()
            text = notation_latex(shown)
            sizes = _proof_sizes(entry, prepared)
            status, detail = prove_notation(builder, prepared.builder, sizes)
    except FAILURES as exc:
        status, detail = "failed", f"{type(exc).__name__}: {exc}"
    if status == "failed":
        prepared.notation_failure = f"the textbook display did not prove equal ({detail})"
        return None
    word = "proven equal" if status == "proven" else "confirmed numerically equal"
    note = f"{word} to the checked SymPy form at {detail}"
    return Display(text, "notation", note, where=shown.where)


def _proof_sizes(entry: Entry, prepared: Prepared) -> list[dict[str, int]]:
    """The smallest sizes and one step up (within the domain): two instances to prove."""
    if not prepared.names:
        return [{}]
    ranges = entry.domain.sizes if entry.domain else {}
    first = _check_sizes(prepared.small)
    second = {}
    for name, value in first.items():
        high = ranges.get(name, (value, value + 1))[1]
        second[name] = value + 1 if value + 1 <= high else value
    return [first, second] if second != first else [first]


def _nodes(expr: Any) -> int:
    items = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return sum(sum(1 for _ in sp.preorder_traversal(i)) for i in items if isinstance(i, sp.Basic))


def _parse_only(display: str) -> ParseBack:
    try:
        with limit(20.0):
            return parse_only(display)
    except FAILURES as exc:
        return ParseBack("unparseable", f"{type(exc).__name__}: {exc}")


def _check_sizes(small: dict[str, int]) -> dict[str, int]:
    return {k: max(v, 2) for k, v in small.items()}


# --------------------------------------------------------------------------- derived


def _flat(x: Any) -> list[sp.Basic]:
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def jacobian(form: SymForm, wrt: str) -> sp.Basic:
    """SymPy's derivative of the form w.r.t. one input (Jacobian, row-major, for arrays)."""
    variable = form.args[wrt]
    if not isinstance(form.expr, sp.MatrixBase) and not isinstance(variable, sp.MatrixBase):
        return sp.diff(form.expr, variable)
    outputs = sp.Matrix(_flat(form.expr))
    inputs = _flat(variable)
    jac = outputs.jacobian(inputs)
    if not isinstance(form.expr, sp.MatrixBase):
        return jac.T  # a gradient: a column
    return jac


def _shaped_like(stated: Any, derived: Any) -> Any:
    if isinstance(derived, sp.MatrixBase):
        items = _flat(stated)
        if len(items) == len(derived):
            return sp.Matrix(derived.shape[0], derived.shape[1], items)
    return stated


def _derivative_lhs(entry: Entry, form: SymForm, wrt: str, index: tuple[sp.Symbol, ...]) -> str:
    variable = form.args[wrt]
    out_index = index[:1] if isinstance(form.expr, sp.MatrixBase) else ()
    name = lhs(entry, form, out_index)
    if not isinstance(variable, sp.MatrixBase):
        wrt_tex = latex(variable)
        if not isinstance(form.expr, sp.MatrixBase):
            return r"\frac{\mathrm{d}}{\mathrm{d}" + wrt_tex + r"}\," + name
        return r"\frac{\partial}{\partial " + wrt_tex + r"}\," + name
    wrt_index = index[1:] if out_index else index
    wrt_tex = latex(sp.IndexedBase(wrt)[wrt_index]) if wrt_index else latex(Bold(wrt))
    return r"\frac{\partial}{\partial " + wrt_tex + r"}\," + name


def _self_fold(
    expr: sp.Basic,
    entry: Entry,
    form: SymForm,
    generic: Generic | None,
    index: tuple[sp.Symbol, ...],
) -> sp.Basic:
    """Write the form's own value back as its name: σ(x)(1 − σ(x)), softmax(z)_i(δ_ij − …)."""
    replacements: dict[sp.Basic, sp.Basic] = {}
    if generic is None:
        if not isinstance(form.expr, sp.MatrixBase):
            replacements[_concrete(form.expr, form)] = Applied(lhs(entry, form))
    else:
        base = generic.expr
        for idx in index or (None,):
            if generic.index and idx is not None:
                value = base.xreplace({generic.index[0]: idx})
                replacements[value] = Applied(lhs(entry, form, (idx,)))
            elif not generic.index:
                replacements[base] = Applied(lhs(entry, form))
    if not replacements:
        return expr
    try:
        with limit(5.0):
            folded = expr
            for value, name in replacements.items():
                folded = folded.subs(value, name)
            back = folded.xreplace({v: k for k, v in replacements.items()})
            if folded != expr and sp.simplify(back - expr) == 0:
                return folded
    except FAILURES:
        pass
    return expr


def derivative_view(entry: Entry, claim: Derivative, prepared: Prepared) -> Derived:
    label = claim.label if claim.label != "derivative" else f"derivative w.r.t. {claim.wrt}"
    builder = prepared.builder
    if builder is None:
        return Derived(label, "derivative", None, "not checked", "no SymPy form")
    stated_fn = resolve(claim.expected)
    sizes = {name: claim.sizes.get(name, 3) for name in prepared.names}
    try:
        with limit(30.0):
            form = builder(**sizes)
            derived = jacobian(form, claim.wrt)
            stated = _shaped_like(stated_fn(form), derived)
            proof = prove_equal(derived, stated, time_budget=15.0)
    except FAILURES as exc:
        return Derived(label, "derivative", None, "failed", f"{type(exc).__name__}: {exc}")
    texts: list[Any] = []
    note = proof.detail
    try:
        texts, index, note_extra = _derivative_texts(entry, claim, prepared, stated_fn)
        note = "; ".join(x for x in (note, note_extra) if x)
    except FAILURES as exc:  # fall back to the sized print
        index = ()
        note = (
            f"{note}; printed at {', '.join(f'{k} = {v}' for k, v in sizes.items())}"
            if sizes
            else note
        )
        del exc
        texts = []
        for value in (derived, stated):
            texts.append(_self_fold(_concrete(value, form), entry, form, None, ()))
    left = _derivative_lhs(entry, form, claim.wrt, index)
    body = arrange(left, texts)
    if len(body) > 2 * MAX_CHARS or not readable(body, rows=4):
        return Derived(label, "derivative", None, proof.status, f"{note}; too long to print")
    return Derived(label, "derivative", body, proof.status, note)


def _derivative_texts(
    entry: Entry, claim: Derivative, prepared: Prepared, stated_fn: Callable[[SymForm], Any]
) -> tuple[list[sp.Basic], tuple[sp.Symbol, ...], str]:
    """The derivative as derived and as stated, in index notation where it reproduces them."""
    builder = prepared.builder
    assert builder is not None
    if not prepared.names:
        form = builder()
        derived = jacobian(form, claim.wrt)
        stated = _shaped_like(stated_fn(form), derived)
        values = [_self_fold(fold(v), entry, form, None, ()) for v in (derived, stated)]
        return values, (), ""
    dims = _arg_dims(entry)
    texts: list[sp.Basic] = []
    index: tuple[sp.Symbol, ...] = ()
    for which in ("derived", "stated"):

        def build(sizes: dict[str, int], which: str = which) -> tuple[SymForm, sp.Basic]:
            f = builder(**sizes)
            d = jacobian(f, claim.wrt)
            return f, d if which == "derived" else _shaped_like(stated_fn(f), d)

        def layout_of(sizes: dict[str, int], value: sp.Basic) -> Layout:
            return Layout(dims, output_dims(value, sizes))

        generic = generalize(build, layout_of, prepared.names, _check_sizes(prepared.small))
        index = generic.index
        form = builder(**{k: 3 for k in prepared.names})
        value = _self_fold(generic.expr, entry, form, prepared.generic, index)
        texts.append(fold(value))
    return texts, index, INDEX_REPRODUCED


def _identity_symbols(prepared: Prepared, sizes: dict[str, int]) -> dict[sp.Symbol, sp.Indexed]:
    """The form's element symbols at the identity's sizes, as 1-based subscripts (z_1 … z_n)."""
    if prepared.builder is None:
        return {}
    try:
        with limit(10.0):
            form = prepared.builder(**{n: sizes.get(n, 3) for n in prepared.names})
            return element_map(form)
    except FAILURES:
        return {}


def identity_view(entry: Entry, claim: Identity, prepared: Prepared | None = None) -> Derived:
    try:
        with limit(20.0):
            equation = resolve(claim.build)(**claim.sizes)
            mapping = _identity_symbols(prepared or Prepared(), claim.sizes)
            if mapping and isinstance(equation, Equation):
                equation = Equation(equation.lhs.xreplace(mapping), equation.rhs.xreplace(mapping))
    except FAILURES as exc:
        return Derived(claim.label, "identity", None, "not checked", f"{type(exc).__name__}: {exc}")
    if not isinstance(equation, Equation):
        return Derived(
            claim.label, "identity", None, "not checked", "build did not return an Equation"
        )
    sizes = ", ".join(f"{k} = {v}" for k, v in claim.sizes.items())
    left, right = fold(equation.lhs), fold(equation.rhs)
    if latex(left) == latex(right):  # "μ = μ": the sides evaluate alike at these sizes
        return Derived(claim.label, "identity", None, "not checked",
                       "both sides evaluate to the same expression as built"
                       + (f" at {sizes}" if sizes else "") + ": the claim states the identity")
    text = arrange(latex(left), [right])
    elements = len(_flat(equation.lhs))
    if len(text) > MAX_CHARS or elements > 9 or not readable(text):
        return Derived(
            claim.label,
            "identity",
            None,
            "not checked",
            f"built at {sizes or 'fixed sizes'}: too large to print legibly",
        )
    return Derived(
        claim.label, "identity", text, "not checked", f"built at {sizes}" if sizes else ""
    )


def entry_displays(entry: Entry) -> EntryDisplays:
    """All displays of one entry; never raises (failures become notes)."""
    prepared = Prepared()
    try:
        with limit(90.0):
            main = main_display(entry, prepared)
    except FAILURES as exc:
        main = Display(
            entry.display,
            "hand" if entry.display else "none",
            f"display failed: {type(exc).__name__}: {exc}",
        )
    derived: list[Derived] = []
    for claim in entry.claims:
        try:
            if isinstance(claim, Derivative):
                derived.append(derivative_view(entry, claim, prepared))
            elif isinstance(claim, Identity):
                derived.append(identity_view(entry, claim, prepared))
        except FAILURES as exc:
            derived.append(
                Derived(
                    getattr(claim, "label", "claim"),
                    claim.kind,
                    None,
                    "failed",
                    f"{type(exc).__name__}: {exc}",
                )
            )
    return EntryDisplays(main, derived)
