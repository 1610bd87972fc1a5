"""stc report: results (md, html, docx), audit (html), matrix (csv, xlsx).

Golden files under tests/golden/LANG/ hold the expected reports of a small analysed project in
Norwegian and English; refresh them with `pytest tests/test_reports.py --update-golden` and read
the difference before committing it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from stc import __version__
from tests.builders import WORDS, analysed_project, stable_trail
from tests.conftest import Run, compare_golden

GOLDEN = Path(__file__).parent / "golden"
pytestmark = pytest.mark.usefixtures("stable_salts")  # reports print the trail hash
TEXT_REPORTS = ("results.md", "results.html", "audit.html", "matrix.csv", "matrix.csv.json",
                "method.md", "method.html")


def build(run: Run, tmp_path: Path, language: str) -> Path:
    root = tmp_path / language
    analysed_project(run, root, language)
    stable_trail(root)  # fixed change times: see builders.stable_trail
    run("verify", "--project", str(root))
    return root


def docx_outline(path: Path) -> list[list[str]]:
    from docx import Document

    return [[p.style.name if p.style else "", p.text] for p in Document(str(path)).paragraphs]


def xlsx_cells(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def compare(name: Path, actual: str, update: bool) -> None:
    # the stc version is stamped into every report; a new release must not void the goldens
    actual = actual.replace(f"stc {__version__}", "stc VERSION")
    actual = actual.replace(f'"{__version__}"', '"VERSION"')
    compare_golden(name, actual, update)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_reports_match_golden_files(run: Run, tmp_path: Path, language: str,
                                    update_golden: bool) -> None:
    root = build(run, tmp_path, language)
    out = tmp_path / "out"
    written = run("report", "--project", str(root), "--out", str(out)).stdout.split()
    assert sorted(Path(p).name for p in written) == sorted(
        [*TEXT_REPORTS, "results.docx", "matrix.xlsx", "method.docx"])
    for name in TEXT_REPORTS:
        compare(GOLDEN / language / name, (out / name).read_text(encoding="utf-8"),
                update_golden)
    compare(GOLDEN / language / "results.docx.json",
            json.dumps(docx_outline(out / "results.docx"), ensure_ascii=False, indent=1) + "\n",
            update_golden)
    compare(GOLDEN / language / "matrix.xlsx.json",
            json.dumps(xlsx_cells(out / "matrix.xlsx"), ensure_ascii=False, indent=1) + "\n",
            update_golden)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_state_gives_the_same_bytes(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")  # real clock times: the reports must still repeat
    run("report", "--project", str(root), "--out", str(tmp_path / "a"))
    run("report", "--project", str(root), "--out", str(tmp_path / "b"))
    first = digests(tmp_path / "a")
    assert first == digests(tmp_path / "b") and len(first) == 10
    with zipfile.ZipFile(tmp_path / "a" / "results.docx") as docx:
        assert {i.date_time for i in docx.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert docx.namelist() == sorted(docx.namelist(), key=lambda n: (
            n != "[Content_Types].xml", n))


def test_results_chapter_shape(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "nb")
    run("report", "results", "--project", str(root))
    md = (root / "reports" / "results.md").read_text()
    w = WORDS["nb"]
    assert md.startswith("# 3 Resultater\n\nAnalysen resulterte i to kategorier:")
    assert "## 3.1 Tiden som ikke strekker til" in md and "### 3.1.2 Å bli sliten" in md
    # the placed quotation sits between the paragraphs, in the language's quotation marks
    assert "sier det slik:\n\n> «Jeg har aldri tid nok (…) det er ingen tid til å prate»\n\n" \
        "Tidspresset" in md
    assert w["cond_rush"] not in md  # condensates belong in the trail, not the chapter
    assert "U1" not in md and "I1" not in md  # no unit or informant identifiers
    outline = docx_outline(root / "reports" / "results.docx")
    styles = {style for style, _ in outline}
    assert {"Heading 1", "Heading 2", "Heading 3", "Quote"} <= styles
    assert ["Heading 3", "3.1.1 Tidspress"] in outline


def test_a_placed_unit_that_is_no_quotation_prints_its_own_words(run: Run,
                                                                  tmp_path: Path) -> None:
    """An analytic text may place any unit (`[U6]`), not only a chosen quotation: the chapter,
    which reads only the units it may print, prints that unit's words there."""
    root = build(run, tmp_path, "en")
    tech = WORDS["en"]["tech"]
    run("describe", tech, "-m", "One of them puts it so:\n\n[U6]\n\nThe rest agree.",
        "--project", str(root))
    units = json.loads(run("units", "--json", "--project", str(root)).output)
    text = " ".join(next(u for u in units if u["unit"] == "U6")["text"].split())
    run("report", "results", "--format", "md", "--project", str(root))
    md = (root / "reports" / "results.md").read_text()
    assert f"One of them puts it so:\n\n> “{text}”\n\nThe rest agree." in md


def test_chapter_number_and_inline_quotations_from_settings(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "en")
    settings = (root / "stc.toml").read_text().replace("chapter = 3", "chapter = 4\n"
                                                       "inline_words = 10")
    (root / "stc.toml").write_text(settings)
    run("report", "results", "--format", "md", "--project", str(root))
    md = (root / "reports" / "results.md").read_text()
    assert "## 4.1 Time that is never enough" in md
    assert "how the pressure tires her. “I get tired. But I like the job.”" in md


