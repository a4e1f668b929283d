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
    EXIT_USAGE,
    InvalidInputError,
    MathcheckError,
)


@click.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--pack",
    metavar="NAME",
    help="A target pack from the entry-point group mathcheck.packs (built in: torch, "
    "transformers, jax, scipy). Exit 0 when every job gives its recorded verdict.",
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
@click.option(
    "--backend",
    type=click.Choice(["numpy", "torch"]),
    default=None,
    help="What command-line targets take and return: NumPy arrays or Torch tensors "
    "(default torch; a pyproject target sets `backend`).",
)
@click.option(
    "--init",
    "init_items",
    multiple=True,
    help="name=value: a constructor argument of a class target (an nn.Module built per input "
    "shape); values are literals, \"$n\" the size of the input's last axis, \"$eps\" a "
    "parameter's value.",
)
@click.option(
    "--state",
    "state_items",
    multiple=True,
    help="attribute=input: a class target's parameter or buffer that takes a canonical "
    "input's values (weight=gamma).",
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
@click.option("--strict", is_flag=True,
              help="Targets: count a convention variant as a failure. --pack: count every "
              "fail as a failure, recorded findings included.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False))
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False))
def regress(
    targets: tuple[str, ...],
    pack: str | None,
    config: Path | None,
    kwarg_items: tuple[str, ...],
    backend: str | None,
    init_items: tuple[str, ...],
    state_items: tuple[str, ...],
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
    --pack) against the catalog. Each runs in a worker process; a target may be a function or
    a class (built per input shape, see --init and --state). Exit 0 when all pass (a pack:
    when every job gives its recorded verdict), 1 when one misses its formula (and matches no
    known variant) or nothing could be checked, 2 on bad usage (a target that cannot be
    checked as written is reported as its own row and the others still run), 3 when the code
    under test crashed, exited or ran past its budget."""
    from mathcheck.cli._render import Interrupt, check_outputs
    from mathcheck.regress import (
        from_pyproject,
        parse_cli_target,
        parse_kwargs,
        parse_state,
        runner,
    )

    check_outputs(json_path, junit_path)
    kwargs = parse_kwargs(kwarg_items)
    cli_options = {"backend": backend or "torch", "init": parse_kwargs(init_items, "--init"),
                   "state": parse_state(state_items)}
    defaults = {
        "dtypes": dtypes or None,
        "devices": devices or None,
        "examples": examples,
        "inputs": inputs,
        "seed": seed,
        "time_budget": time_budget,
        "skip_missing_devices": skip_missing_devices or None,
    }
    per_target = [name for name, given in (("--kwargs", kwarg_items), ("--backend", backend),
                                           ("--init", init_items), ("--state", state_items))
                  if given]
    if per_target and not targets:
        raise InvalidInputError(
            f"{', '.join(per_target)} apply to command-line targets; a pyproject target sets "
            "its own keys (kwargs, backend, init, state), a pack job its own options"
        )
    # Options every target shares: one error for all of them, before any work.
    runner.validate("act.softmax", {**defaults, "backend": cli_options["backend"]})
    jobs: list[runner.Job] = []
    slots: list[tuple[Any, Any]] = []  # (a row not run, None) or (index in jobs, the job)
    title = "mathcheck regress"
    if pack:
        if targets or config:
            raise InvalidInputError("give --pack, targets or --config, not several")
        title += f" --pack {pack}"
        found = runner.pack_jobs(pack)  # an unknown pack: a usage error naming the known
        if found is None:
            why = runner.pack_unavailable(pack) or ""
            slots.append((runner.unavailable_row(pack, why), None))
        else:
            jobs = found
            slots = [(i, job) for i, job in enumerate(jobs)]
    else:
        if targets:
            parsed: list[Any] = []
            for text in targets:
                try:
                    parsed.append(parse_cli_target(text, kwargs, **cli_options))
                except InvalidInputError as exc:
                    parsed.append(runner.usage_row(text, text.rpartition("=")[2] or "-",
                                                    str(exc)))
        else:
            path = config or Path("pyproject.toml")
            if not path.exists():
                raise InvalidInputError(
                    "give targets as module:callable=FORMULA_ID, --config, or --pack"
                )
            parsed = from_pyproject(path)
        for target in parsed:  # every usage error of a target before any work
            if isinstance(target, dict):  # a command-line target that did not parse
                slots.append((target, None))
                continue
            try:
                runner.validate_target(target, defaults)
            except MathcheckError as exc:
                if exc.exit_code != EXIT_USAGE:
                    raise
                slots.append((runner.usage_row(target.target, target.formula, str(exc)), None))
                continue
            slots.append((len(jobs), runner.job_from_target(target)))
            jobs.append(slots[-1][1])
    not_run = runner.import_targets(jobs, time_budget)
    todo = [job for i, job in enumerate(jobs) if i not in not_run]
    with Interrupt() as interrupt:
        done, interrupted = runner.run_jobs(
            todo, defaults, console, time_budget=time_budget, target_budget=target_budget,
            between=interrupt.check,
        )
    rows = _in_order(slots, not_run, todo, done)
    console.print(verdict_table(rows, title=title, expected=bool(pack)))
    runner.write_reports(
        rows, json_path, junit_path, incomplete="interrupted" if interrupted else None,
        strict=strict,
    )
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICT_STYLES}
    total = len(slots)
    console.print(
        f"{len(rows)} of {total} {'jobs' if pack else 'targets'}: "
        + ", ".join(f"{n} {v}" for v, n in counts.items() if n or v in ("pass", "fail"))
    )
    if pack:
        for row in rows:
            if runner.outcome(row) != row["expected"]:
                console.print(f"unexpected: {row['name']} → {row['formula']}: expected "
                              f"{row['expected']}, got {runner.outcome(row)}", markup=False)
    if interrupted:
        console.print("interrupted: the reports hold the targets finished so far")
    code = (pack_exit_code(rows, strict, interrupted) if pack
            else regress_exit_code(rows, strict, interrupted))
    usage = [r for r in rows if runner.is_usage_row(r)]
    if code == EXIT_USAGE:
        from mathcheck.cli import _one_line

        shown = "; ".join(str(r["note"]).removeprefix(runner.USAGE) for r in usage)
        _one_line(f"error: {len(usage)} of {total} targets not checked: {shown}")
    raise SystemExit(code)


def _in_order(
    slots: list[Any], not_run: dict[int, dict[str, Any]], todo: list[Any],
    done: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows in the order the targets were given: `slots` holds a row (not run) or a
    job's index; an interrupted run has rows for the jobs finished so far only."""
    ran = {id(job): row for job, row in zip(todo, done, strict=False)}  # done: maybe fewer
    rows = []
    for slot, job in slots:
        row = slot if job is None else not_run.get(slot, ran.get(id(job)))
        if row is not None:
            rows.append(row)
    return rows


