"""The HTML edition of the reference: a static site from the same views as the PDF.

`write_site(section_views, out, report, ...)` writes `out/index.html` (the PDF's title page:
the build table, the displays not tied to the checked form), one page per section
(`04-activations.html`, the cheatsheet's order; each opens with the PDF's summary table,
Section 16 with its table of APIs), `notation.html`, `errata.html` and `concepts.html`, the
PDF's notation page and appendices, all from the views the PDF is printed from (the errata
are collected again unless `errata=` passes the PDF's: `Built` does not carry them), and
`out/static/`: KaTeX (copied from a local distribution, Debian's `libjs-katex` by default: the
site never loads anything from the network), the notation macros of the PDF's preamble, a
search index and the page script.
Formulas are rendered in the browser by `katex.render`, one element at a time, with
`throwOnError`: a formula KaTeX cannot read is reported with `console.error` and shown as its
TeX source, never silently mis-drawn. Prose (titles, notes, "used in") is split by the PDF's
tokenizer (`escape.prose_parts`): its inline math is rendered by KaTeX too. Figures are the
SVG made next to each PDF figure (`plots.py`); a figure without one is named in a note instead.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import re
import shutil
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from mathcheck.formulas import Entry, Section, resolve, sections
from mathcheck.reference import concepts
from mathcheck.reference.build import (
    SEVERITY,
    SectionView,
    _errata,
    _flags,
    _versions,
    counts,
    ordered_errata,
    shared_filters,
    views,
)
from mathcheck.reference.escape import Part, prose_parts
from mathcheck.reference.status import summarize, totals

#: Where Debian's libjs-katex puts KaTeX, and the package that provides it.
KATEX_DEFAULT = Path("/usr/share/javascript/katex")
KATEX_PACKAGE = "libjs-katex"
KATEX_ENV = "MATHCHECK_KATEX"
#: What the site copies from a KaTeX distribution (the fonts its CSS names, from fonts/).
KATEX_FILES = ("katex.min.js", "katex.min.css")
#: The page script and style, shipped next to the templates.
STATIC_FILES = ("site.js", "site.css")

#: The pages besides the sections': (file, title), in the order the sidebar lists them.
OTHER_PAGES = (("notation.html", "Notation"), ("errata.html", "Errata"),
               ("concepts.html", "Index of concepts"))

_PROVIDE = re.compile(r"\\providecommand\{(\\[A-Za-z]+)\}(?:\[\d\])?\{")
_FONT_URL = re.compile(r"url\((?:['\"])?fonts/([^)'\"]+)(?:['\"])?\)")


# --------------------------------------------------------------------------- KaTeX


def katex_dir(option: Path | None = None) -> Path:
    """The KaTeX distribution to copy: `--katex`, else $MATHCHECK_KATEX, else Debian's."""
    if option is not None:
        return Path(option)
    return Path(os.environ.get(KATEX_ENV) or KATEX_DEFAULT)


def missing_katex(directory: Path) -> str | None:
    """One line naming what is missing from `directory` and how to install it; None if
    the site can be built."""
    absent = [name for name in KATEX_FILES if not (directory / name).is_file()]
    if not (directory / "fonts").is_dir():
        absent.append("fonts/")
    if not absent:
        return None
    return (
        f"KaTeX not found: {', '.join(absent)} missing in {directory}; install the Debian "
        f"package {KATEX_PACKAGE} (apt-get install --no-install-recommends {KATEX_PACKAGE}) "
        f"or point --katex or {KATEX_ENV} at a KaTeX distribution"
    )


def macros() -> dict[str, str]:
    """The notation macros of the PDF's preamble (every `\\providecommand`), for KaTeX's
    `macros` option: one definition, read from templates/preamble.tex.j2."""
    text = (
        resources.files("mathcheck.reference")
        .joinpath("templates/preamble.tex.j2")
        .read_text(encoding="utf-8")
    )
    found: dict[str, str] = {}
    for match in _PROVIDE.finditer(text):
        start = end = match.end()
        depth = 1
        while depth:  # to the brace that closes the body
            char = text[end]
            if char == "\\":
                end += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            end += 1
        found[match.group(1)] = text[start : end - 1]
    return found


def copy_katex(source: Path, static: Path) -> int:
    """katex.min.js, katex.min.css and every font file the CSS names that the distribution
    has (Debian's fonts/ is a link into fonts-katex: the files are copied, not the link)."""
    target = static / "katex"
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    for name in KATEX_FILES:
        shutil.copyfile(source / name, target / name)
    css = (source / "katex.min.css").read_text(encoding="utf-8")
    fonts = 0
    for name in dict.fromkeys(_FONT_URL.findall(css)):
        font = source / "fonts" / name
        if font.is_file():
            shutil.copyfile(font, target / "fonts" / name)
            fonts += 1
    return fonts


# --------------------------------------------------------------------------- pages


