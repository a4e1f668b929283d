"""Textbook displays of the losses and LLM sections: every formula entry carries one (the
generic test in test_notation.py proves each equal to its form), a deliberately wrong display
is rejected, and the printed LaTeX has the shape the field writes."""

from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.formulas import all_entries
from mathcheck.symbolic import llm as llm_forms
from mathcheck.symbolic import losses as loss_forms
from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation import Notation, notation_latex, prove_notation
from mathcheck.symbolic.notation import llm as llm_notation
from mathcheck.symbolic.notation import losses as loss_notation
from mathcheck.symbolic.notation.linalg import VNorm, vec

SECTIONS = ("losses", "llm")
#: Entries whose display is printed from the form itself (already as the textbook writes it),
#: or that have no SymPy form (an algorithm).
#: A wrong display is rejected by the numeric comparison after simplification gives up; a
#: short simplification budget keeps these tests quick (it decides nothing about a proof).
QUICK = 2.0
PRINTED = {"loss.bce", "loss.mse", "loss.mae", "tok.bpe"}


def test_every_formula_entry_of_the_two_sections_has_a_textbook_display() -> None:
    entries = [e for e in all_entries() if e.section.slug in SECTIONS]
    missing = {e.id for e in entries if e.notation is None} - PRINTED
    assert not missing


# --------------------------------------------------------------------------- wrong displays


def _triplet_unsquared(d: object = 2) -> Notation:
    a, p, m = vec(r"\mathbf{a}", d), vec(r"\mathbf{p}", d), vec(r"\mathbf{n}", d)
    alpha = Tex(r"\alpha")
    loss = Tex(r"\mathcal{L}")
    rhs = loss_notation.Hinge(VNorm(a - p) - VNorm(a - m) + alpha)  # torch's distances
    return Notation(((loss, rhs),), loss, {a: "anchor", p: "positive", m: "negative",
                                            alpha: lambda _: loss_forms.margin})


def test_triplet_with_unsquared_distances_is_rejected() -> None:
    status, _ = prove_notation(_triplet_unsquared, loss_forms.triplet, [{"d": 2}],
                               time_budget=QUICK)
    assert status == "failed"


def test_sinusoidal_with_the_exponent_halved_is_rejected() -> None:
    good = llm_notation.sinusoidal()
    (even, _), (odd, _) = good.lines
    pos, d = Tex(r"\mathit{pos}"), Tex("d")
    index = sp.Symbol("i", integer=True, nonnegative=True)
    angle = pos / sp.Integer(10000) ** (index / d)  # 10000^{i/d}: the 2 of 2i/d dropped
    wrong = Notation(((even, sp.sin(angle)), (odd, sp.cos(angle))), good.result, good.inputs)
    status, _ = prove_notation(lambda: wrong, llm_forms.sinusoidal, [{}], time_budget=QUICK)
    assert status == "failed"


def test_top_k_without_its_ties_is_rejected() -> None:
    """z_i > z_(k) drops the k-th largest itself: a different distribution."""
    good = llm_notation.top_k(3)
    kth, kept_line, out_line = good.lines
    z = vec(r"\mathbf{z}", 3)
    i = llm_notation.i
    strict = llm_notation.Indicator(sp.StrictGreaterThan(z.at(i), kth[0], evaluate=False),
                                    r"z_{i} > z_{(k)}")
    kept = (kept_line[0], llm_notation.SetOf(strict, i, 3, r"z_{i} > z_{(k)}"))
    wrong = Notation((kth, kept, out_line), good.result, good.inputs, index=good.index)
    status, _ = prove_notation(lambda n=3: wrong, llm_forms.top_k, [{"n": 3}], time_budget=QUICK)
    assert status == "failed"


def test_kv_cache_without_the_factor_two_is_rejected() -> None:
    good = llm_notation.kv_cache_bytes()
    ((lhs, rhs),) = good.lines
    wrong = Notation(((lhs, loss_notation.Dotted(*rhs.args[1:])),), lhs, good.inputs)
    status, _ = prove_notation(lambda: wrong, llm_forms.kv_cache_bytes, [{}], time_budget=QUICK)
    assert status == "failed"


# --------------------------------------------------------------------------- printed shapes


def test_infonce_prints_the_four_lines_of_nt_xent() -> None:
    text = notation_latex(loss_notation.infonce())
    assert text.count("&=") == 4
    assert r"\sum_{k \neq i} e^{s_{ik}/\tau}" in text
    assert r"\ell_{i,\,N + i} + \ell_{N + i,\,i}" in text


def test_triplet_prints_the_hinge_not_cases() -> None:
    text = notation_latex(loss_notation.triplet())
    assert text == (r"\mathcal{L} = \max\left(0,\; \lVert \mathbf{a} - \mathbf{p} \rVert^{2}"
                    r" - \lVert \mathbf{a} - \mathbf{n} \rVert^{2} + \alpha\right)")


def test_huber_prints_its_condition_as_written() -> None:
    assert r"\text{if } \left|{r}\right| \leq \delta" in notation_latex(loss_notation.huber())


@pytest.mark.parametrize(("builder", "pieces"), [
    (llm_notation.top_k, (r"\mathcal{V}^{(k)} &= \left\{i : z_{i} \geq z_{(k)}\right\}",
                          r"\mathbf{1}\left[i \in \mathcal{V}^{(k)}\right]",
                          r"\sum_{j \in \mathcal{V}^{(k)}} e^{z_{j}}")),
    (llm_notation.top_p, (r"\sum_{j : z_{j} > z_{i}} p_{j} < p",
                          r"\mathbf{1}\left[i \in \mathcal{V}^{(p)}\right]")),
    (llm_notation.sinusoidal, (r"\frac{\mathit{pos}}{10000^{2 i/d}}",)),
    (llm_notation.rope, (r"\theta_{i} &= b^{- 2 \left(i - 1\right)/r}",
                         r"x_{2 i - 1} \cos{\left(m \theta_{i} \right)} - x_{2 i} \sin")),
    (llm_notation.lora, (r"\mathbf{W}' = \mathbf{W}_{0} + \mathbf{B} \mathbf{A}",)),
    (llm_notation.kv_cache_bytes,
     (r"2 \cdot n_{\mathrm{layers}} \cdot n_{\mathrm{heads}} \cdot d_{\mathrm{head}}",)),
    (llm_notation.fake_quant,
     (r"\operatorname{clamp}\left(\operatorname{round}\left(\frac{x}{s}\right) + z",)),
    (llm_notation.chinchilla_loss, (r"E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}",)),
], ids=lambda x: getattr(x, "__name__", ""))
def test_llm_displays_read_as_the_field_writes_them(builder, pieces) -> None:
    text = notation_latex(builder())
    for piece in pieces:
        assert piece in text
    assert r"\begin{cases}" not in text and "ITE" not in text


def test_rope_with_frequencies_off_by_one_pair_is_rejected() -> None:
    """θ_i = b^{−2i/r} with 1-based i: every frequency one pair too slow."""
    good = llm_notation.rope()
    (theta, _), *rest = good.lines
    b, r = Tex("b"), Tex("r")
    wrong = Notation(((theta, b ** (-2 * llm_notation.i / r)), *rest), good.result, good.inputs)
    status, _ = prove_notation(lambda: wrong, llm_forms.rope, [{}], time_budget=QUICK)
    assert status == "failed"
