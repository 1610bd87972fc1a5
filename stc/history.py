"""Commands in the trail: undo and redo of whole commands, and what changed since a change.

Every change belongs to a command: what one `stc` invocation (or one workbench action)
recorded, numbered by its first change. `stc undo` reverts the last command still in effect,
all its changes at once; `undo --change N` reverts one change; `stc redo` restores what the
last undo reverted, as long as nothing new was recorded since. An undo or redo is itself a
record: history is never deleted, and the state is the replay of the changes in effect.

Objects are named by kind and id (`unit:7`, `subgroup:3`, `doc:I1`), which renames do not
change. A write based on what a user saw at change N (a matrix exported then, a page loaded
then) asks `changed_since` which of its objects changed after N, and refuses those.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from stc.errors import CannotUndo, StcError
from stc.trail import (
    REDO,
    UNDO,
    Record,
    append,
    cancelled_by,
    effective,
    record_at,
    records,
    replay,
)


class Command(NamedTuple):
    """The changes one command recorded that are still in effect."""

    id: int
    label: str | None
    changes: list[Record]

    @property
    def seqs(self) -> list[int]:
        return [r.seq for r in self.changes]

    def describe(self) -> str:
        """How messages name it: its command line, and what it changed."""
        seqs = self.seqs
        if len(seqs) == 1:
            what = f"#{seqs[0]}: {self.changes[0].summary()}"
        else:
            span = (f"#{seqs[0]}-{seqs[-1]}" if seqs == list(range(seqs[0], seqs[-1] + 1))
                    else ", ".join(f"#{s}" for s in seqs))
            what = f"{span}: {len(seqs)} changes"
        return f'"{self.label}" ({what})' if self.label else what


def commands(in_effect: Iterable[Record]) -> list[Command]:
    """The commands whose changes are in effect, in order. A change recorded before commands
    were kept is a command of its own."""
    grouped: dict[int, list[Record]] = {}
    labels: dict[int, str | None] = {}
    for record in in_effect:
        key = record.command if record.command is not None else record.seq
        grouped.setdefault(key, []).append(record)
        if record.label:
            labels[key] = record.label
    return [Command(key, labels.get(key), changes) for key, changes in grouped.items()]


# -- undo ------------------------------------------------------------------------------------

def undo_last(conn: sqlite3.Connection, author: str, why: str | None,
              among: set[int] | None = None, command: int | None = 0,
              label: str | None = None) -> tuple[Record, Command]:
    """Revert the last command in effect (the last of the commands numbered in `among`, when
    given: a workbench page undoes its own commands only). The caller holds the write
    transaction."""
    all_records = list(records(conn))
    in_effect = effective(all_records)
    candidates = [c for c in commands(in_effect[1:])  # the project's creation stays
                  if (among is None or c.id in among)
                  and not all(r.is_mark for r in c.changes)]  # a seal is no command to undo
    if not candidates:
        raise CannotUndo()
    target = candidates[-1]
    return _revert(conn, author, why, all_records, in_effect, target, command, label), target


def undo_change(conn: sqlite3.Connection, author: str, why: str | None, seq: int,
                command: int | None = 0, label: str | None = None) -> tuple[Record, Command]:
    """Revert one change, wherever it stands, unless a later change depends on it."""
    all_records = list(records(conn))
    in_effect = effective(all_records)
    found = [r for r in in_effect if r.seq == seq]
    if not found or found[0].kind in (UNDO, REDO):
        last = all_records[-1].seq if all_records else 0
        if not 1 <= seq <= last:
            raise StcError("E304", seq=seq, last=last)
        raise StcError("E320", seq=seq)
    if seq == in_effect[0].seq:
        raise CannotUndo()
    first = record_at(conn, found[0].command) if found[0].command else None
    target = Command(seq, first.label if first else None, found)
    return _revert(conn, author, why, all_records, in_effect, target, command, label), target


def _revert(conn: sqlite3.Connection, author: str, why: str | None, all_records: list[Record],
            in_effect: list[Record], target: Command, command: int | None,
            label: str | None) -> Record:
    for change in target.changes:
        if not change.undoable:
            raise CannotUndo("E302", seq=change.seq, kind=change.kind,
                             why="its texts are gone for good")
    _refuse_dependants(in_effect, target)
    payload = {"seqs": target.seqs, "kinds": [r.kind for r in target.changes],
               "label": target.label}
    record = append(conn, author, UNDO, payload, why, command=command, label=label)
    _rebuild(conn, [r for r in in_effect if r.seq not in set(target.seqs)], target)
    return record


def _refuse_dependants(in_effect: list[Record], target: Command) -> None:
    """A later change would be left resting on something that is gone, or would silently
    lose its effect, when it uses an object the reverted changes made, or changes an object
    they changed: refuse, naming it."""
    reverted = set(target.seqs)
    made = set().union(*(r.created() for r in target.changes))
    changed = set().union(*(r.objects() for r in target.changes))
    later = [r for r in in_effect if r.seq > min(reverted) and r.seq not in reverted
             and ((r.objects() | r.uses()) & made or r.objects() & changed)]
    if later:
        raise StcError("E321", what=target.describe(),
                       later=", ".join(f"#{r.seq} ({r.summary()})" for r in later[:5])
                       + (f" and {len(later) - 5} more" if len(later) > 5 else ""))


def _rebuild(conn: sqlite3.Connection, in_effect: list[Record], target: Command) -> None:
    try:
        replay(conn, in_effect)
    except sqlite3.IntegrityError:  # a later change needs what is being reverted
        raise StcError("E321", what=target.describe(), later="a later change") from None


# -- redo ------------------------------------------------------------------------------------

def _redoable(all_records: list[Record]) -> Record | None:
    """The last undo that can be redone: redo undoes undos in reverse order, and recording
    anything new ends the chance to redo (as in every editor)."""
    stack: list[Record] = []
    for record in all_records:
        if record.kind == UNDO:
            stack.append(record)
        elif record.kind == REDO:
            if stack and stack[-1].seq == record.payload["undo"]:
                stack.pop()
        else:
            stack.clear()
    return stack[-1] if stack else None


def redo_last(conn: sqlite3.Connection, author: str, why: str | None,
              among: set[int] | None = None, command: int | None = 0,
              label: str | None = None) -> tuple[Record, Record]:
    """Restore what the last undo reverted (of the undos numbered in `among`, when given).
    Returns the redo record and the undo it cancels."""
    all_records = list(records(conn))
    undo = _redoable(all_records)
    if undo is None or (among is not None and undo.seq not in among):
        raise StcError("E322")
    payload = {"undo": undo.seq, "seqs": cancelled_by(undo.payload),
               "kinds": undo.payload.get("kinds", []), "label": undo.payload.get("label")}
    record = append(conn, author, REDO, payload, why, command=command, label=label)
    replay(conn, effective([*all_records, record]))
    return record, undo


# -- what changed since ----------------------------------------------------------------------

def changed_since(conn: sqlite3.Connection, objects: set[str], since: int) -> dict[str, int]:
    """For each of `objects` changed after change `since`: the number of its last change
    (an undo or redo counts as a change of what it reverts)."""
    out: dict[str, int] = {}
    for record in records(conn, after=since):
        touched = _touched(conn, record)
        for key in touched & objects:
            out[key] = record.seq
    return out


def _touched(conn: sqlite3.Connection, record: Record) -> set[str]:
    if record.kind not in (UNDO, REDO):
        return record.objects()
    out: set[str] = set()
    for seq in cancelled_by(record.payload):
        reverted = record_at(conn, seq)
        if reverted is not None:
            out |= reverted.objects()
    return out


def require_unchanged(conn: sqlite3.Connection, objects: set[str], since: int) -> None:
    """Refuse a write based on change `since` when any of its objects changed after it."""
    changed = changed_since(conn, objects, since)
    if changed:
        places = ", ".join(f"{display(conn, key)} in #{seq}"
                           for key, seq in sorted(changed.items(), key=lambda i: i[1]))
        raise StcError("E323", places=places, since=since)


_NAMED = {"theme": "themes", "code": "codes", "group": "code_groups", "subgroup": "subgroups"}


def display(conn: sqlite3.Connection, key: str) -> str:
    """How a user reads an object key: `unit:7` → U7, `memo:3` → M3, `doc:I1` → I1,
    `code:3` → code 'its name'."""
    kind, _, ident = key.partition(":")
    if kind in ("unit", "memo"):
        return f"{kind[0].upper()}{ident}"
    if kind == "doc":
        return ident
    if kind in _NAMED and ident.isdigit():
        row = conn.execute(f"SELECT name FROM {_NAMED[kind]} WHERE id = ?",
                           (int(ident),)).fetchone()
        if row is not None:
            return f"{kind} {row[0]!r}"
    return key
