"""Huge and expanding input: a turn longer than spaCy takes, OpenDocument markup that asks for a
gigabyte of spaces or nests thousands deep, and lines that would make a regular expression
backtrack. Each imports quickly with its text intact, or is refused with one catalogued line."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from stc.language import pieces
from tests.conftest import Run, write
from tests.samples import ODT_NS, make_odt

SENTENCE = "Jeg har aldri tid nok til brukerne, og det er slitsomt. "


def document_text(project: Path, doc: str) -> str:
    conn = sqlite3.connect(project / "stc.db")
    (text,) = conn.execute("SELECT t.body FROM documents d JOIN texts t ON t.hash = d.text"
                           " WHERE d.id = ?", (doc,)).fetchone()
    conn.close()
    return str(text)


def segments(run: Run, doc: str) -> list[str]:
    shown = json.loads(run("show", doc, "--json").stdout)
    return [s["text"] for s in shown["segments"]]


def test_pieces_stay_within_the_limit_and_keep_every_character() -> None:
    text = SENTENCE * 200 + "ord " * 3000 + "x" * 9000
    cut = list(pieces(text, 1000))
    assert all(len(piece) <= 1000 for _, piece in cut)
    assert "".join(piece for _, piece in cut) == text
    assert all(text.startswith(piece, offset) for offset, piece in cut)
    sentences = [piece for _, piece in cut if piece.startswith("Jeg")]
    assert sentences and all(p.endswith("slitsomt. ") for p in sentences[:-1])
    assert list(pieces("kort", 1000)) == [(0, "kort")]


def test_a_turn_longer_than_the_pipeline_takes_is_split(run: Run, project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from stc.language import lemma_pipeline, sentence_pipeline

    # spaCy refuses a text longer than nlp.max_length (1,000,000: a turn of a few million
    # characters); a lower limit makes the same case quick to test
    for nlp in (sentence_pipeline("nb", None), lemma_pipeline("nb", None)):
        monkeypatch.setattr(nlp, "max_length", 2000)
    turn = SENTENCE * 1500 + "uten punktum " * 2000  # 84,000 + 26,000 characters
    write(project / "lang.txt", f"I: Fortell.\nKari: {turn}\n")
    run("import", "lang.txt", "--speakers", "I=interviewer")
    texts = segments(run, "lang")
    assert all(len(t) <= 2000 for t in texts)
    assert " ".join(texts[1:]) == turn.strip()  # every word kept, in order
    assert texts.count(SENTENCE.strip()) == 1500
    run("terms", "lang")
    assert "1500 hits" in run("search", "slitsomt").stderr.replace(",", "")
    run("search", "--lemma", "tid")
    run("verify")


def odt_with(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT_NS}>'
            f"<office:body><office:text>{body}</office:text></office:body>"
            "</office:document-content>")


def test_an_odt_asking_for_gigabytes_of_spaces_imports_at_once(run: Run, project: Path) -> None:
    # 15 KB that asked for 5.9 GB and 90 seconds: each text:s wants a billion spaces
    spaces = '<text:s text:c="999999999"/>'
    paragraphs = "".join(f"<text:p>Kari: Dag {n}{spaces}er lang.{spaces * 40}</text:p>"
                         for n in range(400))
    odt = make_odt(project / "bomb.odt", content=odt_with(
        "<text:p>I: Hvordan er dagen?</text:p>" + paragraphs))
    assert odt.stat().st_size < 16 * 1024
    run("import", "bomb.odt", "--speakers", "I=interviewer")
    text = document_text(project, "bomb")
    assert len(text) < 20_000 and "Kari: Dag 7 er lang." in text


@pytest.mark.parametrize("count", ["abc", "-5", "99999999999999999999999999", "²", ""])
def test_odt_space_counts_that_are_no_numbers(run: Run, project: Path, count: str) -> None:
    make_odt(project / "odd.odt", content=odt_with(
        f'<text:p>Kari: Ja<text:s text:c="{count}"/>takk.</text:p>'))
    run("import", "odd.odt")
    assert "Kari: Ja takk." in document_text(project, "odd") or \
        "Ja takk." in document_text(project, "odd")


def test_odt_nested_thousands_deep(run: Run, project: Path) -> None:
    deep = 20_000
    spans = "<text:span>" * deep + "Kari: dypt inne" + "</text:span>" * deep
    frames = "<text:p>" * deep + "Kari: innerst" + "</text:p>" * deep
    make_odt(project / "deep.odt", content=odt_with(f"<text:p>{spans}</text:p>{frames}"))
    with zipfile.ZipFile(project / "deep.odt") as archive:
        assert archive.getinfo("content.xml").file_size > 400_000
    run("import", "deep.odt")
    text = document_text(project, "deep")
    assert "dypt inne" in text and "innerst" in text


@pytest.mark.parametrize("line", ["Kari" + " " * 5000 + "x", "Kari" + "\t" * 5000 + "x",
                                  "**Kari" + " " * 5000 + "** x", "Kari 0:03" + " " * 5000])
def test_long_runs_of_blanks_do_not_stall_the_speaker_parser(run: Run, project: Path,
                                                             line: str) -> None:
    write(project / "blank.txt", f"I: Hei?\n{line}\nI: Takk.\n")
    run("import", "blank.txt")


def test_a_matrix_spreadsheet_passes_the_archive_checks(run: Run, project: Path) -> None:
    from tests.samples import snapshot

    write(project / "a.txt", "I: Hei?\nKari: Det går bra.\n")
    run("import", "a.txt")
    run("matrix", "export", "m.xlsx")
    with zipfile.ZipFile(project / "m.xlsx", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bomb.bin", bytes(50 * 1024 * 1024))  # 50 MB in 50 KB
    before = snapshot(run, project)
    result = run("matrix", "import", "m.xlsx", code=1)
    assert "[E110]" in result.stderr and "m.xlsx" in result.stderr
    assert snapshot(run, project) == before


def with_sheet_xml(path: Path, row: str, dimension: str = "") -> Path:
    """`path` (an .xlsx) with one row added to its first sheet's XML, as a hand-edited or
    hostile workbook would hold it, and the size the sheet declares (`<dimension>`) replaced
    by `dimension`, or left out."""
    import io
    import re

    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = re.sub(r"<dimension [^>]*/>", claimed, body.decode("utf-8"))
                body = xml.replace("</sheetData>", row + "</sheetData>").encode("utf-8")
            new.writestr(info.filename, body)
    path.write_bytes(out.getvalue())
    return path


def one_cell(cell: str, value: str = "x") -> str:
    """A row of sheet XML holding one cell at `cell` (e.g. XFD1048576): a text, or when
    `value` is empty a cell with a style and nothing in it."""
    number = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    inside = f' t="inlineStr"><is><t>{value}</t></is></c>' if value else ' s="0"/>'
    return f'<row r="{number}"><c r="{cell}"{inside}</row>'


def counted_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows openpyxl hands over from every sheet of a workbook opened to read (one entry
    per row), counted as they are taken."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    taken: list[int] = []
    real: Any = ReadOnlyWorksheet.iter_rows  # typed for Worksheet; the same on read-only ones

    def counting(sheet: ReadOnlyWorksheet, *args: Any, **kwargs: Any) -> Any:
        for row in real(sheet, *args, **kwargs):
            taken.append(1)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return taken


def people_xlsx(path: Path) -> Path:
    """A participants table as a spreadsheet program saves it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["deltaker", "alder"])
    sheet.append(["Kari", "34"])
    book.save(path)
    return path


