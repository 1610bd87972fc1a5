"""Reading .qdpx, .qde and .qdc files into `model.RefiFile`, without trusting them.

A .qdpx is checked as an archive (`formats.zipguard`) before anything in it is read, and all XML
is parsed with defusedxml (no DTDs, no entities). Namespace spellings differ between programs
(`urn:QDA-XML:project:1.0`, `project:0:10`, `codebook:1:0`, `codebook:0:4`), so elements are
matched by their local name. Plain texts lose a leading byte-order mark, and CRLF counts as one
position, as ATLAS.ti counts it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from stc.errors import BadInput, StcError
from stc.exchange.model import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiFile,
    RefiNote,
    RefiSelection,
    RefiSet,
    RefiSource,
    RefiVariable,
)
from stc.formats import read_bytes
from stc.formats.zipguard import check_members

Element = Any  # an ElementTree element, tags stripped of their namespace

SUFFIXES = (".qdpx", ".qde", ".qdc")
NAMESPACE_PREFIX = "urn:QDA-XML:"
OTHER_SOURCES = {"PictureSource": "picture sources", "PDFSource": "PDF sources",
                 "AudioSource": "audio sources", "VideoSource": "video sources"}
# containers the schema requires to hold at least one child; some programs write them empty
CONTAINERS = ("Users", "Codes", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
              "Graphs")


def read_refi(path: Path) -> RefiFile:
    data = read_bytes(path)
    refi = _read_qdpx(path, data) if path.suffix.lower() == ".qdpx" else _parse(path, data, {})
    refi.sha256 = hashlib.sha256(data).hexdigest()
    return refi


# -- the archive ---------------------------------------------------------------------------------

def _read_qdpx(path: Path, data: bytes) -> RefiFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise StcError("E601", path=str(path), detail=f"not a zip archive: {exc}") from None
    check_members(path, archive)
    qde = None
    sources: dict[str, str] = {}  # lower-case file name in sources/ -> member name
    for member in archive.namelist():
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if len(parts) == 1 and parts[0].lower() == "project.qde":
            qde = member
        elif len(parts) == 2 and parts[0].lower() == "sources":
            sources[parts[1].lower()] = member
    if qde is None:
        raise StcError("E604", path=str(path))
    try:
        files = {name: archive.read(member) for name, member in sources.items()
                 if name.endswith(".txt")}
        qde_bytes = archive.read(qde)
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # damaged or encrypted entries
        raise BadInput("E110", path=str(path), detail=str(exc)[:80]) from None
    return _parse(path, qde_bytes, files)


def _plain_text(path: Path, name: str, data: bytes) -> str:
    from stc.formats.decode import decode

    text, _ = decode(data, Path(f"{path}:sources/{name}"))
    # CRLF (and a lone CR) is one position, as the exporting programs count it
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- the XML -------------------------------------------------------------------------------------

def _parse_xml(path: Path, data: bytes) -> Element:
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise StcError("E603", path=str(path), detail=type(exc).__name__) from None
    except SafeET.ParseError as exc:
        raise StcError("E602", path=str(path), detail=str(exc)[:100]) from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace and not namespace.startswith(NAMESPACE_PREFIX):
        raise StcError("E601", path=str(path), detail=f"namespace {namespace}")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.partition("}")[2]
    return root


# Levels of codes inside codes stc follows: far beyond any codebook, far below what a walk of
# the tree may take (the walks are recursive)
MAX_DEPTH = 100


def check_depth(path: Path, root: Element) -> None:
    """Refuse (E148) a code tree nested deeper than MAX_DEPTH, before it is walked."""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise StcError("E148", path=str(path), limit=MAX_DEPTH)
        stack.extend((child, depth + (child.tag == "Code")) for child in element)


def _parse(path: Path, data: bytes, files: dict[str, bytes]) -> RefiFile:
    root = _parse_xml(path, data)
    check_depth(path, root)
    if root.tag == "CodeBook":
        refi = RefiFile("codebook", None, root.get("origin"))
        refi.codes = _codes(path, root.find("Codes"))
        refi.sets = _sets(path, root.find("Sets"))
    elif root.tag == "Project":
        refi = RefiFile("project", root.get("name"), root.get("origin"))
        _project(path, root, files, refi)
    else:
        raise StcError("E601", path=str(path), detail=f"its root element is <{root.tag}>")
    for element in root.iter():
        if element.tag in CONTAINERS and not len(element):
            refi.remarks.append(f"the file has an empty <{element.tag}/>, which the REFI-QDA"
                                " schema does not allow (Taguette writes one); read anyway")
    return refi


def _project(path: Path, root: Element, files: dict[str, bytes], refi: RefiFile) -> None:
    users = root.find("Users")
    if users is not None:
        refi.users = {_need(path, u, "guid"): u.get("name") or u.get("id") or u.get("guid")
                      for u in users.findall("User")}
    book = root.find("CodeBook")
    refi.codes = _codes(path, book.find("Codes") if book is not None else None)
    sources = root.find("Sources")
    if sources is not None:
        refi.sources = [_source(path, el, files) for el in sources.findall("TextSource")]
        for tag, kind in OTHER_SOURCES.items():
            refi.left_out.add(kind, len(sources.findall(tag)))
    notes = root.find("Notes")
    if notes is not None:
        refi.notes = [_note(path, el, files) for el in notes.findall("Note")]
    refi.sets = _sets(path, root.find("Sets"))
    variables = root.find("Variables")
    if variables is not None:
        refi.variables = {guid_key(_need(path, el, "guid")): RefiVariable(
            guid_key(_need(path, el, "guid")), el.get("name") or "",
            el.get("typeOfVariable") or "Text") for el in variables.findall("Variable")}
    cases = root.find("Cases")
    if cases is not None:
        refi.cases = [RefiCase(_need(path, el, "guid"), el.get("name") or "",
                               _refs(el, "SourceRef"), _values(el),
                               _text_of(el.find("Description")))
                      for el in cases.findall("Case")]
    refi.description = _text_of(root.find("Description"))
    refi.project_notes = _refs(root, "NoteRef")
    for tag, kind in (("Links", "links"), ("Graphs", "graphs")):
        container = root.find(tag)
        if container is not None:
            refi.left_out.add(kind, len(container))


def guid_key(guid: str) -> str:
    """GUIDs compared as programs write them: with or without braces, in either case."""
    return guid.strip().strip("{}").lower()


def _need(path: Path, element: Element, attribute: str) -> str:
    value = element.get(attribute)
    if value is None:
        raise StcError("E609", path=str(path),
                       detail=f"<{element.tag}> without the {attribute!r} attribute")
    return guid_key(value) if attribute == "guid" else str(value)


def _refs(element: Element, tag: str, attribute: str = "targetGUID") -> list[str]:
    return [guid_key(r.get(attribute)) for r in element.findall(tag) if r.get(attribute)]


def _text_of(element: Element | None) -> str | None:
    return None if element is None else (element.text or "")


def _codes(path: Path, parent: Element | None) -> list[RefiCode]:
    if parent is None:
        return []
    return [
        RefiCode(
            _need(path, el, "guid"), _need(path, el, "name"),
            (el.get("isCodable") or "true").strip().lower() in ("true", "1"),
            _text_of(el.find("Description")), _codes(path, el), _refs(el, "NoteRef"),
            el.get("color"),
        )
        for el in parent.findall("Code")
    ]


def _sets(path: Path, parent: Element | None) -> list[RefiSet]:
    if parent is None:
        return []
    # MemberCode names its code by `guid` in a codebook and by `targetGUID` in a project
    return [
        RefiSet(_need(path, el, "guid"), _need(path, el, "name"),
                _text_of(el.find("Description")),
                _refs(el, "MemberCode") + _refs(el, "MemberCode", "guid"),
                _refs(el, "MemberSource"), _refs(el, "MemberNote"))
        for el in parent.findall("Set")
    ]


def _internal_file(reference: str | None, files: dict[str, bytes]) -> tuple[str, bytes] | None:
    if not reference:
        return None
    name = reference.split("://", 1)[-1].lstrip("/").lower()
    return (name, files[name]) if name in files else None


def _user(element: Element) -> str | None:
    user = element.get("creatingUser") or element.get("modifyingUser")
    return guid_key(user) if user else None


def _created(element: Element) -> str | None:
    created = element.get("creationDateTime") or element.get("modifiedDateTime")
    return str(created) if created else None


def _codings(element: Element, default_user: str | None) -> list[RefiCoding]:
    """A coding without its own creatingUser was made by whoever made its selection."""
    return [RefiCoding(code, _user(c) or default_user)
            for c in element.findall("Coding") for code in _refs(c, "CodeRef")]


def _source(path: Path, element: Element, files: dict[str, bytes]) -> RefiSource:
    guid = _need(path, element, "guid")
    name = element.get("name") or guid
    reference = element.get("plainTextPath")
    found = _internal_file(reference, files)
    text: str | None
    if found is not None:  # the file is preferred: it is what the positions count
        text = _plain_text(path, found[0], found[1])
    else:
        content = element.find("PlainTextContent")
        text = None if content is None else (content.text or "").removeprefix("\ufeff")
    source = RefiSource(guid, name, text, reference)
    source.selections = [_selection(path, el) for el in element.findall("PlainTextSelection")]
    source.user, source.created = _user(element), _created(element)
    source.codings = _codings(element, source.user)
    source.notes = _refs(element, "NoteRef")
    source.description = _text_of(element.find("Description"))
    source.rich_text = bool(element.get("richTextPath"))
    source.values = _values(element)
    return source


VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
              "DateTimeValue")


def _values(element: Element) -> dict[str, str]:
    """The VariableValues of a case or source: variable GUID -> the value as written (a
    DateTime as its date)."""
    out: dict[str, str] = {}
    for value in element.findall("VariableValue"):
        ref = value.find("VariableRef")
        target = None if ref is None else ref.get("targetGUID")
        found = [(tag, el) for tag in VALUE_TAGS if (el := value.find(tag)) is not None]
        if target is None or not found:
            continue
        tag, el = found[0]
        text = (el.text or "").strip()
        out[guid_key(target)] = text[:10] if tag == "DateTimeValue" else text
    return out


def _positions(path: Path, element: Element) -> tuple[int, int]:
    try:
        return (int(_need(path, element, "startPosition")),
                int(_need(path, element, "endPosition")))
    except ValueError:
        raise StcError("E609", path=str(path),
                       detail=f"selection {element.get('guid')} has a position that is not a"
                              " number") from None


def _selection(path: Path, element: Element) -> RefiSelection:
    guid = _need(path, element, "guid")
    start, end = _positions(path, element)
    user = _user(element)
    return RefiSelection(guid, element.get("name"), start, end, _codings(element, user),
                         _text_of(element.find("Description")), _refs(element, "NoteRef"),
                         user, _created(element))


def _note(path: Path, element: Element, files: dict[str, bytes]) -> RefiNote:
    found = _internal_file(element.get("plainTextPath"), files)
    if found is not None:
        text = _plain_text(path, found[0], found[1])
    else:
        text = _text_of(element.find("PlainTextContent")) or ""
    return RefiNote(_need(path, element, "guid"), element.get("name"), text,
                    _text_of(element.find("Description")), _user(element), _created(element),
                    [_positions(path, el) for el in element.findall("PlainTextSelection")])
