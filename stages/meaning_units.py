"""Step 2, identifying and sorting meaning units: from themes to codes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stc import naming
from stc.errors import StcError
from stc.history import require_unchanged
from stc.lookup import (
    TABLES,
    Named,
    check_kind,
    find,
    get,
    new_name,
    split_subgroup,
    unit_id,
)
from stc.naming import key
from stc.participants import names as participant_names
from stc.project import Batch, Project
from stc.refs import check_segment_range, resolve_doc
from stc.stages import Step, StepStatus, count
from stc.stages.condensation import Target, ids, quote_is_verbatim, to_review
from stc.store import marks
from stc.texts import PROJECT, doc_owner, get_text
from stc.units import (
    DocText,
    Places,
    check_speech,
    load_doc,
    locate,
    participants_by_unit,
    place_fields,
)
from stc.words import counted, shell

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
                subgroup: Named | None = None, nugget: bool = False,
                interviewer: bool = False, split_from: int | None = None) -> int:
    """Record one `unit.add`; returns the new unit's number (`number` when given: one never
    handed out, from a coding matrix written elsewhere). A coding matrix (or a split) may also
    place the new unit in a subgroup and mark it a nugget, in the same change. `interviewer`:
    the interviewer's words alone, coded on purpose. The unit's text is the speech in the
    stretch; the turns it crosses are recorded when there are several."""
    if not codes:
        raise StcError("E409")
    unit = number if number is not None else b.take_number("unit")
    payload: dict[str, Any] = {"id": unit, **place_fields(b.conn, doc, start, end),
                               "codes": [c.id for c in codes],
                               "code_names": [c.name for c in codes]}
    turns = doc.turns_in(start, end)
    if len(turns) > 1:
        payload["turns"] = [i + 1 for i in turns]  # numbered from 1, as stored
    owner = doc_owner(doc.id)
    if note:
        payload["note"] = b.text(note, owner)
    if subgroup is not None:
        payload["subgroup_id"] = subgroup.id
    if nugget:
        payload["nugget"] = payload["text"]
    if interviewer:
        payload["interviewer"] = True
    if split_from is not None:
        payload["split_from"] = split_from
    b.record("unit.add", payload)
    return unit


# -- named things: themes, codes, groups, subgroups --------------------------------------------

_ADD_KIND = {"theme": "theme.add", "code": "code.add", "group": "group.add",
             "subgroup": "subgroup.add"}


def add_named(b: Batch, kind: str, name: str, group: Named | None = None) -> Named:
    """Record the creation of a theme, code, group or subgroup (in `group`)."""
    name = new_name(kind, name)
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


def ensure_codes(b: Batch, names: list[str], group: Named | None = None,
                 said: list[str] | None = None) -> list[Named]:
    """The codes by name (created when missing); with `group`, all of them put into it (what
    that does to units in subgroups is appended to `said`)."""
    codes: dict[int, Named] = {}
    for name in names:
        code = ensure(b, "code", name, group)
        codes.setdefault(code.id, code)
    if group is not None:
        move = [c for c in codes.values() if c.group_id != group.id]
        if move:
            lines = record_code_group(b, move, group)
            if said is not None:
                said += lines
            for c in move:
                codes[c.id] = Named("code", c.id, c.name, group.id, group.name)
    return list(codes.values())


def record_code_group(b: Batch, codes: list[Named], group: Named | None) -> list[str]:
    """Move codes into a group (or out of any). Units that leave a group this way leave its
    subgroups too; returns what that did, one line each, for the user."""
    b.record("code.group", {"codes": [c.id for c in codes], "code_names": [c.name for c in codes],
                            "group": group.id if group else None,
                            "group_name": group.name if group else None})
    return release_units(b, units_of_codes(b.conn, [c.id for c in codes]))


class Grouped(NamedTuple):
    """What `stc group` did."""

    group: Named
    codes: list[Named]
    created: bool  # the group is new
    said: list[str]  # units that left subgroups, condensates to review


def group_codes(project: Project, codes: list[str], into: str, why: str | None = None
                ) -> Grouped:
    """Put codes into a code group, made when missing (from the theme of that name, if any).
    A unit that so leaves the group it was sorted in leaves its subgroup there (step 3 stays
    consistent), and the condensates that rested on it are named for review."""
    with project.batch(why) as b:
        named = [get(b.conn, "code", c) for c in codes]
        existing = find(b.conn, "group", into)
        group = existing or add_named(b, "group", into)
        said = record_code_group(b, named, group)
    return Grouped(group, named, existing is None, said)


def units_of_codes(conn: sqlite3.Connection, codes: list[int]) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        f"SELECT DISTINCT unit FROM unit_codes WHERE code IN ({marks(len(codes))})"
        " ORDER BY unit", codes)]


def release_units(b: Batch, units: list[int]) -> list[str]:
    """Take each of `units` out of its subgroup when none of its codes is in that subgroup's
    group any longer; returns what was done and the condensates that now need review."""
    wanted = set(units)
    said: list[str] = []
    for unit, label, group in b.conn.execute(
            "SELECT u.id, g.name || '/' || s.name, g.name FROM units u"
            " JOIN subgroups s ON s.id = u.subgroup_id JOIN code_groups g ON g.id = s.group_id"
            " WHERE NOT EXISTS (SELECT 1 FROM unit_codes uc JOIN codes c ON c.id = uc.code"
            " WHERE uc.unit = u.id AND c.group_id = s.group_id) ORDER BY u.id").fetchall():
        if unit in wanted:
            b.record("unit.set", {"id": unit, "subgroup_id": None})
            said.append(f"U{unit} left subgroup {label}: none of its codes is in {group!r}"
                        " any longer")
    return said + review_lines(b.conn, units)


def review_lines(conn: sqlite3.Connection, units: list[int]) -> list[str]:
    """The condensates that rested on any of `units` and lost or changed it, one line each,
    with the command that opens them."""
    return [f"review the condensate of {t.label}, which rested on"
            f" {ids(sorted(set(units) & set(_rested_on(conn, t))))}:"
            f" {shell('stc', 'condense', t.label, '--edit')}"
            for t in to_review(conn, units)]


def _rested_on(conn: sqlite3.Connection, target: Target) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT unit FROM condensate_units WHERE kind = ? AND owner = ?",
        (target.kind, target.id))]


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
        new = new_name(kind, new)
        clash = find(b.conn, kind, new_ref)
        if clash is not None and clash.id != target.id:
            raise StcError("E402", kind=kind, name=clash.ref)
        b.record("rename", {"kind": kind, "id": target.id, "old": target.name, "new": new})
    return Named(kind, target.id, new, target.group_id, target.group_name)


def define_code(project: Project, name: str, text: str | None, why: str | None = None
                ) -> Named:
    """Write (or, with no text, clear) what a code means: the codebook's definition."""
    with project.batch(why) as b:
        code = get(b.conn, "code", name)
        body = (text or "").strip()
        b.record("code.define", {"id": code.id, "name": code.name,
                                 "definition": b.text(body, PROJECT) if body else None})
    return code


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
         ) -> tuple[Named, int, list[str]]:
    """Drop a theme, code, group or subgroup; one that units use needs `force`.
    Returns what was dropped, how many units it touched, and what that did to units in
    subgroups (a unit whose dropped code was its only one in the group leaves its subgroup)."""
    kind = check_kind(kind)
    with project.batch(why) as b:
        target = get(b.conn, kind, name)
        used = units_using(b.conn, target)
        if used and not force:
            raise StcError("E407", kind=kind, name=target.ref, units=counted(used, "meaning unit"))
        units = units_of_codes(b.conn, [target.id]) if kind == "code" else []
        b.record("drop", {"kind": kind, "id": target.id, "name": target.ref, "units": used})
        said = release_units(b, units) if units else []
    return target, used, said


