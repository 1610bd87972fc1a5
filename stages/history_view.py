"""The trail as the workbench's trail panel shows it: the life of the object in view across its
renames and merges (`stc log --on REF`), and the project's latest changes, each with who made
it, when and why, and whether it was undone since.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from stc.history import object_history
from stc.trail import REDO, UNDO, Record, cancelled_in, head, records


class Entry(NamedTuple):
    """One change as the panel lists it."""

    seq: int
    at: str
    author: str
    what: str
    why: str | None
    label: str | None  # the command line of the command it began
    undone: bool  # cancelled by an undo since (and not redone)
    mark: bool  # an undo or redo record itself


def _entries(conn: sqlite3.Connection, chosen: list[Record], language: str) -> list[Entry]:
    gone = cancelled_in(conn)
    return [Entry(r.seq, r.at, r.author, r.summary(language), r.why, r.label, r.seq in gone,
                  r.kind in (UNDO, REDO)) for r in chosen]


def object_changes(conn: sqlite3.Connection, ref: str, language: str = "en") -> list[Entry]:
    """Every change in the life of what `ref` names (U7, GROUP, group:NAME,
    subgroup:GROUP/SUBGROUP, DOC:N-M, …), oldest first, each said in `language`."""
    return _entries(conn, object_history(conn, ref), language)


def recent(conn: sqlite3.Connection, limit: int = 50, language: str = "en") -> list[Entry]:
    """The project's last `limit` changes, newest first, each said in `language`."""
    last = head(conn)[0]
    return list(reversed(_entries(conn, list(records(conn, after=max(0, last - limit))),
                                  language)))
