"""Bringing in a corrected transcript under coded units (`stc import --replace DOC FILE`).

The new version gets new segment numbers, after the old ones, so an old reference in the trail
never points at other text. Every unit of the document is looked for in the new text: a unit
whose text is unchanged follows it to its new place (its context picks between repeated
occurrences); a unit whose text changed keeps its old place and is flagged for review. Nothing
is moved or dropped silently: each move and each flag is a recorded change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stc.errors import BadInput, StcError
from stc.importing import (
    build_document,
    parse_speaker_roles,
    read_for_import,
    role_of,
    segment_document,
)
from stc.participants import Speakers, kept_mapping
from stc.project import Batch, Project
from stc.quotes import Haystack, normalise_quote
from stc.refs import resolve_doc
from stc.texts import doc_owner, get_text, text_hash
from stc.units import Places, load_doc, place_fields, unit_context

if TYPE_CHECKING:
    from stc.deidentify import Pseudonymiser


@dataclass
class ReplaceResult:
    """What `stc import --replace` did to a transcript and the units on it."""

    doc: str
    version: int
    segments: tuple[int, int]  # the new version's first and last segment number
    moved: list[str] = field(default_factory=list)  # "U3 I1:12 -> I1:190"
    review: list[str] = field(default_factory=list)  # units flagged, with why
    seq: int | None = None


@dataclass
class _Unit:
    """A meaning unit on the old version of a transcript, to be placed on the new one."""

    id: int
    start: int
    end: int
    text: str
    before: str
    after: str
    ref: str


def _units(project: Project, doc: str) -> list[_Unit]:
    conn = project.conn
    places = Places(conn)
    out = []
    for uid, version, start, end, text, before, after in conn.execute(
            "SELECT id, version, start, end, text, before, after FROM units WHERE doc = ?"
            " ORDER BY id", (doc,)).fetchall():
        spoken = places.unit_text(doc, version, start, end, text)  # labels left out
        out.append(_Unit(uid, start, end, "" if get_text(conn, text) is None else spoken,
                         get_text(conn, before) or "", get_text(conn, after) or "",
                         places.ref(doc, version, start, end)))
    return out


def _score(text: str, start: int, end: int, unit: _Unit) -> float:
    """How closely the text around a candidate place matches the unit's remembered context."""
    from difflib import SequenceMatcher

    before, after = (normalise_quote(t) for t in unit_context(text, start, end))
    want_before, want_after = normalise_quote(unit.before), normalise_quote(unit.after)
    return (SequenceMatcher(None, want_before, before).ratio()
            + SequenceMatcher(None, want_after, after).ratio())


def relocate(text: str, unit: _Unit, hay: Haystack) -> tuple[int, int] | str:
    """The unit's place in the new text, or why it needs review."""
    if not unit.text.strip():
        return "its text was erased"
    found = hay.find(unit.text)
    if not found:
        return "its text changed in the corrected transcript"
    if len(found) == 1:
        return found[0]
    scored = sorted(((_score(text, s, e, unit), (s, e)) for s, e in found), reverse=True)
    if scored[0][0] > scored[1][0] + 0.1:
        return scored[0][1]
    return f"its text occurs {len(found)} times in the corrected transcript"


def replace_document(project: Project, doc: str, path: Path, encoding: str | None = None,
                     speakers: list[str] | None = None, why: str | None = None,
                     pseudonymiser: Pseudonymiser | None = None, as_is: bool = False
                     ) -> ReplaceResult:
    from stc.deidentify import labels_for, refuse_unpseudonymised, stored_filename
    from stc.language import sentence_pipeline
    from stc.pseudonymise import replacement_counts

    conn = project.conn
    doc = resolve_doc(conn, doc)
    version, current_source = conn.execute(
        "SELECT version, source FROM documents WHERE id = ?", (doc,)).fetchone()
    refuse_unpseudonymised(conn, pseudonymiser, as_is)
    rules = pseudonymiser.rules if pseudonymiser else None
    transcript, data, pairs = read_for_import(path, encoding, rules)
    source = hashlib.sha256(data).hexdigest()
    if source == current_source:
        raise StcError("E419", path=str(path), doc=doc)
    kept = kept_mapping(conn, doc)  # the labels keep their roles and participants
    given = parse_speaker_roles(labels_for(speakers or [], rules))
    roles = {**{label: role for label, (role, _) in kept.items()}, **given}
    for label in given:  # a role given again on the command line is the one that holds
        kept.pop(label, None)
    text, spans = build_document(transcript.turns)
    if not text.strip():
        raise BadInput("E112", path=str(path))
    filename = stored_filename(path, rules) if rules else path.name
    nlp = sentence_pipeline(project.language, project.pipeline)
    first = int(conn.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM segments WHERE doc = ?",
                             (doc,)).fetchone()[0])
    labelled = any(t.speaker for t in transcript.turns)
    payload = {
        "doc": doc, "version": version + 1, "first_segment": first, "participant": None,
        "filename": filename, "suffix": Path(filename).suffix.lower(),
        "format": path.suffix.lower().lstrip("."), "source": source,
        "previous_source": current_source, "encoding": transcript.encoding,
        "text": "", "chars": len(text),  # its hash, with the transcript's salt, when recorded
        "turns": [[t.speaker, role_of(t.speaker, roles, labelled), None, start, end, t.begins,
                   t.ends] for t, (start, end) in zip(transcript.turns, spans, strict=True)],
        "segments": [list(s) for s in segment_document(text, spans, nlp)],
    }
    if pseudonymiser is not None:
        stamp = pseudonymiser.keep([(text_hash(text), pairs)])
        payload["pseudonymised"] = {**stamp, "replaced": replacement_counts(pairs)}
    result = ReplaceResult(doc, version + 1, (first, first + len(payload["segments"]) - 1))
    units = _units(project, doc)
    # the corrected original is kept beside the earlier versions
    with project.batch(why) as b:
        b.keep_original((doc, filename, source, data))
        payload = Speakers(b).assign(payload, kept=kept)
        payload["text"] = b.text(text, doc_owner(doc))
        b.record("document.replace", payload)
        _follow(b, doc, text, units, result)
        result.seq = b.recorded[-1].seq
    return result


def _follow(b: Batch, doc: str, text: str, units: list[_Unit], result: ReplaceResult) -> None:
    """Record where each unit went, or that it needs review."""
    new = load_doc(b.conn, doc)
    hay = new.haystack()  # the speech: a unit across turns is found across them
    for unit in units:
        place = relocate(text, unit, hay)
        if isinstance(place, str):
            reason = f"{place} (version {result.version}); it still points at {unit.ref}"
            b.record("unit.set", {"id": unit.id, "review": reason})
            result.review.append(f"U{unit.id} {unit.ref}: {place}")
            continue
        start, end = place
        fields = place_fields(b.conn, new, start, end)
        b.record("unit.set", {"id": unit.id, "review": None, **{
            k: fields[k] for k in ("version", "start", "end", "text", "before", "after")}})
        result.moved.append(f"U{unit.id} {unit.ref} -> {new.ref(start, end)}")