def merge(project: Project, kind: str, names: list[str], into: str, why: str | None = None
          ) -> tuple[list[Named], Named, bool, list[str]]:
    """Merge themes, codes, groups or subgroups into one, made when new.
    Returns the merged ones, the target, whether the target is new, and what merging codes
    of other groups did to units in subgroups."""
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
        units = units_of_codes(b.conn, [m.id for m in merged]) if kind == "code" else []
        b.record("merge", {"kind": kind, "ids": [m.id for m in merged],
                           "names": [m.ref for m in merged], "into": target.id,
                           "into_name": target.ref})
        said = release_units(b, units) if units else []
    return merged, target, created, said


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
            if key(sub) in seen and seen[key(sub)] != group.name:
                raise StcError("E414", group=target.name, name=sub)
            seen[key(sub)] = group.name


# -- coding ------------------------------------------------------------------------------------

class NewUnit(NamedTuple):
    """A meaning unit made or extended by `stc code` (or a selection in the workbench)."""

    id: int
    ref: str  # DOC:N-M
    text: str
    codes: list[str]
    existing: bool  # the stretch was a unit already; the codes were added to it
    warnings: list[str]  # the unit crosses speakers (named)
    said: list[str]  # codes moved into the group: units that left subgroups


def code_segments(project: Project, ref: str, codes: list[str], quote: str | None = None,
                  loose: bool = False, group: str | None = None, note: str | None = None,
                  why: str | None = None, allow_interviewer: bool = False) -> NewUnit:
    """Make a meaning unit from segments, or from the quoted text inside them (which sets its
    exact stretch), and code it."""
    with project.batch(why) as b:
        rng = check_segment_range(b.conn, ref)
        doc = load_doc(b.conn, rng.doc)
        start, end = locate(doc, rng.first, rng.last, quote, loose=loose)
        return _code_stretch(b, doc, start, end, codes, group, note, allow_interviewer)


