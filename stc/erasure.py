"""Erasing a transcript when a participant withdraws consent, so that nothing readable is left.

`erase` does, under sole access to stc.db (`store.sole_access`: refused while another program
has it open):

1. one transaction per transcript: `document.erase` recorded (the state without it), the
   workbench's unrecorded drafts written beside it deleted (`stc.drafts`), and out of the
   text store every text that any change about the transcript, its units or the memos on
   them ever referred to, found in the trail rather than the state, so units undone or
   replaced, earlier quotations, notes and memos go too, except what another change still
   needs; the transcript's salt with them, and a participant who now speaks nowhere loses her
   name, her attributes and her salt;
2. the files in the project folder that hold its words (`stc.traces`): reports under
   reports/ and exports written there are removed, anything else is named for the user;
3. its originals under sources/;
4. what SQLite keeps of deleted rows: deleted with `secure_delete`, then VACUUM;

and then removes the copies of stc.db kept before upgrades that hold it, and names the exports
written elsewhere since it was imported (`export` records in the trail).

The trail keeps hashes: made with the transcript's salt (deleted), they can confirm no guessed
sentence; projects from before salts keep plain hashes and, before participants were objects,
names in clear, and `Erased.still_held` says so. Run again after an interruption, it finishes
what is left (the transcript is then found by its erasure).
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from stc import drafts, store
from stc.changes.documents import kept_suffix, names_in_clear
from stc.errors import StcError
from stc.naming import key
from stc.project import DATABASE, SETTINGS, Project, source_name
from stc.refs import resolve_doc
from stc.texts import doc_owner, get_text, hashes_in, participant_owner, salt_of, stored_value
from stc.traces import Words, readable_text
from stc.trail import EXPORT, records


@dataclass
class Erased:
    """What became of one transcript."""

    doc: str
    seq: int  # the change that recorded its erasure
    finished: bool = False  # an erasure interrupted earlier, finished now
    texts: int = 0
    units: int = 0
    memos: int = 0
    originals: int = 0
    drafts: int = 0  # the workbench's unrecorded drafts written beside it (stc.drafts)
    review: list[str] = field(default_factory=list)  # what she wrote that holds its words
    still_held: list[str] = field(default_factory=list)  # what the trail of an old project keeps


class Export(NamedTuple):
    """A file written outside the project folder that may hold an erased transcript."""

    kind: str
    path: str
    at: str
    exists: bool


@dataclass
class Erasure:
    """What one run of `erase` did."""

    erased: list[Erased]
    reports: list[str] = field(default_factory=list)  # files under reports/ removed
    exports_removed: list[str] = field(default_factory=list)  # exports in the folder removed
    backups: list[str] = field(default_factory=list)  # copies of stc.db kept before upgrades
    others: list[str] = field(default_factory=list)  # other files holding its words
    sync: str | None = None  # the sync client whose folder holds the project
    searched: bool = True  # False: the texts were gone already (an erasure finished), so the
    # other files could not be searched for them
    exports: list[Export] = field(default_factory=list)  # written elsewhere since its import


def step(name: str) -> None:
    """A named point between the steps of an erasure, where a test interrupts it."""


def erase_document(project: Project, doc: str, why: str) -> Erasure:
    return erase(project, [doc], why)


def erase(project: Project, docs: list[str], why: str) -> Erasure:
    """Erase the transcripts `docs` (see the module's description)."""
    if not why.strip():  # an erasure cannot be undone: the trail says why it was made
        raise StcError("E332")
    conn = project.conn
    targets = [_target(conn, doc) for doc in docs]
    words = Words()
    with store.sole_access(conn, project.db_path):
        changes = _Changes(conn)
        first = min(changes.imported(doc) for doc, _ in targets)
        # read before a path naming her goes
        exports, ours = _exports_elsewhere(project, first), _exported_files(conn, first)
        done = [_erase_one(project, changes, doc, seq, why, words) for doc, seq in targets]
        step("committed")
        result = Erasure(done, exports=exports)
        _remove_quoting_files(project, result, words, ours,
                              finishing=any(e.finished for e in done))
        for erased in done:
            erased.originals = _remove_originals(project, changes, erased.doc)
        step("files")
        conn.execute("VACUUM")  # free pages, and what moved inside pages before, rewritten
        step("vacuumed")
    result.backups = _remove_backups(project, [e.doc for e in done])
    from stc.lifecycle import sync_client  # the lifecycle module erases through this one

    result.sync = sync_client(project.root)
    return result


def _target(conn: sqlite3.Connection, doc: str) -> tuple[str, int | None]:
    """The transcript's id, and the change that erased it when it was erased already."""
    try:
        return resolve_doc(conn, doc), None
    except StcError:
        # an erased transcript, matched as names are (stc.naming): the last erasure of it
        wanted = key(doc)
        erased = [(int(seq), str(name)) for seq, name in conn.execute(
            "SELECT seq, payload ->> '$.doc' FROM trail WHERE kind = 'document.erase'"
            " ORDER BY seq DESC") if key(str(name)) == wanted]
        if not erased:
            raise
        return erased[0][1], erased[0][0]


# -- the trail: what every change was about --------------------------------------------------

class _Change(NamedTuple):
    seq: int
    kind: str
    payload: dict[str, Any]
    objects: set[str]
    uses: set[str]
    created: set[str]
    hashes: set[str]


class _Changes:
    """The whole trail (undone changes too), read once: each change's objects and hashes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.all = [_Change(r.seq, r.kind, r.payload, r.objects(), r.uses(), r.created(),
                            hashes_in(r.payload)) for r in records(conn)]
        self.count = Counter(h for c in self.all for h in c.hashes)  # changes naming each

    def versions(self, doc: str) -> list[_Change]:
        return [c for c in self.all if c.kind in ("document.import", "document.replace")
                and c.payload.get("doc") == doc]

    def imported(self, doc: str) -> int:
        """The change that first imported the transcript."""
        return min((c.seq for c in self.versions(doc)), default=0)

    def about(self, doc: str, units: set[str], notes: set[str]) -> list[_Change]:
        """The changes about the transcript: what they make, change or remove is it, one of
        its units or a memo or comment on them, or they take something from it (a unit)."""
        key = f"doc:{doc}"
        keys = {key, *units, *notes}
        return [c for c in self.all if c.objects & keys or key in c.uses]

    def only_in(self, about: list[_Change], used: set[str]) -> set[str]:
        """The hashes the changes `about` name and no other change needs: a change that only
        refers to the transcript or its units (`used`: a condensate written on them keeps
        their texts' hashes) names them as references, not as texts of its own."""
        seqs = {c.seq for c in about}
        referring = [c for c in self.all if c.seq not in seqs and c.uses & used]
        named = Counter(h for c in [*about, *referring] for h in c.hashes)
        return {h for c in about for h in c.hashes if named[h] == self.count[h]}

    def units_of(self, doc: str) -> set[str]:
        key = f"doc:{doc}"
        return {k for c in self.all for k in c.created if k.startswith("unit:")
                and (c.payload.get("doc") == doc or key in c.uses | c.objects)}

    def written_on(self, doc: str, units: set[str]) -> set[str]:
        """What was written on the transcript, a place in it or one of its units: memos,
        comments (every object but a unit made by a change that uses them)."""
        on = {f"doc:{doc}", *units}
        return {k for c in self.all for k in c.created
                if not k.startswith("unit:") and (c.uses | c.objects) & on}

    def speakers(self, doc: str) -> set[int]:
        """The participants any version of the transcript, or a mapping of its labels, gave
        a turn."""
        found: set[int] = set()
        for c in self.all:
            if c.payload.get("doc") != doc:
                continue
            if c.kind in ("document.import", "document.replace") and not names_in_clear(c.payload):
                found.update(int(t[2]) for t in c.payload["turns"] if t[2] is not None)
            elif c.kind == "participant.map" and c.payload.get("participant") is not None:
                found.add(int(c.payload["participant"]))
        return found

    def of_person(self, pid: int) -> set[str]:
        """The hashes of a participant's name and attribute values in every change."""
        found: set[str] = set()
        for c in self.all:
            p = c.payload
            named = c.kind in ("participant.add", "participant.rename") and p.get("id") == pid
            valued = c.kind == "attribute.set" and p.get("owner_kind") == "participant" \
                and str(p.get("owner")) == str(pid)
            if named or valued:
                found |= c.hashes
            elif c.kind in ("document.import", "document.replace"):
                found.update(str(name) for who, name in p.get("participants", []) if who == pid)
        return found


# -- one transcript ---------------------------------------------------------------------------

def _erase_one(project: Project, changes: _Changes, doc: str, erased_at: int | None, why: str,
               words: Words) -> Erased:
    conn = project.conn
    units = changes.units_of(doc) | {f"unit:{r[0]}" for r in conn.execute(
        "SELECT id FROM units WHERE doc = ?", (doc,))}
    about = changes.about(doc, units, changes.written_on(doc, units))
    speaking = changes.speakers(doc) | {int(r[0]) for r in conn.execute(
        "SELECT DISTINCT participant FROM turns WHERE doc = ? AND participant IS NOT NULL",
        (doc,))}
    erased = Erased(doc, erased_at or 0, finished=erased_at is not None,
                    units=conn.execute("SELECT count(*) FROM units WHERE doc = ?",
                                       (doc,)).fetchone()[0],
                    memos=len(_memos_in_state(conn, doc)))
    if erased_at is None:
        erased.review = _to_review(conn, doc)
    # a name or a label alone is one word: known by itself in files
    for (label,) in conn.execute("SELECT label FROM speakers WHERE doc = ? AND role ="
                                 " 'participant' AND label != ''", (doc,)):
        words.add_name(stored_value(conn, str(label)))
    with project.batch(why) as batch:
        erased.drafts = drafts.erase(conn, doc)
        if erased_at is None:
            erased.seq = batch.record("document.erase", {"doc": doc}).seq
        gone = sorted(pid for pid in speaking if conn.execute(
            "SELECT 1 FROM turns WHERE participant = ? LIMIT 1", (pid,)).fetchone() is None)
        for pid in gone:  # her attributes go with her name: recorded as removed
            for key, kind in conn.execute("SELECT key, type FROM attributes WHERE owner_kind"
                                          " = 'participant' AND owner = ?", (str(pid),)).fetchall():
                batch.record("attribute.set", {"owner_kind": "participant", "owner": pid,
                                               "key": key, "value": None, "type": kind})
        needed = _state_hashes(conn, gone)
        hashes = changes.only_in(about, units | {f"doc:{doc}"})
        for pid in gone:
            hashes |= changes.of_person(pid)
            for (name,) in conn.execute("SELECT name FROM participants WHERE id = ?", (pid,)):
                hashes.add(str(name))
                words.add_name(stored_value(conn, str(name)))
        owners = [doc_owner(doc), *(participant_owner(pid) for pid in gone)]
        salts = [s for s in (salt_of(conn, o, create=False) for o in owners) if s]
        hashes |= {str(r[0]) for salt in salts
                   for r in conn.execute("SELECT hash FROM texts WHERE salt = ?", (salt,))}
        hashes -= needed
        erased.still_held = _still_held(conn, changes, doc, hashes, erased_at is not None)
        for digest in sorted(hashes):
            body = get_text(conn, digest)
            if body is not None:
                words.add(body)
        erased.texts = sum(conn.execute("DELETE FROM texts WHERE hash = ?", (h,)).rowcount
                           for h in sorted(hashes))
        erased.drafts += drafts.erase_holding(conn, words.found_in)
        _forget_paths_naming(conn, words, changes.imported(doc))
        conn.executemany("DELETE FROM salts WHERE owner = ?", [(o,) for o in owners])
    return erased


def _memos_in_state(conn: sqlite3.Connection, doc: str) -> list[int]:
    refs = [doc, *(f"U{r[0]}" for r in conn.execute("SELECT id FROM units WHERE doc = ?",
                                                     (doc,)))]
    return [int(r[0]) for r in conn.execute(
        f"SELECT id FROM memos WHERE ref IN ({','.join('?' * len(refs))}) OR ref LIKE ?",
        (*refs, f"{doc}:%"))]


def _state_hashes(conn: sqlite3.Connection, gone: list[int]) -> set[str]:
    """Every text the state still names (after the erasure), but the names of `gone`."""
    found: set[str] = set()
    for table, columns in store.TEXT_COLUMNS.items():
        for column in columns:
            found.update(str(r[0]) for r in conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"))
    for sql in ("SELECT speaker FROM turns WHERE speaker IS NOT NULL",
                "SELECT label FROM speakers", "SELECT filename FROM documents",
                "SELECT value FROM attributes"):
        found.update(str(r[0]) for r in conn.execute(sql))
    found.update(str(r[1]) for r in conn.execute("SELECT id, name FROM participants")
                 if int(r[0]) not in gone)
    return found


def _still_held(conn: sqlite3.Connection, changes: _Changes, doc: str, hashes: set[str],
                finishing: bool) -> list[str]:
    """What the trail of a project from before salts and participant objects still holds of
    the transcript after its texts are gone."""
    held = []
    clear = [c.seq for c in changes.versions(doc) if names_in_clear(c.payload)]
    if clear:
        held.append(f"the speaker labels, the participants' names and the file name of {doc}"
                    f" in clear, in {_changes_named(clear)} (recorded before stc kept them by"
                    " hash)")
    plain = 0 if finishing else sum(1 for h in hashes if conn.execute(
        "SELECT 1 FROM texts WHERE hash = ? AND salt IS NULL", (h,)).fetchone())
    if plain:
        held.append(f"{plain} hash(es) of its texts made without a salt (before stc salted"
                    " them): whoever holds the trail and guesses a sentence word for word can"
                    " confirm it")
    return held


def _changes_named(seqs: list[int]) -> str:
    return ("change " if len(seqs) == 1 else "changes ") + ", ".join(f"#{s}" for s in seqs)


def _to_review(conn: sqlite3.Connection, doc: str) -> list[str]:
    """Condensates, analytic texts, memos and comments she (or her supervisor) wrote that rest
    on the transcript's units or share a run of five words with them: the erasure leaves
    them, she rewrites them."""
    units = {int(r[0]): get_text(conn, str(r[1])) or "" for r in conn.execute(
        "SELECT id, text FROM units WHERE doc = ?", (doc,))}
    told = Words()
    for body in units.values():
        told.add(body)
    resting: dict[tuple[str, int], list[int]] = {}
    for kind, owner, unit in conn.execute("SELECT kind, owner, unit FROM condensate_units"):
        if int(unit) in units:
            resting.setdefault((str(kind), int(owner)), []).append(int(unit))
    out = []
    for kind, table, label in (("group", "code_groups", "g.name"),
                               ("subgroup", "subgroups", "g.name || '/' || t.name")):
        join = "JOIN code_groups g ON g.id = t.group_id" if kind == "subgroup" \
            else "JOIN code_groups g ON g.id = t.id"
        for ident, name, condensate, description in conn.execute(
                f"SELECT t.id, {label}, t.condensate, t.description FROM {table} t {join}"):
            on = resting.get((kind, int(ident)), [])
            if condensate and (on or told.found_in(get_text(conn, condensate) or "")):
                rest = f"rests on {', '.join(f'U{u}' for u in on)}" if on else "shares words"
                out.append(f"the condensate of {name} ({rest})")
            if description and told.found_in(get_text(conn, description) or ""):
                out.append(f"the analytic text of {name} (shares words)")
    on_doc = set(_memos_in_state(conn, doc))
    for memo, ref, body in conn.execute("SELECT id, ref, body FROM memos ORDER BY id"):
        if int(memo) not in on_doc and told.found_in(get_text(conn, str(body)) or ""):
            out.append(f"memo M{memo}{' on ' + str(ref) if ref else ''} (shares words)")
    # comments on her transcript and units go with its salt; others may quote her
    hers = {f"doc:{doc}", *(f"unit:{u}" for u in units)}
    for ident, ref, anchored, body, resolution in conn.execute(
            "SELECT id, ref, on_key, body, resolution FROM comments ORDER BY id"):
        said = [get_text(conn, str(h)) or "" for h in (body, resolution) if h]
        if anchored not in hers and any(told.found_in(text) for text in said):
            out.append(f"comment C{ident} on {ref} (shares words)")
    return out


# -- files -------------------------------------------------------------------------------------

# what the folder keeps that an erasure handles otherwise: the database (and its copies from
# before upgrades), the originals, seals, and the settings (a title, a research question)
_NOT_SCANNED = (DATABASE, "sources", "seals", SETTINGS)


def _remove_quoting_files(project: Project, result: Erasure, words: Words, ours: set[str],
                          finishing: bool) -> None:
    """Remove the reports and exports (`ours`: their paths) in the project folder that hold
    the erased words; name the other files that do. Finishing an interrupted erasure, the
    texts are gone, so every report and every export written there since the import goes."""
    root = project.root
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if relative.parts[0].startswith(_NOT_SCANNED) or path.name == ".stc-sync-notice":
            continue
        in_reports = relative.parts[0] == "reports" or path.name.endswith(".part")
        exported = os.path.abspath(path) in ours
        if finishing:
            holds = in_reports or exported
        else:
            text = readable_text(path)
            holds = text is None or words.found_in(text)  # unreadable: it may hold them
        if holds and (in_reports or exported):
            path.unlink(missing_ok=True)
            (result.reports if in_reports else result.exports_removed).append(str(relative))
        elif holds:
            result.others.append(str(relative))
    result.searched = not finishing
    for folder in sorted((p for p in (root / "reports").rglob("*") if p.is_dir()),
                         key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()  # an as-of-N folder emptied


def _exported_files(conn: sqlite3.Connection, since: int) -> set[str]:
    """The paths of the files recorded as exported after change `since`."""
    return {path for _, path, _, _ in _exports(conn, since) if path}


def _exports(conn: sqlite3.Connection, since: int) -> list[tuple[str, str, str, str]]:
    """(kind, path, time, hash of the path) of each file exported after change `since`."""
    from stc.trail import load_payload

    out = []
    for at, payload in conn.execute(f"SELECT at, payload FROM trail WHERE kind = '{EXPORT}'"
                                    " AND seq > ? ORDER BY seq", (since,)):
        p = load_payload(payload)
        out += [(str(p["kind"]), get_text(conn, f) or "", str(at), str(f)) for f in p["files"]]
    return out


def _exports_elsewhere(project: Project, since: int) -> list[Export]:
    root = project.root.resolve()
    return [Export(kind, path or FORGOTTEN, at, bool(path) and os.path.exists(path))
            for kind, path, at, _ in _exports(project.conn, since)
            if not path or not Path(path).resolve().is_relative_to(root)]


# how a file is named whose path an erasure forgot
FORGOTTEN = "(its path named an erased participant and was forgotten)"


def _forget_paths_naming(conn: sqlite3.Connection, words: Words, since: int) -> None:
    """An export's path is kept so an erasure can name the file; a path that holds the
    erased participant's name or label goes with her (named by this erasure, which read the
    paths before)."""
    for _, path, _, digest in _exports(conn, since):
        if path and words.found_in(path):
            conn.execute("DELETE FROM texts WHERE hash = ?", (digest,))


def _remove_originals(project: Project, changes: _Changes, doc: str) -> int:
    """Delete every kept original of the transcript's versions; returns how many there were."""
    removed = 0
    for change in changes.versions(doc):
        path = project.sources_dir / source_name(doc, kept_suffix(change.payload),
                                                 change.payload["source"])
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def _remove_backups(project: Project, docs: list[str]) -> list[str]:
    """The copies of stc.db kept before upgrades that hold any of `docs` (or cannot be read
    to tell): removed, as they hold the transcripts whole."""
    removed = []
    for path in sorted(project.root.glob(f"{DATABASE}.before-*")):
        if _holds_any(path, docs):
            path.unlink()
            removed.append(path.name)
    return removed


def _holds_any(path: Path, docs: list[str]) -> bool:
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return any(conn.execute("SELECT 1 FROM trail WHERE kind = 'document.import' AND"
                                    " payload ->> '$.doc' = ? LIMIT 1", (doc,)).fetchone()
                       for doc in docs)
        finally:
            conn.close()
    except sqlite3.Error:
        return True
