"""The `stc` command line: a thin layer over the library.

Each command parses its options, opens the project, calls the library, and prints. Library errors
(`StcError`) become one `Error:` line and exit 1; click's usage errors exit 2; anything else is a
bug and prints one line too, unless --debug asks for the traceback.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import re
import sqlite3
import sys
from typing import Any, NoReturn

import click

from stc import __version__
from stc.cli.common import Context
from stc.errors import StcError, disk_full

# Each command's module, in the order `stc --help` lists them (the four steps, then the trail).
# Modules are imported only when their command runs, so `stc status` loads no step code.
COMMAND_MODULES: dict[str, str] = {
    "init": "project", "status": "project", "config": "project",
    "import": "documents", "docs": "documents", "show": "documents",
    "participants": "participants", "participant": "participants", "doc": "participants",
    "memo": "step1", "memos": "step1", "theme": "step1", "themes": "step1", "terms": "step1",
    "code": "step2", "uncode": "unit", "unit": "unit", "units": "step2", "codes": "step2",
    "define": "step2", "group": "step2", "rename": "step2", "merge": "step2", "drop": "step2",
    "search": "step2",
    "matrix": "matrix",
    "subgroup": "step3", "subgroups": "step3", "sort": "step3", "set-aside": "step3",
    "condense": "step3", "nugget": "step3",
    "describe": "step4", "order": "step4", "names": "step4", "prevalence": "step4",
    "check": "step4",
    "compare": "coders", "merge-from": "coders",
    "report": "report", "export": "exchange", "erase": "privacy", "withdraw": "privacy",
    "pseudonymise": "privacy",
    "log": "trail", "verify": "trail", "undo": "trail", "redo": "trail",
    "seal": "trail", "reason": "trail",
    "comment": "supervision", "comments": "supervision", "validate": "supervision",
    "diff": "supervision",
    "serve": "serve",
    "backup": "lifecycle", "pack": "lifecycle", "unpack": "lifecycle", "close": "lifecycle",
    "demo": "demo",
}


class StcGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StcError as exc:
            _fail(ctx, f"{exc.message} [{exc.code}]")
        except sqlite3.OperationalError as exc:
            if _debug(ctx):
                raise
            if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
                _fail_with(ctx, disk_full(exc))
            _fail(ctx, f"the project database is busy or unreadable ({exc}); try again")
        except KeyboardInterrupt:
            _fail(ctx, "interrupted; the change in progress was not recorded")
        except BrokenPipeError:
            _reader_gone(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as exc:
            if exc.errno != errno.ENOSPC or _debug(ctx):
                raise
            _fail_with(ctx, disk_full(exc))
        except Exception as exc:
            if _debug(ctx):
                raise
            _fail(ctx, f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMAND_MODULES, *(n for n in self.commands if n not in COMMAND_MODULES)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"stc.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.commands.setdefault(str(command.name), command)
        return self.commands.get(cmd_name)


SQLITE_FULL = 13  # "database or disk is full"


def _fail_with(ctx: click.Context, error: StcError) -> None:
    _fail(ctx, f"{error.message} [{error.code}]")


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.find_root().params.get("debug"))


def _reader_gone(ctx: click.Context) -> None:
    """The output was piped into a program that stopped reading (`stc units | head`): end
    quietly, as git does, with the status a process ended by SIGPIPE has. What is still
    buffered goes nowhere, so that flushing it cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    ctx.exit(PIPE_CLOSED)


PIPE_CLOSED = 141  # 128 + SIGPIPE


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"Error: {shown(message)}", err=True)
    ctx.exit(1)


# What a message may quote from a file or an argument and a terminal would act on or show as a
# line break: control characters (an escape sequence can rewrite the screen), other line
# separators, direction overrides. Shown escaped; the line breaks a message itself has stay.
_UNSHOWABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e"
                         "\u2066-\u2069]")


def shown(message: str) -> str:
    return _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], message)


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
      2 meaning units      code, unit, uncode, units, codes, define, group, rename, merge,
                           search, matrix
      3 condensation       subgroup, sort, condense, nugget
      4 synthesis          describe, validate, check, report
    The trail: log, verify, undo, redo, seal, reason.  In the browser: serve.
    Supervision: comment, comments, diff.  Privacy: names, pseudonymise, withdraw, erase.
    Copies and the end date: backup, pack, unpack, close.  A sample project: demo.

    \b
    Example:
      stc init study --language nb --title "Hjemmetjenesten"
      cd study && stc import ../intervjuer/*.docx --speakers I=interviewer
      stc status
    """
    ctx.obj = Context(project_dir, author, debug)
    ctx.call_on_close(ctx.obj.close)


def console() -> NoReturn:
    """The `stc` command (and `python -m stc`). Once the command has run and closed its
    project, the output is flushed and the process leaves at once: tearing the interpreter
    down, freeing every module it loaded, would take a quick command a tenth of its time."""
    _replace_what_cannot_be_shown()
    try:
        main(prog_name="stc")
        code = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone away, as with `| head`
            stream.flush()
    os._exit(code)


def _replace_what_cannot_be_shown() -> None:
    """Output written into a file or pipe on Windows is in the ANSI code page (cp1252), which
    lacks κ, → and most of Unicode: such characters are shown as ? rather than stopping the
    command half-way."""
    for stream in (sys.stdout, sys.stderr):
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


def _exit_code(code: object) -> int:
    """What `sys.exit(code)` would make of it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
