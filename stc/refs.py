"""References users type: DOC, DOC:N, DOC:N-M, U7, GROUP/SUBGROUP."""

from __future__ import annotations

import re
import sqlite3
from typing import NamedTuple

from stc.errors import StcError, UnknownReference

_SEGMENT_REF = re.compile(r"^(?P<doc>[\w][\w.-]*?)(?::(?P<first>\d+)(?:-(?P<last>\d+))?)?$")
UNIT_REF = re.compile(r"^[Uu](?P<n>\d+)$")


class SegmentRange(NamedTuple):
    """DOC, DOC:N or DOC:N-M: a transcript or a run of its segments."""

    doc: str
    first: int | None = None  # None: the whole document
    last: int | None = None

    def __str__(self) -> str:
        if self.first is None:
            return self.doc
        if self.last is None or self.last == self.first:
            return f"{self.doc}:{self.first}"
        return f"{self.doc}:{self.first}-{self.last}"


def parse_segment_ref(ref: str) -> SegmentRange:
    m = _SEGMENT_REF.match(ref.strip())
    if not m:
        raise UnknownReference(ref=ref)
    first = int(m.group("first")) if m.group("first") else None
    last = int(m.group("last")) if m.group("last") else first
    if first is not None and last is not None and (first < 1 or last < first):
        raise UnknownReference(ref=ref)
    return SegmentRange(m.group("doc"), first, last)


def resolve_doc(conn: sqlite3.Connection, doc: str) -> str:
    """The stored id of a document, matched case-insensitively."""
    row = conn.execute("SELECT id FROM documents WHERE id = ? COLLATE NOCASE", (doc,)).fetchone()
    if row is None:
        raise StcError("E202", doc=doc)
    return str(row[0])


def current_segments(conn: sqlite3.Connection, doc: str) -> tuple[int, int]:
    """First and last segment number of the document's current version."""
    row = conn.execute(
        "SELECT MIN(s.n), MAX(s.n) FROM segments s JOIN documents d"
        " ON d.id = s.doc AND d.version = s.version WHERE s.doc = ?",
        (doc,),
    ).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def check_segment_range(conn: sqlite3.Connection, ref: str) -> SegmentRange:
    """Parse and check a segment reference against the project."""
    parsed = parse_segment_ref(ref)
    doc = resolve_doc(conn, parsed.doc)
    first, last = current_segments(conn, doc)
    if parsed.first is None:
        return SegmentRange(doc, first, last)
    assert parsed.last is not None
    if parsed.first < first or parsed.last > last:
        raise StcError("E204", doc=doc, last=last, ref=ref)
    return SegmentRange(doc, parsed.first, parsed.last)
