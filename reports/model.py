"""What the reports show, gathered once from a project state into plain data for the templates.

The audit trail alone needs the checks, the history, every object's changes, the memos and the
documents, so those are gathered only for it.

Everything here is ordered by the user's order and by ids, never by dictionary or set order, and
the only time used is that of the last change shown, so one state always gives the same data.
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from stc import __version__
from stc.attributes import MIN_CELL, attributes_of
from stc.consent import withdrawn
from stc.history import Lives
from stc.participants import (
    default_attribution,
    document_participants,
    listing,
    named,
    study_participants,
    time_point,
)
from stc.participants import names as participant_names
from stc.phrases import (
    count_words,
    join_words,
    language_tag,
    number_word,
    phrases,
    quoted,
    who_said_it,
)
from stc.settings import values
from stc.stages.checks import CheckResult, needs_reason
from stc.stages.condensation import (
    Target,
    members,
    quotation_parts,
    subgroups_of,
    translation_with_cuts,
    unit_views,
    with_cuts,
)
from stc.stages.prevalence import Prevalence, basis, prevalence, prevalence_by
from stc.stages.supervision import comments, validations
from stc.stages.synthesis import PLACED, paragraphs
from stc.texts import get_text, stored_value
from stc.trail import Record, last_shown, records
from stc.units import Places, participants_by_unit


class ReportOptions(NamedTuple):
    """What the settings in effect (stc.settings) say about the reports."""

    chapter: int = 3  # 0: headings without numbers
    inline_words: int = 0  # quotations shorter than this many words run inline
    # who said a quotation (stc.phrases.ATTRIBUTIONS): nothing, the pseudonym, or a focus
    # group's forms; by default "one participant" in a focus-group project, else nothing
    attribution: str = "none"
    cut_marker: str = "(…)"
    language: str = "en"  # the reports' language (phrases)
    language_tag: str = "en-GB"  # the reports' language for spelling (Word)
    source_language: str = "en"  # the transcripts' language
    paper: str = "A4"
    stamp_footer: bool = False
    author: str = ""
    by: str = ""  # the attribute the results chapter shows prevalence by (`tidspunkt`)
    min_cell: int = MIN_CELL  # fewer participants than this print as "< 3" in the chapter

    @property
    def translated(self) -> bool:
        """Whether the chapter is written in another language than the transcripts."""
        return self.language != self.source_language


def report_options(conn: sqlite3.Connection) -> ReportOptions:
    """The report settings of the state in `conn`: `--as-of N` uses those of change N."""
    held = values(conn)
    tag = str(held["report.language"])
    attribution = str(held["report.quote_attribution"])
    return ReportOptions(
        chapter=int(held["report.chapter"]), inline_words=int(held["report.inline_words"]),
        attribution=(default_attribution(conn) if held.is_default("report.quote_attribution")
                     else attribution),
        cut_marker=str(held["report.cut_marker"]), language=held.report_language,
        language_tag=language_tag(tag), source_language=str(held["language"]),
        paper=str(held["report.paper"]), stamp_footer=bool(held["report.stamp_footer"]),
        author=str(held["report.author"]), by=str(held["report.by"]),
        min_cell=int(held["report.min_cell"]))


def state_of(conn: sqlite3.Connection, upto: int | None) -> dict[str, Any]:
    """The change whose state a report shows (`trail.last_shown`)."""
    row = last_shown(conn, upto)
    assert row is not None  # a project starts with its creation
    return {"seq": int(row["seq"]), "hash": str(row["hash"]), "at": str(row["at"]),
            "version": __version__}


def stamp(conn: sqlite3.Connection, upto: int | None, options: ReportOptions | None = None
          ) -> dict[str, Any]:
    """What every report names: the state it shows (see `state_of`), the author it is by and
    the language it is written in."""
    options = options or report_options(conn)
    return {"state": state_of(conn, upto), "author": options.author,
            "language": options.language}


def _project_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


class Units(NamedTuple):
    """Every unit's view, the names of who speaks in it, the time point of its transcript,
    and which units are quotations: read once."""

    views: dict[int, dict[str, Any]]
    who: dict[int, list[str]]
    times: dict[int, str | None]
    nuggets: set[int]
    every: bool  # the views of every unit, not only of those the chapter may print
    quotations: dict[int, dict[str, Any]]  # each quotation as printed, made once (`_quotation`)

    @classmethod
    def load(cls, conn: sqlite3.Connection, options: ReportOptions, every: bool) -> Units:
        """The views of every unit (the audit trail shows them all), or of those the chapter
        may print: the quotations and the units an analytic text places."""
        names = participant_names(conn)
        who = {u: [names.get(p, f"P{p}") for p in people]
               for u, people in participants_by_unit(conn).items()}
        docs = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, doc FROM units")}
        time = {doc: time_point(conn, doc, options.by or None) for doc in set(docs.values())}
        # a transcript withdrawn from further analysis keeps its units, but no quotation
        # from it is printed: that would publish her words anew (stc.consent)
        held_back = withdrawn(conn)
        quotations = [int(r[0]) for r in conn.execute(
            "SELECT id FROM units WHERE nugget IS NOT NULL")]
        shown = None if every else [*quotations, *_placed(conn)]
        return cls(unit_views(conn, places=Places(conn), only=shown), who,
                   {u: time[doc] for u, doc in docs.items()},
                   {u for u in quotations if docs[u] not in held_back}, every, {})


def _placed(conn: sqlite3.Connection) -> set[int]:
    """The units the analytic texts place (a paragraph `[U7]`, see `_blocks`)."""
    out = set()
    for (digest,) in conn.execute("SELECT description FROM code_groups WHERE description"
                                  " IS NOT NULL UNION SELECT description FROM subgroups"
                                  " WHERE description IS NOT NULL"):
        out |= {int(m.group(1)) for para in paragraphs(get_text(conn, digest))
                for m in [PLACED.fullmatch(para)] if m}
    return out


def _quotation(unit: int, options: ReportOptions, units: Units) -> dict[str, Any]:
    """A quotation as the chapter prints it: the unit's own words with the cuts marked as
    the settings say, or its translation when the chapter is in another language. Made once
    per unit: its section prints it, and its analytic text may place it."""
    if unit not in units.quotations:
        units.quotations[unit] = _quotation_of(unit, options, units)
    return units.quotations[unit]


def _quotation_of(unit: int, options: ReportOptions, units: Units) -> dict[str, Any]:
    view = units.views[unit]
    original = with_cuts(quotation_parts(view["text"], view["nugget"] or view["text"].strip()),
                         options.cut_marker)
    translation = (translation_with_cuts(view["translation"], options.cut_marker)
                   if view["translation"] else None)
    shown = translation if options.translated and translation else original
    language = options.language if shown is translation else options.source_language
    said = who_said_it(options.language, options.attribution, units.who.get(unit, []),
                       units.times.get(unit))
    attribution = str(phrases(options.language)["attribution"]).format(names=said) \
        if said else ""
    return {"unit": view["unit"], "text": shown, "original": original,
            "translation": translation, "ref": view["ref"], "participant": view["participant"],
            "attribution": attribution, "language": language,
            "inline": 0 < len(shown.split()) < options.inline_words}


def _blocks(description: str | None, nuggets: list[int], options: ReportOptions,
            units: Units) -> list[dict[str, Any]]:
    """The analytic text as paragraphs and quotations: a paragraph `[U7]` places U7's
    quotation there; quotations not placed follow the text. Short ones may run inline."""
    blocks: list[dict[str, Any]] = []
    placed: set[int] = set()
    queue: list[tuple[str, Any]] = []
    for para in paragraphs(description):
        m = PLACED.fullmatch(para)
        if m and int(m.group(1)) in units.views:
            placed.add(int(m.group(1)))
            queue.append(("quote", int(m.group(1))))
        else:
            queue.append(("text", " ".join(para.split())))
    queue += [("quote", u) for u in nuggets if u not in placed]
    for kind, value in queue:
        if kind == "text":
            blocks.append({"kind": "text", "text": value})
            continue
        quote = _quotation(value, options, units)
        if quote["inline"] and blocks and blocks[-1]["kind"] == "text":
            inline = quoted(options.language, quote["text"])
            blocks[-1]["text"] += " " + inline + (f" {quote['attribution']}"
                                                  if quote["attribution"] else "")
        else:
            blocks.append({"kind": "quote", "quote": quote})
    return blocks


def _linked(conn: sqlite3.Connection, target: Target) -> list[str]:
    return [f"U{r[0]}" for r in conn.execute(
        "SELECT unit FROM condensate_units WHERE kind = ? AND owner = ? ORDER BY unit",
        (target.kind, target.id))]


def _section(conn: sqlite3.Connection, target: Target, row: sqlite3.Row, number: str,
             ids: list[int], prev: Prevalence | None, options: ReportOptions, units: Units
             ) -> dict[str, Any]:
    nuggets = [u for u in ids if u in units.nuggets]
    description = get_text(conn, row["description"]) if row["description"] else None
    heading = row["heading"] or target.name
    return {
        "kind": target.kind, "label": target.label, "name": target.name, "number": number,
        "heading": heading, "numbered": f"{number} {heading}" if number else heading,
        "description": description,
        "blocks": _blocks(description, nuggets, options, units),
        "condensate": get_text(conn, row["condensate"]) if row["condensate"] else None,
        "rests_on": _linked(conn, target),
        **({"units": [units.views[u] for u in ids]} if units.every else {}),
        "quotations": [_quotation(u, options, units) for u in nuggets],
        "prevalence": prev.as_json() if prev else None,
        "anchor": f"{target.kind}-{target.id}",
    }


def categories(conn: sqlite3.Connection, options: ReportOptions, audit: bool = False
               ) -> list[dict[str, Any]]:
    """The categories and subcategories as the chapter shows them; for the audit trail also
    the views of their units and of those set aside."""
    language = options.language
    prev = {(p.group, p.subgroup): p for p in prevalence(conn, language)}
    aside = {int(r[0]) for r in conn.execute("SELECT id FROM units WHERE aside IS NOT NULL")}
    units = Units.load(conn, options, every=audit)
    in_group, in_subgroup = members(conn, "group"), members(conn, "subgroup")
    out = []
    groups = conn.execute("SELECT * FROM code_groups ORDER BY position, id").fetchall()
    chapter = f"{options.chapter}." if options.chapter else ""
    for i, g in enumerate(groups, start=1):
        target = Target("group", g["id"], g["name"], g["id"], g["name"])
        subs = subgroups_of(conn, g["id"])
        held = in_group.get(g["id"], [])
        kept = [u for u in held if u not in aside]
        number = f"{chapter}{i}" if chapter else ""
        section = _section(conn, target, g, number, kept if not subs else [],
                           prev.get((g["name"], None)), options, units)
        section["all_units"] = len(kept)
        section["group_id"] = int(g["id"])
        if audit:
            section["aside"] = [units.views[u] for u in held if u in aside]
        section["subcategories"] = [
            _section(conn, sub_target, s, f"{number}.{j}" if number else "",
                     in_subgroup.get(s["id"], []), prev.get((g["name"], s["name"])), options,
                     units)
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
    intro = p["overview_intro_one"] if len(cats) == 1 else p["overview_intro"]
    return str(intro).format(n=number_word(language, len(cats)),
                             items=join_words(language, items))


def history(conn: sqlite3.Connection, upto: int, recs: list[Record] | None = None,
            language: str = "en") -> list[dict[str, Any]]:
    """Every change, said in `language`; a revision the method asks a reason for and that has
    none is marked."""
    recs = recs if recs is not None else list(records(conn, upto))
    given = {r.payload["seq"] for r in recs if r.kind == "reason" and r.why}
    return [{"seq": rec.seq, "at": rec.at, "author": rec.author, "kind": rec.kind,
             "summary": rec.summary(language), "why": rec.why,
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


def _validated(conn: sqlite3.Connection, cats: list[dict[str, Any]]) -> None:
    """Give every category when it was last validated against the transcripts, if after its
    last change."""
    found = {v.group_id: v for v in validations(conn)}
    for c in cats:
        v = found.get(c["group_id"])
        c["validated"] = ({"seq": v.validated, "at": v.at, "author": v.author}
                          if v is not None and v.current else None)


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


def objects(conn: sqlite3.Connection, upto: int, recs: list[Record] | None = None
            ) -> list[dict[str, Any]]:
    """Every theme, code, group and subgroup now held, with the changes in its life: under
    every name it bore, and those of what was merged into it."""
    lives = Lives(recs if recs is not None else list(records(conn, upto)))
    out: list[dict[str, Any]] = []
    for kind, sql in (
        ("theme", "SELECT id, name FROM themes ORDER BY position, id"),
        ("group", "SELECT id, name FROM code_groups ORDER BY position, id"),
        ("subgroup", "SELECT s.id, g.name || '/' || s.name FROM subgroups s JOIN code_groups g"
                     " ON g.id = s.group_id ORDER BY g.position, s.position, s.id"),
        ("code", "SELECT id, name FROM codes ORDER BY name"),
    ):
        for ident, name in conn.execute(sql):
            life = lives.touching(lives.lineage({f"{kind}:{ident}"}))
            out.append({"kind": kind, "name": name, "changes": [r.seq for r in life]})
    return out


def memos(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT m.id, m.kind, m.ref, m.body, t.at, t.author FROM memos m"
        " LEFT JOIN trail t ON t.seq = m.seq ORDER BY m.seq, m.id").fetchall()
    return [{"id": f"M{r['id']}", "kind": r["kind"], "ref": r["ref"],
             "body": get_text(conn, r["body"]) or "[erased]", "at": r["at"],
             "author": r["author"]} for r in rows]


def withdrawn_note(conn: sqlite3.Connection, language: str) -> str:
    """What the results chapter says of transcripts withdrawn from further analysis."""
    held_back = withdrawn(conn)
    if not held_back:
        return ""
    return str(phrases(language)["withdrawn_note"]).format(
        interviews=count_words(language, "interview", len(held_back)))


def documents(conn: sqlite3.Connection, language: str) -> list[dict[str, Any]]:
    speaking = document_participants(conn)
    every = participant_names(conn)
    values = attributes_of(conn, "doc")
    held_back = withdrawn(conn)
    withdrawn_doc = str(phrases(language)["withdrawn_doc"])
    return [{"id": r["id"],
             "withdrawn": (withdrawn_doc.format(seq=held_back[r["id"]])
                           if r["id"] in held_back else ""),
             "participant": ", ".join(every[p] for p in speaking.get(r["id"], [])),
             "filename": stored_value(conn, r["filename"]), "version": r["version"],
             "attributes": {k: v.text for k, v in values.get(r["id"], {}).items()},
             "units": conn.execute("SELECT COUNT(*) FROM units WHERE doc = ?",
                                   (r["id"],)).fetchone()[0]}
            for r in conn.execute("SELECT * FROM documents ORDER BY id")]


def participants_table(conn: sqlite3.Connection) -> dict[str, Any]:
    """The participants with their transcripts, turns, words and attributes (the audit's
    table: the supervisor sees the real values)."""
    infos = listing(conn)
    keys = list(dict.fromkeys(k for i in infos for k in i.attributes))
    return {"keys": keys, "rows": [
        {"id": i.ref, "name": i.name, "transcripts": i.transcripts, "turns": i.turns,
         "words": i.words, "values": [_shown(i.attributes.get(k)) for k in keys]}
        for i in infos]}


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def by_table(conn: sqlite3.Connection, language: str, options: ReportOptions,
             hide_small: bool) -> dict[str, Any] | None:
    """Prevalence per value of the attribute the settings name (`by`): each cell the
    participants who contributed of those with the value, and the units. In the results
    chapter a count of participants below `min_cell` prints as "< 3" (`hide_small`)."""
    if not options.by:
        return None
    table = prevalence_by(conn, language, options.by, options.min_cell)

    def count(n: int) -> str:
        return table.shown(n) if hide_small else str(n)

    p = phrases(language)
    return {
        "title": str(p["by_title"]).format(key=table.key),
        "columns": [{"value": c, "n": count(t)} for c, t in
                    zip(table.columns, table.totals, strict=True)],
        "rows": [{"group": r.group, "subgroup": r.subgroup,
                  "cells": [f"{count(c.participants)}/{count(c.total)} ({c.units})"
                            for c in r.cells]} for r in table.rows],
        "note": " ".join([str(p["by_cell"]),
                          *([str(p["by_small"]).format(min=table.min_cell)]
                            if hide_small and table.small else []),
                          *([table.basis] if table.basis else [])]),
    }


# what `build` adds for the audit trail: no Word or Excel file shows it
AUDIT_PARTS = frozenset({"checks", "history", "seal", "comments", "objects", "memos",
                         "documents", "participants_table", "by_audit"})


# what a category or subcategory lists only for the audit trail: the views of its units
SECTION_AUDIT_PARTS = frozenset({"units", "aside"})


def without_audit(model: dict[str, Any]) -> dict[str, Any]:
    """The model (of the results chapter or the method report) without the audit trail's
    parts: also its categories and subcategories without the views of their units."""
    return {k: _without_units(v) if k == "categories" else v
            for k, v in model.items() if k not in AUDIT_PARTS}


def _without_units(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _without_units(v) if k == "subcategories" else v for k, v in s.items()
             if k not in SECTION_AUDIT_PARTS} for s in sections]


def build(conn: sqlite3.Connection, upto: int | None, options: ReportOptions | None = None,
          title: str | None = None, checks: list[CheckResult] | None = None) -> dict[str, Any]:
    """The data of the results chapter for the state in `conn` (the trail up to change
    `upto`), with that state's settings unless `options` are given; given the results of the
    checks, also that of the audit trail."""
    options = options or report_options(conn)
    language = options.language
    stamped = stamp(conn, upto, options)
    state = stamped["state"]
    cats = categories(conn, options, audit=checks is not None)
    p = phrases(language)
    chapter_title = f"{options.chapter} {p['results']}" if options.chapter else p["results"]
    model = {
        **stamped, "p": p, "language_tag": options.language_tag,
        "source_language": options.source_language, "options": options._asdict(),
        "state_line": str(p["state"]).format(seq=state["seq"], at=state["at"],
                                             hash=state["hash"], version=state["version"]),
        "title": title or _project_value(conn, "title") or "",
        "question": _project_value(conn, "question"),
        "chapter": options.chapter,
        "chapter_title": chapter_title,
        "overview": overview(language, cats),
        "withdrawn": withdrawn_note(conn, language),
        "categories": cats,
        "participants": named(conn, study_participants(conn)),
        "themes": [r[0] for r in conn.execute("SELECT name FROM themes ORDER BY position, id")],
        "by_table": by_table(conn, language, options, hide_small=True),
        "basis": basis(conn, language),
    }
    if checks is not None:
        recs = list(records(conn, state["seq"]))  # read once for the history and the objects
        _coded(conn, cats)
        _validated(conn, cats)
        model.update({  # the keys of AUDIT_PARTS
            "checks": [c.as_json() for c in checks],
            "history": history(conn, state["seq"], recs, language),
            "seal": latest_seal(conn, state["seq"]),
            "comments": [c.as_json() for c in comments(conn)],
            "objects": objects(conn, state["seq"], recs),
            "memos": memos(conn),
            "documents": documents(conn, language),
            "participants_table": participants_table(conn),
            "by_audit": by_table(conn, language, options, hide_small=False),
        })
    return model
