"""The notation core: a textbook display is proven equal to the checked form by instantiating
it, and a wrong one is rejected (the proof is what makes a display trustworthy)."""

from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.formulas import all_entries, resolve
from mathcheck.symbolic.notation import (
    Defined,
    Notation,
    RowSoftmax,
    Tex,
    TexMatrix,
    instantiate,
    notation_latex,
    prove_notation,
)
from mathcheck.symbolic.notation import optimization as opt_notation
from mathcheck.symbolic.optimization import adam, beta1, beta2, eps, lr

WITH_NOTATION = [e for e in all_entries() if e.notation is not None]


def _sizes(entry) -> list[dict[str, int]]:
    from mathcheck.symbolic.notation import sizes_of

    names = sizes_of(resolve(entry.notation))
    low = {k: max(2, v[0]) for k, v in (entry.domain.sizes if entry.domain else {}).items()}
    first = {k: low.get(k, 2) for k in names}
    return [first, {k: v + 1 for k, v in first.items()}] if first else [{}]


@pytest.mark.parametrize("entry", WITH_NOTATION, ids=lambda e: e.id)
def test_every_notation_proves_equal_to_its_form(entry) -> None:
    status, detail = prove_notation(resolve(entry.notation), resolve(entry.symbolic),
                                    _sizes(entry))
    assert status == "proven", detail


def test_adam_prints_its_five_lines() -> None:
    text = notation_latex(opt_notation.adam())
    assert text.count("&=") == 5
    assert r"\hat{m}_t &= \frac{m_t}{1 - \beta_{1}^{t}}" in text
    assert r"\sqrt{\hat{v}_t} + \epsilon" in text


def test_adam_without_bias_correction_is_rejected() -> None:
    good = opt_notation.adam()
    theta0, m0, v0, g = (Tex(r"\theta_{t-1}"), Tex("m_{t-1}"), Tex("v_{t-1}"), Tex("g_t"))
    m, v, theta = Tex("m_t"), Tex("v_t"), Tex(r"\theta_t")
    lines = ((m, beta1 * m0 + (1 - beta1) * g), (v, beta2 * v0 + (1 - beta2) * g**2),
             (theta, theta0 - lr * m / (sp.sqrt(v) + eps)))
    wrong = Notation(lines, (theta, m, v), good.inputs, elementwise=True)
    status, _ = prove_notation(lambda n=0: wrong, adam, [{"n": 2}])
    assert status == "failed"


N, M, D_K = sp.Symbol("n"), sp.Symbol("m"), sp.Symbol("d_k")


def _attention(n=N, m=M, d=D_K, scale=None) -> Notation:
    q, k, v = TexMatrix("Q", n, d), TexMatrix("K", m, d), TexMatrix("V", m, 2)
    out = TexMatrix("A", n, 2)
    scaled = q * k.T / (scale if scale is not None else sp.sqrt(d))
    return Notation(((out, RowSoftmax(scaled) * v),), out, {q: "Q", k: "K", v: "V"})


def test_row_softmax_attention_instantiates_to_the_form() -> None:
    from mathcheck.symbolic.attention import scaled_dot_product

    form = scaled_dot_product(2, 3, 2, 2)
    good = instantiate(_attention(2, 3, 2), form.args)
    assert sp.simplify(good - form.expr) == sp.zeros(2, 2)
    wrong = instantiate(_attention(2, 3, 2, scale=2), form.args)  # d instead of √d
    assert sp.simplify(wrong - form.expr) != sp.zeros(2, 2)


def test_a_defined_matrix_prints_its_definition_and_evaluates_it() -> None:
    i, j = sp.symbols("i j", integer=True, positive=True)
    mask = Defined(r"\mathbf{M}", 3, 3, sp.Piecewise((0, j <= i), (-sp.oo, True)), (i, j))
    x = TexMatrix("X", 3, 3)
    out = TexMatrix("Y", 3, 3)
    notation = Notation(((out, x + mask),), out, {x: "X"})
    text = notation_latex(notation)
    assert r"\mathbf{M}_{ij}" in text and r"-\infty" in text
    value = instantiate(notation, {"X": sp.zeros(3, 3)})
    assert value[0, 1] == -sp.oo and value[1, 0] == 0 and value[2, 2] == 0
