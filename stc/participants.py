"""Participants: the people whose speech the transcripts hold, as objects (P1, P2, ...).

Every speaker label of every transcript has a role: interviewer, participant or other. A label
with the role participant is mapped to a participant; the interviewer stays a role. One
participant can speak in several transcripts (a focus group member at three meetings, a
follow-up interview) and one transcript can hold several (a focus group).

Names and labels are kept in the erasable text store and referred to by hash; `stored_value`
reads them (in clear in projects made before participants were objects). This module finds a
participant (`P3` or a name), answers who the study's participants are, lists them, and assigns
the labels of a transcript version as it is recorded (`Speakers`: import, correction, exchange,
a second coder's copy). Who speaks in a stretch of a transcript is `stc.units`'s one rule.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stc import naming
from stc.errors import StcError
from stc.refs import number, resolve_doc
from stc.texts import doc_owner, must_text, participant_owner, stored_value

if TYPE_CHECKING:
    from stc.project import Batch, Project
    from stc.trail import Record

REF = re.compile(r"^\s*[Pp]([0-9]+)\s*$")
NO_LABEL = "(no label)"  # how the turns of a transcript without speaker labels are named


def ref(pid: int) -> str:
    """How a participant is written: P3."""
    return f"P{pid}"


def names(conn: sqlite3.Connection) -> dict[int, str]:
    """Every participant's name (pseudonym) by id, in the participants' order."""
    return {int(pid): stored_value(conn, str(name)) for pid, name in conn.execute(
        "SELECT id, name FROM participants ORDER BY position, id")}


def named(conn: sqlite3.Connection, ids: list[int]) -> list[str]:
    """The names of the participants `ids`, in that order."""
    if not ids:
        return []
    every = names(conn)
    return [every.get(pid, ref(pid)) for pid in ids]


def find(conn: sqlite3.Connection, given: str) -> int | None:
    """The participant written `P3` or named so (case-insensitively), or None."""
    m = REF.fullmatch(given)
    if m:
        row = conn.execute("SELECT id FROM participants WHERE id = ?",
                           (number(m.group(1), given, "participant"),))
        found = row.fetchone()
        return None if found is None else int(found[0])
    wanted = naming.key(given.strip())
    return next((pid for pid, name in names(conn).items() if naming.key(name) == wanted), None)


def get(conn: sqlite3.Connection, given: str) -> int:
    pid = find(conn, given)
    if pid is None:
        raise StcError("E800", name=given.strip())
    return pid


def study_participants(conn: sqlite3.Connection) -> list[int]:
    """The study's participants: everyone who speaks in the current version of a
    transcript, in the participants' order."""
    return [int(r[0]) for r in conn.execute(
        # IN, not a correlated EXISTS: the speakers are gathered in one pass over the turns
        "SELECT p.id FROM participants p WHERE p.id IN (SELECT t.participant FROM turns t"
        " JOIN documents d ON d.id = t.doc AND d.version = t.version)"
        " ORDER BY p.position, p.id")]


def group_transcripts(conn: sqlite3.Connection) -> list[str]:
    """The transcripts in which more than one participant speaks: a focus group's meetings."""
    return [str(r[0]) for r in conn.execute(
        "SELECT t.doc FROM turns t JOIN documents d ON d.id = t.doc AND d.version = t.version"
        " WHERE t.participant IS NOT NULL GROUP BY t.doc"
        " HAVING COUNT(DISTINCT t.participant) > 1 ORDER BY t.doc")]


def is_focus_group(conn: sqlite3.Connection) -> bool:
    """A focus-group project: some transcript holds more than one participant."""
    return bool(group_transcripts(conn))


def speaker_labels(conn: sqlite3.Connection, doc: str) -> list[tuple[str, str, str, int | None]]:
    """The speaker labels of a transcript's current version, in the order they first speak:
    (label as stored, label as shown, role, participant)."""
    rows = conn.execute(
        "SELECT t.speaker, MIN(t.turn) FROM turns t JOIN documents d ON d.id = t.doc"
        " AND d.version = t.version WHERE t.doc = ? GROUP BY t.speaker ORDER BY MIN(t.turn)",
        (doc,)).fetchall()
    mapped = {str(r[0]): (str(r[1]), r[2]) for r in conn.execute(
        "SELECT label, role, participant FROM speakers WHERE doc = ?", (doc,))}
    out = []
    for stored, _ in rows:
        key = stored or ""
        role, who = mapped.get(key, ("other", None))
        shown = stored_value(conn, key) if key else NO_LABEL
        out.append((key, shown, role, None if who is None else int(who)))
    return out


