"""Word and Excel output that is byte-identical for the same state.

Office files are zip archives whose entries carry timestamps and whose core properties carry the
time of saving. Both are fixed here: entries are re-zipped in sorted order with one fixed
timestamp, and the core properties name the time of the last change shown, never the clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def change_time(at: str) -> datetime:
    """The trail's UTC time (`2026-01-02T10:00:00.000000Z`) as a naive UTC datetime."""
    parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _fix_core(xml: bytes, when: datetime) -> bytes:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    for tag in (rb"dcterms:created", rb"dcterms:modified"):
        xml = re.sub(rb"(<" + tag + rb"[^>]*>)[^<]*(</" + tag + rb">)",
                     rb"\g<1>" + stamp + rb"\g<2>", xml)
    return xml


def normalised_zip(data: bytes, when: datetime) -> bytes:
    """The archive again, entries sorted ([Content_Types].xml first, as Office expects),
    fixed timestamps and core-property times."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == "docProps/core.xml":
                body = _fix_core(body, when)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, body)
    return out.getvalue()


def _add_text(doc: Any, text: str, style: str | None = None) -> None:
    doc.add_paragraph(text, style=style)


def results_docx(model: dict[str, Any], reference: bytes | None) -> bytes:
    """The results chapter in Word: real Heading 1-3 styles and the Quote style, so it pastes
    into a thesis template. `reference`, a project's templates/results.docx that passed the
    archive checks, supplies the styles."""
    from docx import Document

    doc = Document(io.BytesIO(reference)) if reference is not None else Document()
    p = model["p"]
    when = change_time(model["state"]["at"])
    props = doc.core_properties
    props.title = f"{model['chapter']} {p['results']} – {model['title']}"
    props.author = "stc"
    props.last_modified_by = "stc"
    props.comments = model["state_line"]
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
    doc.add_heading(f"{model['chapter']} {p['results']}", level=1)
    if model["overview"]:
        _add_text(doc, model["overview"])
    for c in model["categories"]:
        doc.add_heading(f"{c['number']} {c['heading']}", level=2)
        _add_blocks(doc, p, c["blocks"])
        for s in c["subcategories"]:
            doc.add_heading(f"{s['number']} {s['heading']}", level=3)
            _add_blocks(doc, p, s["blocks"])
    _add_text(doc, model["state_line"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalised_zip(buffer.getvalue(), when)


def _add_blocks(doc: Any, p: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
    for b in blocks:
        if b["kind"] == "text":
            _add_text(doc, b["text"])
        else:
            _add_text(doc, f"{p['quote_open']}{b['quote']['text']}{p['quote_close']}", "Quote")


def matrix_xlsx(header: list[str], rows: list[list[Any]], about: list[tuple[str, str]],
                when: datetime) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "matrix"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    info = wb.create_sheet("about")
    for key, value in about:
        info.append([key, value])
    wb.properties.creator = "stc"
    wb.properties.lastModifiedBy = "stc"
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalised_zip(buffer.getvalue(), when)
