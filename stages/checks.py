"""`stc check`: the method's checks and the integrity of quotations, each failure naming its place.

Every check is one function that returns the places where it fails; `CHECKS` holds them in the
order of the four steps. They read a connection only, so they run on a replayed past state too.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stc.phrases import phrases, project_language
from stc.stages.condensation import (
    Target,
    document_text,
    quote_is_verbatim,
    subgroups_of,
    target_units,
    unsorted_units,
)
from stc.stages.impression import THEMES_MAX, THEMES_MIN
from stc.stages.synthesis import identifying_names, names_in, names_pattern
from stc.texts import get_text


@dataclass
class CheckResult:
    """One of the checks of `stc check`, with what fails it."""

    id: str
    title: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "ok": self.ok, "failures": self.failures}


Check = Callable[[sqlite3.Connection], list[str]]


def _groups(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM code_groups ORDER BY position, id").fetchall()


def condensation_targets(conn: sqlite3.Connection) -> list[tuple[Target, sqlite3.Row]]:
    """Where a condensate belongs: each subgroup, and each group without subgroups."""
    out = []
    for g in _groups(conn):
        subs = subgroups_of(conn, g["id"])
        if not subs:
            out.append((Target("group", g["id"], g["name"], g["id"], g["name"]), g))
        for s in subs:
            out.append((Target("subgroup", s["id"], s["name"], g["id"], g["name"]), s))
    return out


def check_themes(conn: sqlite3.Connection) -> list[str]:
    n = int(conn.execute("SELECT COUNT(*) FROM themes").fetchone()[0])
    if THEMES_MIN <= n <= THEMES_MAX:
        return []
    return [f"{n} preliminary themes; step 1 asks for {THEMES_MIN} to {THEMES_MAX}"
            " (stc theme add NAME)"]


def check_codes_grouped(conn: sqlite3.Connection) -> list[str]:
    return [f"code {r[0]!r} is in no code group (stc group {r[0]!r} --into GROUP)"
            for r in conn.execute("SELECT name FROM codes WHERE group_id IS NULL ORDER BY name")]


def check_units_sorted(conn: sqlite3.Connection) -> list[str]:
    out = [f"U{unit} of {group!r} is in no subgroup and not set aside"
           f" (stc sort U{unit} --into {group}/SUBGROUP, or stc set-aside U{unit} --why ...)"
           for unit, group in unsorted_units(conn)]
    out += [f"U{r[0]} has no code in a code group" for r in conn.execute(
        "SELECT u.id FROM units u WHERE NOT EXISTS (SELECT 1 FROM unit_codes uc JOIN codes c"
        " ON c.id = uc.code WHERE uc.unit = u.id AND c.group_id IS NOT NULL) ORDER BY u.id")]
    return out


_WORD = re.compile(r"\w+(?:['’]\w+)?")


def first_person(text: str, language: str) -> bool:
    pronouns = {p for p in phrases(language)["first_person"] if " " not in p}
    return any(w.lower().replace("’", "'") in pronouns for w in _WORD.findall(text))


def check_condensates(conn: sqlite3.Connection) -> list[str]:
    language = project_language(conn)
    out = []
    for target, row in condensation_targets(conn):
        body = get_text(conn, row["condensate"]) if row["condensate"] else None
        if body is None:
            out.append(f"{target.label} has no condensate (stc condense {target.label} --edit)")
        elif not first_person(body, language):
            out.append(f"the condensate of {target.label} is not written in the first person")
        else:
            stale = _stale_links(conn, target)
            if stale:
                out.append(f"the condensate of {target.label} {stale}")
    return out


def _stale_links(conn: sqlite3.Connection, target: Target) -> str:
    """Whether the units under a condensate changed since it was written."""
    linked = {int(r[0]) for r in conn.execute(
        "SELECT unit FROM condensate_units WHERE kind = ? AND owner = ?",
        (target.kind, target.id))}
    if not linked:
        return ""  # written before links were kept, or through a matrix import
    now = set(target_units(conn, target))
    if linked == now:
        return ""
    added = ", ".join(f"U{u}" for u in sorted(now - linked))
    gone = ", ".join(f"U{u}" for u in sorted(linked - now))
    parts = ([f"does not yet cover {added}"] if added else []) + \
        ([f"rests on {gone}, no longer in it"] if gone else [])
    return "; ".join(parts) + f" (stc condense {target.label} --edit)"


def check_descriptions(conn: sqlite3.Connection) -> list[str]:
    out = []
    for g in _groups(conn):
        if g["description"] is None:
            out.append(f"category {g['name']!r} has no analytic text (stc describe {g['name']})")
        for s in subgroups_of(conn, g["id"]):
            if s["description"] is None:
                label = f"{g['name']}/{s['name']}"
                out.append(f"subcategory {label!r} has no analytic text (stc describe {label})")
    return out


def check_nuggets(conn: sqlite3.Connection) -> list[str]:
    out = []
    for target, _ in condensation_targets(conn):
        units = target_units(conn, target)
        marks = [u for u in units if conn.execute(
            "SELECT nugget FROM units WHERE id = ?", (u,)).fetchone()[0] is not None]
        if not marks:
            kind = "subcategory" if target.kind == "subgroup" else "category"
            out.append(f"{kind} {target.label!r} has no illustrative quotation (stc nugget UNIT)")
    return out


def check_verbatim(conn: sqlite3.Connection) -> list[str]:
    out = []
    for u in conn.execute("SELECT * FROM units ORDER BY id").fetchall():
        text, version = document_text(conn, u["doc"])
        if int(u["version"]) != version:
            continue  # reported by check_current
        source = text[u["start"]:u["end"]]
        if get_text(conn, u["text"]) != source:
            out.append(f"U{u['id']}: its text differs from {u['doc']} at {u['start']}-{u['end']}")
        if u["nugget"] is not None:
            quote = get_text(conn, u["nugget"])
            if quote is None or not quote_is_verbatim(source, quote):
                out.append(f"U{u['id']}: the illustrative quotation is not verbatim in"
                           f" {u['doc']} (stc nugget U{u['id']} --quote ...)")
    return out


def check_current(conn: sqlite3.Connection) -> list[str]:
    out = []
    for u in conn.execute(
        "SELECT u.id, u.doc, u.review, u.version, d.version AS current FROM units u"
        " JOIN documents d ON d.id = u.doc ORDER BY u.id"
    ):
        if u["review"]:
            out.append(f"U{u['id']} in {u['doc']} needs review: {u['review']}")
        elif u["version"] != u["current"]:
            out.append(f"U{u['id']} points at version {u['version']} of {u['doc']},"
                       f" which was replaced by version {u['current']}")
    return out


def identifying_places(conn: sqlite3.Connection) -> list[str]:
    """Every quotation, condensate and analytic text that contains an identifying name."""
    pattern = names_pattern(identifying_names(conn))
    if pattern is None:
        return []
    out = []
    for u in conn.execute("SELECT id, nugget FROM units WHERE nugget IS NOT NULL ORDER BY id"):
        for name in names_in(get_text(conn, u["nugget"]) or "", pattern):
            out.append(f"the quotation of U{u['id']} contains {name!r}")
    for table, kind in (("code_groups", "category"), ("subgroups", "subcategory")):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall():
            label = _label(conn, table, row)
            for field_name, what in (("condensate", "condensate"),
                                     ("description", "analytic text"), ("heading", "heading")):
                value = row[field_name]
                body = value if field_name == "heading" else get_text(conn, value)
                for name in names_in(body or "", pattern):
                    out.append(f"the {what} of {kind} {label!r} contains {name!r}")
    return out


def _label(conn: sqlite3.Connection, table: str, row: sqlite3.Row) -> str:
    if table == "code_groups":
        return str(row["name"])
    group = conn.execute("SELECT name FROM code_groups WHERE id = ?",
                         (row["group_id"],)).fetchone()
    return f"{group[0] if group else '?'}/{row['name']}"


IDENTIFYING = "identifying-names"

def check_reasons(conn: sqlite3.Connection) -> list[str]:
    """Every revision of the analysis in effect — rename, merge, drop, set-aside, erasure —
    carries a reason, given with it (--why) or later (`stc reason N TEXT`). Off with
    `require_reasons = false` among the project's settings."""
    setting = conn.execute("SELECT value FROM project WHERE key = 'require_reasons'").fetchone()
    if setting is not None and str(setting[0]).strip().lower() in ("false", "no", "0", "off"):
        return []
    from stc.trail import effective, records

    all_records = list(records(conn))
    given = {r.payload["seq"] for r in all_records if r.kind == "reason" and r.why}
    return [f"change #{r.seq} ({r.summary()}) has no reason (stc reason {r.seq} TEXT)"
            for r in effective(all_records) if needs_reason(r.kind, r.payload)
            and not (r.why or "").strip() and r.seq not in given]


