"""Writing a project as a REFI-QDA .qdpx (project exchange) or .qdc (codebook exchange).

The concept mapping (see the README): code groups are top-level codes that cannot be coded,
their codes and subgroups are child codes (subgroups also listed in the set `stc subgroups`),
meaning units are text selections coded with their codes and subgroup, participants are cases,
memos, condensates and analytic texts are notes. The trail does not travel.

Beyond the schema, the export keeps the rules the specification and real importers need:
`sources/` in lower case with `<GUID>.txt` files in UTF-8 with `\\n` and no byte-order mark,
referenced as `internal://<GUID>.txt`; positions in code points with `plain[start:end]` equal to
the unit's text; no empty container elements; children of Project in the schema's order. The zip
is deterministic: sorted entries, fixed timestamps, so the same state gives the same bytes.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from stc import __version__
from stc.attributes import OWNER_KINDS, Value, attributes_of, keys_of
from stc.errors import StcError
from stc.exchange.names import (
    LABELS,
    SUBGROUP_SET,
    Guids,
    labelled,
    labels_description,
    note_name,
)
from stc.participants import document_participants, speaker_labels
from stc.participants import names as participant_names
from stc.project import Project, write_atomically
from stc.texts import get_text, stored_value, writable
from stc.trail import last_shown
from stc.units import load_doc
from stc.words import counted

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class ExchangeExport:
    """What `stc export` wrote, and what the format could not carry."""

    path: str
    kind: str
    documents: int = 0
    units: int = 0
    codes: int = 0
    groups: int = 0
    subgroups: int = 0
    notes: int = 0
    left_out: list[str] = field(default_factory=list)


def _text(conn: sqlite3.Connection, value: str | None) -> str | None:
    """A stored text by its hash (stc.texts.stored_value)."""
    return None if value is None else stored_value(conn, value)


class _Writer:
    """Builds the XML of one export; `E(tag)` makes an element in the file's namespace."""

    def __init__(self, project: Project, namespace: str) -> None:
        self.conn = project.conn
        self.project = project
        self.ns = namespace
        first = self.conn.execute("SELECT hash FROM trail ORDER BY seq LIMIT 1").fetchone()
        self.guid = Guids(str(first[0]) if first else project.root.name)
        self.notes: list[ET.Element] = []
        self.note_refs: dict[str, list[str]] = {}  # element key -> note GUIDs
        self.project_notes: list[str] = []
        self.files: dict[str, str] = {}  # name in sources/ -> plain text
        self.sets: dict[str, list[str]] = {}  # label kind -> GUIDs of its notes
        self._makers: dict[str, Who] | None = None

    @property
    def makers(self) -> dict[str, Who]:
        if self._makers is None:
            self._makers = _makers(self.conn)
        return self._makers

    def who(self, key: str) -> Who:
        """Who made an object and when; what has no change of its own is the project's."""
        return self.makers.get(key) or self.makers["project"]

    def E(self, tag: str, attrs: dict[str, str] | None = None, text: str | None = None
          ) -> ET.Element:
        element = ET.Element(f"{{{self.ns}}}{tag}", {k: v for k, v in (attrs or {}).items()})
        if text is not None:
            element.text = text
        return element

    def sub(self, parent: ET.Element, tag: str, attrs: dict[str, str] | None = None,
            text: str | None = None) -> ET.Element:
        child = self.E(tag, attrs, text)
        parent.append(child)
        return child


# -- the code tree -------------------------------------------------------------------------------

def _code_element(w: _Writer, guid: str, name: str, codable: bool, description: str | None,
                  key: str, with_notes: bool) -> ET.Element:
    code = w.E("Code", {"guid": guid, "name": name, "isCodable": "true" if codable else "false"})
    if description:
        w.sub(code, "Description", text=description)
    if with_notes:
        for note in w.note_refs.get(key, []):
            w.sub(code, "NoteRef", {"targetGUID": note})
    return code


