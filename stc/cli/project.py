"""stc init, stc status."""

from __future__ import annotations

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    why_option,
)
from stc.project import init_project
from stc.words import counted


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--language", "-l",
              help="Language of the transcripts: nb, nn, sv, da, en, de, ... (`no` means nb).")
@click.option("--title", "-t", help="The study's title.")
@click.option("--question", "-q", help="The research question.")
@click.option("--from", "from_project", type=click.Path(file_okay=False), metavar="PROJECT",
              help="Make a second coder's copy of PROJECT: its transcripts and codebook"
                   " (themes, code groups, codes), no units.")
@click.option("--author", help="Who creates the project.")
def init(directory: str, language: str | None, title: str | None, question: str | None,
         from_project: str | None, author: str | None) -> None:
    """Make a new project folder; with --from, a second coder's copy of another project.

    \b
    Example:
      stc init hjemmetjeneste --language nb --title "Velferdsteknologi i hjemmetjenesten"
      stc init ../berit --from . --author Berit
    """
    ctx = click.get_current_context()
    if from_project is not None:
        if language or question:
            raise click.UsageError("with --from, the language and question are PROJECT's")
        _init_from(from_project, directory, title, author or ctx.obj.author)
        return
    if not language or not title:
        raise click.UsageError("give --language and --title (or --from PROJECT)")
    project = init_project(directory, language, title, question,
                           author or ctx.obj.author)
    language = project.language
    project.close()
    click.echo(f"Created project {title!r} in {project.root} (language {language}).")
    click.echo(f"Next: cd {directory} && stc import TRANSCRIPT...")


def _init_from(other: str, directory: str, title: str | None, author: str | None) -> None:
    from stc.stages.coders import init_from
    from stc.words import counted

    copy = init_from(other, directory, author, title)
    copy.project.close()
    click.echo(f"Created a second coder's copy of {other} in {copy.project.root}:"
               f" {counted(len(copy.documents), 'transcript')}"
               f" ({', '.join(copy.documents) or 'none'}), {counted(copy.themes, 'theme')},"
               f" {counted(copy.groups, 'code group')}, {counted(copy.codes, 'code')};"
               " no units.")
    click.echo(f"Next: cd {directory} && stc code DOC:N-M CODE...;"
               f" then, in {other}: stc compare {copy.project.root}")


@click.command()
@project_options
@json_option
def status(as_json: bool) -> None:
    """Where the analysis stands in the four steps, and what to do next.

    \b
    Example:
      stc status
    """
    from stc.project import closed_at
    from stc.stages import overview

    project = open_project_from(click.get_current_context())
    steps = overview(project.conn, project.reports_dir)
    last, digest = project.head()
    closed = closed_at(project.conn)
    if as_json:
        print_json({
            "title": project.title, "language": project.language,
            "last_change": last, "trail_hash": digest, "closed": closed,
            "steps": [{"step": s.step.number, "name": s.step.name, "facts": s.facts,
                       "next": s.next} for s in steps],
        })
        return
    click.echo(f"{project.title}  ({project.language}; {counted(last, 'change')} in the trail)")
    if closed is not None:
        click.echo(f"Closed at change #{closed} (`stc log` says why): the project takes no new"
                   " analysis; reading, reports and `stc verify` still work.")
        return
    for s in steps:
        mark = "done" if s.done else "open"
        click.echo(f"\n{s.step.number}. {s.step.name} [{mark}]")
        for fact in s.facts:
            click.echo(f"   {fact}")
    upcoming = next((s for s in steps if s.next), None)
    if upcoming:
        click.echo(f"\nNext: {upcoming.next}")


@click.group(invoke_without_command=True)
@project_options
@json_option
@click.pass_context
def config(ctx: click.Context, as_json: bool) -> None:
    """Show the project's settings: the values in effect and what each does. Settings that
    change a report are part of the project's state: `stc config set` records them in the
    trail and writes stc.toml; an edit of stc.toml is recorded when stc next runs.

    \b
    Example:
      stc config
      stc config set quote_attribution participant
      stc config set language en --why "the transcripts are English after all"
    """
    if ctx.invoked_subcommand is not None:
        return
    from stc.settings import shown

    rows = shown(open_project_from(ctx))
    if as_json:
        print_json(rows)
        return
    for row in rows:
        value = "" if row["value"] is None else row["value"]
        mark = "" if not row["default"] else "  (default)"
        click.echo(f"{row['key']:<26} {value!s:<20}{mark}")
        click.echo(f"{'':<26} {row['about']}")


@config.command(name="set")
@project_options
@click.argument("key")
@click.argument("value")
@why_option
def config_set(key: str, value: str, why: str | None) -> None:
    """Set KEY to VALUE, recorded in the trail and written into stc.toml. KEY is a setting of
    `stc config` (`cut_marker` is short for `report.cut_marker`).

    \b
    Example:
      stc config set quote_attribution participant
      stc config set cut_marker "[…]"
      stc config set report.language en
    """
    from stc.settings import resolve_key, set_value, values

    project = open_project_from(click.get_current_context())
    rec = set_value(project, key, value, why)
    full = resolve_key(key)
    now = values(project.conn)[full]
    if rec is None:
        click.echo(f"{full} is {now!r} already; nothing changed")
    else:
        click.echo(f"{full} = {now!r}  (change #{rec.seq})")


@config.command(name="unset")
@project_options
@click.argument("key")
@why_option
def config_unset(key: str, why: str | None) -> None:
    """Put KEY back to its default, recorded in the trail and written into stc.toml.

    \b
    Example:
      stc config unset cut_marker
    """
    from stc.settings import resolve_key, set_value, values

    project = open_project_from(click.get_current_context())
    rec = set_value(project, key, None, why)
    full = resolve_key(key)
    now = values(project.conn)[full]
    done = f"  (change #{rec.seq})" if rec else "; it was already"
    click.echo(f"{full} back to its default {now!r}{done}")


COMMANDS = [init, status, config]
