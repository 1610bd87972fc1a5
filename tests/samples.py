"""Small transcript files made on the fly: Word, OpenDocument, and hostile archives."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.conftest import Run

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
    """What a failed command must leave alone: the trail, every table, and sources/."""
    log = json.loads(run("log", "--json").stdout)
    conn = sqlite3.connect(project / "stc.db")
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    rows = {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}
    conn.close()
    files = sorted(p.name for p in (project / "sources").iterdir())
    return {"log": log, "rows": rows, "sources": files}
