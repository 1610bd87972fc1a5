"""Every refusal is catalogued: each raise names a code the catalogue holds with the fields its
message needs, and each hostile or ambiguous input gets its own coded line, the project
unchanged. (The fuzz corpus, tests/test_fuzz.py, fails on any `unexpected` it can reach.)"""

from __future__ import annotations

import ast
import errno
import io
import string
import zipfile
from pathlib import Path

import pytest

from stc.errors import MESSAGES
from tests.conftest import Run, write
from tests.fuzzing import bad_crc, bad_deflate, encrypted
from tests.samples import make_docx, make_odt, snapshot

ROOT = Path(__file__).resolve().parents[1]
INTERVIEW = "I: Hvordan har du det?\nKari: Jeg føler meg trygg på jobben.\n"
ERROR_CLASSES = {"StcError", "BadInput", "UnknownReference", "Conflict", "CannotUndo",
                 "NotAProject", "ProjectExists"}


def _raises() -> list[tuple[str, str, set[str] | None]]:
    """(where, code, keyword names or None when **fields are passed) for every error made
    with a literal code anywhere in the library."""
    found = []
    for folder in ("stc", "stages", "reports", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ERROR_CLASSES and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    continue
                names = {k.arg for k in node.keywords if k.arg is not None}
                spread = any(k.arg is None for k in node.keywords)
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0].value,
                              None if spread else names))
    return found


def test_every_raised_code_is_in_the_catalogue_with_the_fields_its_message_needs() -> None:
    raised = _raises()
    assert len(raised) > 300
    problems = []
    for where, code, names in raised:
        if code not in MESSAGES:
            problems.append(f"{where}: {code} is not in the catalogue")
            continue
        wanted = {f[1].split(".")[0].split("[")[0]
                  for f in string.Formatter().parse(MESSAGES[code]) if f[1]}
        if names is not None and wanted != names:
            problems.append(f"{where}: {code} wants {sorted(wanted)}, is given {sorted(names)}")
    assert not problems, "\n".join(problems)


def test_hardening_codes_stay_in_their_range() -> None:
    mine = [c for c in MESSAGES if c.startswith("E1") and 130 <= int(c[1:]) <= 169]
    assert mine == sorted(mine, key=lambda c: list(MESSAGES).index(c)) or mine
    assert {f"E{n}" for n in range(130, 150)} <= set(MESSAGES)


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    write(project / "I1.txt", INTERVIEW)
    run("import", "I1.txt")
    run("code", "I1:2", "Trygghet", "--group", "Arbeid")
    run("subgroup", "add", "Arbeid", "Kolleger")
    run("sort", "U1", "--into", "Arbeid/Kolleger")
    return project


def refused(run: Run, project: Path, *args: str, code: str) -> str:
    before = snapshot(run, project)
    error = run(*args, code=1).stderr
    assert error.count("Error:") == 1 and f"[{code}]" in error, error
    assert "unexpected" not in error
    assert snapshot(run, project) == before
    return error


# -- archives ---------------------------------------------------------------------------------

def _rezipped(data: bytes, stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename),
                         compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("damage", [bad_crc, bad_deflate, encrypted])
@pytest.mark.parametrize("kind", ["docx", "odt", "qdpx", "xlsx"])
def test_a_damaged_or_encrypted_archive_entry_is_the_archives_error(
        run: Run, interview: Path, kind: str, damage: object) -> None:
    import random

    if kind == "docx":
        data = make_docx(interview / "seed.docx", INTERVIEW.splitlines()).read_bytes()
    elif kind == "odt":
        data = make_odt(interview / "seed.odt", INTERVIEW.splitlines()).read_bytes()
    elif kind == "qdpx":
        run("export", "seed.qdpx")
        data = (interview / "seed.qdpx").read_bytes()
    else:
        run("matrix", "export", "seed.xlsx")
        data = (interview / "seed.xlsx").read_bytes()
    data = _rezipped(data, stored=damage is bad_crc)  # a stored entry: the checksum fails
    broken = damage(data, random.Random(1))  # type: ignore[operator]
    path = interview / f"broken.{kind}"
    path.write_bytes(broken)
    args = ["matrix", "import", path.name] if kind == "xlsx" else ["import", path.name]
    if kind == "qdpx":
        run("init", "../other", "--language", "nb", "--title", "Andre")
        args = ["import", str(path), "--project", "../other"]
        error = run(*args, code=1).stderr
        assert "[E110]" in error and error.count("Error:") == 1, error
        return
    refused(run, interview, *args, code="E110")