def code_span(project: Project, doc: str, start: int, end: int, codes: list[str],
              group: str | None = None, note: str | None = None,
              allow_interviewer: bool = False, why: str | None = None,
              based_on: int | None = None, snap: bool = False) -> NewUnit:
    """Make a meaning unit from exact offsets in a transcript's text (a selection), by the
    rules of `stc code --quote`: the stretch is narrowed to the speech in it (after widening
    it to whole words, with `snap`), the interviewer's words alone are refused unless allowed,
    a stretch across speakers is made with a warning, and a stretch that is a unit already
    gets the codes. `based_on`: the change the offsets were read at; refused (E323) when the
    transcript changed since."""
    with project.batch(why) as b:
        ident = resolve_doc(b.conn, doc)
        _offsets_hold(b, ident, based_on)
        text = load_doc(b.conn, ident)
        return _code_stretch(b, text, *text.selected(start, end, snap), codes, group, note,
                             allow_interviewer)


def _offsets_hold(b: Batch, doc: str, based_on: int | None) -> None:
    """Offsets hold for the version of the transcript they were read from: refused (E323)
    when it changed after `based_on`. (A command's own `based_on` does not cover this: a new
    unit changes nothing that was there.)"""
    if based_on is not None:
        require_unchanged(b.conn, {f"doc:{doc}"}, based_on)


def _code_stretch(b: Batch, doc: DocText, start: int, end: int, codes: list[str],
                  group: str | None, note: str | None, allow_interviewer: bool) -> NewUnit:
    names = [c for c in codes if c.strip()]
    if not names:
        raise StcError("E409")
    same = b.conn.execute("SELECT id FROM units WHERE doc = ? AND version = ? AND start = ?"
                          " AND end = ?", (doc.id, doc.version, start, end)).fetchone()
    # a unit there already was made by these rules: its codes are added, nothing refused
    warnings = check_speech(doc, start, end, allow_interviewer or same is not None)
    target = ensure(b, "group", group) if group else None
    said: list[str] = []
    named = ensure_codes(b, names, target, said)
    if same is None:
        unit = record_unit(b, doc, start, end, named, note,
                           interviewer=allow_interviewer and doc.interviewer_only(start, end))
    else:  # the same stretch again: one unit with more codes, not two units
        unit = int(same[0])
        _add_codes(b, unit, named)
    return NewUnit(unit, doc.ref(start, end), doc.spoken(start, end), [c.name for c in named],
                   same is not None, warnings, said)


def _add_codes(b: Batch, unit: int, codes: list[Named]) -> None:
    have = {r[0] for r in b.conn.execute("SELECT code FROM unit_codes WHERE unit = ?", (unit,))}
    add = [c for c in codes if c.id not in have]
    if add:
        b.record("unit.codes", {"id": unit, "add": [c.id for c in add],
                                "add_names": [c.name for c in add], "remove": [],
                                "remove_names": []})


# -- correcting units ----------------------------------------------------------------------------

