"""Names as people read them, and text every writer can write.

A name (theme, code, code group, subgroup, document id, participant, attribute key) holding a
control character, a bidi override or nothing visible is refused where it enters, the project
unchanged; names are found whatever their case and however their accents were typed. Free
text with such characters is kept with each replaced visibly, and every writer (REFI-QDA, Word,
Excel) writes what is stored, also what an older stc stored as it was given.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc import naming, refs, store
from stc.errors import StcError
from stc.lookup import unit_id
from stc.participants import find as find_participant
from stc.texts import cleaned
from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = "I: Hvordan har du det?\nKari: Jeg føler nærhet til de andre på avdelingen.\n"
NFC = "Kafé"
NFD = unicodedata.normalize("NFD", NFC)
TONE_MARK = "Kafe\u0341"  # the acute tone mark: NFC makes it the acute accent, é


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    write(project / "I1.txt", INTERVIEW)
    run("import", "I1.txt")
    return project


def refused(run: Run, project: Path, *args: str, code: str) -> str:
    before = snapshot(run, project)
    error = run(*args, code=1).stderr
    assert error.count("Error:") == 1 and f"[{code}]" in error, error
    assert snapshot(run, project) == before
    return error


def test_a_name_in_capitals_finds_its_code(run: Run, interview: Path) -> None:
    run("code", "I1:2", "Nærhet og relasjon")
    units = json.loads(run("units", "--code", "NÆRHET OG RELASJON", "--json").stdout)
    assert [u["id"] for u in units] == [1]
    run("rename", "code", "NÆRHET OG RELASJON", "Nærhet")
    assert "Nærhet" in run("codes").stdout


def test_a_name_typed_three_ways_is_one_theme(run: Run, interview: Path) -> None:
    assert TONE_MARK != NFD != NFC
    run("theme", "add", NFC)
    for other in (NFD, TONE_MARK, "KAFÉ"):
        refused(run, interview, "theme", "add", other, code="E402")
    run("memo", "add", "--on", f"theme:{NFD}", "-m", "Et notat om kafeen.")
    themes = run("themes").stdout
    assert themes.count("Kafé") == 1


def test_new_names_are_stored_composed(run: Run, interview: Path) -> None:
    run("code", "I1:2", NFD)
    conn = sqlite3.connect(interview / "stc.db")
    (name,) = conn.execute("SELECT name FROM codes").fetchone()
    conn.close()
    assert name == NFC


@pytest.mark.parametrize("name, char", [
    ("Nær\x1bhet", "U+001B"), ("Nær\x00het", "U+0000"), ("Nær\thet", "U+0009"),
    ("Nærhet\n", "U+000A"), ("Nær\u202ehet", "U+202E"), ("Nær\u2066het", "U+2066"),
])
def test_a_name_holding_what_is_not_visible_text_is_refused(run: Run, interview: Path,
                                                            name: str, char: str) -> None:
    for args in (("theme", "add", name), ("code", "I1:2", name),
                 ("code", "I1:2", "Tilhørighet", "--group", name)):
        assert char in refused(run, interview, *args, code="E133")
    run("code", "I1:2", "Tilhørighet", "--group", "Fellesskap")
    refused(run, interview, "subgroup", "add", "Fellesskap", name, code="E133")
    refused(run, interview, "rename", "code", "Tilhørighet", name, code="E133")
    refused(run, interview, "participant", "rename", "P1", name, code="E133")
    refused(run, interview, "participant", "set", "P1", f"k{name}=1", code="E810")


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d\ufeff", " \u2060 ", "\u3164"])
def test_a_name_that_shows_nothing_is_refused(run: Run, interview: Path, name: str) -> None:
    refused(run, interview, "theme", "add", name, code="E134")
    refused(run, interview, "code", "I1:2", name, code="E134")


def test_a_document_id_is_matched_in_full(run: Run, interview: Path) -> None:
    write(interview / "I5.txt", INTERVIEW.replace("Kari", "Ola"))
    refused(run, interview, "import", "I5.txt", "--id", "I5\n", code="E208")
    refused(run, interview, "import", "I5.txt", "--id", "I\x1b5", code="E208")
    refused(run, interview, "import", "I5.txt", "--id", "i1", code="E201")
    refused(run, interview, "show", "I1\x1b", code="E203")


def test_numbers_too_long_or_too_large_for_the_project(run: Run, interview: Path) -> None:
    assert "digits" in refused(run, interview, "show", "I1:" + "9" * 5000, code="E135")
    refused(run, interview, "unit", "delete", "U" + "9" * 5000, "--why", "x", code="E135")
    refused(run, interview, "unit", "delete", "U" + "9" * 19, "--why", "x", code="E136")
    refused(run, interview, "nugget", "U99999999999999999999", code="E136")
    refused(run, interview, "participant", "rename", "P" + "9" * 20, "Ola", code="E136")
    refused(run, interview, "show", "I1:99999999999999999999", code="E136")
    refused(run, interview, "show", "I1:9999999999", code="E204")


def test_free_text_keeps_what_it_can_and_shows_what_it_replaced(run: Run,
                                                                interview: Path) -> None:
    run("memo", "add", "-m", "Før\x1b[31m og\x00 etter \u202eslutt")
    memo = json.loads(run("memos", "--json").stdout)[0]
    assert memo["body"] == "Før\ufffd[31m og\ufffd etter \ufffdslutt"


def test_an_import_records_which_characters_it_replaced(run: Run, project: Path) -> None:
    write(project / "I2.txt", "I: Hei\x1b igjen.\nOla: Ja\x0b nei \u202eså.\n")
    out = run("import", "I2.txt").stdout
    assert "U+001B ESCAPE" in out and "U+202E RIGHT-TO-LEFT OVERRIDE" in out
    shown = " ".join(s["text"] for s in json.loads(run("show", "I2", "--json").stdout)
                     ["segments"])
    assert "Hei\ufffd igjen." in shown and "\ufffdså" in shown and "\x0b" not in shown
    conn = sqlite3.connect(project / "stc.db")
    (payload,) = conn.execute("SELECT payload FROM trail WHERE kind = 'document.import'"
                              ).fetchone()
    conn.close()
    assert json.loads(payload)["replaced_characters"] == {
        "U+000B": 1, "U+001B": 1, "U+202E": 1}
    run("verify")


# -- every writer writes what is stored ----------------------------------------------------------

DIRTY = "Første\x1b tekst\x07 med\x00 kontrolltegn\x0c og \u202eretning"


def _as_an_older_stc_stored_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts stored as given, as stc did before it cleaned them where they enter."""
    from stc import project as project_module

    monkeypatch.setattr(project_module, "writable", lambda text: text)


