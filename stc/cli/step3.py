"""Step 3, condensation: stc subgroup, stc subgroups, stc sort, stc set-aside, stc condense,
stc nugget."""

from __future__ import annotations

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    read_text_option,
    text_options,
    why_option,
)
from stc.stages import condensation
from stc.words import counted


@click.group()
def subgroup() -> None:
    """Subgroups of a code group: the units of analysis of step 3.

    \b
    Example:
      stc subgroup add "Tid og rutiner" "Tidspress"
    """


@subgroup.command(name="add")
@project_options
@click.argument("group")
@click.argument("name")
@why_option
def subgroup_add(group: str, name: str, why: str | None) -> None:
    """Add subgroup NAME to code group GROUP.

    \b
    Example:
      stc subgroup add "Tid og rutiner" "Tidspress" --why "two kinds of time in the units"
    """
    project = open_project_from(click.get_current_context())
    rec = condensation.add_subgroup(project, group, name, why)
    click.echo(f"Subgroup {rec.payload['group_name']}/{rec.payload['name']} added"
               f"  (change #{rec.seq})")


@click.command()
@project_options
@json_option
def subgroups(as_json: bool) -> None:
    """List the subgroups in order, with their units and whether they have a condensate.

    \b
    Example:
      stc subgroups --json
    """
    project = open_project_from(click.get_current_context())
    rows = condensation.subgroup_rows(project.conn)
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No subgroups yet. Next: stc subgroup add GROUP NAME")
    for r in rows:
        mark = "condensate" if r["condensate"] else "no condensate"
        click.echo(f"{r['group']}/{r['subgroup']}: {counted(r['units'], 'unit')}, {mark}")


@click.command(name="sort")
@project_options
@click.argument("units", nargs=-1, required=True)
@click.option("--into", "into", required=True, metavar="GROUP/SUBGROUP",
              help="The subgroup the units go into.")
@why_option
def sort_(units: tuple[str, ...], into: str, why: str | None) -> None:
    """Sort meaning units into a subgroup of their code group.

    \b
    Example:
      stc sort U3 U7 U12 --into "Tid og rutiner/Tidspress"
    """
    project = open_project_from(click.get_current_context())
    records = condensation.sort_units(project, units, into, why)
    click.echo(f"{len(records)} units sorted into {into}  (changes #{records[0].seq}"
               f"-{records[-1].seq})" if len(records) > 1 else
               f"{units[0]} sorted into {into}  (change #{records[0].seq})")


@click.command(name="set-aside")
@project_options
@click.argument("units", nargs=-1, required=True)
@click.option("--why", "reason", required=True, help="Why the units stay out of the subgroups.")
def set_aside(units: tuple[str, ...], reason: str) -> None:
    """Set meaning units aside from the subgroups, with a reason. `stc sort` takes them back.

    \b
    Example:
      stc set-aside U9 --why "about the interviewer's own experience"
    """
    project = open_project_from(click.get_current_context())
    records = condensation.set_aside(project, units, reason)
    click.echo(f"{', '.join(units)} set aside  (change #{records[-1].seq})")


@click.command()
@project_options
@click.argument("target", metavar="GROUP/SUBGROUP")
@text_options("condensate", "Write it in an editor, beside the units as comments.")
@click.option("--clear", is_flag=True, help="Remove the condensate.")
@why_option
def condense(target: str, message: str | None, file: str | None, edit: bool, clear: bool,
             why: str | None) -> None:
    """Write the condensate of a subgroup (or of a code group without subgroups): a first-person
    "artificial quotation" in the participants' words. It is linked to the units it rests on.

    \b
    Example:
      stc condense "Tid og rutiner/Tidspress" --edit
      stc condense "Tid og rutiner/Tidspress" -m "Jeg rekker ikke å snakke med dem ..."
    """
    project = open_project_from(click.get_current_context())
    text = None if clear else read_text_option(
        message, file, edit, condensation.condense_about(project.conn, target))
    rec = condensation.condense(project, target, text, why)
    if text is None:
        click.echo(f"Condensate of {rec.payload['name']} cleared  (change #{rec.seq})")
    else:
        rests = condensation.ids(rec.payload["units"])
        click.echo(f"Condensate of {rec.payload['name']} written, resting on {rests}"
                   f"  (change #{rec.seq})")


@click.command()
@project_options
@click.argument("unit")
@click.option("--quote", help="The words to quote, cutting parts with … or ... (default: the"
                              " whole unit). Every kept piece must be verbatim and in order.")
@click.option("--translation", "words", metavar="TEXT",
              help="The quotation in the report language, for a chapter written in another"
                   " language than the transcripts ('' removes it). The original is still"
                   " checked verbatim.")
@click.option("--loose", is_flag=True, help="With --quote: typographic quotes, apostrophes and"
              " dashes match their plain forms (the transcript's own are kept).")
@click.option("--clear", is_flag=True, help="The unit is no longer an illustrative quotation.")
@why_option
def nugget(unit: str, quote: str | None, words: str | None, loose: bool, clear: bool,
           why: str | None) -> None:
    """Mark a meaning unit as an authentic illustrative quotation ("gold nugget").

    \b
    Example:
      stc nugget U7
      stc nugget U7 --quote "Vi har jo ikke tid … det er det som er problemet"
      stc nugget U7 --translation "We just don't have the time … that is the problem"
      stc nugget U7 --clear
    """
    project = open_project_from(click.get_current_context())
    rec = condensation.nugget(project, unit, quote, clear, why, words, loose=loose)
    if clear:
        click.echo(f"U{rec.payload['id']} is no longer a quotation  (change #{rec.seq})")
        return
    from stc.texts import must_text

    if rec.payload.get("nugget"):
        click.echo(f"U{rec.payload['id']} quotation: "
                   f"{must_text(project.conn, rec.payload['nugget'])}  (change #{rec.seq})")
    if rec.payload.get("translation"):
        click.echo(f"U{rec.payload['id']} translation: "
                   f"{must_text(project.conn, rec.payload['translation'])}  (change #{rec.seq})")
    elif "translation" in rec.payload:
        click.echo(f"U{rec.payload['id']} has no translation  (change #{rec.seq})")


COMMANDS = [subgroup, subgroups, sort_, set_aside, condense, nugget]
