"""Step 2, meaning units and codes: stc code, units, codes, define, group, rename, merge, drop,
search."""

from __future__ import annotations

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    read_text_option,
    say,
    text_options,
    why_option,
    wrap,
)
from stc.lookup import KINDS
from stc.stages import meaning_units as mu
from stc.words import counted

KIND = click.argument("kind", type=click.Choice(KINDS, case_sensitive=False))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@click.command()
@project_options
@click.argument("ref", metavar="DOC:N[-M]")
@click.argument("codes", nargs=-1, required=True)
@click.option("--quote", help="Set the unit's exact stretch: the words it holds, found once"
              " inside the segments (whitespace runs count as one space; a quote may run from"
              " one speaker's turn into the next, never into a speaker label).")
@click.option("--loose", is_flag=True, help="With --quote: typographic quotes, apostrophes and"
              " dashes match their plain forms.")
@click.option("--group", help="Put the codes into this code group (made when new).")
@click.option("--note", help="A note on the unit.")
@click.option("--allow-interviewer", is_flag=True, help="Code the interviewer's words alone"
              " (refused otherwise); the unit records that it was meant so.")
@why_option
def code(ref: str, codes: tuple[str, ...], quote: str | None, loose: bool, group: str | None,
         note: str | None, allow_interviewer: bool, why: str | None) -> None:
    """Make a meaning unit from segments, or from a quoted stretch inside them, and code it.
    New codes are made as needed. The unit's text is what is said in it, speaker labels left
    out; a unit across speakers is made with a warning naming them. Coding a stretch that is
    a unit already adds the codes to that unit instead of making a second one.

    \b
    Example:
      stc code I1:12-14 "tapt observasjon" ensomhet
      stc code I2:30 videobesøk --quote "På skjermen ser jeg bare et smil." --group "Nærhet"
    """
    project = open_project_from(click.get_current_context())
    unit = mu.code_segments(project, ref, list(codes), quote, loose, group, note, why,
                            allow_interviewer)
    for warning in unit.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if unit.existing:
        click.echo(f"U{unit.id} {unit.ref}  {', '.join(unit.codes)}  (U{unit.id} is exactly"
                   " this stretch already: its codes were added, no new unit made)")
    else:
        click.echo(f"U{unit.id} {unit.ref}  {', '.join(unit.codes)}")
    click.echo(wrap(_short(unit.text, 300), 4))
    say(unit.said)


@click.command()
@project_options
@click.option("--code", "code_name", help="Only units with this code.")
@click.option("--group", help="Only units with a code in this group.")
@click.option("--subgroup", help="Only units sorted into GROUP/SUBGROUP.")
@click.option("--doc", help="Only units in this transcript.")
@click.option("--review", is_flag=True, help="Only units to review after a re-import.")
@json_option
def units(code_name: str | None, group: str | None, subgroup: str | None, doc: str | None,
          review: bool, as_json: bool) -> None:
    """List meaning units with their place, codes and text.

    \b
    Example:
      stc units --code "tapt observasjon"
      stc units --doc I2 --json
    """
    project = open_project_from(click.get_current_context())
    found = mu.list_units(project.conn, code_name, group, doc, review, subgroup)
    if as_json:
        print_json([u.as_json() for u in found])
        return
    if not found:
        filtered = code_name or group or subgroup or doc or review
        click.echo("No meaning units match." if filtered else
                   "No meaning units yet. Next: stc code DOC:N-M CODE...")
    for u in found:
        marks = "".join([" [nugget]" if u.nugget else "",
                         f" [set aside: {u.aside}]" if u.aside else "",
                         f" [review: {u.review}]" if u.review else ""])
        sub = f" / {u.subgroup}" if u.subgroup else ""
        click.echo(f"{u.ref:<6} {u.segments:<12} {'; '.join(u.codes)}{sub}{marks}")
        click.echo(wrap(_short(u.text), 7))


@click.command()
@project_options
@json_option
def codes(as_json: bool) -> None:
    """The code tree: group -> code, with the number of units and of participants.

    \b
    Example:
      stc codes
    """
    project = open_project_from(click.get_current_context())
    tree = mu.code_tree(project.conn)
    if as_json:
        print_json([node.as_json() for node in tree])
        return
    if not tree:
        click.echo("No codes yet. Next: stc code DOC:N-M CODE...")
    for node in tree:
        title = node.name or "(not in a group)"
        click.echo(f"{title}  [{counted(node.units, 'unit')}, "
                   f"{counted(node.participants, 'participant')}]")
        for c in node.codes:
            click.echo(f"    {c.name:<40} {counted(c.units, 'unit'):>9} "
                       f"{counted(c.participants, 'participant'):>16}")
            if c.definition:
                click.echo(wrap(c.definition, 8))
        if node.subgroups:
            click.echo(f"    subgroups: {', '.join(node.subgroups)}")