def test_every_writer_writes_text_an_older_stc_stored(run: Run, interview: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    run("code", "I1:2", "Nærhet", "--group", "Fellesskap")
    run("subgroup", "add", "Fellesskap", "Kolleger")
    run("sort", "U1", "--into", "Fellesskap/Kolleger")
    run("nugget", "U1")
    with monkeypatch.context() as patched:
        _as_an_older_stc_stored_it(patched)
        run("memo", "add", "--on", "code:Nærhet", "-m", DIRTY)
        run("condense", "Fellesskap/Kolleger", "-m", f"Jeg føler nærhet. {DIRTY}")
        run("describe", "Fellesskap", "-m", DIRTY)
        run("describe", "Fellesskap/Kolleger", "-m", DIRTY)
        run("unit", "note", "U1", "-m", DIRTY)
    run("verify")
    conn = sqlite3.connect(interview / "stc.db")
    assert conn.execute("SELECT COUNT(*) FROM texts WHERE body LIKE ?",
                        ("%\x1b%",)).fetchone()[0] == 3  # the memo (one text with the
    # analytic texts, hashed with the project's salt), the condensate, and the unit's note
    # (hashed with its transcript's salt)
    conn.close()

    run("export", "all.qdpx")
    with zipfile.ZipFile(interview / "all.qdpx") as archive:
        qde = archive.read("project.qde")
    import defusedxml.ElementTree as SafeET

    SafeET.fromstring(qde)  # well-formed
    assert "\ufffd tekst".encode() in qde

    run("report", "results", "--format", "docx", "--allow-identifying")
    import docx

    body = "\n".join(p.text for p in docx.Document(str(interview / "reports/results.docx"))
                     .paragraphs)
    assert "Første\ufffd tekst" in body

    run("matrix", "export", "matrix.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(interview / "matrix.xlsx")
    cells = [str(c.value) for row in book["subgroups"].iter_rows() for c in row if c.value]
    assert any("Første\ufffd tekst" in c for c in cells)
    run("report", "matrix", "--format", "xlsx")
    run("report", "audit", "--format", "html", "--allow-identifying")


# -- properties over any text (Hypothesis) -------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@settings(deadline=None)  # a shared machine's timings vary
@given(ANY_TEXT)
def test_a_name_is_refused_with_a_code_or_kept_as_every_file_can_hold_it(text: str) -> None:
    try:
        name = naming.checked("theme", text)
    except StcError as exc:
        assert exc.code in ("E133", "E134", "E403")
        return
    assert name == unicodedata.normalize("NFC", name) == name.strip()
    assert cleaned(name) == (name, {})
    assert naming.checked("theme", name) == name
    assert naming.key(name) == naming.key(text)
    name.encode("utf-8")


@settings(deadline=None)  # a shared machine's timings vary
@given(ANY_TEXT)
def test_cleaned_text_keeps_its_length_and_holds_nothing_a_file_cannot(text: str) -> None:
    clean, replaced = cleaned(text)
    assert len(clean) == len(text)
    assert cleaned(clean) == (clean, {})
    assert sum(replaced.values()) == sum(a != b for a, b in zip(text, clean, strict=True))
    clean.encode("utf-8")


@settings(deadline=None)  # a shared machine's timings vary
@given(st.one_of(ANY_TEXT, st.from_regex(r"\A[IUP]?[0-9]{0,400}(:[0-9]{1,30}(-[0-9]{1,30})?)?"
                                         r"\s?\Z")))
def test_a_reference_is_read_or_refused_with_a_code(text: str) -> None:
    conn = store.connect(":memory:")
    store.migrate(conn)
    for read in (lambda t: refs.parse_segment_ref(t), lambda t: unit_id(conn, t),
                 lambda t: find_participant(conn, t), lambda t: refs.check_segment_range(conn, t)):
        with contextlib.suppress(StcError):
            read(text)
    conn.close()
