"""Step 3, condensation: from code to meaning.

For each code group the researcher sorts its meaning units into subgroups (a group may have none;
then it is its own single subgroup), writes a condensate per subgroup (a first-person "artificial
quotation" resting on the subgroup's units) and picks illustrative quotations ("gold nuggets").

Writing functions take a `Project` and record changes; reading functions take a connection, so
they work on the live project and on a replayed past state (`project.replayed(N)`) alike.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from stc.errors import StcError
from stc.lookup import Named, get, get_group_or_subgroup, new_name, unit_id
from stc.naming import by_name
from stc.participants import named
from stc.participants import names as participant_names
from stc.project import Project
from stc.quotes import loosen
from stc.stages import Step, StepStatus, count
from stc.store import marks
from stc.texts import PROJECT, get_text, must_text, unit_owner
from stc.trail import Record, once
from stc.units import Places, participants_by_unit, unit_participants
from stc.words import counted

if TYPE_CHECKING:
    import pandas as pd

STEP = Step(3, "Condensation", requires=("code groups", "meaning units"),
            produces=("subgroups", "condensates", "illustrative quotations"))


def status(conn: sqlite3.Connection) -> StepStatus:
    subgroups = count(conn, "SELECT COUNT(*) FROM subgroups")
    condensed = count(conn, "SELECT COUNT(*) FROM subgroups WHERE condensate IS NOT NULL")
    nuggets = count(conn, "SELECT COUNT(*) FROM units WHERE nugget IS NOT NULL")
    unsorted = len(unsorted_units(conn))
    st = StepStatus(STEP, [f"{counted(subgroups, 'subgroup')}, {condensed} with a condensate",
                           counted(nuggets, "illustrative quotation")])
    if unsorted:
        st.facts.append(f"{counted(unsorted, 'unit')} of groups with subgroups not yet sorted")
    if count(conn, "SELECT COUNT(*) FROM code_groups") == 0:
        st.next = "stc group CODE... --into GROUP"
    elif subgroups == 0:
        st.next = "stc subgroup add GROUP NAME"
    elif unsorted:
        st.next = "stc sort UNIT... --into GROUP/SUBGROUP"
    elif condensed < subgroups:
        st.next = "stc condense GROUP/SUBGROUP --edit"
    elif nuggets == 0:
        st.next = "stc nugget UNIT"
    return st


# -- references ----------------------------------------------------------------------------

class Target(NamedTuple):
    """A code group, or a subgroup within one: what a condensate or analytic text belongs to."""

    kind: str  # "group" or "subgroup"
    id: int
    name: str
    group_id: int
    group_name: str

    @property
    def label(self) -> str:
        return self.group_name if self.kind == "group" else f"{self.group_name}/{self.name}"

    @property
    def table(self) -> str:
        return "code_groups" if self.kind == "group" else "subgroups"

    @classmethod
    def of(cls, named: Named) -> Target:
        if named.kind == "group":
            return cls("group", named.id, named.name, named.id, named.name)
        assert named.group_id is not None and named.group_name is not None
        return cls("subgroup", named.id, named.name, named.group_id, named.group_name)


def resolve_group(conn: sqlite3.Connection, name: str) -> Target:
    return Target.of(get(conn, "group", name))


def resolve_target(conn: sqlite3.Connection, ref: str) -> Target:
    """`GROUP/SUBGROUP`, `GROUP`, or a `SUBGROUP` name unique across groups."""
    return Target.of(get_group_or_subgroup(conn, ref))


def unit_groups(conn: sqlite3.Connection, unit: int) -> list[tuple[int, str]]:
    """The code groups of a unit: the groups of its codes."""
    rows = conn.execute(
        "SELECT DISTINCT g.id, g.name FROM unit_codes uc JOIN codes c ON c.id = uc.code"
        " JOIN code_groups g ON g.id = c.group_id WHERE uc.unit = ? ORDER BY g.position",
        (unit,))
    return [(int(r[0]), str(r[1])) for r in rows]


def subgroups_of(conn: sqlite3.Connection, group_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM subgroups WHERE group_id = ? ORDER BY position, id",
                        (group_id,)).fetchall()


def members(conn: sqlite3.Connection, kind: str, owner: int | None = None, *,
            aside: bool = True) -> dict[int, list[int]]:
    """The units of each code group (those coded with a code of the group; without those set
    aside if not `aside`) or each subgroup (`kind`), by id, in order; of the one `owner` when
    given. One query for all: a report shows every group and subgroup, and asks in several
    places (inside `trail.read_once`, an answer its readers share and never change)."""
    if owner is None:
        return once(conn, f"members:{kind}:{aside}", lambda: _members(conn, kind, None, aside))
    return _members(conn, kind, owner, aside)


def _members(conn: sqlite3.Connection, kind: str, owner: int | None, aside: bool
             ) -> dict[int, list[int]]:
    if kind == "subgroup":
        sql = "SELECT u.subgroup_id, u.id FROM units u WHERE u.subgroup_id IS NOT NULL"
        where = " AND u.subgroup_id = ?"
    else:
        sql = ("SELECT DISTINCT c.group_id, u.id FROM units u JOIN unit_codes uc"
               " ON uc.unit = u.id JOIN codes c ON c.id = uc.code WHERE c.group_id IS NOT NULL"
               + ("" if aside else " AND u.aside IS NULL"))
        where = " AND c.group_id = ?"
    out: dict[int, list[int]] = {}
    rows = conn.execute(sql + (where if owner is not None else "") + " ORDER BY u.id",
                        () if owner is None else (owner,))
    for key, unit in rows:
        out.setdefault(int(key), []).append(int(unit))
    return out


def group_units(conn: sqlite3.Connection, group_id: int, *, aside: bool = True) -> list[int]:
    """The units coded with a code of the group; without those set aside if not `aside`."""
    return members(conn, "group", group_id, aside=aside).get(group_id, [])


def target_units(conn: sqlite3.Connection, target: Target) -> list[int]:
    """The units a condensate of the target rests on: a subgroup's sorted units, or, for a
    group without subgroups, every unit of the group that is not set aside."""
    if target.kind == "subgroup":
        return members(conn, "subgroup", target.id).get(target.id, [])
    return group_units(conn, target.id, aside=False)


def every_target_units(conn: sqlite3.Connection) -> dict[tuple[str, int], list[int]]:
    """`target_units` of every target at once, by (kind, id), for a reader of all of them."""
    return {**{("group", g): u for g, u in members(conn, "group", aside=False).items()},
            **{("subgroup", s): u for s, u in members(conn, "subgroup").items()}}


def unsorted_units(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(unit, group name) for units of a group that has subgroups, in none of them, not aside."""
    out = []
    groups = members(conn, "group")
    placed = {unit: (sub, aside) for unit, sub, aside in conn.execute(
        "SELECT id, subgroup_id, aside FROM units")}
    for group in conn.execute("SELECT id, name FROM code_groups ORDER BY position, id"):
        subs = {int(s["id"]) for s in subgroups_of(conn, group["id"])}
        if subs:
            out += [(unit, str(group["name"])) for unit in groups.get(group["id"], [])
                    if placed[unit][0] not in subs and not placed[unit][1]]
    return out


