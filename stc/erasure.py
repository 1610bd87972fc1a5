"""Erasing a transcript when a participant withdraws consent.

The erasure empties the text store of everything taken from the transcript (its text in every
version, its units' texts, context and quotations, memos written on it or its units), removes
the workbench's unrecorded drafts written beside it (`stc.drafts`) and deletes the originals under
sources/. The trail keeps only hashes of those texts, so `stc verify` still
proves the chain; the erasure itself is recorded (`document.erase`) and cannot be undone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from stc import drafts
from stc.changes.documents import kept_suffix, names_in_clear
from stc.errors import StcError
from stc.project import Project, source_name
from stc.refs import resolve_doc
from stc.trail import load_payload


@dataclass
class Erasure:
    """What `stc erase` removed from a withdrawn participant's transcript, and its change."""

    doc: str
    texts: int
    units: int
    memos: int
    originals: int
    seq: int
    drafts: int = 0  # the workbench's unrecorded drafts written beside it


def _versions(conn: sqlite3.Connection, doc: str) -> list[dict[str, Any]]:
    """The payloads of every version of the document the trail recorded."""
    return [load_payload(r[0]) for r in conn.execute(
        "SELECT payload FROM trail WHERE kind IN ('document.import', 'document.replace')"
        " AND payload ->> '$.doc' = ?", (doc,))]


def _hashes_of(conn: sqlite3.Connection, doc: str) -> tuple[set[str], int, int]:
    """Text hashes taken from the document (its text, file name and speaker labels in every
    version), and how many units and memos hold them."""
    hashes: set[str] = set()
    for payload in _versions(conn, doc):
        hashes.add(str(payload["text"]))
        if not names_in_clear(payload):
            hashes.add(str(payload["filename"]))
            hashes.update(str(t[0]) for t in payload["turns"] if t[0])
    units = conn.execute(
        "SELECT id, text, before, after, nugget FROM units WHERE doc = ?", (doc,)).fetchall()
    for row in units:
        hashes.update(str(h) for h in tuple(row)[1:] if h)
    refs = [doc, *(f"U{row['id']}" for row in units)]
    memos = conn.execute(
        f"SELECT body FROM memos WHERE ref IN ({','.join('?' * len(refs))})"
        f" OR ref LIKE ?", (*refs, f"{doc}:%")).fetchall()
    hashes.update(str(m[0]) for m in memos)
    keys = [f"doc:{doc}", *(f"unit:{row['id']}" for row in units)]
    for body, resolution in conn.execute(
            f"SELECT body, resolution FROM comments WHERE on_key IN"
            f" ({','.join('?' * len(keys))})", keys):
        hashes.update(str(h) for h in (body, resolution) if h)
    return hashes, len(units), len(memos)


def _still_used_elsewhere(conn: sqlite3.Connection, doc: str,
                          gone: frozenset[int] = frozenset()) -> set[str]:
    """Hashes other documents' units still need (identical text in two transcripts), and
    the names, labels and values of those not `gone`."""
    used: set[str] = set()
    for row in conn.execute("SELECT text, before, after, nugget FROM units WHERE doc != ?",
                            (doc,)):
        used.update(str(h) for h in tuple(row) if h)
    used.update(str(r[0]) for r in conn.execute("SELECT text FROM documents WHERE id != ?",
                                                 (doc,)))
    # a label, a name or a value may be the same text as one of another transcript
    used.update(str(r[0]) for r in conn.execute(
        "SELECT speaker FROM turns WHERE doc != ? AND speaker IS NOT NULL UNION"
        " SELECT filename FROM documents WHERE id != ?", (doc, doc)))
    for pid, name in conn.execute("SELECT id, name FROM participants"):
        if pid not in gone:
            used.add(str(name))
    for kind, owner, value in conn.execute("SELECT owner_kind, owner, value FROM attributes"):
        if not (kind == "participant" and int(owner) in gone) and \
                not (kind == "doc" and owner == doc):
            used.add(str(value))
    return used


def _person_hashes(conn: sqlite3.Connection, gone: frozenset[int]) -> set[str]:
    """The names and attribute values of participants who no longer speak anywhere."""
    hashes: set[str] = set()
    for pid in gone:
        hashes.update(str(r[0]) for r in conn.execute(
            "SELECT name FROM participants WHERE id = ? UNION SELECT value FROM attributes"
            " WHERE owner_kind = 'participant' AND owner = ?", (pid, str(pid))))
    return hashes


def erase_document(project: Project, doc: str, why: str) -> Erasure:
    if not why.strip():  # an erasure cannot be undone: the trail says why it was made
        raise StcError("E332")
    conn = project.conn
    with project.batch(why) as batch:
        doc = resolve_doc(conn, doc)
        hashes, units, memos = _hashes_of(conn, doc)
        hashes.update(str(r[0]) for r in conn.execute(
            "SELECT value FROM attributes WHERE owner_kind = 'doc' AND owner = ?", (doc,)))
        speaking = {int(r[0]) for r in conn.execute(
            "SELECT DISTINCT participant FROM turns WHERE doc = ? AND participant IS NOT NULL",
            (doc,))}
        originals = [
            project.sources_dir / source_name(doc, kept_suffix(payload), payload["source"])
            for payload in _versions(conn, doc)
        ]
        drafted = drafts.erase(conn, doc)
        record = batch.record("document.erase", {"doc": doc})
        # a participant who speaks in no transcript now loses name and attributes too
        gone = frozenset(pid for pid in speaking if conn.execute(
            "SELECT 1 FROM turns WHERE participant = ?", (pid,)).fetchone() is None)
        hashes |= _person_hashes(conn, gone)
        for pid in sorted(gone):  # her attributes go with her name: recorded as removed
            for key, kind in conn.execute("SELECT key, type FROM attributes WHERE owner_kind"
                                          " = 'participant' AND owner = ?", (str(pid),)).fetchall():
                batch.record("attribute.set", {"owner_kind": "participant", "owner": pid,
                                               "key": key, "value": None, "type": kind})
        hashes -= _still_used_elsewhere(conn, doc, gone)
        conn.executemany("DELETE FROM texts WHERE hash = ?", [(h,) for h in sorted(hashes)])
    # the originals go once the erasure is committed; a crash here leaves files that
    # `stc erase` removes when run again (it finds the document gone and the files named)
    for path in originals:
        path.unlink(missing_ok=True)
    return Erasure(doc, len(hashes), units, memos, len(originals), record.seq, drafted)
