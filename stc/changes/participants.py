"""Changes to participants and attributes: a participant added or renamed, a speaker label
mapped to a participant (or a role), an attribute of a participant or a transcript set.

Names, labels and attribute values travel as hashes into the erasable text store, so the
trail holds none of them in clear; the summaries name participants by id (`P3`) for that
reason.
"""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.participants import ref
from stc.phrases import Said, Word, said


def participant_ref(pid: int | None) -> str:
    return ref(pid) if pid is not None else ""


@change_kind("participant.add",
             lambda p: said("participant.add", participant=participant_ref(p["id"])),
             refs=lambda p: [participant_ref(p["id"])],
             objects=lambda p: keys("participant", p["id"]), creates=True)
def _add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: id, name (hash)."""
    add_participant(conn, p["id"], p["name"])


def add_participant(conn: sqlite3.Connection, pid: int, name: str) -> None:
    position = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM participants")
    conn.execute("INSERT INTO participants VALUES (?, ?, ?)", (pid, name, position.fetchone()[0]))


@change_kind("participant.rename",
             lambda p: said("participant.rename", participant=participant_ref(p["id"])),
             refs=lambda p: [participant_ref(p["id"])],
             objects=lambda p: keys("participant", p["id"]))
def _rename(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: id, old and new (hashes of the names)."""
    conn.execute("UPDATE participants SET name = ? WHERE id = ?", (p["new"], p["id"]))


def _map_summary(p: Payload) -> Said:
    target = participant_ref(p["participant"]) if p["role"] == "participant" else Word(p["role"])
    return said("participant.map", doc=p["doc"], target=target)


@change_kind("participant.map", _map_summary,
             refs=lambda p: [p["doc"], participant_ref(p.get("participant"))],
             objects=lambda p: keys("doc", p["doc"]),
             uses=lambda p: keys("participant", p.get("participant")))
def _map(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: doc, label (hash; '' for turns without a label), role, participant (id, with
    the role participant). Every version's turns of that label follow."""
    doc, label, role = p["doc"], p["label"], p["role"]
    who = p.get("participant") if role == "participant" else None
    conn.execute("INSERT OR REPLACE INTO speakers VALUES (?, ?, ?, ?)", (doc, label, role, who))
    if label:
        conn.execute("UPDATE turns SET role = ?, participant = ? WHERE doc = ? AND speaker = ?",
                     (role, who, doc, label))
    else:
        conn.execute("UPDATE turns SET role = ?, participant = ? WHERE doc = ?"
                     " AND speaker IS NULL", (role, who, doc))
    settle_document_participant(conn, doc)


def settle_document_participant(conn: sqlite3.Connection, doc: str) -> None:
    """A transcript's participant is the one participant who speaks in its current version;
    with none or several (a focus group) it has none."""
    rows = conn.execute(
        "SELECT DISTINCT t.participant FROM turns t JOIN documents d ON d.id = t.doc"
        " AND d.version = t.version WHERE t.doc = ? AND t.participant IS NOT NULL",
        (doc,)).fetchall()
    conn.execute("UPDATE documents SET participant = ? WHERE id = ?",
                 (rows[0][0] if len(rows) == 1 else None, doc))


def _attribute_summary(p: Payload) -> Said:
    owner = participant_ref(p["owner"]) if p["owner_kind"] == "participant" else p["owner"]
    return said("attribute.set", "set" if p.get("value") is not None else "cleared",
                owner=owner, key=p["key"])


@change_kind("attribute.set", _attribute_summary,
             refs=lambda p: [participant_ref(p["owner"]) if p["owner_kind"] == "participant"
                             else str(p["owner"]), p["key"]],
             objects=lambda p: keys(p["owner_kind"], p["owner"]))
def _attribute_set(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: owner_kind (participant or doc), owner (id), key, value (hash; None removes
    it), type (number, date or category)."""
    if p["owner_kind"] not in ("participant", "doc"):
        raise ValueError(p["owner_kind"])
    owner = str(p["owner"])
    conn.execute("DELETE FROM attributes WHERE owner_kind = ? AND owner = ? AND key = ?",
                 (p["owner_kind"], owner, p["key"]))
    if p.get("value") is not None:
        conn.execute("INSERT INTO attributes VALUES (?, ?, ?, ?, ?)",
                     (p["owner_kind"], owner, p["key"], p["value"], p["type"]))