class Correction(NamedTuple):
    """What a correction of meaning units did, for the command to tell."""

    units: list[int]  # the units made or changed (U7; and U12, the second part of a split)
    said: list[str]  # what else happened: a subgroup left, a quotation cleared, ...
    warnings: list[str]  # the unit now crosses speakers (named)


class _Unit(NamedTuple):
    """A stored unit, as the corrections need it."""

    id: int
    doc: str
    version: int
    start: int
    end: int
    subgroup: int | None
    aside: str | None
    nugget: str | None  # hash
    note: str | None  # hash
    interviewer: bool

    @property
    def ref(self) -> str:
        return f"U{self.id}"


def _unit(b: Batch, ref: str) -> _Unit:
    unit = unit_id(b.conn, ref)
    r = b.conn.execute("SELECT id, doc, version, start, end, subgroup_id, aside, nugget, note,"
                       " interviewer FROM units WHERE id = ?", (unit,)).fetchone()
    return _Unit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]))


def _current(b: Batch, unit: _Unit) -> DocText:
    """The unit's transcript; refused (E443) while the unit points at an earlier version."""
    doc = load_doc(b.conn, unit.doc)
    if doc.version != unit.version:
        raise StcError("E443", unit=unit.ref, doc=unit.doc)
    return doc


def _codes_of(conn: sqlite3.Connection, unit: int) -> list[Named]:
    return [Named("code", r[0], r[1], r[2]) for r in conn.execute(
        "SELECT c.id, c.name, c.group_id FROM unit_codes uc JOIN codes c ON c.id = uc.code"
        " WHERE uc.unit = ? ORDER BY c.name", (unit,))]


def _refuse_same_stretch(b: Batch, doc: DocText, start: int, end: int, unit: int,
                         *also: int) -> None:
    other = b.conn.execute(
        "SELECT id FROM units WHERE doc = ? AND version = ? AND start = ? AND end = ?"
        f" AND id NOT IN ({marks(1 + len(also))})",
        (doc.id, doc.version, start, end, unit, *also)).fetchone()
    if other is not None:
        raise StcError("E442", unit=f"U{unit}", other=f"U{other[0]}")


def _move(b: Batch, unit: _Unit, doc: DocText, start: int, end: int, allow: bool) -> None:
    """Record the unit's new boundaries (`unit.edit`)."""
    was = Places(b.conn).ref(unit.doc, unit.version, unit.start, unit.end).partition(":")[2]
    b.record("unit.edit", {"id": unit.id, **place_fields(b.conn, doc, start, end), "was": was,
                           "interviewer": allow and doc.interviewer_only(start, end)})


def _keep_quotation(b: Batch, unit: _Unit, text: str) -> list[str]:
    """A quotation that no longer lies in the unit's new text is cleared, saying so."""
    quote = get_text(b.conn, unit.nugget)
    if unit.nugget is None or (quote is not None and quote_is_verbatim(text, quote)):
        return []
    b.record("unit.set", {"id": unit.id, "nugget": None})
    return [f"the illustrative quotation of {unit.ref} is no longer in its text, so it was"
            f" cleared; mark it again: {shell('stc', 'nugget', unit.ref, '--quote', 'TEXT')}"]


def delete_unit(project: Project, ref: str, why: str) -> Correction:
    """Delete a meaning unit, with the reason. Its number is never given again; the
    condensates that rested on it are named for review (and by `stc check`)."""
    if not why or not why.strip():
        raise StcError("E436")
    with project.batch(why) as b:
        unit = _unit(b, ref)
        segments = Places(b.conn).ref(unit.doc, unit.version, unit.start, unit.end)
        b.record("unit.delete", {"id": unit.id, "doc": unit.doc,
                                 "segments": segments.partition(":")[2]})
        return Correction([unit.id], review_lines(b.conn, [unit.id]), [])


def uncode(project: Project, ref: str, codes: list[str], why: str | None = None) -> Correction:
    """Take codes off a unit. A unit keeps at least one code (delete it otherwise); one that
    so leaves a code group leaves its subgroup there."""
    with project.batch(why) as b:
        unit = _unit(b, ref)
        have = {c.id: c for c in _codes_of(b.conn, unit.id)}
        remove: dict[int, Named] = {}
        for name in codes:
            code = get(b.conn, "code", name)
            if code.id not in have:
                raise StcError("E434", unit=unit.ref, name=code.name,
                               codes=", ".join(c.name for c in have.values()))
            remove[code.id] = code
        if len(remove) == len(have):
            raise StcError("E435", unit=unit.ref)
        b.record("unit.codes", {"id": unit.id, "add": [], "add_names": [],
                                "remove": list(remove),
                                "remove_names": [c.name for c in remove.values()]})
        return Correction([unit.id], release_units(b, [unit.id]), [])


