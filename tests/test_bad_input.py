"""Files stc refuses: one `Error:` line naming the file, exit 1, and the project unchanged."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, write
from tests.samples import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    make_docx,
    make_odt,
    odt_content,
    rewrite_docx,
    snapshot,
)

GOOD = "Intervjuer: Hvordan går det?\nKari: Det går bra, takk.\n"


def refused(run: Run, project: Path, *args: str, code: str, names: str) -> str:
    """Run an import that must fail, and check how it fails."""
    write(project / "ok.txt", GOOD)
    run("import", "ok.txt")  # the project holds something a failure could damage
    before = snapshot(run, project)
    result = run("import", *args, code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:") and f"[{code}]" in lines[0]
    assert names in lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert snapshot(run, project) == before
    run("verify")
    return lines[0]


def test_binary_file(run: Run, project: Path) -> None:
    (project / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    refused(run, project, "photo.txt", code="E106", names="photo.txt")


def test_binary_without_nul_bytes(run: Run, project: Path) -> None:
    (project / "noise.txt").write_bytes(bytes(range(1, 32)) * 200)
    refused(run, project, "noise.txt", code="E106", names="noise.txt")


def test_undecodable_with_the_wrong_encoding(run: Run, project: Path) -> None:
    (project / "cp.txt").write_bytes("Kari: Blåbær og rødgrøt.\n".encode("cp1252"))
    line = refused(run, project, "cp.txt", "--encoding", "utf-8", code="E107", names="cp.txt")
    assert "--encoding" in line


def test_unknown_encoding_name(run: Run, project: Path) -> None:
    write(project / "a.txt", GOOD)
    refused(run, project, "a.txt", "--encoding", "klingon-8", code="E113", names="klingon-8")


def test_empty_file(run: Run, project: Path) -> None:
    (project / "empty.txt").write_bytes(b"")
    refused(run, project, "empty.txt", code="E104", names="empty.txt")


def test_blank_file(run: Run, project: Path) -> None:
    write(project / "blank.txt", "\n  \n\t\n")
    refused(run, project, "blank.txt", code="E112", names="blank.txt")


def test_directory(run: Run, project: Path) -> None:
    (project / "folder.txt").mkdir()
    refused(run, project, "folder.txt", code="E102", names="folder.txt")


def test_missing_file(run: Run, project: Path) -> None:
    refused(run, project, "nowhere.txt", code="E101", names="nowhere.txt")


def test_unknown_suffix(run: Run, project: Path) -> None:
    write(project / "notes.pages", GOOD)
    refused(run, project, "notes.pages", code="E103", names="notes.pages")


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_corrupt_office_file(run: Run, project: Path, suffix: str) -> None:
    (project / f"broken{suffix}").write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    refused(run, project, f"broken{suffix}", code="E109", names=f"broken{suffix}")


def test_docx_missing_its_document(run: Run, project: Path) -> None:
    with zipfile.ZipFile(project / "hollow.docx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    refused(run, project, "hollow.docx", code="E109", names="hollow.docx")


def test_truncated_docx(run: Run, project: Path) -> None:
    data = make_docx(project / "full.docx", [GOOD]).read_bytes()
    (project / "cut.docx").write_bytes(data[: len(data) // 2])
    refused(run, project, "cut.docx", code="E109", names="cut.docx")


def test_oversized_file(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stc.formats.MAX_FILE_BYTES", 100)
    write(project / "long.txt", GOOD * 3)
    line = refused(run, project, "long.txt", code="E105", names="long.txt")
    assert "limit of 100 bytes" in line


def test_oversized_unpacked_odt(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stc.formats.zipguard.MAX_UNPACKED", 1000)
    make_odt(project / "big.odt", [GOOD] * 50)
    refused(run, project, "big.odt", code="E110", names="big.odt")


def _zip_bomb(path: Path, base: Path) -> Path:
    """A .docx with a 60 MB entry of zeros that packs into some 60 kB."""
    make_docx(base, [GOOD])
    return rewrite_docx(base, path, {"word/media/padding.bin": bytes(60 * 1024 * 1024)})


def test_zip_bomb_docx(run: Run, project: Path) -> None:
    _zip_bomb(project / "bomb.docx", project / "base.docx")
    assert (project / "bomb.docx").stat().st_size < 1024 * 1024
    line = refused(run, project, "bomb.docx", code="E110", names="bomb.docx")
    assert "padding.bin" in line


def test_zip_bomb_odt(run: Run, project: Path) -> None:
    make_odt(project / "bomb.odt", [GOOD], extra={"Pictures/x.bin": bytes(60 * 1024 * 1024)})
    refused(run, project, "bomb.odt", code="E110", names="bomb.odt")


def test_too_many_entries(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stc.formats.zipguard.MAX_MEMBERS", 3)
    make_odt(project / "many.odt", [GOOD], extra={"a": b"1", "b": b"2"})
    refused(run, project, "many.odt", code="E110", names="many.odt")


@pytest.mark.parametrize("entry", ["../../evil.txt", "/etc/evil", "word\\..\\..\\evil"])
def test_path_traversal_entry(run: Run, project: Path, entry: str) -> None:
    make_docx(project / "base.docx", [GOOD])
    rewrite_docx(project / "base.docx", project / "climb.docx", {entry: b"x"})
    line = refused(run, project, "climb.docx", code="E110", names="climb.docx")
    assert "leaves the archive" in line


def _docx_with(project: Path, name: str, prolog: str, member: str = "word/document.xml") -> str:
    base = make_docx(project / "base.docx", [GOOD])
    with zipfile.ZipFile(base) as archive:
        original = archive.read(member).decode()
    body = original.split("?>", 1)[1] if original.startswith("<?xml") else original
    # the entity is used in the text, so a parser that expands it would show it
    body = body.replace("Kari", "Kari &lol4;" if "lol" in prolog else "Kari &xxe;", 1)
    rewrite_docx(base, project / name, {member: (prolog + body).encode()})
    return name


def _odt_with(project: Path, name: str, prolog: str) -> str:
    entity = "&lol4;" if "lol" in prolog else "&xxe;"
    content = odt_content([GOOD.replace("Kari", "Kari " + entity)])
    content = content.replace('<?xml version="1.0" encoding="UTF-8"?>', prolog)
    make_odt(project / name, content=content)
    return name


Maker = Callable[[Path, str, str], str]


@pytest.mark.parametrize("maker", [_docx_with, _odt_with], ids=["docx", "odt"])
@pytest.mark.parametrize("prolog", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_xml_entity_tricks(run: Run, project: Path, maker: Maker, prolog: str) -> None:
    name = maker(project, "tricky" + (".docx" if maker is _docx_with else ".odt"), prolog)
    refused(run, project, name, code="E111", names=name)


def test_entity_tricks_in_a_docx_relationship_part(run: Run, project: Path) -> None:
    name = _docx_with(project, "rels.docx", EXTERNAL_ENTITY, member="word/_rels/document.xml.rels")
    refused(run, project, name, code="E111", names=name)


def test_malformed_subtitles(run: Run, project: Path) -> None:
    write(project / "S.vtt", "WEBVTT\n\nthis is no cue at all\n")
    refused(run, project, "S.vtt", code="E114", names="S.vtt")


def test_rtf_without_header(run: Run, project: Path) -> None:
    write(project / "R.rtf", GOOD)
    refused(run, project, "R.rtf", code="E109", names="R.rtf")


def test_one_bad_file_among_several_imports_nothing(run: Run, project: Path) -> None:
    write(project / "a.txt", GOOD)
    write(project / "c.txt", GOOD.replace("Kari", "Ola"))
    (project / "b.txt").write_bytes(b"\x00\x01\x02" * 100)
    refused(run, project, "a.txt", "b.txt", "c.txt", code="E106", names="b.txt")
