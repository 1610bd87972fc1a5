"""stc export (REFI-QDA .qdpx and .qdc); `stc import` hands .qdpx, .qde and .qdc files here."""

from __future__ import annotations

from pathlib import Path

import click

from stc.cli.common import json_option, open_project_from, print_json, project_options
from stc.project import Project
from stc.words import counted


@click.command(name="export")
@project_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def export(file: Path, as_json: bool) -> None:
    """Export the project for NVivo, ATLAS.ti, MAXQDA or QualCoder (REFI-QDA), or the
    codebook for Taguette.

    FILE.qdpx holds the whole project: transcripts, meaning units with their codes and coders,
    the code tree (code groups with their codes and subgroups), memos, condensates, analytic
    texts, illustrative quotations, set-aside reasons and preliminary themes as notes,
    participants as cases. FILE.qdc holds the codebook alone; FILE.csv the codebook in the
    columns Taguette imports (tag, parent, description). The trail does not travel: keep the
    project folder for the audit.

    \b
    Example:
      stc export veileder.qdpx
      stc export kodebok.qdc
      stc export codebook.csv
    """
    from stc.exchange import export_refi

    project = open_project_from(click.get_current_context())
    result = export_refi(project, file)
    if as_json:
        print_json(vars(result))
        return
    if result.kind == "codebook":
        click.echo(f"Wrote {file}: {counted(result.codes, 'code')} in"
                   f" {counted(result.groups, 'code group')},"
                   f" {counted(result.subgroups, 'subgroup')}.")
    else:
        click.echo(f"Wrote {file}: {counted(result.documents, 'transcript')},"
                   f" {counted(result.units, 'meaning unit')},"
                   f" {counted(result.codes, 'code')} in {counted(result.groups, 'code group')},"
                   f" {counted(result.subgroups, 'subgroup')}, {counted(result.notes, 'note')}.")
    for item in result.left_out:
        click.echo(f"  not included: {item}")


def import_exchange_file(project: Project, files: list[Path]) -> None:
    """`stc import FILE.qdpx|.qde|.qdc|.csv`: one file on its own."""
    from stc.errors import StcError
    from stc.exchange import LEFT_OUT_WHY, import_refi

    if len(files) != 1:
        raise StcError("E612")
    result = import_refi(project, files[0])
    docs = ", ".join(result.documents) or "none"
    themes = f"; {counted(result.themes, 'preliminary theme')}" if result.themes else ""
    cases = (f"; {counted(result.participants, 'case')} as participants" if result.participants
             else "") + (f"; {counted(result.attributes, 'attribute value')}"
                         if result.attributes else "")
    click.echo(f"{files[0].name}: transcripts {docs}; {counted(result.units, 'meaning unit')};"
               f" {counted(result.groups, 'new code group')}, {counted(result.codes, 'new code')},"
               f" {counted(result.subgroups, 'new subgroup')}; {counted(result.memos, 'memo')}"
               f"{themes}{cases}  (change #{result.seq})")
    if result.left_out:
        click.echo("Left out (by kind; also recorded in the trail):")
        for kind, count in result.left_out.items():
            click.echo(f"  {kind}: {count} ({LEFT_OUT_WHY.get(kind, 'stc has no place for them')})")
    else:
        click.echo("Nothing left out.")
    for remark in result.remarks:
        click.echo(f"Note: {remark}")


COMMANDS = [export]
