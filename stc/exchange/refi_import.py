"""Bringing a .qdpx, .qde, .qdc or a codebook .csv into a project: sources become transcripts,
coded stretches meaning units with their codes, the code tree code groups and codes, notes memos.

Everything is read, checked and mapped first (`plan_import`); then the whole file is recorded in
one transaction, so a broken or hostile file changes nothing. The batch opens with an
`exchange.import` record that names the file and counts what stc could not keep; the units
that follow are recorded under the name of the coder who made them, everything else under the
local user. A source's plain text is stored exactly as the file gives it (less a byte-order
mark, CRLF as one position), so every selection's text is the unit's text; speaker turns and
sentence segments are found in that text by the same machinery as `stc import`.

Programs that write one selection per coding (QualCoder does) give several selections with the
same place and coder: they become one unit with all their codes. Two coders' codings of the same
stretch stay two units.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc import naming
from stc.attributes import (
    OWNER_KINDS,
    Difference,
    Value,
    attributes_of,
    fitting,
    key_types,
    keys_of,
    record_value,
    typed,
)
from stc.changes import CHANGE_KINDS
from stc.changes.analysis import MEMO_KINDS
from stc.errors import StcError
from stc.exchange.model import (
    RefiCase,
    RefiCode,
    RefiFile,
    RefiNote,
    RefiSelection,
    RefiSource,
)
from stc.exchange.names import (
    STC_SETS,
    SUBGROUP_SET,
    parse_labelled,
    parse_labels_description,
    parse_note_name,
)
from stc.exchange.refi_read import guid_key, read_refi
from stc.formats.speakers import labelled_lines
from stc.importing import role_of, segment_document
from stc.naming import by_name
from stc.participants import Speakers
from stc.project import Batch, Project
from stc.texts import PROJECT, doc_owner, ref_owner
from stc.units import DocText, covering, load_doc, place_fields
from stc.words import counted

# Why each kind of thing an import leaves out is left out, for the summary the user reads.
LEFT_OUT_WHY = {
    "variable values of another type": "the attribute holds values of another type in this"
                                       " project",
    "variable values of sources left out": "their sources were not imported",
    "case descriptions": "participants keep their name and attributes; a case's description"
                         " has no place in stc",
    "users": "listed in the file, but the author of nothing stc kept",
    "sub-category descriptions": "their codes became codes of the top code group",
    "codes in deeper tree levels": "stc has code groups and codes: codes nested below the"
                                   " second level became codes of their top group",
    "code colours": "stc does not colour codes",
    "annotation positions": "the annotations became memos on their transcript",
    "picture sources": "stc analyses text transcripts",
    "PDF sources": "stc analyses text transcripts; import the PDF itself with `stc import`",
    "audio sources": "stc analyses text transcripts",
    "video sources": "stc analyses text transcripts",
    "links": "stc has no links between objects",
    "graphs": "stc has no graphs",
    "document sets": "stc has no sets of transcripts",
    "note sets": "stc has no sets of memos",
    "creation dates": "the trail dates what came in by this import",
    "rich-text files": "the plain text is kept: selections count their positions in it",
    "empty sources": "they hold no text",
    "selections without codes": "neither codes nor a description to keep",
    "codings of code folders": "stc codes units with codes, not with code groups",
}


@dataclass
class ExchangeImport:
    """What an import brought in, and what it could not take (spec section 7: data loss)."""

    path: str
    kind: str
    documents: list[str] = field(default_factory=list)
    participants: int = 0  # cases that became participants
    attributes: int = 0  # variable values that became attributes
    units: int = 0
    groups: int = 0
    codes: int = 0
    subgroups: int = 0
    memos: int = 0
    themes: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)
    seq: int | None = None


# -- transcripts -------------------------------------------------------------------------------

Turn = tuple[str | None, int, int, str | None]  # speaker, start, end, timestamp


def turns_in_text(text: str) -> list[Turn]:
    """Speaker turns with offsets into `text` itself: a labelled line starts a turn (its span
    begins after the label), other lines continue the turn before."""
    lines = text.split("\n")
    turns: list[list[Any]] = []
    offset = 0
    for line, (label, speech, time) in zip(lines, labelled_lines(lines), strict=True):
        end = offset + len(line.rstrip())
        if label is not None:
            turns.append([label, end - len(speech), end, time])
        elif speech:
            if turns:
                turns[-1][2] = end
            else:
                turns.append([None, offset + len(line) - len(line.lstrip()), end, None])
        offset += len(line) + 1
    return [(t[0], t[1], t[2], t[3]) for t in turns if text[t[1]:t[2]].strip()]


def document_payload(doc: str, filename: str, data: bytes, text: str, nlp: Any
                     ) -> dict[str, Any]:
    """A `document.import` payload for a text stored as it is, its turns' labels still in
    clear, without participants and without the hash of its text (both made as it is
    recorded: `Speakers.assign`, the transcript's salt)."""
    turns = turns_in_text(text)
    labelled = any(speaker for speaker, *_ in turns)
    spans = [(start, end) for _, start, end, _ in turns]
    return {
        "doc": doc, "version": 1, "participant": None, "filename": filename,
        "suffix": Path(filename).suffix.lower(),
        "format": "txt", "source": hashlib.sha256(data).hexdigest(), "encoding": "utf-8",
        "text": "", "chars": len(text),
        "turns": [[speaker, role_of(speaker, {}, labelled), None, start, end, time, None]
                  for speaker, start, end, time in turns],
        "segments": [list(s) for s in segment_document(text, spans, nlp)],
    }


def _doc_id(name: str, taken: set[str]) -> str:
    stem = name[:-4] if name.lower().endswith((".txt", ".docx")) else name
    stem = stem.rsplit(".", 1)[0] if stem.lower().endswith(".docx") else stem
    base = re.sub(r"[^\w.-]+", "_", unicodedata.normalize("NFC", stem)).strip("_.-")[:36]
    base = base or "doc"
    doc, n = base, 1
    while naming.key(doc) in taken:
        n += 1
        doc = f"{base}-{n}"
    taken.add(naming.key(doc))
    return doc


def segments_ref(payload: dict[str, Any], start: int, end: int) -> str:
    """The segment numbers (N or N-M) of a document payload that a stretch touches."""
    segments = payload["segments"]
    if not segments:
        return "1"
    first, last = covering(range(1, len(segments) + 1), [s for _, s, _ in segments],
                           [e for _, _, e in segments], start, end)
    return str(first) if first == last else f"{first}-{last}"


# -- the plan: everything checked and mapped before anything is recorded -----------------------

@dataclass
class _Stretch:
    """One unit to be: a stretch of a source coded by one user, with all the codes that user
    gave it in however many selections."""

    start: int
    end: int
    user: str | None  # GUID
    codes: list[str] = field(default_factory=list)  # code GUIDs, in the order met
    descriptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass
class _Doc:
    """A REFI-QDA source planned for import as one transcript."""

    source: RefiSource
    id: str
    participant: str | None  # the name of the one case that holds it
    data: bytes
    labels: dict[str, str] = field(default_factory=dict)  # label (casefolded) -> case name
    payload: dict[str, Any] = field(default_factory=dict)
    stretches: list[_Stretch] = field(default_factory=list)
    loose: list[_Stretch] = field(default_factory=list)  # coded with nothing stc can code


@dataclass
class _Plan:
    """Everything a REFI-QDA import will record, worked out before anything is written."""

    refi: RefiFile
    path: Path
    format: str
    docs: list[_Doc] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # casefold -> name, in order
    group_heading: dict[str, str] = field(default_factory=dict)
    group_memo: dict[str, str] = field(default_factory=dict)  # a group's foreign description
    group_theme: dict[str, str] = field(default_factory=dict)  # group key -> theme name
    codes: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    subgroups: dict[tuple[str, str], str] = field(default_factory=dict)
    subgroup_heading: dict[tuple[str, str], str] = field(default_factory=dict)
    target: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code GUID -> object
    memos_on: dict[str, str] = field(default_factory=dict)  # note GUID -> ref, first wins
    owner: dict[str, tuple[str, ...]] = field(default_factory=dict)  # note GUID -> group/sub
    labelled: dict[str, tuple[str, str]] = field(default_factory=dict)  # stc's own notes
    themes: list[str] = field(default_factory=list)
    question: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)  # note GUID -> DOC:N-M
    # variable values as attributes: (owner kind, case name or document id, key, value)
    values: list[tuple[str, str, str, Value]] = field(default_factory=list)


