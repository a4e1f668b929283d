"""`mathcheck regress`: check other implementations against the catalog; print verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from mathcheck.cli._render import console
from mathcheck.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TARGET,
    InvalidInputError,
)


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
@click.option(
    "--skip-missing-devices",
    is_flag=True,
    help="Check on the devices present instead of failing when one asked for is absent.",
)
@click.option("--examples", type=click.IntRange(1), default=20, show_default=True,
              help="Hypothesis examples per property and gradient check.")
@click.option("--inputs", type=click.IntRange(1), default=None,
              help="Bulk inputs per agreement check (default 10,000).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@click.option(
    "--time-budget",
    type=click.FloatRange(0.1, 86400),
    default=30.0,
    show_default=True,
    help="Seconds per check before the implementation is stopped as hung (exit 3).",
)
@click.option(
    "--target-budget",
    type=click.FloatRange(0.1, 864000),
    default=None,
    help="Seconds per target, all its checks together (default: 20 × --time-budget).",
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
    skip_missing_devices: bool,
    examples: int,
    inputs: int | None,
    seed: int,
    time_budget: float,
    target_budget: float | None,
    strict: bool,
    json_path: str | None,
    junit_path: str | None,
) -> None:
    """Check implementations (TARGETS as module:callable=FORMULA_ID, a --config pyproject, or a
    --pack) against the catalog. Each runs in a worker process. Exit 0 when all pass, 1 when one
    misses its formula (and matches no known variant) or nothing could be checked, 2 on bad
    usage, 3 when the code under test crashed, exited or ran past its budget."""
    from mathcheck.cli._render import Interrupt, check_outputs
    from mathcheck.regress import _runner
    from mathcheck.regress._targets import from_pyproject, parse_cli_target, parse_kwargs

    check_outputs(json_path, junit_path)
    kwargs = parse_kwargs(kwarg_items)
    defaults = {
        "dtypes": dtypes or None,
        "devices": devices or None,
        "examples": examples,
        "inputs": inputs,
        "seed": seed,
        "time_budget": time_budget,
        "skip_missing_devices": skip_missing_devices or None,
    }
    if pack:
        if targets or config:
            raise InvalidInputError("give --pack, targets or --config, not several")
        _runner.validate("act.softmax", defaults)  # dtype and device names, devices present
        jobs = _runner.pack_jobs(pack)
        if jobs is None:
            console.print(f"pack {pack!r} not checked: {_runner.pack_unavailable(pack)}")
            raise SystemExit(EXIT_FAILED)  # nothing verified is never a pass
    else:
        if targets:
            parsed = [parse_cli_target(t, kwargs) for t in targets]
        else:
            path = config or Path("pyproject.toml")
            if not path.exists():
                raise InvalidInputError(
                    "give targets as module:callable=FORMULA_ID, --config, or --pack"
                )
            parsed = from_pyproject(path)
        for target in parsed:  # every usage error before any work
            _runner.validate_target(target, defaults)
        jobs = [_runner.job_from_target(t) for t in parsed]
    errors, broken = _runner.import_targets(jobs, time_budget)
    if errors:
        raise InvalidInputError("; ".join(errors))
    broken_names = {row["name"] for row in broken}
    todo = [job for job in jobs if job.name not in broken_names]
    with Interrupt() as interrupt:
        rows, interrupted = _runner.run_jobs(
            todo, defaults, console, time_budget=time_budget, target_budget=target_budget,
            between=interrupt.check,
        )
    rows = broken + rows
    console.print(
        verdict_table(rows, title=f"mathcheck regress{f' --pack {pack}' if pack else ''}")
    )
    _runner.write_reports(
        rows, json_path, junit_path, incomplete="interrupted" if interrupted else None,
        strict=strict,
    )
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICT_STYLES}
    console.print(
        f"{len(rows)} of {len(jobs)} targets: "
        + ", ".join(f"{n} {v}" for v, n in counts.items() if n or v in ("pass", "fail"))
    )
    if interrupted:
        console.print("interrupted: the reports hold the targets finished so far")
    raise SystemExit(regress_exit_code(rows, strict, interrupted))


def regress_exit_code(rows: list[dict[str, Any]], strict: bool, interrupted: bool) -> int:
    """130 interrupted; 3 the code under test broke; 1 a miss or nothing checked; else 0."""
    from mathcheck.regress._api import BROKE

    verdicts = {r["verdict"] for r in rows}
    if interrupted:
        return EXIT_INTERRUPTED
    if verdicts & set(BROKE):
        return EXIT_TARGET
    if verdicts & {"fail", "not checked"} or (strict and "variant" in verdicts) or not rows:
        return EXIT_FAILED
    return EXIT_OK


VERDICT_STYLES = {
    "pass": "green",
    "variant": "cyan",
    "fail": "red",
    "not checked": "yellow",
    "timeout": "magenta",
    "crashed": "magenta",
}


def verdict_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("target", "formula", "verdict", "variant", "worst ulp (dtype)", "note"):
        table.add_column(column, overflow="fold")
    styles = VERDICT_STYLES
    for row in rows:
        worst = ", ".join(
            f"{k.split('/')[0].replace('float', 'f')}:{v:.2g}"
            for k, v in row["worst_ulp"].items()
            if isinstance(v, (int, float))
        )
        table.add_row(
            escape(row["name"]),
            escape(row["formula"]),
            f"[{styles[row['verdict']]}]{row['verdict']}[/]",
            escape(row.get("variant") or ""),
            worst,
            escape(_short(row.get("note", ""))),
        )
    return table


def _short(note: str, limit: int = 160) -> str:
    """The table shows the start of a note; the JSON report carries all of it."""
    return note if len(note) <= limit else note[: limit - 1] + "…"