def note_unit(project: Project, ref: str, text: str | None, why: str | None = None) -> Correction:
    """Write (or, with no text, clear) the note on a unit."""
    with project.batch(why) as b:
        unit = _unit(b, ref)
        body = (text or "").strip()
        b.record("unit.set", {"id": unit.id, "note": b.text(body, doc_owner(unit.doc))
                                                     if body else None})
        return Correction([unit.id], [], [])


def edit_unit(project: Project, ref: str, segments: str | None = None,
              quote: str | None = None, loose: bool = False, allow_interviewer: bool = False,
              why: str | None = None) -> Correction:
    """Move a unit's boundaries: to the segments N-M, to the exact quoted stretch, or to the
    quote inside those segments. A quote without segments is looked for in the unit's own
    segments first, then in the whole transcript (where it must occur once). A unit still on
    an earlier version of its transcript is moved onto the current one this way."""
    if segments is None and quote is None:
        raise StcError("E445", unit=ref)
    with project.batch(why) as b:
        unit = _unit(b, ref)
        doc = load_doc(b.conn, unit.doc)
        start, end = _new_place(b.conn, unit, doc, segments, quote, loose)
        return _move_to(b, unit, doc, start, end, allow_interviewer)


def move_unit(project: Project, ref: str, start: int, end: int,
              allow_interviewer: bool = False, snap: bool = False,
              based_on: int | None = None, why: str | None = None) -> Correction:
    """Move a unit's boundaries to exact offsets in its transcript's text (a selection in
    the workbench), by the rules of `stc unit edit` and of `code_span` for the offsets
    (`snap`, `based_on`)."""
    with project.batch(why) as b:
        unit = _unit(b, ref)
        _offsets_hold(b, unit.doc, based_on)
        doc = load_doc(b.conn, unit.doc)
        return _move_to(b, unit, doc, *doc.selected(start, end, snap), allow_interviewer)


def _move_to(b: Batch, unit: _Unit, doc: DocText, start: int, end: int,
             allow_interviewer: bool) -> Correction:
    allow = allow_interviewer or unit.interviewer
    warnings = check_speech(doc, start, end, allow)
    if (unit.version, unit.start, unit.end) == (doc.version, start, end):
        return Correction([unit.id], [f"{unit.ref} lies there already; nothing changed"],
                          warnings)
    _refuse_same_stretch(b, doc, start, end, unit.id)
    _move(b, unit, doc, start, end, allow)
    said = _keep_quotation(b, unit, doc.spoken(start, end))
    return Correction([unit.id], said + review_lines(b.conn, [unit.id]), warnings)


def _new_place(conn: sqlite3.Connection, unit: _Unit, doc: DocText, segments: str | None,
               quote: str | None, loose: bool) -> tuple[int, int]:
    if segments is not None:
        first, last = _segment_range(conn, doc, segments)
        return locate(doc, first, last, quote, loose=loose)
    assert quote is not None
    if unit.version == doc.version:
        first, last = doc.covering(unit.start, unit.end)
        try:
            return locate(doc, first, last, quote, loose=loose)
        except StcError as exc:
            if exc.code != "E404":
                raise
    return locate(doc, None, None, quote, loose=loose)


def _segment_range(conn: sqlite3.Connection, doc: DocText, segments: str) -> tuple[int, int]:
    """`N`, `N-M` or `DOC:N-M` (of the unit's own transcript) as segment numbers."""
    text = segments.strip()
    head, sep, rest = text.partition(":")
    if sep and naming.key(head) != naming.key(doc.id):
        raise StcError("E444", segments=segments, doc=doc.id)
    numbers = rest if sep else text
    if not numbers.replace("-", "", 1).isdigit():
        raise StcError("E444", segments=segments, doc=doc.id)
    rng = check_segment_range(conn, f"{doc.id}:{numbers}")
    assert rng.first is not None and rng.last is not None
    return rng.first, rng.last