def _clean(name: str) -> str:
    """A name from the file as it is stored: checked as every name is (stc.naming)."""
    return naming.checked("name in the file", name) if name.strip() else "(unnamed)"


def _unique(name: str, taken: dict[str, Any]) -> str:
    candidate, n = name, 1
    while naming.key(candidate) in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def _plan_group(plan: _Plan, code: RefiCode) -> str:
    name = _unique(_clean(code.name), plan.groups)
    plan.groups[naming.key(name)] = name
    plan.target[code.guid] = ("group", name)
    if code.description:
        if plan.refi.from_stc:
            plan.group_heading[naming.key(name)] = code.description
        else:
            plan.group_memo[name] = code.description
    return name


def _plan_code(plan: _Plan, code: RefiCode, group: str | None, path: list[str]) -> None:
    name = _clean(code.name)
    for parent in reversed(path):  # a name used twice in the tree gets its parent's name
        if naming.key(name) not in plan.codes:
            break
        name = f"{_clean(parent)}::{name}"
    name = _unique(name, plan.codes)
    plan.codes[naming.key(name)] = (name, group, code.description)
    plan.target[code.guid] = ("code", name)


def _plan_subgroup(plan: _Plan, group: str, code: RefiCode) -> None:
    taken = {k[1]: v for k, v in plan.subgroups.items() if k[0] == naming.key(group)}
    name = _unique(_clean(code.name), taken)
    key = (naming.key(group), naming.key(name))
    plan.subgroups[key] = name
    plan.target[code.guid] = ("subgroup", group, name)
    plan.owner.update({n: ("subgroup", group, name) for n in code.notes})
    if code.description and plan.refi.from_stc:
        plan.subgroup_heading[key] = code.description


