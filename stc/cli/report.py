"""stc report: the results chapter, the audit trail and the matrix."""

from __future__ import annotations

from pathlib import Path

import click

from stc.cli.common import open_project_from, project_options


@click.command()
@project_options
@click.argument("which", default="all",
                type=click.Choice(["results", "audit", "matrix", "method", "all"]))
@click.option("--format", "formats", metavar="FMT[,FMT]",
              help="Formats among the report's own: results md,html,docx; audit html;"
                   " matrix csv,xlsx (default: all of them).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the files (default: the project's reports/).")
@click.option("--as-of", "as_of", type=int, metavar="N",
              help="Show the state after change N, in reports/as-of-N/ (unless --out).")
@click.option("--allow-identifying", is_flag=True,
              help="Render even if texts contain names from `stc names list`.")
@click.option("--example", "example", metavar="U7[,U12]",
              help="method: the units of the analysis-example table (default: one per"
                   " category).")
def report(which: str, formats: str | None, out: Path | None, as_of: int | None,
           allow_identifying: bool, example: str | None) -> None:
    """Render the reports: the results chapter, the audit trail, the matrix, and the method
    chapter's material (draft paragraph, analysis-example table, codebook). The same state
    always gives the same bytes; each report names the last change, the trail hash and the
    stc version (in Word and Excel files, in the document properties).

    \b
    Example:
      stc report                      results (md, html, docx), audit, matrix, method
      stc report results --format docx --out ~/thesis
      stc report method --example U7,U12
      stc report audit --as-of 120
    """
    from stc.reports.render import render

    project = open_project_from(click.get_current_context())
    chosen = formats.split(",") if formats else None
    examples = [u for u in (example or "").split(",") if u.strip()] or None
    written = render(project, which, chosen, out, as_of, allow_identifying, examples)
    for path in written:
        click.echo(str(path))


COMMANDS = [report]