# -- writing -------------------------------------------------------------------------------

def add_subgroup(project: Project, group: str, name: str, why: str | None = None) -> Record:
    if not name.strip():
        raise StcError("E514")
    name = new_name("subgroup", name)
    with project.batch(why) as b:
        target = resolve_group(b.conn, group)
        if by_name(b.conn, "SELECT id, name FROM subgroups", "name", name, "group_id = ?",
                   (target.id,)):
            raise StcError("E504", name=name, group=target.name)
        return b.record("subgroup.add", {"id": b.next_id("subgroups"), "name": name,
                                         "group": target.id, "group_name": target.name})


def sort_units(project: Project, units: Sequence[str], into: str,
               why: str | None = None) -> list[Record]:
    """Put units into a subgroup; a unit set aside is taken back in."""
    with project.batch(why) as b:
        target = Target.of(get(b.conn, "subgroup", into))
        ids = [unit_id(b.conn, u) for u in units]
        for unit in ids:
            groups = unit_groups(b.conn, unit)
            if target.group_id not in [g for g, _ in groups]:
                raise StcError("E507", unit=f"U{unit}", group=target.group_name,
                               groups=", ".join(n for _, n in groups) or "none")
        aside = {int(r[0]) for r in b.conn.execute("SELECT id FROM units WHERE aside IS NOT NULL")}
        return [b.record("unit.set", {"id": u, "subgroup_id": target.id,
                                      "subgroup_name": target.label,
                                      **({"aside": None} if u in aside else {})})
                for u in ids]


