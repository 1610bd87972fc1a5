"""Word (.docx) and OpenDocument (.odt) transcripts.

Both are zip archives of XML. Before any XML is parsed the archive is checked (see `zipguard`);
ODT XML is parsed with defusedxml, and python-docx's parser does not resolve entities.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from stc.errors import BadInput
from stc.formats.decode import normalise
from stc.formats.model import RawTurn, Transcript
from stc.formats.speakers import turns_from_lines
from stc.formats.zipguard import max_text, open_checked_zip


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
_P, _H, _S = f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h", f"{{{_TEXT_NS}}}s"
_TAB, _BREAK, _NOTE = f"{{{_TEXT_NS}}}tab", f"{{{_TEXT_NS}}}line-break", f"{{{_TEXT_NS}}}note"
# `<text:s text:c="999999999"/>` is 30 bytes asking for a gigabyte of spaces. Runs of spaces
# become one space on import anyway, so a few keep the layout the speaker labels rely on.
MAX_SPACES = 8


class _Budget:
    """Characters a reader may still produce: its output stays bounded by its input."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.left = path, limit

    def spend(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise BadInput("E130", path=str(self.path),
                           detail="its markup expands to far more text than the file holds")
        return text


def _odt_paragraph_text(element: Any, budget: _Budget) -> str:
    """Text of one text:p or text:h, honouring text:s (spaces), text:tab and line breaks;
    walked without recursion, as a hostile file may nest elements thousands deep."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing:  # the text after an element belongs to its parent
            parts.append(budget.spend(node.tail or ""))
            continue
        if node is not element:
            stack.append((node, True))
        if node.tag == _S:
            parts.append(budget.spend(" " * _spaces(node.get(f"{{{_TEXT_NS}}}c", "1"))))
        elif node.tag == _TAB:
            parts.append(budget.spend("\t"))
        elif node.tag == _BREAK:
            parts.append(budget.spend("\n"))
        elif node.tag != _NOTE:  # footnotes are not speech
            parts.append(budget.spend(node.text or ""))
            stack.extend((child, False) for child in reversed(node))
    return "".join(parts)


def _spaces(count: str) -> int:
    """How many spaces `text:c` asks for, at most MAX_SPACES; 1 if it is no number."""
    if not (count.isascii() and count.isdigit()):
        return 1
    return MAX_SPACES if len(count) > 3 else min(int(count), MAX_SPACES)


def _innermost_paragraphs(root: Any) -> list[Any]:
    """The text:p and text:h elements that hold no other: nested paragraphs (in frames,
    lists) would otherwise be read twice. One pass, whatever the nesting depth."""
    parent = {child: node for node in root.iter() for child in node}
    holders: set[Any] = set()
    paragraphs = [el for el in root.iter() if el.tag in (_P, _H)]
    for paragraph in paragraphs:
        node = parent.get(paragraph)
        while node is not None and node not in holders:
            holders.add(node)
            node = parent.get(node)
    return [p for p in paragraphs if p not in holders]


def read_odt(path: Path, data: bytes, encoding: str | None) -> Transcript:
    import defusedxml.ElementTree as SafeET

    archive = open_checked_zip(path, data, required="content.xml", kind="OpenDocument")
    root = SafeET.fromstring(_xml_guarded(path, archive, "content.xml"))
    budget = _Budget(path, max_text(data))
    lines = [normalise(_odt_paragraph_text(p, budget)) for p in _innermost_paragraphs(root)]
    return Transcript(turns_from_paragraphs(lines))