def test_broken_sheet_xml_in_a_matrix_is_the_archives_error(run: Run, interview: Path) -> None:
    run("matrix", "export", "m.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(interview / "m.xlsx") as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]  # cut off in the middle of a row
            new.writestr(info.filename, body)
    (interview / "broken.xlsx").write_bytes(out.getvalue())
    refused(run, interview, "matrix", "import", "broken.xlsx", code="E110")


def test_a_code_tree_nested_thousands_deep_is_refused(run: Run, interview: Path) -> None:
    depth = 5000
    codes = "".join(f'<Code guid="{n:08d}-0000-4000-8000-000000000000" name="k{n}"'
                    ' isCodable="true">' for n in range(depth)) + "</Code>" * depth
    qdc = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns='
           f'"urn:QDA-XML:codebook:1.0" origin="x"><Codes>{codes}</Codes></CodeBook>')
    write(interview / "deep.qdc", qdc)
    refused(run, interview, "import", "deep.qdc", code="E148")
    rows = "tag,parent\n" + "".join(f"k{n},{f'k{n - 1}' if n else ''}\n" for n in range(depth))
    write(interview / "deep.csv", rows)
    refused(run, interview, "import", "deep.csv", code="E148")


# -- arguments, files and settings ----------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["rot13", "hex", "base64", "zlib_codec"])
def test_an_encoding_that_is_no_text_encoding(run: Run, interview: Path, encoding: str) -> None:
    write(interview / "I2.txt", INTERVIEW.replace("Kari", "Ola"))
    refused(run, interview, "import", "I2.txt", "--encoding", encoding, code="E138")


