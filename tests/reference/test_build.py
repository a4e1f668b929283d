"""Building the reference: the .tex from any entries, the CLI, and the PDF when TeX is here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mathcheck.cli.latex import latex
from mathcheck.formulas import all_entries, get, select
from mathcheck.reference import build, build_reference, missing_tex
from mathcheck.reference.escape import code, tex
from mathcheck.reference.plots import figures_for
from mathcheck.reference.status import summarize

from .test_printer import SYNTHETIC

REPORT = {
    "environment": {
        "python": "3.11",
        "sympy": "1.14",
        "numpy": "2",
        "torch": "2",
        "cuda": None,
        "gpu": None,
        "date": "2026-01-01T00:00:00+00:00",
        "seed": 0,
    },
    "results": [
        {
            "entry_id": "syn.dot",
            "claim": "agreement",
            "kind": "agreement",
            "backend": "numpy",
            "dtype": "float32",
            "device": "cpu",
            "status": "passed",
            "error": 1.5,
            "budget": 4,
            "unit": "ulp",
            "budget_note": "n ulp",
            "worst_input": None,
            "detail": "",
            "seconds": 0.1,
        },
        {
            "entry_id": "syn.dot",
            "claim": "agreement",
            "kind": "agreement",
            "backend": "torch",
            "dtype": "float32",
            "device": "cpu",
            "status": "failed",
            "error": "inf",
            "budget": 4,
            "unit": "ulp",
            "budget_note": "n ulp",
            "worst_input": "x",
            "detail": "overflow",
            "seconds": 0.1,
        },
    ],
}


def test_escape_handles_specials_unicode_and_unknown_characters() -> None:
    assert tex("50% of a_b & c") == r"50\% of a\_b \& c"
    assert tex("σᵢ² ≤ ‖a‖") == r"$\sigma$\textsubscript{i}\textsuperscript{2} $\le$ $\|$a$\|$"
    assert "U+" in tex("\u2603")  # a snowman: printed as its code point, never an error
    assert code("x = σ(z)  # ≤") == r"x = (*@$\sigma$@*)(z)  # (*@$\le$@*)"


def test_status_takes_the_weakest_record_and_the_worst_error() -> None:
    status = summarize(REPORT)["syn.dot"]
    assert status.overall == "failed"
    cell = status.errors["float32"]["torch/cpu"]
    assert cell.error == float("inf") and cell.status == "failed"


def test_tex_has_every_entry_its_status_and_errors(tmp_path: Path) -> None:
    entries = tuple(SYNTHETIC.values())
    built = build_reference(entries, tmp_path, REPORT)
    text = built.tex.read_text()
    for entry in entries:
        assert entry.id in text
    assert "FAILED" in text and "not run in this build" in text
    assert r"\sum_{k=1}^{n} A_{ik} B_{kj}" in text
    assert built.counts["sympy"] == len(entries) and built.counts["hand"] == 0


def test_cli_writes_the_tex(tmp_path: Path) -> None:
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--section", "rlhf", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reference.tex").exists()
    said = " ".join(result.output.split())  # rich wraps the line at the terminal's width
    counted = re.search(r"(\d+) entries · displays: (\d+) printed from the checked SymPy form "
                        r".* (\d+) in textbook notation proven equal to it, (\d+) only "
                        r"confirmed numerically, (\d+) unproven, (\d+) without a display", said)
    assert counted, said
    entries, *kinds = (int(n) for n in counted.groups())
    assert entries == 5 and sum(kinds) == entries


def test_cli_without_tex_names_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--pdf", "--no-verify"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    for name in ("latexmk (Debian package latexmk)", "pdflatex (Debian package texlive-latex"):
        assert name in lines[0]
    assert not (tmp_path / "reference.tex").exists(), "the preflight runs before any work"


def test_preflight_names_lmodern_when_its_files_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-machine failure: TeX Live present, Latin Modern not (--no-install-recommends)."""
    from mathcheck.reference import _tex

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")

    def kpsewhich(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        found = [f"/tex/{name}\n" for name in command[1:] if "lm" not in name]
        return subprocess.CompletedProcess(command, 0, "".join(found), "")

    monkeypatch.setattr(subprocess, "run", kpsewhich)
    missing = _tex.missing()
    assert missing and all("(Debian package lmodern)" in item for item in missing)
    assert "lmodern.sty (Debian package lmodern)" in missing
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--pdf"])  # would verify first
    assert result.exit_code == 2
    assert "apt-get install --no-install-recommends lmodern" in result.output
    assert not (tmp_path / "reference.tex").exists()


def test_preflight_reads_every_package_of_the_preamble() -> None:
    from mathcheck.reference import _tex

    files = _tex.required_files()
    assert {"article.cls", "lmodern.sty", "hyperref.sty", "t1lmr.fd"} <= set(files)
    unmapped = [f for f in files if f not in _tex.DEBIAN_PACKAGE]
    assert not unmapped, f"add the Debian package of {unmapped} to _tex.DEBIAN_PACKAGE"


@pytest.mark.tex
def test_pdf_of_the_whole_catalog_names_every_entry(tmp_path: Path) -> None:
    missing = missing_tex() + [p for p in ("pdftotext",) if shutil.which(p) is None]
    if missing:
        pytest.skip(
            f"TeX not installed ({', '.join(missing)} missing): apt-get install "
            "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended "
            "latexmk lmodern poppler-utils"
        )
    entries = all_entries()
    pdf = build(entries, tmp_path, results=None, pdf=True)
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())  # ids may be split across lines in narrow columns
    absent = [e.id for e in entries if e.id not in flat]
    assert not absent, f"ids missing from the PDF text: {absent}"
    # What the reader sees: no code point printed as text, nothing wider than the page and
    # no display scaled down to fit it (the preamble logs each one it has to scale).
    assert "U+" not in text
    log = (tmp_path / "reference.log").read_text(errors="replace")
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
    scaled = [line for line in log.splitlines() if "mathcheck: scaled display" in line]
    assert not overfull, overfull
    assert not scaled, scaled


