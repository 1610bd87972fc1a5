"""`stc check`: the method's checks and the integrity of quotations, each failure naming its place.

Every check is one function that returns the places where it fails; `CHECKS` holds them in the
order of the four steps. They read a connection only, so they run on a replayed past state too.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stc.consent import withdrawn
from stc.participants import named
from stc.phrases import Said, phrases, project_language, say
from stc.settings import values
from stc.stages.condensation import (
    Target,
    condensation_targets,
    drift,
    every_target_units,
    ids,
    quote_is_verbatim,
    subgroups_of,
    unsorted_units,
)
from stc.stages.impression import THEMES_MAX, THEMES_MIN
from stc.stages.synthesis import identifying_names, names_in, names_pattern
from stc.texts import get_text
from stc.units import DocText, load_doc, participants_by_unit


class Finding(NamedTuple):
    """One place where a check fails (or, `warning`, where it asks the user to look): an id
    from the catalogue (`check_messages` in stc/locales) and the fields its message names (a
    field that is what a change did is said in the message's language)."""

    id: str
    fields: dict[str, Any]
    warning: bool = False

    def message(self, language: str) -> str:
        return str(phrases(language)["check_messages"][self.id]).format(
            **self.said_fields(language))

    def said_fields(self, language: str) -> dict[str, Any]:
        return {k: say(language, v) if isinstance(v, Said) else v for k, v in self.fields.items()}


@dataclass
class CheckResult:
    """One of the checks of `stc check`, with what fails it, in the report language."""

    id: str
    title: str
    found: list[Finding] = field(default_factory=list)
    language: str = "en"

    @property
    def failures(self) -> list[str]:
        return [f.message(self.language) for f in self.found if not f.warning]

    @property
    def warnings(self) -> list[str]:
        return [f.message(self.language) for f in self.found if f.warning]

    @property
    def ok(self) -> bool:
        return not any(not f.warning for f in self.found)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "ok": self.ok, "failures": self.failures,
                "warnings": self.warnings,
                "problems": [{"id": f.id, "warning": f.warning,
                              "message": f.message(self.language),
                              **f.said_fields(self.language)}
                             for f in self.found]}


Check = Callable[[sqlite3.Connection], list[Finding]]