def set_aside(project: Project, units: Sequence[str], reason: str) -> list[Record]:
    """Set units aside from the subgroups, with the reason (kept in the state and the trail)."""
    reason = reason.strip()
    if not reason:
        raise StcError("E512")
    with project.batch(reason) as b:
        ids = [unit_id(b.conn, u) for u in units]
        return [b.record("unit.set", {"id": u, "subgroup_id": None, "aside": reason})
                for u in ids]


def unsort(project: Project, units: Sequence[str], why: str | None = None) -> list[Record]:
    """Take units out of their subgroup, or back from being set aside: they wait to be sorted
    again (in a group without subgroups they count for its condensate again). Units already
    waiting are left alone."""
    with project.batch(why) as b:
        ids = list(dict.fromkeys(unit_id(b.conn, u) for u in units))
        placed = {int(r[0]) for r in b.conn.execute(
            "SELECT id FROM units WHERE subgroup_id IS NOT NULL OR aside IS NOT NULL")}
        return [b.record("unit.set", {"id": u, "subgroup_id": None, "aside": None})
                for u in ids if u in placed]


def condense(project: Project, ref: str, text: str | None, why: str | None = None,
             over: str | None = None) -> Record:
    """Write (or, with `text` None, clear) the condensate of a subgroup, or of a group without
    subgroups, linked to the units it rests on now. `over`: the version the writer started
    from (its hash; '' for none): refused when another one was recorded since (E726)."""
    with project.batch(why) as b:
        target = resolve_target(b.conn, ref)
        if over is not None:
            written_over(b.conn, f"SELECT condensate FROM {target.table} WHERE id = ?",
                          target.id, over, f"the condensate of {target.label}")
        if target.kind == "group":
            subs = subgroups_of(b.conn, target.id)
            if subs:
                raise StcError("E508", name=target.name,
                               subgroups=", ".join(f"{target.name}/{s['name']}" for s in subs))
        units = target_units(b.conn, target) if text else []
        if text and not units:
            raise StcError("E509", name=target.label)
        value = b.text(text.strip(), PROJECT) if text else None
        return b.record("condensate.set", {"kind": target.kind, "id": target.id,
                                           "name": target.label, "value": value,
                                           "units": units, "texts": unit_texts(b.conn, units)})


# -- condensates and the units under them ------------------------------------------------------

class Drift(NamedTuple):
    """How the units under a condensate changed since it was written."""

    target: Target
    new: list[int]  # now in its subgroup (or group), not covered by it
    gone: list[int]  # it rests on them; no longer in its subgroup (or group)
    deleted: list[int]  # it rests on them; deleted since
    changed: list[int]  # it rests on them; their text changed since (edit, split, join)

    def __bool__(self) -> bool:
        return bool(self.new or self.gone or self.deleted or self.changed)

    def touches(self, units: set[int]) -> bool:
        """Whether any of `units` is one it rests on and lost or changed."""
        return bool(units & {*self.gone, *self.deleted, *self.changed})

    def describe(self) -> str:
        parts = [*([f"rests on {ids(self.deleted)}, deleted since"] if self.deleted else []),
                 *([f"rests on {ids(self.changed)}, changed since it was written"]
                   if self.changed else []),
                 *([f"rests on {ids(self.gone)}, no longer in it"] if self.gone else []),
                 *([f"does not yet cover {ids(self.new)}"] if self.new else [])]
        return "; ".join(parts)


def unit_texts(conn: sqlite3.Connection, units: Sequence[int]) -> list[str]:
    """The hash of each unit's text, as a condensate written on them keeps it."""
    texts = dict(conn.execute(f"SELECT id, text FROM units WHERE id IN ({marks(len(units))})",
                              list(units)).fetchall())
    return [str(texts[u]) for u in units]


