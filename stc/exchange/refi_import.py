"""Bringing a .qdpx, .qde or .qdc into a project: sources become transcripts, selections meaning
units with their codes, the code tree code groups and codes, notes memos.

Everything is read and checked first; then the whole file is recorded in one transaction, so a
broken or hostile file changes nothing. A source's plain text is stored exactly as the file gives
it (less a byte-order mark, CRLF as one position), so every selection's text is the unit's text;
speaker turns and sentence segments are found in that text by the same machinery as `stc import`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc.changes import CHANGE_KINDS
from stc.errors import StcError
from stc.exchange.model import RefiCode, RefiFile, RefiNote, RefiSource
from stc.exchange.names import SUBGROUP_SET, parse_note_name
from stc.exchange.refi_read import read_refi
from stc.formats.speakers import labelled_lines
from stc.importing import role_of, segment_document
from stc.project import Batch, Project
from stc.texts import text_hash

CONTEXT_CHARS = 60  # as for units made by `stc code`: context kept to find a unit again
MEMO_KINDS = ("preunderstanding", "impression", "note")


@dataclass
class ExchangeImport:
    """What an import brought in, and what it could not take (spec section 7: data loss)."""

    path: str
    kind: str
    documents: list[str] = field(default_factory=list)
    units: int = 0
    groups: int = 0
    codes: int = 0
    subgroups: int = 0
    memos: int = 0
    notes: list[str] = field(default_factory=list)
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


def document_payload(doc: str, participant: str, filename: str, data: bytes, text: str,
                     nlp: Any) -> dict[str, Any]:
    """A `document.import` payload for a text stored as it is."""
    turns = turns_in_text(text)
    labelled = any(speaker for speaker, *_ in turns)
    roles = [role_of(speaker, {}, labelled) for speaker, *_ in turns]
    speakers = {t[0] for t, role in zip(turns, roles, strict=True) if role == "participant"}
    focus_group = len(speakers) > 1

    def participant_of(speaker: str | None, role: str) -> str | None:
        if role != "participant":
            return None
        return speaker if focus_group and speaker else participant

    spans = [(start, end) for _, start, end, _ in turns]
    return {
        "doc": doc, "version": 1, "participant": participant, "filename": filename,
        "format": "txt", "source": hashlib.sha256(data).hexdigest(), "encoding": "utf-8",
        "text": text_hash(text), "chars": len(text),
        "turns": [[speaker, role, participant_of(speaker, role), start, end, time, None]
                  for (speaker, start, end, time), role in zip(turns, roles, strict=True)],
        "segments": [list(s) for s in segment_document(text, spans, nlp)],
    }


def _doc_id(name: str, taken: set[str]) -> str:
    stem = name[:-4] if name.lower().endswith((".txt", ".docx")) else name
    stem = stem.rsplit(".", 1)[0] if stem.lower().endswith(".docx") else stem
    base = re.sub(r"[^\w.-]+", "_", unicodedata.normalize("NFC", stem)).strip("_.-")[:36]
    base = base or "doc"
    doc, n = base, 1
    while doc.casefold() in taken:
        n += 1
        doc = f"{base}-{n}"
    taken.add(doc.casefold())
    return doc


# -- the plan: everything checked and mapped before anything is recorded -----------------------

@dataclass
class _Doc:
    """A REFI-QDA source planned for import as one transcript."""

    source: RefiSource
    id: str
    participant: str
    data: bytes
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    """Everything a REFI-QDA import will record, worked out before anything is written."""

    refi: RefiFile
    path: Path
    docs: list[_Doc] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # casefold -> name, in order
    group_heading: dict[str, str] = field(default_factory=dict)
    group_memo: dict[str, str] = field(default_factory=dict)  # a group's foreign description
    codes: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    subgroups: dict[tuple[str, str], str] = field(default_factory=dict)
    target: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code GUID -> object
    memos_on: dict[str, str] = field(default_factory=dict)  # note GUID -> ref, first wins
    owner: dict[str, tuple[str, ...]] = field(default_factory=dict)  # note GUID -> group/sub


def _clean(name: str) -> str:
    return " ".join(name.split()) or "(unnamed)"


def _unique(name: str, taken: dict[str, Any]) -> str:
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def _plan_group(plan: _Plan, code: RefiCode) -> str:
    name = _unique(_clean(code.name), plan.groups)
    plan.groups[name.casefold()] = name
    plan.target[code.guid] = ("group", name)
    if code.description:
        if plan.refi.from_stc:
            plan.group_heading[name.casefold()] = code.description
        else:
            plan.group_memo[name] = code.description
    return name


def _plan_code(plan: _Plan, code: RefiCode, group: str | None, path: list[str]) -> None:
    name = _clean(code.name)
    for parent in reversed(path):  # a name used twice in the tree gets its parent's name
        if name.casefold() not in plan.codes:
            break
        name = f"{_clean(parent)}::{name}"
    name = _unique(name, plan.codes)
    plan.codes[name.casefold()] = (name, group, code.description)
    plan.target[code.guid] = ("code", name)


def _plan_children(plan: _Plan, group: str, children: list[RefiCode], path: list[str],
                   subgroup_guids: set[str]) -> int:
    """Codes below a top-level code all land in its group; returns how many sat deeper."""
    deeper = 0
    for child in children:
        if child.guid in subgroup_guids:
            taken = {k[1]: v for k, v in plan.subgroups.items() if k[0] == group.casefold()}
            name = _unique(_clean(child.name), taken)
            plan.subgroups[(group.casefold(), name.casefold())] = name
            plan.target[child.guid] = ("subgroup", group, name)
            plan.owner.update({n: ("subgroup", group, name) for n in child.notes})
            continue
        if path:
            deeper += 1
        if child.codable:
            _plan_code(plan, child, group, path)
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
        if code_set.name != SUBGROUP_SET:
            for guid in code_set.codes:
                set_of.setdefault(guid, code_set.name)
    used = _used_codes(refi)
    deeper = 0
    for top in refi.codes:
        if top.children or not top.codable:
            group = _plan_group(plan, top)
            plan.owner.update({n: ("group", group) for n in top.notes})
            if top.codable and top.guid in used:
                _plan_code(plan, top, group, [])
            deeper += _plan_children(plan, group, top.children, [], subgroup_guids)
        else:
            group = None
            if top.guid in set_of:  # ATLAS.ti writes its code groups as sets
                group = plan.groups.get(set_of[top.guid].casefold())
                if group is None:
                    group = _unique(_clean(set_of[top.guid]), plan.groups)
                    plan.groups[group.casefold()] = group
            _plan_code(plan, top, group, [])
    if deeper:
        refi.skipped.append(f"the nesting of {deeper} codes below the second level (stc has"
                            " code groups and codes; they are now codes of their top group)")


def _check_sources(plan: _Plan, taken: set[str]) -> None:
    refi, path = plan.refi, plan.path
    missing = [s.name for s in refi.sources if s.text is None]
    if missing:
        raise StcError("E605", path=str(path), count=len(missing), names=", ".join(missing[:5])
                       + (" …" if len(missing) > 5 else ""))
    known = {c.guid for c in refi.all_codes()}
    participant = {g: c.name for c in refi.cases for g in c.sources}
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
                raise StcError("E613", path=str(path), source=source.name, count=len(source.codes))
            refi.skipped.append(f"source {source.name!r}, which holds no text")
            continue
        doc = _doc_id(source.name, taken)
        data = text.encode("utf-8")
        plan.docs.append(_Doc(source, doc, _clean(participant.get(source.guid, doc)), data))


def plan_import(project: Project, path: Path) -> _Plan:
    refi = read_refi(path)
    plan = _Plan(refi, path)
    existing = {str(r[0]).casefold() for r in project.conn.execute("SELECT id FROM documents")}
    taken: set[str] = set()
    _check_sources(plan, taken)
    for doc in plan.docs:
        if doc.id.casefold() in existing:
            raise StcError("E607", path=str(path), doc=doc.id)
    _plan_codebook(plan)
    if plan.docs:
        from stc.language import sentence_pipeline

        nlp = sentence_pipeline(project.language, project.settings.get("pipeline"))
        for doc in plan.docs:
            doc.payload = document_payload(doc.id, doc.participant, f"{doc.id}.txt", doc.data,
                                           doc.source.text or "", nlp)
    return plan


# -- recording -----------------------------------------------------------------------------------

def import_refi(project: Project, path: Path) -> ExchangeImport:
    plan = plan_import(project, path)
    result = ExchangeImport(str(path), plan.refi.kind)
    originals = [(doc.id, f"{doc.id}.txt", hashlib.sha256(doc.data).hexdigest(), doc.data)
                 for doc in plan.docs]
    with project.keeping_originals(originals), \
            project.batch(f"imported from {path.name}") as b:
        _record(b, plan, result)
        result.seq = b.recorded[-1].seq if b.recorded else None
    result.notes = list(plan.refi.skipped)
    return result


def _row_id(b: Batch, sql: str, *args: object) -> int | None:
    row = b.conn.execute(sql, args).fetchone()
    return None if row is None else int(row[0])


class _Ids:
    """Ids of the project's objects by name, created as the plan is recorded."""

    def __init__(self) -> None:
        self.group: dict[str, int] = {}
        self.code: dict[str, int] = {}
        self.subgroup: dict[tuple[str, str], int] = {}


