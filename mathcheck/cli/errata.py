"""`mathcheck errata`: where the cheatsheet's stated figures or formulas disagree with what is
computed, or hold only under an unstated convention, each with its evidence."""

from __future__ import annotations

import json

import click

from mathcheck.cli._render import console


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the errata as JSON.")
def errata(as_json: bool) -> None:
    """Print every erratum of the cheatsheet with its evidence."""
    from mathcheck.numeric.checks.errata import collect

    items = collect()
    if as_json:
        click.echo(json.dumps(items, indent=2, default=str))
        return
    for item in items:
        fields = {k: v for k, v in item.items() if k not in ("entry_id",)}
        console.print(
            f"[bold]{item.get('entry_id', '?')}[/bold]: "
            + "; ".join(f"{k}: {v}" for k, v in fields.items()),
            soft_wrap=True,
            markup=False,
        )
    console.print(f"{len(items)} errata")
