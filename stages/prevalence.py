"""Prevalence: how many meaning units and participants carry each category and subcategory,
and the words a results chapter may use for it ("alle informantene", "three of four").

The participants of a unit are those of the speaker turns it overlaps (in a focus group, each
speaker), else the participant of its transcript. The study's participants are every participant
who speaks in a current transcript.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from stc.phrases import number_word, phrases
from stc.settings import values
from stc.stages.condensation import Target, group_units, subgroups_of, target_units
from stc.units import participants_by_unit

if TYPE_CHECKING:
    import pandas as pd

    from stc.project import Project


@dataclass(frozen=True)
class Prevalence:
    """How many participants and meaning units stand behind a group or subgroup."""

    group: str
    subgroup: str | None
    units: int
    participants: int
    total: int
    names: tuple[str, ...]
    words: str

    @property
    def share(self) -> float:
        return self.participants / self.total if self.total else 0.0

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "names": list(self.names), "share": round(self.share, 4)}


def study_participants(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT t.participant FROM turns t JOIN documents d"
        " ON d.id = t.doc AND d.version = t.version WHERE t.participant IS NOT NULL")
    found = {str(r[0]) for r in rows}
    if not found:
        found = {str(r[0]) for r in conn.execute("SELECT participant FROM documents")}
    return sorted(found)


def prevalence_words(language: str, n: int, total: int) -> str:
    """'alle informantene', 'tre av fire informanter', 'en av informantene', ..."""
    p = phrases(language)
    if n == 0:
        return str(p["prevalence_none"])
    if n == total == 1:
        return str(p["prevalence_only"])
    if n == total == 2:
        return str(p["prevalence_both"])
    if n == total:
        return str(p["prevalence_all"])
    if n == 1:
        return str(p["prevalence_one"])
    return str(p["prevalence_some"]).format(n=number_word(language, n),
                                            total=number_word(language, total))


def _measure(who: dict[int, list[str]], language: str, units: list[int], total: int,
             group: str, subgroup: str | None) -> Prevalence:
    names = sorted({name for u in units for name in who[u]})
    return Prevalence(group, subgroup, len(units), len(names), total, tuple(names),
                      prevalence_words(language, len(names), total))


def prevalence(conn: sqlite3.Connection, language: str) -> list[Prevalence]:
    """One row per category, then its subcategories, in the user's order. A category counts every
    unit of its group that is not set aside."""
    total = len(study_participants(conn))
    who = participants_by_unit(conn)
    aside = {int(r[0]) for r in conn.execute("SELECT id FROM units WHERE aside IS NOT NULL")}
    out = []
    for g in conn.execute("SELECT id, name FROM code_groups ORDER BY position, id").fetchall():
        units = [u for u in group_units(conn, g["id"]) if u not in aside]
        out.append(_measure(who, language, units, total, g["name"], None))
        for s in subgroups_of(conn, g["id"]):
            target = Target("subgroup", s["id"], s["name"], g["id"], g["name"])
            out.append(_measure(who, language, target_units(conn, target), total, g["name"],
                                s["name"]))
    return out


def prevalence_frame(project: Project | sqlite3.Connection,
                     language: str | None = None) -> pd.DataFrame:
    """Prevalence per category and subcategory as a pandas DataFrame."""
    import pandas as pd

    from stc.project import Project

    conn = project.conn if isinstance(project, Project) else project
    lang = language or values(conn).report_language
    rows = [{**r.as_json(), "names": ", ".join(r.names)} for r in prevalence(conn, lang)]
    columns = ["group", "subgroup", "units", "participants", "total", "share", "words", "names"]
    return pd.DataFrame(rows, columns=columns)
