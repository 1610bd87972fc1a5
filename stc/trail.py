"""The trail: every change, in order, hash-chained, and the state rebuilt from it.

A record's hash covers its number, time, author, kind, payload, reason and the previous hash, so
changing or removing any stored change breaks the chain from that record on. `undo` appends a
record; it never deletes one. The state after any prefix of the trail is `replay` of the records
still in effect (those not undone).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import orjson

from stc.errors import StcError
from stc.phrases import Said, said, say
from stc.store import STATE_TABLES, clear_state, connect

if TYPE_CHECKING:
    import json

    from stc.changes.registry import ChangeKind

GENESIS = "0" * 64


@cache  # the registry is one dict, filled as the change modules load; asked once per record
def change_kinds() -> dict[str, ChangeKind]:
    """The registry of change kinds. The change modules load only when a command applies or
    describes a change, so commands that just read start faster."""
    from stc.changes import CHANGE_KINDS

    return CHANGE_KINDS


UNDO = "undo"
REDO = "redo"


class Record(NamedTuple):
    """One change in the trail, with the hash that chains it to the one before."""

    seq: int
    at: str
    author: str
    kind: str
    payload: dict[str, Any]
    why: str | None
    prev: str
    hash: str
    command: int | None = None  # the number of the first change of its command
    label: str | None = None  # the command line, on a command's first change

    def summary(self, language: str = "en") -> str:
        """What the change did, in one line in `language` (a report language: nb, nn, sv,
        da, en); English unless asked, as the command line says it."""
        return say(language, self.said())

    def said(self) -> Said:
        """What the change did, to be said in a language (`stc.phrases.say`)."""
        if self.kind in (UNDO, REDO):
            return _undo_summary(self.kind, self.payload)
        kind = change_kinds().get(self.kind)
        return kind.summary(self.payload) if kind else said(self.kind)

    def refs(self) -> list[str]:
        kind = change_kinds().get(self.kind)
        return [r for r in (kind.refs(self.payload) if kind else []) if r]

    def objects(self) -> set[str]:
        """The objects the change makes, changes or removes, by kind and id (`unit:7`,
        `code:3`, `doc:I1`): stable across renames, unlike names."""
        kind = change_kinds().get(self.kind)
        return set(kind.objects(self.payload)) if kind else set()

    def uses(self) -> set[str]:
        """The objects the change only refers to (the codes of a new unit)."""
        kind = change_kinds().get(self.kind)
        return set(kind.uses(self.payload)) if kind else set()

    def created(self) -> set[str]:
        """The objects that did not exist before this change."""
        kind = change_kinds().get(self.kind)
        return set(kind.objects(self.payload)) if kind and kind.creates else set()

    @property
    def undoable(self) -> bool:
        kind = change_kinds().get(self.kind)
        return kind is None or kind.undoable

    @property
    def is_mark(self) -> bool:
        """A record of a fact outside the state (a seal), which undo passes over."""
        kind = change_kinds().get(self.kind)
        return kind is not None and kind.mark

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "author": self.author, "kind": self.kind,
                "summary": self.summary(), "why": self.why, "payload": self.payload,
                "hash": self.hash, "command": self.command, "label": self.label}


def _undo_summary(kind: str, payload: dict[str, Any]) -> Said:
    if payload.get("label"):
        return said(kind, "command", command=payload["label"])
    changes = [f"#{s}" for s in cancelled_by(payload)]
    kinds = payload.get("kinds") or ([payload["kind"]] if "kind" in payload else [])
    if kinds:
        return said(kind, "changes_kinds", changes=changes, kinds=list(dict.fromkeys(kinds)))
    return said(kind, "changes", changes=changes)


# Payloads are decoded with orjson, several times faster than json.loads on a long trail.
load_payload = orjson.loads


# The canonical form that is hashed is written by the standard library's encoder, one for every
# record (json.dumps with options builds a new encoder per call). The encoder and hashlib load
# only when a command writes or verifies: reading commands start without them.
@cache
def _canonical_encoder() -> json.JSONEncoder:
    import json

    return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(obj: Any) -> str:
    return _canonical_encoder().encode(obj)


RecordHash = Callable[..., str]


@cache
def record_hasher() -> RecordHash:
    """`record_hash` with its encoder and hash function looked up once, for long trails."""
    from hashlib import sha256

    encode = _canonical_encoder().encode

    def record_hash(seq: int, at: str, author: str, kind: str, payload_json: str,
                    why: str | None, prev: str, command: int | None = None,
                    label: str | None = None) -> str:
        fields: list[Any] = [seq, at, author, kind, payload_json, why, prev]
        if command is not None:  # changes from before commands were kept hash as they did
            fields += [command, label]
        return sha256(encode(fields).encode("utf-8")).hexdigest()

    return record_hash


def record_hash(seq: int, at: str, author: str, kind: str, payload_json: str,
                why: str | None, prev: str, command: int | None = None,
                label: str | None = None) -> str:
    return record_hasher()(seq, at, author, kind, payload_json, why, prev, command, label)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def moment(text: str) -> str:
    """A date or time a user wrote (2026-03-01, 2026-03-01T14:30; UTC unless it names a zone)
    as the trail writes its times (`now`), so that the two compare as text; ValueError when it
    is neither."""
    written = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if written.tzinfo is not None:
        written = written.astimezone(UTC).replace(tzinfo=None)
    return written.isoformat(timespec="microseconds") + "Z"


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


# the record of a file written (stc.changes.project, `export`): a fact about a copy, not about
# the state, so what an output shows as its state passes over it
EXPORT = "export"


def last_shown(conn: sqlite3.Connection, upto: int | None = None) -> sqlite3.Row | None:
    """The last change (up to `upto`) that is not the record of an export, with its seq,
    at, author and hash: the state an output names. Writing a report, a matrix or an
    exchange file then leaves the next one of the same state byte for byte the same."""
    sql = f"SELECT seq, at, author, hash FROM trail WHERE kind != '{EXPORT}'"
    args: tuple[int, ...] = ()
    if upto is not None:
        sql += " AND seq <= ?"
        args = (upto,)
    cursor = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args)
    cursor.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cursor.fetchone()
    return row


def append(conn: sqlite3.Connection, author: str, kind: str, payload: dict[str, Any],
           why: str | None = None, after: Record | None = None,
           command: int | None = 0, label: str | None = None) -> Record:
    """Apply one change and record it. The caller holds the write transaction; `after` is
    the record it appended last in that transaction, if any (saves looking up the head).
    `command` is the number of the first change of the command this change belongs to;
    0 makes this change the first of a command of its own."""
    last, prev = (after.seq, after.hash) if after else head(conn)
    seq = last + 1
    if kind not in (UNDO, REDO):
        change_kinds()[kind].apply(conn, payload, seq)
    command = seq if command == 0 else command
    at = now()
    payload_json = canonical(payload)
    digest = record_hash(seq, at, author, kind, payload_json, why, prev, command, label)
    conn.execute("INSERT INTO trail VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (seq, at, author, kind, payload_json, why, prev, digest, command, label))
    return Record(seq, at, author, kind, payload, why, prev, digest, command, label)


_COLUMNS = "seq, at, author, kind, payload, why, prev, hash, command, label"


def _row_to_record(row: sqlite3.Row | tuple[Any, ...]) -> Record:
    seq, at, author, kind, payload, why, prev, digest, command, label = tuple(row)
    return Record(seq, at, author, kind, load_payload(payload), why, prev, digest, command,
                  label)


T = TypeVar("T")


# what is held inside `read_once`, by connection: the answers `once` keeps
_HELD: ContextVar[dict[sqlite3.Connection, dict[str, Any]] | None] = ContextVar(
    "held_answers", default=None)


@contextmanager
def read_once(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the block, `records(conn, ...)` reads the trail of `conn` once, when first asked,
    and answers from it after, and `once` computes each answer once: for a reader that asks
    for them in several places (a report: its checks, its validations, its model, its audit).
    Only for a block that records nothing."""
    held = dict(_HELD.get() or {})
    held[conn] = {}
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)


