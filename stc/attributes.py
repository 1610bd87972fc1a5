"""Attributes of participants (profession, years, an outcome score) and of transcripts (a focus
group meeting's time point): typed values, set by hand or from a participants table.

A value is a number, an ISO date or a category; a key holds values of one type (a category key
takes any value, since a category may be written with digits). Values live in the erasable text
store, by hash, like names; the trail says which key of whom changed, never the value.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from stc import naming
from stc.errors import StcError
from stc.texts import doc_owner, participant_owner, stored_value

if TYPE_CHECKING:
    from stc.project import Batch, Project

OWNER_KINDS = ("participant", "doc")
TYPES = ("number", "date", "category")
PLURAL = {"number": "numbers", "date": "dates", "category": "categories"}
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")  # matched in full, as _DATE
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEY = re.compile(r"[^\s=]{1,40}")  # matched in full: no line break after it either
MIN_CELL = 3  # reports print a smaller count of participants with an attribute as "< 3"


class Value(NamedTuple):
    """An attribute's value: its text (numbers with a point) and type."""

    text: str
    type: str

    @property
    def number(self) -> float | None:
        return float(self.text) if self.type == "number" else None

    def json(self) -> Any:
        if self.type == "number":
            number = float(self.text)
            return int(number) if number.is_integer() and "." not in self.text else number
        return self.text

    def sort_key(self) -> tuple[int, float, str]:
        if self.type == "number":
            return (0, float(self.text), "")
        return (1, 0.0, naming.key(self.text))


def typed(text: str) -> Value:
    """A value as written, with its type: 18,5 and 18.5 are the number 18.5, 2025-03-01 a
    date, anything else a category."""
    text = " ".join(text.split())
    if _NUMBER.fullmatch(text):
        return Value(text.replace(",", ".").lstrip("+"), "number")
    if _DATE.fullmatch(text):
        try:
            return Value(date.fromisoformat(text).isoformat(), "date")
        except ValueError:
            pass
    return Value(text, "category")


def fitting(value: Value, key_type: str | None) -> Value | None:
    """The value as a key of `key_type` holds it, or None when it does not fit (a word where
    the key holds numbers)."""
    if key_type is None or key_type == value.type:
        return value
    if key_type == "category":
        return Value(value.text, "category")
    return None


def good_key(key: str) -> bool:
    """Whether an attribute key is one: at most 40 characters, no space or '=', and visible
    text as every name is (stc.naming)."""
    try:
        return bool(_KEY.fullmatch(key)) and naming.checked("attribute key", key) == key
    except StcError:
        return False


