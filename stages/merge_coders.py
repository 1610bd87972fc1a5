"""Step 2 with two coders: bringing the other coder's units, codes and memos into this project,
each place where the two disagree decided and the decision kept in the trail.

A place is decided by a row of a resolutions file (keep-a, keep-b, keep-both or adjust, with a
reason) or by `--keep` for every place no row decides. Without a decision for every place,
nothing is merged and the open places are named. Everything is recorded in one transaction: a
`merge.from` naming the other project and its state, then per place the changes to units
followed by a `merge.resolve` by the person deciding; units, codes and memos taken from the other
project keep their coder as author. A dry run records the same and rolls it back.

Transcripts the other coder coded alone come in without a decision; those only this project's
coder coded stay as they are.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from stc import naming
from stc.errors import StcError
from stc.lookup import Named, find
from stc.project import Batch, Project
from stc.refs import check_segment_range
from stc.stages.coders import (
    CODES,
    DECISIONS,
    KIND_WORDS,
    PLACE_COLUMNS,
    SAME,
    Coded,
    Other,
    Place,
    Sides,
    all_places,
    between_projects,
    creators,
    open_other,
    read_code_map,
)
from stc.stages.meaning_units import add_named, record_unit
from stc.texts import PROJECT, get_text, ref_owner, text_hash
from stc.units import DocText, check_speech, load_doc, locate, place_fields
from stc.words import counted

UNIT_NUMBER = re.compile(r"(?:^|;)\s*U(\d+)\b", re.IGNORECASE)  # "U1 (I1:2); U2 (I1:3)"


class Resolution(NamedTuple):
    """The decision on one place: from a row of the resolutions file, or from --keep."""

    place: str
    decision: str  # one of DECISIONS
    segments: str | None = None  # adjust: the new stretch, DOC:N-M or N-M
    quote: str | None = None  # adjust: the exact text inside those segments
    codes: list[str] | None = None  # adjust: the codes (default: both coders' codes)
    reason: str | None = None
    row: int | None = None  # its row in the file
    a_units: set[int] | None = None  # the units the row was written for, to check
    b_units: set[int] | None = None


class Unresolved(StcError):
    """Places no row and no --keep decides: nothing is merged."""

    code = "E860"

    def __init__(self, places: list[Place]) -> None:
        shown = ", ".join(p.id for p in places[:20]) + (" …" if len(places) > 20 else "")
        super().__init__("E860", count=counted(len(places), "conflicting place"), places=shown)
        self.places = places


@dataclass
class MergeReport:
    """What a merge recorded (or, on a dry run, would record)."""

    other: str
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seq: int | None = None
    dry_run: bool = False

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def summary(self) -> str:
        from stc.words import counted

        order = [("place", "place", "decided"), ("unit", "unit", "brought in"),
                 ("changed", "unit", "changed"), ("deleted", "unit", "deleted"),
                 ("code", "code", "added"), ("group", "code group", "added"),
                 ("memo", "memo", "brought in")]
        parts = [f"{counted(self.counts[key], noun)} {done}" for key, noun, done in order
                 if self.counts.get(key)]
        return ", ".join(parts) or "nothing"


class _DryRun(Exception):
    """Raised inside the batch to roll back what a dry run recorded."""


class _Nothing(Exception):
    """Raised inside the batch when the merge would record nothing but its header."""


@dataclass
class _Authored(Batch):
    """The same batch (its records chained in one list), recording as another author: a unit
    taken from the other project keeps its coder."""

    author: str = ""

    def record(self, kind: str, payload: dict[str, Any], why: str | None = None, *,
               author: str | None = None) -> Any:
        return super().record(kind, payload, why, author=author or self.author)


def _as(b: Batch, author: str) -> Batch:
    return _Authored(b.project, b.why, b.recorded, author)


# -- the resolutions file -----------------------------------------------------------------------

def _decision(cell: str) -> str:
    word = re.sub(r"[\s_]+", "-", cell.strip().lower())
    word = {"a": "keep-a", "b": "keep-b", "both": "keep-both"}.get(word, word)
    return word if word in DECISIONS else ""


def read_resolutions(path: Path) -> dict[str, Resolution]:
    """The rows of a resolutions file (.csv, or the `disagreements` sheet of an .xlsx), as
    `stc compare --disagreements --out` writes them, with the decision columns filled in.
    Rows without a decision decide nothing."""
    rows = _table(path)
    out: dict[str, Resolution] = {}
    for number, cells in rows:
        place, decision = cells.get("place", ""), cells.get("decision", "")
        if not decision:
            continue
        if not place:
            raise StcError("E861", path=str(path), row=number, detail="the place is empty")
        word = _decision(decision)
        if not word:
            raise StcError("E861", path=str(path), row=number,
                           detail=f"decision {decision!r}: write {', '.join(DECISIONS)}")
        if word == "adjust" and not cells.get("new_segments"):
            raise StcError("E861", path=str(path), row=number,
                           detail="adjust needs new_segments (and new_quote, new_codes if"
                                  " wanted)")
        if place.casefold() in {k.casefold() for k in out}:
            raise StcError("E861", path=str(path), row=number,
                           detail=f"place {place} is decided twice")
        codes = [c.strip() for c in cells.get("new_codes", "").split(";") if c.strip()]
        out[place] = Resolution(
            place, word, cells.get("new_segments") or None, cells.get("new_quote") or None,
            codes or None, cells.get("reason") or None, number,
            _numbers(cells, "a_units"), _numbers(cells, "b_units"))
    return out


def _numbers(cells: dict[str, str], column: str) -> set[int] | None:
    if column not in cells:
        return None
    return {int(n) for n in UNIT_NUMBER.findall(cells[column])}


def _table(path: Path) -> list[tuple[int, dict[str, str]]]:
    # the coding matrix's readers: delimiter, encoding and formula-guard handling in one place
    from stc.sheet import read_table

    if not path.is_file():
        raise StcError("E101", path=str(path))
    try:
        return read_table(path, PLACE_COLUMNS, ("place", "decision"))
    except StcError as exc:
        if exc.code == "E417":  # the matrix's own wording fits: name the file, say what is wrong
            raise StcError("E857", path=str(path), detail=exc.fields["detail"]) from None
        raise


# -- deciding ------------------------------------------------------------------------------------

class _Plan(NamedTuple):
    decided: list[tuple[Place, Resolution]]
    new_units: list[Coded]  # on transcripts only the other coder coded


def _plan(sides: Sides, keep: str | None, rows: dict[str, Resolution],
          path: Path | None) -> _Plan:
    a, b = sides.a, sides.b
    both = sorted(a.docs() & b.docs())
    places = [p for p in all_places(a.conn, both, a.units, b.units) if p.kind != SAME]
    by_id = {p.id.casefold(): p for p in places}
    by_place = {k.casefold(): r for k, r in rows.items()}
    for place_id, row in rows.items():
        place = by_id.get(place_id.casefold())
        if place is None:
            raise StcError("E861", path=str(path), row=row.row,
                           detail=f"{place_id} is not one of the places where the coders differ"
                                  f" ({', '.join(p.id for p in places[:10]) or 'none'})")
        _check_row(place, row, path)
    decided: list[tuple[Place, Resolution]] = []
    open_places: list[Place] = []
    for place in places:
        decision = by_place.get(place.id.casefold())
        if decision is None and keep:
            decision = Resolution(place.id, f"keep-{keep}")
        if decision is None:
            open_places.append(place)
        else:
            decided.append((place, decision))
    if open_places:
        raise Unresolved(open_places)
    new_docs = b.docs() - a.docs()
    return _Plan(decided, [u for u in b.units if u.doc in new_docs])


def _check_row(place: Place, row: Resolution, path: Path | None) -> None:
    """A row written for other units than the place holds now is stale: refuse it."""
    now_a, now_b = {u.id for u in place.a}, {u.id for u in place.b}
    for was, now in ((row.a_units, now_a), (row.b_units, now_b)):
        if was is not None and was != now:
            raise StcError("E862", path=str(path), row=row.row, place=place.id,
                           now=_unit_list(now_a, now_b), was=_unit_list(row.a_units or set(),
                                                                        row.b_units or set()))


def _unit_list(a: set[int], b: set[int]) -> str:
    return (f"A {', '.join(f'U{n}' for n in sorted(a)) or '-'};"
            f" B {', '.join(f'U{n}' for n in sorted(b)) or '-'}")


# -- recording -----------------------------------------------------------------------------------

class _Merger:
    """Records the merge inside one batch, keeping the report of what it did."""

    def __init__(self, b: Batch, other: Other, sides: Sides, report: MergeReport,
                 resolutions: Path | None) -> None:
        self.b, self.other, self.sides, self.report = b, other, sides, report
        self.path = str(resolutions or "--keep")
        self.conn: sqlite3.Connection = b.conn
        self.code_authors = creators(other.conn, "code.add")
        self.group_authors = creators(other.conn, "group.add")
        self.brought: dict[int, int] = {}  # the other project's unit -> its number here
        # the other coder's codes by their name here (after the mapping of renames)
        self.theirs = {naming.key(sides.mapping.get(naming.key(str(r[1])), str(r[1]))): r
                       for r in other.conn.execute(
                           "SELECT c.id, c.name, c.definition, g.id, g.name FROM codes c"
                           " LEFT JOIN code_groups g ON g.id = c.group_id ORDER BY c.id DESC")}
        self.docs: dict[str, DocText] = {}

    def doc(self, doc: str) -> DocText:
        if doc not in self.docs:
            self.docs[doc] = load_doc(self.conn, doc)
        return self.docs[doc]

    # codes ---------------------------------------------------------------------------------
    def code(self, name: str) -> Named:
        """The code of this name here; one the other coder made is recorded the first time a
        unit or memo brought in needs it, in her code group (made when missing too), as hers.
        `name` is the name after the mapping of renames."""
        found = find(self.conn, "code", name)
        if found is not None:
            return found
        if naming.key(name) not in self.theirs:  # a new code a decision names
            code = add_named(self.b, "code", name)
            self.report.lines.append(f"+ code {code.name!r}")
            self.report.count("code")
            return code
        code_id, _, definition, group_id, group_name = self.theirs[naming.key(name)]
        group = find(self.conn, "group", group_name) if group_name else None
        if group_name and group is None:
            who = self.group_authors.get(int(group_id), self.b.project.author)
            group = add_named(_as(self.b, who), "group", group_name)
            self.report.lines.append(f"+ code group {group_name!r}  (by {who})")
            self.report.count("group")
        who = self.code_authors.get(int(code_id), self.b.project.author)
        text = get_text(self.other.conn, definition) if definition else None
        ident = self.b.next_id("codes")
        _as(self.b, who).record("code.add", {
            "id": ident, "name": name, "group": group.id if group else None,
            "definition": self.b.text(text, PROJECT) if text else None})
        self.report.lines.append(f"+ code {name!r}" + (f" in {group.name!r}" if group else "")
                                 + f"  (by {who})")
        self.report.count("code")
        return Named("code", ident, name, group.id if group else None,
                     group.name if group else None)

    def named(self, names: list[str]) -> list[Named]:
        codes: dict[int, Named] = {}
        for name in names:
            code = self.code(name)
            codes.setdefault(code.id, code)
        return list(codes.values())

    # units ---------------------------------------------------------------------------------
    def bring(self, unit: Coded) -> int:
        """One of the other coder's units, recorded here as hers."""
        doc = self.doc(unit.doc)
        note = get_text(self.other.conn, unit.note) if unit.note else None
        number = record_unit(_as(self.b, unit.author), doc, unit.start, unit.end,
                             self.named(list(unit.codes)), note)
        self.brought[unit.id] = number
        self.report.lines.append(f"+ U{number} {doc.ref(unit.start, unit.end)}"
                                 f" {', '.join(unit.codes)}  (B's U{unit.id}, by {unit.author})")
        self.report.count("unit")
        return number

    def delete(self, unit: Coded) -> None:
        self.b.record("unit.delete", {"id": unit.id})
        self.report.lines.append(f"- U{unit.id} {self.doc(unit.doc).ref(unit.start, unit.end)}"
                                 f" {', '.join(unit.codes)} deleted")
        self.report.count("deleted")

    def set_codes(self, unit: int, want: list[Named], author: str | None = None) -> bool:
        have = {int(r[0]): str(r[1]) for r in self.conn.execute(
            "SELECT c.id, c.name FROM unit_codes uc JOIN codes c ON c.id = uc.code"
            " WHERE uc.unit = ?", (unit,))}
        add = [c for c in want if c.id not in have]
        remove = [i for i in have if i not in {c.id for c in want}]
        if not add and not remove:
            return False
        self.b.record("unit.codes", {
            "id": unit, "add": [c.id for c in add], "add_names": [c.name for c in add],
            "remove": remove, "remove_names": [have[i] for i in remove]}, author=author)
        return True

    # places --------------------------------------------------------------------------------
    def resolve(self, place: Place, row: Resolution) -> None:
        result: dict[str, list[int]] = {"added": [], "changed": [], "deleted": []}
        if row.decision == "keep-b":
            for unit in place.a:
                self.delete(unit)
                result["deleted"].append(unit.id)
            result["added"] += [self.bring(u) for u in place.b]
        elif row.decision == "keep-both" and place.kind == CODES:
            target = place.a[0]
            both = self.named([*target.codes, *place.b[0].codes])
            if self.set_codes(target.id, both, author=place.b[0].author):
                result["changed"].append(target.id)
                self.report.lines.append(f"~ U{target.id} {place.ref} coded"
                                         f" {', '.join(c.name for c in both)}"
                                         f"  (B's codes, by {place.b[0].author})")
                self.report.count("changed")
        elif row.decision == "keep-both":
            result["added"] += [self.bring(u) for u in place.b]
        elif row.decision == "adjust":
            self.adjust(place, row, result)
        self.report.lines.append(f"= {place.id} {place.ref} ({KIND_WORDS[place.kind]}):"
                                 f" {row.decision}" + (f" - {row.reason}" if row.reason else ""))
        self.report.count("place")
        self.b.record("merge.resolve", {
            "place": place.id, "doc": place.doc, "segments": place.ref, "kind": place.kind,
            "what": KIND_WORDS[place.kind], "decision": row.decision,
            "a_units": [u.id for u in place.a], "b_units": [u.id for u in place.b],
            "result": {k: v for k, v in result.items() if v}}, row.reason)

    def adjust(self, place: Place, row: Resolution, result: dict[str, list[int]]) -> None:
        """The place becomes one unit on the stretch the row gives, coded as it says (or with
        both coders' codes): this project's first unit there reshaped, any others deleted."""
        assert row.segments is not None
        try:
            ref = row.segments if ":" in row.segments else f"{place.doc}:{row.segments}"
            rng = check_segment_range(self.conn, ref)
            if rng.doc != place.doc:
                raise StcError("E861", path=self.path, row=row.row,
                               detail=f"{ref} is not in {place.doc}")
            doc = self.doc(place.doc)
            start, end = locate(doc, rng.first, rng.last, row.quote)
            check_speech(doc, start, end, allow_interviewer=True)
        except StcError as exc:
            if exc.code == "E861":
                raise
            raise StcError("E861", path=self.path, row=row.row,
                           detail=f"{place.id}: {exc.message}") from None
        names = row.codes or sorted({*place.codes("A"), *place.codes("B")}, key=str.casefold)
        codes = self.named(names)
        if not place.a:
            number = record_unit(self.b, doc, start, end, codes)
            result["added"].append(number)
            self.report.lines.append(f"+ U{number} {doc.ref(start, end)}"
                                     f" {', '.join(c.name for c in codes)}")
            self.report.count("unit")
            return
        target, *rest = place.a
        if (target.start, target.end) != (start, end):
            fields = place_fields(self.conn, doc, start, end)
            self.b.record("unit.set", {"id": target.id, **{
                k: fields[k] for k in ("version", "start", "end", "text", "before", "after")}})
        changed = self.set_codes(target.id, codes) or (target.start, target.end) != (start, end)
        if changed:
            result["changed"].append(target.id)
            self.report.lines.append(f"~ U{target.id} {doc.ref(start, end)}"
                                     f" {', '.join(c.name for c in codes)}"
                                     f"  (was {place.refs[('A', target.id)]})")
            self.report.count("changed")
        for unit in rest:
            self.delete(unit)
            result["deleted"].append(unit.id)

    # memos ---------------------------------------------------------------------------------
    def memos(self) -> None:
        """The other coder's memos, on what they are on here, as hers; one this project holds
        already (same kind, place and text) is not brought twice."""
        other = self.other.conn
        have = {(r[0], r[1], text_hash(get_text(self.conn, r[2]) or "")) for r in
                self.conn.execute("SELECT kind, ref, body FROM memos")}
        rows = other.execute("SELECT m.id, m.kind, m.ref, m.body, t.author, t.at FROM memos m"
                             " JOIN trail t ON t.seq = m.seq ORDER BY m.id").fetchall()
        for memo, kind, ref, body_hash, author, at in rows:
            body = get_text(other, body_hash)
            if body is None:
                continue
            mapped = self.memo_ref(ref)
            if mapped is False:
                self.report.lines.append(f"  B's memo M{memo} on {ref} left out: it is on a"
                                         " transcript this project does not hold")
                continue
            if (kind, mapped, text_hash(body)) in have:
                continue
            memo_id = self.b.next_id("memos")
            _as(self.b, str(author)).record("memo.add", {
                "id": memo_id, "kind": kind, "ref": mapped,
                "body": self.b.text(body, ref_owner(self.conn, mapped if isinstance(mapped, str)
                                                    else None)),
                "from": {"memo": memo, "at": at}})
            self.report.lines.append(f"+ memo M{memo_id} ({kind})"
                                     + (f" on {mapped}" if mapped else "") + f"  (by {author})")
            self.report.count("memo")

    def memo_ref(self, ref: str | None) -> str | bool | None:
        """What a memo of the other project is on, here; False when this project lacks it."""
        if not ref:
            return None
        kind, sep, rest = ref.partition(":")
        if sep and kind == "code":
            name = self.sides.mapping.get(naming.key(rest), rest)
            known = find(self.conn, "code", name) or naming.key(name) in self.theirs
            return f"code:{self.code(name).name}" if known else f"code:{name}"
        if sep and kind in ("theme", "group", "subgroup"):
            return ref
        unit = re.fullmatch(r"U(\d+)", ref)
        if unit:
            number = int(unit.group(1))
            if number in self.brought:
                return f"U{self.brought[number]}"
            coded = next((u for u in self.sides.b.units if u.id == number), None)
            if coded is None:
                return False
            same = self.conn.execute("SELECT id FROM units WHERE doc = ? AND start = ? AND"
                                     " end = ? ORDER BY id", coded[1:4]).fetchone()
            return f"U{same[0]}" if same else self.doc(coded.doc).ref(coded.start, coded.end)
        doc = self.sides.pairs.get(kind if sep else ref)
        if doc is None:
            return False
        if not sep:
            return doc
        start, end = self._their_span(kind, rest)
        return self.doc(doc).ref(start, end)

    def _their_span(self, doc: str, numbers: str) -> tuple[int, int]:
        first, _, last = numbers.partition("-")
        rows = self.other.conn.execute("SELECT MIN(start), MAX(end) FROM segments WHERE doc = ?"
                                  " AND n BETWEEN ? AND ?",
                                  (doc, int(first), int(last or first))).fetchone()
        return int(rows[0]), int(rows[1])