def _codes_element(w: _Writer, with_notes: bool, result: ExchangeExport
                   ) -> tuple[ET.Element | None, list[str]]:
    """<Codes> and the GUIDs of the subgroup codes."""
    conn = w.conn
    codes = w.E("Codes")
    subgroup_guids: list[str] = []
    for gid, gname, heading in conn.execute(
            "SELECT id, name, heading FROM code_groups ORDER BY position, id"):
        group = _code_element(w, w.guid("group", gid), gname, False, heading,
                              f"group:{gname}".casefold(), with_notes)
        codes.append(group)
        result.groups += 1
        for cid, cname, definition in conn.execute(
                "SELECT id, name, definition FROM codes WHERE group_id = ? ORDER BY id", (gid,)):
            group.append(_code_element(w, w.guid("code", cid), cname, True,
                                       _text(conn, definition), f"code:{cname}".casefold(),
                                       with_notes))
            result.codes += 1
        for sid, sname, sheading in conn.execute(
                "SELECT id, name, heading FROM subgroups WHERE group_id = ?"
                " ORDER BY position, id", (gid,)):
            guid = w.guid("subgroup", sid)
            group.append(_code_element(w, guid, sname, True, sheading,
                                       f"subgroup:{gname}/{sname}".casefold(), with_notes))
            subgroup_guids.append(guid)
            result.subgroups += 1
    for cid, cname, definition in conn.execute(
            "SELECT id, name, definition FROM codes WHERE group_id IS NULL ORDER BY id"):
        codes.append(_code_element(w, w.guid("code", cid), cname, True, _text(conn, definition),
                                   f"code:{cname}".casefold(), with_notes))
        result.codes += 1
    return (codes if len(codes) else None), subgroup_guids


# -- notes: memos, condensates, analytic texts, quotations, set-aside reasons, themes -----------

Who = tuple[str, str]  # author, UTC time of the change


def _makers(conn: sqlite3.Connection) -> dict[str, Who]:
    """Who made each exported object and when: the change still in effect that last set it,
    keyed as `unit:7`, `nugget:7`, `aside:7`, `theme:2`, `condensate:subgroup:3`,
    `description:group:1`, `doc:I1`, `memo:4`; `project` is the project's creation."""
    from stc import trail

    out: dict[str, Who] = {}
    for r in trail.effective(trail.records(conn)):
        p, who = r.payload, (r.author, r.at)
        if r.kind == "project.init":
            out["project"] = who
        elif r.kind in ("document.import", "document.replace"):
            out[f"doc:{p['doc']}"] = who
        elif r.kind == "memo.add":
            out[f"memo:{p['id']}"] = who
        elif r.kind == "theme.add":
            out[f"theme:{p['id']}"] = who
        elif r.kind in ("unit.add", "unit.set"):
            if r.kind == "unit.add":
                out[f"unit:{p['id']}"] = who
            out.update({f"{f}:{p['id']}": who for f in ("nugget", "aside") if p.get(f)})
        elif r.kind == "condensate.set":
            out[f"condensate:{p['kind']}:{p['id']}"] = who
        elif r.kind == "text.set":
            out[f"{p['field']}:{p['kind']}:{p['id']}"] = who
    out.setdefault("project", next(iter(out.values()), ("stc", "1970-01-01T00:00:00Z")))
    return out


def _note(w: _Writer, guid: str, name: str, body: str, who: Who) -> str:
    """A note whose text is a file under sources/ (QualCoder reads note text only so; the
    specification allows the text or the file, not both)."""
    w.notes.append(w.E("Note", {
        "guid": guid, "name": name, "plainTextPath": f"internal://{guid}.txt",
        "creatingUser": w.guid("user", who[0]), "creationDateTime": who[1]}))
    w.files[f"{guid}.txt"] = body
    return guid


