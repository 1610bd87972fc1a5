"""A project folder: `stc.toml`, `stc.db`, `sources/`, `reports/`.

`Project` is the library's handle: it finds the folder, resolves the author, and runs every change
as one transaction together with its trail record (`Project.batch`).
"""

from __future__ import annotations

import os
import re
import sqlite3
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc import history, sealing, settings, store, trail
from stc.consent import refuse_new_units
from stc.errors import NotAProject, ProjectExists, StcError
from stc.outputs import write_atomically as write_atomically  # used by exports too
from stc.texts import PROJECT, bad_texts, missing_texts, put_text, salt_of, writable

SETTINGS = "stc.toml"
DATABASE = "stc.db"

# spaCy language codes stc knows; `no` is taken as `nb` (spaCy's name for Norwegian bokmål)
LANGUAGE_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "dan": "da", "eng": "en"}
KNOWN_LANGUAGES = {
    "nb", "nn", "sv", "da", "en", "de", "fi", "is", "fr", "nl", "es", "it", "pt", "pl", "xx",
}


def normalise_language(lang: str) -> str:
    code = LANGUAGE_ALIASES.get(lang.strip().lower(), lang.strip().lower())
    if code not in KNOWN_LANGUAGES:
        raise StcError("E004", lang=lang)
    return code


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _settings_text(title: str, language: str, question: str | None) -> str:
    lines = [
        "# stc project settings. The trail in stc.db records every change to the analysis.",
        f"title = {_toml_string(title)}",
        f"language = {_toml_string(language)}",
    ]
    if question:
        lines.append(f"question = {_toml_string(question)}")
    lines += [
        "",
        "[user]",
        '# name = "Your Name"   # the author of your changes, unless --author or STC_AUTHOR',
        "",
        "[report]",
        "chapter = 3            # results headings are numbered 3.1, 3.1.1, ...",
        "",
    ]
    return "\n".join(lines)


# What a closed project still records, none of it analysis: its pseudonymisation key destroyed
# after the end date, a seal of its last state, a reason given later for an earlier change.
AFTER_CLOSING = frozenset({"key.destroyed", "seal", "reason", "export"})


def closed_at(conn: sqlite3.Connection) -> int | None:
    """The change that closed the project (`stc close`), or None while it is open."""
    row = conn.execute("SELECT value FROM project WHERE key = 'closed'").fetchone()
    return None if row is None else int(row[0])


@dataclass
class Batch:
    """Changes recorded in one transaction (see `Project.batch`)."""

    project: Project
    why: str | None
    recorded: list[trail.Record] = field(default_factory=list)
    open_checked: bool = field(default=False, init=False)
    kept: list[Path] = field(default_factory=list, init=False)  # originals this batch wrote
    salts: dict[str, str] = field(default_factory=dict, init=False)  # by owner, as read or made

    @property
    def conn(self) -> sqlite3.Connection:
        return self.project.conn

    def record(self, kind: str, payload: dict[str, Any], why: str | None = None, *,
               author: str | None = None) -> trail.Record:
        """Apply and record one change. `author` names another person than the project's
        author: the coder whose work an exchange file or a second project brings in."""
        if kind not in AFTER_CLOSING:
            self.require_open()
        self.project.check_based_on(kind, payload, self.recorded)
        declared = trail.change_kinds().get(kind)
        if declared is not None and declared.creates:
            refuse_new_units(self.conn, declared.objects(payload),
                             [*declared.objects(payload), *declared.uses(payload)], payload)
        command, label = self.project.command_of_next(self.recorded)
        rec = trail.append(self.conn, author or self.project.author, kind, payload,
                           why or self.why, after=self.recorded[-1] if self.recorded else None,
                           command=command, label=label)
        # kept without its payload: a batch of a thousand transcripts would otherwise hold
        # every segment list in memory until it commits
        self.recorded.append(rec._replace(payload={}))
        return rec

    def require_open(self) -> None:
        """Refuse (E958) to change a closed project; checked once a batch, inside its
        transaction, so no change can slip in beside a closing."""
        if not self.open_checked:
            seq = closed_at(self.conn)
            if seq is not None:
                raise StcError("E958", seq=seq)
            self.open_checked = True

    def text(self, body: str, owner: str) -> str:
        """Store a text in the erasable text store; payloads carry the returned hash. `owner`
        (`stc.texts.doc_owner`, `participant_owner`, `PROJECT`) is whose salt hashes it: the
        transcript a text is taken from or written on, the participant a name or value
        belongs to, else the project. Erasing a transcript deletes its salt with its texts.
        What no file can hold (control characters, bidi overrides: `texts.cleaned`) is replaced
        visibly first, so every report and export can write what is stored."""
        if owner not in self.salts:
            self.salts[owner] = salt_of(self.conn, owner)
        return put_text(self.conn, writable(body), owner, self.salts[owner])

    def keep_original(self, original: Original) -> Path:
        """Keep a document version's original bytes under sources/ (written atomically), while
        this batch holds the write lock: if the batch does not commit, what it wrote is
        removed again, and what a killed process left is a stray the next writer removes."""
        doc, filename, source, data = original
        target = self.project.sources_dir / source_name(doc, Path(filename).suffix, source)
        new = not target.exists()
        self.project.sources_dir.mkdir(exist_ok=True)
        write_atomically(target, data)
        if new:
            self.kept.append(target)
        return target

    def next_id(self, table: str) -> int:
        row = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def take_number(self, counter: str, above: int = 0) -> int:
        """A number never handed out before, also after undo (U1, U2, ...), and greater than
        `above` (numbers a replay gave out without the counter)."""
        row = self.conn.execute("SELECT last FROM counters WHERE name = ?", (counter,)).fetchone()
        number = max(int(row[0]) if row else 0, above) + 1
        self.conn.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, number))
        return number


