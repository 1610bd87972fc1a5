"""Taguette's codebook CSV, both ways.

Taguette imports codebooks only as CSV. Its importer takes the tag's name from the one column
headed `tag` (or `name`, or `path`), and reads `description` and `parent` when they are there;
its exporter writes `tag, parent, description, number of highlights`. stc writes those columns:
code groups as tags without a parent, their codes as tags with the group as parent, and the
number of meaning units in the last column. Reading, a CSV codebook becomes the same model as a
REFI-QDA codebook (`model.RefiFile`), so the same importer records it: tags that are parents
become code groups, the others codes.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
from pathlib import Path

from stc.errors import StcError
from stc.exchange.model import RefiCode, RefiFile
from stc.project import Project
from stc.sheet import check_header
from stc.texts import get_text
from stc.words import counted

NAME_COLUMNS = ("tag", "name", "path")
HEADER = ["tag", "parent", "description", "number of highlights"]
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "stc:taguette-codebook")


# -- reading ---------------------------------------------------------------------------------------

def _columns(path: Path, header: list[str]) -> tuple[int, int | None, int | None]:
    """The positions of the name, description and parent columns."""
    names = [c.strip().lower() for c in header]
    check_header(path, header)
    found = [c for c in NAME_COLUMNS if c in names]
    if len(found) != 1:
        raise StcError("E650", path=str(path), found=", ".join(header) or "nothing")
    description = names.index("description") if "description" in names else None
    parent = names.index("parent") if "parent" in names else None
    return names.index(found[0]), description, parent


def _rows(path: Path) -> list[tuple[str, str, str]]:
    """(tag, description, parent) per row; of rows repeating a tag and parent, the first."""
    from stc.formats import read_bytes
    from stc.formats.decode import decode

    text, _ = decode(read_bytes(path), path)
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise StcError("E651", path=str(path), row=0, detail=str(exc)) from None
    if not table:
        raise StcError("E650", path=str(path), found="nothing")
    name, description, parent = _columns(path, table[0])
    rows: dict[tuple[str, str], tuple[str, str, str]] = {}
    for number, row in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(index: int | None, row: list[str] = row) -> str:
            return " ".join(row[index].split()) if index is not None and index < len(row) else ""

        tag = cell(name)
        if not tag:
            raise StcError("E651", path=str(path), row=number, detail="the tag's name is empty")
        rows.setdefault((tag, cell(parent)), (tag, cell(description), cell(parent)))
    return list(rows.values())


def read_codebook_csv(path: Path) -> RefiFile:
    """The tags as a code tree. A tag names its parent by name; the parent is the row with that
    name (not the row itself: stc may name a code like its group), or a group of its own when
    no row has that name."""
    rows = _rows(path)
    nodes = [RefiCode(str(uuid.uuid5(_NAMESPACE, f"{tag}\0{parent}")), tag, True,
                      description or None) for tag, description, parent in rows]
    row_of: dict[str, int] = {}
    for index, (tag, _, parent) in enumerate(rows):
        if parent != tag:
            row_of.setdefault(tag, index)
    parent_of: dict[int, int] = {}
    top: list[RefiCode] = []
    groups: dict[str, RefiCode] = {}  # parents no row names
    for index, (_, _, parent) in enumerate(rows):
        if not parent:
            top.append(nodes[index])
        elif parent in row_of and row_of[parent] != index:
            parent_of[index] = row_of[parent]
        else:
            if parent not in groups:
                groups[parent] = RefiCode(str(uuid.uuid5(_NAMESPACE, f"{parent}\0")), parent,
                                          False)
                top.append(groups[parent])
            groups[parent].children.append(nodes[index])
    for index, holder in parent_of.items():
        if _in_loop(parent_of, index):  # a circle of parents: the tag stands on its own
            top.append(nodes[index])
        else:
            nodes[holder].children.append(nodes[index])
    refi = RefiFile("codebook", None, None)
    refi.codes = top
    _check_depth(path, top)
    return refi


def _check_depth(path: Path, top: list[RefiCode]) -> None:
    """Refuse (E148) tags whose parents nest deeper than a REFI-QDA file's may."""
    from stc.exchange.refi_read import MAX_DEPTH

    stack = [(code, 1) for code in top]
    while stack:
        code, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise StcError("E148", path=str(path), limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in code.children)


def _in_loop(parent_of: dict[int, int], index: int) -> bool:
    """Whether following the parents from `index` comes round to a row seen before."""
    seen: set[int] = set()
    while index in parent_of:
        if index in seen:
            return True
        seen.add(index)
        index = parent_of[index]
    return False


# -- writing -------------------------------------------------------------------------------------

def codebook_csv(project: Project) -> tuple[bytes, int, int, list[str]]:
    """The codebook as Taguette reads it; also the numbers of codes and groups written, and
    what was left out. A code group without codes is left out: it would read as a tag."""
    conn = project.conn
    units_of = dict(conn.execute("SELECT code, COUNT(*) FROM unit_codes GROUP BY code"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    groups = codes = 0
    for gid, gname in conn.execute(
            "SELECT id, name FROM code_groups g WHERE EXISTS (SELECT 1 FROM codes"
            " WHERE group_id = g.id) ORDER BY position, id"):
        (count,) = conn.execute(
            "SELECT COUNT(DISTINCT uc.unit) FROM unit_codes uc JOIN codes c ON c.id = uc.code"
            " WHERE c.group_id = ?", (gid,)).fetchone()
        writer.writerow([gname, "", "", count])
        groups += 1
        for cid, cname, definition in conn.execute(
                "SELECT id, name, definition FROM codes WHERE group_id = ? ORDER BY id", (gid,)):
            writer.writerow([cname, gname, _definition(conn, definition),
                             units_of.get(cid, 0)])
            codes += 1
    for cid, cname, definition in conn.execute(
            "SELECT id, name, definition FROM codes WHERE group_id IS NULL ORDER BY id"):
        writer.writerow([cname, "", _definition(conn, definition), units_of.get(cid, 0)])
        codes += 1
    (subgroups,) = conn.execute("SELECT COUNT(*) FROM subgroups").fetchone()
    (empty,) = conn.execute("SELECT COUNT(*) FROM code_groups g WHERE NOT EXISTS"
                            " (SELECT 1 FROM codes WHERE group_id = g.id)").fetchone()
    left_out = [f"{counted(subgroups, 'subgroup')} (Taguette's tags have none)"] if subgroups \
        else []
    left_out += [f"{counted(empty, 'code group')} without codes"] if empty else []
    return out.getvalue().encode("utf-8"), codes, groups, left_out


def _definition(conn: sqlite3.Connection, value: str | None) -> str:
    if not value:
        return ""
    body = get_text(conn, value)
    return body if body is not None else value
