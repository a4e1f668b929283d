"""`mathcheck list` and `mathcheck show`: browse the catalog (list never imports SymPy/Torch)."""

from __future__ import annotations

import inspect

import click
from rich.syntax import Syntax
from rich.table import Table

from mathcheck.cli._render import console
from mathcheck.formulas import Entry, get, resolve, select


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
    _signature(entry)
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
    if entry.variants:
        console.print("\n[bold]Variants[/bold] (names for allow_variants=)")
    for variant in entry.variants:
        console.print(f"• {variant.name}: {variant.description}", markup=False)


def _signature(entry: Entry) -> None:
    """The canonical signature a regression target is adapted to: each input with its shape
    and range, the sizes, the parameters with their stated values and drawn ranges, and the
    names of the variants (what `check(..., params=, ranges=, sizes=, allow_variants=)` take)."""
    console.print("\n[bold]Signature[/bold] (how mathcheck regress calls an implementation)")
    console.print(f"  {entry.signature or '(none stated)'}", markup=False)
    domain = entry.domain
    if domain is None:
        console.print("  no numeric domain: not checkable with regress")
        return
    batch = "leading batch axes of rows, " if domain.batch else ""
    console.print(f"  inputs ({batch}positional in this order):")
    for arg in domain.args:
        shape = "(" + ", ".join(map(str, arg.shape)) + (",)" if len(arg.shape) == 1 else ")")
        shape = "scalar (elementwise)" if not arg.shape else f"shape {shape}"
        console.print(f"    {arg.name}: {shape}, {arg.kind} in [{arg.low:g}, {arg.high:g}]"
                      + (f", always including {_values(arg.extremes)}" if arg.extremes else ""),
                      markup=False)
    if domain.sizes:
        sizes = ", ".join(f"{k} in [{lo}, {hi}]" for k, (lo, hi) in domain.sizes.items())
        console.print(f"  sizes: {sizes}", markup=False)
    if domain.params:
        console.print("  parameters (by keyword; params= states the implementation's):")
    for name, value in domain.params.items():
        drawn = domain.ranges.get(name)
        also = f", also drawn from [{drawn[0]:g}, {drawn[1]:g}]" if drawn else ""
        console.print(f"    {name} = {value:g}{also}", markup=False)
    if domain.why:
        console.print(f"  {domain.why}", markup=False)
    if entry.variants:
        console.print(f"  variants: {', '.join(v.name for v in entry.variants)}", markup=False)


def _values(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)