def page_name(section: Section) -> str:
    return f"{section.number:02d}-{section.slug}.html"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "−∞"
    if value and (abs(value) >= 1e4 or abs(value) < 1e-2):
        return f"{value:.1e}"
    return f"{value:.3g}"


def source_code(target: Any) -> str | None:
    """The source of a form as it is written, or None when it has none."""
    if target is None:
        return None
    try:
        return textwrap.dedent(inspect.getsource(resolve(target))).rstrip()
    except (OSError, TypeError, AttributeError, ImportError, ValueError):
        return None


@dataclass
class Figure:
    src: str | None  # relative to the site; None: no SVG was made
    name: str
    caption: str


def _figures(paths: Iterable[tuple[str, str]], figures_from: Path, out: Path) -> list[Figure]:
    """The SVG next to each PDF figure, copied into the site; a note for one without."""
    shown = []
    for path, caption in paths:
        svg = (figures_from / path).with_suffix(".svg")
        if svg.is_file():
            target = out / "figures" / svg.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if svg.resolve() != target.resolve():
                shutil.copyfile(svg, target)
            shown.append(Figure(f"figures/{svg.name}", svg.name, caption))
        else:
            shown.append(Figure(None, Path(path).name, caption))
    return shown


def _html_part(part: Part, link: Callable[[str], str]) -> str:
    """One part of prose as HTML: math as TeX text in a .math span (site.js renders it)."""
    if part.kind == "emph":
        return "<em>" + "".join(_html_part(p, link) for p in part.inner) + "</em>"
    if part.kind == "math":
        return f'<span class="math">{escape(part.text)}</span>'
    if part.kind == "code":
        return f"<code>{escape(part.text)}</code>"
    return link(unicodedata.normalize("NFC", part.text))


def _linker(hrefs: Mapping[str, str]) -> Callable[[str], str]:
    """Plain text, HTML-escaped, with each id of `hrefs` (id → href) a link, as `links.linker`
    does for the PDF: not inside a longer name, never inside math or code."""
    if not hrefs:
        return lambda text: str(escape(text))
    alternatives = "|".join(re.escape(k) for k in sorted(hrefs, key=len, reverse=True))
    pattern = re.compile(r"(?<![A-Za-z0-9._])(" + alternatives + r")(?![A-Za-z0-9_]|\.\w)")

    def link(text: str) -> str:
        out, k = [], 0
        for found in pattern.finditer(text):
            out.append(str(escape(text[k:found.start()])))
            out.append(f'<a href="{escape(hrefs[found.group(1)])}">{escape(found.group(1))}</a>')
            k = found.end()
        out.append(str(escape(text[k:])))
        return "".join(out)

    return link


def _breakable(text: object) -> Markup:
    """Escaped text that may break after . , ( = and _ (long API calls and ids in cells), as
    `build.breakable` does for the PDF."""
    return Markup(re.sub(r"([.,(=_])", r"\1<wbr>", str(escape(str(text)))))


def prose_html(text: object, hrefs: Mapping[str, str] | None = None) -> Markup:
    """Catalog prose as HTML, split by the PDF's tokenizer (`escape.prose_parts`): text
    escaped (ids of `hrefs` linked), <em>, <code>, inline math for KaTeX."""
    link = _linker(hrefs or {})
    return Markup("".join(_html_part(p, link) for p in prose_parts(text)))


