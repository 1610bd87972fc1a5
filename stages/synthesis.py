"""Step 4, synthesizing: from condensation to descriptions and concepts.

Code groups become categories and subgroups subcategories: each gets an analytic text (third
person) and a heading, which defaults to its name. The order of categories and subcategories is
the user's. Identifying names (people, places) are kept so that checks and reports can refuse
texts that contain them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stc.errors import StcError
from stc.naming import checked
from stc.project import Project
from stc.stages import Step, StepStatus, count
from stc.stages.condensation import resolve_group, resolve_target, subgroups_of, written_over
from stc.stages.condensation import units_frame as units_frame  # the frames of a notebook
from stc.stages.prevalence import prevalence_frame as prevalence_frame
from stc.texts import PROJECT, get_text
from stc.trail import Record, head
from stc.units import participants_by_unit
from stc.words import counted

if TYPE_CHECKING:
    import pandas as pd

STEP = Step(4, "Synthesis", requires=("condensates", "illustrative quotations"),
            produces=("analytic texts", "categories", "report"))


def status(conn: sqlite3.Connection, reports: Path | None = None) -> StepStatus:
    """Step 4 is done when every category and subcategory is described, every check of
    `stc check` passes, and the reports in `reports` show the current state."""
    groups = count(conn, "SELECT COUNT(*) FROM code_groups")
    described = count(conn, "SELECT COUNT(*) FROM code_groups WHERE description IS NOT NULL")
    subgroups = count(conn, "SELECT COUNT(*) FROM subgroups")
    sub_described = count(conn, "SELECT COUNT(*) FROM subgroups WHERE description IS NOT NULL")
    st = StepStatus(STEP, [f"{described} of {counted(groups, 'category', 'categories')}"
                           " described",
                           f"{sub_described} of"
                           f" {counted(subgroups, 'subcategory', 'subcategories')} described"])
    if groups == 0 or described < groups or sub_described < subgroups:
        st.next = "stc describe GROUP[/SUBGROUP] --edit"
        return st
    from stc.stages.checks import run_checks  # the checks read this module

    failing = [c.id for c in run_checks(conn) if not c.ok]
    if failing:
        st.facts.append(f"{counted(len(failing), 'check')} not passed: {', '.join(failing)}")
        st.next = "stc check"
        return st
    st.facts.append("every check passes")
    if reports is not None and reports_current(conn, reports):
        st.facts.append(f"the reports show the current state (change #{head(conn)[0]})")
    else:
        st.next = "stc report"
    return st


# the reports that name the state they show in their text (docx and xlsx are zip files; a CSV
# table's state is in the file beside it)
_STATED_REPORTS = ("results.md", "results.html", "audit.html", "method.md", "method.html",
                   "matrix.csv.json")


def reports_current(conn: sqlite3.Connection, reports: Path) -> bool:
    """Whether the results chapter is in `reports` and every report there that names the
    state it shows names the current one (by the trail's hash)."""
    digest = head(conn)[1]
    found = [reports / name for name in _STATED_REPORTS if (reports / name).is_file()]
    if not any(path.name.startswith("results.") for path in found):
        return False
    return all(digest in path.read_text(encoding="utf-8", errors="replace") for path in found)


# -- analytic texts and headings -------------------------------------------------------------

def describe(project: Project, ref: str, text: str | None = None, heading: str | None = None,
             why: str | None = None, over: str | None = None,
             heading_over: str | None = None) -> list[Record]:
    """Set the analytic text and/or the heading of a category (GROUP) or subcategory
    (GROUP/SUBGROUP). An empty heading goes back to the name. `over` and `heading_over`: the
    version of the text (its hash, '' for none) and the heading ('' for none) the writer
    started from: refused when another was recorded since (E726), as `condense` is."""
    with project.batch(why) as b:
        target = resolve_target(b.conn, ref)
        if over is not None and text is not None:
            written_over(b.conn, f"SELECT description FROM {target.table} WHERE id = ?",
                         target.id, over, f"the analytic text of {target.label}")
        if heading_over is not None and heading is not None:
            written_over(b.conn, f"SELECT heading FROM {target.table} WHERE id = ?",
                         target.id, heading_over, f"the heading of {target.label}")
        records = []
        base = {"kind": target.kind, "id": target.id, "name": target.label}
        if text is not None:
            value = b.text(text.strip(), PROJECT) if text.strip() else None
            records.append(b.record("text.set", {**base, "field": "description",
                                                 "value": value}))
        if heading is not None:
            records.append(b.record("text.set", {**base, "field": "heading",
                                                 "value": heading.strip() or None}))
        return records


# a paragraph that is only `[U7]` places U7's illustrative quotation there (the reports)
PLACED = re.compile(r"^\[\s*U(\d+)\s*\]$", re.IGNORECASE)


def paragraphs(text: str | None) -> list[str]:
    """An analytic text's paragraphs: parts between blank lines, stripped."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def placed_units(text: str | None) -> list[int]:
    """The units whose quotations a text places with a paragraph `[U7]`, in order."""
    return [int(m.group(1)) for p in paragraphs(text) if (m := PLACED.match(p))]


def describe_about(conn: sqlite3.Connection, ref: str) -> str:
    """What `stc describe --edit` shows as comments: the condensate(s) and the quotations."""
    target = resolve_target(conn, ref)
    lines = [f"Analytic text of {target.label}: third person, what the material says",
             "(e.g. 'most informants describe ...'). A line [U7] places that quotation.", ""]
    owners = [(target.table, target.id)]
    if target.kind == "group":
        owners += [("subgroups", int(s["id"])) for s in subgroups_of(conn, target.id)]
    for table, ident in owners:
        row = conn.execute(f"SELECT name, condensate FROM {table} WHERE id = ?",
                           (ident,)).fetchone()
        if row["condensate"]:
            lines += [f"Condensate of {row['name']}:",
                      *(get_text(conn, row["condensate"]) or "").splitlines(), ""]
    for unit, nugget in conn.execute(
        "SELECT id, nugget FROM units WHERE nugget IS NOT NULL AND subgroup_id = ? ORDER BY id",
        (target.id if target.kind == "subgroup" else -1,)):
        lines.append(f"[U{unit}] {get_text(conn, nugget)}")
    return "\n".join(lines)


def set_order(project: Project, kind: str, names: Sequence[str], group: str | None = None,
              why: str | None = None) -> Record:
    """The order of the categories (kind 'group') or of one category's subcategories
    (kind 'subgroup', with `group`). Names not given keep their order after the given ones."""
    with project.batch(why) as b:
        if kind == "group":
            rows = b.conn.execute("SELECT id, name FROM code_groups ORDER BY position, id")
            scope = "the project"
        else:
            parent = resolve_group(b.conn, group or "")
            rows = b.conn.execute("SELECT id, name FROM subgroups WHERE group_id = ?"
                                  " ORDER BY position, id", (parent.id,))
            scope = parent.name
        current = [(int(r["id"]), str(r["name"])) for r in rows]
        by_name = {n.lower(): (i, n) for i, n in current}
        wanted = [n.strip().lower() for n in names]
        if len(set(wanted)) != len(wanted) or any(w not in by_name for w in wanted):
            raise StcError("E513", kind=kind, scope=scope,
                           names=", ".join(n for _, n in current))
        chosen = [by_name[w] for w in wanted]
        rest = [c for c in current if c not in chosen]
        ordered = chosen + rest
        return b.record("order", {"kind": kind, "ids": [i for i, _ in ordered],
                                  "names": [n for _, n in ordered]})


# -- identifying names -----------------------------------------------------------------------

def _clean_name(name: str) -> str:
    if not name.strip():
        raise StcError("E514")
    return checked("identifying name", name).lower()


def add_names(project: Project, names: Sequence[str], why: str | None = None) -> list[Record]:
    with project.batch(why) as b:
        records = []
        for name in names:
            if _stored_name(b.conn, _clean_name(name)) is None:
                records.append(b.record("names.add", {"name": b.text(_clean_name(name),
                                                                     PROJECT)}))
        return records


def drop_names(project: Project, names: Sequence[str], why: str | None = None) -> list[Record]:
    with project.batch(why) as b:
        records = []
        for name in names:
            digest = _stored_name(b.conn, _clean_name(name))
            if digest is None:
                raise StcError("E515", name=name)
            records.append(b.record("names.drop", {"name": digest}))
        return records


def _stored_name(conn: sqlite3.Connection, name: str) -> str | None:
    """The hash under which the list holds `name` (cleaned), or None. Compared by text: a
    name added before salts has another hash than one added since."""
    return next((str(r[0]) for r in conn.execute("SELECT name FROM identifying_names")
                 if get_text(conn, str(r[0])) == name), None)


def identifying_names(conn: sqlite3.Connection) -> list[str]:
    names = [get_text(conn, r[0]) for r in conn.execute("SELECT name FROM identifying_names")]
    return sorted(n for n in names if n)


def names_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every name, on word boundaries; whitespace inside a
    name matches any whitespace run."""
    if not names:
        return None
    parts = [r"\s+".join(re.escape(w) for w in n.split()) for n in
             sorted(names, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def names_in(text: str, pattern: re.Pattern[str] | None) -> list[str]:
    if pattern is None or not text:
        return []
    return sorted({m.group(0) for m in pattern.finditer(text)})


# -- frames for notebooks ----------------------------------------------------------------------

def codes_frame(project: Project | sqlite3.Connection) -> pd.DataFrame:
    """Every code with its group, number of units and number of participants."""
    import pandas as pd

    conn = project.conn if isinstance(project, Project) else project
    who = participants_by_unit(conn)
    rows = []
    for code in conn.execute("SELECT c.id, c.name, g.name AS grp FROM codes c"
                             " LEFT JOIN code_groups g ON g.id = c.group_id ORDER BY c.name"):
        units = [int(r[0]) for r in conn.execute("SELECT unit FROM unit_codes WHERE code = ?",
                                                 (code["id"],))]
        people = {p for u in units for p in who[u]}
        rows.append({"code": code["name"], "group": code["grp"], "units": len(units),
                     "participants": len(people)})
    return pd.DataFrame(rows, columns=["code", "group", "units", "participants"])

