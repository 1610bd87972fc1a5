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

from stc.attributes import attributes_of, keys_of
from stc.changes import CHANGE_KINDS
from stc.errors import StcError
from stc.lookup import Named
from stc.project import Batch, Project
from stc.quotes import Haystack, normalise_quote
from stc.sheet import NO, UNIT_COLUMNS, YES, Row, check_suffix, read_matrix, write_matrix
from stc.stages.meaning_units import add_named, list_units, record_code_group, record_unit
from stc.texts import get_text
from stc.units import DocText, check_one_participant, load_doc, locate, participants_by_unit

T = TypeVar("T")


# -- export ------------------------------------------------------------------------------------

def unit_rows(conn: sqlite3.Connection, all_segments: bool = False) -> list[list[str]]:
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
            "yes" if u.nugget else "", translations.get(u.id, ""), u.note or ""]))
    if all_segments:
        rows += [(doc, n, 1, ["", doc, str(n), text, "", "", "", "", "", ""])
                 for doc, n, text in _uncoded_segments(conn)]
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


def _uncoded_segments(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str]]:
    for (doc,) in conn.execute("SELECT id FROM documents ORDER BY id").fetchall():
        d = load_doc(conn, doc)
        covered: set[int] = set()
        for start, end in conn.execute("SELECT start, end FROM units WHERE doc = ? AND"
                                       " version = ?", (doc, d.version)):
            first, last = d.covering(start, end)
            covered.update(range(first, last + 1))
        for n, start, end in zip(d.numbers, d.starts, d.ends, strict=True):
            if n not in covered:
                yield doc, n, d.text[start:end]


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
    own = {c.casefold() for c in (*UNIT_COLUMNS, "speaker", "participant", "aside", "context")}
    header = tuple(f"{k} (attribute)" if k.casefold() in own else k for k in keys)
    out = []
    for row in rows:
        unit = int(row[0][1:]) if row[0][:1] == "U" else None
        people = [values.get(str(p), {}) for p in who.get(unit, [])] if unit else []
        held = [{k.casefold(): v.text for k, v in person.items()} for person in people]
        out.append([*row, *("; ".join(dict.fromkeys(h[k.casefold()] for h in held
                                                     if k.casefold() in h)) for k in keys)])
    return header, out


def export_matrix(project: Project, path: Path, all_segments: bool = False) -> tuple[int, int]:
    """Write the matrix; returns the number of unit rows and of subgroup rows."""
    check_suffix(path)
    extra, units = attribute_columns(project.conn, unit_rows(project.conn, all_segments))
    subs = subgroup_rows(project.conn)
    write_matrix(path, units, subs, extra)
    return len(units), len(subs)


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


