"""Assemble reference.tex from the catalog and (optionally) compile it with latexmk."""

from __future__ import annotations

import datetime as _dt
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mathcheck.formulas import Entry, Section, sections
from mathcheck.reference import _tex, _work, concepts, escape, links
from mathcheck.reference.displays import ROUTINE, Derived, Display
from mathcheck.reference.status import WORDS, EntryStatus, summarize, totals

#: Errata kinds, most severe first: the order of the errata appendix.
SEVERITY = ("wrong", "notation", "convention", "approximation", "empirical")

#: How long a "used in" may be in a section's summary table before it is cut at a word.
SHORT_USED_IN = 60

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

    def evidence_label(self, derived: Derived) -> str:
        """The appendix label of a derivation printed at fixed sizes."""
        return f"evidence:{escape.label(self.entry.id)}:{self.derived.index(derived)}"

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
class ApiView:
    """A row of Section 16's table: an API, the entry it implements and its verdict."""

    call: str
    entry_id: str
    note: str
    label: str | None  # None: the entry is not in this build (printed, not linked)
    verdict: str  # a status of `status.ORDER`, or "not run"
    verdict_from: str  # what the verdict is: the comparison claim's label, or "the entry"


@dataclass
class SectionView:
    section: Section
    entries: list[EntryView]
    apis: list[ApiView] = field(default_factory=list)


def api_views(chosen_ids: set[str], statuses: dict[str, EntryStatus]) -> list[ApiView]:
    """Section 16's table: each API of `mathcheck.formulas.pytorch.APIS` with the status of
    its entry, or of the entry's claim comparing with it where there is one."""
    from mathcheck.formulas.pytorch import APIS

    rows = []
    for api in APIS:
        status = statuses.get(api.entry_id)
        verdict, source = (status.overall, "the entry") if status else ("not run", "the entry")
        if status and api.claim:
            for claim in status.claims:
                if api.claim in claim.label:
                    verdict, source = claim.status, claim.label
                    break
        label = "entry:" + escape.label(api.entry_id) if api.entry_id in chosen_ids else None
        rows.append(ApiView(api.call, api.entry_id, api.note, label, verdict, source))
    return rows


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