def _plan_children(plan: _Plan, group: str, children: list[RefiCode], path: list[str],
                   subgroup_guids: set[str]) -> int:
    """Codes below a top-level code all land in its group; returns how many sat deeper."""
    deeper = 0
    for child in children:
        if child.guid in subgroup_guids:
            _plan_subgroup(plan, group, child)
            continue
        if path:
            deeper += 1
        if child.codable:
            _plan_code(plan, child, group, path)
        elif child.description:
            plan.refi.left_out.add("sub-category descriptions")
        deeper += _plan_children(plan, group, child.children, [*path, child.name],
                                 subgroup_guids)
    return deeper


def _used_codes(refi: RefiFile) -> set[str]:
    return {g for s in refi.sources for g in s.codes + [c for x in s.selections for c in x.codes]}


def _plan_codebook(plan: _Plan) -> None:
    refi = plan.refi
    subgroup_guids = {g for s in refi.sets if s.name == SUBGROUP_SET for g in s.codes}
    set_of: dict[str, str] = {}
    for code_set in refi.sets:
        if code_set.name not in STC_SETS:
            for guid in code_set.codes:
                set_of.setdefault(guid, code_set.name)
    used = _used_codes(refi)
    deeper = 0
    for top in refi.codes:
        if top.children or not top.codable:
            group = _plan_group(plan, top)
            plan.owner.update({n: ("group", group) for n in top.notes})
            themes = [plan.labelled[n][1] for n in top.notes
                      if plan.labelled.get(n, ("",))[0] == "theme"]
            if themes:
                plan.group_theme[naming.key(group)] = themes[0]
            if top.codable and top.guid in used:
                _plan_code(plan, top, group, [])
            deeper += _plan_children(plan, group, top.children, [], subgroup_guids)
        else:
            group = None
            if top.guid in set_of:  # ATLAS.ti writes its code groups as sets
                group = plan.groups.get(naming.key(set_of[top.guid]))
                if group is None:
                    group = _unique(_clean(set_of[top.guid]), plan.groups)
                    plan.groups[naming.key(group)] = group
            _plan_code(plan, top, group, [])
    refi.left_out.add("codes in deeper tree levels", deeper)
    refi.left_out.add("code colours", sum(1 for c in refi.all_codes() if c.color))


