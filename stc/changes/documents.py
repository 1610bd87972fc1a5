"""Changes to transcripts: import, re-import, speaker roles, withdrawal, erasure."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from stc.changes.participants import add_participant
from stc.changes.registry import Payload, change_kind, keys
from stc.phrases import Said, said


def _insert_version(conn: sqlite3.Connection, p: Payload, seq: int, first_segment: int) -> None:
    doc, version = p["doc"], p["version"]
    for pid, name in p.get("participants", []):  # added for this transcript
        add_participant(conn, pid, name)
    turns, participant = (_by_name(conn, p["turns"]) if names_in_clear(p)
                          else (p["turns"], p["participant"]))
    conn.execute(
        "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (doc, participant, p["filename"], kept_suffix(p), p["format"], p["source"],
         p["encoding"], p["text"], p["chars"], version, seq),
    )
    conn.executemany(
        "INSERT INTO turns VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(doc, version, i, *turn) for i, turn in enumerate(turns, start=1)],
    )
    # the labels as the new version has them; a label once mapped keeps its mapping because
    # a version is recorded with the mapping of the labels it shares with the one before
    conn.execute("DELETE FROM speakers WHERE doc = ?", (doc,))
    speakers = {turn[0] or "": (turn[1], turn[2]) for turn in reversed(turns)}
    conn.executemany("INSERT INTO speakers VALUES (?, ?, ?, ?)",
                     [(doc, label, role, who) for label, (role, who) in speakers.items()])
    conn.executemany(
        "INSERT INTO segments VALUES (?,?,?,?,?,?)",
        [(doc, n, version, turn, start, end)
         for n, (turn, start, end) in enumerate(p["segments"], start=first_segment)],
    )


def names_in_clear(p: Payload) -> bool:
    """A payload recorded before participants were objects: the transcript's participant and
    each turn's participant by name, labels and file name in clear."""
    return isinstance(p.get("participant"), str)


def kept_suffix(p: Payload) -> str:
    """The suffix of the original kept under sources/ for a document version ('.docx')."""
    suffix = p.get("suffix")
    return str(suffix) if suffix is not None else Path(p["filename"]).suffix.lower()


def _by_name(conn: sqlite3.Connection, turns: list[list[Any]]
             ) -> tuple[list[list[Any]], int | None]:
    """Turns of a payload from before participants were objects, their participants found by
    name (case-insensitively, as stc always matched them) or added in the order they first
    speak; and the transcript's participant when exactly one speaks."""
    found: dict[str, int] = {}
    out = []
    for turn in turns:
        name = turn[2]
        if name is not None and name.casefold() not in found:
            row = conn.execute("SELECT id FROM participants WHERE name = ? COLLATE NOCASE",
                               (name,)).fetchone()
            if row is None:
                row = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM participants"
                                   ).fetchone()
                add_participant(conn, int(row[0]), name)
            found[name.casefold()] = int(row[0])
        out.append([turn[0], turn[1], None if name is None else found[name.casefold()],
                    *turn[3:]])
    speaking = set(found.values())
    return out, speaking.pop() if len(speaking) == 1 else None


def _added(p: Payload) -> list[int]:
    return [int(pid) for pid, _ in p.get("participants", [])]


def _objects(p: Payload) -> list[str]:
    """The transcript, and the participants added for it."""
    return [*keys("doc", p["doc"]), *keys("participant", *_added(p))]


def _uses(p: Payload) -> list[str]:
    """The participants who were there before and speak in it."""
    if names_in_clear(p):
        return []
    added = set(_added(p))
    return keys("participant", *sorted({t[2] for t in p["turns"]
                                        if t[2] is not None and t[2] not in added}))


def _how(p: Payload) -> dict[str, Said | str]:
    """What an import and a correction both tell: the file's name (when names were kept in
    clear), whether it was pseudonymised, the participants it added."""
    added = [f"P{pid}" for pid in _added(p)]
    return {
        "source": said("document.import", "source", filename=p["filename"])
        if names_in_clear(p) else "",
        "pseudonymised": said("document.import", "pseudonymised") if p.get("pseudonymised")
        else "",
        "participants": said("document.import", "participant" if len(added) == 1
                             else "participants", participants=added) if added else ""}


def _import_summary(p: Payload) -> Said:
    n = len(p["segments"])
    return said("document.import", "imported", doc=p["doc"], **_how(p),
                segments=said("document.import", "segment" if n == 1 else "segments", n=n))


@change_kind(
    "document.import",
    _import_summary,
    refs=lambda p: [p["doc"], *(f"P{pid}" for pid in _added(p))],
    objects=_objects,
    uses=_uses,
    creates=True,
)
def _import(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    _insert_version(conn, p, seq, first_segment=1)


@change_kind(
    "document.erase",
    lambda p: said("document.erase", doc=p["doc"]),
    refs=lambda p: [p["doc"]],
    objects=lambda p: keys("doc", p["doc"]),
    undoable=False,
)
def _erase(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    doc = p["doc"]
    units = [r[0] for r in conn.execute("SELECT id FROM units WHERE doc = ?", (doc,))]
    conn.executemany("DELETE FROM unit_codes WHERE unit = ?", [(u,) for u in units])
    for table, column in (("units", "doc"), ("segments", "doc"), ("turns", "doc"),
                          ("speakers", "doc"), ("documents", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (doc,))
    conn.execute("DELETE FROM attributes WHERE owner_kind = 'doc' AND owner = ?", (doc,))
    refs = [doc, *(f"U{u}" for u in units)]
    conn.executemany("DELETE FROM memos WHERE ref = ? OR ref LIKE ?",
                     [(r, f"{r}:%") for r in refs])
    conn.executemany("DELETE FROM comments WHERE on_key = ?",
                     [(f"doc:{doc}",), *((f"unit:{u}",) for u in units)])
    conn.execute("DELETE FROM withdrawals WHERE doc = ?", (doc,))


@change_kind(
    "document.withdraw",
    lambda p: said("document.withdraw", doc=p["doc"]),
    refs=lambda p: [p["doc"]],
    objects=lambda p: keys("doc", p["doc"]),
)
def _withdraw(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Its participant withdrew from further analysis (stc.consent): no new units on it."""
    conn.execute("INSERT INTO withdrawals VALUES (?, ?)", (p["doc"], seq))


@change_kind(
    "document.replace",
    lambda p: said("document.replace", doc=p["doc"], **_how(p), version=p["version"],
                   segments=f"{p['first_segment']}-{p['first_segment'] + len(p['segments']) - 1}"),
    refs=lambda p: [p["doc"], *(f"P{pid}" for pid in _added(p))],
    objects=_objects,
    uses=_uses,
)
def _replace(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """A corrected version: new turns and new segment numbers after the old ones, which stay
    (with their version) so old references still resolve."""
    _insert_version(conn, p, seq, first_segment=p["first_segment"])