def split_unit(project: Project, ref: str, at: str, loose: bool = False,
               why: str | None = None) -> Correction:
    """Split a unit where the words `at` begin: the unit keeps the first part (and its note),
    the second part becomes a new unit with a new number, the same codes and the same place
    in step 3. The illustrative quotation goes with the part that holds it."""
    with project.batch(why) as b:
        unit = _unit(b, ref)
        doc = _current(b, unit)
        found = [(s, e) for s, e in doc.haystack(loose).find(at, unit.start, unit.end)
                 if s == 0 or not doc.text[s - 1].isalnum()]  # where a word begins
        if not found:
            raise StcError("E437", what=at, unit=unit.ref)
        if len(found) > 1:
            raise StcError("E438", what=at, count=f"{len(found)} times", unit=unit.ref)
        cut = found[0][0]
        first, second = doc.speech(unit.start, cut), doc.speech(cut, unit.end)
        if first is None or second is None:
            raise StcError("E439", unit=unit.ref, part="the first" if first is None
                           else "the second")
        warnings = [*check_speech(doc, *first, unit.interviewer),
                    *check_speech(doc, *second, unit.interviewer)]
        _move(b, unit, doc, *first, unit.interviewer)
        new = _second_part(b, unit, doc, *second)
        said = _split_quotation(b, unit, new, doc.spoken(*first), doc.spoken(*second))
        return Correction([unit.id, new], said + review_lines(b.conn, [unit.id]), warnings)


def _second_part(b: Batch, unit: _Unit, doc: DocText, start: int, end: int) -> int:
    sub = None
    if unit.subgroup is not None:
        sub = Named("subgroup", unit.subgroup, "")
    new = record_unit(b, doc, start, end, _codes_of(b.conn, unit.id), subgroup=sub,
                      interviewer=unit.interviewer and doc.interviewer_only(start, end),
                      split_from=unit.id)
    if unit.aside:
        b.record("unit.set", {"id": new, "aside": unit.aside})
    return new


def _split_quotation(b: Batch, unit: _Unit, new: int, first: str, second: str) -> list[str]:
    quote = get_text(b.conn, unit.nugget)
    if unit.nugget is None or quote is None or quote_is_verbatim(first, quote):
        return []
    b.record("unit.set", {"id": unit.id, "nugget": None})
    if quote_is_verbatim(second, quote):
        b.record("unit.set", {"id": new, "nugget": unit.nugget})
        return [f"the illustrative quotation of {unit.ref} lies in the second part: it is now"
                f" U{new}'s"]
    return [f"the illustrative quotation of {unit.ref} ran across the split, so it was"
            f" cleared; mark it again: {shell('stc', 'nugget', unit.ref, '--quote', 'TEXT')}"]


def join_units(project: Project, first_ref: str, second_ref: str, why: str | None = None
               ) -> Correction:
    """Join two units of one transcript: the first keeps its number and now runs from the
    start of the earlier to the end of the later (with what lies between), gains the codes
    and the note of the second, and the second is deleted. Where both were placed in step 3
    or both have a quotation, the first's stay, saying so."""
    with project.batch(why) as b:
        first, second = _unit(b, first_ref), _unit(b, second_ref)
        if first.id == second.id:
            raise StcError("E441", unit=first.ref)
        if first.doc != second.doc:
            raise StcError("E440", first=first.ref, second=second.ref,
                           docs=f"{first.doc}, {second.doc}")
        doc = _current(b, first)
        _current(b, second)
        start, end = min(first.start, second.start), max(first.end, second.end)
        allow = first.interviewer or second.interviewer
        warnings = check_speech(doc, start, end, allow)
        _refuse_same_stretch(b, doc, start, end, first.id, second.id)
        _move(b, first, doc, start, end, allow)
        _add_codes(b, first.id, _codes_of(b.conn, second.id))
        said = _take_over(b, first, second)
        b.record("unit.delete", {"id": second.id, "doc": second.doc,
                                 "segments": doc.ref(second.start, second.end).partition(":")[2],
                                 "joined_into": first.id})
        return Correction([first.id], said + review_lines(b.conn, [first.id, second.id]),
                          warnings)