def _check_sources(plan: _Plan, taken: set[str]) -> None:
    refi, path = plan.refi, plan.path
    missing = [s.name for s in refi.sources if s.text is None]
    if missing:
        raise StcError("E605", path=str(path), count=counted(len(missing), "source"),
                       names=", ".join(missing[:5])
                       + (" …" if len(missing) > 5 else ""))
    known = {c.guid for c in refi.all_codes()}
    holding: dict[str, list[str]] = {}
    for case in refi.cases:
        for guid in case.sources:
            holding.setdefault(guid, []).append(_clean(case.name))
    for source in refi.sources:
        text = source.text or ""
        for sel in source.selections:
            if not 0 <= sel.start < sel.end <= len(text):
                raise StcError("E606", path=str(path), selection=sel.name or sel.guid,
                               source=source.name, start=sel.start, end=sel.end,
                               length=len(text))
            for guid in sel.codes:
                if guid not in known:
                    raise StcError("E608", path=str(path), guid=guid,
                                   where=f"a coding in {source.name!r}")
        if not text.strip():
            if source.codes:
                raise StcError("E613", path=str(path), source=source.name,
                               count=counted(len(source.codes), "selection"))
            refi.left_out.add("empty sources")
            continue
        doc = _doc_id(source.name, taken)
        data = text.encode("utf-8")
        cases = holding.get(source.guid, [])
        plan.docs.append(_Doc(source, doc, cases[0] if len(cases) == 1 else None, data))


def _plan_labels(plan: _Plan) -> None:
    """Which case each participant label of a focus group's source is: the labels stc's
    own file names in the case, else the case of the label's name, else, when one label and
    one case are left, each other."""
    holding: dict[str, list[RefiCase]] = {}
    for case in plan.refi.cases:
        for guid in case.sources:
            holding.setdefault(guid, []).append(case)
    for doc in plan.docs:
        cases = holding.get(guid_key(doc.source.guid), [])
        if len(cases) < 2:
            continue
        labels = list(dict.fromkeys(t[0] for t in doc.payload["turns"]
                                    if t[0] and t[1] == "participant"))
        for case in cases:
            for label in parse_labels_description(case.description).get(doc.source.name, []):
                doc.labels[naming.key(label)] = _clean(case.name)
        names = {naming.key(_clean(c.name)): _clean(c.name) for c in cases}
        for label in labels:
            if naming.key(label) not in doc.labels and naming.key(label) in names:
                doc.labels[naming.key(label)] = names[naming.key(label)]
        left = [lab for lab in labels if naming.key(lab) not in doc.labels]
        unused = [n for n in names.values() if n not in doc.labels.values()]
        if len(left) == len(unused) == 1:
            doc.labels[naming.key(left[0])] = unused[0]


def _stretches(doc: _Doc, plan: _Plan) -> None:
    """Selections with the same start, end and coder become one stretch with all their codes;
    a stretch with nothing stc can code becomes memos (its description, its notes)."""
    source = doc.source
    selections = list(source.selections)
    if source.codings:  # codings of the whole source: a unit over all its text
        selections.append(RefiSelection("", None, 0, len(source.text or ""), source.codings,
                                        user=source.user))
    found: dict[tuple[int, int, str | None], _Stretch] = {}
    for sel in selections:
        users = list(dict.fromkeys(c.user for c in sel.codings)) or [sel.user]
        for n, user in enumerate(users):
            stretch = found.setdefault((sel.start, sel.end, user),
                                       _Stretch(sel.start, sel.end, user))
            stretch.codes += [c.code for c in sel.codings
                              if c.user == user and c.code not in stretch.codes]
            if n == 0:  # what the selection says besides its codings goes with one unit
                if sel.description and sel.description not in stretch.descriptions:
                    stretch.descriptions.append(sel.description)
                stretch.notes += sel.notes
                stretch.names += [sel.name] if sel.name else []
    for stretch in sorted(found.values(), key=lambda s: (s.start, s.end)):
        targets = [plan.target.get(c) for c in stretch.codes]
        plan.refi.left_out.add("codings of code folders",
                               sum(1 for t in targets if t is None or t[0] == "group"))
        if plan.refi.from_stc or any(t and t[0] in ("code", "subgroup") for t in targets):
            doc.stretches.append(stretch)
        elif stretch.descriptions or stretch.notes:
            doc.loose.append(stretch)
        else:
            plan.refi.left_out.add("selections without codes")


def _plan_notes(plan: _Plan) -> None:
    """stc's own labelled notes (themes, quotations, set-aside reasons) and the research
    question, when the file is one stc wrote."""
    refi = plan.refi
    if not refi.from_stc:
        return
    for note in refi.notes:
        parsed = parse_labelled(note.name)
        if parsed:
            plan.labelled[note.guid] = (parsed[0], note.text)
            if parsed[0] == "theme":
                plan.themes.append(_clean(note.text or parsed[1]))
    plan.question = refi.description


