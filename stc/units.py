"""Meaning units in their transcripts: where a stretch of text lies (segments, a quote), what
it says, who speaks in it, and the context kept around it to find it again after a re-import.

A transcript's normalised text holds each turn as `Label: speech`. A unit's text is the speech in
its stretch, labels left out, the turns it crosses joined by a blank line (`DocText.spoken`):
the one definition coding, checks, quotations, reports, the matrix and exchange use. Quotes are
found in the same speech (`DocText.haystack`), so a quote may run from a question into its
answer but never holds a label.

One rule for who speaks in a unit: the participants of every speaker turn it overlaps (the
interviewer and other speakers have none, so a unit of the interviewer's words alone has no
participant); a unit that overlaps no turn at all has the participant of its transcript. The
same rule checks a stretch before it becomes a unit (`DocText.participants`) and reads stored
units (`unit_participants`, `participants_by_unit`). Participants are ids (`P3`); their names
are read when shown (`stc.participants.names`), so a rename shows everywhere at once.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from typing import NamedTuple

from stc.errors import StcError
from stc.quotes import Haystack
from stc.store import marks
from stc.texts import ERASED, doc_owner, must_text, put_text, stored_value
from stc.trail import once

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


def _in_word(character: str) -> bool:
    """A letter, digit or combining mark: what a word is made of, for snapping a selection."""
    return character.isalnum() or unicodedata.category(character).startswith("M")


def segment_ref(doc: str, first: int, last: int) -> str:
    return f"{doc}:{first}" if first == last else f"{doc}:{first}-{last}"


class Places:
    """Segment references (`DOC:N-M`) of stretches of text, and the text of units, from each
    document version's segments and each transcript loaded once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[str, int], tuple[list[int], list[int], list[int]]] = {}
        self.docs: dict[str, DocText] = {}

    def doc(self, doc: str) -> DocText:
        """The current version of a transcript."""
        if doc not in self.docs:
            self.docs[doc] = load_doc(self.conn, doc)
        return self.docs[doc]

    def unit_text(self, doc: str, version: int, start: int, end: int, stored: str) -> str:
        """A unit's text: the speech at its place (`DocText.spoken`), or, for a unit still on
        an earlier version of its transcript, the text it recorded (hash `stored`)."""
        current = self.doc(doc)
        if current.version != version or current.text == ERASED:
            return must_text(self.conn, stored)
        return current.spoken(start, end)

    def context(self, doc: str, version: int, start: int, end: int) -> str:
        """The question before a unit (empty when none, or on an earlier version)."""
        current = self.doc(doc)
        return current.context(start, end) if current.version == version \
            and current.text != ERASED else ""

    def ref(self, doc: str, version: int, start: int, end: int) -> str:
        current = self.doc(doc)
        if current.version == version:  # its segments are loaded with it
            return current.ref(start, end) if current.numbers else doc
        key = (doc, version)
        if key not in self.cache:
            rows = self.conn.execute("SELECT n, start, end FROM segments WHERE doc = ?"
                                     " AND version = ? ORDER BY n", key).fetchall()
            self.cache[key] = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        numbers, starts, ends = self.cache[key]
        if not numbers:
            return doc
        return segment_ref(doc, *covering(numbers, starts, ends, start, end))


