"""Supervision and validation: a supervisor's comments on the analysis, and the step that
closes the method — going back to the transcripts with each category in hand
(recontextualisation), recorded as a dated validation memo.

A comment is anchored to a meaning unit (`U7`), a place in a transcript (`I1:12-14`), a
category or subcategory (`GROUP`, `GROUP/SUBGROUP`), or the condensate or analytic text of one
(`condensate:GROUP/SUBGROUP`, `text:GROUP`). Comments are analysis history: recorded in the
trail, shown in the audit report, never in the results chapter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, NamedTuple

from stc.errors import StcError
from stc.lookup import KINDS, TABLES, get, get_group_or_subgroup, object_of, resolve_ref
from stc.project import Project
from stc.refs import UNIT_REF, digits, number
from stc.since import ObjectChanges, Seal, changed_since, counted_changes, point, seals
from stc.stages.impression import Memo, add_memo
from stc.texts import get_text, key_owner, must_text
from stc.trail import effective, once, records
from stc.units import Places

PARTS = {"condensate": "condensate", "text": "analytic text"}


class Comment(NamedTuple):
    """A comment, where it stands, who made it and whether it was resolved."""

    id: int
    ref: str  # where it stands now (the current name of what it is on)
    body: str
    seq: int
    at: str
    author: str
    resolved: int | None  # the change that resolved it
    resolution: str | None

    @property
    def open(self) -> bool:
        return self.resolved is None

    def as_json(self) -> dict[str, Any]:
        return {"comment": f"C{self.id}", **self._asdict(), "open": self.open}


def anchor(conn: sqlite3.Connection, ref: str) -> tuple[str, str | None, str | None]:
    """(ref as it will be shown, object key, part) of what a comment is on."""
    head, sep, rest = ref.strip().partition(":")
    if sep and head.lower() in PARTS:
        target = get_group_or_subgroup(conn, rest)
        return (f"{head.lower()}:{target.ref}", f"{target.kind}:{target.id}", head.lower())
    canonical = resolve_ref(conn, ref)
    named = object_of(conn, canonical)
    if named is not None:
        return canonical, f"{named.kind}:{named.id}", None
    if UNIT_REF.fullmatch(canonical):
        return canonical, f"unit:{canonical[1:]}", None
    return canonical, f"doc:{canonical.split(':', 1)[0]}", None


def add_comment(project: Project, ref: str, body: str) -> Comment:
    """A comment on REF (see the module's text), recorded by the project's author."""
    if not body.strip():
        raise StcError("E560")
    with project.batch() as b:
        shown, key, part = anchor(b.conn, ref)
        ident = b.next_id("comments")
        rec = b.record("comment.add", {"id": ident, "ref": shown, "on": key, "part": part,
                                       "body": b.text(body.strip(), key_owner(b.conn, key))})
    return Comment(ident, shown, body.strip(), rec.seq, rec.at, rec.author, None, None)


def comment_id(conn: sqlite3.Connection, ref: str) -> int:
    text = ref.strip().upper().removeprefix("C")
    if not digits(text):
        raise StcError("E561", ref=ref)
    ident = number(text, ref, "comment")
    if conn.execute("SELECT 1 FROM comments WHERE id = ?", (ident,)).fetchone() is None:
        raise StcError("E561", ref=ref)
    return ident


def resolve_comment(project: Project, ref: str, note: str | None = None) -> Comment:
    """Mark a comment resolved, optionally saying how."""
    with project.batch() as b:
        ident = comment_id(b.conn, ref)
        row = b.conn.execute("SELECT resolved, on_key FROM comments WHERE id = ?",
                             (ident,)).fetchone()
        if row[0] is not None:
            raise StcError("E562", ref=f"C{ident}", seq=row[0])
        b.record("comment.resolve", {"id": ident,
                                     "note": b.text(note.strip(), key_owner(b.conn, row[1]))
                                     if note and note.strip() else None})
    return next(c for c in comments(project.conn) if c.id == ident)


def comments(conn: sqlite3.Connection, open_only: bool = False) -> list[Comment]:
    """Every comment, oldest first, each showing the current name of what it is on."""
    rows = conn.execute(
        "SELECT c.id, c.ref, c.on_key, c.part, c.body, c.seq, t.at, t.author, c.resolved,"
        " c.resolution FROM comments c JOIN trail t ON t.seq = c.seq ORDER BY c.id").fetchall()
    out = []
    for ident, ref, key, part, body, seq, at, author, resolved, resolution in rows:
        if open_only and resolved is not None:
            continue
        out.append(Comment(ident, _shown(conn, ref, key, part), must_text(conn, body), seq, at,
                           author, resolved, get_text(conn, resolution)))
    return out


def comments_on(conn: sqlite3.Connection, refs: Iterable[str], open_only: bool = False
                ) -> list[Comment]:
    """The comments that stand on any of `refs` (as `comments` shows them: `U7`,
    `group:NAME`, `text:GROUP/SUBGROUP`, …; case does not matter)."""
    wanted = {r.casefold() for r in refs}
    return [c for c in comments(conn, open_only) if c.ref.casefold() in wanted]


def place_of(conn: sqlite3.Connection, ref: str) -> tuple[str, int] | None:
    """Where in a transcript a comment on a unit or a place stands: (DOC, first segment);
    None for a comment on anything else, or on a unit deleted since."""
    if UNIT_REF.match(ref):
        row = conn.execute("SELECT doc, version, start, end FROM units WHERE id = ?",
                           (int(ref[1:]),)).fetchone()
        if row is None:
            return None
        where = Places(conn).ref(row[0], row[1], row[2], row[3])
        doc, _, numbers = where.partition(":")
        return doc, int(numbers.split("-")[0])
    doc, sep, numbers = ref.partition(":")
    first = numbers.split("-")[0]
    if sep and first.isdigit() and doc.lower() not in KINDS and doc.lower() not in PARTS:
        return doc, int(first)
    return None


def _shown(conn: sqlite3.Connection, ref: str, key: str | None, part: str | None) -> str:
    """Where a comment stands now: a category or code by its current name."""
    kind, _, ident = (key or "").partition(":")
    if kind not in KINDS or not ident.isdigit():
        return ref
    if kind == "subgroup":
        row = conn.execute("SELECT g.name || '/' || s.name FROM subgroups s JOIN code_groups g"
                           " ON g.id = s.group_id WHERE s.id = ?", (int(ident),)).fetchone()
    else:
        row = conn.execute(f"SELECT name FROM {TABLES[kind]} WHERE id = ?",
                           (int(ident),)).fetchone()
    if row is None:
        return ref  # dropped since: shown as written
    return f"{part}:{row[0]}" if part else f"{kind}:{row[0]}"


# -- what changed since a meeting --------------------------------------------------------------

class Since(NamedTuple):
    """What changed since a point a page names (see `since_meeting`)."""

    start: int | None  # the change counted from; None when no point was named
    objects: list[ObjectChanges]
    changes: int  # how many changes, across the objects
    seals: list[Seal]  # the seals recorded, points to count from


def since_meeting(conn: sqlite3.Connection, asked: str | None, language: str = "en") -> Since:
    """Per object, what changed since `asked`: a change number, a date or time, or a seal
    named by the change it sealed (a page names no files: `stc diff --since FILE` reads one);
    each change said in `language`."""
    start = point(conn, asked, files=False) if asked and asked.strip() else None
    objects = changed_since(conn, start, language) if start is not None else []
    return Since(start, objects, counted_changes(objects), seals(conn))


# -- validation: back to the transcripts with each category in hand --------------------------

# changes that say something about a category without changing what it holds
_NOT_CONTENT = {"memo.add", "comment.add", "comment.resolve", "order", "reason", "seal"}


def validate(project: Project, group: str, body: str) -> Memo:
    """Record that the category GROUP was checked against the full transcripts (Malterud's
    recontextualisation): what was looked at, and whether the synthesis still holds or what
    contradicts it. A validation memo on the category, dated by the trail."""
    target = get(project.conn, "group", group)
    return add_memo(project, body, kind="validation", on=f"group:{target.name}")


class Validation(NamedTuple):
    """Whether a category was validated after its last change."""

    group_id: int
    name: str
    validated: int | None  # the change of the latest validation memo
    at: str | None
    author: str | None
    last_change: int | None  # the last change to what the category holds

    @property
    def current(self) -> bool:
        return self.validated is not None and (self.last_change is None
                                               or self.validated > self.last_change)


def validations(conn: sqlite3.Connection) -> list[Validation]:
    """Per category, in the user's order: its latest validation and its last change (to the
    category, its subgroups, its codes, or the units coded, sorted or condensed in it). Once
    inside `trail.read_once` (a report's checks and its audit ask), an answer its readers
    share and never change."""
    return once(conn, "validations", lambda: _validations(conn))


def _validations(conn: sqlite3.Connection) -> list[Validation]:
    last: dict[str, int] = {}  # object key -> the last change to it (the trail is in order)
    for r in effective(records(conn)):
        if r.kind not in _NOT_CONTENT and not r.is_mark:
            for key in r.objects() | r.uses():
                last[key] = r.seq
    out = []
    for group_id, name in conn.execute("SELECT id, name FROM code_groups ORDER BY position, id"):
        held = {f"group:{group_id}"}
        held |= {f"subgroup:{r[0]}" for r in conn.execute(
            "SELECT id FROM subgroups WHERE group_id = ?", (group_id,))}
        held |= {f"code:{r[0]}" for r in conn.execute(
            "SELECT id FROM codes WHERE group_id = ?", (group_id,))}
        changes = [last[key] for key in held if key in last]
        row = conn.execute("SELECT m.seq, t.at, t.author FROM memos m JOIN trail t"
                           " ON t.seq = m.seq WHERE m.kind = 'validation' AND m.on_key = ?"
                           " ORDER BY m.seq DESC LIMIT 1", (f"group:{group_id}",)).fetchone()
        out.append(Validation(int(group_id), str(name), row[0] if row else None,
                              row[1] if row else None, row[2] if row else None,
                              max(changes) if changes else None))
    return out