def test_as_of_shows_the_earlier_state(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "nb")
    log = json.loads(run("log", "--json", "--project", str(root)).stdout)
    before = next(r["seq"] for r in log if r["kind"] == "text.set") - 1
    run("report", "results", "--format", "md", "--as-of", str(before), "--project", str(root),
        "--out", str(tmp_path / "then"))
    then = (tmp_path / "then" / "results.md").read_text()
    assert WORDS["nb"]["desc_time"] not in then
    assert f"endring nr. {before} i sporet" in then
    assert "[E304]" in run("report", "--as-of", "9999", "--project", str(root), code=1).stderr


def test_audit_escapes_transcript_text_and_needs_nothing_outside(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "x"
    run("init", str(root), "--language", "en", "--title", "<b>T</b>")
    evil = tmp_path / "E1.txt"
    evil.write_text("I: Hello?\nEve: I said <script>alert(1)</script> & <img src=x"
                    " onerror=alert(2)> there.\n")
    p = ["--project", str(root)]
    run("import", str(evil), "--speakers", "I=interviewer", *p)
    run("code", "E1:2", "<i>code</i>", "--group", "<g>", *p)
    run("nugget", "U1", *p)
    run("condense", "<g>", "-m", "I <script>x</script>", *p)
    run("report", "audit", *p)
    run("report", "results", "--format", "html", *p)
    for name in ("audit.html", "results.html"):
        html = (root / "reports" / name).read_text()
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;" in html
        assert "http://" not in html and "https://" not in html
        assert not re.search(r"<[^>]*\b(src|href)=\"?[a-z]+:", html)


def test_audit_links_every_level_down_to_the_transcript(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "en")
    run("report", "audit", "--project", str(root))
    html = (root / "reports" / "audit.html").read_text()
    assert 'Rests on: <a href="#U1">U1</a>, <a href="#U4">U4</a>, <a href="#U7">U7</a>' in html
    assert '<p class="meta"><strong>U1</strong> · P1:2-3 · Participant: P1' in html
    assert "<mark>I never have enough time." in html
    assert "about the interviewer&#39;s question" in html  # the reason a unit was set aside
    assert "I expect to find time pressure." in html  # the memos
    assert "9 of 9" not in html and html.count('class="ok"') == 11


def test_template_overrides_and_format_choice(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "en")
    (root / "templates").mkdir()
    (root / "templates" / "results.md.j2").write_text(
        "{% for c in categories %}{{ c.heading }}: {{ c.prevalence.words }}\n{% endfor %}")
    out = run("report", "all", "--format", "md,csv", "--project", str(root)).stdout.split()
    assert [Path(p).name for p in out] == ["results.md", "matrix.csv", "matrix.csv.json",
                                          "method.md"]
    assert (root / "reports" / "results.md").read_text() == (
        "Time that is never enough: all participants\nTechnology: two of three participants\n")
    assert "[E518]" in run("report", "audit", "--format", "docx", "--project", str(root),
                           code=1).stderr


def test_matrix_counts_participants_by_group_and_subgroup(run: Run, tmp_path: Path) -> None:
    root = build(run, tmp_path, "nb")
    run("report", "matrix", "--project", str(root))
    lines = (root / "reports" / "matrix.csv").read_text().splitlines()
    assert lines[0] == ("participant,Tid og rutiner,Tid og rutiner/Tidspress,"
                        "Tid og rutiner/Å bli sliten,Teknologi")
    assert lines[1:] == ["I1,2,1,1,0", "I2,1,1,0,1", "I3,1,1,0,1"]
    import pandas as pd

    frame = pd.read_csv(root / "reports" / "matrix.csv")  # a plain table: no options needed
    assert list(frame["participant"]) == ["I1", "I2", "I3"]
    about = json.loads((root / "reports" / "matrix.csv.json").read_text())
    log = json.loads(run("log", "--json", "--project", str(root)).stdout)
    assert about["state"]["change"] == log[-1]["seq"]


def test_every_language_has_every_phrase_and_check_title() -> None:
    from stc.phrases import LANGUAGES, phrases
    from stc.stages.checks import CHECKS

    english = phrases("en")
    for language in LANGUAGES:
        found = phrases(language)
        assert set(found) == set(english), language
        assert set(found["check_titles"]) == {ident for ident, _, _ in CHECKS}, language
    assert phrases("de") == english  # languages without their own phrases get English


def calls_while(action: Callable[[], object], functions: list[Callable[..., Any]]
                ) -> dict[str, int]:
    """How often each function is entered while `action` runs (a profiler hook, no patching)."""
    names = {f.__code__: f.__name__ for f in functions}
    counts = dict.fromkeys(names.values(), 0)

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code in names:
            counts[names[frame.f_code]] += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return counts


def test_each_check_runs_once_per_rendering_and_results_skip_the_audit(
        run: Run, tmp_path: Path) -> None:
    from stc.reports import model
    from stc.stages.checks import CHECKS

    root = build(run, tmp_path, "en")
    checks: list[Callable[..., Any]] = [check for _, _, check in CHECKS]
    audit_parts: list[Callable[..., Any]] = [model.history, model.objects, model.memos,
                                             model.documents]
    every = calls_while(lambda: run("report", "all", "--project", str(root)),
                        checks + audit_parts)
    assert every == dict.fromkeys(every, 1)
    results = calls_while(lambda: run("report", "results", "--format", "md",
                                      "--project", str(root)), checks + audit_parts)
    assert results == {**dict.fromkeys(results, 0), "identifying_places": 1}
