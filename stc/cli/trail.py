"""stc log, stc verify, stc undo."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_option,
    project_options,
)
from stc.trail import records


@click.command()
@project_option
@click.option("--on", "on_ref", metavar="REF", help="Only changes touching REF (a document, unit,"
              " code, group, ...).")
@click.option("--author", "by_author", help="Only changes by this author.")
@click.option("--since", help="Only changes at or after this date/time (UTC, e.g. 2026-03-01).")
@json_option
def log(on_ref: str | None, by_author: str | None, since: str | None, as_json: bool) -> None:
    """The coding trail: every change, who made it, when and why.

    \b
    Example:
      stc log --on U12
      stc log --author Kari --since 2026-03-01 --json
    """
    since = _moment(since)
    project = open_project_from(click.get_current_context())
    chosen = []
    for rec in records(project.conn):
        if by_author and rec.author.casefold() != by_author.casefold():
            continue
        if since and rec.at < since:
            continue
        if on_ref and not _touches(rec.refs(), on_ref):
            continue
        chosen.append(rec)
    if as_json:
        print_json([r.as_json() for r in chosen])
        return
    for rec in chosen:
        click.echo(f"#{rec.seq:<5} {rec.at[:16].replace('T', ' ')}  {rec.author:<12} "
                   f"{rec.summary()}")
        if rec.label:
            click.echo(f"       command: {rec.label}")
        if rec.why:
            click.echo(f"       why: {rec.why}")


def _moment(value: str | None) -> str | None:
    """--since as a UTC time in the trail's own format, so that times compare as text."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("write a date or a time, e.g. 2026-03-01 or 2026-03-01T14:30"
                                 " (UTC unless it names a zone)", param_hint="--since") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def _touches(refs: list[str], wanted: str) -> bool:
    w = wanted.casefold()
    return any(r.casefold() == w or r.casefold().startswith(w + ":") for r in refs)


@click.command()
@project_options
def verify() -> None:
    """Check the trail: the hash chain is intact and the project equals its replay.

    Exits 1 naming the first problem when anything was altered outside stc.

    \b
    Example:
      stc verify
    """
    project = open_project_from(click.get_current_context())
    verdict = project.verify()
    if verdict.ok:
        last, digest = project.head()
        click.echo(f"OK: {verdict.checked} changes, chain intact, state equals the replay"
                   f" (last #{last}, hash {digest[:16]})")
        return
    for problem in verdict.problems:
        click.echo(f"Error: {problem}", err=True)
    raise SystemExit(1)


@click.command()
@project_options
@click.option("--change", "change", type=int, metavar="N",
              help="Revert only change N (see `stc log`), if no later change rests on it.")
@click.option("--why", help="Reason, kept in the trail.")
def undo(change: int | None, why: str | None) -> None:
    """Revert the last command: every change it recorded (a sort of three units, a matrix
    import of seven changes). The reversal is appended to the trail; history is kept, and
    `stc redo` brings the command back.

    \b
    Example:
      stc undo --why "sorted into the wrong subgroup"
      stc undo --change 42
    """
    project = open_project_from(click.get_current_context())
    record, reverted = project.undo(why, change=change)
    click.echo(f"#{record.seq}: undid {reverted.describe()}")


@click.command()
@project_options
@click.option("--why", help="Reason, kept in the trail.")
def redo(why: str | None) -> None:
    """Restore what the last `stc undo` reverted, as long as nothing new was recorded since.

    \b
    Example:
      stc undo
      stc redo
    """
    project = open_project_from(click.get_current_context())
    record, undone = project.redo(why)
    label = undone.payload.get("label")
    what = f'"{label}"' if label else ", ".join(f"#{s}" for s in undone.payload.get("seqs", []))
    click.echo(f"#{record.seq}: redid {what}")


COMMANDS = [log, verify, undo, redo]