def needs_reason(kind: str, payload: dict[str, Any]) -> bool:
    """A revision the method asks a reason for: how themes became groups, what was dropped."""
    return kind in ("rename", "merge", "drop", "document.erase") or (
        kind == "unit.set" and bool(payload.get("aside")))


CHECKS: list[tuple[str, str, Check]] = [
    ("themes", "4-8 preliminary themes", check_themes),
    ("codes-grouped", "every code in a code group", check_codes_grouped),
    ("units-sorted", "every unit of a group in a subgroup or set aside with a reason",
     check_units_sorted),
    ("condensates", "a condensate for every subgroup, in the first person", check_condensates),
    ("analytic-texts", "an analytic text for every category and subcategory",
     check_descriptions),
    ("quotations", "at least one illustrative quotation per subcategory", check_nuggets),
    ("verbatim", "every quotation verbatim in its source", check_verbatim),
    ("current", "no unit pointing at text that changed", check_current),
    (IDENTIFYING, "no identifying name in quotations, condensates or analytic texts",
     identifying_places),
    ("reasons", "a reason for every rename, merge, drop, set-aside and erasure", check_reasons),
]


def run_checks(conn: sqlite3.Connection) -> list[CheckResult]:
    return [CheckResult(ident, title, check(conn)) for ident, title, check in CHECKS]


def identifying_check(conn: sqlite3.Connection) -> CheckResult:
    """The one check every report needs before it is written."""
    ident, title, check = next(c for c in CHECKS if c[0] == IDENTIFYING)
    return CheckResult(ident, title, check(conn))
