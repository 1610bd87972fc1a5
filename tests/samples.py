"""Small transcript files made on the fly: Word, OpenDocument, and hostile archives."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.conftest import Run, project_state

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def odt_content(paragraphs: list[str], prolog: str = "") -> str:
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            f"<office:document-content {ODT_NS}><office:body><office:text>{body}"
            "</office:text></office:body></office:document-content>")


def make_odt(path: Path, paragraphs: list[str] | None = None, content: str | None = None,
             extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content or odt_content(paragraphs or []),
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def rewrite_docx(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """A copy of a .docx with some entries replaced or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename not in replace:
                new.writestr(info, old.read(info.filename))
        for name, data in replace.items():
            new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def snapshot(run: Run, project: Path) -> dict[str, Any]:
    """What a failed command must leave alone: the trail as `stc log` shows it, every table,
    and every file of the project folder (`project_state`)."""
    log = run("--project", str(project), "log", "--json").stdout
    return {"log": json.loads(log), **project_state(project)}


def _pdf_string(line: str) -> bytes:
    """A line as a PDF literal string in WinAnsiEncoding (Helvetica's, with æ, ø, å)."""
    data = line.encode("cp1252")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A text PDF as a word processor lays it out: each page a list of lines set in Helvetica,
    one under the other, as pypdf's own objects build it."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    for lines in pages:
        page = writer.add_blank_page(595, 842)
        body = b"BT /F1 11 Tf 14 TL 56 780 Td " + b" ".join(
            _pdf_string(line) + b" Tj T*" for line in lines) + b" ET"
        stream = DecodedStreamObject()
        stream.set_data(body)
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_repeating_pdf(pages: int, draws: int, lines: int,
                       line: str = "Kari: ja, det var slik.") -> bytes:
    """A small PDF that asks for much text: one compressed content stream of `line` `lines`
    times, shown on each of `pages` pages, or drawn as a form `draws` times on each."""
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, StreamObject

    def compressed(body: bytes, **entries: Any) -> StreamObject:
        stream = StreamObject()
        stream._data = zlib.compress(body, 9)
        stream.update({NameObject(f"/{k}"): v for k, v in entries.items()})
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        return stream

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    fonts = DictionaryObject({NameObject("/F1"): font})
    text = b"BT /F1 11 Tf 14 TL 56 780 Td " + (_pdf_string(line) + b" Tj T* ") * lines + b"ET"
    form = writer._add_object(compressed(
        text, Type=NameObject("/XObject"), Subtype=NameObject("/Form"),
        BBox=ArrayObject([FloatObject(0), FloatObject(0), FloatObject(595), FloatObject(842)]),
        Resources=DictionaryObject({NameObject("/Font"): fonts})))
    content = writer._add_object(compressed(b"/X1 Do\n" * draws if draws else text))
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Contents")] = content
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): fonts, NameObject("/XObject"): DictionaryObject(
                {NameObject("/X1"): form})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_image_pdf() -> bytes:
    """A PDF as a scanner makes it: a page that is a picture, with no text layer."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    image = DecodedStreamObject()
    image.set_data(bytes([200, 40, 40] * 16))  # 4 x 4 pixels of red
    image.update({NameObject("/Type"): NameObject("/XObject"),
                  NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(4), NameObject("/Height"): NumberObject(4),
                  NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                  NameObject("/BitsPerComponent"): NumberObject(8)})
    contents = DecodedStreamObject()
    contents.set_data(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
    page[NameObject("/Contents")] = writer._add_object(contents)
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/Im1"): writer._add_object(image)})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
