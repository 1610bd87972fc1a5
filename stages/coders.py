"""Step 2 with two coders: a second coder's copy of a project, and two coders' meaning units on
the same transcripts side by side, with the agreement figures and the places they disagree.

Coder A is this project (or, within one project, the author of one set of units); coder B the
other coder's project (or the other author). Transcripts are matched by the hash of their text,
never by name alone, so offsets in one are offsets in the other; segments, speakers' roles and
references are this project's. The other project is only read, through a connection that never
writes.

The segments compared are those of participants' speech (turn role `participant`), and any other
segment a unit of either coder touches, whatever its code. The interviewer's questions nobody
coded are left out: counted, they would be agreement on "not coded" that no coder decided, and
inflate percent agreement and κ the way uncoded text inflates a character-based κ. A coder who
did code an interviewer's words is not ignored: those segments count, for every code compared.
"""

from __future__ import annotations

import sqlite3
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any, NamedTuple

from stc import naming, store, trail
from stc.attributes import OWNER_KINDS, Difference, Value, attributes_of, record_value
from stc.changes.documents import kept_suffix
from stc.errors import StcError
from stc.participants import Speakers
from stc.participants import names as participant_names
from stc.project import DATABASE, SETTINGS, Batch, Project, init_project, source_name
from stc.stages.agreement import Figures, figures
from stc.texts import PROJECT, doc_owner, get_text, salt_of_text, stored_value, text_hash
from stc.units import load_doc
from stc.words import counted

# -- the other coder's project -----------------------------------------------------------------


@dataclass
class Other:
    """Another coder's project, opened read-only; one snapshot is read inside `BEGIN`."""

    root: Path
    conn: sqlite3.Connection
    settings: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.settings.get("title", self.root.name))

    @property
    def language(self) -> str:
        return str(self.settings.get("language", "en"))

    def close(self) -> None:
        self.conn.close()


def open_other(path: Path | str, this: Project | None = None) -> Other:
    """The other coder's project folder, read-only. Refuses a folder that is no project and
    this project itself."""
    root = Path(path).expanduser().resolve()
    if not (root / SETTINGS).is_file() or not (root / DATABASE).is_file():
        raise StcError("E850", path=str(path))
    if this is not None and root == this.root.resolve():
        raise StcError("E851", path=str(path))
    try:
        settings = tomllib.loads((root / SETTINGS).read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise StcError("E003", path=str(root / SETTINGS), detail=str(exc)) from None
    conn = _reading(root / DATABASE)
    known = {name for name, _ in store.MIGRATIONS}
    done = {str(r[0]) for r in conn.execute("SELECT name FROM schema_migrations")}
    if done - known:
        conn.close()
        raise StcError("E005", found=max(done - known))
    if known - done:  # read, never written: its tables must be this version's
        conn.close()
        raise StcError("E808", path=str(root))
    conn.execute("BEGIN")  # one snapshot, also while its coder goes on working
    return Other(root, conn, settings)


def _reading(db: Path) -> sqlite3.Connection:
    """A connection that never writes the other project's data (`query_only`). Opened for
    writing where it can be, so that closing it folds SQLite's log back into stc.db as the
    other coder's own commands do; read-only where the folder allows nothing else."""
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=rw", uri=True, isolation_level=None)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {store.BUSY_TIMEOUT_MS}")
    return conn


class Made(NamedTuple):
    """Who recorded an object's making, and when (UTC, ISO)."""

    author: str
    at: str


def making(conn: sqlite3.Connection, kind: str) -> dict[int, Made]:
    """Who made each object of a kind (`unit.add`, `code.add`), and when: the author and time
    of its record. An id an undone change had may be given again, so the last record with the
    id counts."""
    return {int(r[0]): Made(str(r[1]), str(r[2])) for r in conn.execute(
        "SELECT json_extract(payload, '$.id'), author, at FROM trail WHERE kind = ?"
        " ORDER BY seq", (kind,))}


def creators(conn: sqlite3.Connection, kind: str) -> dict[int, str]:
    """Who made each object of a kind: the author of its record (see `making`)."""
    return {ident: made.author for ident, made in making(conn, kind).items()}


# -- a second coder's copy ---------------------------------------------------------------------

