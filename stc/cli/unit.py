"""Correcting meaning units: stc unit delete, edit, split, join, note; stc uncode."""

from __future__ import annotations

import click

from stc.cli.common import open_project_from, project_options, say, why_option, wrap
from stc.stages import meaning_units as mu


def _show(correction: mu.Correction, verb: str) -> None:
    """The units a correction made or changed, with their text and what else it did."""
    for warning in correction.warnings:
        click.echo(f"Warning: {warning}", err=True)
    conn = open_project_from(click.get_current_context()).conn
    for view in mu.list_units(conn, units=correction.units):
        click.echo(f"{view.ref} {view.segments}  {'; '.join(view.codes)}  ({verb})")
        click.echo(wrap(" ".join(view.text.split()), 4))
    say(correction.said)


@click.group()
def unit() -> None:
    """Correct meaning units: delete, move the boundaries, split, join, note. Unit numbers are
    never given again, and each correction is one command for `stc undo`.

    \b
    Example:
      stc unit edit U7 --segments 12-14
      stc unit split U7 --at "Men om natten"
      stc unit delete U9 --why "coded twice"
    """


@unit.command(name="delete")
@project_options
@click.argument("unit")
@click.option("--why", required=True, help="Why the unit goes: kept in the trail.")
def delete(unit: str, why: str) -> None:
    """Delete a meaning unit. The condensates that rested on it are named for review.

    \b
    Example:
      stc unit delete U9 --why "the same stretch as U8"
    """
    project = open_project_from(click.get_current_context())
    done = mu.delete_unit(project, unit, why)
    click.echo(f"U{done.units[0]} deleted")
    say(done.said)


@unit.command(name="edit")
@project_options
@click.argument("unit")
@click.option("--segments", metavar="N-M", help="The segments the unit now covers (of its own"
              " transcript).")
@click.option("--quote", help="The exact words the unit now holds: inside --segments, else in"
              " the unit's segments, else anywhere in the transcript (found once).")
@click.option("--loose", is_flag=True, help="With --quote: typographic quotes, apostrophes and"
              " dashes match their plain forms.")
@click.option("--allow-interviewer", is_flag=True,
              help="The unit may hold the interviewer's words alone.")
@why_option
def edit(unit: str, segments: str | None, quote: str | None, loose: bool,
         allow_interviewer: bool, why: str | None) -> None:
    """Move a unit's boundaries. A quotation no longer in its text is cleared, saying so.

    \b
    Example:
      stc unit edit U7 --segments 12-14
      stc unit edit U7 --quote "Jeg rekker ikke å snakke med dem"
    """
    if segments is None and quote is None:
        raise click.UsageError("give --segments N-M, --quote TEXT, or both")
    project = open_project_from(click.get_current_context())
    _show(mu.edit_unit(project, unit, segments, quote, loose, allow_interviewer, why), "moved")


@unit.command(name="split")
@project_options
@click.argument("unit")
@click.option("--at", "words", required=True, metavar="TEXT",
              help="The words where the second part begins (found once in the unit).")
@click.option("--loose", is_flag=True, help="Typographic quotes, apostrophes and dashes match"
              " their plain forms.")
@why_option
def split(unit: str, words: str, loose: bool, why: str | None) -> None:
    """Split a unit in two. The first part keeps the number and the note; the second gets a
    new number, the same codes and the same subgroup.

    \b
    Example:
      stc unit split U7 --at "Men om natten"
    """
    project = open_project_from(click.get_current_context())
    _show(mu.split_unit(project, unit, words, loose, why), "split")


@unit.command(name="join")
@project_options
@click.argument("units", nargs=2, metavar="UNIT OTHER")
@why_option
def join(units: tuple[str, str], why: str | None) -> None:
    """Join two units of one transcript into the first: it covers both (and what lies
    between), with the codes and notes of both; the other is deleted.

    \b
    Example:
      stc unit join U7 U8
    """
    project = open_project_from(click.get_current_context())
    done = mu.join_units(project, units[0], units[1], why)
    _show(done, f"joined with {units[1].upper()}")


@unit.command(name="note")
@project_options
@click.argument("unit")
@click.option("-m", "--message", "text", required=True,
              help="The note (an empty text clears it).")
@why_option
def note(unit: str, text: str, why: str | None) -> None:
    """Write the note on a meaning unit.

    \b
    Example:
      stc unit note U7 -m "Ambivalent: the time and the people."
    """
    project = open_project_from(click.get_current_context())
    done = mu.note_unit(project, unit, text, why)
    click.echo(f"Note on U{done.units[0]} {'written' if text.strip() else 'cleared'}")


@click.command()
@project_options
@click.argument("unit")
@click.argument("codes", nargs=-1, required=True)
@why_option
def uncode(unit: str, codes: tuple[str, ...], why: str | None) -> None:
    """Take codes off a meaning unit (it keeps at least one; `stc unit delete` removes it).

    \b
    Example:
      stc uncode U7 ensomhet
    """
    project = open_project_from(click.get_current_context())
    _show(mu.uncode(project, unit, list(codes), why), f"uncoded {', '.join(codes)}")


COMMANDS = [unit, uncode]
