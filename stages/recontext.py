"""Recontextualisation: the last step of the method, going back to the full transcripts with a
category in hand. Does the synthesis still hold in context, and is there data that contradicts
it?

The view shows every transcript whole, each stretch marked by how it stands to the category:
inside one of its meaning units, inside one of its units set aside, inside units of other
categories only, the participant's speech that no unit holds, or other speech (the
interviewer's). A search for the category's words (by lemma, as `stc search --lemma`) runs
within the participants' uncoded speech only: what the coding may have passed over. The
validation itself is a dated memo (`stc.stages.supervision.validate`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from stc.reading import documents
from stc.search import search_lemma
from stc.stages.condensation import Target, group_units, resolve_group, unit_source_text
from stc.stages.impression import Memo, frequent, memos
from stc.stages.supervision import Comment, Validation, comments, validations
from stc.stages.views import transcript
from stc.units import Places

# how a stretch of a transcript stands to the category
IN, ASIDE, OTHER, UNCODED, SPOKEN = "in", "aside", "other", "uncoded", "spoken"
TERMS = 6  # the category's words searched for by default


class Stretch(NamedTuple):
    """A stretch of a segment that stands the same way to the category throughout."""

    start: int  # code points from the start of the transcript's text
    text: str
    kind: str  # IN, ASIDE, OTHER, UNCODED or SPOKEN
    units: tuple[int, ...]  # the category's units covering it
    hit: bool  # one of the words searched for, in uncoded speech


class Row(NamedTuple):
    n: int
    ref: str  # DOC:N, the hook `data-seg` in the page
    stretches: list[Stretch]
    units: list[int]  # the category's units that begin in this segment


class Turn(NamedTuple):
    speaker: str | None
    role: str
    rows: list[Row]


class Transcript(NamedTuple):
    id: str
    participant: str
    turns: list[Turn]
    units: list[int]  # the category's units in it, not set aside
    aside: list[int]  # and those set aside
    hits: int  # the words searched for, found in its uncoded speech
    erased: bool


class UnitNote(NamedTuple):
    """A unit of the category, as the margin of the view names it."""

    id: int
    segments: str
    place: str  # its subcategory, or the category when it has none
    aside: str | None  # the reason it was set aside
    text: str

    @property
    def ref(self) -> str:
        return f"U{self.id}"


class Recontext(NamedTuple):
    group: Target
    transcripts: list[Transcript]
    units: dict[int, UnitNote]
    suggested: list[tuple[str, str, int]]  # the category's frequent words: form, lemma, count
    searched: list[str]  # the words searched for in uncoded speech
    hits: list[tuple[str, int, str]]  # (transcript, segment, the word found)
    validations: list[Memo]  # the category's validation memos, oldest first
    validation: Validation | None  # whether the latest is after the category's last change
    comments: list[Comment]  # open comments on the category and its units


def view(conn: sqlite3.Connection, group: str, words: Sequence[str] | None = None,
         language: str = "en", pipeline: str | None = None) -> Recontext:
    """The category `group` against every transcript. `words`: what to search for in the
    participants' uncoded speech (default: the category's most frequent words)."""
    target = resolve_group(conn, group)
    members = group_units(conn, target.id)
    notes = _notes(conn, target, members)
    kept = {u for u, n in notes.items() if n.aside is None}
    suggested = frequent((n.text for n in notes.values() if n.aside is None), language,
                         pipeline, top=12)
    searched = [w for w in (words if words is not None else
                            [form for form, _, _ in suggested[:TERMS]]) if w.strip()]
    found = _uncoded_hits(conn, searched, language, pipeline)
    shown = [_transcript(conn, doc.id, doc.participant, set(notes), kept, found.get(doc.id, []))
             for doc in documents(conn)]
    hits = [(doc, n, word) for doc, spans in found.items() for n, _, _, word in spans]
    keys = {f"group:{target.name}".casefold(), *(f"U{u}".casefold() for u in members)}
    return Recontext(
        target, shown, notes, suggested, searched, hits,
        memos(conn, on=f"group:{target.name}", kind="validation"),
        next((v for v in validations(conn) if v.group_id == target.id), None),
        [c for c in comments(conn, open_only=True) if c.ref.casefold() in keys])


def _notes(conn: sqlite3.Connection, target: Target, members: list[int]
           ) -> dict[int, UnitNote]:
    places = Places(conn)
    out = {}
    for unit in members:
        row = conn.execute("SELECT u.doc, u.version, u.start, u.end, u.aside, s.name FROM units u"
                           " LEFT JOIN subgroups s ON s.id = u.subgroup_id AND s.group_id = ?"
                           " WHERE u.id = ?", (target.id, unit)).fetchone()
        place = f"{target.name}/{row['name']}" if row["name"] else target.name
        out[unit] = UnitNote(unit, places.ref(row["doc"], row["version"], row["start"],
                                              row["end"]),
                             place, row["aside"], unit_source_text(conn, unit))
    return out


def _uncoded_hits(conn: sqlite3.Connection, words: Sequence[str], language: str,
                  pipeline: str | None) -> dict[str, list[tuple[int, int, int, str]]]:
    """Per transcript, (segment, start, end, word) of every form of `words` in the
    participants' speech that no meaning unit holds."""
    if not words:
        return {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc, start, end in conn.execute(
            "SELECT u.doc, u.start, u.end FROM units u JOIN documents d ON d.id = u.doc"
            " AND d.version = u.version"):
        spans.setdefault(str(doc), []).append((int(start), int(end)))
    out: dict[str, list[tuple[int, int, int, str]]] = {}
    for hit in search_lemma(conn, " ".join(words), language, pipeline):
        if hit.role != "participant" or any(s < hit.end and e > hit.start
                                            for s, e in spans.get(hit.doc, [])):
            continue
        out.setdefault(hit.doc, []).append((hit.n, hit.start, hit.end, hit.match))
    return out


def _transcript(conn: sqlite3.Connection, doc: str, participant: str, members: set[int],
                kept: set[int], hits: list[tuple[int, int, int, str]]) -> Transcript:
    shown = transcript(conn, doc)
    cuts = sorted({b for _, start, end, _ in hits for b in (start, end)})
    turns = []
    for turn in shown.turns:
        rows = []
        for seg in turn.segments:
            stretches: list[Stretch] = []
            for piece in seg.pieces:
                mine = tuple(u for u in piece.units if u in members)
                kind = _kind(mine, piece.units, kept, turn.role)
                stretches += _split(piece.start, piece.text, kind, mine, cuts, hits)
            rows.append(Row(seg.n, seg.ref, stretches, [u for u in seg.units if u in members]))
        turns.append(Turn(turn.speaker, turn.role, rows))
    in_doc = [u for u in shown.units if u in members]
    return Transcript(doc, participant, turns, [u for u in in_doc if u in kept],
                      [u for u in in_doc if u not in kept], len(hits), shown.erased)


def _kind(mine: tuple[int, ...], units: Sequence[int], kept: set[int], role: str) -> str:
    """How a stretch is marked: in the category (`mine`: its units of the category; `kept`:
    those not set aside), set aside from it, coded elsewhere, or not coded."""
    if any(u in kept for u in mine):
        return IN
    if mine:
        return ASIDE
    if units:
        return OTHER
    return UNCODED if role == "participant" else SPOKEN


def _split(start: int, text: str, kind: str, units: tuple[int, ...], cuts: list[int],
           hits: list[tuple[int, int, int, str]]) -> list[Stretch]:
    """An uncoded stretch cut where the words searched for begin and end."""
    if kind != UNCODED or not hits:
        return [Stretch(start, text, kind, units, False)]
    bounds = [start, *(c for c in cuts if start < c < start + len(text)), start + len(text)]
    return [Stretch(a, text[a - start:b - start], kind, units,
                    any(s <= a and b <= e for _, s, e, _ in hits))
            for a, b in pairwise(bounds) if b > a]
