"""From a form built at concrete sizes to index notation that holds for every size.

A SymForm is built at integer sizes (softmax(3) is a 3×1 Matrix of explicit terms). Readers
want e^{z_i} / Σ_j e^{z_j}. `generalize` recovers that: element symbols become 1-based
`Indexed` objects, an Add whose terms are one template at j = 1 … N becomes
`Sum(template, (j, 1, n))`, the chosen output component's index becomes i, and the literal
size N becomes the symbol n. The result is only used if it *reproduces the form*: it is
instantiated at two size assignments and every component is proven equal to the SymForm
built at those sizes. Nothing is printed from a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from mathcheck.reference._limits import limit
from mathcheck.symbolic import SymForm

#: Distinct size values for the roll-up (distinct so that each literal names one size).
ROLL_SIZES = (5, 7, 3, 4, 6)
OUT_NAMES = ("i", "j")
DUMMIES = ("k", "l", "m", "p", "q", "r", "s", "t", "u")
MAX_COMPONENTS = 25


class NotGeneral(Exception):
    """The form could not be written in index notation (it is printed concretely instead)."""


@dataclass(frozen=True)
class Layout:
    """Which size names index each input and the output: positions → size name (or None)."""

    args: dict[str, tuple[str | None, ...]]
    out: tuple[str | None, ...]


@dataclass(frozen=True)
class Generic:
    """A component of a form in index notation, verified at `verified_at`."""

    expr: sp.Basic
    index: tuple[sp.Symbol, ...]  # () for a scalar output, (i,) or (i, j)
    sizes: dict[str, sp.Symbol]
    verified_at: tuple[dict[str, int], ...]


def size_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


def element_map(form: SymForm, layout: Layout | None = None) -> dict[sp.Symbol, sp.Indexed]:
    """Each element symbol of each array input → IndexedBase(name)[1-based indices]."""
    mapping: dict[sp.Symbol, sp.Indexed] = {}
    for name, value in form.args.items():
        if not isinstance(value, sp.MatrixBase):
            continue
        base = sp.IndexedBase(name)
        rows, cols = value.shape
        ndim = len(layout.args.get(name, ())) if layout else (1 if cols == 1 else 2)
        for r in range(rows):
            for c in range(cols):
                element = value[r, c]
                if not isinstance(element, sp.Symbol):
                    continue
                if ndim == 1 and cols == 1:
                    mapping[element] = base[r + 1]
                elif ndim == 1 and rows == 1:
                    mapping[element] = base[c + 1]
                else:
                    mapping[element] = base[r + 1, c + 1]
    return mapping


def _dims_of(ix: sp.Indexed, layout: Layout) -> tuple[str | None, ...]:
    dims = layout.args.get(str(ix.base.label), ())
    return dims if len(dims) == len(ix.indices) else (None,) * len(ix.indices)


def _retarget(e: sp.Basic, layout: Layout, dim: str, value: int, target: sp.Basic) -> sp.Basic:
    """Replace index `value` at positions of size `dim` by `target`, everywhere in e."""

    def swap(ix: sp.Indexed) -> sp.Indexed:
        dims = _dims_of(ix, layout)
        new = [
            target if (d == dim and i == value) else i
            for d, i in zip(dims, ix.indices, strict=True)
        ]
        return ix.base[tuple(new)] if len(new) > 1 else ix.base[new[0]]

    return e.replace(lambda x: isinstance(x, sp.Indexed), swap)


def _values(e: sp.Basic, layout: Layout, dim: str) -> set[int]:
    found: set[int] = set()
    for ix in e.atoms(sp.Indexed):
        for d, i in zip(_dims_of(ix, layout), ix.indices, strict=True):
            if d == dim and i.is_Integer:
                found.add(int(i))
    return found


def _fresh(e: sp.Basic, reserved: set[str]) -> sp.Symbol:
    used = {s.name for s in e.atoms(sp.Symbol)} | reserved
    for name in DUMMIES:
        if name not in used:
            return sp.Symbol(name, integer=True)
    raise NotGeneral("out of summation index names")


def _fold_sums(
    add: sp.Add, layout: Layout, sizes: Mapping[str, int], reserved: set[str]
) -> sp.Basic:
    terms = list(add.args)
    for dim, n in sizes.items():
        if len(terms) < n:
            continue
        j = _fresh(sp.Add(*terms, evaluate=False), reserved)
        buckets: dict[sp.Basic, dict[int, int]] = {}
        for t_index, term in enumerate(terms):
            for v in _values(term, layout, dim):
                template = _retarget(term, layout, dim, v, j)
                buckets.setdefault(template, {}).setdefault(v, t_index)
        used: set[int] = set()
        sums: list[sp.Basic] = []
        for template, members in buckets.items():
            owners = set(members.values())
            if set(members) == set(range(1, n + 1)) and len(owners) == n and not owners & used:
                used |= owners
                sums.append(_sum(template, j, dim))
        if sums:
            terms = [t for k, t in enumerate(terms) if k not in used] + sums
            continue
        terms = _complete(terms, buckets, j, dim, n)
    return sp.Add(*terms)


def _complete(
    terms: list[sp.Basic], buckets: dict[sp.Basic, dict[int, int]], j: sp.Symbol, dim: str, n: int
) -> list[sp.Basic]:
    """x_i − (x_1 + … + x_n)/n arrives as (n−1)x_i/n − Σ_{k≠i} x_k/n: complete the sum.

    A template that covers every index but one, v, becomes Σ template − template(v); the
    correction merges with the remaining terms. Exact by construction; kept only if it
    leaves fewer terms.
    """
    if n < 3:
        return terms
    for template, members in buckets.items():
        owners = set(members.values())
        missing = set(range(1, n + 1)) - set(members)
        if len(members) == n - 1 and len(owners) == n - 1 and len(missing) == 1:
            v = missing.pop()
            correction = -template.xreplace({j: sp.Integer(v)})
            rest = sp.Add(*[t for k, t in enumerate(terms) if k not in owners], correction)
            candidate = [*sp.Add.make_args(rest), _sum(template, j, dim)]
            if len(candidate) < len(terms):
                return candidate
    return terms


def _sum(template: sp.Basic, j: sp.Symbol, dim: str) -> sp.Basic:
    """Σ_j template, with factors independent of j pulled out (−(1/n)Σ x_j, not Σ −x_j/n)."""
    coefficient, rest = template.as_independent(j, as_Add=False)
    return coefficient * sp.Sum(rest, (j, 1, size_symbol(dim)))


def _roll(e: sp.Basic, layout: Layout, sizes: Mapping[str, int], reserved: set[str]) -> sp.Basic:
    if e.is_Atom or isinstance(e, sp.Indexed):
        return e
    args = [_roll(a, layout, sizes, reserved) for a in e.args]
    if args != list(e.args):
        e = e.func(*args)
    if isinstance(e, sp.Add):
        e = _fold_sums(e, layout, sizes, reserved)
    return e


def _symbolic_sizes(e: sp.Basic, sizes: Mapping[str, int]) -> sp.Basic:
    """Literal sizes → size symbols: N → n, 1/N → 1/n, p/N → p/n, √N → √n, 1/(N−1) → 1/(n−1)."""
    by_value = {v: size_symbol(k) for k, v in sizes.items()}

    def is_sized(x: sp.Basic) -> bool:
        return (
            isinstance(x, sp.Rational)
            and x not in (0, 1, -1)
            and (
                int(x.q) in by_value
                or (int(x.q) - 1 in by_value and int(x.q) - 1 > 2)
                or (x.q == 1 and abs(int(x.p)) in by_value)
            )
        )

    def swap(x: sp.Rational) -> sp.Basic:
        p, q = int(x.p), int(x.q)
        if q == 1:
            return (1 if p > 0 else -1) * by_value[abs(p)]
        if q in by_value:
            n = by_value[q]
            if abs(p) in (q - 1, q + 1):  # 4/5 at n = 5 is 1 − 1/n, not 4/n
                return (1 if p > 0 else -1) * (1 + (abs(p) - q) / n)
            return p / n
        return p / (by_value[q - 1] + 1)

    return e.replace(is_sized, swap)


def _instantiate(
    generic: sp.Basic,
    index: tuple[sp.Symbol, ...],
    component: tuple[int, ...],
    sizes: Mapping[str, int],
    form: SymForm,
) -> sp.Basic:
    subs: dict[sp.Basic, sp.Basic] = {size_symbol(k): v for k, v in sizes.items()}
    subs.update({s: c + 1 for s, c in zip(index, component, strict=True)})
    expr = generic.xreplace(subs).doit()
    inverse = {v: k for k, v in element_map(form).items()}
    return expr.xreplace(inverse)


def _equal(a: sp.Basic, b: sp.Basic) -> bool:
    if sp.expand(a - b) == 0:
        return True
    with limit(4.0):
        return sp.simplify(a - b) == 0


def _components(value: sp.Basic) -> list[tuple[tuple[int, ...], sp.Basic]]:
    if not isinstance(value, sp.MatrixBase):
        return [((), value)]
    rows, cols = value.shape
    if cols == 1:
        return [((r,), value[r, 0]) for r in range(rows)]
    return [((r, c), value[r, c]) for r in range(rows) for c in range(cols)]


def output_dims(value: sp.Basic, sizes: Mapping[str, int]) -> tuple[str | None, ...]:
    """The size names of the output's axes, recognised by their (distinct) lengths."""
    if not isinstance(value, sp.MatrixBase):
        return ()
    by_value = {v: k for k, v in sizes.items()}
    rows, cols = value.shape
    shape = (rows,) if cols == 1 else (rows, cols)
    return tuple(by_value.get(s) for s in shape)


