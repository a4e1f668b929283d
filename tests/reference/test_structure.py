"""The reference's structure, from the .tex of a few sections (no PDF): section summary tables,
errata flags and their order, cross-reference links, Section 16's API table, the concept
index, the notation page, and `--with-code`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mathcheck.cli.latex import latex
from mathcheck.formulas import all_entries, get
from mathcheck.formulas.errata import ERRATA
from mathcheck.formulas.pytorch import APIS
from mathcheck.reference import build_reference
from mathcheck.reference.build import SEVERITY
from mathcheck.reference.concepts import CONCEPTS, index

IDS = ("act.gelu", "act.gelu_tanh", "act.relu", "opt.adam", "opt.adamw", "reg.l2",
       "opt.convexity", "attn.multi_head", "loss.cross_entropy")


def _agreement(entry_id: str, dtype: str, error: float, budget: float) -> dict:
    return {"entry_id": entry_id, "claim": "agreement", "kind": "agreement", "backend": "numpy",
            "dtype": dtype, "device": "cpu", "status": "passed", "error": error,
            "budget": budget, "unit": "ulp"}


REPORT = {
    "environment": {"python": "3.11.7", "sympy": "1.14.0", "numpy": "2.4.6", "torch": "2.13",
                    "mpmath": "1.3.0", "cuda": None, "gpu": None,
                    "date": "2026-12-03T08:35:11+00:00", "seed": 0, "examples": 20,
                    "profile": "quick"},
    "results": [
        _agreement("act.gelu", "float32", 1.0, 4.0),
        _agreement("act.gelu", "float16", 3.0, 4.0),  # the worst ratio: 0.75 in float16
        {"entry_id": "opt.adam", "claim": "matches torch.optim.Adam", "kind": "check",
         "status": "failed", "backend": "torch", "dtype": "float64"},
        _agreement("opt.adam", "float64", 1.0, 10.0),
    ],
    # The errata as `verify --errata` records them: given, so that nothing is evaluated.
    "errata": [{"id": e.id, "entry_id": e.entry, "kind": e.kind, "stated": e.stated,
                "status": "reproduced"} for e in ERRATA],
}


@pytest.fixture(scope="module")
def tex(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("structure")
    built = build_reference([get(i) for i in IDS], out, REPORT, jobs=1)
    return built.tex.read_text()


def _section(text: str, title: str) -> str:
    start = text.index(r"\section{" + title)
    end = text.find(r"\section{", start + 1)
    return text[start:end if end > 0 else None]


def test_each_section_opens_with_its_summary_table(tex: str) -> None:
    activations = _section(tex, r"\texorpdfstring{Activation")
    table = activations[:activations.index(r"\subsection")]
    assert r"\begin{longtable}" in table and "worst error / budget" in table
    assert r"\hyperref[entry:act.gelu]{GELU (exact)}" in table
    assert r"\pageref{entry:act.gelu}" in table
    assert "0.75 {\\color{muted}float16}" in table  # the worst ratio, with its dtype


def test_without_code_an_entry_has_one_worst_error_line(tex: str) -> None:
    assert r"\begin{lstlisting}" not in tex
    assert "worst error / budget &" not in tex.split(r"\subsection", 1)[1].split(
        r"\section{Errata", 1)[0].replace("worst error / budget & page", "")
    assert r"\field{worst error}" in tex and "in float16, numpy" in tex


def test_with_code_brings_back_listings_and_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--section", "activations",
                                        "--no-verify", "--with-code", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert r"\begin{lstlisting}" in (tmp_path / "reference.tex").read_text()
    result = CliRunner().invoke(latex, ["-o", str(tmp_path), "--section", "activations",
                                        "--no-verify", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert r"\begin{lstlisting}" not in (tmp_path / "reference.tex").read_text()


def test_errata_flag_their_entries_and_are_ordered_by_severity(tex: str) -> None:
    convexity = tex[tex.index(r"\label{entry:opt.convexity}"):]
    assert convexity.removeprefix("\\label{entry:opt.convexity}\n").startswith(
        r"\erratumflag{erratum:errata.convex_unique}{wrong}")
    appendix = _section(tex, "Errata")
    kinds = re.findall(r"\\textmd\{\{\(\}(\w+)\)\}", appendix)
    assert kinds and kinds == sorted(kinds, key=SEVERITY.index)
    assert kinds[0] == "wrong" and kinds[-1] == "empirical"
    assert r"\label{erratum:errata.convex_unique}" in appendix
    assert r"\hyperref[entry:opt.convexity]" in appendix  # back to the entry
    assert "Most severe first: \\emph{wrong}, \\emph{notation}" in appendix


def test_ids_named_in_prose_are_links_and_unknown_ids_are_not(tex: str) -> None:
    gelu = tex[tex.index(r"\label{entry:act.gelu}"):tex.index(r"\label{entry:act.gelu_tanh}")]
    assert r"\hyperref[entry:act.gelu_tanh]{act.gelu\_tanh}" in gelu
    assert "act.gelu\\_sigmoid" in gelu and "entry:act.gelu_sigmoid" not in gelu  # not built
    l2 = tex[tex.index(r"\label{entry:reg.l2}"):]
    assert r"\hyperref[entry:opt.adamw]{opt.adamw}" in l2[:l2.index(r"\subsection")]


def test_section_16_is_the_table_of_the_apis(tex: str) -> None:
    pytorch = _section(tex, r"\texorpdfstring{PyTorch")
    assert r"\texttt{nn.\allowbreak{}MultiheadAttention(" in pytorch
    assert r"\hyperref[entry:attn.multi_head]" in pytorch
    adam = next(line for line in pytorch.splitlines() if "optim.\\allowbreak{}Adam(" in line)
    assert r"\badge{bad}{FAILED}" in adam  # the claim comparing with torch.optim.Adam
    assert r"\texttt{linalg.\allowbreak{}svd}" in pytorch  # not in this build: not linked
    assert "entry:linalg.svd" not in pytorch


def test_every_api_maps_to_an_entry_and_every_call_of_the_cheatsheet_is_listed() -> None:
    ids = {e.id for e in all_entries()}
    assert all(api.entry_id in ids for api in APIS)
    seed = Path(__file__).resolve().parents[3] / "shared" / "seed"
    cheatsheet = seed / "math-for-ai-ml-llm-cheatsheet.txt"
    if not cheatsheet.exists():
        pytest.skip("the cheatsheet is not beside the project")
    text = cheatsheet.read_text()
    section = text[text.index("16 · PyTorch"):text.index("17 · Numbers")]
    calls = [line.split("(")[0] for line in section.splitlines()
             if re.match(r"(nn|F|torch\.(linalg|optim))\.\w", line)]
    listed = " ".join(api.call for api in APIS)
    assert calls and all(call + "(" in listed for call in calls), calls
    assert "y = x**2 + 3*x" in listed


def test_concept_index_reaches_every_entry(tex: str) -> None:
    concepts = index(all_entries())
    names = [name for name, _ in concepts]
    assert {"Adam", "KL divergence", "Kullback–Leibler divergence", "RoPE",
            "rotary position embedding"} <= set(names)
    reached = {i for _, ids in concepts for i in ids}
    assert reached == {e.id for e in all_entries()}
    known = {e.id for e in all_entries()}
    assert all(i in known for ids in CONCEPTS.values() for i in ids)
    printed = _section(tex, "Index of concepts")
    assert r"\textbf{Adam}\quad\hyperref[entry:opt.adam]{\texttt{opt.adam}}~\pageref" in printed
    assert printed.index(r"\textbf{Adam}") < printed.index(r"\textbf{GELU}")


def test_notation_page_and_title_page(tex: str) -> None:
    notation = tex[tex.index(r"\section*{Notation}"):tex.index(r"\section{")]
    for phrase in ("bold lower case", "bold upper case", "indices start at 1", "d_k",
                   "natural logarithm", r"\odot", "logistic sigmoid", "row-wise", "2-norm"):
        assert phrase in notation, phrase
    title = tex[:tex.index(r"\tableofcontents")]
    assert "verification profile & quick" in title
    assert "2026-12-03" in title and "SymPy 1.14.0" in title
