"""stc init, stc status."""

from __future__ import annotations

import click

from stc.cli.common import json_option, open_project_from, print_json, project_options
from stc.project import init_project


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
    project.close()
    click.echo(f"Created project {title!r} in {project.root} (language {project.language}).")
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
    from stc.stages import overview

    project = open_project_from(click.get_current_context())
    steps = overview(project.conn)
    last, digest = project.head()
    if as_json:
        print_json({
            "title": project.title, "language": project.language,
            "last_change": last, "trail_hash": digest,
            "steps": [{"step": s.step.number, "name": s.step.name, "facts": s.facts,
                       "next": s.next} for s in steps],
        })
        return
    click.echo(f"{project.title}  ({project.language}; {last} changes in the trail)")
    for s in steps:
        mark = "done" if s.done else "open"
        click.echo(f"\n{s.step.number}. {s.step.name} [{mark}]")
        for fact in s.facts:
            click.echo(f"   {fact}")
    upcoming = next((s for s in steps if s.next), None)
    if upcoming:
        click.echo(f"\nNext: {upcoming.next}")


COMMANDS = [init, status]
