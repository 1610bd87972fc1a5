"""Reports a student hands in unchanged: the Word chapter, attribution, cuts, translations,
Markdown and CSV that their readers take as they are, counts in the language's grammar, and
the method chapter's material.

The Word chapter is also converted to PDF with LibreOffice where `soffice` is installed, and
the PDF read back (page size, language, quotation indent, no state stamp in the text).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.builders import WORDS, analysed_project
from tests.conftest import Run
from tests.test_reports import GOLDEN, compare

pytestmark = pytest.mark.usefixtures("stable_salts")  # reports print the trail hash
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def report(run: Run, root: Path, *args: str) -> Path:
    run("report", *args, "--project", str(root))
    return root / "reports"


def body_text(docx: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(docx)).paragraphs)


def test_word_chapter_is_a_thesis_page(run: Run, tmp_path: Path) -> None:
    from docx import Document
    from docx.shared import Mm

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    out = report(run, root, "results", "--format", "docx")
    doc = Document(str(out / "results.docx"))
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    styles = zipfile.ZipFile(out / "results.docx").read("word/styles.xml").decode()
    assert 'w:lang w:val="nb-NO"' in styles and "en-US\"" not in styles.split("eastAsia")[0]
    quote = doc.styles["Quote"].paragraph_format
    assert quote.left_indent == quote.right_indent and quote.left_indent > Mm(5)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        color = doc.styles[name].font.color
        assert color.theme_color is None and str(color.rgb) == "000000"
    # serif text and headings, by name: Word would prefer a theme font (Calibri) to the name
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Quote"):
        style = doc.styles[name]
        fonts = style.element.rPr.rFonts
        assert style.font.name == "Times New Roman", name
        assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")], name
    assert doc.core_properties.author == "tester" and doc.core_properties.language == "nb-NO"
    text = body_text(out / "results.docx")
    assert "endring nr." not in text and "hash" not in text  # no stamp in the chapter
    custom = zipfile.ZipFile(out / "results.docx").read("docProps/custom.xml").decode()
    last = json.loads(run("log", "--json", "--project", str(root)).stdout)[-1]["seq"]
    assert f'name="stc change"><vt:lpwstr>{last}<' in custom
    footer = zipfile.ZipFile(out / "results.docx").read("word/footer1.xml").decode()
    assert 'w:instr="PAGE"' in footer and "endring nr." not in footer
    run("config", "set", "stamp_footer", "true", "--project", str(root))
    run("config", "set", "paper", "Letter", "--project", str(root))
    out = report(run, root, "results", "--format", "docx")
    footer = zipfile.ZipFile(out / "results.docx").read("word/footer1.xml").decode()
    assert "endring nr." in footer
    letter = Document(str(out / "results.docx")).sections[0].page_width
    assert letter is not None and round(letter.mm) == 216


def test_a_reference_document_keeps_its_look_and_gives_no_text(run: Run, tmp_path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    root = tmp_path / "en"
    analysed_project(run, root, "en")
    reference = Document()
    reference.styles["Normal"].font.name = "Arial"
    reference.styles["Quote"].font.size = Pt(9)
    reference.add_paragraph("Delete me: the template's own sample text")
    (root / "templates").mkdir()
    reference.save(str(root / "templates" / "results.docx"))
    out = report(run, root, "results", "--format", "docx")
    doc = Document(str(out / "results.docx"))
    assert doc.styles["Normal"].font.name == "Arial"
    assert doc.styles["Quote"].font.size == Pt(9)
    assert "Delete me" not in body_text(out / "results.docx")
    first = doc.paragraphs[0].style
    assert first is not None and first.name == "Heading 1"


def test_attribution_is_off_by_default_and_on_by_setting(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    md = (report(run, root, "results", "--format", "md,docx") / "results.md").read_text()
    assert "(I1)" not in md and "(I2)" not in md
    run("config", "set", "quote_attribution", "participant", "--project", str(root))
    out = report(run, root, "results", "--format", "md,docx")
    md = (out / "results.md").read_text()
    assert "«Jeg blir sliten. Men jeg liker jobben, altså.» (I1)" in md
    assert "«Nettbrettet hjelper litt, men det erstatter ikke besøket.» (I2)" in md
    assert "» (I1)" in body_text(out / "results.docx")


def test_pseudonyms_printed_after_quotations_are_checked(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "p"
    run("init", str(root), "--language", "nb", "--title", "T")
    interview = tmp_path / "I1.txt"
    interview.write_text("I: Hvordan går det?\nSvein: Jeg har det fint på jobben.\n")
    p = ["--project", str(root)]
    run("import", str(interview), "--speakers", "I=interviewer", "--participant", "Svein", *p)
    run("code", "I1:2", "trivsel", "--group", "Trivsel", *p)
    run("nugget", "U1", *p)

    def problems() -> list[tuple[str, bool]]:
        found = json.loads(run("check", "--json", *p, code=1).stdout)  # 1 theme: fails
        names = next(c for c in found if c["id"] == "identifying-names")
        return [(f["id"], f["warning"]) for f in names["problems"]]

    run("names", "add", "Svein", *p)
    assert problems() == []  # not printed: attribution is off
    run("config", "set", "quote_attribution", "participant", *p)
    assert problems() == [("identifying-names.pseudonym", False)]
    assert "[E516]" in run("report", "results", *p, code=1).stderr
    run("names", "drop", "Svein", *p)
    assert problems() == [("identifying-names.name-like", True)]  # a warning: her choice
    run("report", "results", "--format", "md", *p)


def test_cuts_use_the_languages_marker_and_never_a_bare_ellipsis(run: Run,
                                                                  tmp_path: Path) -> None:
    for language, marker in (("nb", "(…)"), ("en", "[…]")):
        root = tmp_path / language
        analysed_project(run, root, language)
        md = (report(run, root, "results", "--format", "md") / "results.md").read_text()
        left, right = WORDS[language]["quote_u1"].split(" … ")
        assert f"{left} {marker} {right}" in md
        assert " … " not in md
    root = tmp_path / "en"
    run("config", "set", "cut_marker", "(...)", "--project", str(root))
    md = (report(run, root, "results", "--format", "md") / "results.md").read_text()
    assert "time (...) there" in md


def test_a_pause_in_the_transcript_is_not_a_cut(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "p"
    run("init", str(root), "--language", "en", "--title", "T")
    interview = tmp_path / "A.txt"
    interview.write_text("I: And then?\nAnn: I waited … and waited. Then I called my sister"
                         " and she came over at once.\n")
    p = ["--project", str(root)]
    run("import", str(interview), "--speakers", "I=interviewer", *p)
    run("code", "A:2-3", "waiting", "--group", "Waiting", *p)
    run("nugget", "U1", "--quote", "I waited … and waited. … she came over at once.", *p)
    md = (report(run, root, "results", "--format", "md") / "results.md").read_text()
    assert "“I waited … and waited. […] she came over at once.”" in md


def test_a_chapter_in_another_language_prints_the_translations(run: Run,
                                                               tmp_path: Path) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    p = ["--project", str(root)]
    run("config", "set", "report.language", "en", *p)
    found = json.loads(run("check", "--json", *p).stdout)  # untranslated: warned, not failed
    warned = next(c for c in found if c["id"] == "quotations")["problems"]
    assert {(w["id"], w["warning"]) for w in warned} == {("quotations.untranslated", True)}
    run("nugget", "U3", "--translation", "I get tired. But I like the job, you know.", *p)
    run("nugget", "U1", "--translation", "I never have enough time … no time to talk", *p)
    out = report(run, root, "all", "--format", "md,html")
    md = (out / "results.md").read_text()
    assert md.startswith("# 3 Results\n")
    assert "“I get tired. But I like the job, you know.”" in md
    assert "“I never have enough time […] no time to talk”" in md
    assert "«Nettbrettet hjelper litt, men det erstatter ikke besøket.»" not in md
    assert "“Nettbrettet hjelper litt, men det erstatter ikke besøket.”" in md  # no translation
    audit = (out / "audit.html").read_text()
    assert "I get tired. But I like the job, you know." in audit
    assert "Jeg blir sliten. Men jeg liker jobben, altså." in audit
    assert '<td lang="nb">' in audit
    # the original is what is checked against the transcript
    checks = {c["id"]: c["ok"] for c in json.loads(run("check", "--json", *p).stdout)}
    assert checks["verbatim"]
    units = json.loads(run("units", "--json", *p).stdout)
    assert next(u for u in units if u["unit"] == "U3")["nugget"]
    log = json.loads(run("log", "--json", *p).stdout)[-1]
    assert "no time to talk" not in json.dumps(log)  # the trail keeps a hash


def test_markdown_is_markdown_and_quotations_are_the_units_words(run: Run,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / "en"
    run("init", str(root), "--language", "en", "--title", "T")
    interview = tmp_path / "A.txt"
    said = ("I'm told \"take your medicine\" & *every* day, <b>really</b> [laughs].")
    interview.write_text(f"I: And the doctor?\nAnn: {said}\n")
    p = ["--project", str(root)]
    run("import", str(interview), "--speakers", "I=interviewer", *p)
    run("code", "A:2", "advice", "--group", "Advice", *p)
    run("nugget", "U1", *p)
    run("describe", "Advice", "-m", "1. Most say so.\n\n# Not a heading", *p)
    md = (report(run, root, "results", "--format", "md") / "results.md").read_text()
    assert "&#39;" not in md and "&#34;" not in md and "&amp;" not in md
    line = next(x for x in md.splitlines() if x.startswith("> "))
    assert line == ("> “I'm told \"take your medicine\" & \\*every\\* day, \\<b>really\\</b>"
                    " [laughs].”")
    assert "\n1\\. Most say so.\n" in md and "\n\\# Not a heading\n" in md
    unit = json.loads(run("units", "--json", *p).stdout)[0]["text"]
    shown = line[len("> “"):-len("”")]
    assert shown.replace("\\", "") == unit  # byte for byte, once Markdown's escapes are read


def one_category_project(run: Run, root: Path, language: str) -> None:
    words = {
        "nb": ("Jeg savner kollegaene mine. Det er ensomt å jobbe alene.", "ensomhet",
               "Ensomhet", "Å savne kolleger", "Jeg savner kollegaene mine.",
               "Informanten forteller at hun savner kollegaene sine."),
        "en": ("I miss my colleagues. It is lonely to work alone.", "loneliness",
               "Loneliness", "Missing colleagues", "I miss my colleagues.",
               "The participant tells that she misses her colleagues."),
    }[language]
    said, code, group, subgroup, condensate, text = words
    interview = root.parent / f"one-{language}.txt"
    interview.write_text(f"I: ?\nEva: {said}\n")
    run("init", str(root), "--language", language, "--title", "One")
    p = ["--project", str(root)]
    run("import", str(interview), "--id", "I1", "--speakers", "I=interviewer", *p)
    run("code", "I1:2-3", code, "--group", group, *p)
    run("subgroup", "add", group, subgroup, *p)
    run("sort", "U1", "--into", f"{group}/{subgroup}", *p)
    run("condense", f"{group}/{subgroup}", "-m", condensate, *p)
    run("nugget", "U1", *p)
    run("describe", group, "-m", text, *p)
    run("describe", f"{group}/{subgroup}", "-m", text, *p)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_one_category_one_subcategory_one_participant(run: Run, tmp_path: Path, language: str,
                                                      update_golden: bool) -> None:
    from tests.builders import stable_trail

    root = tmp_path / language
    one_category_project(run, root, language)
    stable_trail(root)
    out = report(run, root, "all", "--format", "md")
    for name in ("results.md", "method.md"):
        compare(GOLDEN / f"one-{language}" / name, (out / name).read_text(), update_golden)
    results = (out / "results.md").read_text()
    expected = {"nb": "Analysen resulterte i én kategori:", "en":
                "The analysis resulted in one category:"}[language]
    assert expected in results
    prevalence = json.loads(run("prevalence", "--json", "--project", str(root)).stdout)
    assert prevalence[0]["words"] == {"nb": "informanten", "en": "the participant"}[language]


def test_method_report_counts_example_table_and_codebook(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "en"
    analysed_project(run, root, "en")
    p = ["--project", str(root)]
    written = run("report", "method", *p).stdout.split()
    assert [Path(w).name for w in written] == ["method.md", "method.html", "method.docx"]
    md = (root / "reports" / "method.md").read_text()
    last = json.loads(run("log", "--json", *p).stdout)[-1]["seq"]
    assert ("The material consisted of three interviews with three participants." in md)
    units = len(json.loads(run("units", "--json", *p).stdout))
    number = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight"][units]
    assert f"We identified and coded {number} meaning units" in md
    assert f"whose auditable trail holds {last} recorded changes." in md
    rows = [x for x in md.splitlines() if x.startswith("| ") and "Time" in x]
    assert rows[0].startswith("| I never have enough time. We run from patient to patient,")
    assert rows[0].endswith("| 3.1 Time that is never enough / 3.1.1 Time pressure |")
    assert "| tablet |" in md and "| Technology |" in md
    run("report", "method", "--format", "md", "--example", "U3", *p)
    md = (root / "reports" / "method.md").read_text()
    assert "| I get tired. But I like the job. | tiredness |" in md
    assert "| I never have enough time" not in md
    assert "[E506]" in run("report", "method", "--example", "U99", *p, code=1).stderr
    from docx import Document

    tables = Document(str(root / "reports" / "method.docx")).tables
    assert [c.text for c in tables[0].rows[0].cells][:3] == ["Meaning unit", "Code",
                                                             "Code group"]


def test_matrix_csv_reads_as_a_plain_table(run: Run, tmp_path: Path) -> None:
    import pandas as pd

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    out = report(run, root, "matrix")
    frame = pd.read_csv(out / "matrix.csv")
    assert next(iter(frame.columns)) == "participant" and len(frame) == 3
    state = json.loads((out / "matrix.csv.json").read_text())["state"]
    from openpyxl import load_workbook

    book = load_workbook(out / "matrix.xlsx")
    assert book.sheetnames == ["matrix"]
    custom = book.custom_doc_props  # type: ignore[attr-defined]  # not in openpyxl's stubs
    props = {p.name: p.value for p in custom.props}
    assert props["stc change"] == str(state["change"])


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here;"
                    " the Word chapter's PDF check runs where it is")
def test_word_chapter_converts_to_a_pdf_that_reads_right(run: Run, tmp_path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    out = report(run, root, "results", "--format", "docx")
    pdf_dir = tmp_path / "pdf"
    assert SOFFICE is not None
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir), str(out / "results.docx")],
                   check=True, capture_output=True, timeout=180)
    reader = PdfReader(str(pdf_dir / "results.pdf"))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert str(reader.root_object.get("/Lang")) == "nb-NO"
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "3.1.1 Tidspress" in text and "«Jeg har aldri tid nok (…)" in text
    assert "endring nr." not in text and "hash" not in text
    # every font on the page is a serif face (Liberation Serif stands in for Times New Roman)
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    faces = {str(fonts[f].get_object()["/BaseFont"]).split("+")[-1]  # type: ignore[index]
             for f in fonts}
    assert faces and all("Serif" in f or "Times" in f for f in faces), faces
    # the quotation sits indented on both sides: its line starts right of the body text's
    starts: dict[str, float] = {}

    def visit(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
        for key in ("«Jeg har aldri", "Alle informantene"):
            if text.startswith(key) and key not in starts:
                starts[key] = tm[4]

    page.extract_text(visitor_text=visit)
    assert starts["«Jeg har aldri"] - starts["Alle informantene"] > 20  # points, about 1 cm


def test_a_code_defined_at_the_command_line_reaches_the_codebook(run: Run,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / "en"
    analysed_project(run, root, "en")
    p = ["--project", str(root)]
    meaning = "When the work on the tablet takes the time once spent with the patient."
    assert "Wrote the definition" in run("define", "tablet", "-m", meaning, *p).stdout
    run("rename", "code", "tablet", "screen work", *p)
    run("report", "method", "--format", "md", *p)
    md = (root / "reports" / "method.md").read_text()
    assert f"| screen work | {meaning} |" in md
    assert meaning in run("codes", *p).stdout
    listed = json.loads(run("codes", "--json", *p).stdout)
    assert [c["definition"] for g in listed for c in g["codes"] if c["name"] == "screen work"] \
        == [meaning]
    last = json.loads(run("log", "--json", *p).stdout)[-2]
    assert last["label"] == "stc define tablet --message …" and meaning not in str(last)
    run("export", str(tmp_path / "out.qdpx"), *p)
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z:
        assert meaning in z.read("project.qde").decode()
    run("undo", *p)  # the rename
    run("undo", *p)  # the definition
    run("report", "method", "--format", "md", *p)
    assert meaning not in (root / "reports" / "method.md").read_text()
    run("verify", *p)
    run("define", "tablet", "-m", meaning, *p)
    assert "Cleared" in run("define", "tablet", "--clear", *p).stdout
    assert meaning not in run("codes", *p).stdout
    assert "[E401]" in run("define", "no such code", "-m", meaning, *p, code=1).stderr
    assert "the text is empty" in run("define", "tablet", "-m", " ", *p, code=2).stderr
