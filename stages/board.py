"""Step 3 in the workbench: a code group's sorting board, the condensate and quotation editors
beside it, and the drafts those editors keep until they are recorded.

The board shows a code group's meaning units as cards in columns: one per subgroup (or the
group itself when it has none), the units not yet sorted, and those set aside. Beside a column
the condensate editor shows the units the condensate rests on, and warns, as `stc check` does,
when units came or went since it was written. Read models take a connection; the few writes
take a `Project` and call step 3's own functions (`stc.stages.condensation`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from stc import drafts, naming
from stc.errors import StcError
from stc.history import changed_since
from stc.lookup import unit_id
from stc.participants import named, ref
from stc.participants import names as participant_names
from stc.phrases import join_words, phrases, project_language, quoted
from stc.project import Project
from stc.settings import values
from stc.stages.checks import (
    check_condensates,
    check_nuggets,
    check_units_sorted,
    check_verbatim,
    first_person,
)
from stc.stages.condensation import (
    Target,
    condense,
    group_units,
    nugget,
    quotation_parts,
    quote_from_pieces,
    resolve_group,
    resolve_target,
    subgroups_of,
    target_units,
    unit_source_text,
    verbatim_quote,
    with_cuts,
)
from stc.stages.meaning_units import code_tree
from stc.stages.views import CodeMark, code_marks
from stc.texts import get_text
from stc.trail import head
from stc.units import Places, participants_by_unit, unit_participants

UNSORTED, ASIDE = "unsorted", "aside"


class Card(NamedTuple):
    """A meaning unit on the board."""

    id: int
    doc: str
    segments: str  # DOC:N-M
    first: int  # its first segment, where the reading view shows it
    participant: str
    text: str  # the unit's words, as a quotation is cut from them
    codes: list[CodeMark]
    note: str | None
    aside: str | None
    nugget: str | None  # its illustrative quotation, if it is one
    question: str  # the question it answers ("" when none is known)
    review: str | None

    @property
    def ref(self) -> str:
        return f"U{self.id}"


class Condensate(NamedTuple):
    """A condensate and the units under it."""

    target: Target
    text: str | None
    digest: str | None  # the text's hash in the text store: which version of it this is
    rests_on: list[int]  # the units it was written on (empty: none kept, or not written)
    units: list[int]  # the units it would rest on now
    first_person: bool | None  # None: nothing written

    @property
    def key(self) -> str:
        """The object it belongs to, as the trail names it: `subgroup:5`, `group:2`."""
        return f"{self.target.kind}:{self.target.id}"

    @property
    def added(self) -> list[int]:
        """Units it does not yet cover (only once it was written on units)."""
        linked = set(self.rests_on)
        return [u for u in self.units if u not in linked] if linked else []

    @property
    def gone(self) -> list[int]:
        """Units it rests on that are no longer under it."""
        now = set(self.units)
        return [u for u in self.rests_on if u not in now]


class Column(NamedTuple):
    kind: str  # 'subgroup', 'group' (a group without subgroups), UNSORTED or ASIDE
    name: str
    label: str  # GROUP/SUBGROUP or GROUP; '' for UNSORTED and ASIDE
    cards: list[Card]
    condensate: Condensate | None  # for a subgroup, or a group without subgroups


class BoardCheck(NamedTuple):
    """A finding of one of `stc check`'s step-3 checks on this board, with where to mend it."""

    message: str
    unit: int | None  # the card it is about
    target: str | None  # or the condensate (GROUP/SUBGROUP) it is about
    warning: bool = False  # asks her to look, does not fail the check


class Board(NamedTuple):
    group: Target
    colour: int  # the group's number in the code tree, as the reading view colours it
    groups: list[tuple[str, int]]  # every code group with its number, for moving between boards
    columns: list[Column]  # the subgroups in order, or the group itself
    unsorted: Column | None  # units waiting to be sorted (a group with subgroups)
    aside: Column
    checks: list[BoardCheck]
    seen: int  # the change the board shows the project at

    @property
    def all_columns(self) -> list[Column]:
        """Left to right: the units waiting, the subgroups (or the group), those set aside."""
        return [*([self.unsorted] if self.unsorted else []), *self.columns, self.aside]

    def column(self, label: str) -> Column | None:
        return next((c for c in self.columns if naming.key(c.label) == naming.key(label)), None)


