"""stc erase (withdrawn consent) and stc pseudonymise (names out before import)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from stc.cli.common import F, open_project_from, project_options, require_terminal
from stc.words import counted

if TYPE_CHECKING:
    from stc.deidentify import Pseudonymiser, Review
    from stc.erasure import Erasure
    from stc.project import Project


@click.command()
@project_options
@click.argument("doc")
@click.option("--why", required=True, help="Reason, kept in the trail (e.g. consent withdrawn).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(doc: str, why: str, yes: bool) -> None:
    """Erase a transcript and every text taken from it, for good, from the project folder.

    Removed: its text in every version, its meaning units (also those undone or moved),
    their quotations, notes and memos, the workbench's unrecorded drafts written beside
    them, in the project's present and in every earlier state
    (`--as-of` shows "[erased]"); the name and attributes of a participant who speaks in no
    other transcript; its originals under sources/; the reports under reports/ and the
    exports in the project folder that hold its words; copies of stc.db kept before upgrades
    that hold it; and what SQLite keeps of deleted rows. The trail keeps hashes that can
    confirm nothing, so `stc verify` still holds. Named for you to handle: condensates,
    analytic texts and memos you wrote with its words, other files in the folder that hold
    them, and exports written elsewhere. Run it again to finish an erasure that was
    interrupted. Refused while another program has the project open. This cannot be undone.

    \b
    Example:
      stc erase I3 --why "consent withdrawn 2026-03-02" --yes
    """
    from stc.erasure import erase_document

    project = open_project_from(click.get_current_context())
    if not yes:
        require_terminal("erase", "erases")
        click.confirm(f"Erase {doc} and every text taken from it, for good?", abort=True)
    echo_erasure(erase_document(project, doc, why))


@click.command()
@project_options
@click.argument("doc")
@click.option("--why", required=True,
              help="Reason, kept in the trail (e.g. consent withdrawn on DATE; the consent"
                   " form lets analyses done be kept).")
def withdraw(doc: str, why: str) -> None:
    """Withdraw a transcript from further analysis, keeping what was done: the choice when
    a participant withdraws and her consent form (or the law: GDPR art. 17(3)(d), the Health
    Research Act) lets data already analysed be kept. Otherwise use `stc erase`.

    No new meaning unit can be made on it; its units coded before stay in their categories
    and in the counts, as the condensates rest on them; the results chapter prints no
    quotation from it and says that material was withdrawn; the audit shows when and why.
    Nothing is deleted. `stc undo` takes a withdrawal back like any command.

    \b
    Example:
      stc withdraw I3 --why "consent withdrawn 2026-03-02; analyses done may be kept"
    """
    from stc.consent import withdraw as withdraw_document

    project = open_project_from(click.get_current_context())
    record = withdraw_document(project, doc, why)
    doc = str(record.payload["doc"])
    click.echo(f"Withdrew {doc} from further analysis (change #{record.seq}). Its units stay in"
               " the analysis and the counts; no new units on it; the results chapter prints"
               f" no quotation from it. Nothing was deleted: `stc erase {doc}` deletes it,"
               " `stc undo` takes the withdrawal back.")


def echo_erasure(done: Erasure) -> None:
    for one in done.erased:
        if one.finished:
            click.echo(f"Finished the erasure of {one.doc} recorded in change #{one.seq}:"
                       f" {counted(one.texts, 'text')} and"
                       f" {counted(one.originals, 'original file')} that were left, removed.")
        else:
            click.echo(f"Erased {one.doc} (change #{one.seq}): {counted(one.units, 'unit')},"
                       f" {counted(one.memos, 'memo')}, {counted(one.texts, 'text')},"
                       f" {counted(one.originals, 'original file')},"
                       f" {counted(one.drafts, 'draft')}.")
        if one.still_held:
            click.echo("  This project's trail, from an earlier stc, still holds (a trail is"
                       " never rewritten; the README says how to start a clean project):")
            for line in one.still_held:
                click.echo(f"    {line}")
    removed = [*(f"{name} (report)" for name in done.reports),
               *(f"{name} (an export)" for name in done.exports_removed),
               *(f"{name} (a copy of stc.db kept before an upgrade)" for name in done.backups)]
    echo_list("Removed from the project folder, as they held its words:", removed)
    click.echo("Deleted rows overwritten and stc.db rewritten (secure delete, VACUUM).")
    if not done.searched:
        click.echo("Its texts were gone already, so the folder could not be searched for its"
                   " words: every report under reports/ was removed; look through your own"
                   " files in the folder.")
    echo_list("Files in the project folder that hold its words, not written by stc: delete or"
              " edit them:", done.others)
    echo_list("Written elsewhere since it was imported (by the trail; delete them, and any"
              " copies you sent on):", [f"{e.at[:16].replace('T', ' ')}  {e.kind}  {e.path}"
                                        f"{'' if e.exists else '  (no longer there)'}"
                                        for e in done.exports])
    echo_list("What you wrote that rests on its units or shares their words; rewrite or"
              " clear it:", [line for one in done.erased for line in one.review])
    where = (f" and the earlier versions {done.sync} keeps of this folder" if done.sync else
             " and earlier versions a sync folder keeps")
    click.echo(f"Copies outside the project folder (backups, packs, exports sent on{where})"
               " are yours to remove.")


def echo_list(heading: str, lines: list[str]) -> None:
    if lines:
        click.echo(heading)
        for line in lines:
            click.echo(f"  {line}")


# -- pseudonymisation ------------------------------------------------------------------------

def key_options(func: F) -> F:
    """The options `stc import --pseudonymise` and `stc pseudonymise` share."""
    for option in reversed([
        click.option("--names", "names_file", metavar="LIST",
                     type=click.Path(path_type=Path, dir_okay=False),
                     help="Names to replace, one a line: `Name = participant|person|place|"
                          "workplace|institution`; kept outside the project."),
        click.option("--full-key", is_flag=True,
                     help="Keep every mapping in the key, so the originals can be restored"
                          " (by default it keeps only which placeholder is which participant)."),
        click.option("--passphrase-file", type=click.Path(path_type=Path, dir_okay=False,
                                                           exists=True),
                     help="Encrypt the key with the passphrase on this file's first line."),
        click.option("--encrypt", is_flag=True,
                     help="Encrypt the key with a passphrase you are asked for."),
    ]):
        func = option(func)
    return func


def passphrase_for(key: Path, passphrase_file: Path | None, encrypt: bool) -> str | None:
    """The key's passphrase: from the file, else asked for when the key is encrypted or
    --encrypt asks for one; None for a key kept in clear."""
    from stc.errors import StcError
    from stc.pseudokey import is_encrypted

    if passphrase_file is not None:
        # utf-8-sig: a byte-order mark from Notepad is not part of the passphrase
        lines = passphrase_file.read_text(encoding="utf-8-sig").splitlines()
        passphrase = lines[0] if lines else ""
    elif is_encrypted(key) or encrypt:
        try:
            passphrase = click.prompt(f"{'Passphrase' if key.exists() else 'New passphrase'}"
                                      f" for {key}", hide_input=True, err=True,
                                      confirmation_prompt=not key.exists())
        except click.Abort:  # no terminal to ask in
            raise StcError("E906", path=str(key)) from None
    else:
        return None
    if not passphrase:
        raise StcError("E911")
    return str(passphrase)


def open_key(key: Path, lang: str, names: Path | None, full_key: bool,
             passphrase_file: Path | None, encrypt: bool, root: Path | None,
             participant: str | None = None) -> Pseudonymiser:
    from stc.deidentify import open_pseudonymiser
    from stc.pseudokey import refuse_inside

    refuse_inside(key, root, "E900")  # before anything is asked
    return open_pseudonymiser(key, lang, names, full_key,
                              passphrase_for(key, passphrase_file, encrypt), root,
                              [participant] if participant else [])


def echo_review(review: Review) -> None:
    click.echo(f"{counted(len(review.added), 'word')} that may be names added to {review.path},"
               " marked ?"
               f" ({review.undecided} to decide). Delete the ? to accept a name, or write -"
               " instead when it is not one; then run again without --review.")


def echo_warnings(lines: list[str], heading: str = "To look at: rare attributes that can"
                  " point to one person (consider generalising) and words that may be names:"
                  ) -> None:
    if lines:
        click.echo(heading)
        for line in lines:
            click.echo(f"  {line}")


@click.command()
@project_options
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--key", "key_file", metavar="KEYFILE", type=click.Path(path_type=Path,
                                                                     dir_okay=False),
              help="The key file, outside the project; made when it does not exist.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the pseudonymised (or restored) copies, as UTF-8 .txt.")
@key_options
@click.option("--review", is_flag=True,
              help="Add the words that may be names to LIST, marked ? to decide.")
@click.option("--check", is_flag=True,
              help="List rare attributes that can point to one person (country, profession,"
                   " age of 90 or more, named diagnosis).")
@click.option("--restore", is_flag=True, help="Restore originals with a full key.")
@click.option("--destroy-key", "destroy", metavar="KEYFILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Overwrite and delete the key; recorded in the project when run in one.")
@click.option("--language", help="Language of the transcripts (default: the project's).")
@click.option("--encoding", help="Text encoding, when detection guesses wrong.")
@click.option("--yes", is_flag=True,
              help="With --destroy-key: do not ask for confirmation in a terminal.")
def pseudonymise(files: tuple[Path, ...], key_file: Path | None, out_dir: Path | None,
                 names_file: Path | None, full_key: bool, passphrase_file: Path | None,
                 encrypt: bool, review: bool, check: bool, restore: bool,
                 destroy: Path | None, language: str | None, encoding: str | None,
                 yes: bool) -> None:
    """Pseudonymise transcripts into copies to read first, review the names, check for rare
    attributes, restore originals with a full key, or destroy the key.

    Names on the list (whole words, as written, with genitive forms: Kari, Karis) become
    numbered placeholders, the same across transcripts and runs with the same key
    ([INFORMANT 1], [PERSON 2], [STED 1]); identity numbers with valid check digits, phone
    numbers, e-mail addresses, URLs and full dates become [FØDSELSNUMMER], [TELEFON], [E-POST],
    [URL], [DATO] (in the project's language). Nothing else is replaced: --review lists the
    words that may be names for you to decide. The copies hold exactly the text that
    `stc import --pseudonymise` would store.

    \b
    Example:
      stc pseudonymise I*.docx --names ~/nokkel/navn.txt --review --language nb
      stc pseudonymise I*.docx --key ~/nokkel/s.key --names ~/nokkel/navn.txt --out kopier
      stc pseudonymise --check I*.docx --language nb
      stc pseudonymise --restore kopier/*.txt --key ~/nokkel/s.key --out originaler
      stc pseudonymise --destroy-key ~/nokkel/s.key
    """
    ctx = click.get_current_context()
    modes = [m for m, on in (("--review", review), ("--check", check), ("--restore", restore),
                             ("--destroy-key", destroy is not None)) if on]
    if len(modes) > 1:
        raise click.UsageError(f"{' and '.join(modes)} are separate tasks; give one at a time")
    project = _project_if_any(ctx)
    root = project.root if project else None
    if destroy is not None:
        _destroy(destroy, project, yes)
        return
    if not files:
        raise click.UsageError("name the transcript files")
    paths = list(files)
    if restore:
        _restore(paths, key_file, out_dir, passphrase_file, root)
        return
    lang = _language(language, project)
    if check:
        from stc.deidentify import check_files

        places = check_files(paths, lang, encoding)
        echo_warnings([f"{p.path.name} turn {p.turn}: {p.found.kind} «{p.found.phrase}»"
                       f"  {p.found.context}" for p in places],
                      "Rare attributes that can point to one person; consider generalising:")
        click.echo(f"{counted(len(places), 'rare attribute')} found in"
                   f" {counted(len(paths), 'file')}.")
        return
    if review:
        from stc.deidentify import review_files

        if names_file is None:
            raise click.UsageError("--review writes its suggestions to --names LIST")
        echo_review(review_files(paths, lang, names_file, root, encoding))
        return
    if key_file is None or out_dir is None:
        raise click.UsageError("give --key KEYFILE and --out DIR (or --review, --check)")
    from stc.deidentify import write_copies

    pseudonymiser = open_key(key_file, lang, names_file, full_key, passphrase_file, encrypt,
                             root)
    for copy in write_copies(paths, pseudonymiser, out_dir, encoding):
        counts = ", ".join(f"{n} {label}" for label, n in copy.replaced.items()) or "nothing"
        click.echo(f"{copy.source.name} -> {copy.target}: replaced {counts}")
    echo_key(pseudonymiser)


def echo_key(pseudonymiser: Pseudonymiser) -> None:
    holds = "every mapping" if pseudonymiser.key.full else "the participant link only"
    click.echo(f"Key {pseudonymiser.key.id} in {pseudonymiser.key_path} holds {holds};"
               " keep it outside the project.")


def _project_if_any(ctx: click.Context) -> Project | None:
    from stc.errors import NotAProject

    try:
        return open_project_from(ctx)
    except NotAProject:
        return None


def _language(language: str | None, project: Project | None) -> str:
    from stc.project import normalise_language

    if language:
        return normalise_language(language)
    if project is None:
        raise click.UsageError("outside a project, give --language (nb, nn, sv, da, en, ...)")
    return project.language


def _destroy(key: Path, project: Project | None, yes: bool) -> None:
    import sys

    from stc.deidentify import destroy as destroy_key

    if not yes and sys.stdin.isatty():  # the option names the act; a script need not confirm
        click.confirm(f"Overwrite and delete {key}? Placeholders can then never be linked to"
                      " people again.", abort=True)
    ident, seq = destroy_key(key, project)
    recorded = f" (change #{seq})" if seq else ""
    click.echo(f"Key {ident} overwritten and deleted{recorded}. Destroy any backup of it too.")


def _restore(paths: list[Path], key: Path | None, out_dir: Path | None,
             passphrase_file: Path | None, root: Path | None) -> None:
    from stc.deidentify import restore_copies

    if key is None or out_dir is None:
        raise click.UsageError("--restore needs --key KEYFILE and --out DIR")
    passphrase = passphrase_for(key, passphrase_file, False)
    for copy in restore_copies(paths, key, out_dir, passphrase, root):
        click.echo(f"{copy.source} -> {copy.target}")


COMMANDS = [erase, withdraw, pseudonymise]
