"""What the reports show, gathered once from a project state into plain data for the templates.

The audit trail alone needs the checks, the history, every object's changes, the memos and the
documents, so those are gathered only for it.

Everything here is ordered by the user's order and by ids, never by dictionary or set order, and
the only time used is that of the last change shown, so one state always gives the same data.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from stc import __version__
from stc.history import lineage, touching
from stc.phrases import join_words, number_word, phrases, project_language, quoted
from stc.stages.checks import CheckResult, needs_reason
from stc.stages.condensation import (
    Target,
    group_units,
    subgroups_of,
    target_units,
    unit_view,
)
from stc.stages.prevalence import Prevalence, prevalence, study_participants
from stc.texts import get_text
from stc.trail import records
from stc.units import Places

_PLACED = re.compile(r"^\[\s*U(\d+)\s*\]$", re.IGNORECASE)


@dataclass(frozen=True)
class ReportOptions:
    """Report settings from the [report] table of stc.toml."""

    chapter: str = "3"
    inline_words: int = 0  # quotations shorter than this many words run inline


def state_of(conn: sqlite3.Connection, upto: int | None) -> dict[str, Any]:
    sql = "SELECT seq, hash, at FROM trail"
    args: tuple[int, ...] = ()
    if upto is not None:
        sql += " WHERE seq <= ?"
        args = (upto,)
    row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args).fetchone()
    return {"seq": int(row["seq"]), "hash": str(row["hash"]), "at": str(row["at"]),
            "version": __version__}


def _project_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _quotation(conn: sqlite3.Connection, unit: int, options: ReportOptions,
               places: Places) -> dict[str, Any]:
    view = unit_view(conn, unit, places=places)
    text = view["nugget"] or view["text"].strip()
    return {"unit": view["unit"], "text": " ".join(text.split()), "ref": view["ref"],
            "participant": view["participant"],
            "inline": 0 < len(text.split()) < options.inline_words}


def _blocks(conn: sqlite3.Connection, language: str, description: str | None,
            nuggets: list[int], options: ReportOptions, places: Places) -> list[dict[str, Any]]:
    """The analytic text as paragraphs and quotations: a paragraph `[U7]` places U7's
    quotation there; quotations not placed follow the text. Short ones may run inline."""
    blocks: list[dict[str, Any]] = []
    placed: set[int] = set()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", description or "") if p.strip()]
    queue: list[tuple[str, Any]] = []
    for para in paragraphs:
        m = _PLACED.match(para)
        if m and conn.execute("SELECT 1 FROM units WHERE id = ?", (int(m.group(1)),)).fetchone():
            placed.add(int(m.group(1)))
            queue.append(("quote", int(m.group(1))))
        else:
            queue.append(("text", " ".join(para.split())))
    queue += [("quote", u) for u in nuggets if u not in placed]
    for kind, value in queue:
        if kind == "text":
            blocks.append({"kind": "text", "text": value})
            continue
        quote = _quotation(conn, value, options, places)
        if quote["inline"] and blocks and blocks[-1]["kind"] == "text":
            blocks[-1]["text"] += " " + quoted(language, quote["text"])
        else:
            blocks.append({"kind": "quote", "quote": quote})
    return blocks


def _linked(conn: sqlite3.Connection, target: Target) -> list[str]:
    return [f"U{r[0]}" for r in conn.execute(
        "SELECT unit FROM condensate_units WHERE kind = ? AND owner = ? ORDER BY unit",
        (target.kind, target.id))]


def _section(conn: sqlite3.Connection, language: str, target: Target, row: sqlite3.Row,
             number: str, units: list[int], prev: Prevalence | None,
             options: ReportOptions, places: Places) -> dict[str, Any]:
    nuggets = [u for u in units if conn.execute("SELECT nugget FROM units WHERE id = ?",
                                                (u,)).fetchone()[0] is not None]
    description = get_text(conn, row["description"]) if row["description"] else None
    return {
        "kind": target.kind, "label": target.label, "name": target.name, "number": number,
        "heading": row["heading"] or target.name,
        "description": description,
        "blocks": _blocks(conn, language, description, nuggets, options, places),
        "condensate": get_text(conn, row["condensate"]) if row["condensate"] else None,
        "rests_on": _linked(conn, target),
        "units": [unit_view(conn, u, places=places) for u in units],
        "quotations": [_quotation(conn, u, options, places) for u in nuggets],
        "prevalence": prev.as_json() if prev else None,
        "anchor": f"{target.kind}-{target.id}",
    }


def categories(conn: sqlite3.Connection, language: str,
               options: ReportOptions) -> list[dict[str, Any]]:
    prev = {(p.group, p.subgroup): p for p in prevalence(conn, language)}
    aside = {int(r[0]) for r in conn.execute("SELECT id FROM units WHERE aside IS NOT NULL")}
    places = Places(conn)  # every transcript's segments read once
    out = []
    groups = conn.execute("SELECT * FROM code_groups ORDER BY position, id").fetchall()
    for i, g in enumerate(groups, start=1):
        target = Target("group", g["id"], g["name"], g["id"], g["name"])
        subs = subgroups_of(conn, g["id"])
        units = [u for u in group_units(conn, g["id"]) if u not in aside]
        own_units = units if not subs else []
        section = _section(conn, language, target, g, f"{options.chapter}.{i}", own_units,
                           prev.get((g["name"], None)), options, places)
        section["all_units"] = len(units)
        section["aside"] = [unit_view(conn, u, places=places) for u in group_units(conn, g["id"])
                            if u in aside]
        section["subcategories"] = [
            _section(conn, language, sub_target, s, f"{options.chapter}.{i}.{j}",
                     target_units(conn, sub_target), prev.get((g["name"], s["name"])), options,
                     places)
            for j, s in enumerate(subs, start=1)
            for sub_target in [Target("subgroup", s["id"], s["name"], g["id"], g["name"])]
        ]
        out.append(section)
    return out


def overview(language: str, cats: list[dict[str, Any]]) -> str:
    """'The analysis resulted in three categories: A (with the subcategories x and y), B ...'"""
    if not cats:
        return ""
    p = phrases(language)
    items = []
    for c in cats:
        subs = [quoted(language, s["heading"]) for s in c["subcategories"]]
        item = quoted(language, c["heading"])
        if subs:
            key = "overview_sub_one" if len(subs) == 1 else "overview_sub_many"
            item += f" ({p[key].format(subs=join_words(language, subs))})"
        items.append(item)
    return str(p["overview_intro"]).format(n=number_word(language, len(cats)),
                                           items=join_words(language, items))


def history(conn: sqlite3.Connection, upto: int) -> list[dict[str, Any]]:
    """Every change; a revision the method asks a reason for and that has none is marked."""
    recs = list(records(conn, upto))
    given = {r.payload["seq"] for r in recs if r.kind == "reason" and r.why}
    return [{"seq": rec.seq, "at": rec.at, "author": rec.author, "kind": rec.kind,
             "summary": rec.summary(), "why": rec.why, "refs": rec.refs(),
             "unreasoned": needs_reason(rec.kind, rec.payload) and not (rec.why or "").strip()
             and rec.seq not in given}
            for rec in recs]


def latest_seal(conn: sqlite3.Connection, upto: int) -> dict[str, Any] | None:
    """The last seal recorded up to change `upto`, and whether the trail still holds the
    change it sealed with the hash it sealed (the signed file is checked by `stc verify
    --seal`)."""
    row = conn.execute("SELECT at, payload ->> '$.seq', payload ->> '$.hash', payload ->> '$.key'"
                       " FROM trail WHERE kind = 'seal' AND seq <= ? ORDER BY seq DESC LIMIT 1",
                       (upto,)).fetchone()
    if row is None:
        return None
    at, seq, digest, key = row
    held = conn.execute("SELECT 1 FROM trail WHERE seq = ? AND hash = ?", (seq, digest)).fetchone()
    return {"at": at, "seq": seq, "hash": digest, "key": key, "holds": held is not None}


def _coded(conn: sqlite3.Connection, cats: list[dict[str, Any]]) -> None:
    """Give every unit shown who made it, when, and in which change."""
    made = {}
    for seq, at, author, unit in conn.execute(
            "SELECT seq, at, author, payload ->> '$.id' FROM trail WHERE kind = 'unit.add'"):
        made[int(unit)] = {"seq": seq, "at": at, "author": author}
    for c in cats:
        for section in (c, *c["subcategories"]):
            for u in [*section.get("units", []), *section.get("aside", [])]:
                u["made"] = made.get(u["id"])


def objects(conn: sqlite3.Connection, upto: int) -> list[dict[str, Any]]:
    """Every theme, code, group and subgroup now held, with the changes in its life: under
    every name it bore, and those of what was merged into it."""
    recs = list(records(conn, upto))
    out: list[dict[str, Any]] = []
    for kind, sql in (
        ("theme", "SELECT id, name FROM themes ORDER BY position, id"),
        ("group", "SELECT id, name FROM code_groups ORDER BY position, id"),
        ("subgroup", "SELECT s.id, g.name || '/' || s.name FROM subgroups s JOIN code_groups g"
                     " ON g.id = s.group_id ORDER BY g.position, s.position, s.id"),
        ("code", "SELECT id, name FROM codes ORDER BY name"),
    ):
        for ident, name in conn.execute(sql):
            life = touching(recs, lineage(recs, {f"{kind}:{ident}"}))
            out.append({"kind": kind, "name": name, "changes": [r.seq for r in life]})
    return out


def memos(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT m.id, m.kind, m.ref, m.body, t.at, t.author FROM memos m"
        " LEFT JOIN trail t ON t.seq = m.seq ORDER BY m.seq, m.id").fetchall()
    return [{"id": f"M{r['id']}", "kind": r["kind"], "ref": r["ref"],
             "body": get_text(conn, r["body"]) or "[erased]", "at": r["at"],
             "author": r["author"]} for r in rows]


def documents(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [{"id": r["id"], "participant": r["participant"], "filename": r["filename"],
             "version": r["version"],
             "units": conn.execute("SELECT COUNT(*) FROM units WHERE doc = ?",
                                   (r["id"],)).fetchone()[0]}
            for r in conn.execute("SELECT * FROM documents ORDER BY id")]


def build(conn: sqlite3.Connection, upto: int | None, options: ReportOptions,
          title: str | None = None, checks: list[CheckResult] | None = None) -> dict[str, Any]:
    """The data of the results chapter for the state in `conn` (the trail up to change
    `upto`); given the results of the checks, also that of the audit trail."""
    language = project_language(conn)
    state = state_of(conn, upto)
    cats = categories(conn, language, options)
    p = phrases(language)
    model = {
        "p": p, "language": language, "state": state,
        "state_line": str(p["state"]).format(seq=state["seq"], at=state["at"],
                                             hash=state["hash"], version=state["version"]),
        "title": title or _project_value(conn, "title") or "",
        "question": _project_value(conn, "question"),
        "chapter": options.chapter,
        "overview": overview(language, cats),
        "categories": cats,
        "participants": study_participants(conn),
        "themes": [r[0] for r in conn.execute("SELECT name FROM themes ORDER BY position, id")],
    }
    if checks is not None:
        _coded(conn, cats)
        model.update({
            "checks": [c.as_json() for c in checks],
            "history": history(conn, state["seq"]),
            "seal": latest_seal(conn, state["seq"]),
            "objects": objects(conn, state["seq"]),
            "memos": memos(conn),
            "documents": documents(conn),
        })
    return model