def shared_filters() -> dict[str, Callable[..., str]]:
    """The filters whose output is plain text, the same in the PDF and the HTML edition."""
    return {"status_word": lambda s: WORDS.get(s, s), "short": short, "tone": tone,
            "informative": informative}


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
    env.filters.update(shared_filters())
    env.filters["num"] = _number
    env.filters["point"] = _point
    env.filters["breakable"] = breakable
    env.filters["dotbreak"] = dotbreak
    env.filters["xref"] = escape.prose  # `render` links the ids of its build
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
    chosen_ids = {e.id for e in chosen}
    for section in known + list(dict.fromkeys(extra)):
        members = [e for e in chosen if e.section == section]
        if not members:
            if section.slug == "pytorch":  # no formulas: the table of its APIs, if any is here
                apis = api_views(chosen_ids, statuses)
                if any(a.label for a in apis):
                    by_section.append(SectionView(section, [], apis))
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
    views_ = [v for s in section_views for v in s.entries]
    provenance = {key: 0 for key in ("printed", "proven", "confirmed", "unproven", "none")}
    for v in views_:
        provenance[v.display.provenance] += 1
    return {
        "entries": sum(len(s.entries) for s in section_views),
        # how each main display is tied to the checked form (goal: printed or proven, all)
        "provenance": provenance,
        "notation": sum(d.source == "notation" for d in displays),
        "unproven_entries": [v for v in views_ if v.display.provenance == "unproven"],
        "no_display_entries": [v for v in views_ if v.display.provenance == "none"],
        # every entry whose display is not printed from or proven equal to the checked form,
        # with the reason (the appendix lists them; the goal is none)
        "untied": [(v, untied_reason(v)) for v in views_
                   if v.display.provenance not in ("printed", "proven")],
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


def untied_reason(view: EntryView) -> str:
    """Why an entry's display is not printed from or proven equal to its checked form."""
    display = view.display
    if display.parse_back and display.parse_back.detail:
        return f"hand-written, {display.parse_back.status}: {display.parse_back.detail}"
    reason = display.note or view.entry.no_numeric_reason or ""
    return reason or ("no SymPy form" if view.entry.symbolic is None else "no display")


def short(text: str, limit: int = SHORT_USED_IN) -> str:
    """`text` up to `limit` characters, cut at a word (and never inside a `quote`)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    if cut.count("`") % 2:
        cut = cut[: cut.rindex("`")].rstrip()
    return cut + "…"


def breakable(text: object) -> str:
    """`escape.tex(text)` that may break after . , ( _ and = (long API calls, ids in cells)."""
    return re.sub(r"(\.|,|\(|\\_|=)", lambda m: m.group(1) + r"\allowbreak{}",
                  escape.tex(text))


def informative(note: str) -> str:
    """A derivation's note without its routine parts ("lhs − rhs simplifies to 0")."""
    return "; ".join(p for p in (note or "").split("; ") if p.strip().rstrip(".") not in ROUTINE)


def dotbreak(tex: str) -> str:
    """Escaped prose that may break after the dots of a dotted name (torch.nn.functional.x)."""
    return re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", r".\\allowbreak{}", tex)


def tone(status: str) -> str:
    """The colour of a status badge."""
    if status == "proven":
        return "ok"
    if status in ("confirmed", "passed"):
        return "num"
    if status in ("failed", "error"):
        return "bad"
    return "muted"


def ordered_errata(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """Errata most severe first (`SEVERITY`), in catalog order within a kind; each with the
    label the flags under its entry link to."""
    rank = {kind: k for k, kind in enumerate(SEVERITY)}
    out = []
    for k, item in sorted(enumerate(items),
                          key=lambda x: (rank.get(x[1].get("kind", ""), len(rank)), x[0])):
        out.append({**item, "_label": "erratum:" + escape.label(item.get("id") or f"item{k}")})
    return out


def _flags(errata: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    flags: dict[str, list[dict[str, str]]] = {}
    for item in errata:
        if item.get("entry_id"):
            flags.setdefault(item["entry_id"], []).append(item)
    return flags


def _versions(environment: dict[str, Any]) -> str:
    names = (("python", "Python"), ("sympy", "SymPy"), ("numpy", "NumPy"),
             ("torch", "PyTorch"), ("mpmath", "mpmath"), ("hypothesis", "Hypothesis"))
    return ", ".join(f"{name} {environment[k]}" for k, name in names if environment.get(k))


def render(section_views: list[SectionView], report: dict[str, Any] | None,
           sweeps: list[dict[str, Any]] | None = None, with_code: bool = False,
           budget_figure: tuple[str, str] | None = None,
           errata: list[dict[str, str]] | None = None) -> str:
    """The .tex. `with_code`: each entry's NumPy and Torch listings and its error table per
    dtype (else one line: the worst error against its budget, and where). `errata`: as
    `ordered_errata` gives them (default: collected from the report)."""
    env = _environment()
    statuses = summarize(report)
    environment = dict(report.get("environment", {})) if report else {}
    built_views = [v for s in section_views for v in s.entries]
    errata = ordered_errata(_errata(report)) if errata is None else errata
    targets = {v.entry.id: v.label for v in built_views}
    targets.update({e["id"]: e["_label"] for e in errata if e.get("id")})
    env.filters["xref"] = links.linker(targets)
    return env.get_template("reference.tex.j2").render(
        sections=section_views,
        with_code=with_code,
        environment=environment,
        versions=_versions(environment),
        flags=_flags(errata),
        severity=SEVERITY,
        budget_figure=budget_figure,
        concepts=[(name, [(i, targets[i]) for i in ids])
                  for name, ids in concepts.index(v.entry for v in built_views)],
        claim_totals=totals(statuses),
        verified_entries=len(statuses),
        verified=bool(report),
        counts=counts(section_views),
        errata=errata,
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


def _budget_figure(report: dict[str, Any], folder: Path) -> tuple[str, str] | None:
    """The figure "Error against budget" (`plots_budget`): its path relative to the .tex and
    its caption, or None (nothing measured, or the figure failed: never worth a failed build)."""
    from mathcheck.reference.plots_budget import error_budget_caption, error_budget_figure

    statuses = summarize(report)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        made = error_budget_figure(statuses, folder / "error-budget.pdf")
    except Exception:  # a figure is never worth a failed build
        return None
    if made is None or not Path(made).exists():
        return None
    return Path(made).relative_to(folder.parent).as_posix(), error_budget_caption(statuses)


@dataclass
class Built:
    tex: Path
    pdf: Path | None
    counts: dict[str, Any]
    # What was printed, for another edition of the same build (`html.write_site`).
    views: list[SectionView] = field(default_factory=list)
    errata: list[dict[str, str]] = field(default_factory=list)  # as printed (ordered_errata)


def build_reference(
    entries: Iterable[Entry],
    out_dir: Path | str,
    results: dict[str, Any] | None = None,
    pdf: bool = False,
    progress: Callable[[Entry], None] | None = None,
    sweeps: list[dict[str, Any]] | None = None,
    jobs: int | None = None,
    with_code: bool = False,
) -> Built:
    """`build`, also returning what the note reports (display counts, parse-back verdicts).

    `progress(entry)` is called before each entry is printed (the CLI's progress bar);
    `sweeps` (cells of `mathcheck sweep --table`, `status.load_sweeps`) add the accuracy
    appendix. Entries not in the cache (`_work`) are computed in `jobs` processes (None: one
    per CPU). `with_code` prints each entry's listings and per-dtype error table.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    missing = missing_tex() if pdf else []
    if missing:
        raise TexMissing(tex_hint(missing))
    section_views = views(entries, out, results, progress=progress, jobs=jobs)
    tex_path = out / "reference.tex"
    figure = _budget_figure(results, out / "figures") if results else None
    errata = ordered_errata(_errata(results))
    tex_path.write_text(render(section_views, results, sweeps, with_code=with_code, errata=errata,
                               budget_figure=figure), encoding="utf-8")
    pdf_path = compile_pdf(tex_path, checked=True) if pdf else None
    return Built(tex_path, pdf_path, counts(section_views), section_views, errata)


def build(
    entries: Iterable[Entry],
    out_dir: Path | str,
    results: dict[str, Any] | None = None,
    pdf: bool = False,
    with_code: bool = False,
) -> Path:
    """Write reference.tex (and figures) into out_dir; with pdf=True compile it.

    `results` is a verification report dict (see `mathcheck.reference.status`); without one
    the statuses read "not run in this build". Returns the .pdf path if compiled, else the .tex.
    """
    built = build_reference(entries, out_dir, results, pdf, with_code=with_code)
    return built.pdf or built.tex
