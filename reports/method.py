"""`stc report method`: what a thesis's method chapter shows about the analysis.

Three parts, from one project state: a short draft method paragraph with the counts
(interviews, participants, meaning units, code groups, subgroups, recorded changes) in the
report language; the analysis-example table that STC theses and papers show (meaning unit →
code → code group → subgroup → condensate → category heading), for one unit per category or the
units the user names; and the codebook appendix (groups, codes, definitions, units,
participants). The paragraph's sentences come from stc/locales, and the templates
(`method.md.j2`, `method.html.j2`) can be overridden like any report template.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from stc.errors import StcError
from stc.lookup import unit_id
from stc.participants import study_participants
from stc.phrases import count_words, phrases
from stc.reports.model import ReportOptions
from stc.stages.condensation import members, unit_groups
from stc.texts import get_text, must_text
from stc.units import participants_by_unit


def counts(conn: sqlite3.Connection, upto: int) -> dict[str, int]:
    """The numbers a method paragraph gives."""
    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "interviews": one("SELECT COUNT(*) FROM documents"),
        "participants": len(study_participants(conn)),
        "themes": one("SELECT COUNT(*) FROM themes"),
        "units": one("SELECT COUNT(*) FROM units"),
        "codes": one("SELECT COUNT(*) FROM codes"),
        "groups": one("SELECT COUNT(*) FROM code_groups"),
        "subgroups": one("SELECT COUNT(*) FROM subgroups"),
        "categories": one("SELECT COUNT(*) FROM code_groups"),
        "subcategories": one("SELECT COUNT(*) FROM subgroups"),
        "revisions": upto,
    }


NOUNS = {"interviews": "interview", "participants": "participant", "themes": "theme",
         "units": "unit", "codes": "code", "groups": "group", "subgroups": "subgroup",
         "categories": "category", "subcategories": "subcategory", "revisions": "revision"}

# which count each sentence of the paragraph needs; a sentence whose count is 0 is left out
_NEEDS = ("interviews", None, "themes", "units", "subgroups", "categories", None)


def paragraph(language: str, numbers: dict[str, int]) -> list[str]:
    """The draft method paragraph, sentence by sentence, with every count worded."""
    worded = {key: count_words(language, NOUNS[key], n) for key, n in numbers.items()}
    sentences = phrases(language)["method_text"]
    return [str(s).format(**worded) for s, need in zip(sentences, _NEEDS, strict=True)
            if need is None or numbers[need]]


def example_units(conn: sqlite3.Connection, wanted: Sequence[str] | None) -> list[int]:
    """The units the example table shows: those named, or per category its first
    illustrative quotation (else its first unit not set aside)."""
    if wanted:
        units = [unit_id(conn, ref) for ref in wanted]
        for unit in units:
            if not unit_groups(conn, unit):
                raise StcError("E545", unit=f"U{unit}")
        return units
    nuggets = {int(r[0]) for r in conn.execute("SELECT id FROM units WHERE nugget IS NOT NULL")}
    groups = members(conn, "group", aside=False)
    chosen = []
    for (group,) in conn.execute("SELECT id FROM code_groups ORDER BY position, id").fetchall():
        units = groups.get(group, [])
        pick = next((u for u in units if u in nuggets), units[0] if units else None)
        if pick is not None:
            chosen.append(pick)
    return chosen


def example_rows(conn: sqlite3.Connection, units: list[int],
                 sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Meaning unit → code → code group → subgroup → condensate → category heading."""
    numbered = {c["anchor"]: c["numbered"] for c in sections}
    numbered |= {s["anchor"]: s["numbered"] for c in sections for s in c["subcategories"]}
    rows = []
    for unit in units:
        row = conn.execute("SELECT text, subgroup_id FROM units WHERE id = ?",
                           (unit,)).fetchone()
        codes = [str(r[0]) for r in conn.execute(
            "SELECT c.name FROM unit_codes uc JOIN codes c ON c.id = uc.code WHERE uc.unit = ?"
            " ORDER BY c.name", (unit,))]
        sub = conn.execute("SELECT id, name, group_id, condensate FROM subgroups WHERE id = ?",
                           (row["subgroup_id"],)).fetchone() if row["subgroup_id"] else None
        groups = unit_groups(conn, unit)
        group_id = sub["group_id"] if sub else groups[0][0]
        group = conn.execute("SELECT id, name, condensate FROM code_groups WHERE id = ?",
                             (group_id,)).fetchone()
        holder = sub if sub else group
        condensate = get_text(conn, holder["condensate"]) if holder["condensate"] else ""
        heading = numbered.get(f"group-{group_id}", "")
        if sub:
            sub_heading = numbered.get(f"subgroup-{sub['id']}", "")
            heading = f"{heading} / {sub_heading}"
        rows.append({"unit": f"U{unit}", "text": must_text(conn, row["text"]).strip(),
                     "codes": "; ".join(codes), "group": group["name"],
                     "subgroup": sub["name"] if sub else "", "condensate": condensate or "",
                     "category": heading})
    return rows


def codebook(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Each code group with its codes: definition, number of units and of participants."""
    who = participants_by_unit(conn)
    units_of: dict[int, list[int]] = {}
    for unit, code in conn.execute("SELECT unit, code FROM unit_codes ORDER BY unit"):
        units_of.setdefault(int(code), []).append(int(unit))
    groups = [(int(r[0]), str(r[1])) for r in conn.execute(
        "SELECT id, name FROM code_groups ORDER BY position, id")]
    out = []
    for group_id, name in [*groups, (None, "")]:
        rows = conn.execute("SELECT id, name, definition FROM codes WHERE group_id IS ?"
                            " ORDER BY name", (group_id,)).fetchall()
        if group_id is None and not rows:
            continue
        codes = []
        for code in rows:
            units = units_of.get(int(code["id"]), [])
            definition = code["definition"]
            codes.append({"name": code["name"], "units": len(units),
                          "participants": len({p for u in units for p in who.get(u, [])}),
                          "definition": (get_text(conn, definition) or definition)
                          if definition else ""})
        everything = sorted({u for c in rows for u in units_of.get(int(c["id"]), [])})
        out.append({"group": name, "codes": codes, "units": len(everything),
                    "participants": len({p for u in everything for p in who.get(u, [])})})
    return out


def method_model(conn: sqlite3.Connection, results: dict[str, Any], options: ReportOptions,
                 examples: Sequence[str] | None) -> dict[str, Any]:
    """The method report's data, added to the results chapter's model of the same state."""
    numbers = counts(conn, results["state"]["seq"])
    language = options.language
    return {
        **results,
        "counts": numbers,
        "counted": {key: count_words(language, NOUNS[key], n) for key, n in numbers.items()},
        "paragraph": paragraph(language, numbers),
        "examples": example_rows(conn, example_units(conn, examples), results["categories"]),
        "codebook": codebook(conn),
    }
