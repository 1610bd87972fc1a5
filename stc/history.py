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

from stc import naming
from stc.errors import CannotUndo, StcError
from stc.phrases import name_in, phrases, word
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

    def describe(self, language: str = "en") -> str:
        """How messages name it: its command line, and what it changed (said in `language`)."""
        seqs = self.seqs
        if len(seqs) == 1:
            what = f"#{seqs[0]}: {self.changes[0].summary(language)}"
        else:
            span = (f"#{seqs[0]}-{seqs[-1]}" if seqs == list(range(seqs[0], seqs[-1] + 1))
                    else ", ".join(f"#{s}" for s in seqs))
            what = f"{span}: {str(phrases(language)['changes_many']).format(n=len(seqs))}"
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

def changed_since(conn: sqlite3.Connection, objects: set[str], since: int,
                  besides: int | None = None) -> dict[str, int]:
    """For each of `objects` changed after change `since`: the number of its last change
    (an undo or redo counts as a change of what it reverts). `besides`: a command whose own
    changes do not count (the one being recorded)."""
    out: dict[str, int] = {}
    if not objects:
        return out
    for record in records(conn, after=since):
        if besides is not None and record.command == besides:
            continue
        touched = _touched(conn, record)
        for key in touched & objects:
            out[key] = record.seq
    return out


def created_since(conn: sqlite3.Connection, objects: set[str], since: int) -> set[str]:
    """Those of `objects` made after change `since`: a file written at `since` cannot have
    held them."""
    out: set[str] = set()
    for record in records(conn, after=since):
        out |= record.created() & objects
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


def require_unchanged(conn: sqlite3.Connection, objects: set[str], since: int,
                      besides: int | None = None) -> None:
    """Refuse a write based on change `since` when any of its objects changed after it (by
    another command than `besides`)."""
    changed = changed_since(conn, objects, since, besides)
    if changed:
        places = ", ".join(f"{display(conn, key)} in #{seq}"
                           for key, seq in sorted(changed.items(), key=lambda i: i[1]))
        raise StcError("E323", places=places, since=since)


_NAMED = {"theme": "themes", "code": "codes", "group": "code_groups", "subgroup": "subgroups"}


def display(conn: sqlite3.Connection, key: str, language: str = "en") -> str:
    """How a user reads an object key: `unit:7` → U7, `memo:3` → M3, `comment:2` → C2,
    `doc:I1` → I1, `code:3` → code 'its name' (said in `language`: kode «its name»)."""
    kind, _, ident = key.partition(":")
    if kind in ("unit", "memo", "participant", "comment"):
        return f"{kind[0].upper()}{ident}"
    if kind == "doc":
        return ident
    if kind in _NAMED and ident.isdigit():
        row = conn.execute(f"SELECT name FROM {_NAMED[kind]} WHERE id = ?",
                           (int(ident),)).fetchone()
        if row is not None:
            return f"{word(language, kind)} {name_in(language, str(row[0]))}"
    return word(language, key)  # the project, or a key as it is


# -- an object's history -----------------------------------------------------------------------
#
# An object keeps its id through renames, so its history is every change that makes, changes,
# uses or reverts something about that id; a merge target's history includes the histories of
# what was merged into it, and a code group's the preliminary theme it grew out of.

_NAMED_KINDS = ("theme", "code", "group", "subgroup")


def lineage(all_records: list[Record], keys: set[str]) -> set[str]:
    """`keys` and what they grew out of: objects merged into them, the themes groups came from."""
    return Lives(all_records).lineage(keys)


def touching(all_records: list[Record], keys: set[str]) -> list[Record]:
    """The records that make, change, use or revert any of the objects `keys`."""
    return Lives(all_records).touching(keys)


class Lives:
    """The history of every object at once: the records that touch each object key and what
    each object grew out of, indexed in one pass over the records, so that the lives of all
    objects cost one reading of the trail rather than one per object."""

    def __init__(self, all_records: list[Record]) -> None:
        self._records = all_records
        self._at: dict[str, list[int]] = {}  # key -> positions of the records touching it
        self._grew: dict[str, set[str]] = {}  # key -> what was merged into it, or it came from
        by_seq = {r.seq: r for r in all_records}
        for position, record in enumerate(all_records):
            if record.kind in (UNDO, REDO):
                reverted = [by_seq[s] for s in cancelled_by(record.payload) if s in by_seq]
                touched = set().union(*(r.objects() | r.uses() for r in reverted))
            else:
                touched = record.objects() | record.uses()
                self._grown(record)
            for key in touched:
                self._at.setdefault(key, []).append(position)

    def _grown(self, record: Record) -> None:
        p = record.payload
        if record.kind == "merge":
            self._grew.setdefault(f"{p['kind']}:{p['into']}", set()).update(
                f"{p['kind']}:{i}" for i in p["ids"])
        elif record.kind == "group.add":
            self._grew.setdefault(f"group:{p['id']}", set()).update(record.uses())

    def lineage(self, keys: set[str]) -> set[str]:
        """`keys` and what they grew out of, as far back as it goes."""
        out, todo = set(keys), list(keys)
        while todo:
            for found in self._grew.get(todo.pop(), ()):
                if found not in out:
                    out.add(found)
                    todo.append(found)
        return out

    def touching(self, keys: set[str]) -> list[Record]:
        """The records that make, change, use or revert any of `keys`, in the trail's order."""
        positions = sorted({i for key in keys for i in self._at.get(key, ())})
        return [self._records[i] for i in positions]


