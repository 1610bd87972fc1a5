"""stc import, stc docs, stc show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_options,
    wrap,
)
from stc.cli.privacy import echo_key, echo_review, echo_warnings, key_options, open_key
from stc.errors import StcError
from stc.participants import names as participant_names
from stc.participants import ref as participant_ref
from stc.project import Project
from stc.reading import DocumentInfo, documents, segments
from stc.words import counted

if TYPE_CHECKING:
    from stc.deidentify import Pseudonymiser
    from stc.importing import ImportResult


@click.command(name="import")
@project_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--id", "doc_id", help="Document id (default: the file name without suffix).")
@click.option("--participant",
              help="The participant who speaks in it: a name (found, or added) or P3"
                   " (default: a participant named by the document id; a focus group's"
                   " labels each name a participant).")
@click.option("--encoding", help="Text encoding, when detection guesses wrong (e.g. cp1252).")
@click.option("--speakers", multiple=True, metavar="LABEL=ROLE",
              help="Role of a speaker label: interviewer, participant or other. Repeatable.")
@click.option("--replace", "replace_doc", metavar="DOC",
              help="Bring in FILE as a corrected version of DOC; coded units follow their text.")
@click.option("--why", help="With --replace: why, kept in the trail.")
@click.option("--pseudonymise", "key_file", metavar="KEYFILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Replace names on --names LIST, identity numbers, phone numbers, e-mail"
                   " addresses, URLs and dates before anything is stored; KEYFILE is kept"
                   " outside the project.")
@key_options
@click.option("--review", is_flag=True,
              help="With --pseudonymise: add the words that may be names to LIST, marked ?"
                   " to decide; import nothing.")
@click.option("--no-pseudonymise", "as_is", is_flag=True,
              help="Import as it is, into a project whose transcripts were pseudonymised.")
def import_(files: tuple[Path, ...], doc_id: str | None, participant: str | None,
            encoding: str | None, speakers: tuple[str, ...], replace_doc: str | None,
            why: str | None, key_file: Path | None, names_file: Path | None, full_key: bool,
            passphrase_file: Path | None, encrypt: bool, review: bool, as_is: bool) -> None:
    """Import transcripts (.txt .md .docx .odt .rtf .vtt .srt .pdf), a REFI-QDA .qdpx/.qdc,
    or a Taguette codebook .csv.

    The original is kept byte for byte under sources/. Speaker turns are recognised from labels
    (`Kari:`, `I:<tab>`, `[id1]`, WebVTT `<v Kari>`), and split into numbered sentences.
    Several files are read on every core and recorded in the order given (STC_WORKERS=1 keeps
    the work in one process).

    With --pseudonymise, identifying words are replaced as each file is read, before anything
    is stored, hashed or recorded; sources/ then keeps the pseudonymised text as .txt, and the
    trail records the rules and a hash of the key, never a name. Run with --review first.

    \b
    Example:
      stc import intervju1.docx --id I1 --participant Kari --speakers I=interviewer
      stc import transcripts/*.txt
      stc import intervju2.pdf --participant Ola
      stc import veileder.qdpx
      stc import codebook.csv
      stc import --replace I1 intervju1-korrigert.docx --why "Transcription errors fixed"
      stc import intervjuer/*.docx --pseudonymise ~/nokkel/studie.key --names ~/nokkel/navn.txt
    """
    from stc.importing import import_files

    project = open_project_from(click.get_current_context())
    paths = list(files)
    pseudonymiser = _pseudonymiser(project, paths, key_file, names_file, full_key,
                                   passphrase_file, encrypt, review, encoding, participant)
    if review:
        return
    if replace_doc:
        if doc_id or participant:
            raise click.UsageError("--replace keeps the document's id and participant;"
                                   " leave out --id and --participant")
        _replace(project, replace_doc, paths, encoding, speakers, why, pseudonymiser, as_is)
        return
    if any(p.suffix.lower() in (".qdpx", ".qde", ".qdc", ".csv") for p in paths):  # exchange
        from stc.cli.exchange import import_exchange_file

        if pseudonymiser:
            raise StcError("E915")
        import_exchange_file(project, paths)
        return
    with _Phases() as phases:
        results = import_files(project, paths, doc_id, participant, encoding, speakers,
                               progress=phases, pseudonymiser=pseudonymiser, as_is=as_is)
    named = participant_names(project.conn)
    for r in results:
        if r.identical_to:
            click.echo(f"{r.filename}: identical to document {r.identical_to}, already imported;"
                       " nothing changed.")
            continue
        roles = ", ".join(f"{label}={role}" for label, role in r.speakers.items()) or "none"
        encoding_note = f", {r.encoding}" if r.encoding else ""
        click.echo(f"{r.doc}: {r.filename}{encoding_note}; {counted(r.turns, 'turn')},"
                   f" {counted(r.segments, 'segment')};"
                   f" speakers {roles}  (change #{r.seq})")
        click.echo("  " + _participants_line(r, named))
        if r.replaced:
            click.echo("  " + _replaced_line(r.replaced))
    if pseudonymiser:
        echo_warnings([w for r in results for w in r.warnings])
        echo_key(pseudonymiser)


class _Phases:
    """The progress of an import: a bar for each of its phases (reading and checking,
    splitting into sentences, recording), labelled with it."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: Any = None

    def __enter__(self) -> _Phases:
        return self

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.__exit__()
            self.phase = phase
            self.bar = click.progressbar(length=total, label=phase.capitalize(), file=None,
                                         show_pos=True)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _replaced_line(replaced: dict[str, int]) -> str:
    """Which characters no file can hold were replaced (by \ufffd, line breaks of other
    kinds by a line break)."""
    from stc.naming import describe

    shown = ", ".join(f"{count} × {describe(chr(int(code[2:], 16)))}"
                      for code, count in replaced.items())
    return f"replaced by \ufffd or a line break, as no report or export could hold them: {shown}"


def _participants_line(r: ImportResult, named: dict[int, str]) -> str:
    """Who the import said speaks in the transcript, and how to name them otherwise."""
    if not r.participants:
        return "no participant speaks in it (label roles: stc participant map)"
    people = ", ".join(f"{named[p]} ({participant_ref(p)}{', new' if p in r.added else ''})"
                       for p in r.participants)
    word = "participant" if len(r.participants) == 1 else "participants"
    if r.named or len(r.participants) > 1:
        return f"{word} {people}"
    return (f"{word} {people}; name it with --participant or"
            f" `stc participant rename {participant_ref(r.participants[0])} NAME`")


def _pseudonymiser(project: Project, paths: list[Path], key: Path | None, names: Path | None,
                   full_key: bool, passphrase_file: Path | None, encrypt: bool, review: bool,
                   encoding: str | None, participant: str | None) -> Pseudonymiser | None:
    """The run's pseudonymiser, or with --review the names list updated instead."""
    if key is None:
        if names or full_key or passphrase_file or encrypt or review:
            raise click.UsageError("--names, --full-key, --passphrase-file, --encrypt and"
                                   " --review go with --pseudonymise KEYFILE")
        return None
    if review:
        from stc.deidentify import review_files

        if names is None:
            raise click.UsageError("--review writes its suggestions to --names LIST")
        echo_review(review_files(paths, project.language, names, project.root, encoding))
        return None
    return open_key(key, project.language, names, full_key, passphrase_file, encrypt,
                    project.root, participant)


def _replace(project: Project, doc: str, paths: list[Path], encoding: str | None,
             speakers: tuple[str, ...], why: str | None, pseudonymiser: Pseudonymiser | None,
             as_is: bool) -> None:
    from stc.replace import replace_document

    if len(paths) != 1:
        raise click.UsageError("--replace takes exactly one FILE")
    r = replace_document(project, doc, paths[0], encoding, list(speakers), why, pseudonymiser,
                         as_is)
    first, last = r.segments
    click.echo(f"{r.doc}: version {r.version}, segments {first}-{last};"
               f" {counted(len(r.moved), 'unit')} followed their text, {len(r.review)} to review"
               f"  (change #{r.seq})")
    for line in r.moved:
        click.echo(f"  moved   {line}")
    for line in r.review:
        click.echo(f"  review  {line}")


@click.command()
@project_options
@json_option
def docs(as_json: bool) -> None:
    """List the transcripts.

    \b
    Example:
      stc docs --json
    """
    project = open_project_from(click.get_current_context())
    infos = documents(project.conn)
    if as_json:
        print_json([vars(i) for i in infos])
        return
    if not infos:
        click.echo("No transcripts yet. Next: stc import FILE...")
        return
    id_width = max(len(i.id) for i in infos)  # long file-stem ids keep the columns aligned
    shown = {i.id: _who(i) for i in infos}
    who_width = min(40, max(len(w) for w in shown.values()))
    for i in infos:
        speakers = ", ".join(f"{s} ({r})" for s, r in i.speakers.items()) or "no labels"
        version = f" v{i.version}" if i.version > 1 else ""
        values = "".join(f"  {k}={v}" for k, v in i.attributes.items())
        click.echo(f"{i.id:<{id_width}}  {shown[i.id]:<{who_width}}"
                   f" {counted(i.segments, 'segment'):>14} {counted(i.words, 'word'):>13}"
                   f"  {i.filename}{version}  {speakers}{values}")


def _who(info: DocumentInfo) -> str:
    """A transcript's participants as `stc docs` shows them: Kari (P1), or for a focus group
    the number and ids."""
    names = info.names
    if len(names) == 1:
        return f"{names[0]} ({info.participants[0]})"
    if not names:
        return "(no participant)"
    return f"{len(names)} participants ({', '.join(info.participants)})"


@click.command()
@project_options
@click.argument("ref")
@json_option
def show(ref: str, as_json: bool) -> None:
    """Read a transcript with segment numbers and speaker labels.

    \b
    Example:
      stc show I1          the whole transcript
      stc show I1:12-20    segments 12 to 20
    """
    project = open_project_from(click.get_current_context())
    rng, views = segments(project.conn, ref)
    if as_json:
        print_json({"ref": str(rng), "segments": [v.as_json() for v in views]})
        return
    turn = None
    for v in views:
        if v.turn != turn:
            turn = v.turn
            label = v.speaker or "(no speaker)"
            time = f"  {v.begins}" if v.begins else ""
            click.echo(f"\n{label} [{v.role}]{time}")
        numbered = wrap(v.text, 7)
        click.echo(f"{v.n:>5}  " + numbered[7:])


COMMANDS = [import_, docs, show]
