"""A coded analysis of a given size, written straight through the library (for reports) or as
a coding matrix in the contract's .xlsx layout (for `stc matrix import`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GROUPS = 20
SUBGROUPS = 3          # per group
CODES = 10             # per group
THEMES = 6


@dataclass(frozen=True)
class Plan:
    """Which segment each unit takes and where it is coded and sorted."""

    doc: str
    n: int
    group: int
    subgroup: int
    codes: tuple[int, ...]
    nugget: bool
    note: bool


def plan(segments: list[tuple[str, int]], units: int) -> list[Plan]:
    stride = max(1, len(segments) // units)
    out = []
    for i in range(units):
        doc, n = segments[(i * stride) % len(segments)]
        group = i % GROUPS
        first = group * CODES + (i // GROUPS) % CODES
        second = group * CODES + (i // GROUPS + 3) % CODES
        out.append(Plan(doc, n, group, (i // GROUPS) % SUBGROUPS,
                        (first,) if i % 3 else (first, second), i % 10 == 0, i % 5 == 0))
    return out


def group_name(g: int) -> str:
    return f"Group {g + 1}"


def subgroup_name(g: int, s: int) -> str:
    return f"Subgroup {g + 1}.{s + 1}"


def code_name(c: int) -> str:
    return f"code {c + 1}"


def segments_of(conn: object) -> list[tuple[str, int]]:
    """The segments of the participants' speech: what a student codes (the interviewer's words
    alone are refused as a unit)."""
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT s.doc, s.n FROM segments s JOIN turns t ON t.doc = s.doc AND t.version = s.version"
        " AND t.turn = s.turn WHERE t.role != 'interviewer' ORDER BY s.doc, s.n")
    return [(str(d), int(n)) for d, n in rows]


def write_matrix(root: Path, units: int, path: Path) -> Path:
    """The contract's coding matrix: sheet `units` and sheet `subgroups`."""
    import sqlite3

    import openpyxl

    conn = sqlite3.connect(root / "stc.db")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("units")
    sheet.append(["unit", "document", "segments", "quote", "codes", "group", "subgroup",
                  "nugget", "note"])
    for p in plan(segments_of(conn), units):
        sheet.append(["", p.doc, str(p.n), "", "; ".join(code_name(c) for c in p.codes),
                      group_name(p.group), subgroup_name(p.group, p.subgroup),
                      "yes" if p.nugget else "", f"note on {p.doc}:{p.n}" if p.note else ""])
    subgroups = book.create_sheet("subgroups")
    subgroups.append(["group", "subgroup", "heading", "condensate", "description"])
    for g in range(GROUPS):
        subgroups.append([group_name(g), "", f"Heading {g + 1}", "",
                          f"What group {g + 1} tells. " * 20])
        for s in range(SUBGROUPS):
            subgroups.append([group_name(g), subgroup_name(g, s), "",
                              f"I experienced {g + 1}.{s + 1}. " * 15,
                              f"What subgroup {g + 1}.{s + 1} tells. " * 15])
    book.save(path)
    conn.close()
    return path


def build_analysis(root: Path, units: int) -> None:
    """Themes, groups, subgroups, codes, units sorted into subgroups with nuggets, condensates
    and analytic texts: everything a report shows, recorded through the library."""
    from stc.project import open_project
    from stc.texts import PROJECT, doc_owner

    project = open_project(root, author="bench")
    conn = project.conn
    texts = {doc: body for doc, body in conn.execute(
        "SELECT d.id, t.body FROM documents d JOIN texts t ON t.hash = d.text")}
    places = {(d, n): (s, e) for d, n, s, e in conn.execute("SELECT doc, n, start, end "
                                                            "FROM segments")}
    with project.batch("benchmark") as b:
        for t in range(THEMES):
            b.record("theme.add", {"id": b.next_id("themes"), "name": f"Theme {t + 1}"})
        group_ids, sub_ids, code_ids = {}, {}, {}
        for g in range(GROUPS):
            group_ids[g] = b.next_id("code_groups")
            b.record("group.add", {"id": group_ids[g], "name": group_name(g)})
            b.record("text.set", {"kind": "group", "id": group_ids[g], "name": group_name(g),
                                  "field": "description",
                                  "value": b.text(f"What group {g + 1} tells. " * 20, PROJECT)})
            for s in range(SUBGROUPS):
                sub_ids[g, s] = b.next_id("subgroups")
                name = subgroup_name(g, s)
                b.record("subgroup.add", {"id": sub_ids[g, s], "group": group_ids[g],
                                          "group_name": group_name(g), "name": name})
                for field, body in (("condensate", f"I experienced {g + 1}.{s + 1}. " * 15),
                                    ("description", f"What {name} tells. " * 15)):
                    b.record("text.set", {"kind": "subgroup", "id": sub_ids[g, s],
                                          "name": name, "field": field,
                                          "value": b.text(body, PROJECT)})
            for c in range(g * CODES, (g + 1) * CODES):
                code_ids[c] = b.next_id("codes")
                b.record("code.add", {"id": code_ids[c], "name": code_name(c),
                                      "group": group_ids[g]})
    for start in range(0, units, 1_000):
        with project.batch("benchmark") as b:
            for p in plan(segments_of(conn), units)[start:start + 1_000]:
                s, e = places[p.doc, p.n]
                text, owner = texts[p.doc], doc_owner(p.doc)
                ident = b.take_number("unit")
                b.record("unit.add", {
                    "id": ident, "doc": p.doc, "version": 1, "segments": str(p.n),
                    "start": s, "end": e, "text": b.text(text[s:e], owner),
                    "before": b.text(text[max(0, s - 80):s], owner),
                    "after": b.text(text[e:e + 80], owner),
                    "codes": [code_ids[c] for c in p.codes],
                    "code_names": [code_name(c) for c in p.codes],
                    "note": b.text(f"note on {p.doc}:{p.n}", owner) if p.note else None})
                change: dict[str, object] = {"id": ident,
                                             "subgroup_id": sub_ids[p.group, p.subgroup]}
                if p.nugget:
                    change["nugget"] = b.text(text[s:e], owner)
                b.record("unit.set", change)
    project.close()