def _plan_annotations(plan: _Plan) -> None:
    """A note with positions that its source refers to (an annotation, as QualCoder writes
    it) becomes a memo on the segments of its first position; other positions are lost."""
    notes = {n.guid: n for n in plan.refi.notes}
    for doc in plan.docs:
        for guid in doc.source.notes:
            note = notes.get(guid)
            if note and note.spans and guid not in plan.annotations:
                start, end = note.spans[0]
                if 0 <= start < end <= len(doc.source.text or ""):
                    plan.annotations[guid] = f"{doc.id}:{segments_ref(doc.payload, start, end)}"
    plan.refi.left_out.add("annotation positions", sum(
        len(n.spans) - (n.guid in plan.annotations) for n in plan.refi.notes))


# REFI-QDA's types of variables as stc's types of attributes
VARIABLE_TYPES = {"Integer": "number", "Float": "number", "Date": "date", "DateTime": "date"}


def _plan_values(plan: _Plan, conn: sqlite3.Connection) -> None:
    """Cases' and sources' variable values as attributes of participants and transcripts,
    each typed by its variable (or by the attribute the project already has)."""
    refi = plan.refi
    types = {kind: key_types(conn, kind) for kind in OWNER_KINDS}
    owners = [("participant", _clean(c.name), c.values) for c in refi.cases]
    owners += [("doc", d.id, d.source.values) for d in plan.docs]
    for kind, owner, values in owners:
        for guid, text in values.items():
            variable = refi.variables.get(guid)
            if variable is None or not text:
                continue
            key = "_".join(variable.name.split())[:40] or "variable"
            declared = VARIABLE_TYPES.get(variable.type, "category")
            value = fitting(typed(text), types[kind].setdefault(naming.key(key), declared))
            if value is None:
                refi.left_out.add("variable values of another type")
                continue
            plan.values.append((kind, owner, key, value))
    imported = {d.source.guid for d in plan.docs}
    refi.left_out.add("variable values of sources left out", sum(
        s.variable_values for s in refi.sources if s.guid not in imported))


def _count_left_out(plan: _Plan) -> None:
    """The kinds of loss only the whole plan shows: unused users, sets."""
    refi = plan.refi
    authors = {s.user for d in plan.docs for s in d.stretches + d.loose}
    authors |= {d.source.user for d in plan.docs if d.source.description}
    authors |= {n.user for n in refi.notes if n.guid not in plan.labelled}
    refi.left_out.add("users", len(set(refi.users) - authors))
    refi.left_out.add("case descriptions", sum(
        1 for c in refi.cases if c.description and not parse_labels_description(c.description)))
    _plan_annotations(plan)
    foreign_sets = [s for s in refi.sets if s.name not in STC_SETS]
    refi.left_out.add("document sets", sum(1 for s in foreign_sets if s.sources))
    refi.left_out.add("note sets", sum(1 for s in foreign_sets if s.notes))
    sources = [d.source for d in plan.docs]
    refi.left_out.add("rich-text files", sum(1 for s in sources if s.rich_text))
    dated = [s.created for s in sources] + [n.created for n in refi.notes]
    dated += [x.created for s in sources for x in s.selections]
    refi.left_out.add("creation dates", sum(1 for created in dated if created))


def plan_import(project: Project, path: Path) -> _Plan:
    if path.suffix.lower() == ".csv":
        from stc.exchange.taguette import read_codebook_csv

        refi, kind = read_codebook_csv(path), "Taguette codebook (CSV)"
    else:
        refi = read_refi(path)
        kind = f"REFI-QDA {refi.kind}"
    plan = _Plan(refi, path, kind)
    existing = {naming.key(str(r[0])) for r in project.conn.execute("SELECT id FROM documents")}
    taken: set[str] = set()
    _check_sources(plan, taken)
    for doc in plan.docs:
        if naming.key(doc.id) in existing:
            raise StcError("E607", path=str(path), doc=doc.id)
    _plan_notes(plan)
    _plan_codebook(plan)
    for doc in plan.docs:
        _stretches(doc, plan)
    if plan.docs:
        from stc.language import sentence_pipeline

        nlp = sentence_pipeline(project.language, project.pipeline)
        for doc in plan.docs:
            doc.payload = document_payload(doc.id, f"{doc.id}.txt", doc.data,
                                           doc.source.text or "", nlp)
    _plan_labels(plan)
    _plan_values(plan, project.conn)
    _count_left_out(plan)  # last: where annotations fall needs the segments
    return plan


