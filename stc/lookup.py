"""Finding the named objects of an analysis, and any reference a memo can be on.

Themes, codes, code groups and subgroups are named as people read them, unique in their kind: a
name is found whatever its case and however its accents were typed (`stc.naming.key`, compared
by `naming.matching` and `naming.by_name` for every resolver). A subgroup is unique within its
code group and written `GROUP/SUBGROUP` (or by its name alone when only one group holds it).
Every command finds them here, with one set of error codes.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from stc.errors import StcError
from stc.naming import by_name, checked, matching
from stc.refs import UNIT_REF, check_segment_range, number

KINDS = ("theme", "code", "group", "subgroup")
TABLES = {"theme": "themes", "code": "codes", "group": "code_groups", "subgroup": "subgroups"}
LISTING = {"theme": "stc themes", "code": "stc codes", "group": "stc codes",
           "subgroup": "stc codes"}


class Named(NamedTuple):
    """A theme, code, code group or subgroup, found by name or number."""

    kind: str
    id: int
    name: str
    group_id: int | None = None  # a code's group, or a subgroup's
    group_name: str | None = None

    @property
    def ref(self) -> str:
        """How a user writes it: the name, or GROUP/SUBGROUP."""
        return f"{self.group_name}/{self.name}" if self.kind == "subgroup" else self.name


def check_kind(kind: str) -> str:
    if kind.lower() not in KINDS:
        raise StcError("E420", kind=kind)
    return kind.lower()


PLAIN_NAMES = ("theme", "group", "subgroup")  # names that `GROUP/SUBGROUP` may be built from


def check_plain_name(kind: str, name: str) -> None:
    """Refuse a '/' in the name of a theme (which may become a code group), a code group or a
    subgroup: it would be read as GROUP/SUBGROUP. Codes are never written so, and may hold it."""
    if kind in PLAIN_NAMES and "/" in name:
        suggestion = "-".join(part.strip() for part in name.split("/"))
        label = "code group" if kind == "group" else kind
        raise StcError("E430", kind=label, name=name, suggestion=suggestion)


_SELECT = {
    "theme": ("SELECT id, name FROM themes", "name"),
    "group": ("SELECT id, name FROM code_groups", "name"),
    "code": ("SELECT c.id, c.name, c.group_id, g.name FROM codes c"
             " LEFT JOIN code_groups g ON g.id = c.group_id", "c.name"),
}


def _simple(conn: sqlite3.Connection, kind: str, name: str) -> Named | None:
    select, column = _SELECT[kind]
    row = by_name(conn, select, column, name)
    return None if row is None else Named(kind, *row)


def new_name(kind: str, name: str) -> str:
    """A theme's, code's, code group's or subgroup's name as it is stored: a name people can
    read and every file can hold (`naming.checked`), without the '/' of GROUP/SUBGROUP where
    that would be read so."""
    name = checked("code group" if kind == "group" else kind, name)
    check_plain_name(kind, name)
    return name


def _splits(ref: str) -> list[tuple[str, str]]:
    """Every way to read GROUP/SUBGROUP: names may hold '/' themselves."""
    return [(ref[:i].strip(), ref[i + 1:].strip()) for i, char in enumerate(ref)
            if char == "/" and ref[:i].strip() and ref[i + 1:].strip()]


def split_subgroup(conn: sqlite3.Connection, ref: str) -> tuple[Named, str] | None:
    """GROUP/SUBGROUP -> (the group, the subgroup name), for a subgroup that may not exist yet:
    the first split whose GROUP is a code group."""
    for group_name, sub in _splits(ref):
        group = _simple(conn, "group", group_name)
        if group is not None:
            return group, sub
    return None


def _subgroup(conn: sqlite3.Connection, ref: str) -> Named | None:
    """GROUP/SUBGROUP, or a subgroup name that only one code group holds (E503 if more)."""
    for group_name, sub in _splits(ref):
        group = _simple(conn, "group", group_name)
        if group is None:
            continue
        row = by_name(conn, "SELECT id, name FROM subgroups", "name", sub, "group_id = ?",
                      (group.id,))
        if row:
            return Named("subgroup", row[0], row[1], group.id, group.name)
    rows = sorted(matching(conn, "SELECT s.id, s.name, g.id, g.name FROM subgroups s"
                           " JOIN code_groups g ON g.id = s.group_id", ref), key=lambda r: r[3])
    if len({r[2] for r in rows}) > 1:
        raise StcError("E503", name=ref, groups=", ".join(dict.fromkeys(r[3] for r in rows)))
    return Named("subgroup", *rows[0]) if rows else None


def find(conn: sqlite3.Connection, kind: str, name: str) -> Named | None:
    """The theme, code, group or subgroup of that name, or None. A subgroup is written
    GROUP/SUBGROUP, or by its name alone when only one code group holds one of that name."""
    name = name.strip()
    return _subgroup(conn, name) if kind == "subgroup" else _simple(conn, kind, name)


def _hint(kinds: tuple[str, ...]) -> str:
    listing = dict.fromkeys(LISTING[k] for k in kinds)
    return ("write GROUP/SUBGROUP; " if "subgroup" in kinds else "") + \
        " or ".join(f"`{command}`" for command in listing) + " lists them"


def get(conn: sqlite3.Connection, kind: str, name: str) -> Named:
    found = find(conn, kind, name)
    if found is None:
        raise StcError("E401", kind=kind, name=name, hint=_hint((kind,)))
    return found


def get_group_or_subgroup(conn: sqlite3.Connection, ref: str) -> Named:
    """What a condensate or an analytic text belongs to: GROUP/SUBGROUP, GROUP, or a subgroup
    name that only one code group holds."""
    ref = ref.strip()
    found = (_subgroup(conn, ref) if "/" in ref else None) or _simple(conn, "group", ref) \
        or _subgroup(conn, ref)
    if found is None:
        raise StcError("E401", kind="group or subgroup", name=ref,
                       hint=_hint(("group", "subgroup")))
    return found


def unit_id(conn: sqlite3.Connection, ref: str) -> int:
    """The number of a meaning unit written U7."""
    m = UNIT_REF.fullmatch(ref.strip())
    if m is None:
        raise StcError("E505", ref=ref)
    unit = number(m.group("n"), ref, "meaning unit")
    if conn.execute("SELECT 1 FROM units WHERE id = ?", (unit,)).fetchone() is None:
        raise StcError("E506", ref=f"U{unit}")
    return unit


def resolve_ref(conn: sqlite3.Connection, ref: str) -> str:
    """The canonical form of anything a memo can be on: DOC, DOC:N[-M], U7, or KIND:NAME for
    themes, codes, groups and subgroups (a bare name works when only one thing bears it)."""
    ref = ref.strip()
    kind, sep, rest = ref.partition(":")
    if sep and kind.lower() in KINDS:
        return f"{kind.lower()}:{get(conn, kind.lower(), rest).ref}"
    if UNIT_REF.fullmatch(ref):
        return f"U{unit_id(conn, ref)}"
    unknown: StcError | None = None
    try:
        return str(check_segment_range(conn, ref)) if ":" in ref else \
            str(check_segment_range(conn, ref).doc)
    except StcError as exc:
        if exc.code != "E202" and exc.code != "E203":
            raise
        # DOC:N of a document not there is that document's error, not "write DOC:N"
        unknown = exc if ":" in ref and exc.code == "E202" else None
    matches = [n for n in (find(conn, k, ref) for k in KINDS) if n is not None]
    if not matches:
        raise unknown or StcError("E410", ref=ref)
    if len(matches) > 1:
        raise StcError("E411", name=ref, kinds=", ".join(m.kind for m in matches),
                       example=f"{matches[0].kind}:{ref}")
    return f"{matches[0].kind}:{matches[0].ref}"


def object_of(conn: sqlite3.Connection, ref: str) -> Named | None:
    """The theme, code, group or subgroup a canonical reference (`code:NAME`) names, if any."""
    kind, sep, name = ref.partition(":")
    return find(conn, kind, name) if sep and kind in KINDS else None
