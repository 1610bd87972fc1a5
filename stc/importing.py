"""Bringing transcripts into a project: read, find turns and roles, split sentences, record.

An import is all or nothing, however many files it names: every file is read and checked
first, then read again and split into sentences, and only then is the whole import recorded,
in one transaction (one `document.import` change per file, and the originals under sources/).
A failure anywhere leaves the project as it was. Reading and splitting run on every core
(stc.parallel); what is split waits in an unnamed temporary file until it is recorded, so only
a few transcripts are in memory at a time and memory does not grow with the number of files.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from stc.errors import BadInput, StcError
from stc.formats import read_transcript
from stc.formats.model import RawTurn, Transcript
from stc.formats.speakers import INTERVIEWER_LABEL
from stc.naming import key
from stc.parallel import mapped, worker_count
from stc.project import Batch, Project
from stc.texts import doc_owner, text_hash

if TYPE_CHECKING:
    from stc.deidentify import Pseudonymiser
    from stc.pseudonymise import Rules

ROLES = ("interviewer", "participant", "other")
DOC_ID = re.compile(r"[\w][\w.-]{0,39}")  # matched in full (fullmatch): no line break after
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass
class ImportResult:
    """What importing one transcript recorded, or why nothing changed."""

    doc: str
    filename: str
    encoding: str | None
    turns: int = 0
    segments: int = 0
    speakers: dict[str, str] = field(default_factory=dict)  # label -> role
    identical_to: str | None = None  # set when the file was imported before: nothing changed
    seq: int | None = None
    participants: list[int] = field(default_factory=list)  # who speaks in it
    added: list[int] = field(default_factory=list)  # the participants this import added
    named: bool = False  # --participant named its participant
    warnings: list[str] = field(default_factory=list)  # what to look at, when pseudonymised
    replaced: dict[str, int] = field(default_factory=dict)  # characters no file can hold


@dataclass
class _Prepared:
    """A file that passed the checks; its content is read again when it is recorded."""

    path: Path
    doc: str
    source: str  # sha256 of the bytes that were checked
    participant: str | None
    result: ImportResult
    filename: str  # as recorded: the file's name, or with pseudonymisation the .txt kept


def checked_doc_id(doc: str) -> str:
    """A document id as it is stored (NFC), refused unless the whole of it is letters, digits,
    '-', '_' and '.' (no line break at its end either), at most 40."""
    doc = unicodedata.normalize("NFC", doc)
    if not DOC_ID.fullmatch(doc):
        raise StcError("E208", doc=doc)
    return doc


def parse_speaker_roles(pairs: Iterable[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for pair in pairs:
        label, sep, role = pair.rpartition("=")
        if not sep or not label.strip() or role.strip().lower() not in ROLES:
            raise StcError("E205", value=pair)
        roles[label.strip().casefold()] = role.strip().lower()
    return roles


def role_of(label: str | None, given: dict[str, str], labelled_doc: bool) -> str:
    if label is None:
        return "other" if labelled_doc else "participant"
    if label.casefold() in given:
        return given[label.casefold()]
    return "interviewer" if INTERVIEWER_LABEL.match(label) else "participant"


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def build_document(turns: list[RawTurn]) -> tuple[str, list[tuple[int, int]]]:
    """The normalised document text (`Speaker: text` paragraphs) and each turn's span of
    spoken text in it, label excluded."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for turn in turns:
        prefix = f"{turn.speaker}: " if turn.speaker else ""
        body = _tidy(turn.text)
        start = offset + len(prefix)
        spans.append((start, start + len(body)))
        parts.append(prefix + body)
        offset += len(prefix) + len(body) + 2  # the "\n\n" between turns
    return "\n\n".join(parts), spans