@dataclass
class Recording:
    """The command being recorded (see `Project.command`)."""

    label: str | Callable[[], str] | None = None
    based_on: int | None = None  # the change a user's view was made at; see `command`
    id: int | None = None  # its number (its first change), once a batch of it is committed


class Project:
    def __init__(self, root: Path, author: str | None = None) -> None:
        self.root = root
        self._author_override = author
        self._author: str | None = None
        self._recording: Recording | None = None  # the command being recorded, if any
        self._strays_removed = False  # see `batch`
        self.settings = self._read_settings()
        self.conn = store.connect(self.db_path)
        store.migrate(self.conn, self.db_path)
        if self.head()[0]:  # an edit of stc.toml since the last command becomes a change
            settings.notice(self)

    # -- places and settings -------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DATABASE

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def settings_path(self) -> Path:
        return self.root / SETTINGS

    def _read_settings(self) -> dict[str, Any]:
        try:
            return tomllib.loads(settings.file_text(self.root / SETTINGS))
        except tomllib.TOMLDecodeError as exc:
            raise StcError("E003", path=str(self.root / SETTINGS), detail=str(exc)) from None

    @property
    def pipeline(self) -> str | None:
        """The installed spaCy pipeline stc.toml names (`pipeline = "..."`), if any; refused
        (E145) when the setting is not a name."""
        value = self.settings.get("pipeline")
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise StcError("E145", path=str(self.settings_path), name=value,
                           detail="the setting is not a pipeline's name")
        return value

    @property
    def language(self) -> str:
        """The transcripts' language, as the state holds it."""
        return str(settings.values(self.conn)["language"])

    @property
    def title(self) -> str:
        return str(settings.values(self.conn)["title"]) or self.root.name

    def _keep_settings_file(self) -> None:
        """Write stc.toml again where a change moved a setting away from what it says."""
        held = settings.stored(self.conn)
        if settings.differences(settings.from_file(self.settings, self.settings_path), held):
            self.settings = settings.write_file(self.settings_path, held)

    @property
    def author(self) -> str:
        if self._author is None:
            self._author = resolve_author(self._author_override, self.settings)
        return self._author

    # -- changes -------------------------------------------------------------------------
    @contextmanager
    def batch(self, why: str | None = None) -> Iterator[Batch]:
        """One transaction: every change recorded inside it lands together, or none does, and
        with them the originals it kept (`Batch.keep_original`). The first batch of a project
        handle also removes what an interrupted writer left under sources/ (see
        `remove_stray_originals`)."""
        batch = Batch(self, why)
        try:
            with store.transaction(self.conn):
                if not self._strays_removed:
                    self._remove_strays(everything=False)
                    self._strays_removed = True
                yield batch
        except BaseException:
            for path in batch.kept:  # nothing of the batch was recorded: nor is any of these
                path.unlink(missing_ok=True)
            raise
        if batch.recorded:
            self._keep_settings_file()
        recording = self._recording
        if recording is not None and recording.id is None and batch.recorded:
            recording.id = batch.recorded[0].seq  # committed: later batches join it

    @contextmanager
    def command(self, label: str | Callable[[], str] | None = None,
                based_on: int | None = None) -> Iterator[Recording]:
        """Record every change made inside as one command, which `stc undo` reverts as a
        whole; `label` is its command line (without free text), shown by undo and the log.
        Outside a command, each batch is a command of its own. The command's number is
        `.id` of what it yields, once it recorded a change.

        `based_on`: the change a user's view of the project was made at (a workbench page). A
        change of the command to an object that another command changed after it is refused
        (E323), inside the write transaction: nothing is written over unseen."""
        if self._recording is not None:  # nested: the outer command holds
            yield self._recording
            return
        self._recording = Recording(label, based_on)
        try:
            yield self._recording
        finally:
            self._recording = None

    def command_of_next(self, recorded: list[trail.Record]) -> tuple[int | None, str | None]:
        """(command, label) for the next change of a batch that has recorded `recorded`:
        0 starts a new command (numbered by that change), the label goes on its first change."""
        if recorded:
            return recorded[0].command, None
        recording = self._recording
        if recording is None:
            return 0, None
        if recording.id is not None:
            return recording.id, None
        label = recording.label
        return 0, label() if callable(label) else label

    def check_based_on(self, kind: str, payload: dict[str, Any],
                       recorded: list[trail.Record]) -> None:
        """Refuse a change, about to be recorded inside a command `based_on` a view, to an
        object changed after that view by another command. What a change makes anew (a new
        unit, a new subgroup) cannot have been changed elsewhere."""
        recording = self._recording
        if recording is None or recording.based_on is None:
            return
        change = trail.change_kinds()[kind]
        if change.creates:
            return
        own = recording.id if recording.id is not None else (
            recorded[0].command if recorded else None)
        history.require_unchanged(self.conn, set(change.objects(payload)), recording.based_on,
                                  besides=own)

    def change(self, kind: str, payload: dict[str, Any], why: str | None = None) -> trail.Record:
        with self.batch(why) as batch:
            return batch.record(kind, payload)

    def undo(self, why: str | None = None, change: int | None = None,
             among: set[int] | None = None) -> tuple[trail.Record, history.Command]:
        """Revert the last command in effect (of those numbered in `among`, when given), or
        the one change `change`. Returns the undo record and what it reverted."""
        with self.batch(why) as batch:
            batch.require_open()
            command, label = self.command_of_next(batch.recorded)
            if change is not None:
                done = history.undo_change(self.conn, self.author, why, change, command, label)
            else:
                done = history.undo_last(self.conn, self.author, why, among, command, label)
            batch.recorded.append(done[0])
            return done

    def redo(self, why: str | None = None, among: set[int] | None = None
             ) -> tuple[trail.Record, trail.Record]:
        """Restore what the last undo reverted. Returns the redo record and that undo."""
        with self.batch(why) as batch:
            batch.require_open()
            command, label = self.command_of_next(batch.recorded)
            done = history.redo_last(self.conn, self.author, why, among, command, label)
            batch.recorded.append(done[0])
            return done

    def head(self) -> tuple[int, str]:
        return trail.head(self.conn)

    # -- reading the past ----------------------------------------------------------------
    def replayed(self, upto: int | None = None) -> sqlite3.Connection:
        """A private in-memory copy of the state after change `upto` (default: the last),
        rebuilt from the trail, with the text store alongside."""
        last, _ = self.head()
        if upto is not None and not 1 <= upto <= last:
            raise StcError("E304", seq=upto, last=last)
        memory = store.connect(":memory:")
        store.migrate(memory)
        memory.execute("ATTACH DATABASE ? AS live", (str(self.db_path),))
        memory.execute("INSERT INTO main.texts SELECT * FROM live.texts")
        memory.execute("INSERT INTO main.trail SELECT * FROM live.trail")
        memory.execute("DETACH DATABASE live")
        memory.execute("BEGIN")
        trail.replay(memory, trail.effective(trail.records(memory, upto)))
        memory.execute("COMMIT")
        return memory

    def verify(self, expected: list[sealing.Head] | None = None) -> trail.Verdict:
        """Check the chain, the state against its replay, the texts and originals kept beside
        the trail, and that the trail still holds each head noted elsewhere (`expected`)."""
        from functools import partial

        # a function of the folder, not of this object: it may run in a spawned process
        problems, count = trail.verify_trail(self.db_path,
                                             alongside=partial(stored_problems, self.root))
        for head in expected or []:
            problems += sealing.check_head(self.conn, head)
        return trail.Verdict(not problems, problems, count)

    def add_reason(self, seq: int, why: str) -> trail.Record:
        """Give change `seq`, recorded without one, its reason: the trail is never rewritten,
        so the reason is a record of its own that names the change."""
        if not why.strip():
            raise StcError("E332")
        with self.batch(why.strip()) as batch:
            target = trail.record_at(self.conn, seq)
            if target is None or target.kind in (trail.UNDO, trail.REDO):
                raise StcError("E333", seq=seq)
            return batch.record("reason", {"seq": seq, "kind": target.kind})

    def seal(self, key: Path | None = None) -> tuple[Path, trail.Record]:
        """Write the trail's head to `seals/seal-N.txt`, sign it with an SSH key (see
        stc.sealing) and record that it was sealed. Returns the seal file and the record."""
        seq, digest = self.head()
        folder = self.root / sealing.SEALS
        folder.mkdir(exist_ok=True)
        path = folder / f"seal-{seq}.txt"
        write_atomically(path, sealing.seal_text(self.title, seq, digest, trail.now(),
                                                 self.author).encode("utf-8"))
        try:
            signature = sealing.sign(path, key or sealing.default_key())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        record = self.change("seal", {"seq": seq, "hash": digest,
                                      "key": sealing.fingerprint(signature)})
        return path, record

    def record_export(self, kind: str, paths: list[Path], state: int | None = None
                      ) -> trail.Record:
        """Record that files quoting the project were written (`kind`: qdpx, codebook,
        matrix, report, comparison, pack, backup), showing the state after change `state`
        (default: the last), so an erasure can name them. The paths go to the text store,
        as a file name may name a person; the record is a mark, which undo passes over."""
        with self.batch() as batch:
            shown = self.head()[0] if state is None else state
            names = [batch.text(os.path.abspath(path), PROJECT) for path in paths]
            return batch.record("export", {"kind": kind, "files": names, "state": shown})

    def remove_stray_originals(self) -> list[Path]:
        """Remove every file under sources/ that is no recorded original (`stc verify
        --repair`), under the write lock; returns what was removed."""
        with store.transaction(self.conn):
            return self._remove_strays(everything=True)

    def _remove_strays(self, everything: bool) -> list[Path]:
        """Inside a write transaction: originals are written only while the write lock is held
        (`Batch.keep_original`), so an unrecorded one now was left by a writer that was killed
        or failed, never one another process is about to record. Without `everything`, only
        what stc itself writes is removed (an original whose name holds the hash of its bytes,
        or an unfinished temporary file); what else lies there is for `verify` to report."""
        strays = stray_originals(self.sources_dir, self.conn)
        removed = []
        for path in strays:
            if path.is_file() and (everything or written_by_stc(path)):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def close(self) -> None:
        self.conn.close()