class SecondCopy(NamedTuple):
    """What `stc init --from` copied."""

    project: Project
    documents: list[str]
    themes: int
    groups: int
    codes: int


DOCUMENT_KINDS = ("document.import", "document.replace", "document.erase")


def _document_records(other: Other) -> list[trail.Record]:
    """The import and corrections of every transcript the other project holds now, in order:
    copying them gives the copy the same text, segments and segment numbers, speakers, roles
    and participants."""
    current = {str(r[0]) for r in other.conn.execute("SELECT id FROM documents")}
    kept: dict[str, list[trail.Record]] = {}
    for record in trail.effective(trail.records(other.conn)):
        if record.kind not in DOCUMENT_KINDS:
            continue
        doc = str(record.payload["doc"])
        if record.kind == "document.replace":
            kept.setdefault(doc, []).append(record)
        else:  # an erased transcript's id may be used again
            kept[doc] = [record] if record.kind == "document.import" else []
    return [r for doc in sorted(kept) if doc in current for r in kept[doc]]


def _original(other: Other, payload: dict[str, Any], required: bool) -> bytes | None:
    """The kept original of a document version, checked against its hash."""
    path = other.root / "sources" / source_name(payload["doc"], kept_suffix(payload),
                                                 payload["source"])
    data = path.read_bytes() if path.is_file() else None
    if data is None or sha256(data).hexdigest() != payload["source"]:
        if required:
            raise StcError("E852", doc=payload["doc"], path=str(other.root))
        return None
    return data


def init_from(other_path: Path | str, directory: Path | str, author: str | None = None,
              title: str | None = None) -> SecondCopy:
    """A new project for a second coder: the other project's transcripts (the same ids, text,
    segments, speakers and participants, with their kept originals) and its codebook (themes,
    code groups, codes), without units, memos or anything of steps 3 and 4."""
    other = open_other(other_path)
    try:
        records = _document_records(other)
        current = {(str(r[0]), int(r[1])) for r in
                   other.conn.execute("SELECT id, version FROM documents")}
        texts: dict[str, str] = {}
        originals = []
        for record in records:
            p = record.payload
            body = get_text(other.conn, p["text"])
            salt = salt_of_text(other.conn, p["text"])
            if body is None or text_hash(body, salt) != p["text"]:
                raise StcError("E852", doc=p["doc"], path=str(other.root))
            texts[p["text"]] = body
            data = _original(other, p, required=(p["doc"], p["version"]) in current)
            if data is not None:
                originals.append((p["doc"], f"{p['doc']}{kept_suffix(p)}", p["source"], data))
        codebook = _codebook(other)
        people = _People.of(other.conn)
        result: dict[str, int] = {}

        def fill(project: Project) -> None:
            why = f"second coder's copy of {other.title!r} ({other.root.name}): transcripts and" \
                  " codebook, no units"
            with project.batch(why) as b:
                for original in originals:
                    b.keep_original(original)
                speakers = Speakers(b)
                for record in records:
                    # hashed anew with the copy's own salts: its trail cannot be matched
                    # with the original's
                    digest = b.text(texts[record.payload["text"]],
                                    doc_owner(record.payload["doc"]))
                    b.record(record.kind, {**people.payload(record.payload, speakers),
                                           "text": digest})
                people.record_attributes(b, speakers)
                result.update(_record_codebook(b, codebook))

        project = init_project(directory, other.language, title or other.title,
                               other.settings.get("question"), author, fill=fill)
    finally:
        other.close()
    docs = [str(r[0]) for r in project.conn.execute("SELECT id FROM documents ORDER BY id")]
    return SecondCopy(project, docs, result["themes"], result["groups"], result["codes"])