@dataclass
class ImportReport:
    """The difference a coding matrix makes, and whether it was applied."""

    lines: list[str] = field(default_factory=list)  # the difference, one line per change
    new_units: int = 0
    changed_units: int = 0
    unchanged_units: int = 0
    skipped_rows: int = 0  # uncoded segments (from --all-segments)
    applied: bool = False
    seq: int | None = None

    def summary(self) -> str:
        other = len(self.lines) - self.new_units - self.changed_units
        return (f"{self.new_units} new units, {self.changed_units} units changed,"
                f" {self.unchanged_units} unchanged, {other} other changes")


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
    loaded: dict[str, tuple[DocText, Haystack]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _Project:
        docs = {str(r[0]).casefold(): str(r[0]) for r in conn.execute("SELECT id FROM documents")}
        units: dict[int, tuple[str, int, int, int | None, str | None, str | None]] = {}
        spans: dict[tuple[str, int, int], int] = {}
        outdated: set[int] = set()
        for uid, doc, version, start, end, sub, nugget, note, current in conn.execute(
                "SELECT u.id, u.doc, u.version, u.start, u.end, u.subgroup_id, u.nugget, u.note,"
                " d.version FROM units u JOIN documents d ON d.id = u.doc"):
            units[uid] = (doc, start, end, sub, nugget, note)
            if version == current:
                spans[(doc, start, end)] = uid
            else:
                outdated.add(uid)
        texts = dict(conn.execute("SELECT u.id, t.body FROM units u JOIN texts t"
                                  " ON t.hash = u.text").fetchall())
        code_group = {str(name).casefold(): group for name, group in conn.execute(
            "SELECT c.name, g.name FROM codes c LEFT JOIN code_groups g ON g.id = c.group_id")}
        row = conn.execute("SELECT last FROM counters WHERE name = 'unit'").fetchone()
        return cls(docs, units, outdated, texts, spans, code_group, int(row[0]) if row else 0)

    def doc(self, conn: sqlite3.Connection, doc_id: str) -> tuple[DocText, Haystack]:
        if doc_id not in self.loaded:
            d = load_doc(conn, doc_id)
            self.loaded[doc_id] = (d, Haystack(d.text, self.loose))
        return self.loaded[doc_id]


def _split_codes(cell: str) -> list[str]:
    seen: dict[str, str] = {}
    for name in cell.split(";"):
        name = " ".join(name.split())
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _segments(cell: str, doc: DocText) -> tuple[int | None, int | None]:
    if not cell:
        return None, None
    text = cell.partition(":")[2] if ":" in cell else cell
    first, _, last = text.replace("–", "-").partition("-")
    if not first.strip().isdigit() or (last and not last.strip().isdigit()):
        raise ValueError(f"segments {cell!r} is not N or N-M")
    a, b = int(first), int(last or first)
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
    if doc_cell.casefold() not in known.docs:
        raise ValueError(f"unknown document {doc_cell!r}")
    doc, hay = known.doc(conn, known.docs[doc_cell.casefold()])
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
    if unit is not None:
        _, start, end, *_ = known.units[unit]
        text = known.unit_text.get(unit, "")
        if quote and normalise_quote(quote, known.loose) != normalise_quote(text, known.loose):
            raise ValueError(f"the quote differs from the text of U{unit}; leave the unit"
                             " empty to make a new unit")
    else:
        start, end = _locate(doc, hay, first, last, quote)
        unit = None if new_number is not None else known.spans.get((doc.id, start, end))
    if unit is None:
        _row_check(check_one_participant, doc, start, end)
    return RowPlan(number, unit, doc, start, end, codes, group, subgroup, nugget in YES,
                   cells.get("note", "") or None, translation,
                   _code_groups(known, codes, groups), new_number)


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
    named = {g.casefold() for g in groups}
    out = {}
    for code in codes:
        now = known.code_group.get(code.casefold())
        out[code] = now if now is not None and now.casefold() in named else groups[0]
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


def check_rows(conn: sqlite3.Connection, rows: list[Row], loose: bool = False
               ) -> tuple[list[RowPlan], list[str], int]:
    """Plans for the good rows, problems of the bad ones, and how many rows were skipped."""
    known = _Project.load(conn)
    known.loose = loose
    plans: list[RowPlan] = []
    problems: list[str] = []
    skipped = 0
    code_group: dict[str, tuple[str, int]] = {}
    seen_units: dict[int, int] = {}
    for number, cells in rows:
        try:
            plan = _check_row(conn, known, number, cells)
        except ValueError as exc:
            problems.append(f"units row {number}: {exc}")
            continue
        if plan is None:
            skipped += 1
            continue
        ident = plan.unit or plan.new_number
        if ident is not None:
            first = seen_units.setdefault(ident, number)
            if first != number:
                problems.append(f"units row {number}: U{ident} is in row {first} too")
        for name, group in plan.code_groups.items():
            seen = code_group.setdefault(name.casefold(), (group, number))
            if seen[0].casefold() != group.casefold():
                problems.append(f"units row {number}: code {name!r} is put in group"
                                f" {group!r} here but in {seen[0]!r} in row {seen[1]}")
        plans.append(plan)
    return plans, problems, skipped


class _Applier:
    """Records the difference between checked rows and the project inside one batch."""

    def __init__(self, b: Batch, report: ImportReport) -> None:
        self.b = b
        self.conn = b.conn
        self.report = report
        self.groups = {r[1].casefold(): Named("group", r[0], r[1]) for r in
                       self.conn.execute("SELECT id, name FROM code_groups")}
        self.codes = {r[1].casefold(): Named("code", r[0], r[1], r[2]) for r in
                      self.conn.execute("SELECT id, name, group_id FROM codes")}
        self.subgroups = {(r[1], r[2].casefold()): Named("subgroup", r[0], r[2], r[1]) for r in
                          self.conn.execute("SELECT id, group_id, name FROM subgroups")}

    def group(self, name: str) -> Named:
        if name.casefold() not in self.groups:
            self.groups[name.casefold()] = add_named(self.b, "group", name)
            self.report.lines.append(f"+ code group {name!r}")
        return self.groups[name.casefold()]

    def subgroup(self, group: Named, name: str) -> Named:
        key = (group.id, name.casefold())
        if key not in self.subgroups:
            self.subgroups[key] = add_named(self.b, "subgroup", name, group)
            self.report.lines.append(f"+ subgroup {group.name}/{name}")
        return self.subgroups[key]

    def codes_of(self, plans: list[RowPlan]) -> None:
        """Make the codes, and move codes to the group their rows give."""
        moves: dict[int, list[Named]] = {}
        for plan in plans:
            for name in plan.codes:
                wanted = plan.code_groups.get(name)
                group = self.group(wanted) if wanted else None
                code = self.codes.get(name.casefold())
                if code is None:
                    code = add_named(self.b, "code", name, group)
                    self.codes[name.casefold()] = code
                    where = f" in {group.name!r}" if group else ""
                    self.report.lines.append(f"+ code {name!r}{where}")
                elif group is not None and code.group_id != group.id:
                    moved = Named("code", code.id, code.name, group.id, group.name)
                    self.codes[name.casefold()] = moved
                    moves.setdefault(group.id, []).append(code)
                    self.report.lines.append(f"~ code {code.name!r} into group {group.name!r}")
        for group_id, codes in moves.items():
            group = next(g for g in self.groups.values() if g.id == group_id)
            record_code_group(self.b, codes, group)

    def unit(self, plan: RowPlan) -> None:
        codes = [self.codes[c.casefold()] for c in plan.codes]
        sub = None
        if plan.subgroup and plan.group:
            sub = self.subgroup(self.group(plan.group), plan.subgroup)
        if plan.unit is None:
            unit = record_unit(self.b, plan.doc, plan.start, plan.end, codes, plan.note,
                               plan.new_number, sub, plan.nugget)
            if plan.translation:
                self.b.record("unit.set", {"id": unit,
                                           "translation": self.b.text(plan.translation)})
            self.report.new_units += 1
            placed = [*([f"subgroup {plan.group}/{sub.name}"] if sub else []),
                      *(["nugget"] if plan.nugget else [])]
            self.report.lines.append(f"+ U{unit} {plan.doc.ref(plan.start, plan.end)}"
                                     f"  {'; '.join(c.name for c in codes)}"
                                     + (f"  ({', '.join(placed)})" if placed else ""))
            return
        changed = self._codes(plan.unit, codes)
        changed |= self._set(plan.unit, plan, sub)
        if changed:
            self.report.changed_units += 1
        else:
            self.report.unchanged_units += 1

    def _unit_row(self, unit: int) -> tuple[Any, ...]:
        return tuple(self.conn.execute(
            "SELECT doc, start, end, subgroup_id, nugget, note, translation FROM units"
            " WHERE id = ?",
            (unit,)).fetchone())

    def _codes(self, unit: int, codes: list[Named]) -> bool:
        have = dict(self.conn.execute("SELECT c.id, c.name FROM unit_codes uc JOIN codes c"
                                      " ON c.id = uc.code WHERE uc.unit = ?", (unit,)).fetchall())
        want = {c.id: c.name for c in codes}
        add = [i for i in want if i not in have]
        remove = [i for i in have if i not in want]
        if not add and not remove:
            return False
        self.b.record("unit.codes", {"id": unit, "add": add, "add_names": [want[i] for i in add],
                                     "remove": remove,
                                     "remove_names": [have[i] for i in remove]})
        change = " ".join([*(f"+{want[i]}" for i in add), *(f"-{have[i]}" for i in remove)])
        self.report.lines.append(f"~ U{unit} codes {change}")
        return True

    def _set(self, unit: int, plan: RowPlan, sub: Named | None) -> bool:
        """Record where an existing unit now stands: subgroup, nugget, note."""
        _, _, _, had_sub, had_nugget, note, translation = self._unit_row(unit)
        had_note = get_text(self.conn, note)
        had_translation = get_text(self.conn, translation) if translation else None
        fields: dict[str, Any] = {}
        notes: list[str] = []
        sub_id = sub.id if sub else None
        if sub_id != had_sub:
            fields["subgroup_id"] = sub_id
            notes.append(f"subgroup {plan.group}/{sub.name}" if sub else "out of its subgroup")
        if plan.nugget and had_nugget is None:
            fields["nugget"] = self._text_hash(unit)
            notes.append("nugget")
        elif not plan.nugget and had_nugget is not None:
            fields["nugget"] = None
            notes.append("no longer a nugget")
        if (plan.translation or None) != (had_translation or None):
            fields["translation"] = self.b.text(plan.translation) if plan.translation else None
            notes.append("translation")
        if (plan.note or None) != (had_note or None):
            fields["note"] = self.b.text(plan.note) if plan.note else None
            notes.append("note")
        if not fields:
            return False
        self.b.record("unit.set", {"id": unit, **fields})
        self.report.lines.append(f"~ U{unit} {', '.join(notes)}")
        return True

    def _text_hash(self, unit: int) -> str:
        return str(self.conn.execute("SELECT text FROM units WHERE id = ?", (unit,)).fetchone()[0])

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
        value = (want if name == "heading" else self.b.text(want)) if want else None
        payload = {"kind": target.kind, "id": target.id, "name": target.name, "value": value}
        if name == "condensate" and "condensate.set" in CHANGE_KINDS:
            # a condensate rests on the units of its subgroup (or of its group, without one)
            self.b.record("condensate.set", {**payload, "units": self._units_of(target)})
        else:
            self.b.record("text.set", {**payload, "field": name})
        self.report.lines.append(f"~ {label}: {name} {'set' if want else 'cleared'}")


    def _units_of(self, target: Named) -> list[int]:
        if target.kind == "subgroup":
            sql, args = "SELECT id FROM units WHERE subgroup_id = ? ORDER BY id", (target.id,)
        else:
            sql = ("SELECT DISTINCT uc.unit FROM unit_codes uc JOIN codes c ON c.id = uc.code"
                   " WHERE c.group_id = ? ORDER BY uc.unit")
            args = (target.id,)
        return [int(r[0]) for r in self.conn.execute(sql, args)]


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
                  why: str | None = None, loose: bool = False) -> ImportReport:
    """Check every row, then record the difference in one transaction (none on a dry run)."""
    unit_rows_, sub_rows = read_matrix(path)
    report = ImportReport()
    try:
        with project.batch(why or f"coding matrix {path.name}") as b:
            # checked inside the transaction: the rows are checked against what they change
            plans, problems, report.skipped_rows = check_rows(b.conn, unit_rows_, loose)
            problems += _check_subgroup_rows(sub_rows or [])
            if problems:
                shown = problems[:100] + ([f"... and {len(problems) - 100} more"]
                                          if len(problems) > 100 else [])
                raise StcError("E418", path=str(path), count=len(problems),
                               rows="\n".join("  " + p for p in shown))
            applier = _Applier(b, report)
            applier.codes_of(plans)
            _reserve_numbers(b, plans)
            for plan in plans:
                applier.unit(plan)
            applier.texts(sub_rows or [])
            if dry_run:
                raise _Refused()
            report.seq = b.recorded[-1].seq if b.recorded else None
    except _Refused:
        return report
    report.applied = bool(report.lines)
    return report