def _record_codebook(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids) -> None:
    for key, name in plan.groups.items():
        found = _row_id(b, "SELECT id FROM code_groups WHERE name = ? COLLATE NOCASE", name)
        if found is None:
            found = b.next_id("code_groups")
            theme = _row_id(b, "SELECT id FROM themes WHERE name = ? COLLATE NOCASE", name)
            b.record("group.add", {"id": found, "name": name, "from_theme": theme})
            result.groups += 1
        ids.group[key] = found
    for key, (name, group, definition) in plan.codes.items():
        found = _row_id(b, "SELECT id FROM codes WHERE name = ? COLLATE NOCASE", name)
        if found is None:
            found = b.next_id("codes")
            b.record("code.add", {
                "id": found, "name": name,
                "group": ids.group[group.casefold()] if group else None,
                "definition": b.text(definition) if definition else None})
            result.codes += 1
        ids.code[key] = found
    for (group_key, key), name in plan.subgroups.items():
        group_id = ids.group[group_key]
        found = _row_id(b, "SELECT id FROM subgroups WHERE group_id = ? AND name = ?"
                        " COLLATE NOCASE", group_id, name)
        if found is None:
            found = b.next_id("subgroups")
            b.record("subgroup.add", {"id": found, "name": name, "group": group_id,
                                      "group_name": plan.groups[group_key]})
            result.subgroups += 1
        ids.subgroup[(group_key, key)] = found
    for key, heading in plan.group_heading.items():
        b.record("text.set", {"kind": "group", "id": ids.group[key], "name": plan.groups[key],
                              "field": "heading", "value": heading})