# -- who said it --------------------------------------------------------------------------------

# transcript attributes that name a focus group meeting's time point, in the languages stc knows
TIME_KEYS = ("tidspunkt", "tidpunkt", "tid", "time", "timepoint", "time_point", "wave",
             "bølge", "mätpunkt")


def time_point(conn: sqlite3.Connection, doc: str, key: str | None = None) -> str | None:
    """A transcript's time point: its attribute `key`, else the first attribute it has whose
    key names a time point (`tidspunkt`, `time`, ...)."""
    from stc.attributes import attributes_of

    values = attributes_of(conn, "doc").get(doc, {})
    wanted = [key] if key else list(TIME_KEYS)
    by_key = {naming.key(k): v.text for k, v in values.items()}
    return next((by_key[naming.key(k)] for k in wanted if naming.key(k) in by_key), None)


def default_attribution(conn: sqlite3.Connection) -> str:
    """How quotations say who said them unless the settings say otherwise: in a focus-group
    project "one participant", else not at all."""
    return "one-participant" if is_focus_group(conn) else "none"


def attribution(conn: sqlite3.Connection, unit: int, form: str, language: str,
                time_key: str | None = None) -> str | None:
    """Who said a meaning unit's words, in the report language and the form the settings
    choose (stc.phrases.ATTRIBUTIONS): "Kari", "en deltaker", "fokusgruppe, T2"."""
    from stc.phrases import who_said_it
    from stc.units import unit_participants

    doc = conn.execute("SELECT doc FROM units WHERE id = ?", (unit,)).fetchone()
    if doc is None:
        return None
    time = time_point(conn, str(doc[0]), time_key) if "group" in form else None
    return who_said_it(language, form, named(conn, unit_participants(conn, unit)), time)


# -- listing -------------------------------------------------------------------------------------

@dataclass
class ParticipantInfo:
    """One participant as `stc participants` lists it."""

    id: int
    name: str
    transcripts: list[str]
    turns: int
    words: int
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return ref(self.id)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.ref, "name": self.name, "transcripts": self.transcripts,
                "turns": self.turns, "words": self.words, "attributes": self.attributes}


def listing(conn: sqlite3.Connection) -> list[ParticipantInfo]:
    """Every participant with the transcripts they speak in (current versions), their turns
    and words there, and their attributes."""
    from stc.attributes import attributes_of

    infos = {pid: ParticipantInfo(pid, name, [], 0, 0) for pid, name in names(conn).items()}
    texts: dict[str, str] = {}
    for doc, text, who, start, end in conn.execute(
            "SELECT t.doc, d.text, t.participant, t.start, t.end FROM turns t JOIN documents d"
            " ON d.id = t.doc AND d.version = t.version WHERE t.participant IS NOT NULL"
            " ORDER BY t.doc, t.turn"):
        info = infos.get(int(who))
        if info is None:
            continue
        if doc not in texts:
            texts[doc] = must_text(conn, text)
        if doc not in info.transcripts:
            info.transcripts.append(doc)
        info.turns += 1
        info.words += len(texts[doc][start:end].split())
    values = attributes_of(conn, "participant")
    for pid, info in infos.items():
        info.attributes = {key: value.json() for key, value in values.get(str(pid), {}).items()}
    return list(infos.values())


def document_participants(conn: sqlite3.Connection) -> dict[str, list[int]]:
    """The participants who speak in each transcript's current version, in speaking order."""
    out: dict[str, list[int]] = {}
    for doc, who in conn.execute(
            "SELECT t.doc, t.participant FROM turns t JOIN documents d ON d.id = t.doc"
            " AND d.version = t.version WHERE t.participant IS NOT NULL"
            " GROUP BY t.doc, t.participant ORDER BY t.doc, MIN(t.turn)"):
        out.setdefault(str(doc), []).append(int(who))
    return out