def once(conn: sqlite3.Connection, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, of the state in `conn`: inside `read_once(conn)` computed once for `key`
    and then answered from what it gave (which its readers share, so they never change it);
    outside, computed each time."""
    answers = (_HELD.get() or {}).get(conn)
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    answer: T = answers[key]
    return answer


def _whole_trail(conn: sqlite3.Connection) -> list[Record]:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a Row per record costs more than its payload
    return [_row_to_record(row) for row in cursor.execute(
        f"SELECT {_COLUMNS} FROM trail ORDER BY seq")]


def records(conn: sqlite3.Connection, upto: int | None = None,
            after: int | None = None) -> Iterator[Record]:
    """The trail in order: up to change `upto` and after change `after`, when given."""
    if (_HELD.get() or {}).get(conn) is not None:
        yield from (r for r in once(conn, "trail", lambda: _whole_trail(conn))
                    if (upto is None or r.seq <= upto) and (after is None or r.seq > after))
        return
    where, args = [], []
    if upto is not None:
        where.append("seq <= ?")
        args.append(upto)
    if after is not None:
        where.append("seq > ?")
        args.append(after)
    sql = f"SELECT {_COLUMNS} FROM trail" + (" WHERE " + " AND ".join(where) if where else "")
    for row in conn.execute(sql + " ORDER BY seq", args):
        yield _row_to_record(row)


def record_at(conn: sqlite3.Connection, seq: int) -> Record | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM trail WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else _row_to_record(row)


# -- the changes in effect -------------------------------------------------------------------
#
# An undo record cancels the changes it names; a redo record cancels an undo, so its changes
# are in effect again. Records made before commands were kept undo one change each ("seq").
# This is the one definition of "in effect", used by replay, verify, memos and the log.

def cancelled_by(payload: dict[str, Any]) -> list[int]:
    """The changes an undo or redo payload names."""
    return [int(s) for s in payload["seqs"]] if "seqs" in payload else [int(payload["seq"])]


def cancelled(undo_records: Iterable[tuple[str, dict[str, Any]]]) -> set[int]:
    """The numbers of the changes not in effect, from the (kind, payload) of every undo and
    redo record in order."""
    out: set[int] = set()
    for kind, payload in undo_records:
        if kind == UNDO:
            out.update(cancelled_by(payload))
        elif kind == REDO:
            out.difference_update(cancelled_by(payload))
    return out


def cancelled_in(conn: sqlite3.Connection, upto: int | None = None) -> set[int]:
    """`cancelled` for the trail of a project (up to change `upto`), reading only its undo and
    redo records."""
    sql = "SELECT kind, payload FROM trail WHERE kind IN ('undo', 'redo')"
    args: tuple[int, ...] = ()
    if upto is not None:
        sql += " AND seq <= ?"
        args = (upto,)
    rows = conn.execute(sql + " ORDER BY seq", args).fetchall()
    return cancelled((kind, load_payload(payload)) for kind, payload in rows)


def effective(all_records: Iterable[Record]) -> list[Record]:
    """The changes in effect, in order: neither undo nor redo records, nor changes an undo
    cancelled (and no redo restored)."""
    listed = list(all_records)
    gone = cancelled((r.kind, r.payload) for r in listed if r.kind in (UNDO, REDO))
    return [r for r in listed if r.kind not in (UNDO, REDO) and r.seq not in gone]


def replay(conn: sqlite3.Connection, in_effect: Iterable[Record]) -> None:
    """Rebuild the state tables from scratch by applying the records in order."""
    clear_state(conn)
    _apply_rows(conn, ((r.seq, r.kind, r.payload) for r in in_effect), decode=_as_decoded)


def _as_decoded(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


def _apply_rows(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, Any]],
                decode: Callable[[Any], dict[str, Any]] = load_payload) -> None:
    """Apply changes given as (seq, kind, payload) rows, in order, the payload decoded by
    `decode`: the loop a replay spends its time in, so each step is looked up once."""
    applies = {name: kind.apply for name, kind in change_kinds().items()}
    for seq, name, payload in rows:
        apply = applies.get(name)
        if apply is None:
            raise StcError("E303", kind=name, seq=seq)
        apply(conn, decode(payload), seq)


def _effective_rows(rows: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """`effective` on raw (seq, kind, payload JSON) rows: only undo payloads are parsed."""
    gone = cancelled((row[1], load_payload(row[2])) for row in rows if row[1] in (UNDO, REDO))
    return [row for row in rows if row[1] not in (UNDO, REDO) and row[0] not in gone]


def replay_state(live: Path) -> sqlite3.Connection:
    """A private in-memory replay of the whole trail of the project database `live`, with
    `live` attached (as `live`) to compare against. The replay reads the trail once and keeps
    no texts: change functions never read the text store. The caller closes it."""
    from stc.store import connect, migrate

    memory = connect(":memory:")
    memory.execute("PRAGMA journal_mode = OFF")  # the replay is thrown away, never rolled back
    migrate(memory)
    memory.execute("ATTACH DATABASE ? AS live", (str(live),))
    memory.execute("BEGIN")  # one snapshot of the live database for the replay and the compare
    cursor = memory.cursor()
    cursor.row_factory = None
    rows = cursor.execute("SELECT seq, kind, payload FROM live.trail ORDER BY seq").fetchall()
    _apply_rows(memory, _effective_rows(rows))
    return memory


@dataclass
class Verdict:
    """The answer of `stc verify`: whether the trail holds, and what does not."""

    ok: bool
    problems: list[str]
    checked: int


def check_chain(conn: sqlite3.Connection) -> tuple[list[str], int]:
    """Problems in the hash chain, the first bad record first."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    record_hash = record_hasher()
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a Row per record costs more than its hash
    for row in cursor.execute(f"SELECT {_COLUMNS} FROM trail ORDER BY seq"):
        seq, at, author, kind, payload, why, stored_prev, digest, command, label = row
        count += 1
        if seq != expected_seq:
            return [f"change #{expected_seq} is missing from the trail"], count
        if stored_prev != prev or digest != record_hash(seq, at, author, kind, payload, why, prev,
                                                        command, label):
            return [f"change #{seq} ({kind}) does not match its hash: it was altered"], count
        prev, expected_seq = digest, seq + 1
    return [], count


StoredCheck = Callable[[sqlite3.Connection], list[str]]


def verify_trail(db_path: Path, alongside: StoredCheck | None = None) -> tuple[list[str], int]:
    """Problems with the trail of the project database: the hash chain first, else where the
    state differs from its replay; then the problems `alongside` finds (in what is stored
    beside the trail); and the number of changes checked.

    The chain and `alongside` are checked in another process while this one replays, so the
    two halves of the work share the machine's cores (`alongside` must then be picklable: a
    function at the top of a module, or a `functools.partial` of one). A replay can fail on a
    tampered trail: the chain then says which record was altered."""
    from stc.parallel import in_background, start_method

    worth_a_spawn = start_method() == "fork" or _changes(db_path) >= WORTH_A_SPAWN
    chain = in_background(_chain_check, db_path, alongside, worth_a_spawn=worth_a_spawn)
    replay_error: Exception | None = None
    state_problems: list[str] = []
    try:
        memory = replay_state(db_path)
        try:
            state_problems = compare_replay(memory)
        finally:
            memory.close()
    except Exception as exc:  # reported below unless the chain explains it
        replay_error = exc
    chain_problems, count, stored_problems = chain()
    if chain_problems:
        return chain_problems + stored_problems, count
    if replay_error is not None:
        raise replay_error
    return state_problems + stored_problems, count


ChainAnswer = tuple[list[str], int, list[str]]
# A spawned process (Windows, macOS) takes a few tenths of a second to start: for fewer
# changes than this, checking the chain here is quicker.
WORTH_A_SPAWN = 20_000


def _changes(db_path: Path) -> int:
    conn = connect(db_path)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM trail").fetchone()[0])
    finally:
        conn.close()


def _chain_check(db_path: Path, alongside: StoredCheck | None) -> ChainAnswer:
    conn = connect(db_path)
    try:
        problems, count = check_chain(conn)
        return problems, count, alongside(conn) if alongside else []
    finally:
        conn.close()


def compare_replay(memory: sqlite3.Connection) -> list[str]:
    """Differences between the live state and the replay made by `replay_state`, each naming
    the table, the object, the column and both values.

    A table is the same when both hold as many rows and every replayed row has an identical
    live row: found by its primary key (an index lookup, several times faster than EXCEPT),
    then compared column by column in binary collation, so even a change of case counts."""
    problems = []
    for table in STATE_TABLES:
        columns, key = _columns(memory, table)
        same_row = _same_row_condition(columns, key)
        want = _count(memory, f"SELECT * FROM main.{table}")
        have = _count(memory, f"SELECT * FROM live.{table}")
        matched = _count(memory, f"SELECT 1 FROM main.{table} m WHERE EXISTS"
                                 f" (SELECT 1 FROM live.{table} l WHERE {same_row})")
        if not have == want == matched:
            problems += _differences(memory, table, columns, key)
    return problems


_SHOWN_DIFFERENCES = 5  # per table: enough to see what was done, short enough to read


def _columns(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """The columns of a state table and its primary key."""
    info = [(row[1], row[5]) for row in conn.execute(f"PRAGMA main.table_info({table})")]
    key = [name for name, position in sorted(info, key=lambda c: c[1]) if position]
    return [name for name, _ in info], key


def _same_row_condition(columns: list[str], key: list[str]) -> str:
    """SQL true when live row `l` and replayed row `m` of a table are identical."""
    found_by_key = [f'l."{name}" = m."{name}"' for name in key]
    identical = [f'l."{name}" IS m."{name}" COLLATE BINARY' for name in columns]
    return " AND ".join(found_by_key + identical)


def _differences(conn: sqlite3.Connection, table: str, columns: list[str], key: list[str]
                 ) -> list[str]:
    """What differs in one table: rows changed (column by column), added or removed."""
    by_key = " AND ".join(f'l."{k}" = m."{k}"' for k in key)
    select = ", ".join([*(f'l."{c}"' for c in columns), *(f'm."{c}"' for c in columns)])
    out = []
    for row in conn.execute(f"SELECT {select} FROM live.{table} l JOIN main.{table} m ON {by_key}"
                            f" WHERE NOT ({_same_row_condition(columns, key)})"):
        live, replayed = dict(zip(columns, row[:len(columns)], strict=True)), \
            dict(zip(columns, row[len(columns):], strict=True))
        for column in columns:
            if live[column] != replayed[column] or type(live[column]) is not type(replayed[column]):
                out.append(f"{table}: {_object(table, live)}: {column} is"
                           f" {_value(live[column])} in the project, {_value(replayed[column])}"
                           " by the trail")
    for side, other, where in (("live", "main", "in the project but not in the trail"),
                               ("main", "live", "in the trail but missing from the project")):
        found = conn.execute(f"SELECT * FROM {side}.{table} l WHERE NOT EXISTS (SELECT 1 FROM"
                             f" {other}.{table} m WHERE {by_key})").fetchall()
        out += [f"{table}: {_object(table, dict(zip(columns, r, strict=True)))} is {where}"
                for r in found]
    if len(out) > _SHOWN_DIFFERENCES:
        out = [*out[:_SHOWN_DIFFERENCES], f"{table}: and {len(out) - _SHOWN_DIFFERENCES} more"
               " differences"]
    return out or [f"{table} differs from the replayed trail"]


def _object(table: str, row: dict[str, Any]) -> str:
    """How a user names the object a state row holds."""
    named = {"themes": "theme", "codes": "code", "code_groups": "group", "subgroups": "subgroup"}
    if table == "units":
        return f"U{row['id']}"
    if table == "memos":
        return f"M{row['id']}"
    if table in named:
        return f"{named[table]} {row['name']!r}"
    if table == "documents":
        return str(row["id"])
    if table == "segments":
        return f"{row['doc']}:{row['n']}"
    if table == "turns":
        return f"{row['doc']} turn {row['turn']}" + (f" (version {row['version']})"
                                                     if row["version"] != 1 else "")
    if table == "unit_codes":
        return f"U{row['unit']} coded #{row['code']}"
    return ", ".join(f"{k}={_value(v)}" for k, v in row.items())


def _value(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "…"


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0])