@pytest.fixture
def coded(run: Run, project: Path) -> Path:
    write(project / "a.txt", "I: Hei?\nKari: Det går bra.\n")
    run("import", "a.txt", "--participant", "Kari")
    run("code", "a:2", "trygghet", "--group", "Trygghet")
    return project


def spreadsheet(run: Run, project: Path, command: str) -> list[str]:
    """m.xlsx as the command reads it (the project's matrix, or a participants table), and
    the command that reads it."""
    if command == "matrix":
        run("matrix", "export", "m.xlsx")
        return ["matrix", "import", "m.xlsx", "--why", "regnearket"]
    people_xlsx(project / "m.xlsx")
    return ["participants", "import", "m.xlsx"]


@pytest.mark.parametrize(("row", "dimension", "said"), [
    (one_cell("XFD1048576"), "", "empty rows in a row"),  # one cell, last row and column
    (one_cell("A1048576"), "A1:O1048576", "empty rows in a row"),  # a row numbered a million
    (one_cell("XFD1048576", ""), "A1:XFD1048576", "empty rows in a row"),  # an empty cell
    (one_cell("XFD3"), "", "reaches column XFD"),  # a row sixteen thousand cells wide
], ids=["cell", "row", "empty-cell", "column"])
@pytest.mark.parametrize("command", ["matrix", "participants"])
def test_a_sheet_claiming_a_million_rows_or_columns_is_refused_after_a_few(
        run: Run, coded: Path, monkeypatch: pytest.MonkeyPatch, command: str, row: str,
        dimension: str, said: str) -> None:
    """A 6 KB workbook whose one cell sits at XFD1048576 made openpyxl hand over a million
    empty rows (seconds, tens of megabytes) before anything was refused: stc stops early."""
    from tests.samples import snapshot

    args = spreadsheet(run, coded, command)
    hostile = with_sheet_xml(coded / "m.xlsx", row, dimension)
    assert hostile.stat().st_size < 8 * 1024
    taken = counted_rows(monkeypatch)
    before = snapshot(run, coded)
    error = run(*args, code=1).stderr
    assert error.startswith("Error: m.xlsx: ") and error.endswith("[E417]\n"), error
    assert len(error.splitlines()) == 1 and said in error, error
    assert len(taken) < 20_000  # of the million rows the sheet claims
    assert snapshot(run, coded) == before


