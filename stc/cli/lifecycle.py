"""stc backup, stc pack, stc unpack, stc close: copies of a project and its end date."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stc.cli.common import open_project_from, project_option, project_options
from stc.words import counted


@click.command()
@project_option
@click.argument("dest", type=click.Path(path_type=Path))
def backup(dest: Path) -> None:
    """Copy the project into DEST, a new or empty folder outside it, and verify the copy.

    The database is copied through SQLite's online backup API, so the copy is consistent even
    while the project is open in another window or the workbench; the settings, sources/,
    templates/, reports/ and seal files are copied beside it. The copy is kept only when
    `stc verify` passes on it.

    \b
    Example:
      stc backup /media/usb/hjemmetjeneste-2026-03-01
    """
    from stc.lifecycle import backup as make_backup

    project = open_project_from(click.get_current_context())
    copy = make_backup(project, dest)
    click.echo(f"Backed up to {copy.path}: {counted(copy.files, 'file')}, verified"
               f" (last change #{copy.last}, hash {copy.digest[:16]}).")


@click.command()
@project_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def pack(file: Path) -> None:
    """Write the project as one file to hand a supervisor: FILE.stcpack.

    A zip of a snapshot of the database, the settings, sources/, templates/ and any seal
    files, with a manifest of their SHA-256 hashes. `stc unpack` checks all of it.

    \b
    Example:
      stc pack ~/til-veileder/hjemmetjeneste.stcpack
    """
    from stc.lifecycle import pack as make_pack

    project = open_project_from(click.get_current_context())
    done = make_pack(project, file)
    seals = f", seal {', '.join(done.seals)}" if done.seals else ", no seal"
    click.echo(f"Packed {done.path}: {counted(done.members, 'file')}{seals}"
               f" (last change #{done.last}, hash {done.digest[:16]}).")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def unpack(file: Path, directory: Path) -> None:
    """Unpack FILE.stcpack into DIRECTORY (new or empty) after checking it: the archive, the
    hash of every file against the manifest, and the trail (`stc verify`). A changed,
    damaged or partial pack is refused and nothing is left behind.

    \b
    Example:
      stc unpack hjemmetjeneste.stcpack hjemmetjeneste
      cd hjemmetjeneste && stc status
    """
    from stc.lifecycle import unpack as open_pack

    copy = open_pack(file, directory)
    click.echo(f"Unpacked {file} into {copy.path}: {counted(copy.files, 'file')}, verified"
               f" (last change #{copy.last}, hash {copy.digest[:16]}).")


@click.command()
@project_options
@click.option("--archive", "archive", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="A new or empty folder outside the project for the archive.")
@click.option("--why", required=True, help="Reason, kept in the trail (e.g. the end date in"
                                           " the data management plan).")
@click.option("--with-transcripts", is_flag=True,
              help="Put the transcripts' texts into the archive as well.")
@click.option("--with-quotations", is_flag=True,
              help="Render the archived reports with their quotations (by default each"
                   " quotation is replaced by its reference).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation in a terminal.")
def close(archive: Path, why: str, with_transcripts: bool, with_quotations: bool,
          yes: bool) -> None:
    """Close the project at its end date: write an archive, erase every transcript, record
    the closing. Afterwards the project takes no new analysis; reading, reports and
    `stc verify` still work.

    The archive holds the codebook (CSV and REFI-QDA .qdc), the categories with their
    condensates and analytic texts (categories.csv), the audit trail with quotations
    replaced by references, the results chapter as handed in (reports/results.*, else
    rendered without quotations), the trail's last change and hash (archive.json) and any
    seal files. The transcripts are then erased as `stc erase` does, and the reports in
    reports/, which quote them, removed. This cannot be undone.

    \b
    Example:
      stc close --archive ~/arkiv/hjemmetjeneste --why "prosjektslutt 2026-12-31 (Sikt)"
    """
    from stc.reports.archive import close_project

    project = open_project_from(click.get_current_context())
    if not yes and sys.stdin.isatty():  # the option names the act; a script need not confirm
        click.confirm("Write the archive, then erase every transcript and close the project"
                      " for good?", abort=True)
    done = close_project(project, archive, why, with_transcripts, with_quotations)
    click.echo(f"Archive written to {done.archive}: {', '.join(done.files)}"
               f" (last change #{done.head}, hash {done.digest[:16]}).")
    click.echo(f"Erased {counted(len(done.erased), 'transcript')}"
               f"{' (' + ', '.join(done.erased) + ')' if done.erased else ''} and removed"
               f" {counted(done.removed, 'file')} that quoted them (reports/); project closed"
               f" (change #{done.seq}). Reading, reports and `stc verify` still work.")


COMMANDS = [backup, pack, unpack, close]
