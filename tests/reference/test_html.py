"""The HTML edition (`mathcheck latex --html`): every page loaded in headless Chromium.

The site of the whole catalog is built once (statuses "not run", as `--no-verify`; the
displays come from the build cache the PDF test fills too). Each page must render every
formula with KaTeX and log no error; every entry id must be on a page; the search must find
entries. A planted broken formula shows that the checker notices one. Skips with the reason
when Chromium, chromedriver, selenium or KaTeX (Debian's libjs-katex) is missing; .ci/run
installs them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mathcheck.cli.latex import latex
from mathcheck.formulas import all_entries, find_section, sections, select
from mathcheck.reference.build import views
from mathcheck.reference.displays import Display
from mathcheck.reference.html import katex_dir, macros, missing_katex, write_site

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
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    return root / "site"


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
    assert len(pages) == len(sections()) + 1  # and index.html
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
    site = write_site(built, tmp_path / "site", only=[find_section("rlhf")])
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
