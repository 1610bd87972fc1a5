"""Changes made while analysing: themes, codes, code groups, subgroups, meaning units, memos.

Payloads name objects by their numeric id (stable across renames) and also carry the names, so
the trail reads well on its own.
"""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.lookup import TABLES
from stc.phrases import Name, Said, Word, said

# the table behind each kind of named object


def _next_position(conn: sqlite3.Connection, table: str, where: str = "", *args: object) -> int:
    row = conn.execute(f"SELECT COALESCE(MAX(position), 0) + 1 FROM {table} {where}", args)
    return int(row.fetchone()[0])


@change_kind("theme.add", lambda p: said("theme.add", name=p["name"]), refs=lambda p: [p["name"]],
             objects=lambda p: keys("theme", p["id"]), creates=True)
def _theme_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute("INSERT INTO themes VALUES (?, ?, ?)",
                 (p["id"], p["name"], _next_position(conn, "themes")))


@change_kind("group.add", lambda p: said("group.add", name=p["name"]), refs=lambda p: [p["name"]],
             objects=lambda p: keys("group", p["id"]),
             uses=lambda p: keys("theme", p.get("from_theme")), creates=True)
def _group_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute(
        "INSERT INTO code_groups (id, name, position, from_theme) VALUES (?, ?, ?, ?)",
        (p["id"], p["name"], _next_position(conn, "code_groups"), p.get("from_theme")),
    )


@change_kind("code.add", lambda p: said("code.add", name=p["name"]), refs=lambda p: [p["name"]],
             objects=lambda p: keys("code", p["id"]), uses=lambda p: keys("group", p.get("group")),
             creates=True)
def _code_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute("INSERT INTO codes VALUES (?, ?, ?, ?)",
                 (p["id"], p["name"], p.get("group"), p.get("definition")))


@change_kind("code.define",
             lambda p: said("code.define", "written" if p.get("definition") else "cleared",
                            name=p["name"]),
             refs=lambda p: [p["name"]], objects=lambda p: keys("code", p["id"]))