def named_keys(conn: sqlite3.Connection, all_records: list[Record], name: str,
               kinds: tuple[str, ...] = _NAMED_KINDS) -> set[str]:
    """The themes, codes, groups and subgroups that bear `name` now or bore it once (a
    subgroup also as GROUP/SUBGROUP)."""
    from stc.lookup import find

    out = {f"{found.kind}:{found.id}" for found in (find(conn, k, name) for k in kinds)
           if found is not None}
    wanted = naming.key(name.strip())
    for record in all_records:
        kind, names = _names_borne(record)
        if kind in kinds and wanted in names:
            out.add(f"{kind}:{record.payload['id']}")
    return out


def _names_borne(record: Record) -> tuple[str, set[str]]:
    """The kind of object a record names and the names it gives that object (a subgroup's
    as SUBGROUP and as GROUP/SUBGROUP when the record tells its group)."""
    p = record.payload
    if record.kind in ("theme.add", "code.add", "group.add", "subgroup.add"):
        kind, names = record.kind.removesuffix(".add"), [p["name"]]
        if kind == "subgroup":
            names.append(f"{p['group_name']}/{p['name']}")
    elif record.kind == "rename":
        kind, names = p["kind"], [p["old"], p["new"]]
    else:
        return "", set()
    return kind, {naming.key(n) for n in names}


def segment_keys(conn: sqlite3.Connection, all_records: list[Record], doc: str, first: int,
                 last: int) -> set[str]:
    """The units that touch segments first..last of `doc` now or at any time before (segment
    numbers of a version replaced since still count), and the memos on those segments."""
    spans = [(int(v), int(s), int(e)) for v, s, e in conn.execute(
        "SELECT version, start, end FROM segments WHERE doc = ? AND n BETWEEN ? AND ?",
        (doc, first, last))]
    version: dict[int, int] = {}  # the version each unit of `doc` stands on, as the trail goes
    out: set[str] = set()
    for record in all_records:
        p = record.payload
        if record.kind == "unit.add" and p["doc"] == doc:
            version[p["id"]] = int(p["version"])
        if record.kind in ("unit.add", "unit.set") and p.get("id") in version and "end" in p:
            version[p["id"]] = int(p.get("version", version[p["id"]]))
            if any(v == version[p["id"]] and p["start"] < e and p["end"] > s
                   for v, s, e in spans):
                out.add(f"unit:{p['id']}")
        elif record.kind == "memo.add" and str(p.get("ref") or "").startswith(f"{doc}:"):
            numbers = str(p["ref"]).split(":", 1)[1].split("-")
            if all(n.isdigit() for n in numbers) and int(numbers[0]) <= last \
                    and int(numbers[-1]) >= first:
                out.add(f"memo:{p['id']}")
    return out


def keys_for(conn: sqlite3.Connection, all_records: list[Record], ref: str) -> set[str]:
    """The objects a user's reference names: U7, M3, P3, DOC, DOC:N-M, KIND:NAME or a
    name."""
    from stc.refs import UNIT_REF, digits, number, parse_segment_ref

    ref = ref.strip()
    if UNIT_REF.fullmatch(ref):
        return {f"unit:{number(ref[1:], ref, 'meaning unit')}"}
    if ref[:1] in "Mm" and digits(ref[1:]):
        return {f"memo:{number(ref[1:], ref, 'memo')}"}
    kind, sep, rest = ref.partition(":")
    if sep and kind.lower() in _NAMED_KINDS:
        return lineage(all_records, named_keys(conn, all_records, rest, (kind.lower(),)))
    docs = {naming.key(str(r[0])): str(r[0]) for r in conn.execute("SELECT DISTINCT doc FROM"
                                                                  " segments")}
    docs |= {naming.key(str(r.payload["doc"])): str(r.payload["doc"]) for r in all_records
             if r.kind.startswith("document.")}
    head = naming.key(kind)
    if head in docs:
        try:
            parsed = parse_segment_ref(ref)
        except StcError:
            parsed = None
        if parsed is not None and parsed.first is not None:
            return segment_keys(conn, all_records, docs[head], parsed.first,
                                parsed.last or parsed.first)
        if not sep:
            return {f"doc:{docs[head]}"}
    if ref[:1] in "Pp" and digits(ref[1:]):  # a participant, where no transcript is so named
        return {f"participant:{number(ref[1:], ref, 'participant')}"}
    return lineage(all_records, named_keys(conn, all_records, ref))


def object_history(conn: sqlite3.Connection, ref: str) -> list[Record]:
    """Every change in the life of what `ref` names, across renames and merges."""
    all_records = list(records(conn))
    return touching(all_records, keys_for(conn, all_records, ref))
