"""Assemble reference.tex from the catalog and (optionally) compile it with latexmk."""

from __future__ import annotations

import datetime as _dt
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mathcheck.formulas import Entry, Section, sections
from mathcheck.reference import _tex, _work, escape
from mathcheck.reference.displays import Derived, Display
from mathcheck.reference.status import WORDS, EntryStatus, summarize, totals

TEX_PACKAGES = (
    "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended latexmk lmodern"
)


class TexMissing(RuntimeError):
    """latexmk or pdflatex is not installed."""


class TexFailed(RuntimeError):
    """latexmk ran and reported errors (the log excerpt is the message)."""


@dataclass
class EntryView:
    entry: Entry
    display: Display
    derived: list[Derived]
    status: EntryStatus | None
    numpy_code: str | None
    torch_code: str | None
    figures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "entry:" + escape.label(self.entry.id)

    def badge(self, derived: Derived) -> str:
        """The status shown next to a derivation: the verification run's, else our own proof."""
        if self.status:
            for claim in self.status.claims:
                if claim.label == derived.label or (
                    claim.kind == derived.kind == "derivative"
                    and derived.label.startswith(claim.label)
                ):
                    return claim.status
        if derived.kind == "derivative":
            return derived.proof
        return "not run"


@dataclass
class SectionView:
    section: Section
    entries: list[EntryView]


def missing_tex() -> list[str]:
    """The TeX programs and files the PDF needs that are not installed (see `_tex`)."""
    return _tex.missing()


def tex_hint(missing: list[str]) -> str:
    """One line naming what is missing and the Debian packages that provide it."""
    return _tex.install_hint(missing)


