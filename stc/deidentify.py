"""De-identifying transcripts with a names list and a key, before they enter a project.

`open_pseudonymiser` prepares a run: it reads the names list and the key (both refused inside
the project folder), numbers the listed names through the key and gives the `Rules` the engine
(`stc.pseudonymise`) applies. `stc import --pseudonymise` hands it to `stc.importing`, which
pseudonymises each transcript right after reading it, before anything is stored, hashed or
recorded. The rest serves `stc pseudonymise`: pseudonymised copies to read first, the review
list of words that may be names, the quasi-identifier check, restoring originals with a full
key, and destroying the key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from stc.errors import StcError
from stc.formats.speakers import INTERVIEWER_LABEL
from stc.pseudokey import (
    Key,
    destroy_key,
    new_key,
    number_names,
    read_key,
    refuse_inside,
    write_key,
)
from stc.pseudonymise import (
    Candidate,
    Entry,
    Named,
    NamesList,
    QuasiIdentifier,
    Rules,
    entry_line,
    find_candidates,
    find_quasi_identifiers,
    parse_names_list,
    pseudonymise_name,
    pseudonymise_turns,
    restore_text,
    safe_name,
    squeeze,
)
from stc.words import counted

if TYPE_CHECKING:
    from stc.project import Project


@dataclass
class Pseudonymiser:
    """One run's rules, with the key they were numbered from and where it is kept."""

    key_path: Path
    key: Key
    passphrase: str | None
    rules: Rules

    def stamp(self) -> dict[str, Any]:
        """What the trail records with each pseudonymised transcript: the key's id, a hash of
        its whole mapping, whether it is a full key, and the rules in counts and kinds."""
        return {"key": self.key.id, "mapping": self.key.mapping_hash(),
                "full_key": self.key.full, "rules": self.rules.summary()}

    def save(self) -> None:
        write_key(self.key_path, self.key, self.passphrase)

    def keep(self, texts: Iterable[tuple[str, list[tuple[str, str]]]]) -> dict[str, Any]:
        """Write the key before any transcript is recorded (with a full key, what each text's
        placeholders replaced, by the text's hash); the stamp to record with each."""
        for digest, pairs in texts:
            self.key.remember(digest, pairs)
        self.save()
        return self.stamp()


def read_names(path: Path, project_root: Path | None = None) -> NamesList:
    refuse_inside(path, project_root, "E901")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StcError("E101", path=str(path)) from None
    except UnicodeDecodeError:
        raise StcError("E902", path=str(path)) from None
    return parse_names_list(text, str(path))


def open_pseudonymiser(key_path: Path, lang: str, names_path: Path | None = None,
                       full: bool = False, passphrase: str | None = None,
                       project_root: Path | None = None, participants: Sequence[str] = ()
                       ) -> Pseudonymiser:
    """Read the names list and the key (a new key when the file does not exist yet) and
    number the names; `participants` (as `--participant` names them) count as listed. Refuses
    a key or list inside the project, a list with lines still to decide, and `full` with a
    key made without it."""
    refuse_inside(key_path, project_root, "E900")
    names = read_names(names_path, project_root) if names_path else NamesList([], [], [])
    if names.undecided:
        raise StcError("E904", path=str(names_path), count=counted(len(names.undecided), "line"))
    if key_path.exists():
        key = read_key(key_path, passphrase)
        if full and not key.full:
            raise StcError("E909", path=str(key_path))
    else:
        key = new_key(full)
    listed = names.accepted + [Entry((squeeze(p),), "participant") for p in participants if p]
    rules = Rules(lang, number_names(key, listed),
                  not_names=tuple(squeeze(r).casefold() for r in names.rejected))
    return Pseudonymiser(key_path, key, passphrase, rules)


def refuse_unpseudonymised(conn: sqlite3.Connection, pseudonymiser: Pseudonymiser | None,
                           as_is: bool) -> None:
    """A project holding pseudonymised transcripts takes others only when asked to: a
    forgotten --pseudonymise would let every name of the next transcript in."""
    if pseudonymiser is None and not as_is and conn.execute(
            "SELECT 1 FROM trail WHERE kind IN ('document.import', 'document.replace')"
            " AND json_extract(payload, '$.pseudonymised') IS NOT NULL LIMIT 1").fetchone():
        raise StcError("E910")


