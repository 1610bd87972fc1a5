"""Step 4, synthesis: stc describe, stc order, stc names, stc prevalence, stc check."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from stc.stages import synthesis
from stc.words import counted

if TYPE_CHECKING:
    from stc.project import Project


@click.command()
@project_options
@click.argument("target", metavar="GROUP[/SUBGROUP]")
@text_options("analytic text", "Write it in an editor, beside the condensate.")
@click.option("--heading", help="The heading in the report (default: the name; '' resets).")
@click.option("--clear", is_flag=True, help="Remove the analytic text.")
@why_option
def describe(target: str, message: str | None, file: str | None, edit: bool,
             heading: str | None, clear: bool, why: str | None) -> None:
    """Write the analytic text of a category (GROUP) or subcategory (GROUP/SUBGROUP), and set
    its heading. A line holding only [U7] places that quotation in the results chapter.

    \b
    Example:
      stc describe "Tid og rutiner" --heading "Tiden som ikke strekker til" --edit
      stc describe "Tid og rutiner/Tidspress" --file tidspress.md
    """
    project = open_project_from(click.get_current_context())
    text = "" if clear else None
    if not clear and (message or file or edit or heading is None):
        text = read_text_option(message, file, edit, synthesis.describe_about(project.conn,
                                                                               target))
    records = synthesis.describe(project, target, text, heading, why)
    for rec in records:
        click.echo(f"{rec.summary()}  (change #{rec.seq})")


@click.command()
@project_options
@click.argument("kind", type=click.Choice(["groups", "subgroups"]))
@click.argument("names", nargs=-1, required=True)
@click.option("--group", help="For subgroups: the code group whose subgroups are ordered.")
@why_option
def order(kind: str, names: tuple[str, ...], group: str | None, why: str | None) -> None:
    """Set the order of categories, or of one category's subcategories, in the reports.
    Names left out follow in their present order.

    \b
    Example:
      stc order groups "Tid og rutiner" "Relasjoner" "Teknologi"
      stc order subgroups --group "Tid og rutiner" "Tidspress" "Fleksibilitet"
    """
    if kind == "subgroups" and not group:
        raise click.UsageError("name the code group: --group GROUP")
    project = open_project_from(click.get_current_context())
    rec = synthesis.set_order(project, kind[:-1], names, group, why)
    click.echo(f"Order: {', '.join(rec.payload['names'])}  (change #{rec.seq})")


@click.group()
def names() -> None:
    """Identifying names: words and phrases that point at people or places. `stc check` and
    `stc report` refuse texts that contain them.

    \b
    Example:
      stc names add "Kari" "Sagene" "Lovisenberg sykehus"
      stc names list
    """


@names.command(name="add")
@project_options
@click.argument("words", nargs=-1, required=True)
@why_option
def names_add(words: tuple[str, ...], why: str | None) -> None:
    """Add identifying names (case does not matter).

    \b
    Example:
      stc names add Kari "Sagene bydel"
    """
    project = open_project_from(click.get_current_context())
    records = synthesis.add_names(project, words, why)
    done = f"  (change #{records[-1].seq})" if records else "; all were on the list"
    click.echo(f"{counted(len(records), 'name')} added{done}")


@names.command(name="list")
@project_options
@json_option
def names_list(as_json: bool) -> None:
    """List the identifying names.

    \b
    Example:
      stc names list --json
    """
    project = open_project_from(click.get_current_context())
    found = synthesis.identifying_names(project.conn)
    if as_json:
        print_json(found)
        return
    click.echo("\n".join(found) if found else "No identifying names. Add: stc names add NAME")


@names.command(name="drop")
@project_options
@click.argument("words", nargs=-1, required=True)
@why_option
def names_drop(words: tuple[str, ...], why: str | None) -> None:
    """Take names off the list.

    \b
    Example:
      stc names drop Kari
    """
    project = open_project_from(click.get_current_context())
    records = synthesis.drop_names(project, words, why)
    click.echo(f"{counted(len(records), 'name')} dropped  (change #{records[-1].seq})")


@click.command()
@project_options
@click.option("--by", "by", metavar="ATTRIBUTE[=BANDS]",
              help="Compare the values of a participant or transcript attribute (tidspunkt),"
                   " numbers in bands: ors_start=0-20,20-40.")
@json_option
def prevalence(by: str | None, as_json: bool) -> None:
    """How many units and participants carry each category and subcategory, in words; with
    --by, for each value of an attribute (descriptive counts, no statistics).

    \b
    Example:
      stc prevalence
      stc prevalence --by tidspunkt
      stc prevalence --by ors_start=0-20,20-40
    """
    from stc.settings import values
    from stc.stages.prevalence import basis
    from stc.stages.prevalence import prevalence as measure

    project = open_project_from(click.get_current_context())
    language = values(project.conn).report_language
    if by:
        _prevalence_by(project, by, language, as_json)
        return
    rows = measure(project.conn, language)
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    for r in rows:
        label = f"  {r.subgroup}" if r.subgroup else r.group
        click.echo(f"{label:<40} {counted(r.units, 'unit'):>10}  {r.participants}/{r.total}"
                   f"  {r.words}")
    counted_how = basis(project.conn, language)
    if counted_how:
        click.echo(f"\n{wrap(counted_how, 0)}")


def _prevalence_by(project: Project, by: str, language: str, as_json: bool) -> None:
    from stc.settings import values
    from stc.stages.prevalence import prevalence_by

    min_cell = int(values(project.conn)["report.min_cell"])
    table = prevalence_by(project.conn, language, by, min_cell)
    if as_json:
        print_json(table.as_json())
        return
    for i, (value, total) in enumerate(zip(table.columns, table.totals, strict=True)):
        mark = " *" if table.hidden(total) else ""
        click.echo(f"{'' if i == 0 else chr(10)}{table.key} = {value}"
                   f"  ({counted(total, 'participant')}{mark})")
        for row in table.rows:
            cell = row.cells[i]
            label = f"  {row.subgroup}" if row.subgroup else row.group
            mark = " *" if table.hidden(cell.participants) else ""
            click.echo(f"  {label:<40} {counted(cell.units, 'unit'):>9}  {cell.participants}/"
                       f"{cell.total}{mark}  {cell.words}")
    if table.basis:
        click.echo(f"\n{wrap(table.basis, 0)}")
    if table.small:
        click.echo(f"Warning: counts marked * are of fewer than {table.min_cell} participants;"
                   f" reports print them as \"< {table.min_cell}\" (min_cell), since at a"
                   " handful of participants an attribute can name a person.", err=True)


@click.command()
@project_options
@json_option
def check(as_json: bool) -> None:
    """Check the analysis: themes, grouping, sorting, condensates in the first person, analytic
    texts, quotations verbatim, units on current text, no identifying names. Exit 1 on any
    failure.

    \b
    Example:
      stc check
    """
    from stc.stages.checks import run_checks

    ctx = click.get_current_context()
    project = open_project_from(ctx)
    results = run_checks(project.conn)
    failed = [r for r in results if not r.ok]
    if as_json:
        print_json([r.as_json() for r in results])
    else:
        for r in results:
            click.echo(f"{'ok  ' if r.ok else 'FAIL'}  {r.title}")
            for failure in r.failures:
                click.echo(wrap(failure, 6))
            for warning in r.warnings:
                click.echo(wrap(f"(!) {warning}", 6))
        click.echo(f"\n{len(results) - len(failed)} of {len(results)} checks passed.")
    if failed:
        ctx.exit(1)


COMMANDS = [describe, order, names, prevalence, check]
