"""The floors: the least work any program must do on the same data, run as a child process.

    python benchmarks/floors.py spacy LANG LISTFILE   sentence-split the transcripts' turns
    python benchmarks/floors.py openpyxl FILE.xlsx     read every cell of a workbook
    python benchmarks/floors.py trail STC.DB           read every trail row and hash it
    python benchmarks/floors.py office CONTENT.json DIR   write the same Word paragraphs and
                                                       tables, and Excel rows, as stc did

Each imports only what its work needs, so the time of the child is the floor.
"""

from __future__ import annotations

import sys


def spacy_floor(lang: str, listfile: str) -> None:
    """spaCy's own nlp.pipe, blank pipeline plus sentencizer, over the turns of every file."""
    import re

    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    label = re.compile(r"^[^:\n]{1,40}:\s*")
    with open(listfile, encoding="utf-8") as names:
        paths = names.read().split("\n")

    def turns() -> object:
        for path in paths:
            with open(path, encoding="utf-8") as f:
                for paragraph in f.read().split("\n\n"):
                    yield label.sub("", paragraph.strip(), count=1)

    sentences = sum(len(list(doc.sents)) for doc in nlp.pipe(turns(), batch_size=256))
    print(sentences)


def openpyxl_floor(path: str) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    print(cells)


def trail_floor(db: str) -> None:
    """Read every change and compute its SHA-256 over the same canonical form the trail uses."""
    import hashlib
    import json
    import sqlite3

    conn = sqlite3.connect(db)
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    prev = "0" * 64
    for row in conn.execute("SELECT seq, at, author, kind, payload, why, hash FROM trail"
                            " ORDER BY seq"):
        body = encoder.encode([*row[:6], prev])
        prev = hashlib.sha256(body.encode("utf-8")).hexdigest()
    print(prev)


def office_floor(content: str, folder: str) -> None:
    """The Office files of `stc report all` written with python-docx and openpyxl alone:
    every paragraph in its style, every table cell, every sheet row (from CONTENT.json, which
    the benchmark read out of stc's own files beforehand). No model, checks or templates."""
    import json
    from pathlib import Path

    from docx import Document
    from openpyxl import Workbook

    data = json.loads(Path(content).read_text(encoding="utf-8"))
    for name, document in data["docx"].items():
        doc = Document()
        ids = {style: doc.styles[style].style_id
               for style in {s for s, _ in document["paragraphs"]}}
        for style, text in document["paragraphs"]:
            doc.add_paragraph(text)._p.get_or_add_pPr().style = ids[style]
        for rows in document["tables"]:
            table = doc.add_table(rows=0, cols=len(rows[0]))
            for row in rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
        doc.save(str(Path(folder) / name))
    for name, rows in data["xlsx"].items():
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        book.save(str(Path(folder) / name))


if __name__ == "__main__":
    what, *args = sys.argv[1:]
    {"spacy": spacy_floor, "openpyxl": openpyxl_floor, "trail": trail_floor,
     "office": office_floor}[what](*args)