@pytest.mark.parametrize("command", ["matrix", "participants"])
def test_a_sheet_declaring_a_size_it_does_not_hold_is_read_as_it_is(
        run: Run, coded: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """The size a sheet declares is a claim: one that says a million rows and columns while
    it holds three is read as the three rows, each as wide as its cells."""
    args = spreadsheet(run, coded, command)
    with_sheet_xml(coded / "m.xlsx", "", "A1:XFD1048576")
    taken = counted_rows(monkeypatch)
    run(*args)
    assert len(taken) <= 6  # the header and one row of each sheet


@pytest.mark.parametrize(("gap", "taken"), [(9_999, True), (10_000, False)])
def test_a_row_below_thousands_of_empty_ones_is_read_up_to_a_limit(
        run: Run, coded: Path, gap: int, taken: bool) -> None:
    """Empty rows between a table's rows are skipped, up to 10,000 in a row: a new unit in
    the row below 9,999 of them is imported, one below 10,000 refused, naming the rows."""
    write(coded / "b.txt", "I: Og så?\nKari: Jeg sover godt.\n")
    run("import", "b.txt")
    run("matrix", "export", "m.xlsx")
    number = 3 + gap  # the header, U1, then the gap
    cells = "".join(f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                    for column, value in (("B", "b"), ("C", "2"), ("E", "søvn")))
    with_sheet_xml(coded / "m.xlsx", f'<row r="{number}">{cells}</row>')
    if taken:
        assert "+ U2 b:2" in run("matrix", "import", "m.xlsx", "--why", "luker").stdout
    else:
        error = run("matrix", "import", "m.xlsx", "--why", "luker", code=1).stderr
        assert "has 10000 empty rows in a row (rows 3-10002)" in error, error


@pytest.mark.parametrize(("pages", "draws", "lines"), [(10, 0, 20_000), (1, 400, 2_000)],
                         ids=["pages", "forms"])
def test_a_pdf_repeating_one_stream_is_refused_before_it_is_read(
        run: Run, project: Path, monkeypatch: pytest.MonkeyPatch, pages: int, draws: int,
        lines: int) -> None:
    """A few kilobytes asking pypdf to parse megabytes again and again (one compressed stream
    shown on every page, or drawn as a form thousands of times) is refused as it is read."""
    from pypdf import PageObject

    from tests.samples import make_repeating_pdf, snapshot

    data = make_repeating_pdf(pages, draws, lines)
    assert len(data) < 8 * 1024
    (project / "bomb.pdf").write_bytes(data)
    read: list[int] = []
    real = PageObject.extract_text

    def counted(page: PageObject, *args: Any, **kwargs: Any) -> str:
        read.append(1)
        return real(page, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    before = snapshot(run, project)
    error = run("import", "bomb.pdf", code=1).stderr
    assert "[E130]" in error and "repeat far more content" in error, error
    assert len(read) <= 1  # refused at the first page, not after reading every one
    assert snapshot(run, project) == before


@pytest.mark.parametrize("command", ["matrix", "participants"])
def test_a_chart_where_the_table_should_be_is_refused_in_one_line(
        run: Run, coded: Path, command: str) -> None:
    """A chart sheet has no cells: where stc looks for its table (the first sheet, or the
    sheet `units`) it is refused by name, not met with an AttributeError."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference

    from tests.samples import snapshot

    args = spreadsheet(run, coded, command)
    book = openpyxl.load_workbook(coded / "m.xlsx")
    table = book.worksheets[0]
    table.title = "tabell"
    chart = BarChart()
    chart.add_data(Reference(table, min_col=2, min_row=1, max_row=2))
    book.create_chartsheet("units" if command == "matrix" else "diagram", 0).add_chart(chart)
    book.save(coded / "m.xlsx")
    before = snapshot(run, coded)
    error = run(*args, code=1).stderr
    assert error.startswith("Error: m.xlsx: sheet `") and error.endswith("[E417]\n"), error
    assert len(error.splitlines()) == 1 and "is a chart, not a table" in error, error
    assert snapshot(run, coded) == before
