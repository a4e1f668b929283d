"""`mathcheck sweep`: every input of a dtype through one elementwise implementation."""

from __future__ import annotations

import os
import time
from typing import Any

import click

from mathcheck.errors import EXIT_FAILED, EXIT_OK, InvalidInputError


@click.command()
@click.argument("formula_id", required=False)
@click.option("--formula", "formula", default=None,
              help="The catalog entry an --impl is checked against (same as ID).")
@click.option("--impl", default=None, help="module:callable to check instead of the "
              "catalog's form (called as f(x) on a tensor, or an array with --backend numpy).")
@click.option("--dtype", default="fp32", show_default=True, help="fp16, bf16, fp32 or fp64.")
@click.option("--backend", default="torch", show_default=True, help="torch or numpy.")
@click.option("--device", default="cpu", show_default=True,
              help="cpu or cuda: where the implementation runs (torch); the reference, the "
              "scoring and the oracle stay on the CPU. On Ray each shard takes one GPU.")
@click.option("--shard-bits", type=int, default=24, show_default=True,
              help="log2 of the inputs per shard (each shard one Ray task).")
@click.option("--sample-bits", type=int, default=28, show_default=True,
              help="fp64 only: log2 of the bit patterns sampled (a Weyl sequence over 2^64).")
@click.option("--results", type=click.Path(file_okay=False), default=None,
              help="Folder of the shard files (default ~/.cache/mathcheck/sweeps/<key>).")
@click.option("--address", default=None, metavar="HOST:PORT|auto",
              help="Join this Ray cluster (default: start a local one).")
@click.option("--in-process", is_flag=True, help="Run the shards in this process, not on Ray.")
@click.option("--cpus", type=int, default=None, help="CPUs of the local Ray instance.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="A PNG of the error against x.")
@click.option("--table", "table_out", default=None, metavar="PREFIX",
              help="Run the accuracy table (functions × implementations × the dtypes given "
              "as a comma list to --dtype) and write PREFIX.md and PREFIX.json.")
@click.option("--rows", "rows_path", type=click.Path(dir_okay=False), default=None,
              help="--table: a TOML file of [[row]] tables (entry, impl, backend, label, "
              "device) instead of the default rows.")
def sweep(formula_id: str | None, formula: str | None, impl: str | None, dtype: str,
          backend: str, device: str, shard_bits: int, sample_bits: int, results: str | None,
          address: str | None, in_process: bool, cpus: int | None, json_path: str | None,
          plot_path: str | None, table_out: str | None, rows_path: str | None) -> None:
    """Check an elementwise entry on every input of a dtype, sharded on Ray.

    fp16/bf16: all 65,536 patterns; fp32: all 2^32 in shards; fp64: a stated sample. The
    worst cases are confirmed by the mpmath oracle. Exit 0 within budget, 1 over it.
    """
    from mathcheck.sweep import make_spec, render, writable, write_json, write_plot

    if table_out is not None:
        _table(table_out, dtype, device, rows_path, shard_bits, results, address, in_process, cpus)
        return
    entry_id = formula_id or formula
    if formula_id and formula and formula_id != formula:
        raise InvalidInputError(f"two formula ids given: {formula_id} and {formula}")
    if entry_id is None:
        raise InvalidInputError("name the entry: mathcheck sweep ID, or --impl M:F --formula ID")
    if address and in_process:
        raise InvalidInputError("--address and --in-process exclude each other")
    writable(json_path)
    writable(plot_path)
    spec = make_spec(entry_id, dtype, backend, impl, shard_bits, sample_bits,
                     paths=(os.getcwd(),), device=device)
    if spec.shards > 1 and not in_process:
        from mathcheck.crosscheck.cluster import ray_module

        ray_module()  # a missing extra is one line (exit 2) before anything starts
    result = _with_progress(spec, results=results, address=address,
                            in_process=in_process or None, num_cpus=cpus)
    click.echo(render(result))
    click.echo(f"shards: {result['computed_shards']} computed, {result['resumed_shards']} "
               f"read back from {result['results']} ({result['runner']})")
    if json_path:
        write_json(result, json_path)
    if plot_path:
        write_plot(result, plot_path)
    raise SystemExit(EXIT_OK if result["verdict"] == "pass" else EXIT_FAILED)


def _table(prefix: str, dtypes: str, device: str, rows_path: str | None, shard_bits: int,
           results: str | None, address: str | None, in_process: bool, cpus: int | None) -> None:
    from mathcheck.numeric import canonical
    from mathcheck.sweep import (
        Row,
        default_rows,
        load_rows,
        make_spec,
        table,
        writable,
        write_table,
    )

    names = tuple(canonical(d.strip()) for d in dtypes.split(",") if d.strip())
    writable(prefix + ".md")

    chosen = load_rows(rows_path) if rows_path else default_rows()
    if device != "cpu":  # --device cuda: the rows that can run there, moved there
        chosen = tuple(Row(r.entry, r.impl, r.backend, r.label + f" ({device})", device)
                       for r in chosen if r.backend == "torch")

    def cell(row: Row, dtype: str) -> dict[str, Any]:
        spec = make_spec(row.entry, dtype, row.backend, row.impl, shard_bits,
                         paths=(os.getcwd(),), device=row.device)
        return _with_progress(spec, results=results, address=address,
                              in_process=in_process or None, num_cpus=cpus)

    click.echo(write_table(table(names, cell, chosen), prefix))


def _with_progress(spec: Any, **options: Any) -> dict[str, Any]:
    """`run` under a rich progress bar: shards done, inputs per second, ETA."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from mathcheck.sweep import run

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("shards · {task.fields[rate]}"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    started = time.perf_counter()
    with Progress(*columns, transient=False, disable=spec.shards == 1) as bar:
        task = bar.add_task(spec.label(), total=spec.shards, rate="")

        def tick(done: int, inputs: int) -> None:
            per_second = inputs / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, rate=f"{per_second / 1e6:.1f} M inputs/s")

        try:
            return run(spec, progress=tick, **options)
        except KeyboardInterrupt:
            bar.stop()
            click.echo("sweep interrupted: finished shards are kept; rerun to resume",
                       err=True)
            raise
