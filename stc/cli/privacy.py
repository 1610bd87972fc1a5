"""stc erase: remove a transcript and every text taken from it (withdrawn consent)."""

from __future__ import annotations

import click

from stc.cli.common import open_project_from, project_options


@click.command()
@project_options
@click.argument("doc")
@click.option("--why", required=True, help="Reason, kept in the trail (e.g. consent withdrawn).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(doc: str, why: str, yes: bool) -> None:
    """Erase a transcript and every text taken from it, for good.

    Its text, its meaning units, their quotations and memos on them are removed from the
    project, and its original under sources/ is deleted. The trail keeps only hashes, so
    `stc verify` still holds. Condensates and analytic texts you wrote are not changed:
    review them. This cannot be undone.

    \b
    Example:
      stc erase I3 --why "consent withdrawn 2026-03-02" --yes
    """
    from stc.erasure import erase_document

    project = open_project_from(click.get_current_context())
    if not yes:
        click.confirm(f"Erase {doc} and every text taken from it, for good?", abort=True)
    done = erase_document(project, doc, why)
    click.echo(f"Erased {done.doc}: {done.units} units, {done.memos} memos, {done.texts} texts,"
               f" {done.originals} original file(s) (change #{done.seq}).")
    click.echo("Review condensates and analytic texts for words of this participant.")


COMMANDS = [erase]