@dataclass
class _People:
    """The other project's participants, speaker labels and attributes as they are now, to
    give a copy of its transcripts the same ones (names and labels in its own text store)."""

    names: dict[int, str]
    labels: dict[str, str]  # stored label -> label
    turns: dict[tuple[str, int], list[tuple[str | None, str, int | None]]]
    filenames: dict[str, str]  # stored file name -> file name
    attributes: dict[str, dict[str, dict[str, Value]]]

    @classmethod
    def of(cls, conn: sqlite3.Connection) -> _People:
        turns: dict[tuple[str, int], list[tuple[str | None, str, int | None]]] = {}
        labels: dict[str, str] = {}
        for doc, version, label, role, who in conn.execute(
                "SELECT doc, version, speaker, role, participant FROM turns"
                " ORDER BY doc, version, turn"):
            turns.setdefault((str(doc), int(version)), []).append((label, str(role), who))
            if label is not None and label not in labels:
                labels[label] = stored_value(conn, str(label))
        filenames = {str(f): stored_value(conn, str(f)) for (f,) in conn.execute(
            "SELECT payload ->> '$.filename' FROM trail WHERE kind IN"
            " ('document.import', 'document.replace')")}
        return cls(participant_names(conn), labels, turns, filenames,
                   {kind: attributes_of(conn, kind) for kind in OWNER_KINDS})

    def payload(self, p: dict[str, Any], speakers: Speakers) -> dict[str, Any]:
        """A document version's payload for the copy: the same text and segments, its turns
        with the roles and participants they have in the other project now."""
        now = self.turns.get((p["doc"], p["version"]), [])
        turns = []
        for i, turn in enumerate(p["turns"]):
            label, role, who = now[i] if i < len(now) else (turn[0], turn[1], None)
            clear = None if label is None else self.labels.get(label, label)
            mine = None if who is None else speakers.participant(self.names[int(who)])
            turns.append([speakers.label(clear, p["doc"]), role, mine, *turn[3:]])
        speaking = {t[2] for t in turns if t[2] is not None}
        filename = self.filenames.get(p["filename"], p["filename"])
        return {**p, "turns": turns, "participant": speaking.pop() if len(speaking) == 1
                else None, "participants": speakers.take_added(),
                "filename": speakers.batch.text(filename, doc_owner(p["doc"])),
                "suffix": kept_suffix(p)}

    def record_attributes(self, b: Batch, speakers: Speakers) -> None:
        docs = {str(r[0]) for r in b.conn.execute("SELECT id FROM documents")}
        for kind, owners in self.attributes.items():
            for owner, values in owners.items():
                if kind == "participant":
                    if int(owner) not in self.names:
                        continue
                    mine = str(speakers.participant(self.names[int(owner)]))
                elif owner in docs:
                    mine = owner
                else:
                    continue
                speakers.record_added()
                for key, value in values.items():
                    record_value(b, kind, mine, key, value, None, Difference())


class _Codebook(NamedTuple):
    themes: list[str]
    groups: list[tuple[str, str | None]]  # name, the theme it grew out of
    codes: list[tuple[str, str | None, str | None]]  # name, group, definition text


def _codebook(other: Other) -> _Codebook:
    conn = other.conn
    themes = [str(r[0]) for r in conn.execute("SELECT name FROM themes ORDER BY position, id")]
    groups = [(str(r[0]), r[1]) for r in conn.execute(
        "SELECT g.name, t.name FROM code_groups g LEFT JOIN themes t ON t.id = g.from_theme"
        " ORDER BY g.position, g.id")]
    codes = [(str(r[0]), r[1], get_text(conn, r[2])) for r in conn.execute(
        "SELECT c.name, g.name, c.definition FROM codes c LEFT JOIN code_groups g"
        " ON g.id = c.group_id ORDER BY c.id")]
    return _Codebook(themes, groups, codes)


def _record_codebook(b: Batch, book: _Codebook) -> dict[str, int]:
    theme_ids: dict[str, int] = {}
    for name in book.themes:
        theme_ids[name.casefold()] = b.next_id("themes")
        b.record("theme.add", {"id": theme_ids[name.casefold()], "name": name})
    group_ids: dict[str, int] = {}
    for name, theme in book.groups:
        group_ids[name.casefold()] = b.next_id("code_groups")
        b.record("group.add", {"id": group_ids[name.casefold()], "name": name,
                               "from_theme": theme_ids.get(theme.casefold()) if theme else None})
    for name, group, definition in book.codes:
        b.record("code.add", {"id": b.next_id("codes"), "name": name,
                              "group": group_ids[group.casefold()] if group else None,
                              "definition": b.text(definition, PROJECT) if definition else None})
    return {"themes": len(book.themes), "groups": len(book.groups), "codes": len(book.codes)}


