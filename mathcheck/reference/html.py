"""The HTML edition of the reference: a static site from the same views as the PDF.

`write_site(section_views, out, report, ...)` writes `out/index.html`, one page per section
(`04-activations.html`, the cheatsheet's order) and `out/static/`: KaTeX (copied from a
local distribution, Debian's `libjs-katex` by default: the site never loads anything from
the network), the notation macros of the PDF's preamble, a search index and the page script.
Formulas are rendered in the browser by `katex.render`, one element at a time, with
`throwOnError`: a formula KaTeX cannot read is reported with `console.error` and shown as its
TeX source, never silently mis-drawn. Figures are the SVG made next to each PDF figure
(`plots.py`); a figure without one is named in a note instead.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import re
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from mathcheck.formulas import Entry, Section, resolve, sections
from mathcheck.reference import concepts
from mathcheck.reference.build import SectionView, counts, tone, views
from mathcheck.reference.status import WORDS, summarize, totals

#: Where Debian's libjs-katex puts KaTeX, and the package that provides it.
KATEX_DEFAULT = Path("/usr/share/javascript/katex")
KATEX_PACKAGE = "libjs-katex"
KATEX_ENV = "MATHCHECK_KATEX"
#: What the site copies from a KaTeX distribution (the fonts its CSS names, from fonts/).
KATEX_FILES = ("katex.min.js", "katex.min.css")
#: The page script and style, shipped next to the templates.
STATIC_FILES = ("site.js", "site.css")

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


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mathcheck.reference", "templates/html"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["status_word"] = lambda s: WORDS.get(s, s)
    env.filters["tone"] = tone
    env.filters["num"] = _number
    env.filters["page"] = page_name
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
    pages: list[Path]
    entries: int


def write_site(
    section_views: list[SectionView],
    out: Path | str,
    report: dict[str, Any] | None = None,
    katex: Path | None = None,
    figures_from: Path | None = None,
    only: Sequence[Section] | None = None,
) -> Site:
    """The site in `out`: index.html, a page per section, static/ (KaTeX from `katex`,
    see `katex_dir`). `figures_from`: the folder the views' figure paths are relative to
    (the build's; default `out`). `only`: the sections to write pages for (default: every
    section of the catalog, those without entries saying so, then any other of the views)."""
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
    env = _environment()
    statuses = summarize(report)
    common = {
        "sections": chosen,
        "built": _dt.date.today().isoformat(),
        "verified": bool(report),
    }
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
                items=entries,
                previous=chosen[number - 1] if number else None,
                next=chosen[number + 1] if number + 1 < len(chosen) else None,
            ),
            encoding="utf-8",
        )
        pages.append(page)
    index = out / "index.html"
    index.write_text(
        env.get_template("index.html.j2").render(
            **common,
            current=None,
            environment=dict(report.get("environment", {})) if report else {},
            counts=counts(section_views),
            claim_totals=totals(statuses),
            verified_entries=len(statuses),
            ids=sorted(
                (v.entry.id, page_name(s.section)) for s in section_views for v in s.entries
            ),
        ),
        encoding="utf-8",
    )
    return Site(index, pages, sum(len(s.entries) for s in section_views))


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