def drift(conn: sqlite3.Connection, target: Target) -> Drift | None:
    """How the units under the target's condensate changed since it was written; None for a
    condensate without links (written before links were kept)."""
    linked = dict(conn.execute("SELECT unit, text FROM condensate_units WHERE kind = ?"
                               " AND owner = ?", (target.kind, target.id)).fetchall())
    if not linked:
        return None
    texts = dict(conn.execute(f"SELECT id, text FROM units WHERE id IN ({marks(len(linked))})",
                              list(linked)).fetchall())
    now = set(target_units(conn, target))
    return Drift(target, sorted(now - set(linked)),
                 sorted(u for u in linked if u in texts and u not in now),
                 sorted(u for u in linked if u not in texts),
                 sorted(u for u in linked if u in now and linked[u] is not None
                        and texts[u] != linked[u]))


def condensation_targets(conn: sqlite3.Connection) -> list[tuple[Target, sqlite3.Row]]:
    """Where a condensate belongs: each subgroup, and each group without subgroups."""
    out = []
    for g in conn.execute("SELECT * FROM code_groups ORDER BY position, id").fetchall():
        subs = subgroups_of(conn, g["id"])
        if not subs:
            out.append((Target("group", g["id"], g["name"], g["id"], g["name"]), g))
        for sub in subs:
            out.append((Target("subgroup", sub["id"], sub["name"], g["id"], g["name"]), sub))
    return out


def to_review(conn: sqlite3.Connection, units: Iterable[int]) -> list[Target]:
    """The condensates that rested on any of `units` and lost or changed it: what a
    correction of those units asks the researcher to review."""
    wanted = set(units)
    owners = {(str(k), int(o)) for k, o, unit in conn.execute(
        "SELECT kind, owner, unit FROM condensate_units") if unit in wanted}
    out = []
    for target, row in condensation_targets(conn):
        if (target.kind, target.id) in owners and row["condensate"] is not None:
            found = drift(conn, target)
            if found is not None and found.touches(wanted):
                out.append(target)
    return out


def written_over(conn: sqlite3.Connection, sql: str, ident: int, over: str, what: str) -> None:
    """Refuse to write over a text other than the version `over` the writer started from."""
    if (conn.execute(sql, (ident,)).fetchone()[0] or "") != over:
        raise StcError("E726", what=what)


def condense_about(conn: sqlite3.Connection, ref: str) -> str:
    """What `stc condense --edit` shows as comments: the units the condensate rests on."""
    target = resolve_target(conn, ref)
    lines = [f"Condensate of {target.label}: first person, the participants' own words,",
             "carrying the content of every unit below.", ""]
    places = Places(conn)
    for unit in target_units(conn, target):
        view = unit_view(conn, unit, places=places)
        lines.append(f"U{unit}  {view['ref']}  ({view['participant']})")
        lines += ["    " + line for line in view["text"].splitlines()]
    current = conn.execute(f"SELECT condensate FROM {target.table} WHERE id = ?",
                           (target.id,)).fetchone()[0]
    if current:
        lines += ["", "Current condensate:", *must_text(conn, current).splitlines()]
    return "\n".join(lines)


# -- illustrative quotations -----------------------------------------------------------------

_ELLIPSIS = re.compile(r"\s*[\[(]?(?:…|\.\.\.)[\])]?\s*")


def quote_pieces(quote: str) -> tuple[list[str], bool, bool]:
    """The kept pieces of a quotation, and whether it is cut at the start and at the end."""
    parts = _ELLIPSIS.split(quote.strip())
    pieces = [p.strip() for p in parts if p.strip()]
    cut_start = bool(parts) and not parts[0].strip()
    cut_end = len(parts) > 1 and not parts[-1].strip()
    return pieces, cut_start, cut_end


@functools.lru_cache(maxsize=8192)  # a report checks each quotation, then prints it
def _piece_pattern(piece: str) -> re.Pattern[str]:
    # the transcripts are whitespace-normalised per line; a quote may join lines with spaces
    return re.compile(r"\s+".join(re.escape(word) for word in piece.split()))