# -- two coders' units --------------------------------------------------------------------------

class Coded(NamedTuple):
    """A meaning unit of one coder, placed in a transcript of this project."""

    id: int  # its number in its own project
    doc: str  # the transcript's id in this project
    start: int
    end: int
    codes: tuple[str, ...]  # code names, after the mapping of renames
    author: str
    note: str | None  # hash of its note in its own project's text store

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(c.casefold() for c in self.codes)


@dataclass
class Side:
    """One coder's units on the transcripts of this project."""

    label: str  # "A" or "B"
    name: str  # the project folder, or the author within one project
    conn: sqlite3.Connection
    units: list[Coded]
    codebook: dict[str, str]  # casefold name -> name, after the mapping
    not_current: int = 0  # units left out: they sit on an older version of their transcript

    @property
    def state(self) -> dict[str, Any]:
        """The last change of the project read: its number, time and the trail's hash."""
        row = trail.last_shown(self.conn)
        assert row is not None  # a project starts with its creation
        return {"seq": int(row["seq"]), "at": str(row["at"]), "hash": str(row["hash"])}

    def coders(self, docs: Iterable[str]) -> list[str]:
        wanted = set(docs)
        return sorted({u.author for u in self.units if u.doc in wanted})

    def docs(self) -> set[str]:
        return {u.doc for u in self.units}


def read_code_map(path: Path) -> dict[str, str]:
    """A mapping file for renamed codes: CSV rows `old,new` (a header row `old,new` may lead),
    the other coder's name first."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise StcError("E857", path=str(path), detail=exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise StcError("E857", path=str(path), detail="not UTF-8 text") from None
    mapping: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (number == 1 and [c.lower() for c in cells[:2]] == ["old", "new"]):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise StcError("E857", path=str(path),
                           detail=f"row {number}: write two names, old,new")
        mapping[naming.key(cells[0])] = " ".join(cells[1].split())
    return mapping


def _codebook_names(conn: sqlite3.Connection, mapping: dict[str, str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for (name,) in conn.execute("SELECT name FROM codes ORDER BY id"):
        shown = mapping.get(naming.key(str(name)), str(name))
        names.setdefault(naming.key(shown), shown)
    return names


def load_units(conn: sqlite3.Connection, docs: dict[str, str],
               authors: Callable[[str], bool] | None = None,
               mapping: dict[str, str] | None = None) -> tuple[list[Coded], int]:
    """The units on the current version of the transcripts in `docs` (their id there -> id
    here), by the authors `authors` accepts; and how many were left out for sitting on an
    older version."""
    mapping = mapping or {}
    made_by = creators(conn, "unit.add")
    codes: dict[int, list[str]] = {}
    for unit, name in conn.execute("SELECT uc.unit, c.name FROM unit_codes uc JOIN codes c"
                                   " ON c.id = uc.code ORDER BY c.name COLLATE NOCASE"):
        shown = mapping.get(naming.key(str(name)), str(name))
        if naming.key(shown) not in {naming.key(c) for c in codes.get(unit, [])}:
            codes.setdefault(unit, []).append(shown)
    out: list[Coded] = []
    older = 0
    for r in conn.execute("SELECT u.id, u.doc, u.start, u.end, u.note, u.version = d.version"
                          " FROM units u JOIN documents d ON d.id = u.doc ORDER BY u.id"):
        author = made_by.get(int(r[0]), "")
        if r[1] not in docs or (authors is not None and not authors(author)):
            continue
        if not r[5]:
            older += 1
            continue
        out.append(Coded(int(r[0]), docs[r[1]], int(r[2]), int(r[3]),
                         tuple(codes.get(int(r[0]), [])), author, r[4]))
    return out, older


def _by(coder: str) -> Callable[[str], bool]:
    return lambda author: author.casefold() == coder.casefold()


class Sides(NamedTuple):
    """Two coders' units, the transcripts of this project both can be compared on, and notes on
    those only one project holds."""

    a: Side
    b: Side
    shared: list[str]
    notes: list[str]
    pairs: dict[str, str]  # the other project's transcript id -> the id here
    mapping: dict[str, str]  # the other coder's code names (casefold) -> names here


def _by_content(conn: sqlite3.Connection) -> dict[str, str]:
    """Each transcript's id by the plain hash of its current text."""
    out: dict[str, str] = {}
    for doc, digest in conn.execute("SELECT id, text FROM documents ORDER BY id").fetchall():
        body = get_text(conn, str(digest))
        if body is not None:
            out[text_hash(body)] = str(doc)
    return out


