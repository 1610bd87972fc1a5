"""Changes to the project itself: creation, settings, identifying names, the key."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.phrases import Said, Word, said


@change_kind("project.init",
             lambda p: said("project.init", title=p["title"], language=p["language"]),
             objects=lambda p: ["project"], creates=True)
def _init(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    for key in ("title", "language", "question"):
        if p.get(key) is not None:
            conn.execute("INSERT OR REPLACE INTO project VALUES (?, ?)", (key, p[key]))


@change_kind("project.set", lambda p: said("project.set", "set", key=p["key"], value=p["value"])
             if p["value"] is not None else said("project.set", "default", key=p["key"]),
             objects=lambda p: keys("setting", p["key"]))
def _set(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: key, value (None: the setting goes back to its default)."""
    if p["value"] is None:
        conn.execute("DELETE FROM project WHERE key = ?", (p["key"],))
    else:
        conn.execute("INSERT OR REPLACE INTO project VALUES (?, ?)", (p["key"], p["value"]))


@change_kind("names.add", lambda p: said("names.add", name=p["name"][:8]),
             objects=lambda p: keys("name", p["name"]))
def _names_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute("INSERT OR IGNORE INTO identifying_names VALUES (?)", (p["name"],))


@change_kind("names.drop", lambda p: said("names.drop", name=p["name"][:8]),
             objects=lambda p: keys("name", p["name"]))
def _names_drop(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute("DELETE FROM identifying_names WHERE name = ?", (p["name"],))


@change_kind("key.destroyed", lambda p: said("key.destroyed", key=p["key"]),
             mark=True)
def _key_destroyed(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Only a record: the key lives outside the project, and once destroyed it is gone."""


@change_kind("seal", lambda p: said("seal", seq=p["seq"], hash=p["hash"][:16], key=p["key"]),
             objects=lambda p: ["seal"], mark=True)
def _seal(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Only a record: the seal is a signed file kept by the supervisor (stc.sealing)."""


def _export_summary(p: Payload) -> Said:
    files = len(p["files"])
    return said("export", "file" if files == 1 else "files", kind=Word(p["kind"]), files=files,
                state=p["state"])


@change_kind("export", _export_summary, objects=lambda p: ["export"], mark=True)
def _export(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Only a record: files written outside the trail that may quote the transcripts (a
    REFI-QDA project, a matrix, reports elsewhere, a pack, a backup), so that an erasure can
    name them. Payload: kind, files (hashes of their full paths in the text store), state
    (the change whose state they show)."""


@change_kind("reason", lambda p: said("reason", seq=p["seq"]),
             objects=lambda p: [f"change:{p['seq']}"], mark=True)
def _reason(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Only a record: the reason (this record's `why`) for an earlier change that had none."""
