"""The `mathcheck` command line. Subcommands are imported lazily so that `mathcheck --help`
and `mathcheck list` never import SymPy or Torch.

Exit codes: 0 all checks pass, 1 a check failed, 2 bad usage, 3 a target could not be run.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from mathcheck.errors import MathcheckError

SUBCOMMANDS: dict[str, str] = {
    "verify": "mathcheck.cli.verify:verify",
    "list": "mathcheck.cli.catalog:list_entries",
    "show": "mathcheck.cli.catalog:show",
    "errata": "mathcheck.cli.errata:errata",
    "latex": "mathcheck.cli.latex:latex",
    "regress": "mathcheck.cli.regress:regress",
}
HELP = {
    "verify": "Run the verification suite over the catalog.",
    "list": "List catalog entries.",
    "show": "Show one entry: LaTeX, SymPy form, NumPy and Torch source, claims.",
    "errata": "Print where the cheatsheet disagrees with what is computed.",
    "latex": "Build the LaTeX formula reference (.tex, and a PDF with --pdf).",
    "regress": "Regression-test other implementations against the catalog.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP[name]) for name in SUBCOMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MathcheckError as exc:
            click.echo(f"mathcheck: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mathcheck")
def cli() -> None:
    """mathcheck: the mathematics of modern ML, verified."""


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="mathcheck")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
