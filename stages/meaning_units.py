"""Step 2, identifying and sorting meaning units: from themes to codes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stc.errors import StcError
from stc.lookup import TABLES, Named, check_kind, find, get, split_subgroup
from stc.participants import names as participant_names
from stc.project import Batch, Project
from stc.refs import check_segment_range, resolve_doc
from stc.stages import Step, StepStatus, count
from stc.texts import get_text, must_text
from stc.units import (
    DocText,
    Places,
    check_one_participant,
    load_doc,
    locate,
    participants_by_unit,
    unit_context,
)
from stc.words import counted

STEP = Step(2, "Meaning units and codes", requires=("documents", "preliminary themes"),
            produces=("meaning units", "codes", "code groups"))


def status(conn: sqlite3.Connection) -> StepStatus:
    units = count(conn, "SELECT COUNT(*) FROM units")
    codes = count(conn, "SELECT COUNT(*) FROM codes")
    ungrouped = count(conn, "SELECT COUNT(*) FROM codes WHERE group_id IS NULL")
    groups = count(conn, "SELECT COUNT(*) FROM code_groups")
    review = count(conn, "SELECT COUNT(*) FROM units WHERE review IS NOT NULL")
    st = StepStatus(STEP, [counted(units, "meaning unit"),
                           f"{counted(codes, 'code')} ({ungrouped} not in a group)",
                           counted(groups, "code group")])
    if review:
        st.facts.append(f"{counted(review, 'unit')} to review after a re-import")
    if units == 0:
        st.next = "stc code DOC:N-M CODE..."
    elif ungrouped:
        st.next = "stc group CODE... --into GROUP"
    elif review:
        st.next = "stc units --review"
    return st


# -- recording units ---------------------------------------------------------------------------

def record_unit(b: Batch, doc: DocText, start: int, end: int, codes: list[Named],
                note: str | None = None, number: int | None = None,
                subgroup: Named | None = None, nugget: bool = False) -> int:
    """Record one `unit.add`; returns the new unit's number (`number` when given: one never
    handed out, from a coding matrix written elsewhere). A coding matrix may also place the
    new unit in a subgroup and mark it a nugget, in the same change."""
    if not codes:
        raise StcError("E409")
    unit = number if number is not None else b.take_number("unit")
    before, after = unit_context(doc.text, start, end)
    payload: dict[str, Any] = {
        "id": unit, "doc": doc.id, "version": doc.version, "start": start, "end": end,
        "segments": doc.ref(start, end).partition(":")[2],
        "text": b.text(doc.text[start:end]), "before": b.text(before), "after": b.text(after),
        "codes": [c.id for c in codes], "code_names": [c.name for c in codes],
    }
    if note:
        payload["note"] = b.text(note)
    if subgroup is not None:
        payload["subgroup_id"] = subgroup.id
    if nugget:
        payload["nugget"] = payload["text"]
    b.record("unit.add", payload)
    return unit


# -- named things: themes, codes, groups, subgroups --------------------------------------------

_ADD_KIND = {"theme": "theme.add", "code": "code.add", "group": "group.add",
             "subgroup": "subgroup.add"}


def add_named(b: Batch, kind: str, name: str, group: Named | None = None) -> Named:
    """Record the creation of a theme, code, group or subgroup (in `group`)."""
    name = " ".join(name.split())
    if not name:
        raise StcError("E403", kind=kind)
    conn = b.conn
    if kind == "subgroup":
        assert group is not None
        if find(conn, "subgroup", f"{group.name}/{name}"):
            raise StcError("E402", kind=kind, name=f"{group.name}/{name}")
    elif find(conn, kind, name):
        raise StcError("E402", kind=kind, name=name)
    ident = b.next_id(TABLES[kind])
    payload: dict[str, Any] = {"id": ident, "name": name}
    if kind == "code":
        payload["group"] = group.id if group else None
    elif kind == "group":
        theme = find(conn, "theme", name)
        payload["from_theme"] = theme.id if theme else None
    elif kind == "subgroup":
        assert group is not None
        payload.update(group=group.id, group_name=group.name)
    b.record(_ADD_KIND[kind], payload)
    return Named(kind, ident, name, group.id if group else None, group.name if group else None)


def ensure(b: Batch, kind: str, name: str, group: Named | None = None) -> Named:
    """The named object, created when missing."""
    if kind == "subgroup":
        assert group is not None
        found = find(b.conn, kind, f"{group.name}/{name}")
    else:
        found = find(b.conn, kind, name)
    return found or add_named(b, kind, name, group)


def ensure_codes(b: Batch, names: list[str], group: Named | None = None) -> list[Named]:
    """The codes by name (created when missing); with `group`, all of them put into it."""
    codes: dict[int, Named] = {}
    for name in names:
        code = ensure(b, "code", name, group)
        codes.setdefault(code.id, code)
    if group is not None:
        move = [c for c in codes.values() if c.group_id != group.id]
        if move:
            record_code_group(b, move, group)
            for c in move:
                codes[c.id] = Named("code", c.id, c.name, group.id, group.name)
    return list(codes.values())


def record_code_group(b: Batch, codes: list[Named], group: Named | None) -> None:
    b.record("code.group", {"codes": [c.id for c in codes], "code_names": [c.name for c in codes],
                            "group": group.id if group else None,
                            "group_name": group.name if group else None})


def group_codes(project: Project, codes: list[str], into: str, why: str | None = None
                ) -> tuple[Named, list[Named], bool]:
    """Put codes into a code group, made when missing (from the theme of that name, if any).
    Returns the group, the codes and whether the group is new."""
    with project.batch(why) as b:
        named = [get(b.conn, "code", c) for c in codes]
        existing = find(b.conn, "group", into)
        group = existing or add_named(b, "group", into)
        record_code_group(b, named, group)
    return group, named, existing is None


def rename(project: Project, kind: str, old: str, new: str, why: str | None = None) -> Named:
    kind = check_kind(kind)
    with project.batch(why) as b:
        target = get(b.conn, kind, old)
        if kind == "subgroup":
            parts = split_subgroup(b.conn, new)
            if parts is not None and parts[0].id == target.group_id:
                new = parts[1]
            new_ref = f"{target.group_name}/{new}"
        else:
            new_ref = new
        new = " ".join(new.split())
        if not new:
            raise StcError("E403", kind=kind)
        clash = find(b.conn, kind, new_ref)
        if clash is not None and clash.id != target.id:
            raise StcError("E402", kind=kind, name=clash.ref)
        b.record("rename", {"kind": kind, "id": target.id, "old": target.name, "new": new})
    return Named(kind, target.id, new, target.group_id, target.group_name)


def units_using(conn: sqlite3.Connection, target: Named) -> int:
    if target.kind == "code":
        sql = "SELECT COUNT(*) FROM unit_codes WHERE code = ?"
    elif target.kind == "subgroup":
        sql = "SELECT COUNT(*) FROM units WHERE subgroup_id = ?"
    elif target.kind == "group":
        sql = ("SELECT COUNT(DISTINCT uc.unit) FROM unit_codes uc JOIN codes c ON c.id = uc.code"
               " WHERE c.group_id = ?")
    else:
        return 0
    return int(conn.execute(sql, (target.id,)).fetchone()[0])


def drop(project: Project, kind: str, name: str, force: bool = False, why: str | None = None
         ) -> tuple[Named, int]:
    """Drop a theme, code, group or subgroup; one that units use needs `force`.
    Returns what was dropped and how many units it touched."""
    kind = check_kind(kind)
    with project.batch(why) as b:
        target = get(b.conn, kind, name)
        used = units_using(b.conn, target)
        if used and not force:
            raise StcError("E407", kind=kind, name=target.ref, count=used)
        b.record("drop", {"kind": kind, "id": target.id, "name": target.ref, "units": used})
    return target, used


def merge(project: Project, kind: str, names: list[str], into: str, why: str | None = None
          ) -> tuple[list[Named], Named, bool]:
    """Merge themes, codes, groups or subgroups into one, made when new.
    Returns the merged ones, the target and whether the target is new."""
    kind = check_kind(kind)
    with project.batch(why) as b:
        sources: dict[int, Named] = {}
        for n in names:
            named = get(b.conn, kind, n)
            sources.setdefault(named.id, named)
        merged = list(sources.values())
        target, created = _merge_target(b, kind, merged, into)
        if kind == "subgroup":
            _check_subgroups_one_group(merged, target)
        if kind == "group":
            _check_subgroup_clash(b.conn, merged, target)
        b.record("merge", {"kind": kind, "ids": [m.id for m in merged],
                           "names": [m.ref for m in merged], "into": target.id,
                           "into_name": target.ref})
    return merged, target, created


def _merge_target(b: Batch, kind: str, merged: list[Named], into: str) -> tuple[Named, bool]:
    if kind != "subgroup":
        found = find(b.conn, kind, into)
        return (found, False) if found else (add_named(b, kind, into), True)
    # GROUP/SUBGROUP, or a subgroup name within the group of the merged ones
    parts = split_subgroup(b.conn, into)
    group, name = parts if parts else (get(b.conn, "group", merged[0].group_name or ""), into)
    found = find(b.conn, "subgroup", f"{group.name}/{name}")
    return (found, False) if found else (add_named(b, "subgroup", name, group), True)


def _check_subgroups_one_group(merged: list[Named], target: Named) -> None:
    groups = {m.group_name for m in [*merged, target]}
    if len(groups) > 1:
        raise StcError("E413", groups=", ".join(sorted(g or "" for g in groups)))


def _check_subgroup_clash(conn: sqlite3.Connection, merged: list[Named], target: Named) -> None:
    seen: dict[str, str] = {}
    for group in [target, *(m for m in merged if m.id != target.id)]:
        for (sub,) in conn.execute("SELECT name FROM subgroups WHERE group_id = ?", (group.id,)):
            if sub.casefold() in seen and seen[sub.casefold()] != group.name:
                raise StcError("E414", group=target.name, name=sub)
            seen[sub.casefold()] = group.name


# -- coding ------------------------------------------------------------------------------------

class NewUnit(NamedTuple):
    """A meaning unit made or extended by `stc code`."""

    id: int
    ref: str  # DOC:N-M
    text: str
    codes: list[str]
    existing: bool = False  # the stretch was a unit already; the codes were added to it


def code_segments(project: Project, ref: str, codes: list[str], quote: str | None = None,
                  loose: bool = False, group: str | None = None, note: str | None = None,
                  why: str | None = None) -> NewUnit:
    """Make a meaning unit from segments, or from the quoted text inside them, and code it."""
    with project.batch(why) as b:
        rng = check_segment_range(b.conn, ref)
        doc = load_doc(b.conn, rng.doc)
        start, end = locate(doc, rng.first, rng.last, quote, loose=loose)
        check_one_participant(doc, start, end)
        if not [c for c in codes if c.strip()]:
            raise StcError("E409")
        same = b.conn.execute("SELECT id FROM units WHERE doc = ? AND version = ? AND start = ?"
                              " AND end = ?", (doc.id, doc.version, start, end)).fetchone()
        target = ensure(b, "group", group) if group else None
        named = ensure_codes(b, [c for c in codes if c.strip()], target)
        if same is None:
            unit = record_unit(b, doc, start, end, named, note)
        else:  # the same stretch again: one unit with more codes, not two units
            unit = int(same[0])
            _add_codes(b, unit, named)
    return NewUnit(unit, doc.ref(start, end), doc.text[start:end], [c.name for c in named],
                   existing=same is not None)


def _add_codes(b: Batch, unit: int, codes: list[Named]) -> None:
    have = {r[0] for r in b.conn.execute("SELECT code FROM unit_codes WHERE unit = ?", (unit,))}
    add = [c for c in codes if c.id not in have]
    if add:
        b.record("unit.codes", {"id": unit, "add": [c.id for c in add],
                                "add_names": [c.name for c in add], "remove": [],
                                "remove_names": []})


# -- listings ----------------------------------------------------------------------------------

class UnitView(NamedTuple):
    """A meaning unit as `stc units` lists it."""

    id: int
    doc: str
    segments: str  # DOC:N-M
    participant: str
    codes: list[str]
    groups: list[str]
    subgroup: str | None
    text: str
    nugget: bool
    note: str | None
    aside: str | None
    review: str | None

    @property
    def ref(self) -> str:
        return f"U{self.id}"

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.ref, **self._asdict()}


def list_units(conn: sqlite3.Connection, code: str | None = None, group: str | None = None,
               doc: str | None = None, review: bool = False, subgroup: str | None = None
               ) -> list[UnitView]:
    where, args = _unit_filters(conn, code, group, doc, review)
    if subgroup:
        where += (" AND " if where else " WHERE ") + "u.subgroup_id = ?"
        args.append(get(conn, "subgroup", subgroup).id)
    rows = conn.execute(
        "SELECT u.id, u.doc, u.version, u.start, u.end, u.text, u.subgroup_id, u.nugget,"
        " u.note, u.aside, u.review FROM units u" + where + " ORDER BY u.id", args).fetchall()
    codes: dict[int, list[tuple[str, str | None]]] = {}
    for unit, name, group_name in conn.execute(
            "SELECT uc.unit, c.name, g.name FROM unit_codes uc JOIN codes c ON c.id = uc.code"
            " LEFT JOIN code_groups g ON g.id = c.group_id ORDER BY c.name"):
        codes.setdefault(unit, []).append((name, group_name))
    subgroups = dict(conn.execute("SELECT id, name FROM subgroups").fetchall())
    who = participants_by_unit(conn)
    people = participant_names(conn)
    places = Places(conn)
    out = []
    for r in rows:
        unit_codes = codes.get(r[0], [])
        groups = sorted({g for _, g in unit_codes if g})
        out.append(UnitView(
            r[0], r[1], places.ref(r[1], r[2], r[3], r[4]),
            ", ".join(people.get(p, f"P{p}") for p in who.get(r[0], [])),
            [c for c, _ in unit_codes], groups, subgroups.get(r[6]), must_text(conn, r[5]),
            r[7] is not None, get_text(conn, r[8]), r[9], r[10]))
    return out


def _unit_filters(conn: sqlite3.Connection, code: str | None, group: str | None,
                  doc: str | None, review: bool) -> tuple[str, list[object]]:
    where: list[str] = []
    args: list[object] = []
    if code:
        where.append("u.id IN (SELECT unit FROM unit_codes WHERE code = ?)")
        args.append(get(conn, "code", code).id)
    if group:
        where.append("u.id IN (SELECT uc.unit FROM unit_codes uc JOIN codes c"
                     " ON c.id = uc.code WHERE c.group_id = ?)")
        args.append(get(conn, "group", group).id)
    if doc:
        where.append("u.doc = ?")
        args.append(resolve_doc(conn, doc))
    if review:
        where.append("u.review IS NOT NULL")
    return (" WHERE " + " AND ".join(where) if where else ""), args


class CodeCount(NamedTuple):
    """A code with the meaning units and participants behind it."""

    name: str
    units: int
    participants: int


@dataclass
class GroupNode:
    """A code group (or the codes in none) with its codes and subgroups."""

    name: str | None  # None: codes not yet in a group
    units: int
    participants: int
    codes: list[CodeCount] = field(default_factory=list)
    subgroups: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "units": self.units, "participants": self.participants,
                "codes": [code._asdict() for code in self.codes], "subgroups": self.subgroups}


def code_tree(conn: sqlite3.Connection) -> list[GroupNode]:
    """Code groups in order, each with its codes and how many units and participants."""
    who = participants_by_unit(conn)
    by_code: dict[int, set[int]] = {}
    for unit, code in conn.execute("SELECT unit, code FROM unit_codes"):
        by_code.setdefault(code, set()).add(unit)
    groups = conn.execute("SELECT id, name FROM code_groups ORDER BY position, id").fetchall()
    nodes: dict[int | None, GroupNode] = {g[0]: GroupNode(g[1], 0, 0) for g in groups}
    group_units: dict[int | None, set[int]] = {g: set() for g in nodes}
    for code_id, name, group_id in conn.execute(
            "SELECT id, name, group_id FROM codes ORDER BY name COLLATE NOCASE"):
        units = by_code.get(code_id, set())
        if group_id not in nodes:
            nodes[group_id] = GroupNode(None, 0, 0)
            group_units[group_id] = set()
        nodes[group_id].codes.append(
            CodeCount(name, len(units), _people(who, units)))
        group_units[group_id] |= units
    for group_id, node in nodes.items():
        node.units = len(group_units[group_id])
        node.participants = _people(who, group_units[group_id])
        if group_id is not None:
            node.subgroups = [r[0] for r in conn.execute(
                "SELECT name FROM subgroups WHERE group_id = ? ORDER BY position", (group_id,))]
    return list(nodes.values())


def _people(who: dict[int, list[int]], units: set[int]) -> int:
    return len({p for u in units for p in who.get(u, [])})
