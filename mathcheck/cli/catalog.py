"""`mathcheck list` and `mathcheck show`: browse the catalog (list never imports SymPy/Torch)."""

from __future__ import annotations

import functools
import inspect
import os
from typing import Any

import click
from rich.syntax import Syntax
from rich.table import Table

from mathcheck.cli._render import console
from mathcheck.formulas import Entry, Ref, get, resolve, select


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
@click.option("--where", is_flag=True,
              help="Print only where the entry, its SymPy, NumPy and Torch forms and each claim "
                   "are defined, as path:line.")
def show(formula_id: str, where: bool) -> None:
    """Show one entry: LaTeX, SymPy form, NumPy and Torch source, claims."""
    entry = get(formula_id)
    if where:
        _where(entry)
        return
    console.rule(
        f"[bold]{entry.id}[/bold] — {entry.title} "
        f"(section {entry.section.number}: {entry.section.title})"
    )
    console.print(f"used in: {entry.used_in}")
    _signature(entry)
    if entry.symbolic is not None:
        import sympy as sp

        from mathcheck.crosscheck import proof_sizes

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


def _where(entry: Entry) -> None:
    """`show --where`: path:line of the entry's `Entry(...)`, of its three forms' functions and
    of each claim's construction, one per line (plain text: no wrapping, for editors to jump)."""
    click.echo(f"entry: {_site(entry.defined_at)}")
    for label, ref in (("sympy", entry.symbolic), ("numpy", entry.numpy), ("torch", entry.torch)):
        if ref is not None:
            click.echo(f"{label}: {_form_site(ref)}")
        elif label == "sympy":
            click.echo("sympy: none (no SymPy form)")
        else:
            click.echo(f"{label}: none ({entry.no_numeric_reason or 'not provided'})")
    click.echo("claims:")
    for claim in entry.claims:
        what = claim.kind if claim.label == claim.kind else f"{claim.kind}: {claim.label}"
        click.echo(f"  {_site(claim.defined_at)}  {what}")


def _site(site: Any) -> str:
    """A recorded construction site as path:line (and the line a helper was called from)."""
    if site is None:
        return "unknown (not recorded)"
    place = f"{_path(site.path)}:{site.line}"
    return place if site.called_from is None else (
        f"{place} (called from {_path(site.path)}:{site.called_from})")


def _form_site(ref: Any) -> str:
    """path:line of the `def` of a form (partials and decorators unwrapped), and its name."""
    name = ref.name if isinstance(ref, Ref) else getattr(ref, "__qualname__", repr(ref))
    try:
        obj = resolve(ref)
        while isinstance(obj, functools.partial) or hasattr(obj, "__wrapped__"):
            obj = obj.func if isinstance(obj, functools.partial) else inspect.unwrap(obj)
        if not (inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isclass(obj)):
            obj = type(obj)  # a callable instance: its class
        path = inspect.getsourcefile(obj)
        lines, start = inspect.getsourcelines(obj)
    except (ImportError, AttributeError, TypeError, OSError) as exc:
        return f"{name} (no source: {type(exc).__name__}: {exc})"
    if path is None:
        return f"{name} (no source file)"
    heads = ("def ", "async def ", "class ")  # past the decorators, to the line that names it
    offset = next((i for i, line in enumerate(lines) if line.lstrip().startswith(heads)), 0)
    return f"{_path(path)}:{start + offset}  {name}"


def _path(path: str) -> str:
    """Relative to the current directory when inside it, else absolute."""
    path, cwd = os.path.abspath(path), os.getcwd()
    try:
        inside = os.path.commonpath([path, cwd]) == cwd
    except ValueError:  # another drive
        inside = False
    return os.path.relpath(path, cwd) if inside else path


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
