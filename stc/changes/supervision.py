"""Changes of supervision: a supervisor's comments on the analysis, and their resolution."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.phrases import said


@change_kind(
    "comment.add",
    lambda p: said("comment.add", comment=f"C{p['id']}", ref=p["ref"]),
    refs=lambda p: [f"C{p['id']}", p["ref"]],
    objects=lambda p: keys("comment", p["id"]),
    uses=lambda p: [p["on"]] if p.get("on") else [],
    creates=True,
)
def _comment_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: id, ref (as written), on (object key), part, body (hash in `texts`)."""
    conn.execute("INSERT INTO comments (id, ref, on_key, part, body, seq) VALUES (?,?,?,?,?,?)",
                 (p["id"], p["ref"], p.get("on"), p.get("part"), p["body"], seq))


@change_kind(
    "comment.resolve",
    lambda p: said("comment.resolve", comment=f"C{p['id']}"),
    refs=lambda p: [f"C{p['id']}"],
    objects=lambda p: keys("comment", p["id"]),
)
def _comment_resolve(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: id, note (hash in `texts`, or None)."""
    conn.execute("UPDATE comments SET resolved = ?, resolution = ? WHERE id = ?",
                 (seq, p.get("note"), p["id"]))
