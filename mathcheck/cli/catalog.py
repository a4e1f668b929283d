"""`mathcheck list` and `mathcheck show`: browse the catalog (list never imports SymPy/Torch)."""

from __future__ import annotations

import inspect

import click
from rich.syntax import Syntax
from rich.table import Table

from mathcheck.cli._render import console
from mathcheck.formulas import get, resolve, select


@click.command("list")
@click.option("--section", "sections", multiple=True, help="Section number or name (repeatable).")
@click.option("--ids", "ids_only", is_flag=True, help="Print ids only, one per line.")
def list_entries(sections: tuple[str, ...], ids_only: bool) -> None:
    """List catalog entries with their section and claims."""
    entries = select(sections)
    if ids_only:
        for e in entries:
            click.echo(e.id)
        return
    table = Table(title=f"mathcheck catalog: {len(entries)} entries")
    for column in ("id", "section", "title", "claims"):
        table.add_column(column)
    for e in entries:
        kinds = ", ".join(dict.fromkeys(c.kind for c in e.claims))
        table.add_row(e.id, f"{e.section.number} {e.section.slug}", e.title, kinds)
    console.print(table)


def _latex(entry_id: str) -> str:
    """The display the LaTeX reference prints: from the SymPy form by the one configured
    printer (or the entry's hand-written display, where SymPy cannot print the notation)."""
    from mathcheck.reference.displays import entry_displays

    main = entry_displays(get(entry_id)).main
    return main.latex or f"(no display: {main.note})"


@click.command()
@click.argument("formula_id")
def show(formula_id: str) -> None:
    """Show one entry: LaTeX, SymPy form, NumPy and Torch source, claims."""
    entry = get(formula_id)
    console.rule(
        f"[bold]{entry.id}[/bold] — {entry.title} "
        f"(section {entry.section.number}: {entry.section.title})"
    )
    console.print(f"used in: {entry.used_in}")
    if entry.symbolic is not None:
        import sympy as sp

        from mathcheck.crosscheck._symbolic import proof_sizes

        builder = resolve(entry.symbolic)
        sizes = proof_sizes(entry, {})
        for name, parameter in inspect.signature(builder).parameters.items():
            if parameter.default is parameter.empty and name not in sizes:
                sizes[name] = 2  # a size the entry has no domain for: the smallest telling one
        form = builder(**sizes)
        console.print("\n[bold]LaTeX[/bold]")
        console.print(_latex(formula_id), markup=False)
        at = f" (at {', '.join(f'{k}={v}' for k, v in sizes.items())})" if sizes else ""
        console.print(f"\n[bold]SymPy form{at}[/bold]")
        console.print(sp.pretty(form.expr, use_unicode=True), markup=False)
        console.print(f"inputs: {', '.join(form.args)}", markup=False)
    for label, ref in (("NumPy form", entry.numpy), ("Torch form", entry.torch)):
        console.print(f"\n[bold]{label}[/bold]")
        if ref is None:
            console.print(f"none: {entry.no_numeric_reason or 'not provided'}")
        else:
            console.print(Syntax(inspect.getsource(resolve(ref)), "python", theme="ansi_dark"))
    console.print("\n[bold]Claims[/bold]")
    for claim in entry.claims:
        budget = getattr(claim, "budget", None)
        extra = f" — budget {budget.describe()}" if budget is not None else ""
        if hasattr(claim, "tolerance"):
            extra = f" — ≤ {claim.tolerance:g} eps: {claim.why}"
        console.print(f"• {claim.kind}: {claim.label}{extra}", markup=False)
    if entry.notes:
        console.print(f"\n[bold]Notes[/bold]\n{entry.notes}")
    for variant in entry.variants:
        console.print(f"variant {variant.name}: {variant.description}", markup=False)