def _labelled_note(w: _Writer, kind: str, ident: object, subject: str, body: str,
                   who: Who) -> str:
    guid = _note(w, w.guid(f"note:{kind}", ident), labelled(kind, subject), body, who)
    w.sets.setdefault(kind, []).append(guid)
    return guid


def _attach_key(conn: sqlite3.Connection, ref: str | None) -> str | None:
    """Where a memo's NoteRef goes: a document, a unit, or a code, group or subgroup."""
    if not ref:
        return None
    kind, sep, _ = ref.partition(":")
    if sep and kind.lower() in ("code", "group", "subgroup"):
        return ref.casefold()
    if sep and kind.lower() == "theme":
        return None
    doc = ref.split(":", 1)[0]
    if ref[:1] in "Uu" and ref[1:].isdigit():
        return f"unit:{int(ref[1:])}"
    row = conn.execute("SELECT id FROM documents WHERE id = ? COLLATE NOCASE", (doc,)).fetchone()
    return f"doc:{row[0]}" if row else None


def _collect_notes(w: _Writer) -> None:
    conn = w.conn
    for mid, kind, ref, body in conn.execute("SELECT id, kind, ref, body FROM memos ORDER BY id"):
        guid = _note(w, w.guid("memo", mid), note_name(mid, kind, ref), _text(conn, body) or "",
                     w.who(f"memo:{mid}"))
        key = _attach_key(conn, ref)
        if key is None:
            w.project_notes.append(guid)
        else:
            w.note_refs.setdefault(key, []).append(guid)
    _collect_texts(w)
    _collect_units(w)
    _collect_themes(w)


def _collect_texts(w: _Writer) -> None:
    """Condensates and analytic texts, referred to by their group's or subgroup's code."""
    conn = w.conn
    owners = [("group", i, n, c, d) for i, n, c, d in conn.execute(
        "SELECT id, name, condensate, description FROM code_groups ORDER BY position, id")]
    owners += [("subgroup", i, f"{g}/{n}", c, d) for i, g, n, c, d in conn.execute(
        "SELECT s.id, g.name, s.name, s.condensate, s.description FROM subgroups s"
        " JOIN code_groups g ON g.id = s.group_id ORDER BY g.position, s.position, s.id")]
    for kind, ident, name, condensate, description in owners:
        for field_name, value in (("condensate", condensate), ("description", description)):
            body = _text(conn, value)
            if body:
                guid = _labelled_note(w, field_name, f"{kind}:{ident}", name, body,
                                      w.who(f"{field_name}:{kind}:{ident}"))
                w.note_refs.setdefault(f"{kind}:{name}".casefold(), []).append(guid)


def _collect_units(w: _Writer) -> None:
    """Illustrative quotations and set-aside reasons, referred to by their unit's selection."""
    conn = w.conn
    for uid, nugget, aside in conn.execute(
            "SELECT id, nugget, aside FROM units WHERE nugget IS NOT NULL OR aside IS NOT NULL"
            " ORDER BY id"):
        for kind, body in (("nugget", _text(conn, nugget)), ("aside", aside)):
            if body:
                guid = _labelled_note(w, kind, uid, f"U{uid}", body, w.who(f"{kind}:{uid}"))
                w.note_refs.setdefault(f"unit:{uid}", []).append(guid)


def _collect_themes(w: _Writer) -> None:
    """Preliminary themes, referred to by the code groups that grew out of them."""
    conn = w.conn
    for tid, name in conn.execute("SELECT id, name FROM themes ORDER BY position, id"):
        guid = _labelled_note(w, "theme", tid, name, name, w.who(f"theme:{tid}"))
        groups = [g for (g,) in conn.execute(
            "SELECT name FROM code_groups WHERE from_theme = ? ORDER BY position", (tid,))]
        for group in groups:
            w.note_refs.setdefault(f"group:{group}".casefold(), []).append(guid)
        if not groups:
            w.project_notes.append(guid)


# -- sources and selections ----------------------------------------------------------------------

