"""Read models for reading a transcript with its meaning units: the transcript list with
coverage, and one transcript cut into pieces at every unit boundary.

The workbench renders these; they are plain data, so the command line can show them too.
Offsets are code points in the document's normalised (NFC) text, as everywhere in the store.
Overlapping units are shown the way Taguette draws them: the text is cut at every start and end
of a unit, and each piece knows the units that cover it (its depth is how many).
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_left
from itertools import pairwise
from typing import NamedTuple

from stc.lookup import get
from stc.reading import documents, segments
from stc.refs import resolve_doc
from stc.stages.meaning_units import code_tree, list_units
from stc.texts import ERASED
from stc.units import DocText, load_doc

_WORD = re.compile(r"\S+")


# -- coverage ----------------------------------------------------------------------------------

class Coverage(NamedTuple):
    """How much of the participants' speech lies inside a meaning unit, in words."""

    words: int  # words spoken in turns with the role participant
    coded: int  # of those, words that lie inside a unit, wholly or in part

    @property
    def share(self) -> float:
        return self.coded / self.words if self.words else 0.0


class TranscriptSummary(NamedTuple):
    """One line of the transcript list."""

    id: str
    participant: str
    segments: int
    units: int
    coverage: Coverage | None  # None when the transcript's text was erased


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and joined where they overlap or touch."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def word_coverage(text: str, spoken: list[tuple[int, int]], units: list[tuple[int, int]]
                  ) -> Coverage:
    """Words (runs of non-space) inside the `spoken` spans, and how many of them overlap one of
    the `units` spans."""
    covered = merged(units)
    ends = [end for _, end in covered]
    words = coded = 0
    for start, end in spoken:
        for match in _WORD.finditer(text, start, end):
            words += 1
            # the first unit span ending after the word starts: does it begin before it ends?
            i = bisect_left(ends, match.start() + 1)
            if i < len(covered) and covered[i][0] < match.end():
                coded += 1
    return Coverage(words, coded)


def _unit_spans(conn: sqlite3.Connection, doc: DocText) -> list[tuple[int, int]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT start, end FROM units WHERE doc = ? AND version = ?", (doc.id, doc.version))]


def _participant_turns(conn: sqlite3.Connection, doc: DocText) -> list[tuple[int, int]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT start, end FROM turns WHERE doc = ? AND version = ? AND role = 'participant'"
        " ORDER BY turn", (doc.id, doc.version))]


def coverage(conn: sqlite3.Connection, doc: str) -> Coverage | None:
    """The share of the participants' words in a transcript that lie inside a meaning unit
    (None when its text was erased)."""
    text = load_doc(conn, doc)
    if text.text == ERASED:
        return None
    return word_coverage(text.text, _participant_turns(conn, text), _unit_spans(conn, text))


def transcript_list(conn: sqlite3.Connection) -> list[TranscriptSummary]:
    """Every transcript with its participant, segments, meaning units and coverage."""
    units = dict(conn.execute("SELECT doc, COUNT(*) FROM units GROUP BY doc").fetchall())
    return [TranscriptSummary(info.id, info.participant, info.segments, int(units.get(info.id, 0)),
                              coverage(conn, info.id))
            for info in documents(conn)]


# -- one transcript, cut into pieces -----------------------------------------------------------

class CodeMark(NamedTuple):
    """A code on a unit, with its group and the group's place in the code tree (for colour)."""

    name: str
    group: str | None
    group_number: int  # 1, 2, ... in the order of `stc codes`; 0 for a code in no group


class UnitMark(NamedTuple):
    """A meaning unit as the reading view shows it."""

    id: int
    segments: str  # DOC:N-M
    start: int
    end: int
    text: str
    codes: list[CodeMark]
    note: str | None
    aside: str | None
    review: str | None
    nugget: bool
    context: str  # the question before the unit (empty when none)
    speakers: list[str]  # the labels of the speakers in it

    @property
    def ref(self) -> str:
        return f"U{self.id}"

    def by_group(self) -> list[tuple[CodeMark, list[str]]]:
        """The unit's codes gathered by group: (the group's first code, the code names)."""
        out: dict[str | None, tuple[CodeMark, list[str]]] = {}
        for code in self.codes:
            out.setdefault(code.group, (code, []))[1].append(code.name)
        return list(out.values())


class Piece(NamedTuple):
    """A stretch of a segment covered by the same units throughout."""

    start: int  # code points from the start of the document's text
    text: str
    units: tuple[int, ...]  # the units covering it, the one starting first (longest) first

    @property
    def depth(self) -> int:
        return len(self.units)


class SegmentPieces(NamedTuple):
    n: int
    ref: str  # DOC:N, the hook `data-seg` in the page
    start: int
    end: int
    pieces: list[Piece]
    units: list[int]  # the units that begin in this segment, for the margin beside it