def groups(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """The code groups with their numbers (their colours), in the order of `stc codes`."""
    named = [node.name for node in code_tree(conn) if node.name is not None]
    return [(name, number) for number, name in enumerate(named, 1)]


def _cards(conn: sqlite3.Connection, units: Iterable[int]) -> dict[int, Card]:
    wanted = list(units)
    if not wanted:
        return {}
    marks = code_marks(conn)
    codes: dict[int, list[CodeMark]] = {}
    for unit, name in conn.execute("SELECT uc.unit, c.name FROM unit_codes uc JOIN codes c"
                                   " ON c.id = uc.code ORDER BY c.name COLLATE NOCASE"):
        codes.setdefault(int(unit), []).append(marks.get(name, CodeMark(name, None, 0)))
    who = participants_by_unit(conn)
    people = participant_names(conn)
    places = Places(conn)
    out: dict[int, Card] = {}
    for unit in wanted:
        row = conn.execute("SELECT * FROM units WHERE id = ?", (unit,)).fetchone()
        doc, version, start, end = str(row["doc"]), int(row["version"]), int(row["start"]), \
            int(row["end"])
        segments = places.ref(doc, version, start, end)
        out[unit] = Card(
            unit, doc, segments, int(segments.partition(":")[2].split("-")[0]),
            ", ".join(people.get(p, ref(p)) for p in who.get(unit, [])),
            unit_source_text(conn, unit), codes.get(unit, []),
            get_text(conn, row["note"]), row["aside"], get_text(conn, row["nugget"]),
            places.context(doc, version, start, end), row["review"])
    return out


def condensate_of(conn: sqlite3.Connection, target: Target, language: str | None = None
                  ) -> Condensate:
    table = "code_groups" if target.kind == "group" else "subgroups"
    digest = conn.execute(f"SELECT condensate FROM {table} WHERE id = ?",
                          (target.id,)).fetchone()[0]
    text = get_text(conn, digest)
    linked = [int(r[0]) for r in conn.execute(
        "SELECT unit FROM condensate_units WHERE kind = ? AND owner = ? ORDER BY unit",
        (target.kind, target.id))] if digest else []
    return Condensate(target, text, digest, linked, target_units(conn, target),
                      None if text is None else first_person(
                          text, language or project_language(conn)))


def board(conn: sqlite3.Connection, group: str) -> Board:
    """The sorting board of code group `group`."""
    target = resolve_group(conn, group)
    numbered = groups(conn)
    language = project_language(conn)
    units = group_units(conn, target.id)
    cards = _cards(conn, units)
    placed = {int(r["id"]): (r["subgroup_id"], r["aside"]) for r in conn.execute(
        f"SELECT id, subgroup_id, aside FROM units WHERE id IN ({','.join('?' * len(units))})",
        units)} if units else {}
    subs = subgroups_of(conn, target.id)
    columns: list[Column] = []
    for sub in subs:
        inner = Target("subgroup", int(sub["id"]), str(sub["name"]), target.id, target.name)
        columns.append(Column("subgroup", inner.name, inner.label,
                              [cards[u] for u in units if placed[u][0] == inner.id
                               and not placed[u][1]],
                              condensate_of(conn, inner, language)))
    sub_ids = {int(s["id"]) for s in subs}
    aside = Column(ASIDE, "Set aside", "", [cards[u] for u in units if placed[u][1]], None)
    waiting = [cards[u] for u in units if not placed[u][1] and placed[u][0] not in sub_ids]
    if subs:
        unsorted: Column | None = Column(UNSORTED, "Not sorted", "", waiting, None)
    else:
        unsorted = None
        columns.append(Column("group", target.name, target.label, waiting,
                              condensate_of(conn, target, language)))
    number = next((n for name, n in numbered if name == target.name), 0)
    shown = Board(target, number, numbered, columns, unsorted, aside, [], head(conn)[0])
    return shown._replace(checks=board_checks(conn, shown))


# the step-3 checks of `stc check`, in its order
STEP3_CHECKS = (check_units_sorted, check_condensates, check_nuggets, check_verbatim)


def board_checks(conn: sqlite3.Connection, shown: Board) -> list[BoardCheck]:
    """The findings of the step-3 checks that concern this board, in the report language as
    `stc check` gives them: each names a card on it (`unit`) or a condensate of its group
    (`target`, or `name` for a missing quotation)."""
    language = values(conn).report_language
    on_board = {card.ref for column in shown.all_columns for card in column.cards}
    mine = {c.label for c in shown.columns}
    out: list[BoardCheck] = []
    for check in STEP3_CHECKS:
        for found in check(conn):
            target = found.fields.get("target") or found.fields.get("name")
            unit = found.fields.get("unit")
            if target in mine:
                out.append(BoardCheck(found.message(language), None, target, found.warning))
            elif target is None and unit in on_board:
                out.append(BoardCheck(found.message(language), int(unit[1:]), None,
                                      found.warning))
    return out


# -- the condensate editor ---------------------------------------------------------------------

class Editor(NamedTuple):
    """The condensate editor of one subgroup (or group without subgroups)."""

    condensate: Condensate
    cards: list[Card]  # the units it would rest on now, to write it from
    draft: drafts.Draft | None  # a draft not yet recorded, offered back
    base: int  # the change the editor holds the condensate as of
    changed: int | None  # the change that rewrote it elsewhere since the editor loaded it
    own: drafts.Draft | None  # the draft the asking tab keeps: hers, beside theirs

    @property
    def key(self) -> str:
        return f"condensate:{self.condensate.key}"

    @property
    def recorded(self) -> str:
        return self.condensate.text or ""


def condensate_editor(conn: sqlite3.Connection, ref: str, base: int | None = None,
                      loaded: str | None = None, tab: str | None = None) -> Editor:
    """The editor of the condensate of `ref` (GROUP/SUBGROUP, or a group without subgroups).
    A page that loaded it at change `base`, when its text was the version `loaded` (its hash;
    '' for none), learns which change rewrote it since, if another tab or a terminal did;
    `tab`: the page's tab, whose own draft is shown beside that."""
    target = resolve_target(conn, ref)
    if target.kind == "group" and subgroups_of(conn, target.id):
        raise StcError("E508", name=target.name, subgroups=", ".join(
            f"{target.name}/{s['name']}" for s in subgroups_of(conn, target.id)))
    condensate = condensate_of(conn, target)
    now = head(conn)[0]
    cards = _cards(conn, condensate.units)
    key = f"condensate:{condensate.key}"
    return Editor(condensate, [cards[u] for u in condensate.units],
                  drafts.newest(conn, key, unlike=condensate.text), now if base is None else base,
                  _rewritten(conn, condensate.key, condensate.digest, base, loaded),
                  drafts.of_tab(conn, key, tab) if tab else None)


def _rewritten(conn: sqlite3.Connection, key: str, digest: str | None, base: int | None,
               loaded: str | None) -> int | None:
    """The change that made a text other than the version `loaded` at change `base`."""
    if base is None or loaded is None or loaded == (digest or ""):
        return None
    return changed_since(conn, {key}, base).get(key) or head(conn)[0]


def _board_docs(conn: sqlite3.Connection, target: Target) -> list[str]:
    """The transcripts whose words the editor of `target` stands beside: those of every unit
    on its group's board (she may copy words from any card there)."""
    units = group_units(conn, target.group_id)
    return [str(r[0]) for r in conn.execute(
        f"SELECT DISTINCT doc FROM units WHERE id IN ({','.join('?' * len(units))})",
        units)] if units else []


class Saved(NamedTuple):
    """A draft just kept, and the hint the editor shows while she types."""

    draft: drafts.Draft
    first_person: bool | None  # for a condensate: whether it reads as the first person


def save_condensate_draft(project: Project, ref: str, tab: str, text: str, base: int,
                          replaces: str | None = None) -> Saved:
    """Keep what the condensate editor of `ref` holds as tab `tab`'s draft (see stc.drafts);
    it names the transcripts of the units on the board beside it."""
    conn = project.conn
    target = resolve_target(conn, ref)
    kept = drafts.save(conn, f"condensate:{target.kind}:{target.id}", tab, text, base,
                       _board_docs(conn, target), replaces)
    return Saved(kept, first_person(text, project_language(conn)) if text.strip() else None)


def record_condensate(project: Project, ref: str, text: str, tabs: Sequence[str] = (),
                      over: str | None = None) -> Condensate:
    """Record the condensate (`stc condense`; `over`: the version the editor began from,
    refused when another was recorded since), then drop the drafts of it that `tabs` kept."""
    condense(project, ref, text or None, over=over)
    condensate = condensate_of(project.conn, resolve_target(project.conn, ref))
    drafts.discard(project.conn, f"condensate:{condensate.key}", tabs)
    return condensate


def discard_condensate_draft(project: Project, ref: str, tabs: Sequence[str]) -> int:
    target = resolve_target(project.conn, ref)
    return drafts.discard(project.conn, f"condensate:{target.kind}:{target.id}", tabs)


# -- the whole page --------------------------------------------------------------------------

class Seen(NamedTuple):
    """What an editor on a page was loaded with: the change, and the version of its text."""

    base: int | None = None
    loaded: str | None = None


UNSEEN = Seen()  # an editor opened anew


class Workspace(NamedTuple):
    """A board with the condensate editor of one of its columns and, when a unit was chosen,
    its quotation editor."""

    board: Board
    editor: Editor | None
    quotation: Quotation | None


def workspace(conn: sqlite3.Connection, group: str | None = None, edit: str | None = None,
              unit: str | None = None, pieces: Sequence[tuple[int, int]] = (),
              editor_seen: Seen = UNSEEN, quote_seen: Seen = UNSEEN,
              tab: str | None = None) -> Workspace | None:
    """The step-3 workspace of code group `group` (default: the first; None when there is no
    code group): its board, the condensate editor of `edit` (default: its first column) and
    the quotation editor of `unit`, made from `pieces` when given."""
    if group is None:
        named = groups(conn)
        if not named:
            return None
        group = named[0][0]
    shown = board(conn, group)
    column = shown.column(edit) if edit else None
    label = (column or shown.columns[0]).label if shown.columns else None
    editor = condensate_editor(conn, label, *editor_seen, tab=tab) if label else None
    quote = quotation(conn, unit, pieces=pieces, base=quote_seen.base,
                      loaded=quote_seen.loaded) if unit else None
    return Workspace(shown, editor, quote)


# -- illustrative quotations -------------------------------------------------------------------

def printed_quotation(conn: sqlite3.Connection, source: str, quotation: str,
                      participants: Sequence[str] = ()) -> str:
    """A quotation as the results chapter prints it (reports/model.py): the unit's own words,
    each cut printed as the report's cut marker, in the report language's quotation marks,
    with the participants after it when the settings ask for that. The one place to change
    when the chapter prints quotations otherwise."""
    held = values(conn)
    language = held.report_language
    text = quoted(language, with_cuts(quotation_parts(source, quotation),
                                      str(held["report.cut_marker"])))
    if held["report.quote_attribution"] == "participant" and participants:
        names = join_words(language, list(participants))
        text += " " + str(phrases(language)["attribution"]).format(names=names)
    return text


class Quotation(NamedTuple):
    """The quotation editor of a unit: what she is making, and how the report will print it."""

    card: Card
    quote: str  # what the editor holds: the words kept, … where words are left out
    printed: str | None  # as the report will print it; None while it is not verbatim
    problem: StcError | None  # why it cannot be recorded as it is
    draft: drafts.Draft | None  # a draft not yet recorded, offered back
    digest: str | None  # the recorded quotation's hash: which version of it this is
    base: int  # the change the editor holds the quotation as of
    changed: int | None  # the change that rewrote it elsewhere since the editor loaded it
    pieces: list[tuple[int, int]]  # the stretches of its text it was made from, if any

    @property
    def key(self) -> str:
        return f"quotation:unit:{self.card.id}"


def quotation(conn: sqlite3.Connection, unit: str, quote: str | None = None,
              pieces: Sequence[tuple[int, int]] = (), base: int | None = None,
              loaded: str | None = None) -> Quotation:
    """The quotation of `unit` as the editor shows it: made of `pieces` of its text (code-point
    offsets of a selection), or `quote` as typed, or else the draft, the recorded quotation or
    the whole unit.
    `base` and `loaded` as for `condensate_editor`."""
    ident = unit_id(conn, unit)
    card = _cards(conn, [ident])[ident]
    key = f"quotation:unit:{ident}"
    draft = drafts.newest(conn, key, unlike=card.nugget)
    problem: StcError | None = None
    try:
        if pieces:
            quote = quote_from_pieces(card.text, pieces)
    except StcError as error:
        problem = error
    if quote is None:  # the whole unit to cut from, unless a draft or a quotation exists
        quote = draft.body if draft else (card.nugget or " ".join(card.text.split()))
    printed = None
    if problem is None and quote.strip():
        try:
            kept = verbatim_quote(card.text, quote, card.ref)
            printed = printed_quotation(conn, card.text, kept,
                                        named(conn, unit_participants(conn, ident)))
        except StcError as error:
            problem = error
    digest = conn.execute("SELECT nugget FROM units WHERE id = ?", (ident,)).fetchone()[0]
    return Quotation(card, quote, printed, problem, draft, digest,
                     head(conn)[0] if base is None else base,
                     _rewritten(conn, f"unit:{ident}", digest, base, loaded), list(pieces))


def save_quotation_draft(project: Project, unit: str, tab: str, quote: str, base: int,
                         replaces: str | None = None) -> drafts.Draft:
    conn = project.conn
    ident = unit_id(conn, unit)
    doc = str(conn.execute("SELECT doc FROM units WHERE id = ?", (ident,)).fetchone()[0])
    return drafts.save(conn, f"quotation:unit:{ident}", tab, quote, base, [doc], replaces)


def record_quotation(project: Project, unit: str, quote: str | None, tabs: Sequence[str] = (),
                     over: str | None = None) -> Quotation:
    """Record the unit's illustrative quotation (`stc nugget`; None clears it; `over` as for
    `record_condensate`), then drop the drafts of it that `tabs` kept."""
    nugget(project, unit, quote or None, clear=quote is None, over=over)
    ident = unit_id(project.conn, unit)
    drafts.discard(project.conn, f"quotation:unit:{ident}", tabs)
    return quotation(project.conn, unit)
