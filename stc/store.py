"""The embedded SQLite store: connection settings, named migrations, transactions.

Three kinds of table live in `stc.db`:
- the trail (`trail`): the append-only record of every change, hash-chained;
- the text store (`texts`, with their owners' `salts`): every transcript-derived or
  user-written text, by salted hash, so that an erasure can empty it while the trail (which
  holds only hashes) stays verifiable;
- the state tables (`STATE_TABLES`): what the project holds now, always equal to replaying
  the trail.
Beside them, `drafts` keeps what a workbench editor holds and has not recorded yet (see
`stc.drafts`): outside the trail, never replayed or verified, and emptied by erasure.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from stc.errors import StcError

BUSY_TIMEOUT_MS = 60_000

# Tables whose content is derived from the trail; `stc verify` compares them with a replay.
STATE_TABLES: tuple[str, ...] = (
    "project",
    "documents",
    "turns",
    "segments",
    "themes",
    "code_groups",
    "subgroups",
    "codes",
    "units",
    "unit_codes",
    "memos",
    "identifying_names",
    "condensate_units",
    "participants",
    "speakers",
    "attributes",
    "comments",
    "withdrawals",
)


# State columns that hold hashes of texts in the text store. `stc verify` checks that each
# text they name is there (only a recorded erasure may remove one).
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("text",),
    "units": ("text", "before", "after", "nugget", "note"),
    "memos": ("body",),
    "comments": ("body", "resolution"),
    "code_groups": ("condensate", "description"),
    "subgroups": ("condensate", "description"),
    "identifying_names": ("name",),
}


def marks(count: int) -> str:
    """Placeholders for `count` values, for `IN (...)`."""
    return ",".join("?" * count)


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one: `executescript` would commit the open transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _m001_initial(conn: sqlite3.Connection) -> None:
    run_script(conn,
        """
        CREATE TABLE trail (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            author TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            why TEXT,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE texts (hash TEXT PRIMARY KEY, body TEXT NOT NULL);
        -- ids handed out once and never again, also after undo (units U1, U2, ...)
        CREATE TABLE counters (name TEXT PRIMARY KEY, last INTEGER NOT NULL);

        CREATE TABLE project (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            participant TEXT NOT NULL,
            filename TEXT NOT NULL,
            format TEXT NOT NULL,
            source TEXT NOT NULL,       -- sha256 of the original bytes, kept in sources/
            encoding TEXT,
            text TEXT NOT NULL,         -- hash of the normalised text in `texts`
            chars INTEGER NOT NULL,
            version INTEGER NOT NULL,   -- 1, then +1 for each --replace
            seq INTEGER NOT NULL        -- the change that imported this version
        );
        CREATE TABLE turns (
            doc TEXT NOT NULL,
            version INTEGER NOT NULL,
            turn INTEGER NOT NULL,
            speaker TEXT,
            role TEXT NOT NULL,
            participant TEXT,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            begins TEXT,
            ends TEXT,
            PRIMARY KEY (doc, version, turn)
        );
        -- segment numbers are never reused: a new version continues after the old numbers
        CREATE TABLE segments (
            doc TEXT NOT NULL,
            n INTEGER NOT NULL,
            version INTEGER NOT NULL,
            turn INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            PRIMARY KEY (doc, n)
        );
        CREATE INDEX segments_by_version ON segments (doc, version, n);
        CREATE TABLE themes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            position INTEGER NOT NULL
        );
        CREATE TABLE code_groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            position INTEGER NOT NULL,
            heading TEXT,               -- shown in reports instead of the name when set
            condensate TEXT,            -- hash in `texts`; for a group without subgroups
            description TEXT,           -- hash in `texts`; the category's analytic text
            from_theme INTEGER          -- the preliminary theme it grew out of, if any
        );
        CREATE TABLE subgroups (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL,
            name TEXT NOT NULL COLLATE NOCASE,
            position INTEGER NOT NULL,
            heading TEXT,
            condensate TEXT,
            description TEXT,
            UNIQUE (group_id, name)
        );
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            group_id INTEGER,
            definition TEXT
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,     -- shown as U<id>
            doc TEXT NOT NULL,
            version INTEGER NOT NULL,
            start INTEGER NOT NULL,     -- offsets in the document's normalised text
            end INTEGER NOT NULL,
            text TEXT NOT NULL,         -- hash of the unit's text in `texts`
            before TEXT NOT NULL,       -- hashes of the surrounding context, to find it again
            after TEXT NOT NULL,
            subgroup_id INTEGER,        -- the unit's group is that of its codes
            aside TEXT,                 -- reason the unit is set aside from the subgroups
            nugget TEXT,                -- hash of the quotation text (may cut parts with ...)
            note TEXT,
            review TEXT                 -- why the unit needs review after a re-import
        );
        CREATE INDEX units_by_doc ON units (doc, start);
        CREATE TABLE unit_codes (
            unit INTEGER NOT NULL, code INTEGER NOT NULL, PRIMARY KEY (unit, code)
        );
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            ref TEXT,
            body TEXT NOT NULL,         -- hash in `texts`
            seq INTEGER NOT NULL        -- the change that wrote it: its time and author
        );
        -- names that identify people or places: hashes of the lower-cased name in `texts`
        CREATE TABLE identifying_names (name TEXT PRIMARY KEY);
        """
    )


def _m002_condensate_units(conn: sqlite3.Connection) -> None:
    # the meaning units a condensate rests on, as they were when it was written
    run_script(conn,
        """
        CREATE TABLE condensate_units (
            kind TEXT NOT NULL,         -- 'group' or 'subgroup'
            owner INTEGER NOT NULL,     -- id of the code group or subgroup
            unit INTEGER NOT NULL,
            PRIMARY KEY (kind, owner, unit)
        );
        """
    )


def _m003_commands(conn: sqlite3.Connection) -> None:
    # every change belongs to a command (what one `stc` invocation or one workbench action
    # recorded): `command` is the number of the command's first change, `label` the command
    # line (without free text) on that first change. Both are hashed when present.
    run_script(conn,
        """
        ALTER TABLE trail ADD COLUMN command INTEGER;
        ALTER TABLE trail ADD COLUMN label TEXT;
        """
    )


def _m004_memo_objects(conn: sqlite3.Connection) -> None:
    # what a memo on a theme, code, group or subgroup is on, by kind and id (`code:12`): the
    # memo's ref then follows renames and merges of that very object. Memos written before
    # keep only the name they were written on.
    conn.execute("ALTER TABLE memos ADD COLUMN on_key TEXT")


def _m005_unit_translation(conn: sqlite3.Connection) -> None:
    # a quotation's translation into the report language (hash in `texts`), for a chapter
    # written in another language than the transcripts
    run_script(conn, "ALTER TABLE units ADD COLUMN translation TEXT;")


def _m006_participants(conn: sqlite3.Connection) -> None:
    # Participants become objects (P1, P2, ...): every speaker label of every transcript has a
    # role and, with the role participant, a participant; participants and transcripts carry
    # attributes. Names, labels, attribute values and file names are hashes into `texts` (in
    # clear where a project from before recorded them so). `documents` and `turns` are made
    # anew because their participant columns now hold ids; the state is then rebuilt by
    # replaying the trail (see REPLAYED).
    run_script(conn,
        """
        DROP TABLE documents;
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            participant INTEGER,        -- the transcript's participant when it has one, else NULL
            filename TEXT NOT NULL,     -- hash of the file name in `texts`
            suffix TEXT NOT NULL,       -- of the original kept under sources/ ('.docx')
            format TEXT NOT NULL,
            source TEXT NOT NULL,       -- sha256 of the original bytes, kept in sources/
            encoding TEXT,
            text TEXT NOT NULL,         -- hash of the normalised text in `texts`
            chars INTEGER NOT NULL,
            version INTEGER NOT NULL,   -- 1, then +1 for each --replace
            seq INTEGER NOT NULL        -- the change that imported this version
        );
        DROP TABLE turns;
        CREATE TABLE turns (
            doc TEXT NOT NULL,
            version INTEGER NOT NULL,
            turn INTEGER NOT NULL,
            speaker TEXT,               -- hash of the speaker label in `texts`; NULL: no label
            role TEXT NOT NULL,         -- interviewer, participant or other
            participant INTEGER,        -- with the role participant: who speaks
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            begins TEXT,
            ends TEXT,
            PRIMARY KEY (doc, version, turn)
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,     -- shown as P<id>
            name TEXT NOT NULL,         -- hash of the pseudonym in `texts`
            position INTEGER NOT NULL
        );
        -- each speaker label of a transcript ('' for turns without one), as its current
        -- version has it: its role and, with the role participant, its participant
        CREATE TABLE speakers (
            doc TEXT NOT NULL,
            label TEXT NOT NULL,
            role TEXT NOT NULL,
            participant INTEGER,
            PRIMARY KEY (doc, label)
        );
        -- attributes of participants (owner: the participant's id) and transcripts (the
        -- document id); value: hash in `texts`; type: number, date or category
        CREATE TABLE attributes (
            owner_kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            key TEXT NOT NULL COLLATE NOCASE,
            value TEXT NOT NULL,
            type TEXT NOT NULL,
            PRIMARY KEY (owner_kind, owner, key)
        );
        """
    )


def _m007_drafts(conn: sqlite3.Connection) -> None:
    # texts a workbench editor holds and has not recorded yet (see stc.drafts): one per thing
    # edited and browser tab; `docs` names the transcripts whose words it may hold, so that an
    # erasure removes it
    run_script(conn,
        """
        CREATE TABLE drafts (
            key TEXT NOT NULL,          -- what it is a draft of: 'condensate:subgroup:5', ...
            tab TEXT NOT NULL,          -- the browser tab that wrote it
            body TEXT NOT NULL,
            base INTEGER NOT NULL,      -- the change the editor was loaded at
            docs TEXT NOT NULL,         -- JSON list of transcript ids
            saved TEXT NOT NULL,        -- when, UTC
            PRIMARY KEY (key, tab)
        );
        """
    )


def _m008_unit_corrections(conn: sqlite3.Connection) -> None:
    # `interviewer`: 1 for a unit of the interviewer's speech alone, made on purpose
    # (--allow-interviewer). `condensate_units.text`: the hash of each unit's text when the
    # condensate was written, so `stc check` names a condensate whose units were edited since
    # (rows from before stay NULL, as replaying their changes gives).
    run_script(conn,
        """
        ALTER TABLE units ADD COLUMN interviewer INTEGER;
        ALTER TABLE condensate_units ADD COLUMN text TEXT;
        """
    )


def _m009_comments(conn: sqlite3.Connection) -> None:
    # a supervisor's comments: anchored to a unit, a place in a transcript, a category or
    # subcategory, or its condensate or analytic text; open until resolved
    run_script(conn,
        """
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,     -- shown as C1, C2, ...
            ref TEXT NOT NULL,          -- where, as written when it was made
            on_key TEXT,                -- the object by kind and id (unit:7, subgroup:3, doc:I1)
            part TEXT,                  -- 'condensate' or 'text' of a category, else NULL
            body TEXT NOT NULL,         -- hash in `texts`
            seq INTEGER NOT NULL,       -- the change that made it: its author and time
            resolved INTEGER,           -- the change that resolved it
            resolution TEXT             -- hash in `texts` of what the resolution says, if any
        );
        """
    )


def _m010_salts_withdrawals(conn: sqlite3.Connection) -> None:
    # Texts are hashed with a random salt of their owner (see stc.texts): `salts` holds each
    # owner's, each text row the salt it was hashed with (NULL: plain SHA-256, as before).
    # The transcripts a project holds already keep hashing without a salt (''), so a speaker
    # label keeps one hash across a transcript's versions. `withdrawals`: the transcripts whose
    # participant withdrew from further analysis (`stc withdraw`), by the change that said so.
    run_script(conn,
        """
        ALTER TABLE texts ADD COLUMN salt TEXT;
        CREATE TABLE salts (owner TEXT PRIMARY KEY, salt TEXT NOT NULL);
        CREATE TABLE withdrawals (doc TEXT PRIMARY KEY, seq INTEGER NOT NULL);
        INSERT OR IGNORE INTO salts SELECT 'doc:' || (payload ->> '$.doc'), '' FROM trail
            WHERE kind = 'document.import';
        """
    )


Migration = Callable[[sqlite3.Connection], None]

# Append only: a migration, once released, is never edited. Each runs in one transaction
# together with its row in schema_migrations.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", _m001_initial),
    ("002_condensate_units", _m002_condensate_units),
    ("003_commands", _m003_commands),
    ("004_memo_objects", _m004_memo_objects),
    ("005_unit_translation", _m005_unit_translation),
    ("006_participants", _m006_participants),
    ("007_drafts", _m007_drafts),
    ("008_unit_corrections", _m008_unit_corrections),
    ("009_comments", _m009_comments),
    ("010_salts_withdrawals", _m010_salts_withdrawals),
]

# Migrations after which the state is rebuilt by replaying the trail in place: the state is by
# definition what the trail replays to, so a migration that changes what change kinds write
# needs nothing else. The replay runs once every pending migration is in (with the change
# functions of this version), in the same transaction as they.
REPLAYED = {"006_participants"}


def connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction. IMMEDIATE takes the write lock at once, so two processes
    queue behind each other (busy timeout) instead of failing half-way."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")  # a commit can fail too (a full disk): then nothing holds
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):  # the error that got us here is the one to tell
                conn.execute("ROLLBACK")
        raise


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Reads inside the block see one state of the database, whatever other processes record
    meanwhile: a read transaction (in WAL mode it keeps its snapshot), for a block that records
    nothing. Inside a transaction already, that one holds."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written: ends the read


# how long `sole_access` waits for other connections to close: the workbench opens one per
# request and holds none between them, so a moment is enough
SOLE_ACCESS_WAIT = 3.0


@contextmanager
def sole_access(conn: sqlite3.Connection, db_path: Path) -> Iterator[None]:
    """Hold the database alone, to delete for good: refused (E210, naming who holds it where
    the system tells) while another connection has it open.

    Deleted rows stay readable in free pages and in the write-ahead log, and another
    process's connection may hold old pages too. SQLite's own signal that no other
    connection is open: leaving WAL mode succeeds only then (it checkpoints the log and
    deletes it). Inside: the rollback journal is truncated at each commit (so it keeps no old
    pages), `secure_delete` overwrites what is deleted (set here, as builds differ in their
    default), and the lock is held until the end (no one reads in between). Back in WAL mode
    afterwards."""
    import time

    conn.execute("PRAGMA secure_delete = ON")
    deadline = time.monotonic() + SOLE_ACCESS_WAIT
    while not _left_wal(conn):
        if time.monotonic() >= deadline:
            raise StcError("E210", holders=holders(db_path))
        time.sleep(0.05)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")  # taken now and kept: exclusive locking mode
        conn.execute("COMMIT")
        yield
    finally:
        conn.execute("PRAGMA locking_mode = NORMAL")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # releases the lock
        conn.execute("PRAGMA journal_mode = WAL")


def _left_wal(conn: sqlite3.Connection) -> bool:
    try:
        return str(conn.execute("PRAGMA journal_mode = TRUNCATE").fetchone()[0]) == "truncate"
    except sqlite3.OperationalError:  # "database is locked": another connection is open
        return False


def holders(db_path: Path) -> str:
    """Which other processes have the database open, as far as the system tells (Linux's
    /proc); else a description of who may."""
    import os

    wanted = {os.path.realpath(db_path) + end for end in ("", "-wal", "-shm")}
    found = []
    proc = Path("/proc")
    for entry in sorted(proc.iterdir() if proc.is_dir() else [], key=lambda p: p.name):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            held = any(os.readlink(fd) in wanted for fd in (entry / "fd").iterdir())
            line = (entry / "cmdline").read_bytes().split(b"\0") if held else []
        except OSError:  # another user's process, or one that ended
            continue
        if held:
            found.append(f"process {entry.name} ({_command(line)})")
    return ", ".join(found) or "another program (a second stc, the workbench or a database viewer)"


def _command(argv: list[bytes]) -> str:
    """A process's command line, short: the program's name and its first arguments."""
    words = [w.decode("utf-8", errors="replace") for w in argv if w]
    if not words:
        return "unknown"
    words[0] = Path(words[0]).name
    if words[0].startswith("python") and words[1:2] == ["-m"]:
        words = words[2:]
    shown = " ".join(words)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
    )
    return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def migrate(conn: sqlite3.Connection, db_path: Path | None = None) -> list[str]:
    """Apply pending migrations; copy the database aside first when it already has data."""
    done = set(applied_migrations(conn))
    known = {name for name, _ in MIGRATIONS}
    if done - known:
        raise StcError("E005", found=max(done - known))
    pending = [(n, m) for n, m in MIGRATIONS if n not in done]
    if pending and done and db_path is not None:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        import shutil  # only an upgrade needs it

        shutil.copy2(db_path, db_path.with_name(f"{db_path.name}.before-{pending[0][0]}"))
    if done and any(name in REPLAYED for name, _ in pending):
        with transaction(conn):  # all or nothing: the new tables and the state replayed
            for name, migration in pending:
                _apply_migration(conn, name, migration)
            _replay_in_place(conn)
        return [n for n, _ in pending]
    for name, migration in pending:
        with transaction(conn):
            _apply_migration(conn, name, migration)
    return [n for n, _ in pending]


def _apply_migration(conn: sqlite3.Connection, name: str, migration: Migration) -> None:
    migration(conn)
    conn.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                 (name, datetime.now(UTC).isoformat(timespec="seconds")))


def _replay_in_place(conn: sqlite3.Connection) -> None:
    from stc import trail  # the trail module builds on this one

    trail.replay(conn, trail.effective(trail.records(conn)))


def clear_state(conn: sqlite3.Connection) -> None:
    for table in STATE_TABLES:
        conn.execute(f"DELETE FROM {table}")


def dump_state(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every state row, in a stable order, for comparing a project with its replay."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for table in STATE_TABLES:
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()
        out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out