def test_figures_are_vector_pdfs(tmp_path: Path) -> None:
    figures = figures_for(get("act.sigmoid"), tmp_path)
    assert [p.name for p, _ in figures] == ["act-sigmoid-curve.pdf", "act-sigmoid-ulps.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p, _ in figures)


def test_select_by_section_keeps_the_cheatsheet_order() -> None:
    chosen = select(("activations",))
    assert all(e.section.slug == "activations" for e in chosen)


def test_accuracy_table_of_a_sweep_is_an_appendix(tmp_path: Path) -> None:
    import json

    cells = [{"entry": "act.silu", "implementation": "torch F.silu", "backend": "torch",
              "device": "cpu", "dtype": "float32", "search": "exhaustive", "inputs": 4278190080,
              "worst_ulps": 1.68e7, "worst_x": -89.053192, "budget_ulps": 4, "verdict": "fail",
              "correctly_rounded_fraction": 0.961379, "why": None},
             {"entry": "act.tanh", "implementation": "numpy.tanh", "backend": "numpy",
              "device": "cpu", "dtype": "bfloat16", "skipped": "no bfloat16 kernel"}]
    (tmp_path / "table.json").write_text(json.dumps(cells))
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--section", "activations",
                                        "--no-verify", "--sweeps", str(tmp_path / "table.json")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "reference.tex").read_text()
    appendix = text[text.index(r"\section{Accuracy over every input}"):]
    assert r"\hyperref[entry:act.silu]" in appendix and "torch F.silu" in appendix
    assert r"$1.7\cdot 10^{7}$" in appendix and "$-89.053192$" in appendix
    assert "96.1379" in appendix and r"\multicolumn{4}{l}{not run}" in appendix


def test_a_report_with_errors_places_the_error_budget_figure(tmp_path: Path) -> None:
    built = build_reference(tuple(SYNTHETIC.values()), tmp_path, REPORT)
    text = built.tex.read_text()
    assert r"\section{Error against budget}" in text
    assert (tmp_path / "figures" / "error-budget.pdf").exists()
    assert "1 over their budget" in text  # syn.dot's torch cell is infinite: failed
    no_report = build_reference(tuple(SYNTHETIC.values()), tmp_path / "bare", None)
    assert "Error against budget" not in no_report.tex.read_text()


def test_identities_at_fixed_sizes_are_evidence_in_the_appendix(tmp_path: Path) -> None:
    """E[aX + c] = aE[X] + c is stated in the entry; its n = 3 expansion is in the appendix."""
    text = build_reference([get("prob.expectation")], tmp_path, None).tex.read_text()
    entry = text[text.index(r"\label{entry:prob.expectation}"):text.index(r"\appendix")]
    appendix = text[text.index(r"\section{Evidence at fixed sizes}"):]
    assert "evidence:prob.expectation:0" in entry and "p_{0}" not in entry
    assert r"\label{evidence:prob.expectation:0}" in appendix and "built at n = 3" in appendix


def test_routine_proof_notes_are_dropped_and_the_rest_kept() -> None:
    """The detail of a real proof is what `informative` drops (one constant, not a copy)."""
    import sympy as sp

    from mathcheck.reference.build import informative
    from mathcheck.symbolic import prove_equal

    x = sp.Symbol("x")
    detail = prove_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1).detail
    assert informative(f"{detail}; built at n = 3") == "built at n = 3"
    assert informative("simplification ran past 20 s") == "simplification ran past 20 s"