def pseudonymised_names(doc: str, participant: str | None, path: Path, rules: Rules
                        ) -> tuple[str, str | None, str]:
    """A document's id, participant and file name with the names in them replaced (in any
    case: file names are often lower case) and made plain: `kari.docx` -> `INFORMANT1`,
    `INFORMANT1.txt` (sources/ keeps the pseudonymised text)."""
    doc = safe_name(pseudonymise_name(doc, rules))
    participant = participant and pseudonymise_name(participant, rules)
    return doc, participant, stored_filename(path, rules)


def stored_filename(path: Path, rules: Rules) -> str:
    return safe_name(pseudonymise_name(path.stem, rules)) + ".txt"


def labels_for(speakers: Iterable[str], rules: Rules | None) -> list[str]:
    """`--speakers Kari=interviewer` names a label as the transcript writes it: the label is
    pseudonymised the same way, so it still finds its turns."""
    if rules is None:
        return list(speakers)
    return [pseudonymise_name(label, rules) + sep + role
            for label, sep, role in (pair.rpartition("=") for pair in speakers)]


# -- copies to read first, and restoring them ------------------------------------------------

class Copy(NamedTuple):
    source: Path
    target: Path
    replaced: dict[str, int]  # placeholder label -> how many


def write_copies(paths: Sequence[Path], pseudonymiser: Pseudonymiser, out_dir: Path,
                 encoding: str | None = None) -> list[Copy]:
    """Pseudonymised copies of transcripts as UTF-8 .txt files in `out_dir`, the text exactly
    as `stc import --pseudonymise` would store it. The key is written before the copies."""
    from stc.importing import read_for_import
    from stc.pseudonymise import replacement_counts
    from stc.texts import text_hash

    targets = [out_dir / stored_filename(p, pseudonymiser.rules) for p in paths]
    _refuse_clashes(paths, targets)
    texts = []
    for path in paths:
        _, data, pairs = read_for_import(path, encoding, pseudonymiser.rules)
        text = data.decode("utf-8")
        pseudonymiser.key.remember(text_hash(text.removesuffix("\n")), pairs)
        texts.append((text, replacement_counts(pairs)))
    pseudonymiser.save()
    out_dir.mkdir(parents=True, exist_ok=True)
    copies = []
    for path, target, (text, counts) in zip(paths, targets, texts, strict=True):
        target.write_text(text, encoding="utf-8")
        copies.append(Copy(path, target, counts))
    return copies


def _refuse_clashes(paths: Sequence[Path], targets: Sequence[Path]) -> None:
    seen: dict[Path, Path] = {}
    for path, target in zip(paths, targets, strict=True):
        if target in seen:
            raise StcError("E916", first=str(seen[target]), second=str(path), target=str(target))
        seen[target] = path


def restore_copies(paths: Sequence[Path], key_path: Path, out_dir: Path,
                   passphrase: str | None = None, project_root: Path | None = None
                   ) -> list[Copy]:
    """The originals back from pseudonymised .txt files (copies, or the project's sources/),
    with a full key; never into the project folder."""
    from stc.texts import text_hash

    refuse_inside(out_dir, project_root, "E917")
    key = read_key(key_path, passphrase)
    if not key.full:
        raise StcError("E912", path=str(key_path))
    restored = []
    for path in paths:
        text = path.read_text(encoding="utf-8").removesuffix("\n")
        pairs = key.texts.get(text_hash(text))
        if pairs is None:
            raise StcError("E914", path=str(path), key=str(key_path))
        restored.append((path, restore_text(text, [(p, o) for p, o in pairs])))
    out_dir.mkdir(parents=True, exist_ok=True)
    copies = []
    for path, text in restored:
        target = out_dir / path.name
        target.write_text(text + "\n", encoding="utf-8")
        copies.append(Copy(path, target, {}))
    return copies


# -- review and checks -----------------------------------------------------------------------