def _take_over(b: Batch, first: _Unit, second: _Unit) -> list[str]:
    """What the first of two joined units takes over from the second: its note (appended),
    its place in step 3 and its quotation where the first has none."""
    fields: dict[str, Any] = {}
    said: list[str] = []
    notes = [n for n in (get_text(b.conn, first.note), get_text(b.conn, second.note)) if n]
    if second.note is not None and notes:
        fields["note"] = b.text("\n\n".join(notes), doc_owner(first.doc))
    if first.subgroup is None and first.aside is None:
        if second.subgroup is not None or second.aside is not None:
            fields.update(subgroup_id=second.subgroup, aside=second.aside)
    elif (second.subgroup, second.aside) not in ((None, None), (first.subgroup, first.aside)):
        said.append(f"{second.ref} was placed elsewhere in step 3; {first.ref} stays where it"
                    " was")
    if first.nugget is None and second.nugget is not None:
        fields["nugget"] = second.nugget
    elif first.nugget is not None and second.nugget is not None:
        said.append(f"{second.ref}'s illustrative quotation was dropped; {first.ref} keeps"
                    " its own")
    if fields:
        b.record("unit.set", {"id": first.id, **fields})
    return said


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
    text: str  # the speech in it, labels left out
    nugget: bool
    note: str | None
    aside: str | None
    review: str | None
    speakers: list[str]  # the labels of the speakers in it
    context: str  # the question before it
    interviewer: bool  # the interviewer's words alone, coded on purpose

    @property
    def ref(self) -> str:
        return f"U{self.id}"

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.ref, **self._asdict()}


def list_units(conn: sqlite3.Connection, code: str | None = None, group: str | None = None,
               doc: str | None = None, review: bool = False, subgroup: str | None = None,
               units: list[int] | None = None, places: Places | None = None
               ) -> list[UnitView]:
    """The meaning units, or those with `code`, in `group`, ... or numbered in `units`
    (`places`: the transcripts loaded already, if the caller has them)."""
    where, args = _unit_filters(conn, code, group, doc, review)
    if subgroup:
        where += (" AND " if where else " WHERE ") + "u.subgroup_id = ?"
        args.append(get(conn, "subgroup", subgroup).id)
    if units is not None:
        where += (" AND " if where else " WHERE ") + f"u.id IN ({marks(len(units))})"
        args += units
    rows = conn.execute(
        "SELECT u.id, u.doc, u.version, u.start, u.end, u.text, u.subgroup_id, u.nugget,"
        " u.note, u.aside, u.review, u.interviewer FROM units u" + where + " ORDER BY u.id",
        args).fetchall()
    codes: dict[int, list[tuple[str, str | None]]] = {}
    for unit, name, group_name in conn.execute(
            "SELECT uc.unit, c.name, g.name FROM unit_codes uc JOIN codes c ON c.id = uc.code"
            " LEFT JOIN code_groups g ON g.id = c.group_id ORDER BY c.name"):
        codes.setdefault(unit, []).append((name, group_name))
    subgroups = dict(conn.execute("SELECT id, name FROM subgroups").fetchall())
    who = participants_by_unit(conn, units=units)
    people = participant_names(conn)
    places = places or Places(conn)
    out = []
    for r in rows:
        unit_codes = codes.get(r[0], [])
        groups = sorted({g for _, g in unit_codes if g})
        here = places.doc(r[1])
        current = here.version == r[2]
        out.append(UnitView(
            r[0], r[1], places.ref(r[1], r[2], r[3], r[4]),
            ", ".join(people.get(p, f"P{p}") for p in who.get(r[0], [])),
            [c for c, _ in unit_codes], groups, subgroups.get(r[6]),
            places.unit_text(r[1], r[2], r[3], r[4], r[5]), r[7] is not None,
            get_text(conn, r[8]), r[9], r[10], here.labels(r[3], r[4]) if current else [],
            places.context(r[1], r[2], r[3], r[4]), bool(r[11])))
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
    definition: str | None = None


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
    for code_id, name, group_id, definition in conn.execute(
            "SELECT id, name, group_id, definition FROM codes ORDER BY name COLLATE NOCASE"):
        units = by_code.get(code_id, set())
        if group_id not in nodes:
            nodes[group_id] = GroupNode(None, 0, 0)
            group_units[group_id] = set()
        nodes[group_id].codes.append(
            CodeCount(name, len(units), _people(who, units),
                      get_text(conn, definition)))
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
