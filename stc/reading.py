"""Read-only views of transcripts: the document list and the reading view with segment numbers.

Everything here is plain SQL over the store: no spaCy, no pandas, so `stc docs` and `stc show`
start fast.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from stc.refs import SegmentRange, check_segment_range
from stc.texts import must_text


@dataclass
class DocumentInfo:
    """One transcript as `stc docs` lists it."""

    id: str
    participant: str
    filename: str
    format: str
    encoding: str | None
    version: int
    turns: int
    segments: int
    words: int
    speakers: dict[str, str]


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
    out = []
    for row in conn.execute(
        "SELECT id, participant, filename, format, encoding, version, text FROM documents"
        " ORDER BY id"
    ):
        doc, version = row["id"], row["version"]
        turns = conn.execute(
            "SELECT speaker, role, start, end FROM turns WHERE doc = ? AND version = ?"
            " ORDER BY turn", (doc, version)).fetchall()
        segments = conn.execute("SELECT COUNT(*) FROM segments WHERE doc = ? AND version = ?",
                                (doc, version)).fetchone()[0]
        text = must_text(conn, row["text"])
        words = sum(len(text[t["start"]:t["end"]].split()) for t in turns)
        speakers = {t["speaker"]: t["role"] for t in turns if t["speaker"]}
        out.append(DocumentInfo(doc, row["participant"], row["filename"], row["format"],
                                row["encoding"], version, len(turns), int(segments), words,
                                speakers))
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
    views = [SegmentView(r["n"], r["turn"], r["speaker"], r["role"],
                         text[r["start"]:r["end"]] if text != "[erased]" else text, r["begins"],
                         r["ends"])
             for r in rows]
    return rng, views