# -- recording a transcript version --------------------------------------------------------------

class Speakers:
    """Assigns the speaker labels of transcript versions recorded in one batch: each label's
    participant is found by name or added, and labels are stored by hash. A participant
    added for a transcript travels in that transcript's own record (`participants` of its
    payload), so one import stays one change; one added otherwise is recorded by
    `record_added` as a `participant.add`."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.known = {naming.key(name): pid for pid, name in names(batch.conn).items()}
        self.added: list[int] = []  # every participant added in the batch
        self.pending: list[list[Any]] = []  # [id, name hash] not yet in a record
        self.labels: dict[tuple[str, str], str] = {}  # (doc, label) -> its hash
        # the participants of each label of the focus groups there are (casefolded): a
        # member keeps her participant at the next meeting, also after a rename
        self.members: dict[str, set[int]] = {}
        conn = batch.conn
        for label, pid in conn.execute(
                "SELECT s.label, s.participant FROM speakers s WHERE s.participant IS NOT NULL"
                " AND s.label != '' AND s.doc IN (SELECT t.doc FROM turns t JOIN documents d"
                " ON d.id = t.doc AND d.version = t.version WHERE t.participant IS NOT NULL"
                " GROUP BY t.doc HAVING COUNT(DISTINCT t.participant) > 1)"):
            self.members.setdefault(stored_value(conn, str(label)).casefold(), set()).add(pid)

    def member(self, label: str) -> int:
        """A focus group label's participant: the one the label has at the group's other
        meetings, else the participant of that name (found or added)."""
        held = self.members.get(naming.key(label), set())
        pid = next(iter(held)) if len(held) == 1 else self.participant(label)
        self.members[naming.key(label)] = {pid}
        return pid

    def participant(self, name: str, new: bool = False) -> int:
        """The participant of that name, added when there is none (or when `new`)."""
        name = checked_name(name)
        key = naming.key(name)
        if new or key not in self.known:
            top = self.batch.conn.execute("SELECT COALESCE(MAX(id), 0) FROM participants")
            pid = self.batch.take_number("participant", above=int(top.fetchone()[0]))
            self.pending.append([pid, self.batch.text(name, participant_owner(pid))])
            self.known.setdefault(key, pid)
            self.added.append(pid)
            return pid
        return self.known[key]

    def take_added(self) -> list[list[Any]]:
        """The participants added since the last call, as a payload carries them."""
        taken, self.pending = self.pending, []
        return taken

    def record_added(self) -> None:
        for pid, name in self.take_added():
            self.batch.record("participant.add", {"id": pid, "name": name})

    def label(self, label: str | None, doc: str) -> str | None:
        """A speaker label of transcript `doc` as payloads and the state keep it: its hash."""
        if label is None:
            return None
        if (doc, label) not in self.labels:
            self.labels[doc, label] = self.batch.text(label, doc_owner(doc))
        return self.labels[doc, label]

    def assign(self, payload: dict[str, Any], named: str | None = None,
               kept: dict[str, tuple[str, int | None]] | None = None,
               given: dict[str, str] | None = None) -> dict[str, Any]:
        """The payload of a transcript version as it is recorded: its turns ([label, role,
        participant, start, end, begins, ends], labels in clear and roles given) with labels
        hashed and participants assigned, the transcript's participant, the participants
        added for it, and the file name hashed.

        `named` (`stc import --participant`) names the participant every participant label
        maps to (`P3`, or a name found or added). `kept` holds the mapping of the labels
        (casefolded) of the version before, for a corrected transcript. Otherwise one
        participant label (or the turns of a transcript without labels) maps to the
        participant named by the document id, and several (a focus group) each to the
        participant the label has at the group's other meetings or of the label's name, so
        one member at three meetings is one participant; `given` names the participant of
        some labels (casefolded), as an exchange file's cases do."""
        doc, turns = payload["doc"], payload["turns"]
        speaking = list(dict.fromkeys(t[0] for t in turns if t[1] == "participant"))
        whole = None
        if named:
            whole = get(self.batch.conn, named) if REF.fullmatch(named) else self.participant(named)
        if whole is None and kept is None and len(speaking) == 1:
            whole = self.participant(doc)
        before = {who for _, who in (kept or {}).values() if who is not None}
        out = []
        for label, role, _, *rest in turns:
            who = None
            if kept is not None and label is not None and naming.key(label) in kept:
                role, who = kept[naming.key(label)]
            elif role == "participant" and label and naming.key(label) in (given or {}):
                who = self.participant((given or {})[naming.key(label)])
            elif role == "participant":
                who = whole if whole is not None else (
                    next(iter(before)) if len(before) == 1 else
                    self.member(label) if label else self.participant(doc))
            out.append([self.label(label, doc), role, who, *rest])
        speaking_ids = {t[2] for t in out if t[2] is not None}
        return {**payload, "turns": out,
                "participant": speaking_ids.pop() if len(speaking_ids) == 1 else None,
                "participants": self.take_added(),
                "filename": self.batch.text(payload["filename"], doc_owner(doc))}


