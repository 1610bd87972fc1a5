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
