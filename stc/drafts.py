"""Drafts: what a workbench editor holds and has not recorded yet.

An editor of the workbench (a condensate, a quotation) saves as the user types; until she
records it, the text is a draft, kept in the project's database and never in the browser (whose
storage an erasure cannot reach). A draft is no change: it lives outside the trail, is never
replayed or verified, and goes when it is recorded or discarded.

A draft may hold a participant's words (a condensate is written from them), so each draft names
the transcripts it was written beside, and erasing a transcript removes its drafts and every
other draft that holds its words (`stc.erasure`). Drafts are kept per thing edited and browser
tab: two tabs editing the same condensate never overwrite each other's draft.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from stc.store import transaction


class Draft(NamedTuple):
    key: str  # what it is a draft of: 'condensate:subgroup:5', 'quotation:unit:7'
    tab: str  # the browser tab that wrote it
    body: str
    base: int  # the change the editor was loaded at
    docs: list[str]  # the transcripts whose words it may hold
    saved: str  # when, UTC, ISO 8601 to the second


def _draft(row: sqlite3.Row) -> Draft:
    return Draft(str(row["key"]), str(row["tab"]), str(row["body"]), int(row["base"]),
                 list(json.loads(row["docs"])), str(row["saved"]))


def save(conn: sqlite3.Connection, key: str, tab: str, body: str, base: int,
         docs: Iterable[str], replaces: str | None = None) -> Draft:
    """Keep `body` as tab `tab`'s draft of `key`. `replaces`: another tab whose draft of `key`
    this one took over (it was offered back after a reload or a closed tab): that one goes."""
    draft = Draft(key, tab, body, base, sorted(set(docs)),
                  datetime.now(UTC).isoformat(timespec="seconds"))
    with transaction(conn):
        if replaces is not None and replaces != tab:
            conn.execute("DELETE FROM drafts WHERE key = ? AND tab = ?", (key, replaces))
        conn.execute("INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?)",
                     (key, tab, body, base, json.dumps(draft.docs), draft.saved))
    return draft


def newest(conn: sqlite3.Connection, key: str, unlike: str | None = None) -> Draft | None:
    """The last draft of `key` saved in any tab, unless its text is `unlike` (a draft that
    says what is recorded already offers nothing)."""
    for row in conn.execute("SELECT * FROM drafts WHERE key = ? ORDER BY saved DESC, tab",
                            (key,)):
        if unlike is None or row["body"].strip() != unlike.strip():
            return _draft(row)
    return None


def of_tab(conn: sqlite3.Connection, key: str, tab: str) -> Draft | None:
    row = conn.execute("SELECT * FROM drafts WHERE key = ? AND tab = ?", (key, tab)).fetchone()
    return None if row is None else _draft(row)


def discard(conn: sqlite3.Connection, key: str, tabs: Iterable[str]) -> int:
    """Remove the drafts of `key` written in `tabs`; returns how many there were."""
    tabs = sorted(set(tabs))
    with transaction(conn):
        return sum(conn.execute("DELETE FROM drafts WHERE key = ? AND tab = ?",
                                (key, tab)).rowcount for tab in tabs)


def erase(conn: sqlite3.Connection, doc: str) -> int:
    """Remove every draft written beside transcript `doc` (inside the caller's transaction:
    an erasure's). Returns how many."""
    return conn.execute("DELETE FROM drafts WHERE EXISTS (SELECT 1 FROM json_each(drafts.docs)"
                        " WHERE value = ?)", (doc,)).rowcount


def erase_holding(conn: sqlite3.Connection, holds: Callable[[str], bool]) -> int:
    """Remove every draft whose text `holds` an erased transcript's words, whatever it names:
    her words may have been pasted into a draft beside other transcripts (inside the
    caller's transaction). Returns how many."""
    found = [(str(r[0]), str(r[1])) for r in conn.execute("SELECT key, tab, body FROM drafts")
             if holds(str(r[2]))]
    conn.executemany("DELETE FROM drafts WHERE key = ? AND tab = ?", found)
    return len(found)
