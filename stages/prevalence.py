"""Prevalence: how many meaning units and participants carry each category and subcategory,
and the words a results chapter may use for it ("alle informantene", "three of four"); and the
same for each value of an attribute (`stc prevalence --by`): a focus group's time points, a
profession, bands of a score. Comparisons are descriptive: counts and words, no statistics.

The participants of a unit are those of the speaker turns it overlaps (in a focus group, each
who spoke in it), else the participant of its transcript (stc.units). The study's participants
are everyone who speaks in a current transcript. In a focus-group project the words count
participants, once each across the meetings, and `basis` says so.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from stc import naming
from stc.attributes import MIN_CELL, PLURAL, Value, attributes_of, keys_of
from stc.errors import StcError
from stc.participants import group_transcripts, names, study_participants
from stc.phrases import meetings, number_word, phrases
from stc.settings import values
from stc.stages.condensation import members, subgroups_of
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


def prevalence_words(language: str, n: int, total: int, group: bool = False) -> str:
    """'alle informantene', 'tre av fire informanter', 'en av informantene', ...; in a
    focus group 'alle deltakerne', 'tre av fem deltakere', ..."""
    p = phrases(language)
    prefix = "prevalence_group_" if group else "prevalence_"
    if n == 0:
        return str(p[prefix + "none"])
    if n == total == 1:
        return str(p[prefix + "only"])
    if n == total == 2:
        return str(p[prefix + "both"])
    if n == total:
        return str(p[prefix + "all"])
    if n == 1:
        return str(p[prefix + "one"])
    return str(p[prefix + "some"]).format(n=number_word(language, n),
                                          total=number_word(language, total))


def basis(conn: sqlite3.Connection, language: str) -> str | None:
    """In a focus-group project, the sentence that says how participants are counted; None
    in a project of interviews."""
    times = len(group_transcripts(conn))
    if not times:
        return None
    return str(phrases(language)["prevalence_group_basis"]).format(
        meetings=meetings(language, times))


def category_units(conn: sqlite3.Connection) -> list[tuple[str, str | None, list[int]]]:
    """Each category, then its subcategories, in the user's order, with their meaning units:
    a category counts every unit of its group that is not set aside."""
    groups, subgroups = members(conn, "group", aside=False), members(conn, "subgroup")
    out: list[tuple[str, str | None, list[int]]] = []
    for g in conn.execute("SELECT id, name FROM code_groups ORDER BY position, id").fetchall():
        out.append((g["name"], None, groups.get(g["id"], [])))
        for s in subgroups_of(conn, g["id"]):
            out.append((g["name"], s["name"], subgroups.get(s["id"], [])))
    return out


def prevalence(conn: sqlite3.Connection, language: str) -> list[Prevalence]:
    """One row per category, then its subcategories, in the user's order."""
    total = len(study_participants(conn))
    who = participants_by_unit(conn)
    named = names(conn)
    group = bool(group_transcripts(conn))
    out = []
    for group_name, subgroup, units in category_units(conn):
        people = sorted({p for u in units for p in who[u]},
                        key=lambda p: named.get(p, "").casefold())
        out.append(Prevalence(group_name, subgroup, len(units), len(people), total,
                              tuple(named.get(p, f"P{p}") for p in people),
                              prevalence_words(language, len(people), total, group)))
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


# -- by attribute --------------------------------------------------------------------------------

_BAND = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*-\s*(-?\d+(?:[.,]\d+)?)\s*$")


class Column(NamedTuple):
    """One value of the attribute compared (or one band of its numbers): the participants
    it holds, and for a transcript attribute the transcripts."""

    label: str
    members: frozenset[int]
    docs: frozenset[str] | None = None


@dataclass(frozen=True)
class Cell:
    """A category's prevalence among the participants of one value."""

    units: int
    participants: int
    total: int
    words: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ByRow:
    group: str
    subgroup: str | None
    cells: list[Cell]


@dataclass
class ByAttribute:
    """Prevalence per category and subcategory for each value of an attribute."""

    key: str
    owner_kind: str  # participant or doc
    columns: list[str]
    totals: list[int]  # participants per value
    rows: list[ByRow] = field(default_factory=list)
    min_cell: int = MIN_CELL
    basis: str | None = None  # how a focus group's participants are counted

    def hidden(self, count: int) -> bool:
        """Whether a count of participants is too small to show in a report: at a handful of
        participants a profession and a score can name a person. Transcript attributes (time
        points) name no one and are never hidden."""
        return self.owner_kind == "participant" and 0 < count < self.min_cell

    @property
    def small(self) -> bool:
        """Some count would be hidden in a report."""
        counts = [*self.totals, *(c.participants for r in self.rows for c in r.cells)]
        return any(self.hidden(n) for n in counts)

    def shown(self, count: int) -> str:
        """A count as a report prints it: "< 3" when it would be too small."""
        return f"< {self.min_cell}" if self.hidden(count) else str(count)

    def as_json(self) -> dict[str, Any]:
        return {"by": self.key, "owner": self.owner_kind, "min_cell": self.min_cell,
                "columns": [{"value": c, "participants": t}
                            for c, t in zip(self.columns, self.totals, strict=True)],
                "rows": [{"group": r.group, "subgroup": r.subgroup,
                          "cells": [c.as_json() for c in r.cells]} for r in self.rows]}