INTERVIEWER = "interviewer"


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
    speakers: list[tuple[str | None, str]]  # per turn: its label (None: unlabelled), role
    asking: list[int]  # the indexes of the interviewer's turns, in order
    turn_starts: list[int]  # the turns' starts and ends, for bisection
    turn_ends: list[int]

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
        inside = self.turns_in(start, end)
        if not inside:
            return set() if self.participant is None else {self.participant}
        return {who for who in (self.turns[i][2] for i in inside) if who is not None}

    def turns_in(self, start: int, end: int) -> list[int]:
        """The indexes of the turns the stretch overlaps, in reading order (turns follow each
        other without overlapping, so two bisections find them)."""
        end = max(end, start + 1)
        first = bisect_right(self.turn_ends, start)  # the first turn ending after the start
        after = bisect_left(self.turn_starts, end)  # the first starting at or after the end
        return list(range(first, after))

    def spoken(self, start: int, end: int) -> str:
        """The speech in a stretch: what the speakers say in it, labels left out, the turns
        it crosses joined by a blank line. A unit's text, by definition."""
        if not self.turns:
            return self.text[start:end].strip()
        pieces = (self.text[max(s, start):min(e, end)].strip()
                  for s, e, _ in (self.turns[i] for i in self.turns_in(start, end)))
        return "\n\n".join(p for p in pieces if p)

    def holds(self, start: int, end: int, text: str | None) -> bool:
        """Whether a unit's recorded text is what the stretch says: its speech, or for a unit
        recorded before units left speaker labels out, the stretch as it stands."""
        return text is not None and text in (self.spoken(start, end), self.text[start:end])

    def speech(self, start: int, end: int) -> tuple[int, int] | None:
        """The stretch narrowed to the speech it holds (from its first spoken character to
        its last), or None when it holds none: a selection that begins in a label or in the
        space between turns begins with the speech after it."""
        mask = self.masked()
        start, end = max(0, start), min(len(mask), end)
        inside = mask[start:end]
        lead = len(inside) - len(inside.lstrip())
        if lead == len(inside):
            return None
        return start + lead, start + len(inside.rstrip())

    def whole_words(self, start: int, end: int) -> tuple[int, int]:
        """The stretch widened to whole words where it begins or ends inside one (a word:
        letters, digits and combining marks; punctuation and emoji stand alone), never into a
        speaker label."""
        text = self.masked()
        while 0 < start < len(text) and _in_word(text[start - 1]) and _in_word(text[start]):
            start -= 1
        while 0 < end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
            end += 1
        return start, end

    def selected(self, start: int, end: int, snap: bool = False) -> tuple[int, int]:
        """What a selection from `start` to `end` (code points) covers as a unit: inside the
        text (E433), widened to whole words with `snap`, narrowed to the speech in it (E432)."""
        if not 0 <= start < end <= len(self.text):
            raise StcError("E433", doc=self.id, length=len(self.text), start=start, end=end)
        if snap:
            start, end = self.whole_words(start, end)
        speech = self.speech(start, end)
        if speech is None:
            raise StcError("E432", where=f"{self.id} {start}-{end}")
        return speech

    def masked(self) -> str:
        """The text with everything outside the speech (labels, the breaks between turns) as
        spaces: offsets stay those of the text, and whitespace-squeezing joins the turns."""
        if not self.turns:
            return self.text
        parts, at = [], 0
        for s, e, _ in self.turns:
            parts += [" " * (s - at), self.text[s:e]]
            at = e
        parts.append(" " * (len(self.text) - at))
        return "".join(parts)

    def haystack(self, loose: bool = False) -> Haystack:
        """The speech prepared for finding quotes in it (labels never match)."""
        return Haystack(self.masked(), loose)

    def labels(self, start: int, end: int) -> list[str]:
        """The labels of the speakers in the stretch, in order of first appearance."""
        found = (self.speakers[i][0] for i in self.turns_in(start, end))
        return list(dict.fromkeys(label for label in found if label))

    def interviewer_only(self, start: int, end: int) -> bool:
        """Whether only the interviewer speaks in the stretch."""
        inside = self.turns_in(start, end)
        return bool(inside) and all(self.speakers[i][1] == INTERVIEWER for i in inside)

    def question_before(self, start: int, end: int) -> tuple[int, int] | None:
        """The interviewer's turn before the stretch (its span): the question a unit answers,
        kept as its context. None when the stretch opens with the interviewer's own words or
        no interviewer spoke before it."""
        inside = self.turns_in(start, end)
        if not inside or self.speakers[inside[0]][1] == INTERVIEWER:
            return None
        before = bisect_left(self.asking, inside[0])  # the interviewer's turns before it
        if not before:
            return None
        question = self.turns[self.asking[before - 1]]
        return question[0], question[1]

    def context(self, start: int, end: int) -> str:
        """The question before the stretch, as spoken (empty when there is none)."""
        question = self.question_before(start, end)
        return self.spoken(*question) if question else ""


def load_doc(conn: sqlite3.Connection, doc: str) -> DocText:
    """The current version of transcript `doc`; once inside `trail.read_once` (a report's
    checks and its model read every transcript), an answer its readers share."""
    return once(conn, f"doc:{doc}", lambda: _load_doc(conn, doc))


def _load_doc(conn: sqlite3.Connection, doc: str) -> DocText:
    row = conn.execute("SELECT id, version, participant, text FROM documents WHERE id = ?",
                       (doc,)).fetchone()
    plain = conn.cursor()
    plain.row_factory = None  # plain tuples: a Row per segment costs more than the segment
    segs = plain.execute("SELECT n, start, end FROM segments WHERE doc = ? AND version = ?"
                         " ORDER BY n", (doc, row[1])).fetchall()
    turns = plain.execute("SELECT start, end, participant, speaker, role FROM turns"
                          " WHERE doc = ? AND version = ? ORDER BY turn", (doc, row[1])).fetchall()
    speaking = {int(t[2]) for t in turns if t[2] is not None}
    names = {pid: stored_value(conn, str(name)) for pid, name in conn.execute(
        "SELECT id, name FROM participants") if pid in speaking or pid == row[2]}
    labels = {label: stored_value(conn, str(label)) for label in {t[3] for t in turns} if label}
    return DocText(row[0], row[1], row[2], must_text(conn, row[3]), [s[0] for s in segs],
                   [s[1] for s in segs], [s[2] for s in segs],
                   [(int(t[0]), int(t[1]), None if t[2] is None else int(t[2])) for t in turns],
                   names, [(labels.get(t[3]), str(t[4])) for t in turns],
                   [i for i, t in enumerate(turns) if t[4] == INTERVIEWER],
                   [int(t[0]) for t in turns], [int(t[1]) for t in turns])


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
    found = (hay or doc.haystack(loose)).find(quote, start, end)
    if not found:
        raise StcError("E404", where=where)
    if len(found) > 1:
        places = ", ".join(doc.ref(s, e) for s, e in found)
        raise StcError("E405", count=len(found), places=places)
    return found[0]


