"""The coding matrix, applied: the rows of `stc matrix export` from a project, and `stc matrix
import`, which checks every row against the project and records the difference in one
transaction. A file with any bad row is refused whole, each bad row named with its number and
reason. The file format itself (sheets, columns, cells) is `stc.sheet`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from stc import refs
from stc.attributes import attributes_of, keys_of
from stc.errors import StcError
from stc.history import changed_since, created_since
from stc.lookup import Named, new_name
from stc.naming import key
from stc.project import Batch, Project
from stc.quotes import Haystack, normalise_quote
from stc.sheet import (
    NO,
    UNIT_COLUMNS,
    YES,
    Row,
    check_suffix,
    read_matrix,
    subgroups_csv,
    write_matrix,
)
from stc.stages.condensation import (
    Target,
    target_units,
    unit_segments,
    unit_source_text,
    unit_texts,
)
from stc.stages.meaning_units import (
    add_named,
    list_units,
    record_code_group,
    record_unit,
    release_units,
)
from stc.texts import PROJECT, doc_owner, get_text, unit_owner
from stc.trail import last_shown
from stc.units import DocText, Places, check_speech, load_doc, locate, participants_by_unit
from stc.words import counted

T = TypeVar("T")


# -- export ------------------------------------------------------------------------------------

def _shown(conn: sqlite3.Connection) -> int:
    """The change whose state a matrix shows: the last but records of exports (the matrix
    exported before this one among them), which change no unit."""
    row = last_shown(conn)
    return int(row["seq"]) if row is not None else 0


def unit_rows(conn: sqlite3.Connection, all_segments: bool = False) -> list[list[str]]:
    """The rows of sheet `units`, in the order of UNIT_COLUMNS. Each names the change it
    shows (`as_of`), so a late import can tell which units changed since."""
    # read first: a change recorded while the rows are read makes their units look changed
    # since, and a late import refuses them rather than undo that change
    as_of = str(_shown(conn))
    rows: list[tuple[str, int, int, list[str]]] = []  # doc, first segment, order, row
    translations = {int(unit): body for unit, body in conn.execute(
        "SELECT u.id, t.body FROM units u JOIN texts t ON t.hash = u.translation")}
    for u in list_units(conn):
        doc, _, numbers = u.segments.partition(":")
        groups = list(u.groups)
        primary = _subgroup_group(conn, u.id) if u.subgroup else None
        if primary:  # the subgroup's group first: the subgroup belongs to it
            groups = [primary, *(g for g in groups if g != primary)]
        group = "; ".join(groups)
        rows.append((doc, _first(numbers), 0, [
            u.ref, doc, numbers, u.text, "; ".join(u.codes), group, u.subgroup or "",
            "yes" if u.nugget else "", translations.get(u.id, ""), u.note or "",
            ", ".join(u.speakers), u.participant, u.aside or "", u.context, as_of]))
    if all_segments:
        rows += [(doc, n, 1, ["", doc, str(n), text, "", "", "", "", "", "", speaker, who, "",
                              "", as_of])
                 for doc, n, text, speaker, who in _uncoded_segments(conn)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows]


def _first(numbers: str) -> int:
    head = numbers.partition("-")[0]
    return int(head) if head.isdigit() else 0


def _subgroup_group(conn: sqlite3.Connection, unit: int) -> str | None:
    row = conn.execute("SELECT g.name FROM units u JOIN subgroups s ON s.id = u.subgroup_id"
                       " JOIN code_groups g ON g.id = s.group_id WHERE u.id = ?",
                       (unit,)).fetchone()
    return None if row is None else str(row[0])


def _uncoded_segments(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str, str, str]]:
    """Each segment no unit touches: document, number, text, speaker, participant."""
    for (doc,) in conn.execute("SELECT id FROM documents ORDER BY id").fetchall():
        d = load_doc(conn, doc)
        covered: set[int] = set()
        for start, end in conn.execute("SELECT start, end FROM units WHERE doc = ? AND"
                                       " version = ?", (doc, d.version)):
            first, last = d.covering(start, end)
            covered.update(range(first, last + 1))
        for n, start, end in zip(d.numbers, d.starts, d.ends, strict=True):
            if n not in covered:
                yield (doc, n, d.text[start:end], ", ".join(d.labels(start, end)),
                       ", ".join(d.names.get(p, f"P{p}")
                                 for p in sorted(d.participants(start, end))))


def subgroup_rows(conn: sqlite3.Connection) -> list[list[str]]:
    rows: list[list[str]] = []
    for gid, name, heading, condensate, description in conn.execute(
            "SELECT id, name, heading, condensate, description FROM code_groups"
            " ORDER BY position, id").fetchall():
        rows.append([name, "", heading or "", get_text(conn, condensate) or "",
                     get_text(conn, description) or ""])
        for sub, sheading, scondensate, sdescription in conn.execute(
                "SELECT name, heading, condensate, description FROM subgroups"
                " WHERE group_id = ? ORDER BY position, id", (gid,)).fetchall():
            rows.append([name, sub, sheading or "", get_text(conn, scondensate) or "",
                         get_text(conn, sdescription) or ""])
    return rows


def attribute_columns(conn: sqlite3.Connection, rows: list[list[str]]
                      ) -> tuple[tuple[str, ...], list[list[str]]]:
    """The attributes of each unit's participants, a column per key after the sheet's own
    (named `KEY (attribute)` where a key is also a column's name): they describe, and an
    import ignores them. Several participants' values are joined with `; `."""
    keys = keys_of(conn, "participant")
    if not keys:
        return (), rows
    values = attributes_of(conn, "participant")
    who = participants_by_unit(conn)
    own = {key(c) for c in (*UNIT_COLUMNS, "speaker", "participant", "aside", "context")}
    header = tuple(f"{k} (attribute)" if key(k) in own else k for k in keys)
    out = []
    for row in rows:
        unit = int(row[0][1:]) if row[0][:1] == "U" else None
        people = [values.get(str(p), {}) for p in who.get(unit, [])] if unit else []
        held = [{key(k): v.text for k, v in person.items()} for person in people]
        out.append([*row, *("; ".join(dict.fromkeys(h[key(k)] for h in held
                                                     if key(k) in h)) for k in keys)])
    return header, out


def export_matrix(project: Project, path: Path, all_segments: bool = False
                  ) -> tuple[int, int, int]:
    """Write the matrix; returns the number of unit rows and of subgroup rows, and the change
    the file shows (recorded in each unit row). The export is recorded (a mark in the trail),
    so an erasure can name the file."""
    check_suffix(path)
    extra, units = attribute_columns(project.conn, unit_rows(project.conn, all_segments))
    subs = subgroup_rows(project.conn)
    write_matrix(path, units, subs, extra)
    as_of = int(units[0][UNIT_COLUMNS.index("as_of")]) if units else _shown(project.conn)
    files = [path, subgroups_csv(path)] if path.suffix.lower() == ".csv" else [path]
    project.record_export("matrix", files, as_of)
    return len(units), len(subs), as_of


# -- import: check every row, then record the difference ---------------------------------------

@dataclass
class RowPlan:
    """One row of an imported coding matrix, checked and ready to apply."""

    number: int
    unit: int | None  # None: a new unit
    doc: DocText
    start: int
    end: int
    codes: list[str]
    group: str | None  # the first group named: the subgroup's
    subgroup: str | None
    nugget: bool
    note: str | None
    translation: str | None
    code_groups: dict[str, str] = field(default_factory=dict)  # code -> the group it goes in
    new_number: int | None = None  # a new unit's number given in the file
    as_of: int | None = None  # the change the row shows (from the export)
    changed_in: int | None = None  # the unit's last change after `as_of`, if any
    warnings: list[str] = field(default_factory=list)  # a new unit crosses speakers (named)


@dataclass
class ImportReport:
    """The difference a coding matrix makes, and whether it was applied."""

    lines: list[str] = field(default_factory=list)  # the difference, one line per change
    new_units: int = 0
    changed_units: int = 0
    unchanged_units: int = 0
    missing_units: int = 0  # units of the project not in the file
    deleted_units: int = 0  # of those, deleted (--delete-missing)
    other_changes: int = 0  # codes, groups, subgroups and their texts
    skipped_rows: int = 0  # uncoded segments (from --all-segments)
    as_of: int | None = None  # the change the file shows, when it says
    applied: bool = False
    seq: int | None = None

    def summary(self) -> str:
        kept = self.missing_units - self.deleted_units
        return ", ".join([
            counted(self.new_units, "new unit"), f"{counted(self.changed_units, 'unit')} changed",
            f"{self.unchanged_units} unchanged",
            *([f"{counted(self.deleted_units, 'unit')} deleted"] if self.deleted_units else []),
            *([f"{counted(kept, 'unit')} not in the file, kept"] if kept else []),
            counted(self.other_changes, "other change")])


class _Refused(Exception):
    """A dry run is rolled back by raising this inside the transaction."""


@dataclass
class _Project:
    """What the checks need from the project, loaded in a few queries."""

    docs: dict[str, str]
    units: dict[int, tuple[str, int, int, int | None, str | None, str | None]]
    outdated: set[int]  # units still on an earlier version of their transcript
    unit_text: dict[int, str]
    spans: dict[tuple[str, int, int], int]
    code_group: dict[str, str | None] = field(default_factory=dict)  # code -> its group now
    last_number: int = 0  # the last unit number handed out
    loose: bool = False  # typographic quotes, apostrophes and dashes match their plain forms
    allow_interviewer: bool = False  # new units of the interviewer's words alone are made
    loaded: dict[str, tuple[DocText, Haystack]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _Project:
        docs = {key(str(r[0])): str(r[0]) for r in conn.execute("SELECT id FROM documents")}
        units: dict[int, tuple[str, int, int, int | None, str | None, str | None]] = {}
        spans: dict[tuple[str, int, int], int] = {}
        outdated: set[int] = set()
        texts: dict[int, str] = {}  # each unit's text, as the export shows it
        places = Places(conn)
        for uid, doc, version, start, end, sub, nugget, note, text, current in conn.execute(
                "SELECT u.id, u.doc, u.version, u.start, u.end, u.subgroup_id, u.nugget, u.note,"
                " u.text, d.version FROM units u JOIN documents d ON d.id = u.doc"):
            units[uid] = (doc, start, end, sub, nugget, note)
            texts[uid] = places.unit_text(doc, version, start, end, text)
            if version == current:
                spans[(doc, start, end)] = uid
            else:
                outdated.add(uid)
        code_group = {key(str(name)): group for name, group in conn.execute(
            "SELECT c.name, g.name FROM codes c LEFT JOIN code_groups g ON g.id = c.group_id")}
        row = conn.execute("SELECT last FROM counters WHERE name = 'unit'").fetchone()
        return cls(docs, units, outdated, texts, spans, code_group, int(row[0]) if row else 0)

    def doc(self, conn: sqlite3.Connection, doc_id: str) -> tuple[DocText, Haystack]:
        if doc_id not in self.loaded:
            d = load_doc(conn, doc_id)
            self.loaded[doc_id] = (d, d.haystack(self.loose))
        return self.loaded[doc_id]


def _split_codes(cell: str) -> list[str]:
    seen: dict[str, str] = {}
    for name in cell.split(";"):
        name = " ".join(name.split())
        if name:
            seen.setdefault(key(name), name)
    return list(seen.values())


def _segments(cell: str, doc: DocText) -> tuple[int | None, int | None]:
    if not cell:
        return None, None
    text = cell.partition(":")[2] if ":" in cell else cell
    first, _, last = text.replace("–", "-").partition("-")
    if not refs.digits(first) or (last and not refs.digits(last)):
        raise ValueError(f"segments {cell!r} is not N or N-M")
    a, b = (_row_check(refs.number, n.strip(), cell) for n in (first, last or first))
    lo, hi = doc.numbers[0], doc.numbers[-1]
    if a > b or a < lo or b > hi:
        raise ValueError(f"{doc.id} has segments {lo}-{hi}; {cell!r} is outside them")
    return a, b


def _check_row(conn: sqlite3.Connection, known: _Project, number: int, cells: dict[str, str]
               ) -> RowPlan | None:
    """The row's plan, None for an uncoded segment row; ValueError names what is wrong."""
    codes = _split_codes(cells.get("codes", ""))
    unit_cell = cells.get("unit", "")
    extra = [cells.get(c, "") for c in ("group", "subgroup", "nugget", "translation", "note")]
    if not unit_cell and not codes and not any(extra):
        return None  # an uncoded line of an --all-segments export
    unit, new_number = _unit_number(known, unit_cell)
    doc_cell = cells.get("document", "")
    if not doc_cell:
        raise ValueError("the document is empty")
    if key(doc_cell) not in known.docs:
        raise ValueError(f"unknown document {doc_cell!r}")
    doc, hay = known.doc(conn, known.docs[key(doc_cell)])
    if unit is not None and known.units[unit][0] != doc.id:
        raise ValueError(f"U{unit} is in {known.units[unit][0]}, not {doc.id}")
    outdated = unit is not None and unit in known.outdated
    first, last = _segments("" if outdated else cells.get("segments", ""), doc)
    quote = cells.get("quote", "") or None
    if not codes:
        raise ValueError("no codes; name at least one code (separate codes with ;)")
    nugget = cells.get("nugget", "").lower()
    if nugget not in YES | NO:
        raise ValueError(f"nugget must be yes or empty, not {cells.get('nugget')!r}")
    translation = cells.get("translation", "") or None
    if translation and nugget not in YES:
        raise ValueError("a translation belongs to an illustrative quotation; write yes in"
                         " the nugget column")
    groups = _split_codes(cells.get("group", ""))
    group = groups[0] if groups else None
    subgroup = " ".join(cells.get("subgroup", "").split()) or None
    if subgroup and not group:
        raise ValueError(f"subgroup {subgroup!r} needs its group in the group column")
    codes = [_row_check(new_name, "code", c) for c in codes]
    groups = [_row_check(new_name, "group", g) for g in groups]
    group = groups[0] if groups else None
    subgroup = _row_check(new_name, "subgroup", subgroup) if subgroup else None
    if unit is not None:
        _, start, end, *_ = known.units[unit]
        text = known.unit_text.get(unit, "")
        if quote and normalise_quote(quote, known.loose) != normalise_quote(text, known.loose):
            raise ValueError(f"the quote differs from the text of U{unit}; leave the unit"
                             " empty to make a new unit")
    else:
        start, end = _locate(doc, hay, first, last, quote)
        unit = None if new_number is not None else known.spans.get((doc.id, start, end))
    warnings = _row_check(check_speech, doc, start, end, known.allow_interviewer) \
        if unit is None else []
    return RowPlan(number, unit, doc, start, end, codes, group, subgroup, nugget in YES,
                   cells.get("note", "") or None, translation,
                   _code_groups(known, codes, groups), new_number, warnings=warnings)


def _unit_number(known: _Project, cell: str) -> tuple[int | None, int | None]:
    """(an existing unit, a new unit's number never handed out) from the unit cell."""
    if not cell:
        return None, None
    digits = cell[1:] if cell[:1] in "Uu" else cell
    if not digits.isdigit() or int(digits) < 1:
        raise ValueError(f"{cell!r} is not a unit; write U7, or leave it empty for a new unit")
    number = int(digits)
    if number in known.units:
        return number, None
    if number <= known.last_number:
        raise ValueError(f"U{number} is not a unit of this project and numbers are never"
                         " reused; leave the unit cell empty to make a new unit")
    return None, number


def _code_groups(known: _Project, codes: list[str], groups: list[str]) -> dict[str, str]:
    """The group each code of a row goes in: where it is now when the row names that group,
    else the first group the row names."""
    if not groups:
        return {}
    named = {key(g) for g in groups}
    out = {}
    for code in codes:
        now = known.code_group.get(key(code))
        out[code] = now if now is not None and key(now) in named else groups[0]
    return out


def _locate(doc: DocText, hay: Haystack, first: int | None, last: int | None,
            quote: str | None) -> tuple[int, int]:
    if quote is None and first is None:
        raise ValueError("give the segments or the quote")
    return _row_check(locate, doc, first, last, quote, hay)


def _row_check(check: Callable[..., T], *args: Any) -> T:
    """A check shared with `stc code`, its refusal told as the problem of a row."""
    try:
        return check(*args)
    except StcError as exc:
        raise ValueError(exc.message) from None


@dataclass
class Checked:
    """The rows of a units sheet checked against the project."""

    plans: list[RowPlan]  # the good rows
    problems: list[str]  # what is wrong with the bad ones
    skipped: int  # uncoded segments (from --all-segments)
    in_file: set[int]  # the units the file has a row for
    as_of: int | None  # the change the file shows (the latest its rows name)


def check_rows(conn: sqlite3.Connection, rows: list[Row], loose: bool = False,
               allow_interviewer: bool = False) -> Checked:
    """Plans for the good rows, problems of the bad ones, and what the file holds."""
    known = _Project.load(conn)
    known.loose, known.allow_interviewer = loose, allow_interviewer
    checked = Checked([], [], 0, set(), None)
    code_group: dict[str, tuple[str, int]] = {}
    seen_units: dict[int, int] = {}
    for number, cells in rows:
        try:
            as_of = _as_of(cells.get("as_of", ""))
            if as_of is not None:
                checked.as_of = max(as_of, checked.as_of or 0)
            plan = _check_row(conn, known, number, cells)
        except ValueError as exc:
            checked.problems.append(f"units row {number}: {exc}")
            continue
        if plan is None:
            checked.skipped += 1
            continue
        plan.as_of = as_of
        ident = plan.unit or plan.new_number
        if ident is not None:
            first = seen_units.setdefault(ident, number)
            if first != number:
                checked.problems.append(f"units row {number}: U{ident} is in row {first} too")
        if plan.unit is not None:
            checked.in_file.add(plan.unit)
        for name, group in plan.code_groups.items():
            seen = code_group.setdefault(key(name), (group, number))
            if key(seen[0]) != key(group):
                checked.problems.append(f"units row {number}: code {name!r} is put in group"
                                        f" {group!r} here but in {seen[0]!r} in row {seen[1]}")
        checked.plans.append(plan)
    _changed_since_export(conn, checked.plans)
    return checked


def _as_of(cell: str) -> int | None:
    digits = cell.strip().lstrip("#")
    if not digits:
        return None
    if not refs.digits(digits):
        raise ValueError(f"as_of {cell!r} is not a change number; leave it as the export"
                         " wrote it")
    return _row_check(refs.number, digits, cell, "change")


def _changed_since_export(conn: sqlite3.Connection, plans: list[RowPlan]) -> None:
    """Mark the rows whose unit changed after the change the row shows (the precondition of
    every write based on an earlier view: `history.changed_since`)."""
    by_as_of: dict[int, list[RowPlan]] = {}
    for plan in plans:
        if plan.unit is not None and plan.as_of is not None:
            by_as_of.setdefault(plan.as_of, []).append(plan)
    for as_of, group in by_as_of.items():
        changed = changed_since(conn, {f"unit:{p.unit}" for p in group}, as_of)
        for plan in group:
            plan.changed_in = changed.get(f"unit:{plan.unit}")


class _Applier:
    """Records the difference between checked rows and the project inside one batch."""

    def __init__(self, b: Batch, report: ImportReport, force: bool = False) -> None:
        self.b = b
        self.conn = b.conn
        self.report = report
        self.force = force  # apply rows whose units changed after the export
        self.stale: list[str] = []  # rows refused: their units changed after the export
        self.said: list[str] = []  # what moving codes did to units in subgroups
        self.done: list[int] = []  # the units of the rows
        self.places = Places(b.conn)
        self.groups = {key(r[1]): Named("group", r[0], r[1]) for r in
                       self.conn.execute("SELECT id, name FROM code_groups")}
        self.codes = {key(r[1]): Named("code", r[0], r[1], r[2]) for r in
                      self.conn.execute("SELECT id, name, group_id FROM codes")}
        self.subgroups = {(r[1], key(r[2])): Named("subgroup", r[0], r[2], r[1]) for r in
                          self.conn.execute("SELECT id, group_id, name FROM subgroups")}

    def group(self, name: str) -> Named:
        if key(name) not in self.groups:
            self.groups[key(name)] = add_named(self.b, "group", name)
            self.report.lines.append(f"+ code group {name!r}")
            self.report.other_changes += 1
        return self.groups[key(name)]

    def subgroup(self, group: Named, name: str) -> Named:
        wanted = (group.id, key(name))
        if wanted not in self.subgroups:
            self.subgroups[wanted] = add_named(self.b, "subgroup", name, group)
            self.report.lines.append(f"+ subgroup {group.name}/{name}")
            self.report.other_changes += 1
        return self.subgroups[wanted]

    def codes_of(self, plans: list[RowPlan]) -> None:
        """Make the codes, and move codes to the group their rows give."""
        moves: dict[int, list[Named]] = {}
        for plan in plans:
            for name in plan.codes:
                wanted = plan.code_groups.get(name)
                group = self.group(wanted) if wanted else None
                code = self.codes.get(key(name))
                if code is None:
                    code = add_named(self.b, "code", name, group)
                    self.codes[key(name)] = code
                    where = f" in {group.name!r}" if group else ""
                    self.report.lines.append(f"+ code {name!r}{where}")
                    self.report.other_changes += 1
                elif group is not None and code.group_id != group.id:
                    moved = Named("code", code.id, code.name, group.id, group.name)
                    self.codes[key(name)] = moved
                    moves.setdefault(group.id, []).append(code)
                    self.report.lines.append(f"~ code {code.name!r} into group {group.name!r}")
                    self.report.other_changes += 1
        for group_id, codes in moves.items():
            group = next(g for g in self.groups.values() if g.id == group_id)
            self.said += record_code_group(self.b, codes, group)

    def unit(self, plan: RowPlan) -> None:
        codes = [self.codes[key(c)] for c in plan.codes]
        sub = None
        if plan.subgroup and plan.group:
            sub = self.subgroup(self.group(plan.group), plan.subgroup)
        if plan.unit is None:
            unit = record_unit(self.b, plan.doc, plan.start, plan.end, codes, plan.note,
                               plan.new_number, sub, plan.nugget,
                               plan.doc.interviewer_only(plan.start, plan.end))
            if plan.translation:
                self.b.record("unit.set", {"id": unit,
                                           "translation": self.b.text(plan.translation,
                                                                      doc_owner(plan.doc.id))})
            self.done.append(unit)
            self.report.new_units += 1
            placed = [*([f"subgroup {plan.group}/{sub.name}"] if sub else []),
                      *(["nugget"] if plan.nugget else [])]
            self.report.lines.append(f"+ U{unit} {plan.doc.ref(plan.start, plan.end)}"
                                     f"  {'; '.join(c.name for c in codes)}"
                                     + (f"  ({', '.join(placed)})" if placed else ""))
            self.report.lines += [f"  Warning: {warning}" for warning in plan.warnings]
            return
        self.done.append(plan.unit)
        coding = self._codes(plan.unit, codes)
        fields, notes = self._fields(plan.unit, plan, sub)
        if coding is None and not fields:
            self.report.unchanged_units += 1
            return
        if plan.changed_in is not None and not self.force:
            self.stale.append(f"units row {plan.number}: U{plan.unit} changed in"
                              f" #{plan.changed_in} after this file was exported at"
                              f" #{plan.as_of}")
            return
        self.report.changed_units += 1
        if coding is not None:
            self.b.record("unit.codes", coding)
            change = " ".join([*(f"+{n}" for n in coding["add_names"]),
                               *(f"-{n}" for n in coding["remove_names"])])
            self.report.lines.append(f"~ U{plan.unit} codes {change}")
        if fields:
            self.b.record("unit.set", {"id": plan.unit, **fields})
            self.report.lines.append(f"~ U{plan.unit} {', '.join(notes)}")

    def _codes(self, unit: int, codes: list[Named]) -> dict[str, Any] | None:
        """The `unit.codes` payload that gives the unit the row's codes, None when it has
        them."""
        have = dict(self.conn.execute("SELECT c.id, c.name FROM unit_codes uc JOIN codes c"
                                      " ON c.id = uc.code WHERE uc.unit = ?", (unit,)).fetchall())
        want = {c.id: c.name for c in codes}
        add = [i for i in want if i not in have]
        remove = [i for i in have if i not in want]
        if not add and not remove:
            return None
        return {"id": unit, "add": add, "add_names": [want[i] for i in add], "remove": remove,
                "remove_names": [have[i] for i in remove]}

    def _fields(self, unit: int, plan: RowPlan, sub: Named | None
                ) -> tuple[dict[str, Any], list[str]]:
        """Where an existing unit now stands (subgroup, nugget, translation, note), as
        `unit.set` fields, and how to tell it."""
        had_sub, had_nugget, note, translation = self.conn.execute(
            "SELECT subgroup_id, nugget, note, translation FROM units WHERE id = ?",
            (unit,)).fetchone()
        had_note = get_text(self.conn, note)
        had_translation = get_text(self.conn, translation) if translation else None
        fields: dict[str, Any] = {}
        notes: list[str] = []
        sub_id = sub.id if sub else None
        if sub_id != had_sub:
            fields["subgroup_id"] = sub_id
            notes.append(f"subgroup {plan.group}/{sub.name}" if sub else "out of its subgroup")
        if plan.nugget and had_nugget is None:
            fields["nugget"] = self.b.text(unit_source_text(self.conn, unit, self.places),
                                           unit_owner(self.conn, unit))
            notes.append("nugget")
        elif not plan.nugget and had_nugget is not None:
            fields["nugget"] = None
            notes.append("no longer a nugget")
        if (plan.translation or None) != (had_translation or None):
            fields["translation"] = (self.b.text(plan.translation, unit_owner(self.conn, unit))
                                     if plan.translation else None)
            notes.append("translation")
        if (plan.note or None) != (had_note or None):
            fields["note"] = (self.b.text(plan.note, unit_owner(self.conn, unit))
                              if plan.note else None)
            notes.append("note")
        return fields, notes

    def missing(self, checked: Checked, delete: bool) -> None:
        """The project's units the file has no row for: told, and deleted only when asked.
        Units made after the file was exported were never in it."""
        units = set(self.conn.execute("SELECT id FROM units").fetchall())
        absent = {int(r[0]) for r in units} - checked.in_file - set(self.done)  # made now
        if checked.as_of is not None and absent:
            made = created_since(self.conn, {f"unit:{u}" for u in absent}, checked.as_of)
            absent -= {int(key.partition(":")[2]) for key in made}
            changed = changed_since(self.conn, {f"unit:{u}" for u in absent}, checked.as_of)
        else:
            changed = {}
        for unit in sorted(absent):
            self.report.missing_units += 1
            ref = unit_segments(self.conn, unit, self.places)
            if not delete:
                self.report.lines.append(f"? U{unit} {ref} not in the file (kept;"
                                         " --delete-missing deletes it)")
            elif f"unit:{unit}" in changed and not self.force:
                self.stale.append(f"U{unit} is not in the file but changed in"
                                  f" #{changed[f'unit:{unit}']} after it was exported at"
                                  f" #{checked.as_of}")
            else:
                self.b.record("unit.delete", {"id": unit, "doc": ref.partition(":")[0],
                                              "segments": ref.partition(":")[2]})
                self.report.deleted_units += 1
                self.report.lines.append(f"- U{unit} {ref} deleted: not in the file")

    def texts(self, rows: list[Row]) -> None:
        """Headings, condensates and descriptions from the subgroups sheet."""
        for _, cells in rows:
            group = self.group(" ".join(cells.get("group", "").split()))
            sub_name = " ".join(cells.get("subgroup", "").split())
            target = self.subgroup(group, sub_name) if sub_name else group
            table = "subgroups" if sub_name else "code_groups"
            have = self.conn.execute(f"SELECT heading, condensate, description FROM {table}"
                                     " WHERE id = ?", (target.id,)).fetchone()
            label = f"{group.name}/{target.name}" if sub_name else group.name
            for i, name in enumerate(("heading", "condensate", "description")):
                self._text(target, label, name, have[i], cells.get(name, ""))

    def _text(self, target: Named, label: str, name: str, have: str | None, want: str) -> None:
        current = have if name == "heading" else get_text(self.conn, have)
        if (current or "") == want:
            return
        value = (want if name == "heading" else self.b.text(want, PROJECT)) if want else None
        payload = {"kind": target.kind, "id": target.id, "name": target.name, "value": value}
        if name == "condensate":
            # a condensate rests on the units of its subgroup (or of its group, without one)
            units = target_units(self.conn, _target(self.conn, target)) if want else []
            self.b.record("condensate.set", {**payload, "units": units,
                                             "texts": unit_texts(self.conn, units)})
        else:
            self.b.record("text.set", {**payload, "field": name})
        self.report.other_changes += 1
        self.report.lines.append(f"~ {label}: {name} {'set' if want else 'cleared'}")


def _target(conn: sqlite3.Connection, named: Named) -> Target:
    if named.kind == "group":
        return Target("group", named.id, named.name, named.id, named.name)
    group = conn.execute("SELECT name FROM code_groups WHERE id = ?",
                         (named.group_id,)).fetchone()[0]
    return Target("subgroup", named.id, named.name, int(named.group_id or 0), str(group))


def _reserve_numbers(b: Batch, plans: list[RowPlan]) -> None:
    """Numbers the file gives new units are taken first, so units without one come after."""
    given = [p.new_number for p in plans if p.new_number is not None]
    if given:
        b.conn.execute("INSERT INTO counters VALUES ('unit', ?) ON CONFLICT(name) DO UPDATE"
                       " SET last = MAX(last, excluded.last)", (max(given),))


def _check_subgroup_rows(rows: list[Row]) -> list[str]:
    return [f"subgroups row {number}: the group is empty" for number, cells in rows
            if not cells.get("group", "").strip()]


def import_matrix(project: Project, path: Path, dry_run: bool = False,
                  why: str | None = None, loose: bool = False, force: bool = False,
                  delete_missing: bool = False, allow_interviewer: bool = False
                  ) -> ImportReport:
    """Check every row, then record the difference in one transaction (none on a dry run).
    A row of a unit that changed after the file was exported (its `as_of`) is refused unless
    `force`; the project's units the file has no row for are told, and deleted only with
    `delete_missing` (which needs a file that says when it was exported)."""
    unit_rows_, sub_rows = read_matrix(path)
    report = ImportReport()
    try:
        with project.batch(why or f"coding matrix {path.name}") as b:
            # checked inside the transaction: the rows are checked against what they change
            checked = check_rows(b.conn, unit_rows_, loose, allow_interviewer)
            report.skipped_rows, report.as_of = checked.skipped, checked.as_of
            problems = checked.problems + _check_subgroup_rows(sub_rows or [])
            if delete_missing and checked.as_of is None:
                raise StcError("E446", path=str(path))
            _refuse(path, problems)
            applier = _Applier(b, report, force)
            applier.codes_of(checked.plans)
            _reserve_numbers(b, checked.plans)
            for plan in checked.plans:
                applier.unit(plan)
            applier.missing(checked, delete_missing)
            _refuse(path, applier.stale, stale=True)
            report.lines += [f"  {line}" for line in
                             applier.said + release_units(b, applier.done)]
            applier.texts(sub_rows or [])
            if dry_run:
                raise _Refused()
            report.seq = b.recorded[-1].seq if b.recorded else None
    except _Refused:
        return report
    report.applied = bool(b.recorded)
    return report


def _refuse(path: Path, problems: list[str], stale: bool = False) -> None:
    """Refuse the whole file, naming every bad row (E418), or the rows of units changed after
    the export (E447)."""
    if not problems:
        return
    shown = problems[:100] + ([f"... and {len(problems) - 100} more"]
                              if len(problems) > 100 else [])
    raise StcError("E447" if stale else "E418", path=str(path),
                   count=counted(len(problems), "row"), rows="\n".join("  " + p for p in shown))