def _sources(w: _Writer, result: ExchangeExport, types: dict[tuple[str, str], str]
             ) -> ET.Element | None:
    """<Sources>; their plain texts go to `w.files`."""
    conn = w.conn
    doc_values = attributes_of(conn, "doc")
    sources = w.E("Sources")
    for doc, version, text_hash in conn.execute(
            "SELECT id, version, text FROM documents ORDER BY id"):
        plain = get_text(conn, text_hash)
        if plain is None:
            result.left_out.append(f"{doc} (its text was erased)")
            continue
        guid = w.guid("doc", doc)
        w.files[f"{guid}.txt"] = plain
        who = w.who(f"doc:{doc}")
        source = w.sub(sources, "TextSource", {
            "guid": guid, "name": doc, "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": w.guid("user", who[0]), "creationDateTime": who[1]})
        result.documents += 1
        for unit in _units(w, doc, version, plain, result):
            source.append(unit)
        for note in w.note_refs.get(f"doc:{doc}", []):
            w.sub(source, "NoteRef", {"targetGUID": note})
        _values_of(w, source, "doc", doc_values.get(doc, {}), types)
    return sources if len(sources) else None


def _units(w: _Writer, doc: str, version: int, plain: str, result: ExchangeExport
           ) -> Iterator[ET.Element]:
    conn = w.conn
    speech = load_doc(conn, doc)
    for uid, uversion, start, end, text_hash, subgroup, note in conn.execute(
            "SELECT id, version, start, end, text, subgroup_id, note FROM units WHERE doc = ?"
            " ORDER BY start, end, id", (doc,)):
        if uversion != version or not speech.holds(start, end, get_text(conn, text_hash)):
            result.left_out.append(f"U{uid} (its text changed with a re-import; review it)")
            continue
        who = w.who(f"unit:{uid}")
        user = w.guid("user", who[0])
        selection = w.E("PlainTextSelection", {
            "guid": w.guid("unit", uid), "name": f"U{uid}", "startPosition": str(start),
            "endPosition": str(end), "creatingUser": user, "creationDateTime": who[1]})
        description = _text(conn, note)
        if description:
            w.sub(selection, "Description", text=description)
        targets = [w.guid("code", c) for (c,) in conn.execute(
            "SELECT code FROM unit_codes WHERE unit = ? ORDER BY code", (uid,))]
        if subgroup is not None:
            targets.append(w.guid("subgroup", subgroup))
        for target in targets:
            coding = w.sub(selection, "Coding", {"guid": w.guid("coding", f"{uid}:{target}"),
                                                 "creatingUser": user,
                                                 "creationDateTime": who[1]})
            w.sub(coding, "CodeRef", {"targetGUID": target})
        for ref in w.note_refs.get(f"unit:{uid}", []):
            w.sub(selection, "NoteRef", {"targetGUID": ref})
        result.units += 1
        yield selection


# stc's types of attributes as REFI-QDA's types of variables; whole numbers are Integer
_VARIABLE_TYPES = {"date": "Date", "category": "Text"}
_VALUE_TAGS = {"Integer": "IntegerValue", "Float": "FloatValue", "Date": "DateValue",
               "Text": "TextValue"}


def _variable_types(w: _Writer) -> dict[tuple[str, str], str]:
    """(owner kind, key casefolded) -> the REFI-QDA type of the attribute's variable."""
    types: dict[tuple[str, str], str] = {}
    for kind in OWNER_KINDS:
        for values in attributes_of(w.conn, kind).values():
            for key, value in values.items():
                wanted = _VARIABLE_TYPES.get(value.type) or (
                    "Integer" if value.json() == int(float(value.text)) and "." not in
                    value.text else "Float")
                had = types.setdefault((kind, key.casefold()), wanted)
                if had != wanted:  # whole numbers and fractions under one key: Float
                    types[(kind, key.casefold())] = "Float"
    return types


