"""Read models for reading a transcript with its meaning units: the transcript list with
coverage, one transcript cut into pieces at every unit boundary (or only some of its segments,
those a change touched), a selection as it would become a unit, and one unit in detail.

The workbench renders these; they are plain data, so the command line can show them too.
Offsets are code points in the document's normalised (NFC) text, as everywhere in the store.
Overlapping units are shown the way Taguette draws them: the text is cut at every start and end
of a unit, and each piece knows the units that cover it (its depth is how many). Each unit
knows its coder, the author of its `unit.add` (`stc compare --coders A,B` counts the same), so
two coders' units can be shown on one transcript and each coder's turned off.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_left
from collections.abc import Collection
from itertools import pairwise
from typing import NamedTuple

from stc.errors import StcError
from stc.lookup import get, unit_id
from stc.reading import documents, segments
from stc.refs import resolve_doc
from stc.stages.coders import Made, making
from stc.stages.meaning_units import UnitView, list_units
from stc.texts import ERASED
from stc.trail import records
from stc.units import DocText, Places, check_speech, load_doc

_SPACE = re.compile(r"\s")


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
    the `units` spans. Counted span by span (a word a span reaches into counts once), so the
    work grows with the spans, not with the words."""
    covered: list[tuple[int, int]] = []
    for start, end in merged(units):  # two spans that reach into the same word count it once
        if covered and not _SPACE.search(text, covered[-1][1] - 1, start + 1):
            covered[-1] = (covered[-1][0], end)
        else:
            covered.append((start, end))
    ends = [end for _, end in covered]
    words = coded = 0
    for start, end in spoken:
        words += len(text[start:end].split())  # str.split: the same whitespace as \s
        i = bisect_left(ends, start + 1)  # the first unit span ending after the turn starts
        while i < len(covered) and covered[i][0] < end:
            coded += len(text[max(start, covered[i][0]):min(end, ends[i])].split())
            i += 1
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
    return _coverage(conn, load_doc(conn, doc))


def _coverage(conn: sqlite3.Connection, text: DocText) -> Coverage | None:
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
    coder: str  # who made it: the author of its `unit.add`
    made_at: str  # when (UTC, ISO)

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
    turns: list[TurnView]  # every turn; with `only`, those segments alone
    units: dict[int, UnitMark]  # the units shown, on the current version of the text
    elsewhere: list[UnitMark]  # units shown that still point at an earlier version
    total: int  # units on the transcript before any filter
    coverage: Coverage | None
    codes: list[CodeMark]  # every code of the project, in the order of `stc codes`
    coders: list[str]  # who made the transcript's units, in the order of their first unit
    hidden: list[str]  # of those, the coders whose units are not shown
    only: list[int] | None  # the segments shown, when not all (a change touched them)

    def groups(self) -> list[tuple[str, int]]:
        """The project's code groups that hold codes, with their numbers, in order."""
        return list(dict.fromkeys((c.group, c.group_number) for c in self.codes if c.group))

    @property
    def shown_coders(self) -> list[str]:
        hidden = {c.casefold() for c in self.hidden}
        return [c for c in self.coders if c.casefold() not in hidden]

    def coder_number(self, unit: int) -> int:
        """1, 2, ...: the place of the unit's coder among the transcript's coders."""
        return self.coders.index(self.units[unit].coder) + 1

    def by(self, piece: Piece) -> list[int]:
        """The coders whose units cover the piece, by number, when more than one coder's
        units are shown (with one, the shading says all)."""
        if len(self.shown_coders) < 2:
            return []
        return sorted({self.coder_number(u) for u in piece.units})


def code_marks(conn: sqlite3.Connection) -> dict[str, CodeMark]:
    """Every code by name with its group and the group's number (its colour), in the order of
    `stc codes`: the groups in their order, then the codes in no group; by name within each."""
    numbers = {int(r[0]): n for n, r in enumerate(
        conn.execute("SELECT id FROM code_groups ORDER BY position, id"), start=1)}
    rows = conn.execute("SELECT c.name, g.name, c.group_id FROM codes c LEFT JOIN code_groups g"
                        " ON g.id = c.group_id ORDER BY c.name COLLATE NOCASE").fetchall()
    ordered = sorted(rows, key=lambda r: numbers.get(r[2], len(numbers) + 1) if r[2] else
                     len(numbers) + 1)
    return {r[0]: CodeMark(r[0], r[1], numbers.get(r[2], 0) if r[2] else 0) for r in ordered}