# -- recording -----------------------------------------------------------------------------------

def import_refi(project: Project, path: Path) -> ExchangeImport:
    plan = plan_import(project, path)
    counts = plan.refi.left_out.counts
    left_out = {kind: counts[kind] for kind in [*LEFT_OUT_WHY, *counts] if kind in counts}
    result = ExchangeImport(str(path), plan.refi.kind, left_out=left_out,
                            remarks=list(dict.fromkeys(plan.refi.remarks)))
    originals = [(doc.id, f"{doc.id}.txt", hashlib.sha256(doc.data).hexdigest(), doc.data)
                 for doc in plan.docs]
    with project.batch(f"imported from a {plan.format} file") as b:
        for original in originals:
            b.keep_original(original)
        b.record("exchange.import", {
            "file": b.text(path.name, PROJECT), "sha256": plan.refi.sha256, "format": plan.format,
            "origin": plan.refi.origin, "left_out": result.left_out})
        _record(b, plan, result)
        result.seq = b.recorded[-1].seq
    return result


def _row_id(b: Batch, table: str, name: str, group: int | None = None) -> int | None:
    """The id of the theme, code group, code or subgroup (in `group`) of that name, found as
    every name is (stc.lookup)."""
    where, args = ("group_id = ?", (group,)) if group is not None else ("", ())
    row = by_name(b.conn, f"SELECT id, name FROM {table}", "name", name, where, args)
    return None if row is None else int(row[0])


class _Ids:
    """Ids of the project's objects by name, created as the plan is recorded."""

    def __init__(self) -> None:
        self.group: dict[str, int] = {}
        self.code: dict[str, int] = {}
        self.subgroup: dict[tuple[str, str], int] = {}
        self.theme: dict[str, int] = {}


def _author(refi: RefiFile, user: str | None) -> str | None:
    """The name under which a user's work is recorded; None: the local user."""
    if user is None:
        return None
    return refi.users.get(user) or f"unknown user {user[:8]}"


def _record_themes(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids) -> None:
    for name in plan.themes:
        found = _row_id(b, "themes", name)
        if found is None:
            found = b.next_id("themes")
            b.record("theme.add", {"id": found, "name": name})
            result.themes += 1
        ids.theme[naming.key(name)] = found


def _record_codebook(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids) -> None:
    for key, name in plan.groups.items():
        found = _row_id(b, "code_groups", name)
        if found is None:
            found = b.next_id("code_groups")
            if plan.refi.from_stc:  # stc's file says which theme a group grew out of
                theme = ids.theme.get(naming.key(plan.group_theme.get(key, "")))
            else:
                theme = _row_id(b, "themes", name)
            b.record("group.add", {"id": found, "name": name, "from_theme": theme})
            result.groups += 1
        ids.group[key] = found
    for key, (name, group, definition) in plan.codes.items():
        found = _row_id(b, "codes", name)
        if found is None:
            found = b.next_id("codes")
            b.record("code.add", {
                "id": found, "name": name,
                "group": ids.group[naming.key(group)] if group else None,
                "definition": b.text(definition, PROJECT) if definition else None})
            result.codes += 1
        ids.code[key] = found
    for (group_key, key), name in plan.subgroups.items():
        group_id = ids.group[group_key]
        found = _row_id(b, "subgroups", name, group_id)
        if found is None:
            found = b.next_id("subgroups")
            b.record("subgroup.add", {"id": found, "name": name, "group": group_id,
                                      "group_name": plan.groups[group_key]})
            result.subgroups += 1
        ids.subgroup[(group_key, key)] = found
    for key, heading in plan.group_heading.items():
        b.record("text.set", {"kind": "group", "id": ids.group[key], "name": plan.groups[key],
                              "field": "heading", "value": heading})
    for (group_key, key), heading in plan.subgroup_heading.items():
        name = f"{plan.groups[group_key]}/{plan.subgroups[(group_key, key)]}"
        b.record("text.set", {"kind": "subgroup", "id": ids.subgroup[(group_key, key)],
                              "name": name, "field": "heading", "value": heading})