def _segments_ref(payload: dict[str, Any], start: int, end: int) -> str:
    segments = payload["segments"]
    numbers = [n for n, (_, s, e) in enumerate(segments, start=1) if s < end and e > start]
    if not numbers:
        numbers = [max([n for n, (_, s, _) in enumerate(segments, start=1) if s <= start],
                       default=1)]
    first, last = numbers[0], numbers[-1]
    return str(first) if first == last else f"{first}-{last}"


def _record_unit(b: Batch, doc: _Doc, start: int, end: int, codes: list[tuple[int, str]],
                 note: str | None) -> int:
    text = doc.source.text or ""
    unit = b.take_number("unit")
    payload: dict[str, Any] = {
        "id": unit, "doc": doc.id, "version": 1, "start": start, "end": end,
        "segments": _segments_ref(doc.payload, start, end),
        "text": b.text(text[start:end]),
        "before": b.text(text[max(0, start - CONTEXT_CHARS):start]),
        "after": b.text(text[end:end + CONTEXT_CHARS]),
        "codes": [c for c, _ in codes], "code_names": [n for _, n in codes],
    }
    if note:
        payload["note"] = b.text(note)
    b.record("unit.add", payload)
    return unit


def _record_units(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids
                  ) -> dict[tuple[str, int], list[int]]:
    """Units per (kind, id) of the subgroup or group they were sorted into."""
    sorted_into: dict[tuple[str, int], list[int]] = {}
    for doc in plan.docs:
        selections = [(s.start, s.end, s.codes, s.description, s.notes, s.name)
                      for s in doc.source.selections]
        if doc.source.codes:  # codings of the whole source: a unit over all its text
            selections.append((0, len(doc.source.text or ""), doc.source.codes, None, [], None))
        for start, end, guids, description, notes, name in selections:
            codes: dict[int, str] = {}
            subgroup = None
            for guid in guids:
                target = plan.target.get(guid)
                if target is None:
                    continue  # a folder of codes: not codable in stc
                if target[0] == "code":
                    codes.setdefault(ids.code[target[1].casefold()], target[1])
                elif target[0] == "subgroup":
                    subgroup = ids.subgroup[(target[1].casefold(), target[2].casefold())]
            unit = _record_unit(b, doc, start, end, list(codes.items()), description)
            result.units += 1
            if subgroup is not None:
                b.record("unit.set", {"id": unit, "subgroup_id": subgroup})
                sorted_into.setdefault(("subgroup", subgroup), []).append(unit)
            for note in notes:
                plan.memos_on.setdefault(note, f"U{unit}")
            if name and plan.refi.from_stc:
                plan.memos_on.setdefault(f"stc:{name}", f"U{unit}")
    return sorted_into