def verbatim_quote(source: str, quote: str, unit: str = "the unit", loose: bool = False) -> str:
    """The quotation made of the source's own words: every kept piece found in order in
    `source`; pieces joined by ' … '. Raises E510/E511 otherwise. `loose`: typographic
    quotation marks, apostrophes and dashes match their plain forms (the source's are kept)."""
    pieces, cut_start, cut_end = quote_pieces(loosen(quote) if loose else quote)
    if not pieces:
        raise StcError("E511")
    hay = loosen(source) if loose else source  # the same length: offsets hold in both
    found, at = [], 0
    for piece in pieces:
        m = _piece_pattern(piece).search(hay, at)
        if m is None:
            earlier = _piece_pattern(piece).search(hay)
            detail = " after the piece before it" if earlier else ""
            raise StcError("E510", piece=piece, unit=unit, detail=detail)
        found.append(source[m.start():m.end()])
        at = m.end()
    return ("… " if cut_start else "") + " … ".join(found) + (" …" if cut_end else "")


_WORDS = re.compile(r"\w")


def quotation_parts(source: str, quote: str) -> list[str | None]:
    """A quotation as the source's own stretches of text and the cuts between them (None).
    An ellipsis is a cut only where words of the source were left out there: the
    transcript's own "…" (a pause) between two kept pieces is printed as the transcript has
    it. A quotation that is no longer verbatim (the check says so) comes back as stored."""
    pieces, cut_start, cut_end = quote_pieces(quote)
    spans, at = [], 0
    for piece in pieces:
        m = _piece_pattern(piece).search(source, at)
        if m is None:
            return [quote]
        spans.append((m.start(), m.end()))
        at = m.end()
    if not spans:
        return [quote]
    parts: list[str | None] = []
    if cut_start and _WORDS.search(_ELLIPSIS.sub(" ", source[:spans[0][0]])):
        parts.append(None)
    for i, (start, end) in enumerate(spans):
        if i:
            gap = source[spans[i - 1][1]:start]
            if _WORDS.search(_ELLIPSIS.sub(" ", gap)):
                parts.append(None)
            else:
                parts[-1] = f"{parts[-1]}{gap}{source[start:end]}"
                continue
        parts.append(source[start:end])
    if cut_end and _WORDS.search(_ELLIPSIS.sub(" ", source[spans[-1][1]:])):
        parts.append(None)
    return parts


def with_cuts(parts: list[str | None], marker: str) -> str:
    """The quotation's text with each cut printed as `marker` (`(…)`, `[…]`)."""
    return " ".join(marker if part is None else part for part in parts)


def translation_with_cuts(text: str, marker: str) -> str:
    """A translation as the student wrote it, its ellipses (her cuts) printed as `marker`."""
    pieces = _ELLIPSIS.split(text.strip())
    out = pieces[0]
    for piece in pieces[1:]:
        out = f"{out} {marker} {piece}" if out and piece else (
            f"{out} {marker}" if out else f"{marker} {piece}")
    return out.strip()


def quote_from_pieces(source: str, spans: Sequence[tuple[int, int]]) -> str:
    """The quotation made of stretches of `source` (code-point offsets, as a selection in the
    workbench gives them): the pieces in order, each widened to whole words, joined where
    nothing but spaces and punctuation lies between them, and … wherever words are left out,
    at either end too. Raises E511 when the stretches hold no words."""
    pieces: list[tuple[int, int]] = []
    for start, end in sorted((max(0, a), min(len(source), b)) for a, b in spans):
        if start >= end:
            continue
        while 0 < start < end and _WORDS.match(source, start - 1) \
                and _WORDS.match(source, start):
            start -= 1
        while start < end < len(source) and _WORDS.match(source, end) \
                and _WORDS.match(source, end - 1):
            end += 1
        if pieces and not _WORDS.search(source, pieces[-1][1], start):
            pieces[-1] = (pieces[-1][0], max(pieces[-1][1], end))
        else:
            pieces.append((start, end))
    pieces = [(a, b) for a, b in pieces if _WORDS.search(source, a, b)]
    if not pieces:
        raise StcError("E511")
    kept = " … ".join(" ".join(source[a:b].split()) for a, b in pieces)
    before = "… " if _WORDS.search(source, 0, pieces[0][0]) else ""
    after = " …" if _WORDS.search(source, pieces[-1][1]) else ""
    return before + kept + after


