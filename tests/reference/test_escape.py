"""Catalog text that survives into the reference: math in titles and bookmarks, inline math
and emphasis in notes, Unicode in listings, no character printed as its code point."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from mathcheck.formulas import all_entries, get, sections
from mathcheck.reference import _work
from mathcheck.reference.escape import code, heading, pdf_text, prose, tex


def _texts(obj: object, depth: int = 0) -> Iterator[str]:
    """Every string of a catalog object (entry, claim, budget, variant), a few levels deep."""
    if isinstance(obj, str):
        yield obj
    elif depth < 5 and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _texts(getattr(obj, f.name), depth + 1)
    elif depth < 5 and isinstance(obj, list | tuple):
        for item in obj:
            yield from _texts(item, depth + 1)


def test_no_character_of_the_catalog_is_printed_as_its_code_point() -> None:
    texts = [t for e in [*all_entries(), *sections()] for t in _texts(e)]
    for text in texts:
        for escaped in (tex(text), prose(text), heading(text)):
            assert "U+" not in escaped, (text, escaped)
            assert escaped.count("{") - escaped.count(r"\{") == escaped.count("}") - escaped.count(
                r"\}"
            ), (text, escaped)
    listings = [_work.source(form) for e in all_entries() for form in (e.numpy, e.torch)]
    assert any(listings)
    for listing in filter(None, listings):
        assert "U+" not in listing


def test_the_title_of_d_exp_keeps_its_superscript_in_heading_and_bookmark() -> None:
    title = get("calc.d_exp").title
    assert title == "Derivative of eˣ: eˣ"
    assert heading(title) == (
        r"\texorpdfstring{Derivative of $e^{x}$: $e^{x}$}{Derivative of eˣ: eˣ}"
    )


def test_inline_math_in_titles_and_notes_becomes_math() -> None:
    assert prose("Jacobian J_ij = ∂f_i/∂x_j") == (
        r"Jacobian $J_{ij}$ = $\partial$$f_{i}$/$\partial$$x_{j}$"
    )
    assert prose("(W_{l+1}^T δ_{l+1})") == r"($W_{l+1}^{T}$ $\delta _{l+1}$)"
    assert prose("b·2^−e (exact)") == r"b$\cdot$$2^{-e}$ (exact)"
    assert prose("grows like 2.5t²·u") == r"grows like $2.5t^{2}$$\cdot$u"
    assert prose("ŷ_t and N^(−α)") == r"$\hat{y}_{t}$ and $N^{-\alpha}$"
    assert prose("P(x_1..x_T), dx_i dy_j") == r"P($x_{1}$..$x_{T}$), $dx_{i}$ $dy_{j}$"
    assert prose("∝ ∏_{l=1}^{n} W^l") == r"$\propto$ $\prod _{l=1}^{n}$ $W^{l}$"
    # Code names stay text.
    assert prose("log_softmax, d_model, W0_ij, calc.d_exp") == (
        r"log\_softmax, d\_model, W0\_ij, calc.d\_exp"
    )
    assert pdf_text("(W_{l+1}^T δ_{l+1})") == r"(W\_\{l+1\}\textasciicircum{}T δ\_\{l+1\})"


def test_backticks_and_stars_become_math_code_or_emphasis() -> None:
    note = get("prob.gaussian").notes
    assert "*relative*" in note and r"\emph{relative}" in prose(note)
    assert prose("use `J_ij` or `vectors=True`, a *second* one") == (
        r"use $J_{ij}$ or \texttt{vectors=True}, a \emph{second} one"
    )
    assert pdf_text("a *second* `x`") == "a second x"
    assert prose("x*y*z and a * b") == "x*y*z and a * b"


def test_listings_keep_non_ascii_characters() -> None:
    assert code("b̂ = μ̂ ⋆ x  # ≤ ⟺ eˣ") == (
        r"(*@\^{b}@*) = (*@$\hat{\mu}$@*) (*@$\star$@*) x  # (*@$\le$@*) "
        r"(*@$\Longleftrightarrow$@*) e(*@\textsuperscript{x}@*)"
    )


def test_a_script_of_a_script_nests_instead_of_a_double_subscript() -> None:
    """π_θ_old is π_{θ_old}: two scripts in a row would stop TeX ("Double subscript")."""
    assert prose("π_θ_old(a)") == r"$\pi _{\theta_{old}}$(a)"
    assert "^{2^{k}}" in prose("x^2^k")


def test_a_subscript_may_open_with_a_comparison() -> None:
    """x_<t (the tokens before t) is a subscript, not an underscore in the text."""
    assert prose("P(x_t | x_<t)") == r"P($x_{t}$ | $x_{<t}$)"
    assert prose("x_≤i") == r"$x_{\le i}$"


def test_adjacent_superscripts_are_one() -> None:
    """W^nᵀ (an ASCII then a Unicode superscript) is W^{nT}, not a double superscript."""
    assert prose("W^nᵀ") == r"$W^{n T}$"
    assert prose("Wⁿᵀ") == r"$W^{nT}$"