LIST_HEADER = """\
# Names to pseudonymise, one a line: Name = participant | person | place | workplace | institution
# (person when left out). Other spellings of the same name after |: Kari Hansen | Kari = participant
# Lines starting with ? are suggestions: delete the ? to accept one, or write - instead of ? when
# it is not a name (it is then not suggested again). Text after # is a comment.
"""


class Review(NamedTuple):
    path: Path
    added: list[Candidate]
    undecided: int  # lines marked ? in the list now


def review_files(paths: Sequence[Path], lang: str, names_path: Path,
                 project_root: Path | None = None, encoding: str | None = None) -> Review:
    """Add the words that may be names to the names list, each on a line marked `?` for the
    user to accept or reject; the list is made when it does not exist."""
    from stc.formats import read_transcript

    exists = names_path.exists()
    names = read_names(names_path, project_root) if exists else NamesList([], [], [])
    refuse_inside(names_path, project_root, "E901")
    rules = Rules(lang, tuple(Named(e.forms, e.category, 0) for e in names.accepted))
    texts: list[str] = []
    labels: set[str] = set()
    for path in paths:
        transcript, _ = read_transcript(path, encoding)
        turns, _ = pseudonymise_turns(transcript.turns, rules)
        texts += [t.text for t in turns]
        labels |= {t.speaker for t in turns if t.speaker and not INTERVIEWER_LABEL.match(t.speaker)}
    found = [c for c in find_candidates(texts, lang, names.known(), sorted(labels))
             if not set(c.phrase) & set("=|#")]
    lines = [f"{entry_line(Entry((c.phrase,), c.category), '?')}    # {c.why}, {c.times}×:"
             f" {c.context}"
             for c in found]
    if lines or not exists:
        old = names_path.read_text(encoding="utf-8-sig") if exists else LIST_HEADER
        new = old + ("" if old.endswith("\n") or not old else "\n") + "".join(
            line + "\n" for line in lines)
        names_path.write_text(new, encoding="utf-8")
    return Review(names_path, found, len(names.undecided) + len(found))


class Place(NamedTuple):
    """A quasi-identifier in a file: which turn, and what."""

    path: Path
    turn: int
    found: QuasiIdentifier


def check_files(paths: Iterable[Path], lang: str, encoding: str | None = None) -> list[Place]:
    """Rare attributes in the transcripts that can point to one person, with the turn each is
    in: warnings to consider generalising (a country, a profession, an age of 90 or more, a
    named diagnosis)."""
    from stc.formats import read_transcript

    places = []
    for path in paths:
        transcript, _ = read_transcript(path, encoding)
        for number, turn in enumerate(transcript.turns, start=1):
            places += [Place(path, number, q) for q in find_quasi_identifiers(turn.text, lang)]
    return places


def import_warnings(text: str, segments: list[list[int]], labels: Iterable[str], doc: str,
                    rules: Rules) -> list[str]:
    """What a user should look at after a pseudonymised import: quasi-identifiers, each with
    its segment (`I1:14 country «England»`), and the words that may be names but were not on
    the list, so were left as they are."""
    out = []
    for q in find_quasi_identifiers(text, rules.lang):
        number = next((n for n, (_, start, end) in enumerate(segments, start=1)
                       if start <= q.start < end), None)
        where = f"{doc}:{number}" if number else doc
        out.append(f"{where} {q.kind} «{q.phrase}»")
    speakers = [x for x in labels if not INTERVIEWER_LABEL.match(x)]
    maybe = find_candidates([text], rules.lang, rules.not_names, speakers)
    if maybe:
        out.append(f"{doc}: may be names, not on the list, left as they are:"
                   f" {', '.join(c.phrase for c in maybe)} (decide with --review)")
    return out


# -- destroying the key ----------------------------------------------------------------------

def destroy(key_path: Path, project: Project | None = None, why: str | None = None
            ) -> tuple[str, int | None]:
    """Overwrite and delete the key; inside a project, record that it was destroyed (in the
    same transaction: if the key cannot be destroyed, nothing is recorded)."""
    if project is None:
        return destroy_key(key_path), None
    from stc.pseudokey import key_id

    with project.batch(why) as batch:
        record = batch.record("key.destroyed", {"key": key_id(key_path)})
        ident = destroy_key(key_path)
    return ident, record.seq
