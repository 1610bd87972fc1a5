"""Two coders: stc compare, stc merge-from (a second coder's copy is `stc init --from`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from stc.cli.common import json_option, open_project_from, print_json, project_options, wrap
from stc.words import counted

if TYPE_CHECKING:
    from stc.stages.coders import Comparison, Place


def _names(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@click.command()
@project_options
@click.argument("other", required=False, type=click.Path(file_okay=False))
@click.option("--coders", metavar="A,B",
              help="Compare the units two authors made in this project, instead of OTHER.")
@click.option("--docs", metavar="DOC[,DOC]",
              help="Compare these transcripts (default: those both coders coded).")
@click.option("--codes", metavar="CODE[,CODE]", help="Figures and places for these codes only.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of the other coder's renamed codes: old,new per row.")
@click.option("--disagreements", is_flag=True, help="List every place the coders differ.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write FILE.html (the report to discuss), FILE.xlsx or FILE.csv (the"
                   " disagreements, to fill in as resolutions for merge-from).")
@json_option
def compare(other: str | None, coders: str | None, docs: str | None, codes: str | None,
            map_file: Path | None, disagreements: bool, out: Path | None,
            as_json: bool) -> None:
    """Compare two coders' meaning units on the same transcripts: agreement per code (percent
    and Cohen's κ over the sentence segments of participants' speech, and any other segment a
    coder coded) and the places where they differ. OTHER is the
    second coder's project (made with `stc init --from`); transcripts are matched by their
    text. A is this project, B the other.

    \b
    Example:
      stc compare ../berit
      stc compare ../berit --disagreements --docs I1,I3
      stc compare ../berit --disagreements --out uenighet.html
      stc compare --coders Anna,Berit --json
    """
    from stc.stages.coders import comparison

    project = open_project_from(click.get_current_context())
    result = comparison(project, other, coders, _names(docs), _names(codes), map_file)
    if out is not None:
        from stc.reports.comparison import write

        write(project, result, out)
    if as_json:
        print_json(result.as_json(disagreements))
        return
    _print_figures(result)
    if disagreements:
        click.echo("")
        for place in result.disagreements:
            _print_place(place)
    if out is not None:
        click.echo(f"Wrote {out}.")


def _print_figures(c: Comparison) -> None:
    from stc.stages.agreement import shown, shown_percent
    from stc.stages.coders import SEGMENTS_COMPARED, SEGMENTS_LEFT_OUT

    for side in (c.a, c.b):
        coders = ", ".join(side.coders(c.docs)) or "no units"
        click.echo(f"{side.label}: {side.name} ({coders})")
    click.echo(f"Compared: {', '.join(c.docs)} ({counted(c.segments, 'segment')}:"
               f" {SEGMENTS_COMPARED})")
    if c.left_out:
        click.echo(f"Left out: {counted(c.left_out, 'segment')} of {SEGMENTS_LEFT_OUT}")
    for note in c.notes:
        click.echo(f"  {note}")
    wide = max([len(f.code or "") for f in c.per_code] + [18])
    click.echo(f"\n{'code':<{wide}}  {'A':>4}  {'B':>4}  {'both':>4}  {'agreement':>9}  kappa")
    for f in [*c.per_code, c.overall]:
        name = f.code if f.code is not None else "all codes, pooled"
        click.echo(f"{name:<{wide}}  {f.coded_a:>4}  {f.coded_b:>4}  {f.table.both:>4}"
                   f"  {shown_percent(f.percent):>9}  {shown(f.kappa)}")
    click.echo("\nA, B: segments each coder coded with the code; kappa: Cohen's κ over the"
               " compared segments, 'undefined' where both made the same choice for every"
               " segment.")
    counts = c.counts()
    total = sum(counts.values())
    if total:
        from stc.stages.coders import SHORT_WORDS

        parts = ", ".join(f"{n} {SHORT_WORDS[kind]}" for kind, n in counts.items() if n)
        click.echo(f"Disagreements: {total} ({parts}); same units: {c.agreed}. The figures"
                   " serve the discussion of the disagreements (--disagreements lists them).")
    else:
        click.echo(f"No disagreements: {counted(c.agreed, 'unit')} the same in both.")


def _print_place(place: Place) -> None:
    from stc.stages.coders import KIND_WORDS

    click.echo(f"{place.id}  {place.ref}  {KIND_WORDS[place.kind]}")
    for side in ("A", "B"):
        units = place.units(side)
        if not units:
            click.echo(f"    {side}  not coded")
        for u in units:
            click.echo(f"    {side}  {u['unit']} {u['segments']}: {', '.join(u['codes'])}"
                       f"  ({u['author']})")
    text = " ".join(place.text.split())
    click.echo(wrap(f"\u201c{text if len(text) <= 300 else text[:299] + '…'}\u201d", 4))


@click.command(name="merge-from")
@project_options
@click.argument("other", type=click.Path(file_okay=False))
@click.option("--keep", type=click.Choice(["a", "b", "both"], case_sensitive=False),
              help="Decide every place no resolution decides: keep this project's units (a),"
                   " the other coder's (b), or both.")
@click.option("--resolutions", type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or .xlsx from `stc compare OTHER --disagreements --out`, a decision"
                   " per place: keep-a, keep-b, keep-both or adjust (new_segments, new_quote,"
                   " new_codes), and a reason.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of the other coder's renamed codes: old,new per row.")
@click.option("--dry-run", is_flag=True, help="Show everything the merge would record; record"
              " nothing.")
@click.option("--why", required=True, help="Why: kept in the trail with the merge.")
def merge_from(other: str, keep: str | None, resolutions: Path | None, map_file: Path | None,
               dry_run: bool, why: str) -> None:
    """Bring the other coder's units, codes and memos into this project. Every place where
    the two coders differ needs a decision (--keep, or a row of --resolutions); otherwise the
    places are listed and nothing is merged. Transcripts the other coder coded alone come in
    as they are. All in one transaction; each decision is in the trail with who made it and
    why, and units taken from the other project keep their coder as author.

    \b
    Example:
      stc merge-from ../berit --dry-run --keep both --why "Second coding of I1-I3"
      stc compare ../berit --disagreements --out vedtak.csv
      stc merge-from ../berit --resolutions vedtak.csv --why "Agreed in meeting 12 March"
    """
    from stc.stages.merge_coders import Unresolved, merge_from

    project = open_project_from(click.get_current_context())
    try:
        report = merge_from(project, other, keep.lower() if keep else None, resolutions,
                            map_file, dry_run, why)
    except Unresolved as refused:
        click.echo("Places that need a decision:")
        for place in refused.places:
            _print_place(place)
        raise
    for line in report.lines:
        click.echo(line)
    if dry_run:
        click.echo(f"Dry run: {report.summary()}; nothing recorded.")
    elif report.seq is None:
        click.echo(f"Nothing to merge: this project holds everything of {other} already.")
    else:
        click.echo(f"Merged: {report.summary()} (up to change #{report.seq}).")


COMMANDS = [compare, merge_from]
