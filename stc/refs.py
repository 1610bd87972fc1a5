"""References users type: DOC, DOC:N, DOC:N-M, U7, GROUP/SUBGROUP."""

from __future__ import annotations

import re
import sqlite3
from typing import NamedTuple

from stc.errors import StcError, UnknownReference
from stc.naming import by_name

# matched in full (fullmatch): `$` would take a line break at the end; numbers in ASCII digits
_SEGMENT_REF = re.compile(r"(?P<doc>[\w][\w.-]*?)(?::(?P<first>[0-9]+)(?:-(?P<last>[0-9]+))?)?")
UNIT_REF = re.compile(r"[Uu](?P<n>[0-9]+)")


# SQLite's largest integer: no segment, meaning unit, participant or change is numbered higher
LARGEST = 2**63 - 1
MAX_DIGITS = 100  # longer is no number anyone means (and Python reads none of thousands)


def digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` takes ² and ٣ as well, which `int` refuses or reads."""
    return text.strip().isascii() and text.strip().isdigit()


def number(digits: str, ref: str, what: str = "segment") -> int:
    """A number a user wrote (ASCII digits), refused when it has more digits than any number
    stc gives (E135; Python would not even read one of thousands), or is beyond what SQLite
    keeps (E136)."""
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise StcError("E135", ref=_shown(ref), digits=f"{len(digits):,}")
    value = int(digits)
    if value > LARGEST:
        raise StcError("E136", ref=_shown(ref), what=what, largest=f"{LARGEST:,}")
    return value


def _shown(ref: str) -> str:
    """A reference as a message shows it: a long one cut short."""
    return ref if len(ref) <= 60 else f"{ref[:30]}…{ref[-10:]}"


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
    m = _SEGMENT_REF.fullmatch(ref.strip())
    if not m:
        raise UnknownReference(ref=ref)
    first = number(m.group("first"), ref, "segment") if m.group("first") else None
    last = number(m.group("last"), ref, "segment") if m.group("last") else first
    if first is not None and last is not None and (first < 1 or last < first):
        raise UnknownReference(ref=ref)
    return SegmentRange(m.group("doc"), first, last)


def resolve_doc(conn: sqlite3.Connection, doc: str) -> str:
    """The stored id of a document, matched as names are (stc.naming)."""
    row = by_name(conn, "SELECT id, id FROM documents", "id", doc)
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
