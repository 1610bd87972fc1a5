"""Word (.docx) and OpenDocument (.odt) transcripts.

Both are zip archives of XML. Before any XML is parsed the archive is checked (see `zipguard`);
ODT XML is parsed with defusedxml, and python-docx's parser does not resolve entities.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from stc.errors import BadInput
from stc.formats.decode import normalise
from stc.formats.model import RawTurn, Transcript
from stc.formats.speakers import turns_from_lines
from stc.formats.zipguard import open_checked_zip


def _xml_guarded(path: Path, archive: zipfile.ZipFile, member: str) -> bytes:
    """The member's bytes after defusedxml has parsed them once: no DTD, no entities."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    data = archive.read(member)
    try:
        SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise BadInput("E111", path=str(path), detail=type(exc).__name__) from None
    except SafeET.ParseError as exc:
        raise BadInput("E109", path=str(path), kind="XML", detail=str(exc)[:80]) from None
    return data


def check_word_package(path: Path, data: bytes) -> None:
    """What a Word file someone else made must pass before python-docx opens it: the archive
    checks, and a defusedxml parse of every XML part (python-docx parses the relationships
    too)."""
    archive = open_checked_zip(path, data, required="word/document.xml", kind="Word")
    for member in archive.namelist():
        if member.endswith((".xml", ".rels")):
            _xml_guarded(path, archive, member)


def read_docx(path: Path, data: bytes, encoding: str | None) -> Transcript:
    import docx

    check_word_package(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise BadInput("E109", path=str(path), kind="Word", detail=str(exc)[:80]) from None
    return Transcript(turns_from_paragraphs([normalise(p.text) for p in document.paragraphs]))


def turns_from_paragraphs(paragraphs: list[str]) -> list[RawTurn]:
    """A soft line break inside a paragraph wraps a line, unless a speaker label follows it
    (some transcribers put every turn of an interview into one paragraph that way)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [*paragraph.split("\n"), ""]
    return turns_from_lines(lines, hard_wrapped=True)


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _odt_paragraph_text(element: object) -> str:
    """Text of one text:p or text:h, honouring text:s (spaces), text:tab and line breaks."""
    parts: list[str] = []

    def walk(node: object) -> None:
        tag = getattr(node, "tag", "")
        if tag == f"{{{_TEXT_NS}}}s":
            parts.append(" " * int(node.get(f"{{{_TEXT_NS}}}c", "1")))  # type: ignore[attr-defined]
        elif tag == f"{{{_TEXT_NS}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT_NS}}}line-break":
            parts.append("\n")
        elif tag == f"{{{_TEXT_NS}}}note":
            pass  # footnotes are not speech
        else:
            parts.append(getattr(node, "text", None) or "")
            for child in node:  # type: ignore[attr-defined]
                walk(child)
        if node is not element:
            parts.append(getattr(node, "tail", None) or "")

    walk(element)
    return "".join(parts)


def read_odt(path: Path, data: bytes, encoding: str | None) -> Transcript:
    import defusedxml.ElementTree as SafeET

    archive = open_checked_zip(path, data, required="content.xml", kind="OpenDocument")
    root = SafeET.fromstring(_xml_guarded(path, archive, "content.xml"))
    paragraphs = [
        el for el in root.iter()
        if el.tag in (f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h")
    ]
    # nested paragraphs (in frames, lists) would be read twice; keep the innermost text only
    lines = [normalise(_odt_paragraph_text(p)) for p in paragraphs
             if not any(c.tag == f"{{{_TEXT_NS}}}p" for c in p.iter() if c is not p)]
    return Transcript(turns_from_paragraphs(lines))