def segment_document(text: str, spans: list[tuple[int, int]], nlp: Any
                     ) -> list[tuple[int, int, int]]:
    """(turn, start, end) per sentence, in reading order; turns numbered from 1. A paragraph
    longer than the pipeline takes (`nlp.max_length`) is split in pieces it takes."""
    from stc.language import pieces as within_limit

    pieces: list[tuple[int, int, str]] = []  # turn, offset of the piece, paragraph text
    for number, (start, end) in enumerate(spans, start=1):
        cursor = start
        for paragraph in text[start:end].split("\n"):
            pieces += [(number, cursor + offset, piece)
                       for offset, piece in within_limit(paragraph, nlp.max_length)]
            cursor += len(paragraph) + 1
    segments: list[tuple[int, int, int]] = []
    docs = nlp.pipe((p for _, _, p in pieces), batch_size=256)
    for (turn, offset, paragraph), doc in zip(pieces, docs, strict=True):
        for start, end in _openers_moved(paragraph, [(s.start_char, s.end_char)
                                                     for s in doc.sents]):
            raw = paragraph[start:end]
            lead = len(raw) - len(raw.lstrip())
            stripped = raw.strip()
            if stripped:
                begin = offset + start + lead
                segments.append((turn, begin, begin + len(stripped)))
    return segments


_OPENERS = "([{«“‘„"


