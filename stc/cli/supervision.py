"""Supervision: stc comment, stc comments, stc validate, stc diff."""

from __future__ import annotations

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    read_text_option,
    text_options,
    wrap,
)
from stc.stages import supervision


@click.group()
def comment() -> None:
    """A supervisor's comments on the analysis: on a unit, a place in a transcript, a category
    or subcategory, or its condensate or analytic text. Recorded in the trail with author and
    time; shown in the audit report, never in the results chapter.

    \b
    Example:
      stc comment add U7 -m "Is this really about time, or about trust?"
      stc comment add "condensate:Tid som flyttes/Nye oppgaver" -m "Too close to U12's words."
      stc comment resolve C3 -m "Recoded as trust."
    """


@comment.command(name="add")
@project_options
@click.argument("ref", metavar="REF")
@text_options("comment", "Write the comment in $EDITOR.")
def comment_add(ref: str, message: str | None, file: str | None, edit: bool) -> None:
    """Comment on REF: U7, DOC:N-M, GROUP, GROUP/SUBGROUP, condensate:GROUP[/SUBGROUP] or
    text:GROUP[/SUBGROUP] (the analytic text).

    \b
    Example:
      stc comment add I2:45-51 -m "Look at what she says just before this."
    """
    project = open_project_from(click.get_current_context())
    body = read_text_option(message, file, edit, f"A comment on {ref}.")
    made = supervision.add_comment(project, ref, body)
    click.echo(f"C{made.id} on {made.ref}  (change #{made.seq})")


@comment.command(name="resolve")
@project_options
@click.argument("ref", metavar="ID")
@click.option("-m", "--message", help="How it was resolved.")
def comment_resolve(ref: str, message: str | None) -> None:
    """Mark a comment resolved, optionally saying how.

    \b
    Example:
      stc comment resolve C3 -m "Moved U7 to 'Tillit'."
    """
    project = open_project_from(click.get_current_context())
    done = supervision.resolve_comment(project, ref, message)
    click.echo(f"C{done.id} resolved  (change #{done.resolved})")


@click.command()
@project_options
@click.option("--open", "open_only", is_flag=True, help="Only comments not yet resolved.")
@json_option
def comments(open_only: bool, as_json: bool) -> None:
    """List the supervisor's comments, open and resolved.

    \b
    Example:
      stc comments --open
    """
    project = open_project_from(click.get_current_context())
    found = supervision.comments(project.conn, open_only)
    if as_json:
        print_json([c.as_json() for c in found])
        return
    for c in found:
        status = "open" if c.open else f"resolved in #{c.resolved}"
        click.echo(f"C{c.id:<4} {c.ref}  ({c.author}, {c.at[:16].replace('T', ' ')}; {status})")
        click.echo(wrap(c.body, 6))
        if c.resolution:
            click.echo(wrap(f"→ {c.resolution}", 6))


@click.command()
@project_options
@click.argument("group", metavar="GROUP")
@text_options("validation memo", "Write it in $EDITOR.")
def validate(group: str, message: str | None, file: str | None, edit: bool) -> None:
    """Record that the category GROUP was checked against the full transcripts
    (recontextualisation): does the synthesis still hold in context, and is there data that
    contradicts it? `stc check` asks for one after each category's last change.

    \b
    Example:
      stc validate "Tid som flyttes" -m "Read I1-I4 again; I3 contradicts in part (I3:88-93)."
    """
    project = open_project_from(click.get_current_context())
    body = read_text_option(message, file, edit,
                            f"Validation of {group} against the transcripts: what you read"
                            " again, whether the description holds, what contradicts it.")
    memo = supervision.validate(project, group, body)
    click.echo(f"M{memo.id}: {group} validated  (change #{memo.seq})")


@click.command()
@project_options
@click.option("--since", required=True, metavar="N|SEAL|DATE",
              help="A change number, a seal file, or a date or time (UTC).")
@json_option
def diff(since: str, as_json: bool) -> None:
    """What changed since a meeting: per object, in plain words, every change in effect after
    the point, who made it and why, with a word diff of each rewritten text ([-old-] {+new+}).

    \b
    Example:
      stc diff --since 212
      stc diff --since seals/seal-212.txt
      stc diff --since 2026-03-01
    """
    from stc.since import changed_since, counted_changes, point

    project = open_project_from(click.get_current_context())
    start = point(project.conn, since)
    groups = changed_since(project.conn, start)
    if as_json:
        print_json({"since": start, "objects": [g.as_json() for g in groups]})
        return
    click.echo(f"Since change #{start}: {counted_changes(groups)} changes to"
               f" {len(groups)} objects.")
    for group in groups:
        click.echo(f"\n{group.name}")
        for c in group.changes:
            click.echo(f"  #{c.seq} {c.at[:16].replace('T', ' ')} {c.author}: {c.what}")
            if c.why:
                click.echo(wrap(f"why: {c.why}", 6))
            if c.diff:
                click.echo(wrap(c.diff, 6))


COMMANDS = [comment, comments, validate, diff]