def _errata(report: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Items of the errata appendix: the report's, else evaluated now
    (`mathcheck.crosscheck.errata`)."""
    if report and isinstance(report.get("errata"), list):
        return [_item(x) for x in report["errata"]]
    from mathcheck.crosscheck.errata import collect

    try:
        items = collect()
    except Exception as exc:
        return [{"": f"the errata collection failed: {type(exc).__name__}: {exc}"}]
    return [_item(x) for x in items]


def _item(item: Any) -> dict[str, str]:
    """One erratum as ordered key → text pairs, whatever shape it comes in."""
    if isinstance(item, dict):
        return {str(k): str(v) for k, v in item.items() if v not in (None, "")}
    if hasattr(item, "__dataclass_fields__"):
        return {
            k: str(getattr(item, k))
            for k in item.__dataclass_fields__
            if getattr(item, k) not in (None, "")
        }
    return {"": str(item)}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mathcheck.reference", "templates"),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["tex"] = escape.tex
    env.filters["prose"] = escape.prose
    env.filters["heading"] = escape.heading
    env.filters["label"] = escape.label
    env.filters["status_word"] = lambda s: WORDS.get(s, s)
    env.filters["num"] = _number
    env.filters["point"] = _point
    return env


def _point(value: float | None) -> str:
    """An input where an error occurs: eight significant digits, as the sweep reports it."""
    if value is None or value != value:
        return "--"
    mantissa, _, exponent = f"{value:.8g}".partition("e")
    return f"${mantissa}\\cdot 10^{{{int(exponent)}}}$" if exponent else f"${mantissa}$"


def _number(value: float | None) -> str:
    if value is None:
        return "--"
    if value == 0:
        return "0"
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return r"$\infty$"
    if abs(value) >= 1e4 or abs(value) < 1e-2:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"${mantissa}\\cdot 10^{{{int(exponent)}}}$"
    return f"{value:.3g}"


def views(
    entries: Iterable[Entry],
    out_dir: Path,
    report: dict[str, Any] | None,
    figures: bool = True,
    progress: Callable[[Entry], None] | None = None,
    jobs: int | None = None,
) -> list[SectionView]:
    """The entries by section, each with its displays, figures and code (`_work`: cached,
    and computed in `jobs` processes, None: one per CPU)."""
    statuses = summarize(report)
    chosen = list(entries)
    figure_dir = out_dir / "figures"
    done_parts = _work.parts(chosen, figure_dir if figures else None, jobs, progress)
    computed = dict(zip(map(id, chosen), done_parts, strict=True))
    by_section: list[SectionView] = []
    known = list(sections())
    # Entries of a section the registry does not list (a user's, a test's) follow, in order.
    extra = [e.section for e in chosen if e.section not in known]
    for section in known + list(dict.fromkeys(extra)):
        members = [e for e in chosen if e.section == section]
        if not members:
            continue
        items = []
        for entry in members:
            done = computed[id(entry)]
            items.append(
                EntryView(
                    entry,
                    done.displays.main,
                    done.displays.derived,
                    statuses.get(entry.id),
                    done.numpy_code,
                    done.torch_code,
                    [(f"{figure_dir.name}/{name}", caption) for name, caption, _ in done.figures],
                )
            )
        by_section.append(SectionView(section, items))
    return by_section


def counts(section_views: list[SectionView]) -> dict[str, Any]:
    """What the note reports: displays from SymPy, and the parse-back of hand-written ones."""
    displays = [v.display for s in section_views for v in s.entries]
    derived = [d for s in section_views for v in s.entries for d in v.derived if d.latex]
    hand = [v for s in section_views for v in s.entries if v.display.source == "hand"]
    verdicts: dict[str, int] = {}
    for v in hand:
        key = v.display.parse_back.status if v.display.parse_back else "unparseable"
        verdicts[key] = verdicts.get(key, 0) + 1
    return {
        "entries": sum(len(s.entries) for s in section_views),
        "sympy": sum(d.source in ("sympy", "sympy-sized") for d in displays),
        "sympy_index": sum(d.source == "sympy" for d in displays),
        "sympy_sized": sum(d.source == "sympy-sized" for d in displays),
        "derived": len(derived),
        "hand": len(hand),
        "none": sum(d.source == "none" or d.latex is None for d in displays),
        "proven": verdicts.get("proven", 0),
        "confirmed": verdicts.get("confirmed", 0),  # numerically, not by the prover
        "unparseable": verdicts.get("unparseable", 0),
        "mismatched": verdicts.get("mismatched", 0),
        "no_form": verdicts.get("no_form", 0),
        "hand_entries": hand,
    }


def render(section_views: list[SectionView], report: dict[str, Any] | None,
           sweeps: list[dict[str, Any]] | None = None) -> str:
    env = _environment()
    statuses = summarize(report)
    environment = dict(report.get("environment", {})) if report else {}
    return env.get_template("reference.tex.j2").render(
        sections=section_views,
        environment=environment,
        claim_totals=totals(statuses),
        verified_entries=len(statuses),
        verified=bool(report),
        counts=counts(section_views),
        errata=_errata(report),
        sweeps=sweeps or [],
        built=_dt.date.today().isoformat(),
        ids=sorted((v.entry.id, v.label) for s in section_views for v in s.entries),
    )


def compile_pdf(tex_path: Path, timeout: float = 600.0, checked: bool = False) -> Path:
    """latexmk -pdf in the .tex's folder; raises TexMissing / TexFailed. `checked`: the
    caller found TeX complete (`missing_tex`) before its work, so it is not asked again."""
    missing = [] if checked else missing_tex()
    if missing:
        raise TexMissing(tex_hint(missing))
    command = [
        "latexmk",
        "-pdf",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        tex_path.name,
    ]
    run = subprocess.run(
        command, cwd=tex_path.parent, capture_output=True, text=True, errors="replace",
        timeout=timeout, check=False,  # TeX writes its logs in 8-bit encodings
    )
    pdf = tex_path.with_suffix(".pdf")
    if run.returncode != 0 or not pdf.exists():
        log = tex_path.with_suffix(".log")
        text = log.read_text(errors="replace") if log.exists() else run.stdout + run.stderr
        errors = [line for line in text.splitlines() if line.startswith("!") or ".tex:" in line]
        raise TexFailed("\n".join(errors[:20]) or text[-2000:])
    return pdf


@dataclass
class Built:
    tex: Path
    pdf: Path | None
    counts: dict[str, Any]


def build_reference(
    entries: Iterable[Entry],
    out_dir: Path | str,
    results: dict[str, Any] | None = None,
    pdf: bool = False,
    progress: Callable[[Entry], None] | None = None,
    sweeps: list[dict[str, Any]] | None = None,
    jobs: int | None = None,
) -> Built:
    """`build`, also returning what the note reports (display counts, parse-back verdicts).

    `progress(entry)` is called before each entry is printed (the CLI's progress bar);
    `sweeps` (cells of `mathcheck sweep --table`, `status.load_sweeps`) add the accuracy
    appendix. Entries not in the cache (`_work`) are computed in `jobs` processes (None: one
    per CPU).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    missing = missing_tex() if pdf else []
    if missing:
        raise TexMissing(tex_hint(missing))
    section_views = views(entries, out, results, progress=progress, jobs=jobs)
    tex_path = out / "reference.tex"
    tex_path.write_text(render(section_views, results, sweeps), encoding="utf-8")
    pdf_path = compile_pdf(tex_path, checked=True) if pdf else None
    return Built(tex_path, pdf_path, counts(section_views))


def build(
    entries: Iterable[Entry],
    out_dir: Path | str,
    results: dict[str, Any] | None = None,
    pdf: bool = False,
) -> Path:
    """Write reference.tex (and figures) into out_dir; with pdf=True compile it.

    `results` is a verification report dict (see `mathcheck.reference.status`); without one
    the statuses read "not run in this build". Returns the .pdf path if compiled, else the .tex.
    """
    built = build_reference(entries, out_dir, results, pdf)
    return built.pdf or built.tex