def between_projects(project: Project, other: Other, mapping: dict[str, str] | None = None
                     ) -> Sides:
    """This project's units (A) and the other project's (B) on the transcripts both hold,
    matched by their text (compared by a plain hash: each project salts its own)."""
    here, there = _by_content(project.conn), _by_content(other.conn)
    pairs = {there[h]: here[h] for h in here if h in there}  # their id -> our id
    if not pairs:
        raise StcError("E854", path=other.root.name)
    notes = [f"{doc}: not in {other.root.name} (no transcript there has the same text)"
             for h, doc in sorted(here.items(), key=lambda kv: kv[1]) if h not in there]
    notes += [f"{doc} of {other.root.name}: not in this project (no transcript here has the"
              " same text)" for h, doc in sorted(there.items(), key=lambda kv: kv[1])
              if h not in here]
    notes += [f"{ours} is {theirs} in {other.root.name} (the same text)"
              for theirs, ours in sorted(pairs.items()) if theirs != ours]
    a_units, a_old = load_units(project.conn, {d: d for d in pairs.values()})
    b_units, b_old = load_units(other.conn, pairs, mapping=mapping)
    a = Side("A", project.root.name, project.conn, a_units,
             _codebook_names(project.conn, {}), a_old)
    b = Side("B", other.root.name, other.conn, b_units,
             _codebook_names(other.conn, mapping or {}), b_old)
    return Sides(a, b, sorted(pairs.values()), notes, pairs, mapping or {})


def between_coders(project: Project, coder_a: str, coder_b: str) -> Sides:
    """The units two authors made in this project (by the author of each `unit.add`)."""
    conn = project.conn
    docs = {str(r[0]): str(r[0]) for r in conn.execute("SELECT id FROM documents")}
    made = set(creators(conn, "unit.add").values())
    sides = []
    for label, coder in (("A", coder_a), ("B", coder_b)):
        if coder.casefold() not in {m.casefold() for m in made}:
            raise StcError("E853", author=coder, authors=", ".join(sorted(made)) or "none")
        units, older = load_units(conn, docs, _by(coder))
        sides.append(Side(label, coder, conn, units, _codebook_names(conn, {}), older))
    return Sides(sides[0], sides[1], sorted(docs), [], docs, {})


# -- places where the coders meet or differ -----------------------------------------------------

SAME, ONLY_A, ONLY_B, CODES, BOUNDARIES = (
    "same", "only_a", "only_b", "different_codes", "different_boundaries")
KIND_WORDS = {
    ONLY_A: "only A coded it", ONLY_B: "only B coded it", CODES: "same stretch, different codes",
    BOUNDARIES: "overlapping stretches, different boundaries", SAME: "the same",
}
SHORT_WORDS = {ONLY_A: "only A", ONLY_B: "only B", CODES: "different codes",
               BOUNDARIES: "different boundaries", SAME: "the same"}


@dataclass
class Place:
    """A stretch of a transcript where the coders' units meet: the same unit, or a
    disagreement (`kind`). `id` is `DOC#N`, numbering a transcript's disagreements in order."""

    doc: str
    kind: str
    a: list[Coded]
    b: list[Coded]
    start: int = 0
    end: int = 0
    id: str = ""
    ref: str = ""  # DOC:N-M, the segments of this project the place covers
    text: str = ""
    refs: dict[tuple[str, int], str] = field(default_factory=dict)  # (side, unit) -> DOC:N-M

    def __post_init__(self) -> None:
        units = self.a + self.b
        self.start = min(u.start for u in units)
        self.end = max(u.end for u in units)

    def codes(self, side: str) -> list[str]:
        names: dict[str, str] = {}
        for unit in self.a if side == "A" else self.b:
            for code in unit.codes:
                names.setdefault(code.casefold(), code)
        return sorted(names.values(), key=str.casefold)

    def units(self, side: str) -> list[dict[str, Any]]:
        """A side's units here: number in its own project, segments here, codes, author."""
        return [{"unit": f"U{u.id}", "segments": self.refs.get((side, u.id), ""),
                 "codes": list(u.codes), "author": u.author}
                for u in (self.a if side == "A" else self.b)]

    def as_json(self) -> dict[str, Any]:
        return {"place": self.id, "doc": self.doc, "segments": self.ref, "kind": self.kind,
                "what": KIND_WORDS[self.kind], "text": self.text,
                "a_codes": self.codes("A"), "b_codes": self.codes("B"),
                "a": self.units("A"), "b": self.units("B")}


