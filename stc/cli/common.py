"""What every command shares: the context, project options, output helpers."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from stc.project import Project

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """What every command shares: the project options and the project, once opened."""

    project_dir: str | None
    author: str | None
    debug: bool
    _project: Project | None = None
    _command: AbstractContextManager[object] = field(default_factory=nullcontext)

    def open(self) -> Project:
        if self._project is None:
            from stc.lifecycle import sync_notice
            from stc.project import open_project  # not needed by --version and --help

            self._project = open_project(self.project_dir, self.author)
            notice = sync_notice(self._project)
            if notice:
                click.echo(f"Warning: {notice}", err=True)
            # everything this invocation records is one command, named by its command line
            ctx = click.get_current_context()
            self._command = self._project.command(lambda: command_label(ctx))
            self._command.__enter__()
        return self._project

    def close(self) -> None:
        """Close the project, if a command opened it (SQLite folds its log into stc.db)."""
        if self._project is not None:
            self._command.__exit__(None, None, None)
            self._project.close()
            self._project = None


# Arguments and option values a command line keeps in the trail: references, names of
# analysis objects and choices. Every other value (texts, quotations, reasons, identifying
# names, search patterns, file paths) is shown as "…": free text and file names can hold what
# a participant said or who she is, and the trail keeps no text. A new command's argument
# that holds such a value takes a name outside this list (`words`, `pseudonym`, `text`).
_SHOWN_ARGUMENTS = {"codes", "codes_", "doc", "group", "kind", "name", "names", "new", "old",
                    "ref", "refs", "target", "unit", "units", "which", "key"}
_SHOWN_OPTIONS = {"into", "group", "kind", "code_name", "code", "subgroup", "doc", "change",
                  "as_of", "formats", "format", "keep", "segments", "on_ref", "docs", "codes",
                  "coders", "port", "by", "example", "on", "force", "dry_run", "loose", "clear"}
_HIDDEN = "…"


def command_label(ctx: click.Context) -> str:
    """The command line of the running command as the trail keeps it: the command, its
    arguments (file paths hidden) and the options given, free text hidden."""
    words = ctx.command_path.split()
    words[0] = "stc"
    for param in ctx.command.params:
        if isinstance(param, click.Argument):
            words += [_shown(param, v) for v in _values(ctx.params.get(param.name or ""))]
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is None or source.name != "COMMANDLINE":
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            off = (param.secondary_opts or [flag])[0]
            words.append(flag if ctx.params.get(param.name) else off)
            continue
        for value in _values(ctx.params.get(param.name)):
            words += [flag, _shown(param, value)]
    return " ".join(_quoted(w) for w in words)


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, tuple | list) else [value]


def _shown(param: click.Parameter, value: Any) -> str:
    if isinstance(param.type, click.Path | click.File):
        return _HIDDEN
    shown = _SHOWN_OPTIONS if isinstance(param, click.Option) else _SHOWN_ARGUMENTS
    if param.name not in shown:
        return _HIDDEN
    return str(value)


def _quoted(word: str) -> str:
    import shlex

    return word if word == _HIDDEN else shlex.quote(word)


def _store_project(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Context)
        ctx.find_object(Context).project_dir = value  # type: ignore[union-attr]


def _store_author(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_object(Context).author = value  # type: ignore[union-attr]


def project_options(func: F) -> F:
    """--project and --author on the command itself as well as before it."""
    func = click.option("--author", expose_value=False, callback=_store_author,
                        help="Who makes the change.")(func)
    return project_option(func)


def project_option(func: F) -> F:
    """--project on the command itself as well as before it."""
    return click.option("--project", expose_value=False, callback=_store_project,
                        type=click.Path(file_okay=False), help="Project folder.")(func)


def why_option(func: F) -> F:
    return click.option("--why", help="Why: kept in the trail.")(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def open_project_from(ctx: click.Context) -> Project:
    return ctx.find_object(Context).open()  # type: ignore[union-attr]


def close_project_from(ctx: click.Context) -> None:
    """Close the project early: a command that runs long (the workbench) holds no connection
    of its own, so others (an erasure) can have the database alone between its requests."""
    ctx.find_object(Context).close()  # type: ignore[union-attr]


def print_json(data: Any) -> None:
    import json  # here, like textwrap below: a command that needs neither starts faster

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def say(lines: list[str]) -> None:
    """What a change did besides what the command asked (a unit left a subgroup, a condensate
    to review), one line each."""
    for line in lines:
        click.echo(f"  {line}")


def width() -> int:
    # os rather than shutil.get_terminal_size: shutil costs every command its import
    try:
        columns = int(os.environ.get("COLUMNS") or os.get_terminal_size().columns)
    except (OSError, ValueError):
        columns = 100
    return max(40, min(columns, 120))


def wrap(text: str, indent: int) -> str:
    import textwrap

    pad = " " * indent
    lines = textwrap.wrap(text, width=width() - indent, break_long_words=False) or [""]
    return "\n".join(pad + line for line in lines)


def text_options(noun: str, edit_help: str) -> Callable[[F], F]:
    """-m/--message, --file and --edit: the three ways to give a text, read by
    `read_text_option`."""

    def decorate(func: F) -> F:
        func = click.option("--edit", is_flag=True,
                            help=f"{edit_help} The editor: {EDITOR_HELP}.")(func)
        func = click.option("--file", "file", type=click.Path(exists=True, dir_okay=False),
                            help=f"Read the {noun} from a file.")(func)
        return click.option("-m", "--message", help=f"The {noun}.")(func)

    return decorate


EDITOR_HELP = ("$VISUAL or $EDITOR; without them Notepad on Windows, TextEdit on macOS,"
               " else sensible-editor, nano or vi, whichever is found first")

# Without $VISUAL or $EDITOR: the editor a person on each platform has (its name, command)
_DEFAULT_EDITORS = {"win32": ("Notepad", "notepad"), "darwin": ("TextEdit", "open -W -n -t")}
_UNIX_EDITORS = ("sensible-editor", "nano", "vi")


def editor() -> str:
    """The editor `--edit` opens: $VISUAL or $EDITOR, else the platform's default, which is
    named on stderr so the user knows what opened and how to choose another."""
    import shutil
    import sys

    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return chosen
    found = [(name, name) for name in _UNIX_EDITORS if shutil.which(name)]
    name, command = _DEFAULT_EDITORS.get(sys.platform) or (found[0] if found else ("vi", "vi"))
    click.echo(f"Opening {name} (set $EDITOR to use another editor)", err=True)
    return command


def read_text_option(message: str | None, file: str | None, edit: bool, about: str) -> str:
    """The text of -m, --file or --edit (an editor opened on `about` shown as # comments)."""
    chosen = [x for x in (message, file, edit or None) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of -m TEXT, --file FILE or --edit")
    if message:
        return message
    if file:
        return read_text_file(file)
    if not has_terminal():
        from stc.errors import StcError

        raise StcError("E142")
    template = "\n\n" + "\n".join("# " + line for line in about.splitlines())
    chosen_editor = editor()
    try:
        edited = click.edit(template, editor=chosen_editor, extension=".md")
    except click.ClickException as exc:  # not found, or it ended with an error
        from stc.errors import StcError

        raise StcError("E143", editor=chosen_editor, detail=exc.message) from None
    if edited is None:
        raise click.UsageError("the editor was closed without saving; nothing recorded")
    body = "\n".join(line for line in edited.splitlines() if not line.startswith("#")).strip()
    if not body:
        raise click.UsageError("the text is empty; nothing recorded")
    return body


def has_terminal() -> bool:
    """Whether a person at a terminal can answer: an editor to type in, a question to
    confirm (a script, a pipe or a scheduled job has none)."""
    import sys

    return sys.stdin is not None and sys.stdin.isatty()


def require_terminal(command: str, does: str) -> None:
    """Refuse (E141) to ask for a confirmation nobody can give; `--yes` goes ahead."""
    if not has_terminal():
        from stc.errors import StcError

        raise StcError("E141", command=command, does=does)


def read_text_file(file: str) -> str:
    """A text given with --file, read as a transcript is (a text editor on Windows may have
    saved it with a BOM, in UTF-16 or in its code page, and with CRLF line ends); refused
    (E139) when it is no text."""
    from pathlib import Path

    from stc.errors import BadInput, StcError
    from stc.formats import MAX_FILE_BYTES
    from stc.formats.decode import decode

    path = Path(file)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise StcError("E139", path=file, what="text",
                       detail=f"{size:,} bytes, far more than any text typed")
    try:
        text, _ = decode(path.read_bytes(), path)
    except BadInput as exc:
        if exc.code not in _NO_TEXT:
            raise
        raise StcError("E139", path=file, what="text", detail=_NO_TEXT[exc.code]) from None
    return "\n".join(text.splitlines()).strip()


_NO_TEXT = {"E106": "it looks like a binary file: a picture, a program, a document in a"
                    " word processor's format", "E108": "its text encoding is not one stc knows"}