def _code_define(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """What the code means, for the codebook: a hash into the text store, or None."""
    conn.execute("UPDATE codes SET definition = ? WHERE id = ?", (p.get("definition"), p["id"]))


@change_kind(
    "subgroup.add",
    lambda p: said("subgroup.add", name=p["name"], group=p["group_name"]),
    refs=lambda p: [p["name"], p["group_name"]],
    objects=lambda p: keys("subgroup", p["id"]),
    uses=lambda p: keys("group", p["group"]),
    creates=True,
)
def _subgroup_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    position = _next_position(conn, "subgroups", "WHERE group_id = ?", p["group"])
    conn.execute(
        "INSERT INTO subgroups (id, group_id, name, position) VALUES (?, ?, ?, ?)",
        (p["id"], p["group"], p["name"], position),
    )


@change_kind(
    "code.group",
    lambda p: said("code.group", "into" if p["group_name"] is not None else "out",
                   codes=p["code_names"], group=p["group_name"]),
    refs=lambda p: [*p["code_names"], p["group_name"] or ""],
    objects=lambda p: keys("code", *p["codes"]),
    uses=lambda p: keys("group", p["group"]),
)
def _code_group(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.executemany("UPDATE codes SET group_id = ? WHERE id = ?",
                     [(p["group"], c) for c in p["codes"]])


@change_kind(
    "rename",
    lambda p: said("rename", kind=Word(p["kind"]), old=p["old"], new=p["new"]),
    refs=lambda p: [p["old"], p["new"]],
    objects=lambda p: keys(p["kind"], p["id"]),
)
def _rename(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute(f"UPDATE {TABLES[p['kind']]} SET name = ? WHERE id = ?", (p["new"], p["id"]))
    _memo_refs(conn, p["kind"], p["id"])


def _drop_code(conn: sqlite3.Connection, code_id: int) -> None:
    conn.execute("DELETE FROM unit_codes WHERE code = ?", (code_id,))
    conn.execute("DELETE FROM codes WHERE id = ?", (code_id,))


def _drop_subgroup(conn: sqlite3.Connection, subgroup_id: int) -> None:
    conn.execute("UPDATE units SET subgroup_id = NULL WHERE subgroup_id = ?", (subgroup_id,))
    conn.execute("DELETE FROM subgroups WHERE id = ?", (subgroup_id,))


def _drop_group(conn: sqlite3.Connection, group_id: int) -> None:
    conn.execute("UPDATE codes SET group_id = NULL WHERE group_id = ?", (group_id,))
    for (sub,) in conn.execute("SELECT id FROM subgroups WHERE group_id = ?", (group_id,)):
        _drop_subgroup(conn, sub)
    conn.execute("DELETE FROM code_groups WHERE id = ?", (group_id,))


@change_kind("drop", lambda p: said("drop", kind=Word(p["kind"]), name=p["name"]),
             refs=lambda p: [p["name"]], objects=lambda p: keys(p["kind"], p["id"]))
def _drop(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    kind, ident = p["kind"], p["id"]
    if kind == "code":
        _drop_code(conn, ident)
    elif kind == "group":
        _drop_group(conn, ident)
    elif kind == "subgroup":
        _drop_subgroup(conn, ident)
    else:
        conn.execute("DELETE FROM themes WHERE id = ?", (ident,))


def _merge_into(conn: sqlite3.Connection, kind: str, source: int, target: int) -> None:
    if kind == "code":
        conn.execute("UPDATE OR IGNORE unit_codes SET code = ? WHERE code = ?", (target, source))
        _drop_code(conn, source)
    elif kind == "group":
        conn.execute("UPDATE codes SET group_id = ? WHERE group_id = ?", (target, source))
        conn.execute("UPDATE subgroups SET group_id = ? WHERE group_id = ?", (target, source))
        conn.execute("DELETE FROM code_groups WHERE id = ?", (source,))
    elif kind == "subgroup":
        conn.execute("UPDATE units SET subgroup_id = ? WHERE subgroup_id = ?", (target, source))
        conn.execute("DELETE FROM subgroups WHERE id = ?", (source,))
    else:
        conn.execute("DELETE FROM themes WHERE id = ?", (source,))


@change_kind(
    "merge",
    lambda p: said("merge", kinds=Word(f"{p['kind']}s"), names=[Name(n) for n in p["names"]],
                   into=p["into_name"]),
    refs=lambda p: [*p["names"], p["into_name"]],
    objects=lambda p: keys(p["kind"], *p["ids"], p["into"]),
)
def _merge(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: kind, ids/names merged, into/into_name. A new target is created by an
    `*.add` change recorded before this one."""
    for source in p["ids"]:
        if source != p["into"]:
            _merge_into(conn, p["kind"], source, p["into"])
            for table in ("memos", "comments"):
                conn.execute(f"UPDATE {table} SET on_key = ? WHERE on_key = ?",
                             (f"{p['kind']}:{p['into']}", f"{p['kind']}:{source}"))
    _memo_refs(conn, p["kind"], p["into"])


@change_kind(
    "order",
    lambda p: said("order", order=Word(f"{p['kind']} order"), names=p["names"]),
    refs=lambda p: list(p["names"]),
    objects=lambda p: keys(p["kind"], *p["ids"]),
)
def _order(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    table = TABLES[p["kind"]]
    conn.executemany(f"UPDATE {table} SET position = ? WHERE id = ?",
                     [(i, ident) for i, ident in enumerate(p["ids"], start=1)])


@change_kind(
    "text.set",
    lambda p: said("text.set", "set" if p["value"] else "cleared", field=Word(p["field"]),
                   kind=Word(p["kind"]), name=p["name"]),
    refs=lambda p: [p["name"]],
    objects=lambda p: keys(p["kind"], p["id"]),
)
def _text_set(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """heading (plain), condensate or description (hashes in `texts`) of a group or subgroup."""
    if p["field"] not in ("heading", "condensate", "description"):
        raise ValueError(p["field"])
    conn.execute(f"UPDATE {TABLES[p['kind']]} SET {p['field']} = ? WHERE id = ?",
                 (p["value"], p["id"]))


def unit_ref(unit_id: int) -> str:
    return f"U{unit_id}"


def ref_keys(ref: str | None) -> list[str]:
    """The object a memo reference stands for, where its text tells: U7 → unit:7,
    DOC and DOC:N-M → doc:DOC. References by name (`code:NAME`) name no id."""
    if not ref:
        return []
    if ref[:1] in "Uu" and ref[1:].isdigit():
        return keys("unit", int(ref[1:]))
    head, _, _ = ref.partition(":")
    return [] if head in ("theme", "code", "group", "subgroup") else keys("doc", head)


def _unit_add_summary(p: Payload) -> Said:
    placed = [*([said("unit.add", "split", unit=f"U{p['split_from']}")]
                if p.get("split_from") else []),
              *([said("unit.add", "subgroup")] if p.get("subgroup_id") else []),
              *([said("unit.add", "nugget")] if p.get("nugget") else []),
              *([said("unit.add", "interviewer")] if p.get("interviewer") else []),
              *([said("unit.add", "turns", n=len(p["turns"]))]
                if len(p.get("turns", [])) > 1 else [])]
    return said("unit.add", "coded", unit=f"U{p['id']}", place=f"{p['doc']}:{p['segments']}",
                codes=p["code_names"],
                placed=said("unit.add", "placed", how=placed) if placed else "")


@change_kind(
    "unit.add",
    _unit_add_summary,
    refs=lambda p: [unit_ref(p["id"]), p["doc"], *p["code_names"]],
    objects=lambda p: keys("unit", p["id"]),
    uses=lambda p: [*keys("doc", p["doc"]), *keys("code", *p["codes"]),
                    *keys("subgroup", p.get("subgroup_id"))],
    creates=True,
)
def _unit_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """A new unit; a coding matrix or a split may also place it in a subgroup and mark it a
    nugget. `turns` (the turns it crosses) and `split_from` are for the trail's reader."""
    conn.execute(
        "INSERT INTO units (id, doc, version, start, end, text, before, after, note,"
        " subgroup_id, nugget, interviewer) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (p["id"], p["doc"], p["version"], p["start"], p["end"], p["text"], p["before"],
         p["after"], p.get("note"), p.get("subgroup_id"), p.get("nugget"),
         1 if p.get("interviewer") else None),
    )
    for code in p["codes"]:  # mostly one: execute costs less than executemany
        conn.execute("INSERT INTO unit_codes VALUES (?, ?)", (p["id"], code))


@change_kind(
    "unit.codes",
    lambda p: said("unit.codes", unit=f"U{p['id']}",
                   codes=" ".join([*(f"+{n}" for n in p.get("add_names", [])),
                                   *(f"-{n}" for n in p.get("remove_names", []))])),
    refs=lambda p: [unit_ref(p["id"]), *p.get("add_names", []), *p.get("remove_names", [])],
    objects=lambda p: keys("unit", p["id"]),
    uses=lambda p: keys("code", *p.get("add", []), *p.get("remove", [])),
)
def _unit_codes(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    # an executemany of nothing still costs a statement; replaying long trails notices
    if p.get("add"):
        conn.executemany("INSERT OR IGNORE INTO unit_codes VALUES (?, ?)",
                         [(p["id"], c) for c in p["add"]])
    if p.get("remove"):
        conn.executemany("DELETE FROM unit_codes WHERE unit = ? AND code = ?",
                         [(p["id"], c) for c in p["remove"]])


def _unit_delete_summary(p: Payload) -> Said:
    where = said("unit.delete", "where", place=f"{p['doc']}:{p['segments']}") \
        if p.get("segments") else ""
    joined = said("unit.delete", "joined", unit=f"U{p['joined_into']}") \
        if p.get("joined_into") else ""
    return said("unit.delete", "deleted", unit=f"U{p['id']}", where=where, joined=joined)


@change_kind("unit.delete", _unit_delete_summary,
             refs=lambda p: [unit_ref(p["id"]), p.get("doc") or ""],
             objects=lambda p: keys("unit", p["id"]),
             uses=lambda p: keys("unit", p.get("joined_into")))
def _unit_delete(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: id, and for the trail's reader doc, segments, and joined_into (the unit of
    `stc unit join` that took its place). The links of condensates written on it stay: they
    tell what a condensate rested on, and `stc check` names it."""
    conn.execute("DELETE FROM unit_codes WHERE unit = ?", (p["id"],))
    conn.execute("DELETE FROM units WHERE id = ?", (p["id"],))


@change_kind(
    "unit.edit",
    lambda p: said("unit.edit", unit=f"U{p['id']}", was=f"{p['doc']}:{p['was']}",
                   now=f"{p['doc']}:{p['segments']}"),
    refs=lambda p: [unit_ref(p["id"]), p["doc"]],
    objects=lambda p: keys("unit", p["id"]),
    uses=lambda p: keys("doc", p["doc"]),
)
def _unit_edit(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """New boundaries of a unit, on the current version of its transcript: place, text (a
    hash), the context kept around it; `was` is the old place, for the trail's reader. A unit
    that needed review after a re-import no longer does."""
    conn.execute(
        "UPDATE units SET version = ?, start = ?, end = ?, text = ?, before = ?, after = ?,"
        " review = NULL, interviewer = ? WHERE id = ?",
        (p["version"], p["start"], p["end"], p["text"], p["before"], p["after"],
         1 if p.get("interviewer") else None, p["id"]))


def _unit_set_summary(p: Payload) -> Said:
    unit = f"U{p['id']}"
    fields = sorted(k for k in p if k not in ("id", "subgroup_name"))
    placing = set(fields) <= {"aside", "subgroup_id"}  # a sort or a set-aside
    if placing and p.get("aside"):
        return said("unit.set", "aside", unit=unit, why=p["aside"])
    if placing and p.get("subgroup_id") is not None:
        return said("unit.set", "sorted", unit=unit,
                    subgroup=p.get("subgroup_name") or f"#{p['subgroup_id']}")
    return said("unit.set", "fields", unit=unit, fields=[
        said("unit.set", "cleared" if p[k] is None else "set", field=Word(k)) for k in fields])


@change_kind(
    "unit.set",
    _unit_set_summary,
    refs=lambda p: [unit_ref(p["id"])],
    objects=lambda p: keys("unit", p["id"]),
    uses=lambda p: keys("subgroup", p.get("subgroup_id")),
)
def _unit_set(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Any of: subgroup_id, aside, nugget, translation, note, review, and the place fields
    after a re-import (version, start, end). Hashes for transcript-derived text."""
    allowed = ("subgroup_id", "aside", "nugget", "translation", "note", "review", "version",
               "start", "end", "text", "before", "after")
    for field, value in p.items():
        if field in ("id", "subgroup_name"):  # the name only tells the trail's reader
            continue
        if field not in allowed:
            raise ValueError(field)
        conn.execute(f"UPDATE units SET {field} = ? WHERE id = ?", (value, p["id"]))


# the kinds of memo; a validation memo records that a category was checked against the
# transcripts (step 4)
MEMO_KINDS = ("preunderstanding", "impression", "note", "validation")


@change_kind(
    "memo.add",
    lambda p: said("memo.add", "memo", kind=Word(p["kind"]), memo=f"M{p['id']}",
                   on=said("memo.add", "on", ref=p["ref"]) if p.get("ref") else ""),
    refs=lambda p: [f"M{p['id']}", p.get("ref") or ""],
    objects=lambda p: keys("memo", p["id"]),
    uses=lambda p: [p["on"]] if p.get("on") else ref_keys(p.get("ref")),
    creates=True,
)
def _memo_add(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    conn.execute("INSERT INTO memos VALUES (?, ?, ?, ?, ?, ?)",
                 (p["id"], p["kind"], p.get("ref"), p["body"], seq, p.get("on")))


def _memo_refs(conn: sqlite3.Connection, kind: str, ident: int) -> None:
    """Memos on a renamed theme, code, group or subgroup (or on a renamed group's subgroups)
    show the name it bears now."""
    if kind == "subgroup":
        conn.execute("UPDATE memos SET ref = (SELECT 'subgroup:' || g.name || '/' || s.name FROM"
                     " subgroups s JOIN code_groups g ON g.id = s.group_id WHERE s.id = ?)"
                     " WHERE on_key = ?", (ident, f"subgroup:{ident}"))
        return
    conn.execute(f"UPDATE memos SET ref = ? || (SELECT name FROM {TABLES[kind]} WHERE id = ?)"
                 " WHERE on_key = ?", (f"{kind}:", ident, f"{kind}:{ident}"))
    if kind == "group":
        for (sub,) in conn.execute("SELECT id FROM subgroups WHERE group_id = ?", (ident,)):
            _memo_refs(conn, "subgroup", sub)