def _openers_moved(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence bounds with an opening bracket or quotation mark that the sentencizer left at
    the end of a sentence moved to the start of the next (`Slutt. «Hei», sa han.`, and the
    placeholders of pseudonymisation: `[PERSON 1] kom.`)."""
    moved = list(bounds)
    for i in range(len(moved) - 1):
        start, end = moved[i]
        cut = len(text[start:end].rstrip()) + start
        while cut > start and text[cut - 1] in _OPENERS:
            cut -= 1
        if cut > start and cut < end and text[start:cut].strip():
            moved[i] = (start, cut)
            moved[i + 1] = (cut, moved[i + 1][1])
    return moved


def read_for_import(path: Path, encoding: str | None, rules: Rules | None = None
                    ) -> tuple[Transcript, bytes, list[tuple[str, str]]]:
    """A transcript as it enters the project, and the bytes kept of it under sources/. With
    pseudonymisation `rules`, the turns are pseudonymised right after reading, before
    anything else sees them; the bytes kept are then the pseudonymised text as UTF-8, and the
    pairs say what each placeholder replaced (for a full key)."""
    transcript, data = read_transcript(path, encoding)
    if rules is None:
        return transcript, data, []
    from stc.pseudonymise import pseudonymise_turns

    turns, pairs = pseudonymise_turns(transcript.turns, rules)
    transcript = Transcript(turns, transcript.encoding, transcript.notes, transcript.replaced)
    return transcript, (build_document(turns)[0] + "\n").encode("utf-8"), pairs


class _FileCheck(NamedTuple):
    """What reading a file for the checks found: the hash of the bytes kept, the encoding,
    and with pseudonymisation the hash of the text and what each placeholder replaced."""

    source: str
    encoding: str | None
    text: str = ""
    pairs: tuple[tuple[str, str], ...] = ()


def _check_file(path: Path, encoding: str | None, rules: Rules | None = None) -> _FileCheck:
    """Read a file as a transcript, as importing it will; raise if it cannot be imported."""
    transcript, data, pairs = read_for_import(path, encoding, rules)
    text = build_document(transcript.turns)[0]
    if not text.strip():
        raise BadInput("E112", path=str(path))
    digest = text_hash(text) if rules else ""
    return _FileCheck(hashlib.sha256(data).hexdigest(), transcript.encoding, digest,
                      tuple(pairs))


def _prepare(project: Project, path: Path, check: _FileCheck, doc: str | None,
             participant: str | None, taken: set[str], rules: Rules | None = None
             ) -> _Prepared:
    doc_id, filename = doc or path.stem, path.name
    if rules is not None:  # names in the id, the participant, the file name are replaced too
        from stc.deidentify import pseudonymised_names

        doc_id, participant, filename = pseudonymised_names(doc_id, participant, path, rules)
    doc_id = checked_doc_id(doc_id)
    result = ImportResult(doc_id, filename, check.encoding)
    row = project.conn.execute("SELECT id FROM documents WHERE source = ?",
                               (check.source,)).fetchone()
    if row:
        result.identical_to = str(row[0])
    elif key(doc_id) in taken:
        raise StcError("E201", doc=doc_id)
    taken.add(key(doc_id))
    return _Prepared(path, doc_id, check.source, participant, result, filename)


def _payload(prep: _Prepared, transcript: Transcript, roles: dict[str, str], nlp: Any,
             text: str, spans: list[tuple[int, int]]) -> dict[str, Any]:
    """The `document.import` payload as read, its turns still with their labels in clear and
    no participants, and no hash of its text: `_record` assigns the participants
    (stc.participants.Speakers) and hashes the text with the transcript's salt when it
    records."""
    turns = transcript.turns
    labelled = any(t.speaker for t in turns)
    segments = segment_document(text, spans, nlp)
    return {
        "doc": prep.doc, "version": 1, "participant": None,
        "filename": prep.filename, "suffix": Path(prep.filename).suffix.lower(),
        "format": prep.path.suffix.lower().lstrip("."),
        "source": prep.source, "encoding": transcript.encoding,
        "text": "", "chars": len(text),
        "turns": [[t.speaker, role_of(t.speaker, roles, labelled), None, start, end, t.begins,
                   t.ends] for t, (start, end) in zip(turns, spans, strict=True)],
        "segments": [list(s) for s in segments],
        **({"replaced_characters": transcript.replaced} if transcript.replaced else {}),
    }


# What `import_files` tells as it goes: the phase and how many of its items are done.
PHASES = ("checking", "splitting into sentences", "recording")
Progress = Callable[[str, int, int], None]  # phase, done, of


def import_files(
    project: Project,
    paths: list[Path],
    doc: str | None = None,
    participant: str | None = None,
    encoding: str | None = None,
    speakers: Iterable[str] = (),
    progress: Progress | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    as_is: bool = False,
) -> list[ImportResult]:
    """Import transcripts, all or none: each becomes a change of its own, and all of them are
    recorded in one transaction once every file was read, checked and split into sentences (on
    every core the machine offers, see stc.parallel). `progress` hears of each file as each
    phase (`PHASES`) is done with it. With a `pseudonymiser` each is pseudonymised as it is
    read (see stc.deidentify); a project that holds pseudonymised transcripts takes others only
    `as_is`."""
    from stc.language import sentence_pipeline

    if (doc or participant) and len(paths) > 1:
        raise StcError("E207")
    from stc.deidentify import labels_for, refuse_unpseudonymised

    tell = progress or (lambda phase, done, total: None)
    refuse_unpseudonymised(project.conn, pseudonymiser, as_is)
    rules = pseudonymiser.rules if pseudonymiser else None
    roles = parse_speaker_roles(labels_for(speakers, rules))
    workers = worker_count(len(paths))
    taken = {key(str(r[0])) for r in project.conn.execute("SELECT id FROM documents")}
    checks = []
    for check in mapped(partial(_check_file, encoding=encoding, rules=rules), paths, workers):
        checks.append(check)
        tell(PHASES[0], len(checks), len(paths))
    prepared = [_prepare(project, path, check, doc, participant, taken, rules)
                for path, check in zip(paths, checks, strict=True)]
    new = [prep for prep in prepared if prep.result.identical_to is None]
    stamp = pseudonymiser.keep([(c.text, list(c.pairs)) for c in checks]) if pseudonymiser else None
    pipeline = project.pipeline
    sentence_pipeline(project.language, pipeline)  # loaded once, before the workers fork
    analyse = partial(_analyse, roles=roles, encoding=encoding, lang=project.language,
                      pipeline=pipeline, rules=rules, stamp=stamp)
    with tempfile.TemporaryFile() as file:
        spool = _Spool(file)
        for analysis in mapped(analyse, new, workers):
            spool.put(analysis)
            tell(PHASES[1], spool.count, len(new))
        with project.batch() as batch:
            ids = {key(str(r[0])) for r in batch.conn.execute("SELECT id FROM documents")}
            for done, (prep, analysis) in enumerate(zip(new, spool, strict=True), start=1):
                _record(batch, prep, analysis, ids)
                tell(PHASES[2], done, len(new))
    return [prep.result for prep in prepared]


class _Spool:
    """Analyses kept in an unnamed temporary file (gone with the process, however it ends)
    between splitting and recording, read back one at a time in the order they were put."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.count = 0

    def put(self, analysis: _Analysis) -> None:
        pickle.dump(analysis, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[_Analysis]:
        self.file.seek(0)
        for _ in range(self.count):
            analysis: _Analysis = pickle.load(self.file)  # what this process wrote just now
            yield analysis


class _Analysis(NamedTuple):
    """A transcript read again and split into sentences, ready to record."""

    payload: dict[str, Any]
    text: str
    data: bytes  # the bytes kept under sources/
    warnings: list[str]


def _analyse(prep: _Prepared, roles: dict[str, str], encoding: str | None, lang: str,
             pipeline: str | None, rules: Rules | None = None,
             stamp: dict[str, Any] | None = None) -> _Analysis:
    from stc.language import sentence_pipeline

    transcript, data, pairs = read_for_import(prep.path, encoding, rules)
    if hashlib.sha256(data).hexdigest() != prep.source:
        raise BadInput("E115", path=str(prep.path))
    text, spans = build_document(transcript.turns)
    nlp = sentence_pipeline(lang, pipeline)
    payload = _payload(prep, transcript, roles, nlp, text, spans)
    warnings: list[str] = []
    if stamp is not None and rules is not None:
        from stc.deidentify import import_warnings
        from stc.pseudonymise import replacement_counts

        payload["pseudonymised"] = {**stamp, "replaced": replacement_counts(pairs)}
        labels = {t.speaker for t in transcript.turns if t.speaker}
        warnings = import_warnings(text, payload["segments"], labels, prep.doc, rules)
    return _Analysis(payload, text, data, warnings)


def _record(batch: Batch, prep: _Prepared, analysis: _Analysis, ids: set[str]) -> None:
    # sentences were split before the write lock is taken, so other processes wait less
    from stc.participants import Speakers

    payload = analysis.payload
    result = prep.result
    result.turns, result.segments = len(payload["turns"]), len(payload["segments"])
    result.speakers = {turn[0]: turn[1] for turn in payload["turns"] if turn[0]}
    result.warnings = analysis.warnings
    result.replaced = payload.get("replaced_characters", {})
    if _imported_meanwhile(batch.project, prep, ids):
        return
    ids.add(key(prep.doc))
    batch.keep_original((prep.doc, prep.filename, prep.source, analysis.data))
    speakers = Speakers(batch)
    payload = speakers.assign(payload, prep.participant)
    payload["text"] = batch.text(analysis.text, doc_owner(payload["doc"]))
    result.seq = batch.record("document.import", payload).seq
    result.participants = list(dict.fromkeys(t[2] for t in payload["turns"]
                                             if t[2] is not None))
    result.added, result.named = speakers.added, bool(prep.participant)


def _imported_meanwhile(project: Project, prep: _Prepared, ids: set[str]) -> bool:
    """Checked again under the write lock: another `stc` process may have imported the same
    file, or taken the id, since the files were read. True when nothing is left to do."""
    row = project.conn.execute("SELECT id FROM documents WHERE source = ?",
                               (prep.source,)).fetchone()
    if row:
        prep.result.identical_to = str(row[0])
        return True
    if key(prep.doc) in ids:  # the ids as the write lock found them, and those recorded since
        raise StcError("E201", doc=prep.doc)
    return False
