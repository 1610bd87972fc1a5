"""Erasing a transcript when a participant withdraws consent.

The erasure empties the text store of everything taken from the transcript (its text in every
version, its units' texts, context and quotations, memos written on it or its units) and deletes
the originals under sources/. The trail keeps only hashes of those texts, so `stc verify` still
proves the chain; the erasure itself is recorded (`document.erase`) and cannot be undone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from stc.project import Project, source_name
from stc.refs import resolve_doc


@dataclass
class Erasure:
    """What `stc erase` removed from a withdrawn participant's transcript, and its change."""

    doc: str
    texts: int
    units: int
    memos: int
    originals: int
    seq: int


def _hashes_of(conn: sqlite3.Connection, doc: str) -> tuple[set[str], int, int]:
    """Text hashes taken from the document, and how many units and memos hold them."""
    hashes: set[str] = set()
    for (text,) in conn.execute(
        "SELECT payload ->> '$.text' FROM trail WHERE kind IN ('document.import',"
        " 'document.replace') AND payload ->> '$.doc' = ?", (doc,)
    ):
        hashes.add(str(text))
    units = conn.execute(
        "SELECT id, text, before, after, nugget FROM units WHERE doc = ?", (doc,)).fetchall()
    for row in units:
        hashes.update(str(h) for h in tuple(row)[1:] if h)
    refs = [doc, *(f"U{row['id']}" for row in units)]
    memos = conn.execute(
        f"SELECT body FROM memos WHERE ref IN ({','.join('?' * len(refs))})"
        f" OR ref LIKE ?", (*refs, f"{doc}:%")).fetchall()
    hashes.update(str(m[0]) for m in memos)
    return hashes, len(units), len(memos)


def _still_used_elsewhere(conn: sqlite3.Connection, doc: str) -> set[str]:
    """Hashes other documents' units still need (identical text in two transcripts)."""
    used: set[str] = set()
    for row in conn.execute("SELECT text, before, after, nugget FROM units WHERE doc != ?",
                            (doc,)):
        used.update(str(h) for h in tuple(row) if h)
    used.update(str(r[0]) for r in conn.execute("SELECT text FROM documents WHERE id != ?",
                                                 (doc,)))
    return used


def erase_document(project: Project, doc: str, why: str) -> Erasure:
    conn = project.conn
    with project.batch(why) as batch:
        doc = resolve_doc(conn, doc)
        hashes, units, memos = _hashes_of(conn, doc)
        hashes -= _still_used_elsewhere(conn, doc)
        originals = [
            project.sources_dir / source_name(doc, str(r[0]), str(r[1]))
            for r in conn.execute(
                "SELECT payload ->> '$.filename', payload ->> '$.source' FROM trail"
                " WHERE kind IN ('document.import', 'document.replace')"
                " AND payload ->> '$.doc' = ?", (doc,))
        ]
        conn.executemany("DELETE FROM texts WHERE hash = ?", [(h,) for h in sorted(hashes)])
        record = batch.record("document.erase", {"doc": doc})
    # the originals go once the erasure is committed; a crash here leaves files that
    # `stc erase` removes when run again (it finds the document gone and the files named)
    for path in originals:
        path.unlink(missing_ok=True)
    return Erasure(doc, len(hashes), units, memos, len(originals), record.seq)