def _variables(w: _Writer, types: dict[tuple[str, str], str]) -> ET.Element | None:
    """A variable for each attribute key of participants (cases) and of transcripts
    (sources)."""
    variables = w.E("Variables")
    for kind in OWNER_KINDS:
        for key in keys_of(w.conn, kind):
            variable = w.sub(variables, "Variable", {
                "guid": w.guid("variable", f"{kind}:{key.casefold()}"), "name": key,
                "typeOfVariable": types[(kind, key.casefold())]})
            w.sub(variable, "Description", text=f"stc: an attribute of {OWNER_WORDS[kind]}")
    return variables if len(variables) else None


OWNER_WORDS = {"participant": "participants", "doc": "transcripts"}


def _values_of(w: _Writer, parent: ET.Element, kind: str, values: dict[str, Value],
               types: dict[tuple[str, str], str]) -> None:
    for key, value in values.items():
        element = w.sub(parent, "VariableValue")
        w.sub(element, "VariableRef",
              {"targetGUID": w.guid("variable", f"{kind}:{key.casefold()}")})
        tag = _VALUE_TAGS[types[(kind, key.casefold())]]
        text = str(int(float(value.text))) if tag == "IntegerValue" else value.text
        w.sub(element, tag, text=text)


def _cases(w: _Writer, types: dict[tuple[str, str], str]) -> ET.Element | None:
    """Each participant as a case: its name, its attributes as variable values, and the
    transcripts it speaks in."""
    conn = w.conn
    speaks_in = document_participants(conn)
    values = attributes_of(conn, "participant")
    labels: dict[int, dict[str, list[str]]] = {}
    for doc in speaks_in:
        for stored, shown, _, who in speaker_labels(conn, doc):
            if stored and who is not None:
                labels.setdefault(who, {}).setdefault(doc, []).append(shown)
    cases = w.E("Cases")
    for pid, name in participant_names(conn).items():
        case = w.sub(cases, "Case", {"guid": w.guid("case", pid), "name": name})
        if pid in labels:
            w.sub(case, "Description", text=labels_description(labels[pid]))
        _values_of(w, case, "participant", values.get(str(pid), {}), types)
        for doc in sorted(d for d, people in speaks_in.items() if pid in people):
            w.sub(case, "SourceRef", {"targetGUID": w.guid("doc", doc)})
    return cases if len(cases) else None


def _users(w: _Writer) -> ET.Element | None:
    users = w.E("Users")
    # the records of earlier exports are no part of what is exported: the same state gives
    # the same file
    for (author,) in w.conn.execute("SELECT DISTINCT author FROM trail WHERE kind != 'export'"
                                    " ORDER BY author"):
        w.sub(users, "User", {"guid": w.guid("user", author), "name": str(author)})
    return users if len(users) else None


def _sets(w: _Writer, subgroup_guids: list[str], member: str) -> ET.Element | None:
    """The set of subgroup codes, and a set of notes per label (other programs show sets)."""
    sets = w.E("Sets")
    if subgroup_guids:
        subgroups = w.sub(sets, "Set", {"guid": w.guid("set", SUBGROUP_SET),
                                        "name": SUBGROUP_SET})
        w.sub(subgroups, "Description",
              text="Subgroups of stc (systematic text condensation): each is a child code of"
                   " its code group; the units sorted into it are coded with it.")
        for guid in subgroup_guids:
            w.sub(subgroups, "MemberCode", {member: guid})
    for kind, (label, name) in LABELS.items():
        if w.sets.get(kind):
            notes = w.sub(sets, "Set", {"guid": w.guid("set", name), "name": name})
            w.sub(notes, "Description", text=f"{label}s of stc (systematic text condensation),"
                                             " each a note.")
            for guid in w.sets[kind]:
                w.sub(notes, "MemberNote", {"targetGUID": guid})
    return sets if len(sets) else None


# -- the two files -------------------------------------------------------------------------------