def kept_mapping(conn: sqlite3.Connection, doc: str) -> dict[str, tuple[str, int | None]]:
    """The role and participant of each label of a transcript's current version, by the
    label in clear (casefolded): what a corrected version keeps."""
    return {naming.key(shown): (role, who) for stored, shown, role, who in
            speaker_labels(conn, doc) if stored}


def checked_name(name: str) -> str:
    """A participant's name (pseudonym) as it is stored: refused when empty (E801), or when it
    holds what a name cannot (stc.naming)."""
    if not name.strip():
        raise StcError("E801")
    return naming.checked("participant", name)


# -- changes after import ------------------------------------------------------------------------

def rename(project: Project, old: str, new: str, why: str | None = None) -> tuple[Record, int]:
    """Give a participant another name (pseudonym). Every listing, prevalence, report and
    the matrix read names when they are shown, so the new name is everywhere at once."""
    with project.batch(why) as b:
        pid = get(b.conn, old)
        name = checked_name(new)
        if REF.fullmatch(name):
            raise StcError("E803", name=name)
        clash = find(b.conn, name)
        if clash is not None and clash != pid:
            raise StcError("E802", name=name, ref=ref(clash))
        current = names(b.conn)[pid]
        if current == name:
            raise StcError("E804", ref=ref(pid), name=name)
        owner = participant_owner(pid)
        record = b.record("participant.rename", {"id": pid, "old": b.text(current, owner),
                                                 "new": b.text(name, owner)})
    return record, pid


@dataclass
class Mapped:
    """What `stc participant map` changed."""

    doc: str
    label: str
    role: str
    participant: int | None
    added: bool
    seq: int


def map_label(project: Project, doc: str, label: str, target: str,
              why: str | None = None) -> Mapped:
    """Map one speaker label of one transcript to a participant (`P3`, a name, or `new`) or
    to a role (`interviewer`, `other`); every version's turns of that label follow."""
    with project.batch(why) as b:
        doc = resolve_doc(b.conn, doc)
        labels = speaker_labels(b.conn, doc)
        wanted = naming.key(label.strip())
        match = [lab for lab in labels if naming.key(lab[1]) == wanted
                 or (not lab[0] and wanted in ("", NO_LABEL))]
        if not match:
            raise StcError("E805", doc=doc, label=label.strip(),
                           labels=", ".join(lab[1] for lab in labels) or "none")
        stored, shown, role, who = match[0]
        goal = target.strip()
        speakers = Speakers(b)
        if goal.lower() in ("interviewer", "other"):
            new_role, new_who = goal.lower(), None
        elif goal.lower() == "new":
            new_role = "participant"
            taken = find(b.conn, shown) is not None
            new_who = speakers.participant(f"{shown} ({doc})" if taken else shown, new=True)
            speakers.record_added()
        else:
            new_role, new_who = "participant", get(b.conn, goal)
        if (new_role, new_who) == (role, who):
            raise StcError("E806", doc=doc, label=shown,
                           target=ref(who) if who is not None else role)
        record = b.record("participant.map", {"doc": doc, "label": stored, "role": new_role,
                                              "participant": new_who})
    return Mapped(doc, shown, new_role, new_who, bool(speakers.added), record.seq)
