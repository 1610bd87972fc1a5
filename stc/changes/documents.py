"""Changes to transcripts: import, re-import, speaker roles, erasure."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys


def _insert_version(conn: sqlite3.Connection, p: Payload, seq: int, first_segment: int) -> None:
    doc, version = p["doc"], p["version"]
    conn.execute(
        "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
        (doc, p["participant"], p["filename"], p["format"], p["source"], p["encoding"],
         p["text"], p["chars"], version, seq),
    )
    conn.executemany(
        "INSERT INTO turns VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(doc, version, i, *turn) for i, turn in enumerate(p["turns"], start=1)],
    )
    conn.executemany(
        "INSERT INTO segments VALUES (?,?,?,?,?,?)",
        [(doc, n, version, turn, start, end)
         for n, (turn, start, end) in enumerate(p["segments"], start=first_segment)],
    )


@change_kind(
    "document.import",
    lambda p: (f"imported {p['doc']} from {p['filename']} ({len(p['segments'])} segments"
               f"{', pseudonymised' if p.get('pseudonymised') else ''})"),
    refs=lambda p: [p["doc"]],
    objects=lambda p: keys("doc", p["doc"]),
    creates=True,
)
def _import(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    _insert_version(conn, p, seq, first_segment=1)


@change_kind(
    "document.erase",
    lambda p: f"erased {p['doc']} and every text taken from it",
    refs=lambda p: [p["doc"]],
    objects=lambda p: keys("doc", p["doc"]),
    undoable=False,
)
def _erase(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    doc = p["doc"]
    units = [r[0] for r in conn.execute("SELECT id FROM units WHERE doc = ?", (doc,))]
    conn.executemany("DELETE FROM unit_codes WHERE unit = ?", [(u,) for u in units])
    for table, column in (("units", "doc"), ("segments", "doc"), ("turns", "doc"),
                          ("documents", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (doc,))
    refs = [doc, *(f"U{u}" for u in units)]
    conn.executemany("DELETE FROM memos WHERE ref = ? OR ref LIKE ?",
                     [(r, f"{r}:%") for r in refs])


@change_kind(
    "document.replace",
    lambda p: (f"corrected {p['doc']} from {p['filename']} (version {p['version']}, segments"
               f" {p['first_segment']}-{p['first_segment'] + len(p['segments']) - 1}"
               f"{', pseudonymised' if p.get('pseudonymised') else ''})"),
    refs=lambda p: [p["doc"]],
    objects=lambda p: keys("doc", p["doc"]),
)
def _replace(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """A corrected version: new turns and new segment numbers after the old ones, which stay
    (with their version) so old references still resolve."""
    _insert_version(conn, p, seq, first_segment=p["first_segment"])