def _groups(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM code_groups ORDER BY position, id").fetchall()


def check_themes(conn: sqlite3.Connection) -> list[Finding]:
    n = int(conn.execute("SELECT COUNT(*) FROM themes").fetchone()[0])
    if THEMES_MIN <= n <= THEMES_MAX:
        return []
    return [Finding("themes.count", {"n": n, "min": THEMES_MIN, "max": THEMES_MAX})]


def pasted(name: str, value: str) -> dict[str, str]:
    """A name as a message shows it, and as the command in the message takes it: quoted for
    the shell where it needs it (`name_sh`), so the suggested command pastes."""
    return {name: value, f"{name}_sh": shlex.quote(value)}


def check_codes_grouped(conn: sqlite3.Connection) -> list[Finding]:
    return [Finding("codes-grouped.ungrouped", pasted("code", r[0]))
            for r in conn.execute("SELECT name FROM codes WHERE group_id IS NULL ORDER BY name")]


def check_units_sorted(conn: sqlite3.Connection) -> list[Finding]:
    out = [Finding("units-sorted.unsorted", {"unit": f"U{unit}", **pasted("group", group)})
           for unit, group in unsorted_units(conn)]
    out += [Finding("units-sorted.ungrouped", {"unit": f"U{r[0]}"}) for r in conn.execute(
        "SELECT u.id FROM units u WHERE NOT EXISTS (SELECT 1 FROM unit_codes uc JOIN codes c"
        " ON c.id = uc.code WHERE uc.unit = u.id AND c.group_id IS NOT NULL) ORDER BY u.id")]
    return out


_WORD = re.compile(r"\w+(?:['’]\w+)?")


def first_person(text: str, language: str) -> bool:
    pronouns = {p for p in phrases(language)["first_person"] if " " not in p}
    return any(w.lower().replace("’", "'") in pronouns for w in _WORD.findall(text))


def check_condensates(conn: sqlite3.Connection) -> list[Finding]:
    language = project_language(conn)  # condensates keep the participants' own words
    out = []
    for target, row in condensation_targets(conn):
        body = get_text(conn, row["condensate"]) if row["condensate"] else None
        if body is None:
            out.append(Finding("condensates.missing", pasted("target", target.label)))
        elif not first_person(body, language):
            out.append(Finding("condensates.not-first-person", {"target": target.label}))
        else:
            out += _drifted(conn, target)
    return out


def _drifted(conn: sqlite3.Connection, target: Target) -> list[Finding]:
    """The units under a condensate that changed since it was written: added to its
    subgroup, moved out, deleted, or with another text (edited, split, joined). A condensate
    written before links were kept has none to compare."""
    found = drift(conn, target)
    if found is None:
        return []
    return [Finding(ident, {**pasted("target", target.label), "units": ids(units)})
            for ident, units in (("condensates.deleted", found.deleted),
                                 ("condensates.changed", found.changed),
                                 ("condensates.gone", found.gone),
                                 ("condensates.uncovered", found.new)) if units]


def check_descriptions(conn: sqlite3.Connection) -> list[Finding]:
    out = []
    for g in _groups(conn):
        if g["description"] is None:
            out.append(Finding("analytic-texts.category", pasted("name", g["name"])))
        for s in subgroups_of(conn, g["id"]):
            if s["description"] is None:
                out.append(Finding("analytic-texts.subcategory",
                                   pasted("name", f"{g['name']}/{s['name']}")))
    return out


def check_nuggets(conn: sqlite3.Connection) -> list[Finding]:
    out = []
    held = values(conn)
    translated = held.report_language != held["language"]
    held_back = withdrawn(conn)  # their quotations are not printed (stc.consent)
    under = every_target_units(conn)
    quoted = {int(u): t for u, t, doc in conn.execute(
        "SELECT id, translation, doc FROM units WHERE nugget IS NOT NULL") if doc not in held_back}
    for target, _ in condensation_targets(conn):
        marks = [(u, quoted[u]) for u in under.get((target.kind, target.id), []) if u in quoted]
        if not marks:
            kind = "subcategory" if target.kind == "subgroup" else "category"
            out.append(Finding(f"quotations.{kind}", {"name": target.label}))
        if translated:
            out += [Finding("quotations.untranslated",
                            {"unit": f"U{u}", "language": held["report.language"]}, True)
                    for u, translation in marks if translation is None]
    return out


def check_verbatim(conn: sqlite3.Connection) -> list[Finding]:
    """Every unit's text is the speech at its place, and every quotation verbatim in it. A
    unit recorded before units left speaker labels out kept the label in its text: that text
    is still the transcript's own (the reports show its speech); a quotation holding the label
    is named as such, as it would print the label."""
    out = []
    docs: dict[str, DocText] = {}
    for u in conn.execute(  # with their texts, not a query per unit
            "SELECT u.*, t.body AS text_body, q.body AS nugget_body FROM units u"
            " LEFT JOIN texts t ON t.hash = u.text LEFT JOIN texts q ON q.hash = u.nugget"
            " ORDER BY u.id").fetchall():
        if u["doc"] not in docs:
            docs[u["doc"]] = load_doc(conn, u["doc"])
        doc = docs[u["doc"]]
        if int(u["version"]) != doc.version:
            continue  # reported by check_current
        where = {"unit": f"U{u['id']}", "doc": u["doc"]}
        if not doc.holds(u["start"], u["end"], u["text_body"]):
            out.append(Finding("verbatim.unit", {**where, "start": u["start"], "end": u["end"]}))
        if u["nugget"] is not None:
            out += _quotation(u["nugget_body"], doc.spoken(u["start"], u["end"]),
                              doc.text[u["start"]:u["end"]], where)
    return out


def _quotation(quote: str | None, spoken: str, stretch: str, where: dict[str, Any]
               ) -> list[Finding]:
    if quote is not None and quote_is_verbatim(spoken, quote):
        return []
    if quote is not None and quote_is_verbatim(stretch, quote):
        return [Finding("verbatim.label", where)]  # marked when units kept their labels
    return [Finding("verbatim.quotation", where)]


def check_current(conn: sqlite3.Connection) -> list[Finding]:
    out = []
    for u in conn.execute(
        "SELECT u.id, u.doc, u.review, u.version, d.version AS current FROM units u"
        " JOIN documents d ON d.id = u.doc ORDER BY u.id"
    ):
        where = {"unit": f"U{u['id']}", "doc": u["doc"]}
        if u["review"]:
            out.append(Finding("current.review", {**where, "reason": u["review"]}))
        elif u["version"] != u["current"]:
            out.append(Finding("current.replaced", {**where, "version": u["version"],
                                                    "current": u["current"]}))
    return out


def identifying_places(conn: sqlite3.Connection) -> list[Finding]:
    """Every quotation (and its translation), condensate, analytic text and heading that
    contains an identifying name; when quotations are attributed, the pseudonyms printed."""
    pattern = names_pattern(identifying_names(conn))
    out = _pseudonyms(conn, pattern) if values(conn)["report.quote_attribution"] == \
        "participant" else []
    if pattern is None:
        return out
    language = values(conn).report_language
    for u in conn.execute("SELECT id, nugget, translation FROM units WHERE nugget IS NOT NULL"
                          " ORDER BY id"):
        for column, ident in (("nugget", "quotation"), ("translation", "translation")):
            for name in names_in(get_text(conn, u[column]) or "" if u[column] else "", pattern):
                out.append(Finding(f"identifying-names.{ident}",
                                   {"unit": f"U{u['id']}", "name": name}))
    for table, kind in (("code_groups", "group"), ("subgroups", "subgroup")):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall():
            label = _label(conn, table, row)
            for field_name in ("condensate", "description", "heading"):
                value = row[field_name]
                body = value if field_name == "heading" else get_text(conn, value)
                for name in names_in(body or "", pattern):
                    out.append(Finding(f"identifying-names.{field_name}", {
                        "kind": phrases(language)["check_messages"][f"kind.{kind}"],
                        "label": label, "name": name}))
    return out


_ID_LIKE = re.compile(r"\d|^\W*\w\W*$")  # "Informant 2", "P3", "I1", "A": not names


def _pseudonyms(conn: sqlite3.Connection, pattern: re.Pattern[str] | None) -> list[Finding]:
    """The participants' names that attributed quotations print: one on the list of
    identifying names fails; one that reads as a person's name (a capitalised word the
    language does not know as an ordinary word) is a warning, since invented first names are
    a common, deliberate choice of pseudonym."""
    language = project_language(conn)
    speaking = {p for who in participants_by_unit(conn).values() for p in who}
    names = sorted(set(named(conn, sorted(speaking))))
    out = []
    for name in names:
        if names_in(name, pattern):
            out.append(Finding("identifying-names.pseudonym", {"name": name}))
        elif not _ID_LIKE.search(name) and any(_reads_as_name(w, language)
                                               for w in re.findall(r"\w+", name)):
            out.append(Finding("identifying-names.name-like", {"name": name}, True))
    return out


def _reads_as_name(word: str, language: str) -> bool:
    """A capitalised word the language's lexicon knows as a proper noun, or not at all."""
    from stc.pseudonymise import is_ordinary_word, ordinary_words

    if not word[:1].isupper():
        return False
    lexicon = ordinary_words(language) or {}
    return lexicon.get(word) == word or not is_ordinary_word(word, language)


def _label(conn: sqlite3.Connection, table: str, row: sqlite3.Row) -> str:
    if table == "code_groups":
        return str(row["name"])
    group = conn.execute("SELECT name FROM code_groups WHERE id = ?",
                         (row["group_id"],)).fetchone()
    return f"{group[0] if group else '?'}/{row['name']}"


IDENTIFYING = "identifying-names"

def check_reasons(conn: sqlite3.Connection) -> list[Finding]:
    """Every revision of the analysis in effect — rename, merge, drop, set-aside, erasure —
    carries a reason, given with it (--why) or later (`stc reason N TEXT`). Off with the
    setting `check.require_reasons = false`."""
    if not values(conn)["check.require_reasons"]:
        return []
    from stc.trail import effective, records

    all_records = list(records(conn))
    given = {r.payload["seq"] for r in all_records if r.kind == "reason" and r.why}
    return [Finding("reasons.missing", {"seq": r.seq, "summary": r.said()})
            for r in effective(all_records) if needs_reason(r.kind, r.payload)
            and not (r.why or "").strip() and r.seq not in given]


def check_validated(conn: sqlite3.Connection) -> list[Finding]:
    """Every category was validated against the transcripts after its last change."""
    from stc.stages.supervision import validations

    out = []
    for v in validations(conn):
        if v.validated is None:
            out.append(Finding("validated.never", {"name": v.name}))
        elif not v.current:
            out.append(Finding("validated.stale", {"name": v.name, "seq": v.last_change,
                                                   "validated": v.validated}))
    return out


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
    ("validated", "every category validated against the transcripts after its last change",
     check_validated),
]


def run_checks(conn: sqlite3.Connection) -> list[CheckResult]:
    """Every check, its title and messages in the report language."""
    language = values(conn).report_language
    titles = phrases(language)["check_titles"]
    return [CheckResult(ident, titles[ident], check(conn), language)
            for ident, _, check in CHECKS]


def identifying_check(conn: sqlite3.Connection) -> CheckResult:
    """The one check every report needs before it is written."""
    language = values(conn).report_language
    ident, _, check = next(c for c in CHECKS if c[0] == IDENTIFYING)
    return CheckResult(ident, phrases(language)["check_titles"][ident], check(conn), language)