def test_a_memo_from_a_binary_file(run: Run, interview: Path) -> None:
    (interview / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    assert "photo.txt" in refused(run, interview, "memo", "add", "--file", "photo.txt",
                                  code="E139")


@pytest.mark.parametrize("args", [
    ("export", "{missing}/all.qdpx"), ("export", "{missing}/codes.qdc"),
    ("matrix", "export", "{missing}/m.xlsx"), ("matrix", "export", "{missing}/m.csv"),
    ("report", "results", "--format", "md", "--out", "{missing}/reports"),
])
def test_an_output_into_a_folder_that_does_not_exist(run: Run, interview: Path,
                                                     tmp_path: Path, args: tuple[str, ...]
                                                     ) -> None:
    missing = tmp_path / "nowhere"
    given = [a.format(missing=missing) for a in args]
    assert str(missing) in refused(run, interview, *given, code="E140")
    assert not missing.exists()
    run("report", "results", "--format", "md", "--out", str(tmp_path / "made"))  # one level


def test_stc_toml_with_a_byte_order_mark_is_read_and_written_back(run: Run,
                                                                  interview: Path) -> None:
    settings = interview / "stc.toml"
    settings.write_bytes(b"\xef\xbb\xbf" + settings.read_bytes())
    run("status")
    run("config", "set", "report.chapter", "4")  # written back into the file
    assert 'chapter = 4' in settings.read_text(encoding="utf-8-sig")
    run("verify")


def test_stc_toml_that_is_not_text_is_refused(run: Run, interview: Path) -> None:
    settings = interview / "stc.toml"
    settings.write_bytes(settings.read_bytes() + "# \u00e6\n".encode("latin-1"))
    error = run("status", code=1).stderr
    assert "[E144]" in error and "stc.toml" in error


@pytest.mark.parametrize("value", ['"no_such_pipeline"', "3", '""', '"/etc"'])
def test_a_pipeline_setting_that_is_no_pipeline(run: Run, interview: Path, value: str) -> None:
    settings = interview / "stc.toml"
    settings.write_text(f"pipeline = {value}\n" + settings.read_text(encoding="utf-8"),
                        encoding="utf-8")
    write(interview / "I2.txt", INTERVIEW.replace("Kari", "Ola"))
    refused(run, interview, "import", "I2.txt", code="E145")


def test_a_full_disk_while_an_export_is_written(run: Run, interview: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from stc import outputs

    def full(self: object, path: Path, data: bytes) -> None:
        raise outputs._unwritable(path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(outputs.Outputs, "write", full)
    assert "disk is full" in refused(run, interview, "export", "all.qdpx", code="E137")
    assert not (interview / "all.qdpx").exists()


def test_erase_and_edit_without_a_terminal(run: Run, interview: Path) -> None:
    assert "--yes" in refused(run, interview, "erase", "I1", "--why", "samtykke trukket",
                              code="E141")
    assert "-m TEXT" in refused(run, interview, "memo", "add", "--edit", code="E142")
    refused(run, interview, "condense", "Arbeid/Kolleger", "--edit", code="E142")


def test_an_editor_that_cannot_be_opened(run: Run, interview: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stc.cli.common.has_terminal", lambda: True)
    monkeypatch.setenv("EDITOR", "/no/such/editor")
    assert "/no/such/editor" in refused(run, interview, "memo", "add", "--edit", code="E143")


# -- ambiguous input ---------------------------------------------------------------------------

def test_a_matrix_naming_a_column_twice_is_refused(run: Run, interview: Path) -> None:
    run("condense", "Arbeid/Kolleger", "-m", "Jeg føler meg trygg.")
    run("matrix", "export", "m.csv")
    subgroups = interview / "m-subgroups.csv"
    lines = subgroups.read_text(encoding="utf-8-sig").splitlines()
    lines = [f"{line},{'condensate' if n == 0 else 'Noe annet.'}"
             for n, line in enumerate(lines)]
    subgroups.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "condensate" in refused(run, interview, "matrix", "import", "m.csv", code="E146")
    units = interview / "m.csv"
    text = units.read_text(encoding="utf-8-sig")
    units.write_text(text.replace("codes", "Codes", 1).replace("\n", ",Codes\n", 1),
                     encoding="utf-8")
    refused(run, interview, "matrix", "import", "m.csv", code="E146")


def test_an_empty_matrix_is_refused(run: Run, interview: Path) -> None:
    (interview / "empty.csv").write_bytes(b"")
    refused(run, interview, "matrix", "import", "empty.csv", code="E147")


def test_participants_and_codebook_tables_naming_a_column_twice(run: Run,
                                                               interview: Path) -> None:
    write(interview / "people.csv", "deltaker;alder;Alder\nP1;34;35\n")
    assert "alder" in refused(run, interview, "participants", "import", "people.csv",
                              code="E146").lower()
    write(interview / "codebook.csv", "tag,description,tag\nTrygghet,x,Ro\n")
    refused(run, interview, "import", "codebook.csv", code="E146")


def test_an_empty_reference_or_reason_is_refused(run: Run, interview: Path) -> None:
    refused(run, interview, "memo", "add", "--on", "", "-m", "Et notat.", code="E149")
    refused(run, interview, "memo", "add", "--on", "  ", "-m", "Et notat.", code="E149")
    refused(run, interview, "erase", "I1", "--why", "", "--yes", code="E332")
    refused(run, interview, "erase", "I1", "--why", "   ", "--yes", code="E332")