def parse_pairs(pairs: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """KEY=VALUE pairs; an empty VALUE removes the attribute."""
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip(" ")  # a key holds no other white space (a line break either)
        if not sep or not good_key(key):
            raise StcError("E810", pair=pair)
        out.append((key, value.strip()))
    return out


def attributes_of(conn: sqlite3.Connection, owner_kind: str) -> dict[str, dict[str, Value]]:
    """Every attribute of participants (by id as text) or transcripts (by id), by key."""
    out: dict[str, dict[str, Value]] = {}
    for owner, key, value, kind in conn.execute(
            "SELECT owner, key, value, type FROM attributes WHERE owner_kind = ?"
            " ORDER BY owner, key", (owner_kind,)):
        out.setdefault(str(owner), {})[str(key)] = Value(stored_value(conn, str(value)), kind)
    return out


def key_types(conn: sqlite3.Connection, owner_kind: str) -> dict[str, str]:
    """Each key of that kind of owner, casefolded, with the type of its values."""
    return {naming.key(str(key)): str(kind) for key, kind in conn.execute(
        "SELECT key, MIN(type) FROM attributes WHERE owner_kind = ? GROUP BY key",
        (owner_kind,))}


def keys_of(conn: sqlite3.Connection, owner_kind: str) -> list[str]:
    """The attribute keys of participants or transcripts, as first written, sorted."""
    return [str(r[0]) for r in conn.execute(
        "SELECT key FROM attributes WHERE owner_kind = ? GROUP BY key COLLATE NOCASE"
        " ORDER BY key COLLATE NOCASE", (owner_kind,))]


@dataclass
class Difference:
    """What setting attributes changed, one line per value, and the last change's number."""

    lines: list[str] = field(default_factory=list)
    unchanged: int = 0
    seq: int | None = None


def _owner_label(owner_kind: str, owner: str) -> str:
    return f"P{owner}" if owner_kind == "participant" else owner


def owner_salt(owner_kind: str, owner: str) -> str:
    """Whose salt hashes an attribute value: the participant's or the transcript's."""
    return participant_owner(owner) if owner_kind == "participant" else doc_owner(owner)


def record_value(b: Batch, owner_kind: str, owner: str, key: str, value: Value | None,
                 current: Value | None, diff: Difference) -> None:
    """Record one attribute's new value (None removes it) when it differs from `current`."""
    if value == current:
        diff.unchanged += 1
        return
    b.record("attribute.set", {
        "owner_kind": owner_kind, "owner": int(owner) if owner_kind == "participant" else owner,
        "key": key, "value": None if value is None else b.text(value.text, owner_salt(owner_kind,
                                                                                  owner)),
        "type": (value or current or Value("", "category")).type})
    shown = f"{_owner_label(owner_kind, owner)} {key}: "
    diff.lines.append(shown + (f"{current.text if current else '(none)'} → "
                               f"{value.text if value else '(removed)'}"))


def owner_of(conn: sqlite3.Connection, owner_kind: str, given: str) -> str:
    """A participant (`P3` or the name) as its id, or a transcript's id."""
    if owner_kind == "participant":
        from stc.participants import get

        return str(get(conn, given))
    from stc.refs import resolve_doc

    return resolve_doc(conn, given)


def set_attributes(project: Project, owner_kind: str, given: str,
                   pairs: list[tuple[str, str]], why: str | None = None) -> Difference:
    """Set (or with an empty value remove) attributes of one participant (`P3` or the name)
    or transcript."""
    diff = Difference()
    with project.batch(why) as b:
        owner = owner_of(b.conn, owner_kind, given)
        types = key_types(b.conn, owner_kind)
        current = attributes_of(b.conn, owner_kind).get(owner, {})
        spelled = {naming.key(k): k for k in keys_of(b.conn, owner_kind)}
        for key, text in pairs:
            key = spelled.setdefault(naming.key(key), key)
            value = None
            if text:
                value = fitting(typed(text), types.get(naming.key(key)))
                if value is None:
                    raise StcError("E811", key=key, kind=PLURAL[types[naming.key(key)]],
                                   value=text)
                types.setdefault(naming.key(key), value.type)
            record_value(b, owner_kind, owner, key, value, current.get(key), diff)
        diff.seq = b.recorded[-1].seq if b.recorded else None
    return diff


# -- a participants table ------------------------------------------------------------------------

def _column_type(values: list[str]) -> str:
    """A column's type: number or date when every value is one, else category."""
    kinds = {typed(v).type for v in values if v}
    return kinds.pop() if len(kinds) == 1 else "category"


def import_participants(project: Project, path: Path, why: str | None = None) -> Difference:
    """Attributes from a table (.csv or .xlsx): one row per participant, the first column the
    participant (`P3` or the name), every other column an attribute. Re-importing a changed
    table records the difference. A bad row refuses the whole file: nothing is applied."""
    from stc.participants import find
    from stc.sheet import read_columns

    header, rows = read_columns(path)
    keys = header[1:]
    bad_keys = [k for k in keys if not good_key(k)]
    if not keys or bad_keys or len({naming.key(k) for k in keys}) < len(keys):
        raise StcError("E812", path=str(path), columns=", ".join(keys) or "none")
    diff = Difference()
    with project.batch(why) as b:
        types = key_types(b.conn, "participant")
        current = attributes_of(b.conn, "participant")
        spelled = {naming.key(k): k for k in keys_of(b.conn, "participant")}
        columns = {k: _column_type([cells[i + 1] for _, cells in rows])
                   for i, k in enumerate(keys)}
        problems: list[str] = []
        seen: dict[int, int] = {}
        planned: list[tuple[str, str, Value | None]] = []
        for number, cells in rows:
            who = find(b.conn, cells[0]) if cells[0] else None
            if who is None:
                problems.append(f"row {number}: " + (f"no participant {cells[0]!r}" if cells[0]
                                                    else "the participant is empty"))
                continue
            if who in seen:
                problems.append(f"row {number}: P{who} is also in row {seen[who]}")
                continue
            seen[who] = number
            for i, key in enumerate(keys):
                text = cells[i + 1]
                value = None
                if text:
                    value = fitting(typed(text), types.get(naming.key(key), columns[key]))
                    if value is None:
                        kind = PLURAL[types.get(naming.key(key), columns[key])]
                        problems.append(f"row {number}: {key} holds {kind}; {text!r} is not one")
                        continue
                planned.append((str(who), key, value))
        if problems:
            raise StcError("E813", path=str(path), count=len(problems),
                           rows="\n".join(f"  {p}" for p in problems))
        for owner, key, value in planned:
            key = spelled.setdefault(naming.key(key), key)
            record_value(b, "participant", owner, key, value,
                         current.get(owner, {}).get(key), diff)
        diff.seq = b.recorded[-1].seq if b.recorded else None
    return diff