def _left_out(merger: _Merger) -> list[str]:
    """What of the other coder's work stays behind, said rather than dropped silently."""
    from stc.words import counted

    other, sides = merger.other.conn, merger.sides
    out = [f"{counted(int(n), 'unit')} on {doc} (this project holds no transcript with its"
           " text)" for doc, n in other.execute(
               "SELECT doc, COUNT(*) FROM units GROUP BY doc ORDER BY doc")
           if doc not in sides.pairs]
    if sides.b.not_current:
        out.append(f"{counted(sides.b.not_current, 'unit')} on an older version of their"
                   " transcript")
    brought = ",".join(str(int(u)) for u in merger.brought)
    placed = other.execute(
        f"SELECT COUNT(*) FROM units WHERE id IN ({brought}) AND (subgroup_id IS NOT NULL"
        " OR aside IS NOT NULL OR nugget IS NOT NULL)").fetchone()[0] if brought else 0
    if placed:
        out.append(f"the subgroups, set-asides and quotations of {counted(placed, 'unit')}"
                   " brought in (step 3 is done here)")
    return out


def merge_from(project: Project, other_path: Path | str, keep: str | None = None,
               resolutions: Path | None = None, map_file: Path | None = None,
               dry_run: bool = False, why: str | None = None) -> MergeReport:
    """`stc merge-from`: the other coder's work into this project, every place decided."""
    rows = read_resolutions(resolutions) if resolutions else {}
    mapping = read_code_map(map_file) if map_file else None
    other = open_other(other_path, project)
    report = MergeReport(str(other_path), dry_run=dry_run)
    try:
        with project.batch(why) as b:  # the decisions are taken under the write lock
            sides = between_projects(project, other, mapping)
            plan = _plan(sides, keep, rows, resolutions)
            state = sides.b.state
            b.record("merge.from", {
                "project": other.title, "path": other.root.name,
                "state": {"seq": state["seq"], "hash": state["hash"]},
                "docs": {ours: theirs for theirs, ours in sides.pairs.items()},
                "keep": keep, "resolutions": resolutions.name if resolutions else None})
            merger = _Merger(b, other, sides, report, resolutions)
            for place, row in plan.decided:
                merger.resolve(place, row)
            for unit in plan.new_units:
                merger.bring(unit)
            merger.memos()
            report.lines += [f"  not brought: {line}" for line in _left_out(merger)]
            if len(b.recorded) == 1:
                raise _Nothing()
            if dry_run:
                raise _DryRun()
            report.seq = b.recorded[-1].seq
    except (_DryRun, _Nothing):
        pass
    finally:
        other.close()
    return report