# a document version's original: document id, file name, sha256 of the bytes, the bytes
Original = tuple[str, str, str, bytes]


def stored_problems(root: Path, conn: sqlite3.Connection) -> list[str]:
    """What is kept beside the trail of the project in `root` and no longer matches it:
    texts changed or missing, originals changed, missing or planted. A function of the
    folder, so that `stc verify` can run it in a spawned process."""
    problems = [f"stored text {h[:12]} does not match its hash" for h in bad_texts(conn)]
    return problems + missing_texts(conn) + _original_problems(root / "sources", conn)


def _original_problems(sources: Path, conn: sqlite3.Connection) -> list[str]:
    import hashlib

    problems = []
    for doc, suffix, source in conn.execute("SELECT id, suffix, source FROM documents"):
        path = sources / source_name(doc, suffix, source)
        if not path.exists():
            problems.append(f"the original of {doc} is missing: {path}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != source:
            problems.append(f"the original of {doc} was changed: {path}")
    erased = erased_originals(conn)
    for path in stray_originals(sources, conn):
        if path.name in erased:
            problems.append(f"{path} is the original of {erased[path.name]}, which was erased:"
                            f" the erasure of {erased[path.name]} was interrupted; run `stc"
                            f" erase {erased[path.name]}` again to finish it")
        else:
            problems.append(f"{path} is not the original of any transcript in the trail (put"
                            " there by hand, or left by an interrupted import); `stc verify"
                            " --repair` removes it")
    return problems


def stray_originals(sources: Path, conn: sqlite3.Connection) -> list[Path]:
    """What lies in `sources` and is no recorded original."""
    if not sources.is_dir():
        return []
    present = sorted(sources.iterdir())
    # the current versions first: only a project with more there asks the trail
    current = {source_name(str(doc), str(suffix), str(source)) for doc, suffix, source in
               conn.execute("SELECT id, suffix, source FROM documents")}
    if all(path.name in current for path in present):
        return []
    kept = set(recorded_originals(conn))
    return [path for path in present if path.name not in kept]


_PART = re.compile(r".+\.[0-9a-f]{8}\.part")  # stc.outputs' temporary files


def written_by_stc(path: Path) -> bool:
    """Whether a file under sources/ is one stc wrote: an original named by the hash of its
    bytes (`source_name`), or a temporary file of an atomic write."""
    import hashlib

    if _PART.fullmatch(path.name):
        return True
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"-{digest[:12]}" in path.name


def recorded_originals(conn: sqlite3.Connection) -> list[str]:
    """The names under sources/ of the originals of every transcript version the trail
    records and no erasure removed."""
    from stc.changes.documents import kept_suffix
    from stc.texts import erased_versions

    erased = erased_versions(conn)
    return [source_name(str(doc), kept_suffix({"suffix": suffix, "filename": filename}),
                        str(source))
            for seq, doc, suffix, filename, source in conn.execute(
                "SELECT seq, payload ->> '$.doc', payload ->> '$.suffix',"
                " payload ->> '$.filename', payload ->> '$.source' FROM trail"
                " WHERE kind IN ('document.import', 'document.replace')")
            if seq not in erased]


def erased_originals(conn: sqlite3.Connection) -> dict[str, str]:
    """The names under sources/ the originals of erased transcript versions had, and whose."""
    from stc.changes.documents import kept_suffix
    from stc.texts import erased_versions

    erased = erased_versions(conn)
    return {source_name(str(doc), kept_suffix({"suffix": suffix, "filename": filename}),
                        str(source)): str(doc)
            for seq, doc, suffix, filename, source in conn.execute(
                "SELECT seq, payload ->> '$.doc', payload ->> '$.suffix',"
                " payload ->> '$.filename', payload ->> '$.source' FROM trail"
                " WHERE kind IN ('document.import', 'document.replace')")
            if seq in erased}


def source_name(doc: str, suffix: str, source: str) -> str:
    """Where the original bytes of a document version are kept under sources/ (`suffix` of
    the original's file name, such as '.docx')."""
    return f"{doc}-{source[:12]}{suffix.lower()}"


def resolve_author(override: str | None, settings: dict[str, Any]) -> str:
    """--author, else STC_AUTHOR, else [user] name in stc.toml, else git's user.name,
    else the login name."""
    if override:
        return override
    if os.environ.get("STC_AUTHOR"):
        return os.environ["STC_AUTHOR"]
    name = settings.get("user", {}).get("name")
    if name:
        return str(name)
    return _author_from_system()


def _author_from_system() -> str:
    # imported here: only a change with no configured author needs them, and reading
    # commands start faster without
    import getpass
    import subprocess

    try:
        # git writes its settings in UTF-8 everywhere, whatever the code page of a Windows
        # console says
        git = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                             encoding="utf-8", errors="replace", timeout=5, check=False)
        if git.returncode == 0 and git.stdout.strip():
            return git.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def find_project(start: Path | None = None) -> Path:
    """The project folder: STC_PROJECT, else the nearest folder upward holding stc.toml."""
    if start is None and os.environ.get("STC_PROJECT"):
        start = Path(os.environ["STC_PROJECT"])
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS).is_file() and (folder / DATABASE).is_file():
            return folder
    raise NotAProject(path=str(here))