def _environment(hrefs: Mapping[str, str] | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mathcheck.reference", "templates/html"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(shared_filters())  # the PDF's own: status words, tones, notes
    env.filters["num"] = _number
    env.filters["page"] = page_name
    env.filters["breakable"] = _breakable
    env.filters["prose"] = prose_html
    link = _linker(hrefs or {})
    env.filters["xref"] = lambda text: Markup(
        "".join(_html_part(p, link) for p in prose_parts(text)))
    return env


def _search_index(section_views: list[SectionView]) -> list[dict[str, Any]]:
    """Per entry: id, title, the concepts of the concept index (`concepts.index`) that name
    it, and further text to match (its section, where it is used, variants, derivations)."""
    chosen = [v for s in section_views for v in s.entries]
    named: dict[str, list[str]] = {}
    for concept, ids in concepts.index(v.entry for v in chosen):
        for entry_id in ids:
            named.setdefault(entry_id, []).append(concept)
    return [
        {
            "id": v.entry.id,
            "title": v.entry.title,
            "section": f"{s.section.number} {s.section.title}",
            "concepts": named.get(v.entry.id, []),
            "text": " · ".join(
                [s.section.title, v.entry.used_in, *(x.name for x in v.entry.variants),
                 *(d.label for d in v.derived)]
            ),
            "href": f"{page_name(s.section)}#{v.entry.id}",
        }
        for s in section_views
        for v in s.entries
    ]


def _script(name: str, value: Any) -> str:
    """A JSON value as a script that sets `window.<name>`: pages opened from disk (file://)
    cannot fetch a .json file, they can load a script."""
    text = json.dumps(value, ensure_ascii=False, indent=0).replace("</", "<\\/")
    return f"window.{name} = {text};\n"


@dataclass
class Site:
    index: Path
    pages: list[Path]  # one per section
    entries: int
    others: list[Path] = field(default_factory=list)  # notation, errata, concepts (OTHER_PAGES)


def _hrefs(section_views: list[SectionView], errata: list[dict[str, str]]) -> dict[str, str]:
    """Where each id of the build is: entry id → its section page#id, erratum id → errata.html."""
    hrefs = {e["id"]: f"errata.html#{e['_label']}" for e in errata if e.get("id")}
    hrefs.update({v.entry.id: f"{page_name(s.section)}#{v.entry.id}"
                  for s in section_views for v in s.entries})
    return hrefs


def write_site(
    section_views: list[SectionView],
    out: Path | str,
    report: dict[str, Any] | None = None,
    katex: Path | None = None,
    figures_from: Path | None = None,
    only: Sequence[Section] | None = None,
    errata: list[dict[str, str]] | None = None,
) -> Site:
    """The site in `out`: index.html, a page per section, the pages of `OTHER_PAGES`, static/
    (KaTeX from `katex`, see `katex_dir`). `figures_from`: the folder the views' figure paths
    are relative to (the build's; default `out`). `only`: the sections to write pages for
    (default: every section of the catalog, those without entries saying so, then any other
    of the views). `errata`: the errata as the PDF printed them (`build.ordered_errata`);
    None: read from the report, else collected now, as the PDF build does."""
    out = Path(out)
    source = katex_dir(katex)
    problem = missing_katex(source)
    if problem:
        raise FileNotFoundError(problem)
    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    copy_katex(source, static)
    for name in STATIC_FILES:
        data = resources.files("mathcheck.reference").joinpath(f"templates/html/{name}")
        (static / name).write_bytes(data.read_bytes())
    (static / "macros.js").write_text(_script("MATHCHECK_MACROS", macros()), encoding="utf-8")
    (static / "search-index.js").write_text(
        _script("MATHCHECK_SEARCH", _search_index(section_views)), encoding="utf-8"
    )

    by_section = {s.section: s for s in section_views}
    wanted = list(only) if only is not None else list(sections())
    chosen = [by_section.get(s, SectionView(s, [])) for s in wanted]
    chosen += [s for s in section_views if s.section not in wanted]
    if errata is None:
        errata = ordered_errata(_errata(report))
    hrefs = _hrefs(section_views, errata)
    env = _environment(hrefs)
    statuses = summarize(report)
    environment = dict(report.get("environment", {})) if report else {}
    built_views = [v for s in section_views for v in s.entries]
    common = {
        "sections": chosen,
        "others": OTHER_PAGES,
        "built": _dt.date.today().isoformat(),
        "verified": bool(report),
        "hrefs": hrefs,
    }
    flags = _flags(errata)
    pages = []
    for number, view in enumerate(chosen):
        entries = [
            {
                "v": v,
                "figures": _figures(v.figures, figures_from or out, out),
                "numpy_code": source_code(v.entry.numpy),
                "torch_code": source_code(v.entry.torch),
            }
            for v in view.entries
        ]
        page = out / page_name(view.section)
        page.write_text(
            env.get_template("section.html.j2").render(
                **common,
                current=view,
                page_file=page.name,
                items=entries,
                flags=flags,
                previous=chosen[number - 1] if number else None,
                next=chosen[number + 1] if number + 1 < len(chosen) else None,
            ),
            encoding="utf-8",
        )
        pages.append(page)
    others = []
    for name, template, extra in (
        ("notation.html", "notation.html.j2", {}),
        ("errata.html", "errata.html.j2", {"errata": errata, "severity": SEVERITY}),
        ("concepts.html", "concepts.html.j2", {
            "concepts": concepts.index(v.entry for v in built_views),
            "ids": sorted((v.entry.id, page_name(s.section))
                          for s in section_views for v in s.entries),
        }),
    ):
        other = out / name
        other.write_text(
            env.get_template(template).render(**common, current=None, page_file=name, **extra),
            encoding="utf-8",
        )
        others.append(other)
    index = out / "index.html"
    index.write_text(
        env.get_template("index.html.j2").render(
            **common,
            current=None,
            page_file="index.html",
            environment=environment,
            versions=_versions(environment),
            counts=counts(section_views),
            claim_totals=totals(statuses),
            verified_entries=len(statuses),
            errata_count=len(errata),
        ),
        encoding="utf-8",
    )
    return Site(index, pages, sum(len(s.entries) for s in section_views), others)


def build_site(
    entries: Iterable[Entry],
    out: Path | str,
    report: dict[str, Any] | None = None,
    katex: Path | None = None,
    jobs: int | None = None,
) -> Site:
    """The views of `entries` (cached, in `jobs` processes; figures into out/figures) and
    the site from them."""
    out = Path(out)
    problem = missing_katex(katex_dir(katex))
    if problem:  # before any work
        raise FileNotFoundError(problem)
    return write_site(views(entries, out, report, jobs=jobs), out, report, katex)