def _record_texts(b: Batch, plan: _Plan, note: RefiNote, ids: _Ids,
                  sorted_into: dict[tuple[str, int], list[int]]) -> bool:
    """A condensate or analytic text of a group or subgroup; False for any other note."""
    owner = plan.owner.get(note.guid)
    label = (note.name or "").partition(":")[0].strip().lower()
    if owner is None or label not in ("condensate", "analytic text"):
        return False
    if owner[0] == "group":
        kind, ident, name = "group", ids.group[owner[1].casefold()], owner[1]
    else:
        kind = "subgroup"
        ident = ids.subgroup[(owner[1].casefold(), owner[2].casefold())]
        name = f"{owner[1]}/{owner[2]}"
    value = b.text(note.text)
    if label == "condensate" and "condensate.set" in CHANGE_KINDS:
        b.record("condensate.set", {"kind": kind, "id": ident, "name": name, "value": value,
                                    "units": sorted_into.get((kind, ident), [])})
    else:
        field_name = "condensate" if label == "condensate" else "description"
        b.record("text.set", {"kind": kind, "id": ident, "name": name, "field": field_name,
                              "value": value})
    return True


def _memo_ref(plan: _Plan, note: RefiNote, stc_ref: str | None) -> str | None:
    if stc_ref is not None:
        units = re.fullmatch(r"U\d+", stc_ref)
        if units:  # the unit has a new number in this project
            return plan.memos_on.get(f"stc:{stc_ref}", stc_ref)
        return stc_ref
    return plan.memos_on.get(note.guid)


def _record_memos(b: Batch, plan: _Plan, result: ExchangeImport, ids: _Ids,
                  sorted_into: dict[tuple[str, int], list[int]]) -> None:
    for doc in plan.docs:
        for guid in doc.source.notes:
            plan.memos_on.setdefault(guid, doc.id)
    for code in plan.refi.all_codes():
        target = plan.target.get(code.guid)
        if target is not None:
            ref = f"{target[0]}:{'/'.join(target[1:])}"
            for guid in code.notes:
                plan.memos_on.setdefault(guid, ref)
    for group, description in plan.group_memo.items():
        b.record("memo.add", {"id": b.next_id("memos"), "kind": "note", "ref": f"group:{group}",
                              "body": b.text(description)})
        result.memos += 1
    for note in plan.refi.notes:
        if _record_texts(b, plan, note, ids, sorted_into):
            continue
        parsed = parse_note_name(note.name) if plan.refi.from_stc else None
        kind, stc_ref = parsed if parsed else ("note", None)
        body = note.text
        if parsed is None and note.name and not body.startswith(note.name):
            body = f"{note.name}\n\n{body}" if body else note.name
        b.record("memo.add", {"id": b.next_id("memos"),
                              "kind": kind if kind in MEMO_KINDS else "note",
                              "ref": _memo_ref(plan, note, stc_ref), "body": b.text(body)})
        result.memos += 1


def _record(b: Batch, plan: _Plan, result: ExchangeImport) -> None:
    for doc in plan.docs:
        b.text(doc.source.text or "")
        b.record("document.import", doc.payload)
        result.documents.append(doc.id)
    ids = _Ids()
    _record_codebook(b, plan, result, ids)
    sorted_into = _record_units(b, plan, result, ids)
    _record_memos(b, plan, result, ids, sorted_into)
