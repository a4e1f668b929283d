"""`mathcheck latex`: build the LaTeX formula reference (.tex, and a PDF with --pdf)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from mathcheck.cli._options import cache_option, jobs_option
from mathcheck.cli._render import console, progress_bar

errors = Console(highlight=False, stderr=True, soft_wrap=True)  # one line, never wrapped


def _verify(entries: tuple[Any, ...], seed: int, profile: str,
            examples: int | None, jobs: int) -> dict[str, Any]:
    """Run the verification here (no --results), at `profile`'s effort on `jobs` cores, with
    unchanged checks replayed as `verify` replays them: the statuses printed are this run's,
    and the title page states the profile, the date and the versions."""
    from mathcheck.cli._render import run_with_progress
    from mathcheck.crosscheck import PROFILES, RunOptions, count_tasks, verify_entries
    from mathcheck.crosscheck.report import to_json_dict

    effort = {**PROFILES[profile], **({"examples": examples} if examples else {})}
    options = RunOptions(seed=seed, **effort)
    total = count_tasks(entries, options)
    replay = _replay()
    results = run_with_progress(total, lambda update: verify_entries(
        entries, options, update, jobs=jobs, replay=replay))
    report = to_json_dict(results, options)
    report["environment"]["profile"] = profile
    return report


def _replay() -> Any:
    from mathcheck.crosscheck import Replay, replay_enabled

    return Replay() if replay_enabled() else None


@click.command("latex")
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="build/reference",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for reference.tex.",
)
@click.option("--pdf", is_flag=True, help="Compile the PDF with latexmk (needs TeX Live).")
@click.option(
    "--section",
    "sections_",
    multiple=True,
    help="Section number or name (repeatable; default: all 17).",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A `mathcheck verify --json` report to take statuses from (else: verify now).",
)
@click.option(
    "--sweeps",
    "sweeps_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The PREFIX.json of a `mathcheck sweep --table PREFIX` run: printed as the "
    "appendix 'Accuracy over every input'.",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Print statuses as 'not run' instead of running the verification.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the verification run."
)
@click.option(
    "--profile",
    type=click.Choice(["quick", "ci", "deep"]),
    default="quick",
    show_default=True,
    help="Effort of the verification run (as `verify --profile`); ignored with --results.",
)
@click.option(
    "--examples",
    type=click.IntRange(1),
    default=None,
    help="Generated examples per check in the verification run (default: the profile's).",
)
@click.option(
    "--with-code",
    is_flag=True,
    help="Print each entry's NumPy and Torch listings and its error table per dtype "
    "(default: one line, the worst error against its budget).",
)
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the HTML edition into this folder: a page per section, formulas "
    "rendered by KaTeX served from the site itself, a search box.",
)
@click.option(
    "--katex",
    "katex_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The KaTeX distribution --html copies (default: $MATHCHECK_KATEX, else Debian's "
    "libjs-katex in /usr/share/javascript/katex).",
)
@jobs_option
@cache_option
def latex(
    out_dir: Path,
    pdf: bool,
    sections_: tuple[str, ...],
    results_path: Path | None,
    sweeps_path: Path | None,
    no_verify: bool,
    seed: int,
    profile: str,
    examples: int | None,
    jobs: str,
    use_cache: bool,
    with_code: bool,
    html_dir: Path | None,
    katex_path: Path | None,
) -> None:
    """Build the formula reference from the verified catalog: every display printed from
    SymPy, statuses from a verification run, derivatives re-derived, code and plots.
    Displays and figures are cached (as forms and proofs are) and built on every core."""
    from mathcheck.crosscheck import parse_jobs
    from mathcheck.errors import EXIT_USAGE
    from mathcheck.formulas import select
    from mathcheck.reference import build_reference, missing_tex, tex_hint

    missing = missing_tex() if pdf else []
    if missing:  # before any work: a missing package is found in a second, not minutes later
        errors.print(f"mathcheck: error: {tex_hint(missing)}", style="red", markup=False)
        raise SystemExit(EXIT_USAGE)
    if html_dir is not None:  # the same for KaTeX: one line naming the Debian package
        from mathcheck.reference.html import katex_dir, missing_katex

        problem = missing_katex(katex_dir(katex_path))
        if problem:
            errors.print(f"mathcheck: error: {problem}", style="red", markup=False)
            raise SystemExit(EXIT_USAGE)
    workers = parse_jobs(jobs)
    if not use_cache:  # in the environment, so that the workers see it too
        os.environ["MATHCHECK_NO_CACHE"] = "1"
    entries = select(sections_)
    sweeps = None
    if sweeps_path is not None:  # a bad file is one line before any work
        from mathcheck.reference.status import load_sweeps

        sweeps = load_sweeps(sweeps_path)
    start = time.perf_counter()
    report = None
    if results_path is not None:
        from mathcheck.reference.status import load

        report = load(results_path)
    elif not no_verify:
        report = _verify(entries, seed, profile, examples, workers)
    with progress_bar("latex") as bar:
        task = bar.add_task("", total=len(entries))

        def advance(entry: Any) -> None:  # called as each entry is ready
            bar.update(task, description=entry.id, advance=1)

        built = build_reference(entries, out_dir, report, pdf=False, progress=advance,
                                sweeps=sweeps, jobs=workers, with_code=with_code)
    counts = built.counts
    tied = counts["provenance"]
    console.print(
        f"[bold]{counts['entries']}[/] entries · displays: [bold]{tied['printed']}[/] printed "
        f"from the checked SymPy form ({counts['sympy_sized']} at fixed small sizes), "
        f"[bold]{tied['proven']}[/] in textbook notation proven equal to it, "
        f"{tied['confirmed']} only confirmed numerically, {tied['unproven']} unproven, "
        f"{tied['none']} without a display · {counts['derived']} derivations"
    )
    console.print(f"wrote {built.tex}")
    if html_dir is not None:
        from mathcheck.formulas import find_section
        from mathcheck.reference.html import write_site

        only = sorted({find_section(s) for s in sections_}, key=lambda s: s.number)
        site = write_site(built.views, html_dir, report, katex=katex_path,
                          figures_from=out_dir, only=only or None, errata=built.errata)
        console.print(f"wrote {site.index} ({len(site.pages)} section pages, {site.entries} "
                      f"entries) in {time.perf_counter() - start:.1f} s")
    if pdf:
        from mathcheck.reference import TexFailed, TexMissing, compile_pdf

        try:
            with console.status("latexmk -pdf"):
                path = compile_pdf(built.tex, checked=True)
        except TexMissing as exc:
            errors.print(f"mathcheck: error: {exc}", style="red", markup=False)
            raise SystemExit(EXIT_USAGE) from None
        except TexFailed as exc:
            console.print(f"[red]LaTeX errors[/] (see {built.tex.with_suffix('.log')}):\n{exc}")
            raise SystemExit(1) from None
        console.print(f"wrote {path} ({_pages(path)} pages) in {time.perf_counter() - start:.0f} s")


def _pages(pdf: Path) -> str:
    import re
    import subprocess

    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    return match.group(1) if match else "?"
