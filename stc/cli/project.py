"""stc init, stc status."""

from __future__ import annotations

import click

from stc.cli.common import json_option, open_project_from, print_json, project_options
from stc.project import init_project


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--language", "-l", required=True,
              help="Language of the transcripts: nb, nn, sv, da, en, de, ... (`no` means nb).")
@click.option("--title", "-t", required=True, help="The study's title.")
@click.option("--question", "-q", help="The research question.")
@click.option("--author", help="Who creates the project.")
def init(directory: str, language: str, title: str, question: str | None,
         author: str | None) -> None:
    """Make a new project folder.

    \b
    Example:
      stc init hjemmetjeneste --language nb --title "Velferdsteknologi i hjemmetjenesten"
    """
    ctx = click.get_current_context()
    project = init_project(directory, language, title, question,
                           author or ctx.obj.author)
    project.close()
    click.echo(f"Created project {title!r} in {project.root} (language {project.language}).")
    click.echo(f"Next: cd {directory} && stc import TRANSCRIPT...")


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
