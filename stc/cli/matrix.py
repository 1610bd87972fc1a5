"""stc matrix export, stc matrix import: the coding matrix as a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import click

from stc.cli.common import open_project_from, project_options
from stc.words import counted


@click.group()
def matrix() -> None:
    """The coding matrix as .xlsx (sheets `units` and `subgroups`) or .csv (FILE and
    FILE-subgroups.csv): out to a spreadsheet, and back in as recorded changes.

    \b
    Example:
      stc matrix export koding.xlsx --all-segments
      stc matrix import koding.xlsx --dry-run
      stc matrix import koding.xlsx --why "Coded I3 in the spreadsheet"
    """


@matrix.command(name="export")
@project_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all-segments", is_flag=True,
              help="Add a row for every uncoded segment, to code line by line.")
def export(file: Path, all_segments: bool) -> None:
    """Write the units, codes, groups and subgroups to FILE (.xlsx or .csv).

    \b
    Example:
      stc matrix export koding.xlsx
      stc matrix export koding.csv --all-segments
    """
    from stc.sheet import subgroups_csv
    from stc.stages.matrix import export_matrix

    project = open_project_from(click.get_current_context())
    units, subs, as_of = export_matrix(project, file, all_segments)
    also = f" and {subgroups_csv(file)}" if file.suffix.lower() == ".csv" else ""
    click.echo(f"Wrote {counted(units, 'unit row')} and {counted(subs, 'group/subgroup row')}"
               f" to {file}{also}: the project as of change #{as_of}.")


@matrix.command(name="import")
@project_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print the difference; change nothing.")
@click.option("--summary", is_flag=True, help="Print the counts, not every change.")
@click.option("--loose", is_flag=True, help="Typographic quotation marks, apostrophes and dashes"
              " in quotes match their plain forms.")
@click.option("--force", is_flag=True, help="Apply rows of units that changed after the file"
              " was exported (refused otherwise), over those changes.")
@click.option("--delete-missing", is_flag=True, help="Delete the units the file has no row for"
              " (otherwise they are only named).")
@click.option("--allow-interviewer", is_flag=True, help="Rows of the interviewer's words alone"
              " make units (refused otherwise), recorded as coded on purpose.")
@click.option("--why", help="Why: kept in the trail with every change.")
def import_(file: Path, dry_run: bool, summary: bool, loose: bool, force: bool,
            delete_missing: bool, allow_interviewer: bool, why: str | None) -> None:
    """Bring a coding matrix in: the difference to the project is printed and recorded in one
    transaction (one command for `stc undo`). Any bad row refuses the whole file, naming each
    bad row; so do rows of units changed after the file was exported (its as_of column),
    unless --force. A unit the file has no row for is named, and deleted only with
    --delete-missing. The columns speaker, participant, aside and context only describe.

    \b
    Example:
      stc matrix import koding.xlsx --dry-run
      stc matrix import koding.csv --why "Second coding round"
    """
    from stc.stages.matrix import import_matrix

    project = open_project_from(click.get_current_context())
    report = import_matrix(project, file, dry_run, why, loose, force, delete_missing,
                           allow_interviewer)
    if not summary:
        for line in report.lines:
            click.echo(line)
    if dry_run:
        click.echo(f"Dry run: {report.summary()}; nothing recorded.")
    elif report.lines:
        click.echo(f"Recorded: {report.summary()} (up to change #{report.seq}).")
    else:
        click.echo(f"Nothing to change: the project already holds {file.name}.")


COMMANDS = [matrix]