class TurnView(NamedTuple):
    turn: int
    speaker: str | None
    role: str
    begins: str | None
    segments: list[SegmentPieces]


class TranscriptView(NamedTuple):
    id: str
    participant: str
    version: int
    erased: bool
    turns: list[TurnView]
    units: dict[int, UnitMark]  # the units shown, on the current version of the text
    elsewhere: list[UnitMark]  # units shown that still point at an earlier version
    total: int  # units on the transcript before any filter
    coverage: Coverage | None
    codes: list[CodeMark]  # every code of the project, in the order of `stc codes`

    def groups(self) -> list[tuple[str, int]]:
        """The project's code groups that hold codes, with their numbers, in order."""
        return list(dict.fromkeys((c.group, c.group_number) for c in self.codes if c.group))


def code_marks(conn: sqlite3.Connection) -> dict[str, CodeMark]:
    """Every code by name with its group and the group's number (its colour)."""
    marks: dict[str, CodeMark] = {}
    number = 0
    for node in code_tree(conn):
        if node.name is not None:
            number += 1
        for code in node.codes:
            marks[code.name] = CodeMark(code.name, node.name, number if node.name else 0)
    return marks


def _unit_marks(conn: sqlite3.Connection, doc: DocText, marks: dict[str, CodeMark],
                code: str | None, group: str | None
                ) -> tuple[dict[int, UnitMark], list[UnitMark]]:
    """The transcript's units that carry `code` and a code of `group` (when given), on its
    current version and on earlier ones."""
    places = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
        "SELECT id, version, start, end FROM units WHERE doc = ?", (doc.id,))}
    here: dict[int, UnitMark] = {}
    elsewhere: list[UnitMark] = []
    for view in list_units(conn, code=code, group=group, doc=doc.id):
        version, start, end = places[view.id]
        mark = UnitMark(view.id, view.segments, start, end, view.text,
                        [marks.get(c, CodeMark(c, None, 0)) for c in view.codes], view.note,
                        view.aside, view.review, view.nugget, view.context, view.speakers)
        if version == doc.version:
            here[view.id] = mark
        else:
            elsewhere.append(mark)
    # the longer of two units starting together encloses the other
    here = dict(sorted(here.items(), key=lambda item: (item[1].start, -item[1].end, item[0])))
    return here, elsewhere


def cut(text: str, start: int, end: int, units: list[UnitMark]) -> list[Piece]:
    """`text[start:end]` cut at every boundary of the `units` inside it; each piece names the
    units covering it, in the order given."""
    bounds = {start, end}
    for u in units:
        bounds.update(b for b in (u.start, u.end) if start < b < end)
    return [Piece(a, text[a:b], tuple(u.id for u in units if u.start < b and u.end > a))
            for a, b in pairwise(sorted(bounds))]


def transcript(conn: sqlite3.Connection, doc: str, code: str | None = None,
               group: str | None = None) -> TranscriptView:
    """A transcript's turns and numbered segments, each cut into pieces by the meaning units
    (only those with `code` and in `group`, when given)."""
    doc = resolve_doc(conn, doc)  # the whole transcript: never DOC:N-M
    _, views = segments(conn, doc)
    if code:
        get(conn, "code", code)  # an unknown name is an error, not an empty page
    if group:
        get(conn, "group", group)
    text = load_doc(conn, doc)
    marks = code_marks(conn)
    units, elsewhere = _unit_marks(conn, text, marks, code, group)
    total = int(conn.execute("SELECT COUNT(*) FROM units WHERE doc = ?",
                             (text.id,)).fetchone()[0])
    erased = text.text == ERASED
    ordered = [] if erased else list(units.values())
    margin: dict[int, list[int]] = {}
    for u in ordered:
        margin.setdefault(text.covering(u.start, u.end)[0], []).append(u.id)
    turns: list[TurnView] = []
    active: list[UnitMark] = []  # units reaching into the segment, swept in reading order
    waiting = iter(ordered)
    upcoming = next(waiting, None)
    for view, start, end in zip(views, text.starts, text.ends, strict=True):
        while upcoming is not None and upcoming.start < end:
            active.append(upcoming)
            upcoming = next(waiting, None)
        active = [u for u in active if u.end > start]
        pieces = ([Piece(start, view.text, ())] if erased
                  else cut(text.text, start, end, active))
        seg = SegmentPieces(view.n, f"{text.id}:{view.n}", start, end, pieces,
                            margin.get(view.n, []))
        if not turns or turns[-1].turn != view.turn:
            turns.append(TurnView(view.turn, view.speaker, view.role, view.begins, []))
        turns[-1].segments.append(seg)
    speaking = ", ".join(dict.fromkeys(text.names[who] for _, _, who in text.turns
                                      if who is not None))
    return TranscriptView(text.id, speaking, text.version, erased, turns, units,
                          elsewhere, total, coverage(conn, doc), list(marks.values()))