def _record_unit(b: Batch, plan: _Plan, speech: DocText, stretch: _Stretch, ids: _Ids,
                 sorted_into: dict[tuple[str, int], list[int]]) -> None:
    start, end = stretch.start, stretch.end
    codes: dict[int, str] = {}
    subgroup = None
    for guid in stretch.codes:
        target = plan.target.get(guid)
        if target is not None and target[0] == "code":
            codes.setdefault(ids.code[naming.key(target[1])], target[1])
        elif target is not None and target[0] == "subgroup":
            subgroup = ids.subgroup[(naming.key(target[1]), naming.key(target[2]))]
    unit = b.take_number("unit")
    owner = doc_owner(speech.id)
    payload: dict[str, Any] = {
        "id": unit, **place_fields(b.conn, speech, start, end),
        "codes": list(codes), "code_names": list(codes.values()),
    }
    if stretch.descriptions:
        payload["note"] = b.text("\n\n".join(stretch.descriptions), owner)
    if subgroup is not None:
        payload["subgroup_id"] = subgroup
        sorted_into.setdefault(("subgroup", subgroup), []).append(unit)
    own = [plan.labelled[n] for n in stretch.notes if n in plan.labelled]
    nuggets = [body for kind, body in own if kind == "nugget"]
    if nuggets:
        payload["nugget"] = b.text(nuggets[0], owner)
    author = _author(plan.refi, stretch.user)
    b.record("unit.add", payload, author=author)
    for kind, reason in own:
        if kind == "aside":
            b.record("unit.set", {"id": unit, "aside": reason}, author=author)
    for note in stretch.notes:
        plan.memos_on.setdefault(note, f"U{unit}")
    if plan.refi.from_stc:
        for name in stretch.names:
            plan.memos_on.setdefault(f"stc:{name}", f"U{unit}")


def _record_units(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids
                  ) -> dict[tuple[str, int], list[int]]:
    """Units per (kind, id) of the subgroup or group they were sorted into."""
    sorted_into: dict[tuple[str, int], list[int]] = {}
    for doc in plan.docs:
        speech = load_doc(b.conn, doc.id)  # recorded just before, in the same batch
        for stretch in doc.stretches:
            _record_unit(b, plan, speech, stretch, ids, sorted_into)
            result.units += 1
    return sorted_into


def _record_texts(b: Batch, plan: _Plan, note: RefiNote, ids: _Ids,
                  sorted_into: dict[tuple[str, int], list[int]]) -> bool:
    """A condensate or analytic text of a group or subgroup; False for any other note."""
    owner = plan.owner.get(note.guid)
    parsed = parse_labelled(note.name)
    if owner is None or parsed is None or parsed[0] not in ("condensate", "description"):
        return False
    if owner[0] == "group":
        kind, ident, name = "group", ids.group[naming.key(owner[1])], owner[1]
    else:
        kind = "subgroup"
        ident = ids.subgroup[(naming.key(owner[1]), naming.key(owner[2]))]
        name = f"{owner[1]}/{owner[2]}"
    value = b.text(note.text, PROJECT)
    if parsed[0] == "condensate" and "condensate.set" in CHANGE_KINDS:
        b.record("condensate.set", {"kind": kind, "id": ident, "name": name, "value": value,
                                    "units": sorted_into.get((kind, ident), [])})
    else:
        b.record("text.set", {"kind": kind, "id": ident, "name": name, "field": parsed[0],
                              "value": value})
    return True


def _memo_ref(plan: _Plan, note: RefiNote, stc_ref: str | None) -> str | None:
    if stc_ref is not None:
        units = re.fullmatch(r"U\d+", stc_ref)
        if units:  # the unit has a new number in this project
            return plan.memos_on.get(f"stc:{stc_ref}", stc_ref)
        return stc_ref
    return plan.annotations.get(note.guid) or plan.memos_on.get(note.guid)


def _add_memo(b: Batch, result: ExchangeImport, kind: str, ref: str | None, body: str,
              author: str | None = None) -> None:
    b.record("memo.add", {"id": b.next_id("memos"), "kind": kind, "ref": ref,
                          "body": b.text(body, ref_owner(b.conn, ref))}, author=author)
    result.memos += 1