def _overlap(x: Coded, y: Coded) -> bool:
    return x.start < y.end and y.start < x.end


def places_in(doc: str, a_units: list[Coded], b_units: list[Coded]) -> list[Place]:
    """The places of one transcript: a unit of A and one of B on exactly the same stretch pair
    up (the same codes, or different codes); what is left forms places of units linked by
    overlap: only A's, only B's, or both with different boundaries."""
    out: list[Place] = []
    by_span: dict[tuple[int, int], list[Coded]] = {}
    for unit in b_units:
        by_span.setdefault((unit.start, unit.end), []).append(unit)
    left_a: list[Coded] = []
    for unit in a_units:
        match = by_span.get((unit.start, unit.end))
        if match:
            other = match.pop(0)
            out.append(Place(doc, SAME if unit.keys == other.keys else CODES, [unit], [other]))
        else:
            left_a.append(unit)
    left_b = [u for units in by_span.values() for u in units]
    seen: set[int] = set()
    for i, unit in enumerate(left_a):
        if i in seen:
            continue
        group_a, group_b = [unit], []
        grew = True
        while grew:  # grow the place until no unit of either coder overlaps it any more
            grew = False
            for other in left_b:
                if other not in group_b and any(_overlap(other, x) for x in group_a):
                    group_b.append(other)
                    grew = True
            for j, more in enumerate(left_a):
                if j not in seen and more not in group_a and \
                        any(_overlap(more, y) for y in group_b):
                    group_a.append(more)
                    grew = True
        seen.update(left_a.index(x) for x in group_a)
        out.append(Place(doc, BOUNDARIES if group_b else ONLY_A, group_a, group_b))
    placed = {id(u) for p in out for u in p.b}
    out += [Place(doc, ONLY_B, [], [u]) for u in left_b if id(u) not in placed]
    out.sort(key=lambda p: (p.start, p.end, p.kind))
    number = 0
    for place in out:
        if place.kind != SAME:
            number += 1
            place.id = f"{doc}#{number}"
    return out


# -- the comparison -----------------------------------------------------------------------------

# What the segment counts shown to people count.
SEGMENTS_COMPARED = "participants' speech, and any other segment a coder coded"
SEGMENTS_LEFT_OUT = "the interviewer's or other speech nobody coded"

@dataclass
class Comparison:
    """Two coders' units on the compared transcripts: figures and places."""

    a: Side
    b: Side
    docs: list[str]  # the compared transcripts (ids in this project)
    segments: int  # the segments compared: participants' speech, and any other a unit touches
    codes: list[str]
    per_code: list[Figures]
    overall: Figures
    places: list[Place]  # every place, agreements included
    notes: list[str] = field(default_factory=list)
    shown_codes: set[str] | None = None  # --codes: only places with these codes are listed
    states: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # each side's last change
    left_out: int = 0  # segments of interviewer or other speech no unit of either coder touches

    @property
    def disagreements(self) -> list[Place]:
        return [p for p in self.places if p.kind != SAME and self._listed(p)]

    def _listed(self, place: Place) -> bool:
        if self.shown_codes is None:
            return True
        return any(u.keys & self.shown_codes for u in place.a + place.b)

    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in (ONLY_A, ONLY_B, CODES, BOUNDARIES)}
        for place in self.disagreements:
            counts[place.kind] += 1
        return counts

    @property
    def agreed(self) -> int:
        return sum(1 for p in self.places if p.kind == SAME and self._listed(p))

    def as_json(self, disagreements: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "a": {"name": self.a.name, "coders": self.a.coders(self.docs),
                  "state": self.states[0]},
            "b": {"name": self.b.name, "coders": self.b.coders(self.docs),
                  "state": self.states[1]},
            "documents": self.docs, "segments": self.segments,
            "segments_left_out": self.left_out, "notes": self.notes,
            "codes": [f.as_json() for f in self.per_code],
            "overall": self.overall.as_json(), "same_units": self.agreed,
            "disagreement_counts": self.counts(),
        }
        if disagreements:
            data["disagreements"] = [p.as_json() for p in self.disagreements]
        return data