def _coders(conn: sqlite3.Connection, doc: str, made: dict[int, Made]) -> list[str]:
    """Who made the transcript's units, in the order of their first unit."""
    return list(dict.fromkeys(made[r[0]].author if r[0] in made else "" for r in conn.execute(
        "SELECT id FROM units WHERE doc = ? ORDER BY id", (doc,))))


def _unit_marks(conn: sqlite3.Connection, doc: DocText, marks: dict[str, CodeMark],
                made: dict[int, Made], code: str | None, group: str | None,
                hidden: Collection[str], span: tuple[int, int] | None
                ) -> tuple[dict[int, UnitMark], list[UnitMark]]:
    """The transcript's units that carry `code` and a code of `group` (when given), by coders
    not `hidden`, on its current version and on earlier ones; with `span`, only those on the
    current version that overlap it."""
    if span is None:
        found = conn.execute("SELECT id, version, start, end FROM units WHERE doc = ?",
                             (doc.id,))
    else:
        found = conn.execute("SELECT id, version, start, end FROM units WHERE doc = ? AND"
                             " version = ? AND start < ? AND end > ?",
                             (doc.id, doc.version, span[1], span[0]))
    places = {r[0]: (r[1], r[2], r[3]) for r in found}
    left_out = {c.casefold() for c in hidden}
    here: dict[int, UnitMark] = {}
    elsewhere: list[UnitMark] = []
    chosen = None if span is None else list(places)
    loaded = Places(conn)
    loaded.docs[doc.id] = doc  # the transcript is read once
    for view in list_units(conn, code=code, group=group, doc=doc.id, units=chosen,
                           places=loaded):
        maker = made.get(view.id, Made("", ""))
        if maker.author.casefold() in left_out:
            continue
        version, start, end = places[view.id]
        mark = UnitMark(view.id, view.segments, start, end, view.text,
                        [marks.get(c, CodeMark(c, None, 0)) for c in view.codes], view.note,
                        view.aside, view.review, view.nugget, view.context, view.speakers,
                        maker.author, maker.at)
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
               group: str | None = None, coders: Collection[str] | None = None,
               since: int | None = None) -> TranscriptView:
    """A transcript's turns and numbered segments, each cut into pieces by the meaning units
    (only those with `code`, in `group`, and by the `coders` named, when given). With `since`
    (the change a page showed before a write), only the segments whose rows changed after it
    (`rows_changed`), with the counts of the whole transcript; all of them when a change
    reaches further."""
    doc = resolve_doc(conn, doc)  # the whole transcript: never DOC:N-M
    if code:
        get(conn, "code", code)  # an unknown name is an error, not an empty page
    if group:
        get(conn, "group", group)
    text = load_doc(conn, doc)
    only = None if since is None else rows_changed(conn, text, since)
    wanted = None if only is None else sorted(only & set(text.numbers))
    if wanted is None:
        _, views = segments(conn, doc)
        span = None
    elif wanted:
        _, views = segments(conn, f"{doc}:{wanted[0]}-{wanted[-1]}")
        views = [v for v in views if v.n in set(wanted)]
        span = text.span(wanted[0], wanted[-1])
    else:
        views, span = [], (0, 0)
    marks = code_marks(conn)
    made = making(conn, "unit.add")
    everyone = _coders(conn, text.id, made)
    shown = None if coders is None else {c.casefold() for c in coders}
    hidden = [] if shown is None else [c for c in everyone if c.casefold() not in shown]
    units, elsewhere = _unit_marks(conn, text, marks, made, code, group, hidden, span)
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
    for view in views:
        i = bisect_left(text.numbers, view.n)
        start, end = text.starts[i], text.ends[i]
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
                          elsewhere, total, _coverage(conn, text), list(marks.values()),
                          everyone, hidden, wanted)


# -- what a change touched -----------------------------------------------------------------------

# changes that alter nothing a transcript's rows show (a code made for a unit shows in its unit)
_BESIDE = frozenset({"code.add"})
_UNIT_CHANGES = frozenset({"unit.add", "unit.edit", "unit.delete", "unit.codes", "unit.set"})


