"""The `stc` command line: a thin layer over the library.

Each command parses its options, opens the project, calls the library, and prints. Library errors
(`StcError`) become one `Error:` line and exit 1; click's usage errors exit 2; anything else is a
bug and prints one line too, unless --debug asks for the traceback.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from stc import __version__
from stc.cli.common import Context
from stc.errors import StcError


class StcGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StcError as exc:
            _fail(ctx, f"{exc.message} [{exc.code}]")
        except sqlite3.OperationalError as exc:
            if _debug(ctx):
                raise
            _fail(ctx, f"the project database is busy or unreadable ({exc}); try again")
        except KeyboardInterrupt:
            _fail(ctx, "interrupted; the change in progress was not recorded")
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            if _debug(ctx):
                raise
            _fail(ctx, f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order of the four steps, not alphabetical


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.find_root().params.get("debug"))


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    ctx.exit(1)


@click.group(cls=StcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="stc")
@click.option("--project", "project_dir", type=click.Path(file_okay=False),
              help="Project folder (default: found from here upward, or $STC_PROJECT).")
@click.option("--author", help="Who makes the change (default: $STC_AUTHOR, stc.toml, git).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx: click.Context, project_dir: str | None, author: str | None, debug: bool) -> None:
    """stc: systematic text condensation (Malterud) for interview analysis.

    \b
    The four steps and their commands:
      1 total impression   memo, theme, terms, show
      2 meaning units      code, units, codes, group, rename, merge, search, matrix
      3 condensation       subgroup, sort, condense, nugget
      4 synthesis          describe, check, report
    The trail: log, verify, undo.

    \b
    Example:
      stc init study --language nb --title "Hjemmetjenesten"
      cd study && stc import ../intervjuer/*.docx --speakers I=interviewer
      stc status
    """
    ctx.obj = Context(project_dir, author, debug)


def _register() -> None:
    from stc.cli import documents, project, trail

    for module in (project, documents):
        for command in module.COMMANDS:
            main.add_command(command)
    _register_optional()
    for command in trail.COMMANDS:
        main.add_command(command)


def _register_optional() -> None:
    """Command modules of the steps, registered when present."""
    import importlib

    for name in ("step1", "step2", "matrix", "step3", "step4", "report", "exchange", "privacy"):
        try:
            module = importlib.import_module(f"stc.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"stc.cli.{name}":
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register()


def run() -> None:  # pragma: no cover - console entry for `python -m stc`
    main(prog_name="stc")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
