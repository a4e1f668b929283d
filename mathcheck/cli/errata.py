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
    from mathcheck.crosscheck.errata import collect

    items = collect()
    if as_json:
        click.echo(json.dumps(items, indent=2, default=str))
        return
    from rich.markup import escape

    for item in items:
        head = escape(f"{item.get('entry_id', '?')} ({item.get('kind', '')}, {item.get('id', '')})")
        console.print(f"[bold]{head}[/bold]", soft_wrap=True)
        for key in ("stated", "computed", "convention", "evidence"):
            if item.get(key) not in (None, ""):
                console.print(f"  {key}: {escape(str(item[key]))}", soft_wrap=True)
    console.print(f"{len(items)} errata (mathcheck errata --json for the computed values)")
