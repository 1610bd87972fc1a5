"""The trail: every change, in order, hash-chained, and the state rebuilt from it.

A record's hash covers its number, time, author, kind, payload, reason and the previous hash, so
changing or removing any stored change breaks the chain from that record on. `undo` appends a
record; it never deletes one. The state after any prefix of the trail is `replay` of the records
still in effect (those not undone).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stc.changes import CHANGE_KINDS
from stc.errors import CannotUndo, StcError
from stc.store import clear_state, dump_state

GENESIS = "0" * 64
UNDO = "undo"


@dataclass(frozen=True)
class Record:
    seq: int
    at: str
    author: str
    kind: str
    payload: dict[str, Any]
    why: str | None
    prev: str
    hash: str

    def summary(self) -> str:
        if self.kind == UNDO:
            return f"undid #{self.payload['seq']} ({self.payload['kind']})"
        kind = CHANGE_KINDS.get(self.kind)
        return kind.summary(self.payload) if kind else self.kind

    def refs(self) -> list[str]:
        kind = CHANGE_KINDS.get(self.kind)
        return [r for r in (kind.refs(self.payload) if kind else []) if r]

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "author": self.author, "kind": self.kind,
                "summary": self.summary(), "why": self.why, "payload": self.payload,
                "hash": self.hash}


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_hash(seq: int, at: str, author: str, kind: str, payload_json: str,
                why: str | None, prev: str) -> str:
    body = canonical([seq, at, author, kind, payload_json, why, prev])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def append(conn: sqlite3.Connection, author: str, kind: str, payload: dict[str, Any],
           why: str | None = None) -> Record:
    """Apply one change and record it. The caller holds the write transaction."""
    last, prev = head(conn)
    seq = last + 1
    if kind != UNDO:
        CHANGE_KINDS[kind].apply(conn, payload, seq)
    at = now()
    payload_json = canonical(payload)
    digest = record_hash(seq, at, author, kind, payload_json, why, prev)
    conn.execute("INSERT INTO trail VALUES (?,?,?,?,?,?,?,?)",
                 (seq, at, author, kind, payload_json, why, prev, digest))
    return Record(seq, at, author, kind, payload, why, prev, digest)


def _row_to_record(row: sqlite3.Row | tuple[Any, ...]) -> Record:
    seq, at, author, kind, payload, why, prev, digest = tuple(row)
    return Record(seq, at, author, kind, json.loads(payload), why, prev, digest)


def records(conn: sqlite3.Connection, upto: int | None = None) -> Iterator[Record]:
    sql = "SELECT seq, at, author, kind, payload, why, prev, hash FROM trail"
    args: tuple[int, ...] = ()
    if upto is not None:
        sql += " WHERE seq <= ?"
        args = (upto,)
    for row in conn.execute(sql + " ORDER BY seq", args):
        yield _row_to_record(row)


def effective(all_records: Iterable[Record]) -> list[Record]:
    """The records in effect: each undo cancels the latest change still in effect."""
    stack: list[Record] = []
    for record in all_records:
        if record.kind == UNDO:
            if stack and stack[-1].seq == record.payload["seq"]:
                stack.pop()
        else:
            stack.append(record)
    return stack


def replay(conn: sqlite3.Connection, in_effect: Iterable[Record]) -> None:
    """Rebuild the state tables from scratch by applying the records in order."""
    clear_state(conn)
    for record in in_effect:
        kind = CHANGE_KINDS.get(record.kind)
        if kind is None:
            raise StcError("E303", kind=record.kind, seq=record.seq)
        kind.apply(conn, record.payload, record.seq)


def undo(conn: sqlite3.Connection, author: str, why: str | None) -> Record:
    """Append an undo of the latest change in effect and rebuild the state without it."""
    in_effect = effective(records(conn))
    if len(in_effect) <= 1:  # the project's creation is not undone
        raise CannotUndo()
    target = in_effect[-1]
    kind = CHANGE_KINDS.get(target.kind)
    if kind is not None and not kind.undoable:
        raise CannotUndo("E302", seq=target.seq, kind=target.kind,
                         why="its texts are gone for good")
    record = append(conn, author, UNDO, {"seq": target.seq, "kind": target.kind}, why)
    replay(conn, in_effect[:-1])
    return record


@dataclass
class Verdict:
    ok: bool
    problems: list[str]
    checked: int


def check_chain(conn: sqlite3.Connection) -> tuple[list[str], int]:
    """Problems in the hash chain, the first bad record first."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in conn.execute(
        "SELECT seq, at, author, kind, payload, why, prev, hash FROM trail ORDER BY seq"
    ):
        seq, at, author, kind, payload, why, stored_prev, digest = tuple(row)
        count += 1
        if seq != expected_seq:
            return [f"change #{expected_seq} is missing from the trail"], count
        if stored_prev != prev or record_hash(seq, at, author, kind, payload, why, prev) != digest:
            return [f"change #{seq} ({kind}) does not match its hash: it was altered"], count
        prev, expected_seq = digest, seq + 1
    return [], count


def compare_state(live: sqlite3.Connection, replayed: sqlite3.Connection) -> list[str]:
    want, have = dump_state(replayed), dump_state(live)
    problems = []
    for table in want:
        if want[table] != have[table]:
            extra = [r for r in have[table] if r not in want[table]]
            missing = [r for r in want[table] if r not in have[table]]
            sample = (extra or missing)[:1]
            problems.append(
                f"table {table} differs from the replayed trail"
                f" ({len(extra)} rows not in the trail, {len(missing)} missing): {sample}"
            )
    return problems