def quote_is_verbatim(source: str, quote: str) -> bool:
    try:
        verbatim_quote(source, quote)
    except StcError:
        return False
    return True


def nugget(project: Project, unit_ref: str, quote: str | None = None, clear: bool = False,
           why: str | None = None, translation: str | None = None,
           over: str | None = None, loose: bool = False) -> Record:
    """Mark a unit (or a cut quotation from it) as an illustrative quotation, or clear it.
    `translation` is the quotation in the report language (empty: none); given alone for a
    quotation already marked, it changes only the translation. The original stays the
    quotation that is checked against the transcript. `over` as for `condense`. `loose`:
    typographic quotes, apostrophes and dashes in `quote` match their plain forms."""
    with project.batch(why) as b:
        unit = unit_id(b.conn, unit_ref)
        if over is not None:
            written_over(b.conn, "SELECT nugget FROM units WHERE id = ?", unit, over,
                          f"the illustrative quotation of U{unit}")
        if clear:
            return b.record("unit.set", {"id": unit, "nugget": None, "translation": None})
        fields: dict[str, Any] = {"id": unit}
        marked = b.conn.execute("SELECT nugget FROM units WHERE id = ?",
                                (unit,)).fetchone()[0] is not None
        if quote or translation is None or not marked:
            source = unit_source_text(b.conn, unit)
            text = verbatim_quote(source, quote, f"U{unit}", loose) if quote else source.strip()
            fields["nugget"] = b.text(text, unit_owner(b.conn, unit))
        if translation is not None:
            fields["translation"] = (b.text(translation.strip(), unit_owner(b.conn, unit))
                                     if translation.strip() else None)
        return b.record("unit.set", fields)


# -- reading units -------------------------------------------------------------------------

def unit_source_text(conn: sqlite3.Connection, unit: int, places: Places | None = None) -> str:
    """The unit's text: the speech at its place in the transcript (see `stc.units`)."""
    row = conn.execute("SELECT doc, version, start, end, text FROM units WHERE id = ?",
                       (unit,)).fetchone()
    return (places or Places(conn)).unit_text(row["doc"], row["version"], row["start"],
                                              row["end"], row["text"])


def unit_segments(conn: sqlite3.Connection, unit: int, places: Places | None = None) -> str:
    """`DOC:N` or `DOC:N-M`: the segments the unit overlaps. Many calls share one `places`."""
    row = conn.execute("SELECT doc, version, start, end FROM units WHERE id = ?",
                       (unit,)).fetchone()
    return (places or Places(conn)).ref(row["doc"], row["version"], row["start"], row["end"])


def unit_view(conn: sqlite3.Connection, unit: int, context: int = 240,
              places: Places | None = None) -> dict[str, Any]:
    """Everything shown about a unit: place, participants, codes, text, and its surroundings.
    Views of many units share one `places` (or come from `unit_views`)."""
    row = conn.execute("SELECT * FROM units WHERE id = ?", (unit,)).fetchone()
    codes = [str(r[0]) for r in conn.execute(
        "SELECT c.name FROM unit_codes uc JOIN codes c ON c.id = uc.code WHERE uc.unit = ?"
        " ORDER BY c.name", (unit,))]
    bodies = {h: get_text(conn, h)
              for h in (row["text"], row["nugget"], row["translation"], row["note"]) if h}
    return _view(conn, row, codes, named(conn, unit_participants(conn, unit)), bodies, context,
                 places or Places(conn))