def rows_changed(conn: sqlite3.Connection, text: DocText, since: int) -> set[int] | None:
    """The segments of a transcript whose rows in the reading view changed after change
    `since`: where units were made, moved, deleted, coded or noted (their places before and
    after). None when a change reaches further (a rename, a re-import, an undo, ...): then the
    whole view is to be read again."""
    rows: set[int] = set()
    for record in records(conn, after=since):
        if record.kind in _BESIDE:
            continue
        if record.kind not in _UNIT_CHANGES:
            return None
        rows |= _unit_rows(conn, text, record.payload)
    return rows


def _unit_rows(conn: sqlite3.Connection, text: DocText, payload: dict[str, object]
               ) -> set[int]:
    """The segments of `text` a change of a unit touched: the places its payload names, and
    where the unit lies now."""
    rows: set[int] = set()
    if payload.get("doc") == text.id and payload.get("version", text.version) == text.version:
        for field in ("segments", "was"):
            rows |= _numbers(str(payload.get(field) or ""))
    now = conn.execute("SELECT start, end FROM units WHERE id = ? AND doc = ? AND version = ?",
                       (payload.get("id"), text.id, text.version)).fetchone()
    if now is not None:
        first, last = text.covering(int(now[0]), int(now[1]))
        rows |= set(range(first, last + 1))
    return rows


def _numbers(segments: str) -> set[int]:
    """'3' or '3-5' -> {3, 4, 5}; anything else -> nothing."""
    first, _, last = segments.partition("-")
    if not first.isdigit() or not (last or first).isdigit():
        return set()
    return set(range(int(first), int(last or first) + 1))


# -- a selection, as it would become a unit ------------------------------------------------------

class Selection(NamedTuple):
    """What a selection would make: the stretch `code_span` would record, with its text, the
    question before it, the warnings it comes with, or why it is refused."""

    doc: str
    start: int  # the stretch after snapping to words and narrowing to the speech in it
    end: int
    ref: str  # DOC:N-M
    text: str  # the speech in it: the unit's text
    context: str  # the question before it
    warnings: list[str]  # it crosses speakers
    refusal: StcError | None  # only the interviewer speaks in it (allowed on purpose only)
    existing: str | None  # U7: exactly this stretch is a unit; codes are added to it


def selection(conn: sqlite3.Connection, doc: str, start: int, end: int, snap: bool = False,
              allow_interviewer: bool = False) -> Selection:
    """The unit a selection from `start` to `end` would make, by the rules of `code_span`
    (a selection outside the text or without speech is refused: E433, E432)."""
    text = load_doc(conn, resolve_doc(conn, doc))
    start, end = text.selected(start, end, snap)
    same = conn.execute("SELECT id FROM units WHERE doc = ? AND version = ? AND start = ? AND"
                        " end = ?", (text.id, text.version, start, end)).fetchone()
    warnings: list[str] = []
    refusal = None
    try:
        warnings = check_speech(text, start, end, allow_interviewer or same is not None)
    except StcError as refused:
        refusal = refused
    return Selection(text.id, start, end, text.ref(start, end), text.spoken(start, end),
                     text.context(start, end), warnings, refusal,
                     f"U{same[0]}" if same else None)


# -- one unit, in detail -------------------------------------------------------------------------

class UnitDetail(NamedTuple):
    """A meaning unit as its panel shows it: its text, codes (with their groups), note, place
    in step 3, the question before it, and who made it when."""

    unit: UnitView
    codes: list[CodeMark]
    made: Made
    start: int
    end: int
    current: bool  # on the current version of its transcript (else it takes no code here)

    @property
    def ref(self) -> str:
        return self.unit.ref


def unit_detail(conn: sqlite3.Connection, ref: str) -> UnitDetail | None:
    """One unit in detail; None when no unit has that number (any more)."""
    try:
        ident = unit_id(conn, ref)
    except StcError as error:
        if error.code == "E506":
            return None
        raise
    view = list_units(conn, units=[ident])[0]
    marks = code_marks(conn)
    start, end, current = conn.execute(
        "SELECT u.start, u.end, u.version = d.version FROM units u JOIN documents d ON"
        " d.id = u.doc WHERE u.id = ?", (ident,)).fetchone()
    made = conn.execute("SELECT author, at FROM trail WHERE kind = 'unit.add' AND"
                        " json_extract(payload, '$.id') = ? ORDER BY seq DESC LIMIT 1",
                        (ident,)).fetchone()
    return UnitDetail(view, [marks.get(c, CodeMark(c, None, 0)) for c in view.codes],
                      Made(str(made[0]), str(made[1])) if made else Made("", ""),
                      int(start), int(end), bool(current))
