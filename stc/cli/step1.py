"""Step 1, total impression: stc memo, stc memos, stc theme, stc themes, stc terms."""

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
    wrap,
)
from stc.stages import impression, meaning_units
from stc.words import counted

MEMO_ABOUT = {
    "preunderstanding": "Your pre-understanding: what you expect to find, and why, written "
                        "before you code.",
    "impression": "Your total impression of the transcript after reading all of it.",
    "note": "A note.",
}


@click.group()
def memo() -> None:
    """Memos: pre-understanding, impressions, notes on anything.

    \b
    Example:
      stc memo add --kind preunderstanding --edit
      stc memo add --kind impression --on I1 -m "Travel time dominates."
    """


@memo.command(name="add")
@project_options
@click.option("--on", "on", metavar="REF",
              help="What the memo is about: DOC, DOC:N, U7, or KIND:NAME (theme, code, group,"
                   " subgroup as GROUP/SUB). Default: the project.")
@click.option("--kind", type=click.Choice(impression.MEMO_KINDS), default=None,
              help="preunderstanding, impression or note (default: impression on a document,"
                   " else note).")
@text_options("memo text", "Write the memo in an editor.")
@why_option
def memo_add(on: str | None, kind: str | None, message: str | None, file: str | None,
             edit: bool, why: str | None) -> None:
    """Write a memo on the project or on a document, segment, unit, theme, code, group or
    subgroup. The trail dates it, so a pre-understanding is shown to precede the coding.

    \b
    Example:
      stc memo add --kind preunderstanding --file forforstaelse.md
      stc memo add --on I2:14-16 -m "Compare with I1:30."
      stc memo add --on "code:tapt observasjon" --edit
    """
    project = open_project_from(click.get_current_context())
    body = read_text_option(message, file, edit, MEMO_ABOUT[kind or "note"] +
                            (f"\nOn: {on}" if on else ""))
    made = impression.add_memo(project, body, kind, on, why)
    place = f" on {made.ref}" if made.ref else ""
    click.echo(f"M{made.id}: {made.kind} memo{place}  (change #{made.seq})")


@click.command()
@project_options
@click.option("--on", "on", metavar="REF", help="Only memos on REF (and its parts).")
@click.option("--kind", type=click.Choice(impression.MEMO_KINDS), help="Only this kind.")
@json_option
def memos(on: str | None, kind: str | None, as_json: bool) -> None:
    """List memos with their date and author.

    \b
    Example:
      stc memos --kind impression
      stc memos --on I1 --json
    """
    project = open_project_from(click.get_current_context())
    found = impression.memos(project.conn, on, kind)
    if as_json:
        print_json([m.as_json() for m in found])
        return
    if not found:
        click.echo("No memos. Next: stc memo add --kind preunderstanding --edit")
    for m in found:
        place = f" on {m.ref}" if m.ref else ""
        click.echo(f"M{m.id}  {m.kind}{place}  {m.at[:10]} {m.author}")
        click.echo(wrap(m.body, 4))


@click.group()
def theme() -> None:
    """Preliminary themes (step 1): 4 to 8 after reading everything.

    \b
    Example:
      stc theme add "Frigjort tid" "Nærhet og relasjon"
      stc theme rename "Frigjort tid" "Tid som flyttes" --why "..."
    """


@theme.command(name="add")
@project_options
@click.argument("names", nargs=-1, required=True)
@why_option
def theme_add(names: tuple[str, ...], why: str | None) -> None:
    """Add one or more preliminary themes.

    \b
    Example:
      stc theme add "Frigjort tid" "Trygghet og risiko"
    """
    project = open_project_from(click.get_current_context())
    for name in impression.add_themes(project, list(names), why):
        click.echo(f"theme {name!r} added")
    _warn_theme_count(len(impression.themes(project.conn)))


@theme.command(name="rename")
@project_options
@click.argument("old")
@click.argument("new")
@why_option
def theme_rename(old: str, new: str, why: str | None) -> None:
    """Rename a preliminary theme.

    \b
    Example:
      stc theme rename "Frigjort tid" "Tid som flyttes" --why "Time moves, it is not freed."
    """
    project = open_project_from(click.get_current_context())
    done = meaning_units.rename(project, "theme", old, new, why)
    click.echo(f"theme {old!r} renamed {done.name!r}")


@theme.command(name="drop")
@project_options
@click.argument("name")
@why_option
def theme_drop(name: str, why: str | None) -> None:
    """Drop a preliminary theme (the trail keeps it).

    \b
    Example:
      stc theme drop "Økonomi" --why "Nobody spoke of it."
    """
    project = open_project_from(click.get_current_context())
    dropped, _, _ = meaning_units.drop(project, "theme", name, why=why)
    click.echo(f"theme {dropped.name!r} dropped")
    _warn_theme_count(len(impression.themes(project.conn)))


def _warn_theme_count(count: int) -> None:
    warning = impression.theme_warning(count)
    if warning:
        click.echo(f"Warning: {warning}", err=True)


@click.command()
@project_options
@json_option
def themes(as_json: bool) -> None:
    """List the preliminary themes, and the code groups that grew out of them.

    \b
    Example:
      stc themes
    """
    project = open_project_from(click.get_current_context())
    found = impression.themes(project.conn)
    warning = impression.theme_warning(len(found))
    if as_json:
        print_json({"themes": [vars(t) for t in found], "warning": warning})
        return
    for t in found:
        grew = f"  -> group {', '.join(t.groups)}" if t.groups else ""
        click.echo(f"{t.position:>3}. {t.name}{grew}")
    if not found:
        click.echo("No themes yet. Next: stc theme add NAME")
    _warn_theme_count(len(found))


@click.command()
@project_options
@click.argument("doc", required=False)
@click.option("--top", default=20, show_default=True, help="How many lemmas per list.")
@click.option("--all-speakers", is_flag=True, help="Count the interviewer's words too.")
@json_option
def terms(doc: str | None, top: int, all_speakers: bool, as_json: bool) -> None:
    """Frequent words per transcript and across them, to help reading (never to replace it):
    the forms of a word counted together, shown by the form said most often. Stop words, the
    interviewer's speech and lines of no speaker (headings) are left out.

    \b
    Example:
      stc terms
      stc terms I2 --top 40 --json
    """
    project = open_project_from(click.get_current_context())
    lists = impression.terms(project, doc, top, all_speakers)
    if as_json:
        print_json([t.as_json() for t in lists])
        return
    for t in lists:
        title = t.doc or "All transcripts"
        click.echo(f"{title} ({counted(t.words, 'word')})")
        click.echo(wrap(", ".join(f"{word} {n}" for word, _, n in t.top), 4))


COMMANDS = [memo, memos, theme, themes, terms]