# The table of disagreements (`--out FILE.csv|.xlsx`) doubles as the resolutions file of
# `stc merge-from`: the last columns are for the decision.
PLACE_COLUMNS = ("place", "document", "segments", "kind", "text", "a_units", "a_codes",
                 "b_units", "b_codes", "decision", "new_segments", "new_quote", "new_codes",
                 "reason")
DECISIONS = ("keep-a", "keep-b", "keep-both", "adjust")


def place_row(place: Place) -> list[str]:
    """A place as a row of the disagreements table, in PLACE_COLUMNS order."""
    def units(side: str) -> str:
        return "; ".join(f"{u['unit']} ({u['segments']})" for u in place.units(side))

    return [place.id, place.doc, place.ref, KIND_WORDS[place.kind], place.text,
            units("A"), "; ".join(place.codes("A")), units("B"), "; ".join(place.codes("B")),
            "", "", "", "", ""]


def compare(sides: Sides, docs: list[str] | None = None, codes: list[str] | None = None
            ) -> Comparison:
    """Compare the two sides on `docs` (default: the transcripts both coded) and `codes`
    (default: every code either used on them)."""
    a, b = sides.a, sides.b
    conn = a.conn
    notes = list(sides.notes)
    chosen = _chosen_docs(a, b, sides.shared, docs, notes)
    cuts = {doc: _cut(conn, doc) for doc in chosen}
    wanted = set(chosen)
    a_units = [u for u in a.units if u.doc in wanted]
    b_units = [u for u in b.units if u.doc in wanted]
    names = _chosen_codes(a, b, a_units + b_units, codes)
    coded_a = _coded_segments(a_units, cuts)
    coded_b = _coded_segments(b_units, cuts)
    compared = _compared_segments(cuts, a_units + b_units)
    left_out = sum(len(cut.numbers) for cut in cuts.values()) - len(compared)
    per_code, overall = figures([n.casefold() for n in names], coded_a, coded_b, len(compared))
    per_code = [Figures(name, f.table) for name, f in zip(names, per_code, strict=True)]
    places = all_places(conn, chosen, a_units, b_units)
    for side in (a, b):
        if side.not_current:
            notes.append(f"{side.label}: {counted(side.not_current, 'unit')} on an older version"
                         " of their transcript left out (`stc units --review`)")
    shown = {n.casefold() for n in names} if codes else None
    return Comparison(a, b, chosen, len(compared), names, per_code, overall, places, notes, shown,
                      left_out=left_out)


def all_places(conn: sqlite3.Connection, docs: list[str], a_units: list[Coded],
               b_units: list[Coded]) -> list[Place]:
    """The places of the transcripts `docs`, with their segments and text in this project."""
    places: list[Place] = []
    for doc in docs:
        text = load_doc(conn, doc)
        for place in places_in(doc, [u for u in a_units if u.doc == doc],
                               [u for u in b_units if u.doc == doc]):
            place.ref = text.ref(place.start, place.end)
            place.text = text.text[place.start:place.end]
            place.refs = {(side, u.id): text.ref(u.start, u.end)
                          for side, units in (("A", place.a), ("B", place.b)) for u in units}
            places.append(place)
    return places


def _chosen_docs(a: Side, b: Side, shared: list[str], docs: list[str] | None,
                 notes: list[str]) -> list[str]:
    if docs:
        by_fold = {naming.key(d): d for d in shared}
        chosen = set()
        for name in docs:
            if naming.key(name.strip()) not in by_fold:
                raise StcError("E855", doc=name, docs=", ".join(shared) or "none")
            chosen.add(by_fold[naming.key(name.strip())])
        return sorted(chosen)
    both = a.docs() & b.docs()
    for doc in shared:
        if doc not in both:
            who = "only A has units" if doc in a.docs() else \
                "only B has units" if doc in b.docs() else "neither has units"
            notes.append(f"{doc}: left out, {who} (name it with --docs to compare it)")
    if not both:
        raise StcError("E858", a=a.name, b=b.name, docs=", ".join(shared))
    return sorted(both)


