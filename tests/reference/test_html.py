"""The HTML edition (`mathcheck latex --html`): every page loaded in headless Chromium.

The site of the whole catalog is built once (statuses "not run", as `--no-verify`; the
displays come from the build cache the PDF test fills too). Each page must render every
formula with KaTeX and log no error; every entry id must be on a page; the search must find
entries. A planted broken formula shows that the checker notices one. The content the PDF
carries is checked in the HTML files themselves (no browser needed): each section's summary
table, Section 16's API table, the build table's provenance counts, the untied displays, the
errata in order of severity with their flags, the concept index, and prose split by the
PDF's tokenizer (inline math in titles rendered by KaTeX). Skips with the reason
when Chromium, chromedriver, selenium or KaTeX (Debian's libjs-katex) is missing; .ci/run
installs them.
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mathcheck.cli.latex import latex
from mathcheck.formulas import all_entries, find_section, sections, select
from mathcheck.formulas.pytorch import APIS
from mathcheck.reference.build import SEVERITY, views
from mathcheck.reference.displays import Display
from mathcheck.reference.escape import Part, prose, prose_parts
from mathcheck.reference.html import (
    OTHER_PAGES,
    katex_dir,
    macros,
    missing_katex,
    page_name,
    prose_html,
    write_site,
)

DEBS = "apt-get install --no-install-recommends libjs-katex chromium chromium-driver"


def _missing() -> list[str]:
    absent = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    if missing_katex(katex_dir()):
        absent.append(f"KaTeX in {katex_dir()}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        absent.append("selenium (the dev extra)")
    return absent


needs_browser = pytest.mark.skipif(
    bool(_missing()), reason=f"{', '.join(_missing())} missing: {DEBS}"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The site of the whole catalog and what the command printed."""
    if missing_katex(katex_dir()):
        pytest.skip(f"KaTeX is not installed: {DEBS}")
    root = tmp_path_factory.mktemp("html")
    result = CliRunner().invoke(
        latex, ["-o", str(root / "tex"), "--html", str(root / "site"), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "index.html" in line]
    assert len(lines) == 1 and re.search(
        rf"wrote .*index\.html \(17 section pages, {len(all_entries())} entries\) in [\d.]+ s",
        lines[0],
    ), result.output
    return root / "site", result.output


@pytest.fixture(scope="module")
def site(built: tuple[Path, str]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if _missing():
        pytest.skip(f"{', '.join(_missing())} missing: {DEBS}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def problems(driver: Any, page: Path) -> list[str]:
    """What is wrong with one page in the browser: errors in the console, formulas KaTeX
    did not render (or rendered as an error), a page script that did not finish."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # what an earlier page left
    driver.get(page.resolve().as_uri())
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.documentElement.dataset.mathTotal"))
    found = [
        f"{page.name}: console: {entry['message']}"
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
    ]
    math, rendered, failed, errors = driver.execute_script(
        "return [document.querySelectorAll('.math').length,"
        " document.querySelectorAll('.math > .katex, .math > .katex-display').length,"
        " document.querySelectorAll('.math-failed').length,"
        " document.querySelectorAll('.katex-error').length]"
    )
    if rendered != math or failed or errors:
        found.append(f"{page.name}: {math} formulas, {rendered} rendered by KaTeX, "
                     f"{failed} failed, {errors} KaTeX errors")
    return found


@needs_browser
def test_every_page_renders_every_formula(site: Path, driver: Any) -> None:
    pages = sorted(site.glob("*.html"))
    assert len(pages) == len(sections()) + 1 + len(OTHER_PAGES)  # and index.html
    found: list[str] = []
    ids: set[str] = set()
    formulas = 0
    for page in pages:
        found += problems(driver, page)
        ids |= set(driver.execute_script(
            "return Array.from(document.querySelectorAll('article.entry'), a => a.id)"))
        formulas += driver.execute_script("return document.querySelectorAll('.math').length")
    assert not found, "\n".join(found)
    absent = [e.id for e in all_entries() if e.id not in ids]
    assert not absent, f"entries on no page: {absent}"
    assert formulas >= len(all_entries()) // 2  # the displays are there to be rendered


@needs_browser
def test_search_finds_entries_by_id_title_and_concept(site: Path, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    driver.get((site / "index.html").resolve().as_uri())
    find = "return window.mathcheckSearch(arguments[0])"
    assert driver.execute_script(find, "adam")[:2] == ["opt.adam", "opt.adamw"]
    assert driver.execute_script(find, "kl")[0] == "info.kl"
    assert "info.kl" in driver.execute_script(find, "kullback")  # a concept, not the id
    box = driver.find_element(By.ID, "search")
    box.send_keys("adam")
    links = [a.get_attribute("href") for a in
             driver.find_elements(By.CSS_SELECTOR, "#search-results a")]
    assert links and links[0].endswith("06-optimization.html#opt.adam")
    driver.get(links[0])
    assert driver.find_element(By.ID, "opt.adam").is_displayed()


@needs_browser
def test_a_broken_formula_is_reported(tmp_path: Path, driver: Any) -> None:
    """The checker can fail: a display KaTeX cannot read is an error on its page."""
    built = views(select(("rlhf",)), tmp_path, None, jobs=1)
    first = built[0].entries[0]
    built[0].entries[0] = dataclasses.replace(
        first, display=Display(r"\frac{1}{2} + \undefinedmacro{x}", "hand"))
    site = write_site(built, tmp_path / "site", only=[find_section("rlhf")], errata=[])
    found = problems(driver, site.pages[0])
    assert any("console" in p and first.entry.id in p for p in found), found
    assert any("1 failed" in p for p in found), found


def test_missing_katex_is_one_line_before_any_work(tmp_path: Path) -> None:
    empty = tmp_path / "katex"
    empty.mkdir()
    result = CliRunner().invoke(latex, ["-o", str(tmp_path / "tex"), "--html",
                                        str(tmp_path / "site"), "--katex", str(empty)])
    assert result.exit_code == 2  # no --no-verify: it would verify first, were it not checked
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "libjs-katex" in lines[0], result.output
    assert not (tmp_path / "tex").exists() and not (tmp_path / "site").exists()


def test_the_site_loads_nothing_from_the_network(site: Path) -> None:
    """KaTeX and its fonts are in the site; no page or style names another host."""
    static = site / "static"
    assert (static / "katex" / "katex.min.js").stat().st_size > 100_000
    fonts = list((static / "katex" / "fonts").iterdir())
    assert fonts and all(f.is_file() and not f.is_symlink() for f in fonts)
    for path in [*site.glob("*.html"), static / "katex" / "katex.min.css", static / "site.css"]:
        text = path.read_text(encoding="utf-8")
        remote = re.findall(r"""(?:src|href)=["']?(?://|https?:)[^"'\s>]*|url\(["']?(?://|https?:)""",
                            text)
        assert not remote, f"{path.name} loads {remote[:3]}"


def test_macros_are_the_preamble_notation() -> None:
    found = macros()
    assert found[r"\KL"] == r"D_{\mathrm{KL}}"
    assert found[r"\norm"] == r"\left\lVert #1 \right\rVert"
    assert {r"\softmax", r"\E", r"\argmax", r"\Var", r"\abs", r"\R"} <= set(found)


# --------------------------------------------------------------------------- content


def _read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    """The first `start`…`end` span of `text` (a table, a heading)."""
    k = text.index(start)
    return text[k:text.index(end, k)]


def test_prose_is_split_by_the_pdf_tokenizer() -> None:
    """One tokenizer: the parts `prose` prints are the parts the HTML renders."""
    text = "Jacobian J_ij = ∂f_i/∂x_j, see `log_softmax` and *W_{l+1}^T <here>*"
    parts = prose_parts(text)
    assert [p.kind for p in parts] == [
        "text", "math", "text", "math", "text", "math", "text", "code", "text", "emph"]
    assert parts[1] == Part("math", "J_{ij}") and parts[7] == Part("code", "log_softmax")
    assert [p.kind for p in parts[-1].inner] == ["math", "text"]
    assert prose(text) == (r"Jacobian $J_{ij}$ = $\partial$$f_{i}$/$\partial$$x_{j}$, see "
                           r"\texttt{log\_softmax} and \emph{$W_{l+1}^{T}$ <here>}")
    assert prose_html(text) == (
        'Jacobian <span class="math">J_{ij}</span> = ∂<span class="math">f_{i}</span>/∂'
        '<span class="math">x_{j}</span>, see <code>log_softmax</code> and '
        '<em><span class="math">W_{l+1}^{T}</span> &lt;here&gt;</em>')
    linked = prose_html("as in calc.d_exp, not calc.d_exponent", {"calc.d_exp": "02.html#x"})
    assert linked == 'as in <a href="02.html#x">calc.d_exp</a>, not calc.d_exponent'


def test_each_section_page_opens_with_its_summary_table(site: Path) -> None:
    """As summary.tex.j2: a row per entry, in order, each linking to its entry."""
    for section in sections():
        text = _read(site, page_name(section))
        entries = re.findall(r'<article class="entry" id="([^"]+)">', text)
        if not entries:
            continue
        table = _between(text, '<table class="summary">', "</table>")
        assert text.index(table) < text.index("<article")
        assert re.findall(r'<tr>\s*<td><a href="#([^"]+)">', table) == entries, section.slug
        assert table.count("not run") == len(entries)  # --no-verify: no status, no worst error


def test_the_pytorch_page_is_the_table_of_apis(site: Path) -> None:
    text = _read(site, page_name(find_section("pytorch")))
    table = _between(text, '<table class="summary apis">', "</table>")
    rows = re.findall(r"<tr>\s*<td><code>(.*?)</code></td>\s*<td>(.*?)</td>", table, re.S)
    assert [html.unescape(call.replace("<wbr>", "")) for call, _ in rows] == [
        a.call for a in APIS]
    pages = {e.id: page_name(e.section) for e in all_entries()}
    for api, (_, cell) in zip(APIS, rows, strict=True):
        if api.entry_id in pages:  # linked to the entry it implements
            assert f'href="{pages[api.entry_id]}#{api.entry_id}"' in cell, cell
    assert table.count("not run in this build") == len(APIS)


def test_the_index_counts_the_displays_by_provenance(built: tuple[Path, str]) -> None:
    """The build table's "main displays", as the command (and the PDF's title page) count them;
    the untied ones listed with a link each."""
    site, output = built
    text = _read(site, "index.html")
    shown = dict(re.findall(r'data-provenance="(\w+)">(\d+)<', text))
    said = re.search(r"(\d+) printed\s+from.*?(\d+) in\s+textbook.*?(\d+) only\s+confirmed"
                     r".*?(\d+) unproven,\s+(\d+) without", output, re.S)
    assert said, output
    names = ("printed", "proven", "confirmed", "unproven", "none")
    assert shown == dict(zip(names, said.groups(), strict=True))
    assert sum(map(int, shown.values())) == len(all_entries())
    assert "hand-written displays" not in text and "<th>python</th>" not in text
    untied = _between(text, '<table class="summary untied">', "</table>")
    rows = re.findall(r'<tr><td><a href="([^"#]+)#([^"]+)"><code>([^<]+)</code>', untied)
    assert len(rows) == sum(int(shown[k]) for k in ("confirmed", "unproven", "none"))
    for page, anchor, entry_id in rows:
        assert anchor == entry_id and f'id="{entry_id}"' in _read(site, page)
    assert 'href="#untied"' in text


def test_prose_math_in_titles_is_rendered(site: Path, driver: Any) -> None:
    """A title with J_ij: its heading holds TeX in a .math span, which KaTeX renders."""
    page = site / page_name(find_section("calculus"))
    assert '<span class="title">Jacobian <span class="math">J_{ij}</span>' in page.read_text(
        encoding="utf-8")
    driver.get(page.resolve().as_uri())
    rendered = driver.execute_script(
        "return document.querySelectorAll('#calc\\\\.jacobian h2 .math > .katex').length")
    assert rendered == 3  # J_ij, f_i, x_j


def test_errata_are_ordered_by_severity_and_flagged_on_their_entries(site: Path) -> None:
    text = _read(site, "errata.html")
    found = re.findall(
        r'<section class="erratum-item" id="([^"]+)" data-kind="([^"]*)">\s*<h3>(.*?)</h3>',
        text, re.S)
    assert found
    rank = [SEVERITY.index(kind) if kind in SEVERITY else len(SEVERITY) for _, kind, _ in found]
    assert rank == sorted(rank)
    pages = {e.id: page_name(e.section) for e in all_entries()}
    for label, _, heading in found:
        linked = re.search(r'href="([^"#]+)#([^"]+)"', heading)
        if linked:  # the entry links back with a flag under its title
            page, entry_id = linked.groups()
            assert pages[entry_id] == page
            entry = _between(_read(site, page), f'<article class="entry" id="{entry_id}">',
                             "</article>")
            assert f'href="errata.html#{label}"' in entry


def test_the_concept_index_links_to_entries(site: Path) -> None:
    text = _read(site, "concepts.html")
    assert re.search(r'<dt>KL divergence</dt><dd><a href="10-information.html#info\.kl">', text)
    linked = set(re.findall(r'<dd>.*?</dd>', text))
    ids = {i for dd in linked for i in re.findall(r'#([\w.]+)"', dd)}
    assert ids == {e.id for e in all_entries()}  # every entry is reachable from a concept