def parse_by(text: str) -> tuple[str, list[tuple[float, float]] | None]:
    """ATTRIBUTE or ATTRIBUTE=FROM-TO,FROM-TO: the key and its numeric bands."""
    key, sep, spec = text.partition("=")
    if not sep:
        return key.strip(), None
    bands = []
    for part in spec.split(","):
        m = _BAND.fullmatch(part)
        if m is None:
            raise StcError("E815", bands=spec)
        low, high = (float(x.replace(",", ".")) for x in m.groups())
        if high <= low:
            raise StcError("E815", bands=spec)
        bands.append((low, high))
    return key.strip(), bands


def _band_label(low: float, high: float) -> str:
    return f"{low:g}-{high:g}"


def _label(value: Value | None, bands: list[tuple[float, float]] | None, language: str) -> str:
    """The column a value falls in: its band (from included, to excluded; the last band
    includes its end), or the value itself."""
    p = phrases(language)
    if value is None:
        return str(p["no_value"])
    if bands is None:
        return value.text
    number = float(value.text)
    for i, (low, high) in enumerate(bands):
        if low <= number < high or (i == len(bands) - 1 and number == high):
            return _band_label(low, high)
    return str(p["outside_bands"])


def _columns(conn: sqlite3.Connection, language: str, key: str,
             bands: list[tuple[float, float]] | None) -> tuple[str, list[Column]]:
    """Which kind of owner holds the attribute (participants first), and its columns."""
    people = study_participants(conn)
    speaking: dict[str, set[int]] = {}
    for doc, who in conn.execute(
            "SELECT DISTINCT t.doc, t.participant FROM turns t JOIN documents d"
            " ON d.id = t.doc AND d.version = t.version WHERE t.participant IS NOT NULL"):
        speaking.setdefault(str(doc), set()).add(int(who))
    for kind, owners in (("participant", [str(p) for p in people]), ("doc", sorted(speaking))):
        values = attributes_of(conn, kind)
        held = {owner: v for owner in owners
                for k, v in values.get(owner, {}).items() if naming.key(k) == naming.key(key)}
        if not held:
            continue
        if bands is not None and any(v.type != "number" for v in held.values()):
            raise StcError("E816", key=key, kind=PLURAL[next(iter(held.values())).type])
        order = [_band_label(*b) for b in bands] if bands is not None else \
            [v.text for v in sorted(set(held.values()), key=Value.sort_key)]
        grouped: dict[str, set[str]] = {}
        for owner in owners:
            grouped.setdefault(_label(held.get(owner), bands, language), set()).add(owner)
        labels = [*order, *(label for label in grouped if label not in order)]
        columns = []
        for label in dict.fromkeys(labels):
            chosen = grouped.get(label, set())
            if kind == "participant":
                columns.append(Column(label, frozenset(int(o) for o in chosen)))
            elif chosen:
                members = frozenset(p for doc in chosen for p in speaking[doc])
                columns.append(Column(label, members, frozenset(chosen)))
        return kind, columns
    known = keys_of(conn, "participant") + keys_of(conn, "doc")
    raise StcError("E814", key=key, keys=", ".join(dict.fromkeys(known)) or "none yet")


def prevalence_by(conn: sqlite3.Connection, language: str, by: str,
                  min_cell: int = MIN_CELL) -> ByAttribute:
    """Units and participants per category and subcategory for each value of the attribute
    `by` (`tidspunkt`, or `ors_start=0-20,20-40` in numeric bands)."""
    key, bands = parse_by(by)
    kind, columns = _columns(conn, language, key, bands)
    who = participants_by_unit(conn)
    doc_of = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, doc FROM units")}
    group = bool(group_transcripts(conn))
    result = ByAttribute(key, kind, [c.label for c in columns],
                         [len(c.members) for c in columns], min_cell=min_cell,
                         basis=basis(conn, language))
    for group_name, subgroup, units in category_units(conn):
        cells = []
        for column in columns:
            if column.docs is None:  # a participant attribute: the units its people spoke in
                inside = [u for u in units if column.members & set(who[u])]
                people = {p for u in inside for p in who[u]} & column.members
            else:  # a transcript attribute: the units of its transcripts
                inside = [u for u in units if doc_of[u] in column.docs]
                people = {p for u in inside for p in who[u]}
            cells.append(Cell(len(inside), len(people), len(column.members),
                              prevalence_words(language, len(people), len(column.members),
                                               group)))
        result.rows.append(ByRow(group_name, subgroup, cells))
    return result
