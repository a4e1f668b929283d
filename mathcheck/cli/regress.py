"""`mathcheck regress`: check other implementations against the catalog; print verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from mathcheck.cli._render import console
from mathcheck.errors import EXIT_FAILED, EXIT_OK, InvalidInputError


@click.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--pack", type=click.Choice(["torch", "transformers"]), help="A built-in target pack."
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A pyproject.toml with [[tool.mathcheck.targets]] (default: ./pyproject.toml "
    "when no targets are given).",
)
@click.option(
    "--kwargs",
    "kwarg_items",
    multiple=True,
    help="name=value passed to command-line targets (values are Python literals).",
)
@click.option("--dtype", "dtypes", multiple=True, help="fp64, fp32, fp16, bf16 (default all).")
@click.option("--device", "devices", multiple=True, type=click.Choice(["cpu", "cuda"]))
@click.option("--examples", type=click.IntRange(1), default=20, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--time-budget",
    type=click.FloatRange(0.1),
    default=30.0,
    show_default=True,
    help="Seconds per check before the implementation is reported as hung.",
)
@click.option("--strict", is_flag=True, help="Count a convention variant as a failure.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False))
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False))
def regress(
    targets: tuple[str, ...],
    pack: str | None,
    config: Path | None,
    kwarg_items: tuple[str, ...],
    dtypes: tuple[str, ...],
    devices: tuple[str, ...],
    examples: int,
    seed: int,
    time_budget: float,
    strict: bool,
    json_path: str | None,
    junit_path: str | None,
) -> None:
    """Check implementations (TARGETS as module:callable=FORMULA_ID, a --config pyproject, or a
    --pack) against the catalog. Exit 1 if one misses its formula and matches no known variant."""
    from mathcheck.regress import _runner
    from mathcheck.regress._targets import from_pyproject, parse_cli_target, parse_kwargs

    kwargs = parse_kwargs(kwarg_items)
    if pack:
        jobs = _runner.pack_jobs(pack)
        if jobs is None:
            console.print(f"pack {pack!r} skipped: {_runner.pack_unavailable(pack)}")
            raise SystemExit(EXIT_OK)
    elif targets:
        jobs = [_runner.job_from_target(parse_cli_target(t, kwargs)) for t in targets]
    else:
        path = config or Path("pyproject.toml")
        if not path.exists():
            raise InvalidInputError(
                "give targets as module:callable=FORMULA_ID, --config, or --pack"
            )
        jobs = [_runner.job_from_target(t) for t in from_pyproject(path)]
    defaults = {
        "dtypes": dtypes or None,
        "devices": devices or None,
        "examples": examples,
        "seed": seed,
        "time_budget": time_budget,
    }
    rows = _runner.run_jobs(jobs, defaults, console)
    console.print(
        verdict_table(rows, title=f"mathcheck regress{f' --pack {pack}' if pack else ''}")
    )
    _runner.write_reports(rows, json_path, junit_path)
    failed = [r for r in rows if r["verdict"] == "fail" or (strict and r["verdict"] == "variant")]
    console.print(
        f"{len(rows)} targets: {sum(r['verdict'] == 'pass' for r in rows)} pass, "
        f"{sum(r['verdict'] == 'variant' for r in rows)} known variant, "
        f"{sum(r['verdict'] == 'fail' for r in rows)} fail"
    )
    raise SystemExit(EXIT_FAILED if failed else EXIT_OK)


def verdict_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("target", "formula", "verdict", "variant", "worst ulp (dtype)", "note"):
        table.add_column(column, overflow="fold")
    styles = {"pass": "green", "variant": "cyan", "fail": "red"}
    for row in rows:
        worst = ", ".join(
            f"{k.split('/')[0].replace('float', 'f')}:{v:.2g}"
            for k, v in row["worst_ulp"].items()
            if isinstance(v, (int, float))
        )
        table.add_row(
            escape(row["name"]),
            row["formula"],
            f"[{styles[row['verdict']]}]{row['verdict']}[/]",
            escape(row.get("variant") or ""),
            worst,
            escape(_short(row.get("note", ""))),
        )
    return table


def _short(note: str, limit: int = 160) -> str:
    """The table shows the start of a note; the JSON report carries all of it."""
    return note if len(note) <= limit else note[: limit - 1] + "…"
