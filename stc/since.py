"""What changed since a meeting: the changes in effect after a change number, a seal or a
date, gathered per object in plain words, with who made each and why, and a word diff of every
text rewritten since (condensates, analytic texts, headings, notes).

Used by `stc diff --since` and the workbench's "since our meeting" page.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from stc.errors import StcError
from stc.history import display
from stc.refs import digits, number
from stc.texts import get_text
from stc.trail import REDO, UNDO, Record, cancelled, moment, records


class Change(NamedTuple):
    """One change after the point, in plain words."""

    seq: int
    at: str
    author: str
    what: str
    why: str | None
    diff: str | None  # a word diff of a rewritten text: [-old-] {+new+}

    @property
    def pieces(self) -> list[tuple[str, str]]:
        """The word diff in pieces, for a page to mark (see `diff_pieces`)."""
        return diff_pieces(self.diff) if self.diff else []


class ObjectChanges(NamedTuple):
    """What happened to one object since the point."""

    key: str
    name: str
    changes: list[Change]

    def as_json(self) -> dict[str, Any]:
        return {"object": self.key, "name": self.name,
                "changes": [c._asdict() for c in self.changes]}


def point(conn: sqlite3.Connection, since: str, files: bool = True) -> int:
    """The change number a `--since` names: a number (`212`, `#212`), a seal file (unless
    `files` is false: a page names a seal by its number, see `seals`), or a date or time (UTC
    unless it names a zone): the last change before it."""
    text = since.strip().lstrip("#")
    if digits(text):
        return number(text, since, "change")
    path = Path(since)
    if files and path.is_file():
        from stc.sealing import read_expected

        head = read_expected(str(path))
        if head.seq is not None:
            return head.seq
        row = conn.execute("SELECT seq FROM trail WHERE hash = ?", (head.hash,)).fetchone()
        if row is None:
            raise StcError("E563", since=since)
        return int(row[0])
    try:
        stamp = moment(text)
    except ValueError:
        raise StcError("E564", since=since) from None
    row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM trail WHERE at < ?",
                       (stamp,)).fetchone()
    return int(row[0])


class Seal(NamedTuple):
    """A seal recorded in the trail: the change it sealed, when, by whom."""

    sealed: int  # the last change the seal covers
    at: str
    author: str


def seals(conn: sqlite3.Connection) -> list[Seal]:
    """The seals recorded, newest first: points a meeting may be counted from."""
    return [Seal(int(seq), str(at), str(author)) for seq, at, author in conn.execute(
        "SELECT payload ->> '$.seq', at, author FROM trail WHERE kind = 'seal'"
        " ORDER BY seq DESC")]


def changed_since(conn: sqlite3.Connection, since: int, language: str = "en"
                  ) -> list[ObjectChanges]:
    """Per object, in the order objects were first changed, what the changes in effect after
    change `since` did, said in `language`. Undone changes are left out, as is what they
    undid."""
    later = [r for r in records(conn, after=since)]
    gone = cancelled((r.kind, r.payload) for r in records(conn) if r.kind in (UNDO, REDO))
    grouped: dict[str, list[Change]] = {}
    for record in later:
        if record.kind in (UNDO, REDO) or record.seq in gone:
            continue
        for key in _main_objects(record):
            grouped.setdefault(key, []).append(
                Change(record.seq, record.at, record.author, record.summary(language),
                       record.why,
                       _text_diff(conn, record, since)))
    return [ObjectChanges(key, display(conn, key, language), changes)
            for key, changes in grouped.items()]


def _main_objects(record: Record) -> list[str]:
    """The objects a change is about, for grouping: what it makes or changes (a new unit's
    document and codes are only used)."""
    objects = sorted(record.objects())
    return objects or ["project"]


def _text_diff(conn: sqlite3.Connection, record: Record, since: int) -> str | None:
    """A word diff of a text this change rewrote, against the text as it stood at `since`."""
    p = record.payload
    if record.kind == "condensate.set":
        field, target = "condensate", (p["kind"], p["id"])
    elif record.kind == "text.set" and p["field"] in ("condensate", "description", "heading"):
        field, target = p["field"], (p["kind"], p["id"])
    elif record.kind == "unit.set" and "note" in p:
        field, target = "note", ("unit", p["id"])
    else:
        return None
    new = _value(conn, field, p["value"] if "value" in p else p.get("note"))
    old = _value(conn, field, _before(conn, field, target, since))
    if old == new:
        return None
    return word_diff(old or "", new or "")


def _value(conn: sqlite3.Connection, field: str, stored: str | None) -> str | None:
    if stored is None:
        return None
    return stored if field == "heading" else get_text(conn, stored)


def _before(conn: sqlite3.Connection, field: str, target: tuple[str, int], since: int
            ) -> str | None:
    """The stored value of `field` of the target as it stood after change `since`."""
    kind, ident = target
    gone = cancelled((r.kind, r.payload) for r in records(conn, since) if r.kind in (UNDO, REDO))
    value: str | None = None
    for record in records(conn, since):
        if record.seq in gone:
            continue
        p = record.payload
        sets = {"condensate.set": "condensate", "text.set": p.get("field")}.get(record.kind)
        if sets == field and (p.get("kind"), p.get("id")) == target:
            value = p["value"]
        elif record.kind in ("unit.add", "unit.set") and kind == "unit" and p["id"] == ident \
                and field == "note" and "note" in p:
            value = p["note"]
    return value


_WORDS = re.compile(r"\S+|\s+")


def word_diff(old: str, new: str) -> str:
    """`old` turned into `new`, word by word: removed words as [-…-], added as {+…+}."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            out.append("[-" + "".join(a[i1:i2]).strip() + "-]")
        if tag in ("insert", "replace"):
            out.append(("" if tag == "insert" else " ") + "{+" + "".join(b[j1:j2]).strip() + "+}")
    return _spaced("".join(out))


_MARKED = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.S)


def diff_pieces(diff: str) -> list[tuple[str, str]]:
    """A word diff as `word_diff` writes it, in pieces: ('=', kept), ('-', removed),
    ('+', added), for a page to show with its own marks."""
    out: list[tuple[str, str]] = []
    at = 0
    for found in _MARKED.finditer(diff):
        if found.start() > at:
            out.append(("=", diff[at:found.start()]))
        out.append(("-", found.group(1)) if found.group(1) is not None
                   else ("+", found.group(2)))
        at = found.end()
    if at < len(diff):
        out.append(("=", diff[at:]))
    return out


def _spaced(text: str) -> str:
    return re.sub(r"(-\]|\+\})(\S)", r"\1 \2", re.sub(r"(\S)(\[-|\{\+)", r"\1 \2", text))


def counted_changes(groups: Iterable[ObjectChanges]) -> int:
    return len({c.seq for g in groups for c in g.changes})