def open_project(path: Path | str | None = None, author: str | None = None) -> Project:
    return Project(find_project(Path(path) if path is not None else None), author)


def init_project(path: Path | str, language: str, title: str, question: str | None = None,
                 author: str | None = None,
                 fill: Callable[[Project], None] | None = None) -> Project:
    """A new project folder; `fill` records what the project starts with (a second coder's
    copy of transcripts and codebook). If anything fails, the folder is left as it was."""
    root = Path(path)
    lang = normalise_language(language)
    if (root / SETTINGS).exists() or (root / DATABASE).exists():
        raise ProjectExists(path=str(root))
    created = [p for p in (root, root / "sources", root / "reports") if not p.exists()]
    project: Project | None = None
    try:
        for folder in created:
            folder.mkdir(parents=True)
        (root / SETTINGS).write_text(_settings_text(title, lang, question), encoding="utf-8")
        project = Project(root, author)
        project.change("project.init", {"title": title, "language": lang, "question": question})
        if fill is not None:
            fill(project)
    except BaseException:
        if project is not None:
            project.close()
        _remove_partial_project(root, created)
        raise
    return project


def _remove_partial_project(root: Path, created: list[Path]) -> None:
    """A failed `init` leaves the folder as it found it."""
    for name in (SETTINGS, DATABASE, DATABASE + "-wal", DATABASE + "-shm"):
        (root / name).unlink(missing_ok=True)
    for folder in reversed(created):
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
