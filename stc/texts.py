"""The erasable text store.

Trail payloads never hold transcript text or free text; they hold `text_hash(body)`. The body lives
in the `texts` table, so withdrawing a participant's consent can delete it without breaking the
hash chain of the trail.
"""

from __future__ import annotations

import sqlite3


def text_hash(body: str) -> str:
    from hashlib import sha256  # loaded on first use: commands that only read never hash

    return sha256(body.encode("utf-8")).hexdigest()


def put_text(conn: sqlite3.Connection, body: str) -> str:
    digest = text_hash(body)
    conn.execute("INSERT OR IGNORE INTO texts (hash, body) VALUES (?, ?)", (digest, body))
    return digest


def get_text(conn: sqlite3.Connection, digest: str | None) -> str | None:
    if digest is None:
        return None
    row = conn.execute("SELECT body FROM texts WHERE hash = ?", (digest,)).fetchone()
    return None if row is None else str(row[0])


def must_text(conn: sqlite3.Connection, digest: str) -> str:
    """The text, or a visible marker when it was erased."""
    body = get_text(conn, digest)
    return "[erased]" if body is None else body


def bad_texts(conn: sqlite3.Connection) -> list[str]:
    """Hashes whose stored body no longer matches: the text store was tampered with."""
    return [
        str(digest)
        for digest, body in conn.execute("SELECT hash, body FROM texts")
        if text_hash(body) != digest
    ]
