"""stc participants, stc participant rename|map|set, stc doc set.

Arguments that hold a person's name, a speaker label or an attribute value are named outside the
trail's shown arguments (`old_name`, `new_name`, `mapping`, `pairs`, `who`), so the command line
kept in the trail shows them as "…".
"""

from __future__ import annotations

from pathlib import Path

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    why_option,
)
from stc.errors import StcError


@click.group(invoke_without_command=True)
@project_options
@json_option
@click.pass_context
def participants(ctx: click.Context, as_json: bool) -> None:
    """List the participants: id, name (pseudonym), the transcripts they speak in, their turns
    and words, and their attributes.

    A participant is P1, P2, ...; the speaker labels of every transcript are mapped to them
    (`stc participant map`), the interviewer stays a role. `stc participants import FILE`
    reads their attributes from a table.

    \b
    Example:
      stc participants
      stc participants --json
      stc participants import deltakere.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from stc.participants import listing

    project = open_project_from(ctx)
    infos = listing(project.conn)
    if as_json:
        print_json([i.as_json() for i in infos])
        return
    if not infos:
        click.echo("No participants yet. Next: stc import FILE...")
        return
    width = min(30, max(len(i.name) for i in infos))
    for i in infos:
        values = "".join(f"  {k}={v}" for k, v in i.attributes.items())
        docs = ", ".join(i.transcripts) or "(no transcript)"
        click.echo(f"{i.ref:<4} {i.name:<{width}}  {i.turns:>4} turns {i.words:>6} words"
                   f"  {docs}{values}")


@participants.command(name="import")
@project_options
@click.argument("table", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@why_option
def participants_import(table: Path, why: str | None) -> None:
    """Read participants' attributes from a table (.csv or .xlsx).

    One row per participant: the first column names the participant (P3 or the name), every
    other column is an attribute (profession, years, a score). Numbers, ISO dates (2025-03-01)
    and categories are told apart by their values. Importing a changed table again records and
    prints the difference; a bad row refuses the whole file and nothing changes.

    \b
    Example:
      stc participants import deltakere.csv
    """
    from stc.attributes import import_participants

    project = open_project_from(click.get_current_context())
    diff = import_participants(project, table, why)
    _print_difference(diff.lines, diff.unchanged, diff.seq)


@click.group()
def participant() -> None:
    """Name participants, map speaker labels to them, set their attributes.

    \b
    Example:
      stc participant rename P1 Kari
      stc participant map I2 "Deltaker 3"=P3
      stc participant set P3 yrke=sykepleier ors_start=18.5
    """


@participant.command(name="rename")
@project_options
@click.argument("old_name", metavar="OLD")
@click.argument("new_name", metavar="NEW")
@why_option
def participant_rename(old_name: str, new_name: str, why: str | None) -> None:
    """Give a participant another name (pseudonym). OLD is P3 or the name. Listings,
    prevalence, reports and the matrix show the new name at once.

    \b
    Example:
      stc participant rename P1 Kari
      stc participant rename I2 "Deltaker 2" --why "Pseudonyms by number"
    """
    from stc.participants import ref, rename

    project = open_project_from(click.get_current_context())
    record, pid = rename(project, old_name, new_name, why)
    click.echo(f"{ref(pid)} renamed  (change #{record.seq})")


@participant.command(name="map")
@project_options
@click.argument("doc")
@click.argument("mapping", metavar="LABEL=ID")
@why_option
def participant_map(doc: str, mapping: str, why: str | None) -> None:
    """Map one speaker label of one transcript to a participant or a role. ID is P3, a
    participant's name, `new` (a participant of its own), or `interviewer` or `other`.
    Prevalence and every listing follow.

    \b
    Example:
      stc participant map I2 "Deltaker 3"=P3
      stc participant map FG1 Moderator=interviewer
      stc participant map I4 Kari=new
    """
    from stc.participants import map_label, names, ref

    label, sep, target = mapping.rpartition("=")
    if not sep or not target.strip():
        raise StcError("E807", value=mapping)
    project = open_project_from(click.get_current_context())
    done = map_label(project, doc, label, target, why)
    what = (f"{names(project.conn)[done.participant]} ({ref(done.participant)}"
            f"{', new' if done.added else ''})" if done.participant is not None else done.role)
    click.echo(f"{done.doc}: {done.label} -> {what}  (change #{done.seq})")


@participant.command(name="set")
@project_options
@click.argument("who", metavar="ID")
@click.argument("pairs", nargs=-1, required=True, metavar="KEY=VALUE...")
@why_option
def participant_set(who: str, pairs: tuple[str, ...], why: str | None) -> None:
    """Set attributes of a participant (P3 or the name); an empty VALUE removes one.
    Numbers (18.5 or 18,5), ISO dates and categories are told apart by their values.

    \b
    Example:
      stc participant set P3 yrke=sykepleier ors_start=18.5
      stc participant set Kari ors_start=
    """
    from stc.attributes import parse_pairs, set_attributes

    project = open_project_from(click.get_current_context())
    diff = set_attributes(project, "participant", who, parse_pairs(pairs), why)
    _print_difference(diff.lines, diff.unchanged, diff.seq)


@click.group(name="doc")
def doc_group() -> None:
    """Attributes of a transcript, such as a focus group meeting's time point.

    \b
    Example:
      stc doc set FG2 tidspunkt=T2 dato=2025-03-01
    """


@doc_group.command(name="set")
@project_options
@click.argument("doc")
@click.argument("pairs", nargs=-1, required=True, metavar="KEY=VALUE...")
@why_option
def doc_set(doc: str, pairs: tuple[str, ...], why: str | None) -> None:
    """Set attributes of a transcript; an empty VALUE removes one. `stc prevalence --by KEY`
    compares them (a focus group's meetings as time points).

    \b
    Example:
      stc doc set FG2 tidspunkt=T2 dato=2025-03-01
    """
    from stc.attributes import parse_pairs, set_attributes

    project = open_project_from(click.get_current_context())
    diff = set_attributes(project, "doc", doc, parse_pairs(pairs), why)
    _print_difference(diff.lines, diff.unchanged, diff.seq)


def _print_difference(lines: list[str], unchanged: int, seq: int | None) -> None:
    for line in lines:
        click.echo(f"  {line}")
    changed = f"{len(lines)} value{'s' if len(lines) != 1 else ''} changed"
    same = f", {unchanged} unchanged" if unchanged else ""
    click.echo(f"{changed}{same}" + (f"  (change #{seq})" if seq is not None else
                                     "; nothing recorded"))


COMMANDS = [participants, participant, doc_group]