def _project_element(project: Project, result: ExchangeExport) -> tuple[bytes, dict[str, str]]:
    w = _Writer(project, PROJECT_NS)
    conn = w.conn
    first = conn.execute("SELECT author, at FROM trail ORDER BY seq LIMIT 1").fetchone()
    last = last_shown(conn)
    attrs = {"name": project.title, "origin": f"stc {__version__}"}
    if first and last:
        attrs.update(creatingUserGUID=w.guid("user", first[0]), creationDateTime=first[1],
                     modifyingUserGUID=w.guid("user", last["author"]),
                     modifiedDateTime=last["at"])
    root = w.E("Project", attrs)
    _collect_notes(w)
    codes, subgroup_guids = _codes_element(w, True, result)
    codebook = None
    if codes is not None:
        codebook = w.E("CodeBook")
        codebook.append(codes)
    types = _variable_types(w)
    sources = _sources(w, result, types)
    notes = None
    if w.notes:
        notes = w.E("Notes")
        notes.extend(w.notes)
        result.notes = len(w.notes)
    question = conn.execute("SELECT value FROM project WHERE key = 'question'").fetchone()
    description = w.E("Description", text=str(question[0])) if question else None
    # the schema fixes the order of Project's children; empty containers are left out
    for child in (_users(w), codebook, _variables(w, types), _cases(w, types), sources, notes,
                  _sets(w, subgroup_guids, "targetGUID"), description):
        if child is not None:
            root.append(child)
    for guid in w.project_notes:
        w.sub(root, "NoteRef", {"targetGUID": guid})
    return _serialise(root, PROJECT_NS), w.files


def _serialise(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    # ElementTree writes any character; XML 1.0 holds none of the control characters that
    # texts stored before stc cleaned them where they entered may hold
    return writable(data.decode("utf-8")).encode("utf-8") + b"\n"


def codebook_xml(project: Project, result: ExchangeExport) -> bytes:
    w = _Writer(project, CODEBOOK_NS)
    root = w.E("CodeBook", {"origin": f"stc {__version__}"})
    codes, subgroup_guids = _codes_element(w, False, result)
    if codes is None:
        raise StcError("E611", path=result.path)
    root.append(codes)
    sets = _sets(w, subgroup_guids, "guid")
    if sets is not None:
        root.append(sets)
    return _serialise(root, CODEBOOK_NS)


def _zip_bytes(qde: bytes, files: dict[str, str]) -> bytes:
    entries = {"project.qde": qde, **{f"sources/{name}": writable(text).encode("utf-8")
                                      for name, text in files.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def export_refi(project: Project, path: Path, record: bool = True) -> ExchangeExport:
    """Write `path` (.qdpx, .qdc, or a Taguette codebook .csv) from the project's state, and
    record the export (not for a file of the archive `stc close` writes: the closing records
    that)."""
    suffix = path.suffix.lower()
    if suffix not in (".qdpx", ".qdc", ".csv"):
        raise StcError("E610", path=str(path), suffix=suffix or path.name)
    result = ExchangeExport(str(path), "project" if suffix == ".qdpx" else "codebook")
    if suffix == ".csv":
        from stc.exchange.taguette import codebook_csv

        data, result.codes, result.groups, result.left_out = codebook_csv(project)
        if not result.codes:
            raise StcError("E611", path=str(path))
    elif suffix == ".qdc":
        data = codebook_xml(project, result)
    else:
        qde, files = _project_element(project, result)
        data = _zip_bytes(qde, files)
    (count,) = project.conn.execute("SELECT COUNT(*) FROM trail WHERE kind != 'export'"
                                    ).fetchone()
    result.left_out.append(f"the trail ({counted(count, 'change')}: who decided what, when and"
                           " why)")
    state = project.head()[0]
    write_atomically(path, data)
    if record:
        project.record_export("qdpx" if suffix == ".qdpx" else "codebook", [path], state)
    return result