def check_speech(doc: DocText, start: int, end: int, allow_interviewer: bool = False
                 ) -> list[str]:
    """The rules for the speech of a new or moved unit: the interviewer's speech alone is
    refused (E431) unless allowed; a unit across speakers is made, with a warning naming them.
    Returns the warnings."""
    ref = doc.ref(start, end)
    if not allow_interviewer and doc.interviewer_only(start, end):
        raise StcError("E431", ref=ref)
    labels = doc.labels(start, end)
    if len(labels) > 1:
        return [f"{ref} crosses speakers: {', '.join(labels)}"]
    return []


def place_fields(conn: sqlite3.Connection, doc: DocText, start: int, end: int
                 ) -> dict[str, object]:
    """Where a unit lies and what it says, as `unit.add` and `unit.edit` record it: the
    place, the segments, and hashes of its text (the speech) and of the context kept around
    it to find it again after a re-import."""
    before, after = unit_context(doc.text, start, end)
    owner = doc_owner(doc.id)  # the transcript's salt (stc.texts)
    return {"doc": doc.id, "version": doc.version, "start": start, "end": end,
            "segments": doc.ref(start, end).partition(":")[2],
            "text": put_text(conn, doc.spoken(start, end), owner),
            "before": put_text(conn, before, owner), "after": put_text(conn, after, owner)}


def participants_by_unit(conn: sqlite3.Connection, unit: int | None = None,
                         units: Collection[int] | None = None) -> dict[int, list[int]]:
    """Who speaks in each unit (or in the one `unit`, or in `units`), by the rule of the
    module: ids of participants, in order. The turns of each transcript version are read once
    and a unit's found by bisection (turns follow each other without overlapping), not joined
    per unit. Every unit's: once inside `trail.read_once` (a report asks in several places),
    an answer its readers share and never change."""
    if unit is None and units is None:
        return once(conn, "participants_by_unit", lambda: _participants(conn, None))
    return _participants(conn, [unit] if unit is not None else list(units or ()))


def _participants(conn: sqlite3.Connection, wanted: list[int] | None) -> dict[int, list[int]]:
    where, args = ("", []) if wanted is None else (f" AND u.id IN ({marks(len(wanted))})",
                                                    wanted)
    turns: dict[tuple[str, int], tuple[list[int], list[int], list[int | None]]] = {}
    for doc, version, start, end, who in conn.execute(
            "SELECT t.doc, t.version, t.start, t.end, t.participant FROM turns t"
            " WHERE EXISTS (SELECT 1 FROM units u WHERE u.doc = t.doc AND u.version = t.version"
            + where + ") ORDER BY t.doc, t.version, t.turn", args):
        starts, ends, people = turns.setdefault((doc, version), ([], [], []))
        starts.append(start)
        ends.append(end)
        people.append(None if who is None else int(who))
    out: dict[int, list[int]] = {}
    for uid, doc, version, start, end, single in conn.execute(
            "SELECT u.id, u.doc, u.version, u.start, u.end, d.participant FROM units u"
            " JOIN documents d ON d.id = u.doc WHERE 1" + where, args):
        starts, ends, people = turns.get((doc, version), ([], [], []))
        first = bisect_right(ends, start)  # the first turn ending after the unit starts
        after = bisect_left(starts, max(end, start + 1))  # the first starting at its end
        if first + 1 == after:  # within one turn, as most units are
            one = people[first]
            out[int(uid)] = [] if one is None else [one]
        elif first < after:
            out[int(uid)] = sorted({p for p in people[first:after] if p is not None})
        else:
            out[int(uid)] = [] if single is None else [int(single)]
    return out


def unit_participants(conn: sqlite3.Connection, unit: int) -> list[int]:
    """Who speaks in the unit, by the rule of the module."""
    return participants_by_unit(conn, unit).get(unit, [])
