"""PDF transcripts: `stc import interview.pdf` reads the text layer, joins what the layout
broke apart, finds speakers as in text files, and refuses a scan without text.

The PDFs are built in the tests from fictional text of our own (tests.samples.make_pdf), laid
out the way a transcription service's PDF is: a running head and a page number on every page,
lines wrapped at the margin, a word hyphenated at a line's end, a turn going on over a page
break.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.conftest import Run
from tests.samples import make_image_pdf, make_pdf, snapshot

PAGES = [
    ["Intervju 3 – transkribert av Skrivetjenesten",
     "Intervjuer: Hvordan opplever du nettbrettet som kommunen",
     "har gitt deg?",
     "Kari: Jeg synes det er vanske-",
     "lig å se på skjermen, og helse- og",
     "omsorgstjenesten har ikke",
     "Side 1 av 2"],
    ["Intervju 3 – transkribert av Skrivetjenesten",
     "spurt oss om det. Øynene mine er ikke",
     "som før, så jeg ber IT-",
     "avdelingen om hjelp med e-",
     "post og sånt.",
     "Intervjuer: Takk (for nå).",
     "Side 2 av 2"],
]


def test_a_text_pdf_becomes_turns_with_its_layout_undone(run: Run, project: Path) -> None:
    (project / "intervju3.pdf").write_bytes(make_pdf(PAGES))
    result = run("import", "intervju3.pdf", "--participant", "Kari")
    assert "speakers Intervjuer=interviewer, Kari=participant" in result.stdout
    text = " ".join(s["text"] for s in json.loads(run("show", "intervju3", "--json").stdout)
                    ["segments"])
    # the hyphenated word is whole, the shared hyphen before "og" stays, the turn goes on
    # over the page break, and heads and page numbers are gone
    assert "Jeg synes det er vanskelig å se på skjermen, og helse- og omsorgstjenesten har" \
           " ikke spurt oss om det." in text
    # a hyphen that belongs to the word stays: after one letter, after an abbreviation
    assert "jeg ber IT-avdelingen om hjelp med e-post og sånt." in text
    assert "Skrivetjenesten" not in text and "Side" not in text
    assert "Hvordan opplever du nettbrettet som kommunen har gitt deg?" in text
    assert "Takk (for nå)." in text
    docs = json.loads(run("docs", "--json").stdout)
    assert [(d["id"], d["participant"]) for d in docs] == [("intervju3", "Kari")]
    originals = list((project / "sources").glob("intervju3-*.pdf"))
    assert len(originals) == 1 and originals[0].read_bytes()[:5] == b"%PDF-"
    assert "OK" in run("verify").stdout


def _refused(run: Run, project: Path, name: str, data: bytes, code: str) -> str:
    (project / "ok.txt").write_text("Intervjuer: Hei.\nKari: Hei på deg.\n", encoding="utf-8")
    run("import", "ok.txt")
    (project / name).write_bytes(data)
    before = snapshot(run, project)
    result = run("import", name, code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and f"[{code}]" in lines[0]
    assert name in lines[0] and "Traceback" not in result.output
    assert snapshot(run, project) == before
    return lines[0]


def test_a_scanned_pdf_without_text_is_refused(run: Run, project: Path) -> None:
    line = _refused(run, project, "skannet.pdf", make_image_pdf(), "E652")
    assert "no text layer" in line and "OCR" in line


def test_a_broken_or_locked_pdf_is_refused(run: Run, project: Path) -> None:
    _refused(run, project, "brutt.pdf", b"%PDF-1.7\n1 0 obj <<", "E109")
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PAGES))))
    writer.encrypt("hemmelig", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    _refused(run, project, "låst.pdf", locked.getvalue(), "E653")


def test_a_pdf_protected_only_from_editing_opens(run: Run, project: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PAGES))))
    writer.encrypt("", owner_password="eier", algorithm="RC4-128")
    data = io.BytesIO()
    writer.write(data)
    (project / "skrivebeskyttet.pdf").write_bytes(data.getvalue())
    assert "Kari=participant" in run("import", "skrivebeskyttet.pdf").stdout