def regress_exit_code(rows: list[dict[str, Any]], strict: bool, interrupted: bool) -> int:
    """130 interrupted; 3 the code under test broke; 2 a target could not be checked as
    written; 1 a miss or nothing checked; else 0."""
    from mathcheck.regress import BROKE
    from mathcheck.regress.runner import is_usage_row

    verdicts = {r["verdict"] for r in rows}
    if interrupted:
        return EXIT_INTERRUPTED
    if verdicts & set(BROKE):
        return EXIT_TARGET
    if any(is_usage_row(r) for r in rows):
        return EXIT_USAGE
    refused = [r for r in rows if r["verdict"] == "variant" and not r.get("allowed")]
    if verdicts & {"fail", "not checked"} or (strict and refused) or not rows:
        return EXIT_FAILED
    return EXIT_OK


def pack_exit_code(rows: list[dict[str, Any]], strict: bool, interrupted: bool) -> int:
    """A pack records each job's verdict (`Job.expect`): 0 when every job gives it, 1 when
    one does not (or nothing ran), with `strict` 1 on any fail; 3 and 130 as for targets."""
    from mathcheck.regress import BROKE
    from mathcheck.regress.runner import outcome

    verdicts = {r["verdict"] for r in rows}
    if interrupted:
        return EXIT_INTERRUPTED
    if verdicts & set(BROKE):
        return EXIT_TARGET
    if not rows or any(outcome(r) != r["expected"] for r in rows):
        return EXIT_FAILED
    if strict and "fail" in verdicts:
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


def verdict_table(rows: list[dict[str, Any]], title: str, expected: bool = False) -> Table:
    """One row per target (or pack job); `expected` adds the verdict each job records, with a
    mismatch marked."""
    from mathcheck.regress.runner import outcome

    table = Table(title=title, show_lines=False)
    columns = ["target", "formula", "verdict", "variant"]
    columns += ["expected"] if expected else []
    for column in (*columns, "worst ulp (dtype)", "note"):
        table.add_column(column, overflow="fold")
    styles = VERDICT_STYLES
    for row in rows:
        worst = ", ".join(
            f"{k.split('/')[0].replace('float', 'f')}:{v:.2g}"
            for k, v in row["worst_ulp"].items()
            if isinstance(v, (int, float))
        )
        cells = [
            escape(row["name"]),
            escape(row["formula"]),
            f"[{styles[row['verdict']]}]{row['verdict']}[/]",
            escape(row.get("variant") or ""),
        ]
        if expected:
            want = str(row.get("expected"))
            cells.append(escape(want) if outcome(row) == want
                         else f"[bold red]≠ {escape(want)}[/]")
        table.add_row(*cells, worst, escape(_short(row.get("note", ""))))
    return table


def _short(note: str, limit: int = 160) -> str:
    """The table shows the start of a note; the JSON report carries all of it."""
    return note if len(note) <= limit else note[: limit - 1] + "…"