def _chosen_codes(a: Side, b: Side, units: list[Coded], codes: list[str] | None) -> list[str]:
    known = {**b.codebook, **a.codebook}
    if codes:
        chosen: dict[str, str] = {}
        for name in codes:
            key = naming.key(name)
            if key not in known:
                raise StcError("E856", name=name)
            chosen.setdefault(key, known[key])
        return list(chosen.values())
    used: dict[str, str] = {}
    for unit in units:
        for code in unit.codes:
            used.setdefault(naming.key(code), known.get(naming.key(code), code))
    return sorted(used.values(), key=str.casefold)


class _Cut(NamedTuple):
    """A transcript's current segments in reading order, and those in participants' speech."""

    numbers: list[int]
    starts: list[int]
    ends: list[int]
    spoken: set[int]  # the numbers of the segments in turns with the role `participant`


def _cut(conn: sqlite3.Connection, doc: str) -> _Cut:
    rows = conn.execute("SELECT s.n, s.start, s.end, t.role FROM segments s JOIN documents d"
                        " ON d.id = s.doc AND d.version = s.version JOIN turns t"
                        " ON t.doc = s.doc AND t.version = s.version AND t.turn = s.turn"
                        " WHERE s.doc = ? ORDER BY s.n", (doc,)).fetchall()
    return _Cut([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                {r[0] for r in rows if r[3] == "participant"})


def _touched(unit: Coded, cut: _Cut) -> set[tuple[str, int]]:
    """The segments a unit touches, as (transcript, number)."""
    first = bisect_right(cut.ends, unit.start)  # the first segment ending after the start
    last = bisect_left(cut.starts, unit.end)  # segments before this one start before the end
    return {(unit.doc, cut.numbers[i]) for i in range(first, last)}


def _coded_segments(units: list[Coded], cuts: dict[str, _Cut]
                    ) -> dict[str, set[tuple[str, int]]]:
    """Per code (casefold): the segments some unit with the code touches."""
    out: dict[str, set[tuple[str, int]]] = {}
    for unit in units:
        touched = _touched(unit, cuts[unit.doc])
        for key in unit.keys:
            out.setdefault(key, set()).update(touched)
    return out


def _compared_segments(cuts: dict[str, _Cut], units: Iterable[Coded]) -> set[tuple[str, int]]:
    """The unit of comparison: every segment of participants' speech, and every other segment
    (the interviewer's, unlabelled text) that a unit of either coder touches. Segments nobody
    coded outside participants' speech would only add agreement on "not coded"."""
    counted = {(doc, n) for doc, cut in cuts.items() for n in cut.spoken}
    for unit in units:
        counted |= _touched(unit, cuts[unit.doc])
    return counted


@contextmanager
def sides_of(project: Project, other: Path | str | None = None, coders: str | None = None,
             map_file: Path | None = None) -> Iterator[Sides]:
    """The two sides to compare: this project and the other coder's project `other`, or two
    authors in this project (`coders` as `A,B`). The other project stays open inside."""
    if (other is None) == (coders is None):
        raise StcError("E865")
    if coders is not None:
        names = [c.strip() for c in coders.split(",")]
        if len(names) != 2 or not all(names) or names[0].casefold() == names[1].casefold():
            raise StcError("E859", value=coders)
        yield between_coders(project, names[0], names[1])
        return
    assert other is not None
    opened = open_other(other, project)
    try:
        yield between_projects(project, opened, read_code_map(map_file) if map_file else None)
    finally:
        opened.close()


def comparison(project: Project, other: Path | str | None = None, coders: str | None = None,
               docs: list[str] | None = None, codes: list[str] | None = None,
               map_file: Path | None = None) -> Comparison:
    """`stc compare`: two coders' units side by side, with the figures and the places."""
    with sides_of(project, other, coders, map_file) as sides:
        result = compare(sides, docs, codes)
        result.states = (sides.a.state, sides.b.state)
    return result
