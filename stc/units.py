"""Meaning units in their transcripts: where a stretch of text lies (segments, a quote), who
speaks in it, and the context kept around it to find it again after a re-import.

One rule for who speaks in a unit: the participants of every speaker turn it overlaps (the
interviewer and other speakers have none), else the participant of its transcript. The same rule
checks a stretch before it becomes a unit (`DocText.participants`) and reads stored units
(`unit_participants`, `participants_by_unit`). Participants are ids (`P3`); their names are read
when shown (`stc.participants.names`), so a rename shows everywhere at once.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from stc.errors import StcError
from stc.quotes import Haystack
from stc.texts import must_text, stored_value

CONTEXT_CHARS = 60  # kept before and after a unit, to find it again after a re-import


def unit_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The text kept before and after a unit."""
    return text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS]


def covering(numbers: Sequence[int], starts: Sequence[int], ends: Sequence[int], start: int,
             end: int) -> tuple[int, int]:
    """The first and last numbers of the segments a stretch of text overlaps; a stretch that
    overlaps none (it lies between segments) gets the segment before it."""
    end = max(end, start + 1)
    i = bisect_right(ends, start)  # the first segment ending after the stretch starts
    j = bisect_left(starts, end) - 1  # the last segment starting before it ends
    if i > j:
        i = j = max(0, bisect_right(starts, start) - 1)
    i, j = min(i, len(numbers) - 1), min(j, len(numbers) - 1)
    return numbers[i], numbers[j]


def segment_ref(doc: str, first: int, last: int) -> str:
    return f"{doc}:{first}" if first == last else f"{doc}:{first}-{last}"


class Places:
    """Segment references (`DOC:N-M`) of stretches of text, from each document version's
    segments loaded once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[str, int], tuple[list[int], list[int], list[int]]] = {}

    def ref(self, doc: str, version: int, start: int, end: int) -> str:
        key = (doc, version)
        if key not in self.cache:
            rows = self.conn.execute("SELECT n, start, end FROM segments WHERE doc = ?"
                                     " AND version = ? ORDER BY n", key).fetchall()
            self.cache[key] = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        numbers, starts, ends = self.cache[key]
        if not numbers:
            return doc
        return segment_ref(doc, *covering(numbers, starts, ends, start, end))


class DocText(NamedTuple):
    """The current version of a transcript: its text, segments and speaker turns."""

    id: str
    version: int
    participant: int | None  # the transcript's participant, when it has exactly one
    text: str
    numbers: list[int]  # segment numbers in order, with their spans
    starts: list[int]
    ends: list[int]
    turns: list[tuple[int, int, int | None]]  # start, end, participant (None: not one)
    names: dict[int, str]  # the names of the participants who speak in it

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets from the start of segment `first` to the end of segment `last`."""
        i, j = bisect_left(self.numbers, first), bisect_left(self.numbers, last)
        return self.starts[i], self.ends[j]

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """The first and last segment numbers a stretch of text touches."""
        return covering(self.numbers, self.starts, self.ends, start, end)

    def ref(self, start: int, end: int) -> str:
        return segment_ref(self.id, *self.covering(start, end))

    def participants(self, start: int, end: int) -> set[int]:
        """The participants of the turns the stretch overlaps (the rule of the module)."""
        end = max(end, start + 1)
        return {who for s, e, who in self.turns if who and s < end and e > start}


def load_doc(conn: sqlite3.Connection, doc: str) -> DocText:
    row = conn.execute("SELECT id, version, participant, text FROM documents WHERE id = ?",
                       (doc,)).fetchone()
    segs = conn.execute("SELECT n, start, end FROM segments WHERE doc = ? AND version = ?"
                        " ORDER BY n", (doc, row[1])).fetchall()
    turns = conn.execute("SELECT start, end, participant FROM turns WHERE doc = ?"
                         " AND version = ? ORDER BY turn", (doc, row[1])).fetchall()
    speaking = {int(t[2]) for t in turns if t[2] is not None}
    names = {pid: stored_value(conn, str(name)) for pid, name in conn.execute(
        "SELECT id, name FROM participants") if pid in speaking or pid == row[2]}
    return DocText(row[0], row[1], row[2], must_text(conn, row[3]), [s[0] for s in segs],
                   [s[1] for s in segs], [s[2] for s in segs],
                   [(int(t[0]), int(t[1]), None if t[2] is None else int(t[2])) for t in turns],
                   names)


def locate(doc: DocText, first: int | None, last: int | None, quote: str | None,
           hay: Haystack | None = None, loose: bool = False) -> tuple[int, int]:
    """Where a unit lies: the quote inside the segments (or the whole transcript), found
    exactly once, or the whole segment range."""
    if first is None or last is None:
        first, last = doc.numbers[0], doc.numbers[-1]
        where = doc.id
    else:
        where = segment_ref(doc.id, first, last)
    start, end = doc.span(first, last)
    if quote is None:
        return start, end
    found = (hay or Haystack(doc.text, loose)).find(quote, start, end)
    if not found:
        raise StcError("E404", where=where)
    if len(found) > 1:
        places = ", ".join(doc.ref(s, e) for s, e in found)
        raise StcError("E405", count=len(found), places=places)
    return found[0]


def check_one_participant(doc: DocText, start: int, end: int) -> None:
    who = doc.participants(start, end)
    if len(who) > 1:
        raise StcError("E406", ref=doc.ref(start, end),
                       who=", ".join(doc.names.get(p, f"P{p}") for p in sorted(who)))


def participants_by_unit(conn: sqlite3.Connection, unit: int | None = None
                         ) -> dict[int, list[int]]:
    """Who speaks in each unit (or in the one `unit`), by the rule of the module: ids of
    participants, in order."""
    where, args = (" AND u.id = ?", (unit,)) if unit is not None else ("", ())
    found: dict[int, set[int]] = {}
    for uid, who in conn.execute(
            "SELECT u.id, t.participant FROM units u JOIN turns t ON t.doc = u.doc"
            " AND t.version = u.version AND t.start < MAX(u.end, u.start + 1)"
            " AND t.end > u.start WHERE t.participant IS NOT NULL" + where, args):
        found.setdefault(int(uid), set()).add(int(who))
    out: dict[int, list[int]] = {}
    for uid, who in conn.execute("SELECT u.id, d.participant FROM units u JOIN documents d"
                                 " ON d.id = u.doc WHERE 1" + where, args):
        out[int(uid)] = (sorted(found[uid]) if uid in found
                         else [] if who is None else [int(who)])
    return out


def unit_participants(conn: sqlite3.Connection, unit: int) -> list[int]:
    """Who speaks in the unit, by the rule of the module."""
    return participants_by_unit(conn, unit).get(unit, [])
