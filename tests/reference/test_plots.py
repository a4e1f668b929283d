"""The reference's figures: the forms' own figures (schedules, positional encodings, the GELU
approximations' deviation) and the build's errors against their budgets, as PDF and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from mathcheck.formulas import get
from mathcheck.reference import plots_budget, plots_forms
from mathcheck.reference.plots import figures_for
from mathcheck.reference.status import EntryStatus, ErrorCell

#: Entry → the name of its figure from `plots_forms`.
NEW = {
    "sched.cosine": "sched-cosine-schedule",
    "sched.warmup_cosine": "sched-warmup_cosine-schedule",
    "pos.sinusoidal": "pos-sinusoidal-map",
    "pos.rope": "pos-rope-offset",
    "act.gelu_tanh": "act-gelu_tanh-deviation",
    "act.gelu_sigmoid": "act-gelu_sigmoid-deviation",
}
SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Path, str]]]:
    out = tmp_path_factory.mktemp("figures")
    return {entry_id: plots_forms.form_figures(get(entry_id), out) for entry_id in NEW}


def _assert_pdf_and_svg(pdf: Path) -> None:
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    svg = pdf.with_suffix(".svg")
    assert ET.parse(svg).getroot().tag == SVG
    assert b"<dc:date>" not in svg.read_bytes()  # no date: the same figure, the same bytes


@pytest.mark.parametrize("entry_id", NEW)
def test_each_new_figure_is_drawn_for_its_entry_as_pdf_and_svg(
    drawn: dict[str, list[tuple[Path, str]]], entry_id: str
) -> None:
    (path, caption), = drawn[entry_id]
    assert path.name == NEW[entry_id] + ".pdf"
    assert caption
    _assert_pdf_and_svg(path)


def test_figures_for_keeps_its_shape_and_adds_the_new_figures(tmp_path: Path) -> None:
    figures = figures_for(get("sched.warmup_cosine"), tmp_path)
    assert [(p.name, type(c)) for p, c in figures] == [
        ("sched-warmup_cosine-schedule.pdf", str)]
    assert (tmp_path / "sched-warmup_cosine-schedule.svg").is_file()
    assert figures_for(get("linalg.trace"), tmp_path / "none") == []


def test_the_figures_are_the_same_bytes_from_one_run_to_the_next(
    drawn: dict[str, list[tuple[Path, str]]], tmp_path: Path
) -> None:
    for entry_id in ("pos.sinusoidal", "act.gelu_tanh"):  # an image, and text in mathtext
        ((first, _),) = drawn[entry_id]
        ((again, _),) = plots_forms.form_figures(get(entry_id), tmp_path)
        for suffix in (".svg", ".pdf"):
            assert again.with_suffix(suffix).read_bytes() == first.with_suffix(
                suffix).read_bytes(), f"{entry_id}{suffix}"


def test_the_tanh_approximation_deviates_from_exact_gelu_within_its_known_bound() -> None:
    # |½x(1 + tanh(√(2/π)(x + 0.044715x³))) − x·Φ(x)| ≈ 4.7e-4 at most (Hendrycks & Gimpel):
    # read from the data the figure draws, the catalog's NumPy forms.
    x, delta = plots_forms.deviation_data(get("act.gelu_tanh"))
    assert x[0] == -6 and x[-1] == 6
    worst = float(np.max(np.abs(delta)))
    assert 1e-5 < worst < 2e-3
    assert np.allclose(delta, delta[::-1], atol=1e-15)  # even in x (x·Φ(x) − x/2 is even)
    refined, where = plots_forms.worst_deviation(get("act.gelu_tanh"))
    assert worst <= refined < worst * (1 + 1e-4)
    assert where == pytest.approx(2.6989, abs=5e-4)  # as the entry's notes state
    sigmoid, where = plots_forms.worst_deviation(get("act.gelu_sigmoid"))
    assert sigmoid == pytest.approx(0.02033, abs=1e-5) and where == pytest.approx(2.2704, abs=5e-4)


def test_the_schedules_run_from_their_peak_to_their_floor_at_the_catalogs_parameters() -> None:
    entry = get("sched.warmup_cosine")
    assert entry.domain is not None
    params = entry.domain.params
    t, eta = plots_forms.schedule_data(entry)
    assert eta[0] == 0 and eta[int(params["warmup"])] == pytest.approx(params["eta_max"])
    assert np.all(eta[t >= params["T"]] == pytest.approx(params["eta_min"]))
    assert np.all(np.diff(eta[t <= params["warmup"]]) > 0)  # warmup rises
    assert np.all(np.diff(eta[(t >= params["warmup"]) & (t <= params["T"])]) <= 0)  # decays
    assert not plots_forms.is_schedule(get("act.gelu"))


def test_the_rope_score_depends_on_the_offset_only() -> None:
    scores = plots_forms.rope_data(get("pos.rope"))
    (first_offsets, first), *others = scores.values()
    for offsets, score in others:
        assert np.array_equal(offsets, np.arange(-plots_forms.ROPE_OFFSET,
                                                 plots_forms.ROPE_OFFSET + 1))
        np.testing.assert_allclose(score, np.interp(offsets, first_offsets, first), atol=1e-9)
    assert np.ptp(first) > 0.1  # and it does depend on the offset


def test_the_sinusoidal_map_is_the_forms_table() -> None:
    table = plots_forms.sinusoidal_data(get("pos.sinusoidal"))
    assert table.shape == (plots_forms.POSITIONS, plots_forms.SINUSOIDAL_D)
    assert np.array_equal(table[0], np.tile([0.0, 1.0], plots_forms.SINUSOIDAL_D // 2))
    np.testing.assert_allclose(table[:, 0::2] ** 2 + table[:, 1::2] ** 2, 1.0, atol=1e-12)


def _status(cells: dict[str, dict[str, ErrorCell]]) -> EntryStatus:
    return EntryStatus(errors=cells, columns=sorted({c for d in cells.values() for c in d}))


def _statuses() -> dict[str, EntryStatus]:
    return {
        "a.fine": _status({
            "float64": {"numpy": ErrorCell(1.0, 4.0, "ulp", "passed"),
                        "torch/cpu": ErrorCell(3.0, 4.0, "ulp", "passed")},
            "float16": {"numpy": ErrorCell(0.5, 1.0, "ulp", "passed")}}),
        "b.exact": _status({"float64": {"numpy": ErrorCell(0.0, 0.0, "ulp", "passed")}}),
        "c.over": _status({"float64": {"numpy": ErrorCell(9.0, 3.0, "ulp", "failed")},
                           "bfloat16": {"torch/cpu": ErrorCell(None, 2.0, "ulp", "error")}}),
        "d.no_agreement": EntryStatus(),
    }


def test_error_budget_ratios_take_the_worst_backend_per_dtype() -> None:
    ratios = plots_budget.budget_ratios(_statuses())
    assert list(ratios) == ["float64", "float16"]  # drawn in precision order; nothing measured
    assert [(r.entry_id, r.ratio, r.failed) for r in ratios["float64"]] == [
        ("a.fine", 0.75, False), ("b.exact", 0.0, False), ("c.over", 3.0, True)]
    assert [(r.entry_id, r.ratio) for r in ratios["float16"]] == [("a.fine", 0.5)]


def test_error_budget_figure_is_written_as_pdf_and_svg(tmp_path: Path) -> None:
    path = plots_budget.error_budget_figure(_statuses(), tmp_path / "error-budget.pdf")
    assert path == tmp_path / "error-budget.pdf"
    _assert_pdf_and_svg(path)
    first = path.with_suffix(".svg").read_bytes()
    plots_budget.error_budget_figure(_statuses(), tmp_path / "error-budget.pdf")
    assert path.with_suffix(".svg").read_bytes() == first
    assert "1 over their budget" in plots_budget.error_budget_caption(_statuses())
    assert plots_budget.error_budget_figure({}, tmp_path / "none.pdf") is None
    assert plots_budget.error_budget_figure({"x": EntryStatus()}, tmp_path / "none.pdf") is None
    assert not (tmp_path / "none.pdf").exists()