def unit_views(conn: sqlite3.Connection, context: int = 240, places: Places | None = None,
               only: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """`unit_view` of every unit, or of the units `only` names, read in a few queries: what a
    report of thousands of units needs."""
    places = places or Places(conn)
    # the units wanted, as a JSON list: any number of them in one parameter
    wanted, args = ("", ()) if only is None else (
        " IN (SELECT value FROM json_each(?))", (json.dumps(sorted(set(only))),))
    codes: dict[int, list[str]] = {}
    for unit, name in conn.execute("SELECT uc.unit, c.name FROM unit_codes uc JOIN codes c"
                                   " ON c.id = uc.code"
                                   + (f" WHERE uc.unit{wanted}" if wanted else "")
                                   + " ORDER BY c.name", args):
        codes.setdefault(int(unit), []).append(str(name))
    rows = conn.execute("SELECT * FROM units" + (f" WHERE id{wanted}" if wanted else "")
                        + " ORDER BY id", args).fetchall()
    hashes = {row[k] for row in rows for k in ("text", "nugget", "translation", "note")}
    bodies = dict(conn.execute("SELECT hash, body FROM texts WHERE hash IN (SELECT value FROM"
                               " json_each(?))", (json.dumps(sorted(hashes - {None})),)))
    who = participants_by_unit(conn)
    people = participant_names(conn)
    return {int(row["id"]): _view(conn, row, codes.get(int(row["id"]), []),
                                  [people.get(p, f"P{p}") for p in who.get(int(row["id"]), [])],
                                  bodies, context, places)
            for row in rows}


def _view(conn: sqlite3.Connection, row: sqlite3.Row, codes: list[str], who: list[str],
          bodies: dict[str, str | None], context: int, places: Places) -> dict[str, Any]:
    current = places.doc(row["doc"])  # each transcript read once, not per unit
    text, version = current.text, current.version
    start, end = int(row["start"]), int(row["end"])
    before = text[max(0, start - context):start]
    after = text[end:end + context]

    def optional(digest: str | None) -> str | None:
        return bodies.get(digest) if digest else None

    return {
        "id": int(row["id"]), "unit": f"U{row['id']}", "doc": str(row["doc"]),
        "ref": places.ref(row["doc"], row["version"], start, end),
        "participant": ", ".join(who),
        "codes": codes, "text": places.unit_text(row["doc"], row["version"], start, end,
                                                 row["text"]),
        "context": places.context(row["doc"], row["version"], start, end),
        "before": ("…" if start > context else "") + before,
        "after": after + ("…" if end + context < len(text) else ""),
        "nugget": optional(row["nugget"]), "translation": optional(row["translation"]),
        "note": optional(row["note"]),
        "aside": row["aside"], "subgroup_id": row["subgroup_id"],
        "review": row["review"], "current": int(row["version"]) == version,
    }


def units_frame(conn: sqlite3.Connection | Project) -> pd.DataFrame:
    """Every meaning unit as a pandas DataFrame: place, participants, codes, group, subgroup,
    text, quotation, set-aside reason."""
    import pandas as pd

    conn = conn.conn if isinstance(conn, Project) else conn
    subgroup_names = {int(r["id"]): str(r["name"]) for r in conn.execute(
        "SELECT id, name FROM subgroups")}
    rows = []
    places = Places(conn)
    for (unit,) in conn.execute("SELECT id FROM units ORDER BY id").fetchall():
        view = unit_view(conn, unit, context=0, places=places)
        rows.append({
            "unit": view["unit"], "document": view["doc"], "segments": view["ref"],
            "participants": view["participant"], "codes": "; ".join(view["codes"]),
            "groups": "; ".join(n for _, n in unit_groups(conn, unit)),
            "subgroup": subgroup_names.get(view["subgroup_id"] or 0),
            "text": view["text"], "nugget": view["nugget"], "aside": view["aside"],
        })
    columns = ["unit", "document", "segments", "participants", "codes", "groups", "subgroup",
               "text", "nugget", "aside"]
    return pd.DataFrame(rows, columns=columns)


def subgroup_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Code groups and their subgroups in the user's order, with counts, for listings."""
    out: list[dict[str, Any]] = []
    for group in conn.execute("SELECT * FROM code_groups ORDER BY position, id"):
        for sub in subgroups_of(conn, group["id"]):
            target = Target("subgroup", sub["id"], sub["name"], group["id"], group["name"])
            out.append({"group": group["name"], "subgroup": sub["name"],
                        "units": len(target_units(conn, target)),
                        "condensate": sub["condensate"] is not None,
                        "heading": sub["heading"]})
    return out


def ids(values: Iterable[int]) -> str:
    return ", ".join(f"U{v}" for v in values)