def generalize(
    build: Callable[[dict[str, int]], tuple[SymForm, sp.Basic]],
    layout_of: Callable[[dict[str, int], sp.Basic], Layout],
    size_names: tuple[str, ...],
    check_sizes: dict[str, int],
    budget: float = 8.0,
) -> Generic:
    """The generic component of `build(sizes)[1]` (the form's value or a derivative of it).

    `build(sizes)` returns the SymForm at those sizes and the value to generalize (its expr,
    or a Jacobian). `layout_of(sizes, value)` says which size indexes each axis.
    Raises NotGeneral when no verified index notation is found.
    """
    if not size_names:
        raise NotGeneral("no sizes")
    roll_sizes = {name: ROLL_SIZES[k % len(ROLL_SIZES)] for k, name in enumerate(size_names)}
    with limit(budget):
        form, value = build(roll_sizes)
        layout = layout_of(roll_sizes, value)
        if any(d is None for d in layout.out):
            raise NotGeneral("an output axis is not a named size")
        index = tuple(sp.Symbol(OUT_NAMES[k], integer=True) for k in range(len(layout.out)))
        # i and j are kept for output indices in every display of an entry, so the sums of a
        # form and of its Jacobian use the same summation index (and fold back into it).
        reserved = set(OUT_NAMES) | set(size_names)
        emap = element_map(form, layout)
        comps = dict(_components(value))
        generic = _generic_component(comps, layout, roll_sizes, emap, index, reserved)
        checks = [roll_sizes]
        if check_sizes != roll_sizes:
            checks.append(check_sizes)
        for sizes in checks:
            check_form, check_value = build(sizes) if sizes is not roll_sizes else (form, value)
            parts = _components(check_value)
            if len(parts) > MAX_COMPONENTS:
                parts = parts[:: max(1, len(parts) // MAX_COMPONENTS)]
            for component, expected in parts:
                got = _instantiate(generic, index, component, sizes, check_form)
                if not _equal(got, expected):
                    raise NotGeneral(f"index form differs at {component} for sizes {sizes}")
    return Generic(generic, index, {k: size_symbol(k) for k in size_names}, tuple(checks))


def _generic_component(
    comps: dict[tuple[int, ...], sp.Basic],
    layout: Layout,
    sizes: Mapping[str, int],
    emap: dict[sp.Symbol, sp.Indexed],
    index: tuple[sp.Symbol, ...],
    reserved: set[str],
) -> sp.Basic:
    def at(component: tuple[int, ...]) -> sp.Basic:
        expr = _roll(sp.sympify(comps[component]).xreplace(emap), layout, sizes, reserved)
        for axis, (dim, c) in enumerate(zip(layout.out, component, strict=True)):
            expr = _retarget(expr, layout, dim, c + 1, index[axis])  # type: ignore[arg-type]
        expr = _symbolic_sizes(expr, sizes)
        for ix in expr.atoms(sp.Indexed):
            for d, i in zip(_dims_of(ix, layout), ix.indices, strict=True):
                if d is not None and i.is_Integer:
                    raise NotGeneral(f"{ix} stays specific to one index")
        return expr

    if not layout.out:
        return at(())
    if len(layout.out) == 1:
        return at((1,))
    if layout.out[0] == layout.out[1]:
        off = at((1, 2))
        # The diagonal: both output indices take one value; read it back with j = i.
        diag_expr = _roll(sp.sympify(comps[(1, 1)]).xreplace(emap), layout, sizes, reserved)
        diag_expr = _retarget(diag_expr, layout, layout.out[0], 2, index[0])  # type: ignore[arg-type]
        diag_expr = _symbolic_sizes(diag_expr, sizes)
        for ix in diag_expr.atoms(sp.Indexed):
            for d, i in zip(_dims_of(ix, layout), ix.indices, strict=True):
                if d is not None and i.is_Integer:
                    raise NotGeneral(f"{ix} stays specific to one index")
        if sp.expand(off.xreplace({index[1]: index[0]}) - diag_expr) == 0:
            return off
        return sp.Piecewise((diag_expr, sp.Eq(index[0], index[1])), (off, True))
    return at((1, 1))
