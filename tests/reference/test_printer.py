"""The printer, folding, index notation and parse-back, with golden files for a sample.

Golden files pin what the reference prints for a few catalog entries and a few synthetic
forms; `MATHCHECK_UPDATE_GOLDEN=1 pytest tests/reference` rewrites them after a deliberate
change (review the diff: it is the change to the printed reference).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sympy as sp

from mathcheck.formulas import Arg, Derivative, Domain, Entry, Section, get
from mathcheck.reference.displays import entry_displays
from mathcheck.reference.indexing import Layout, NotGeneral, generalize, output_dims
from mathcheck.symbolic import SymForm, matrix, real, vector
from mathcheck.symbolic.latex import Phi, fold, latex, parse_back, sigma, unfold

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MATHCHECK_UPDATE_GOLDEN") == "1"
SECTION = Section(99, "synthetic", "Synthetic")


# ------------------------------------------------------------------ synthetic forms


def dot(n: int) -> SymForm:
    a, b = vector("a", n), vector("b", n)
    return SymForm((a.T * b)[0], {"a": a, "b": b})


def mse(n: int) -> SymForm:
    y, y_hat = vector("y", n), vector("y_hat", n)
    return SymForm(sum((y[i] - y_hat[i]) ** 2 for i in range(n)) / n, {"y": y, "y_hat": y_hat})


def matmul(m: int, n: int, p: int) -> SymForm:
    a, b = matrix("A", m, n), matrix("B", n, p)
    return SymForm(a * b, {"A": a, "B": b})


def centre(n: int) -> SymForm:
    x = vector("x", n)
    return SymForm(x - sp.ones(n, 1) * sum(x) / n, {"x": x})


def first_only(n: int) -> SymForm:
    """Position-dependent (x_1 in every component): has no index notation."""
    x = vector("x", n)
    return SymForm(x + sp.ones(n, 1) * x[0], {"x": x})


def d_centre_stated(form: SymForm) -> sp.Matrix:
    n = form.expr.shape[0]
    return sp.Matrix(n, n, lambda i, j: sp.KroneckerDelta(i, j) - sp.Rational(1, n))


def synthetic(name: str, form, args: tuple[Arg, ...], sizes: dict, claims=()) -> Entry:
    return Entry(
        id=f"syn.{name}",
        section=SECTION,
        title=name,
        used_in="tests",
        symbolic=form,
        numpy=None,
        torch=None,
        domain=Domain(args=args, sizes=sizes),
        claims=claims,
    )


SYNTHETIC = {
    "syn.dot": synthetic("dot", dot, (Arg("a", ("n",)), Arg("b", ("n",))), {"n": (1, 8)}),
    "syn.mse": synthetic("mse", mse, (Arg("y", ("n",)), Arg("y_hat", ("n",))), {"n": (1, 8)}),
    "syn.matmul": synthetic(
        "matmul",
        matmul,
        (Arg("A", ("m", "n")), Arg("B", ("n", "p"))),
        {"m": (1, 4), "n": (1, 4), "p": (1, 4)},
    ),
    "syn.centre": synthetic(
        "centre",
        centre,
        (Arg("x", ("n",)),),
        {"n": (2, 8)},
        (Derivative(d_centre_stated, wrt="x"),),
    ),
}

CATALOG_SAMPLE = (
    "act.sigmoid",
    "act.softmax",
    "act.log_softmax",
    "act.silu",
    "act.gelu",
    "norm.layer_norm",
)


def printed(entry: Entry) -> str:
    shown = entry_displays(entry)
    lines = [f"main [{shown.main.source}]: {shown.main.latex}"]
    lines += [f"{d.kind} {d.label} [{d.proof}]: {d.latex}" for d in shown.derived]
    return "\n".join(lines) + "\n"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no golden file {path.name}; run with MATHCHECK_UPDATE_GOLDEN=1")
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("entry_id", sorted(SYNTHETIC))
def test_golden_synthetic(entry_id: str) -> None:
    check_golden(entry_id, printed(SYNTHETIC[entry_id]))


@pytest.mark.parametrize("entry_id", CATALOG_SAMPLE)
def test_golden_catalog(entry_id: str) -> None:
    check_golden(entry_id, printed(get(entry_id)))  # a renamed id fails here, never skips


# ------------------------------------------------------------------ conventions


def test_printer_conventions() -> None:
    y_hat, eps, x = sp.Symbol("y_hat"), sp.Symbol("eps"), real("x")
    assert latex(y_hat) == r"\hat{y}"
    assert latex(eps) == r"\epsilon"
    assert latex(sp.Symbol("logp_w")) == r"\mathrm{logp}_{w}"
    assert latex(sp.IndexedBase("r_w")[sp.Symbol("k")]) == "r_{w,k}"  # never a double subscript
    assert latex(1 / (1 + sp.exp(-x))) == r"\frac{1}{1 + e^{- x}}"


def test_fold_names_functions_and_round_trips() -> None:
    x = real("x")
    silu = x / (1 + sp.exp(-x))
    gelu = x * (1 + sp.erf(x / sp.sqrt(2))) / 2
    assert fold(silu) == x * sigma(x)
    assert fold(gelu) == x * Phi(x)
    assert unfold(fold(silu)) == silu
    assert fold(1 / (1 + sp.exp(-x))) == 1 / (1 + sp.exp(-x))  # the root stays the definition


def test_generalize_rejects_position_dependent_forms() -> None:
    def build(sizes):
        f = first_only(**sizes)
        return f, f.expr

    def layout(sizes, value):
        return Layout({"x": ("n",)}, output_dims(value, sizes))

    with pytest.raises(NotGeneral):
        generalize(build, layout, ("n",), {"n": 2})


def test_concrete_fallback_is_1_based() -> None:
    entry = synthetic("first", first_only, (Arg("x", ("n",)),), {"n": (2, 4)})
    shown = entry_displays(entry).main
    assert shown.source == "sympy-sized"
    assert "x_{1}" in shown.latex and "x_{0}" not in shown.latex


# ------------------------------------------------------------------ parse-back

pytest.importorskip("lark")


def test_parse_back_proves_a_correct_display() -> None:
    x = real("x")
    form = SymForm(1 / (1 + sp.exp(-x)), {"x": x})
    assert parse_back(r"\sigma(x) = \frac{1}{1+e^{-x}}", form).status == "proven"


def test_parse_back_catches_a_wrong_display_that_parses() -> None:
    x = real("x")
    form = SymForm(1 / (1 + sp.exp(-x)), {"x": x})
    assert parse_back(r"\frac{1}{1+e^{x}}", form).status == "mismatched"


def test_parse_back_reports_unparseable_notation() -> None:
    x = real("x")
    form = SymForm(x, {"x": x})
    verdict = parse_back(r"\hat\theta = \arg\max_\theta x", form)
    assert verdict.status == "unparseable" and verdict.detail


def test_parse_back_vector_display_with_sums() -> None:
    z = vector("z", 3)
    e = z.applyfunc(sp.exp)
    form = SymForm(e / sum(e), {"z": z})
    good = r"s_i = \frac{e^{z_i}}{\sum_{j=1}^{n} e^{z_j}}"
    bad = r"s_i = \frac{e^{z_i}}{\sum_{j=1}^{n} e^{z_i}}"
    assert parse_back(good, form, {"n": 3}).status == "proven"
    assert parse_back(bad, form, {"n": 3}).status == "mismatched"


def test_decimal_constants_print_as_their_exact_decimals() -> None:
    """σ(851x/500) is σ(1.702x) and 8943x³/200000 is 0.044715x³ (exact: 2s and 5s only);
    ½ stays a fraction, and so does ⅓ (no finite decimal)."""
    import sympy as sp

    from mathcheck.symbolic.latex import latex

    x = sp.Symbol("x")
    assert latex(1 / (1 + sp.exp(-sp.Rational(851, 500) * x))) == r"\frac{1}{1 + e^{- 1.702 x}}"
    assert latex(sp.Rational(-26829, 200000) * x**2) == r"- 0.134145 x^{2}"
    assert latex(x / 2 + x / 3) == latex(sp.Rational(5, 6) * x)
    assert "0." not in latex(x / 2 + sp.Rational(3, 8))