def _record_loose(b: Batch, plan: _Plan, result: ExchangeImport) -> None:
    """What stretches without a code said: descriptions become memos on their segments, and
    their notes are placed there."""
    for doc in plan.docs:
        for stretch in doc.loose:
            ref = f"{doc.id}:{segments_ref(doc.payload, stretch.start, stretch.end)}"
            for description in stretch.descriptions:
                _add_memo(b, result, "note", ref, description, _author(plan.refi, stretch.user))
            for note in stretch.notes:
                plan.memos_on.setdefault(note, ref)


def _record_memos(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids,
                  sorted_into: dict[tuple[str, int], list[int]]) -> None:
    refi = plan.refi
    for doc in plan.docs:
        for guid in doc.source.notes:
            plan.memos_on.setdefault(guid, doc.id)
        if doc.source.description:
            _add_memo(b, result, "note", doc.id, doc.source.description,
                      _author(refi, doc.source.user))
    for code in refi.all_codes():
        target = plan.target.get(code.guid)
        if target is not None:
            ref = f"{target[0]}:{'/'.join(target[1:])}"
            for guid in code.notes:
                plan.memos_on.setdefault(guid, ref)
    for group, description in plan.group_memo.items():
        _add_memo(b, result, "note", f"group:{group}", description)
    if refi.description and not refi.from_stc:
        _add_memo(b, result, "note", None, f"Project description\n\n{refi.description}")
    for note in refi.notes:
        if note.guid in plan.labelled and plan.labelled[note.guid][0] in ("theme", "nugget",
                                                                          "aside"):
            continue  # themes, quotations and reasons were recorded as what they are
        if _record_texts(b, plan, note, ids, sorted_into):
            continue
        parsed = parse_note_name(note.name) if refi.from_stc else None
        kind, stc_ref = parsed if parsed else ("note", None)
        body = note.text
        if parsed is None and note.name and not body.startswith(note.name):
            body = f"{note.name}\n\n{body}" if body else note.name
        if note.description:
            body = f"{body}\n\n{note.description}"
        _add_memo(b, result, kind if kind in MEMO_KINDS else "note",
                  _memo_ref(plan, note, stc_ref), body, _author(refi, note.user))


def _record_question(b: Batch, plan: _Plan, result: ExchangeImport) -> None:
    if not plan.question:
        return
    row = b.conn.execute("SELECT value FROM project WHERE key = 'question'").fetchone()
    if row is None:
        b.record("project.set", {"key": "question", "value": plan.question})
    elif row[0] != plan.question:
        result.remarks.append("the file's research question differs from this project's;"
                              " this project's was kept")


def _record_cases(b: Batch, plan: _Plan, result: ExchangeImport, speakers: Speakers) -> None:
    """Cases become participants (found by name, or added), their variables attributes, as
    do a transcript's variables."""
    participants = {}
    for case in plan.refi.cases:
        participants[_clean(case.name)] = str(speakers.participant(_clean(case.name)))
    result.participants = len(participants)
    speakers.record_added()
    current = {kind: attributes_of(b.conn, kind) for kind in OWNER_KINDS}
    spelled = {kind: {naming.key(k): k for k in keys_of(b.conn, kind)} for kind in OWNER_KINDS}
    before = len(b.recorded)
    for kind, owner, key, value in plan.values:
        mine = participants[owner] if kind == "participant" else owner
        key = spelled[kind].setdefault(naming.key(key), key)
        record_value(b, kind, mine, key, value, current[kind].get(mine, {}).get(key),
                     Difference())
    result.attributes = len(b.recorded) - before


def _record(b: Batch, plan: _Plan, result: ExchangeImport) -> None:
    speakers = Speakers(b)
    for doc in plan.docs:
        payload = speakers.assign(doc.payload, doc.participant, given=doc.labels)
        payload["text"] = b.text(doc.source.text or "", doc_owner(doc.id))
        b.record("document.import", payload)
        result.documents.append(doc.id)
    _record_cases(b, plan, result, speakers)
    ids = _Ids()
    _record_themes(b, plan, result, ids)
    _record_codebook(b, plan, result, ids)
    sorted_into = _record_units(b, plan, result, ids)
    _record_loose(b, plan, result)
    _record_memos(b, plan, result, ids, sorted_into)
    _record_question(b, plan, result)


__all__ = ["LEFT_OUT_WHY", "ExchangeImport", "import_refi", "plan_import"]
