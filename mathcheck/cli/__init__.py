"""The `mathcheck` command line. Subcommands are imported lazily so that `mathcheck --help`
and `mathcheck list` never import SymPy or Torch.

Exit codes (mathcheck.errors): 0 all checks pass, 1 a check failed or nothing was checked,
2 bad usage or input (found before any work), 3 the code under test crashed, exited or timed
out, 4 a bug in mathcheck, 130 interrupted. No traceback reaches the user: every error is one
line, and `mathcheck --debug ...` shows the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from mathcheck._paths import hypothesis_cache
from mathcheck.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED, MathcheckError

__all__ = ["cli", "hypothesis_cache", "main"]

SUBCOMMANDS: dict[str, str] = {
    "verify": "mathcheck.cli.verify:verify",
    "list": "mathcheck.cli.catalog:list_entries",
    "show": "mathcheck.cli.catalog:show",
    "errata": "mathcheck.cli.errata:errata",
    "latex": "mathcheck.cli.latex:latex",
    "regress": "mathcheck.cli.regress:regress",
    "selftest": "mathcheck.cli.selftest:selftest",
    "sweep": "mathcheck.cli.sweep:sweep",
}
HELP = {
    "verify": "Run the verification suite over the catalog.",
    "list": "List catalog entries.",
    "show": "Show one entry: LaTeX, SymPy form, NumPy and Torch source, claims.",
    "errata": "Print where the cheatsheet disagrees with what is computed.",
    "latex": "Build the LaTeX formula reference (.tex, and a PDF with --pdf).",
    "regress": "Regression-test other implementations against the catalog.",
    "selftest": "Mutation-test the catalog's own numeric forms: the checks' kill rate.",
    "sweep": "Check an elementwise entry on every input of a dtype (sharded on Ray).",
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
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except MathcheckError as exc:
            if debug:
                raise
            _one_line(f"error: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _one_line("interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # `mathcheck ... | head`: nobody reads on; stop without a word
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_PIPE_CLOSED)
        except Exception as exc:  # a bug in mathcheck: still one line, unless --debug
            if debug:
                raise
            _one_line(
                f"internal error: {type(exc).__name__}: {exc} "
                "(run `mathcheck --debug ...` for the traceback)"
            )
            ctx.exit(EXIT_INTERNAL)


def _one_line(message: str) -> None:
    click.echo("mathcheck: " + " ".join(message.split())[:2000], err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mathcheck")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def cli(debug: bool) -> None:
    """mathcheck: the mathematics of modern ML, verified."""


def main(argv: list[str] | None = None) -> None:
    # An explicit HYPOTHESIS_STORAGE_DIRECTORY wins; the worker inherits the environment.
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", hypothesis_cache())
    importable_working_directory()
    cli.main(args=argv, prog_name="mathcheck")


def importable_working_directory() -> None:
    """The console script imports `mypkg` from the working directory as `python -m mathcheck`
    does (its sys.path[0] is the script's folder instead); the worker process that imports
    targets is given this sys.path. Not with `python -P` / PYTHONSAFEPATH, as for -m."""
    cwd = os.getcwd()
    safe = getattr(sys.flags, "safe_path", False)  # Python 3.11+
    if not safe and cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
