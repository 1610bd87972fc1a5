"""Read-only views of transcripts: the document list and the reading view with segment numbers.

Everything here is plain SQL over the store: no spaCy, no pandas, so `stc docs` and `stc show`
start fast.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from stc.refs import SegmentRange, check_segment_range
from stc.texts import ERASED, must_text, stored_value


@dataclass
class DocumentInfo:
    """One transcript as `stc docs` lists it."""

    id: str
    participant: str  # the names of the participants who speak in it, joined
    filename: str
    format: str
    encoding: str | None
    version: int
    turns: int
    segments: int
    words: int
    speakers: dict[str, str]  # label -> role
    participants: list[str]  # P3, ... in the order they first speak
    names: list[str]  # their names, in that order
    attributes: dict[str, Any]


@dataclass
class SegmentView:
    """One numbered segment of a transcript, as `stc show` prints it."""

    n: int
    turn: int
    speaker: str | None
    role: str
    text: str
    begins: str | None
    ends: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def documents(conn: sqlite3.Connection) -> list[DocumentInfo]:
    from stc.attributes import attributes_of
    from stc.participants import document_participants, names, ref, speaker_labels

    who = names(conn)
    speaking = document_participants(conn)
    values = attributes_of(conn, "doc")
    out = []
    for row in conn.execute(
        "SELECT id, filename, format, encoding, version, text FROM documents ORDER BY id"
    ):
        doc, version = row["id"], row["version"]
        turns = conn.execute(
            "SELECT start, end FROM turns WHERE doc = ? AND version = ? ORDER BY turn",
            (doc, version)).fetchall()
        segments = conn.execute("SELECT COUNT(*) FROM segments WHERE doc = ? AND version = ?",
                                (doc, version)).fetchone()[0]
        text = must_text(conn, row["text"])
        words = sum(len(text[t["start"]:t["end"]].split()) for t in turns)
        speakers = {shown: role for stored, shown, role, _ in speaker_labels(conn, doc) if stored}
        people = speaking.get(doc, [])
        out.append(DocumentInfo(
            doc, ", ".join(who[p] for p in people), stored_value(conn, row["filename"]),
            row["format"], row["encoding"], version, len(turns), int(segments), words,
            speakers, [ref(p) for p in people], [who[p] for p in people],
            {k: v.json() for k, v in values.get(doc, {}).items()}))
    return out


def segments(conn: sqlite3.Connection, ref: str) -> tuple[SegmentRange, list[SegmentView]]:
    rng = check_segment_range(conn, ref)
    doc_row = conn.execute("SELECT text FROM documents WHERE id = ?", (rng.doc,)).fetchone()
    text = must_text(conn, doc_row["text"])
    rows = conn.execute(
        "SELECT s.n, s.turn, s.start, s.end, t.speaker, t.role, t.begins, t.ends FROM segments s"
        " JOIN documents d ON d.id = s.doc AND d.version = s.version"
        " JOIN turns t ON t.doc = s.doc AND t.version = s.version AND t.turn = s.turn"
        " WHERE s.doc = ? AND s.n BETWEEN ? AND ? ORDER BY s.n",
        (rng.doc, rng.first, rng.last),
    ).fetchall()
    labels = {label: stored_value(conn, label) for label in {r["speaker"] for r in rows} if label}
    views = [SegmentView(r["n"], r["turn"], labels.get(r["speaker"]), r["role"],
                         text[r["start"]:r["end"]] if text != ERASED else text, r["begins"],
                         r["ends"])
             for r in rows]
    return rng, views