@click.command()
@project_options
@click.argument("name", metavar="CODE")
@text_options("definition", "Write the definition in an editor.")
@click.option("--clear", is_flag=True, help="Remove the code's definition.")
@why_option
def define(name: str, message: str | None, file: str | None, edit: bool, clear: bool,
           why: str | None) -> None:
    """Write what a code means: its definition, printed in the codebook of `stc report
    method`, in `stc codes` and in exports (REFI-QDA, Taguette).

    \b
    Example:
      stc define "tapt observasjon" -m "Når hun ikke lenger ser pasienten selv."
      stc define "tapt observasjon" --edit
      stc define "tapt observasjon" --clear
    """
    project = open_project_from(click.get_current_context())
    if clear and (message or file or edit):
        raise click.UsageError("--clear takes no text")
    body = None if clear else read_text_option(message, file, edit,
                                                f"What the code {name!r} means.")
    if body is not None and not body.strip():
        raise click.UsageError("the text is empty; nothing recorded (--clear removes it)")
    code = mu.define_code(project, name, body, why)
    click.echo(f"{'Cleared' if clear else 'Wrote'} the definition of code {code.name!r}.")


@click.command()
@project_options
@click.argument("codes_", metavar="CODE...", nargs=-1, required=True)
@click.option("--into", required=True, help="The code group (made when new; a theme's name"
              " may become a group).")
@why_option
def group(codes_: tuple[str, ...], into: str, why: str | None) -> None:
    """Put codes into a code group.

    \b
    Example:
      stc group "mindre kjøring" skjermarbeid --into "Frigjort tid"
    """
    project = open_project_from(click.get_current_context())
    done = mu.group_codes(project, list(codes_), into, why)
    if done.created:
        click.echo(f"code group {done.group.name!r} made")
    click.echo(f"{', '.join(c.name for c in done.codes)} -> {done.group.name}")
    say(done.said)


@click.command()
@project_options
@KIND
@click.argument("old")
@click.argument("new")
@why_option
def rename(kind: str, old: str, new: str, why: str | None) -> None:
    """Rename a theme, code, group or subgroup (GROUP/SUBGROUP).

    \b
    Example:
      stc rename code "tid foran skjermen" skjermarbeid --why "It is the work, not the screen."
      stc rename subgroup "Nærhet/Skjerm" "Kontakt på skjerm"
    """
    project = open_project_from(click.get_current_context())
    done = mu.rename(project, kind, old, new, why)
    click.echo(f"{kind.lower()} {old!r} renamed {done.name!r}")


@click.command()
@project_options
@KIND
@click.argument("names", nargs=-1, required=True)
@click.option("--into", required=True, help="The one they become (made when new).")
@why_option
def merge(kind: str, names: tuple[str, ...], into: str, why: str | None) -> None:
    """Merge themes, codes, groups or subgroups into one.

    \b
    Example:
      stc merge code feilalarmer alarmtretthet --into "falske alarmer" --why "..."
      stc merge group "Opplæring" "Ledelse" --into "Innføring i praksis"
    """
    project = open_project_from(click.get_current_context())
    merged, target, created, said = mu.merge(project, kind, list(names), into, why)
    made = " (new)" if created else ""
    click.echo(f"{', '.join(m.ref for m in merged)} merged into {target.ref}{made}")
    say(said)


@click.command()
@project_options
@KIND
@click.argument("name")
@click.option("--force", is_flag=True, help="Drop it even though units use it.")
@why_option
def drop(kind: str, name: str, force: bool, why: str | None) -> None:
    """Drop a theme, code, group or subgroup. The trail keeps it; `stc undo` brings it back.

    \b
    Example:
      stc drop code "økonomi" --why "Only one unit, better coded elsewhere." --force
    """
    project = open_project_from(click.get_current_context())
    target, used, said = mu.drop(project, kind, name, force, why)
    touched = f"; {counted(used, 'meaning unit')} touched" if used else ""
    click.echo(f"{kind.lower()} {target.ref!r} dropped{touched}")
    say(said)


@click.command()
@project_options
@click.argument("pattern")
@click.option("--lemma", is_flag=True, help="Match every form of the word (its lemma).")
@click.option("--regex", is_flag=True, help="PATTERN is a regular expression.")
@click.option("--doc", help="Only this transcript.")
@json_option
def search(pattern: str, lemma: bool, regex: bool, doc: str | None, as_json: bool) -> None:
    """Keyword in context across the transcripts, with DOC:N references for `stc code`.

    \b
    Example:
      stc search dispenser
      stc search --lemma besøk
      stc search --regex "video(besøk|samtale)"
    """
    from stc.search import search as by_word
    from stc.search import search_lemma

    if lemma and regex:
        raise click.UsageError("use either --lemma or --regex")
    project = open_project_from(click.get_current_context())
    if lemma:
        hits = search_lemma(project.conn, pattern, project.language,
                            project.pipeline, doc)
    else:
        hits = by_word(project.conn, pattern, regex, doc)
    if as_json:
        print_json([h.as_json() for h in hits])
        return
    for h in hits:
        click.echo(f"{h.ref:<9} {h.left[-CONTEXT_WIDTH:]:>{CONTEXT_WIDTH}} [{h.match}] "
                   f"{h.right[:CONTEXT_WIDTH]}")
    click.echo(counted(len(hits), "hit"), err=True)


CONTEXT_WIDTH = 38

COMMANDS = [code, units, codes, define, group, rename, merge, drop, search]
