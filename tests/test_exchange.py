"""REFI-QDA exchange: stc export FILE.qdpx|.qdc, stc import FILE.qdpx|.qde|.qdc."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from stc import open_project
from stc.texts import get_text
from tests.conftest import REFI, Run, needs_shared, shared_schema, write

needs_samples = needs_shared(REFI / "samples")
# without the shared data, one test stands for the samples, skipped with the reason
SAMPLES = sorted((REFI / "samples").glob("*")) or [REFI / "samples"]
NS = "urn:QDA-XML:project:1.0"

TRANSCRIPT = (
    "Intervjuer: Hvordan opplever du trygghetsalarmen?\n"
    "Kari: Jeg blir glad 😀 når de kommer. Det er trygt på natta, særlig om vinteren.\n"
    "Intervjuer: Og nettbrettet?\n"
    "Kari: Det er vanskelig å se på skjermen. Øynene mine er ikke som før 𝄞.\n"
)


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return shared_schema("Project-mrt2019.xsd")


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return shared_schema("Codebook.xsd")


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


# the codebook a user brings from Taguette: code definitions, and a code not yet used
CODEBOOK = ("tag,parent,description\n"
            "Trygghet,,\n"
            "trygg om natta,Trygghet,Å føle seg trygg når det er mørkt\n"
            "glede,Trygghet,\n"
            "Teknologi i hverdagen,,\n"
            "syn og skjerm,Teknologi i hverdagen,\n"
            "løs kode,,\n")


def build_analysis(run: Run, root: Path) -> None:
    """Groups, codes with a definition, a subgroup with its condensate and analytic text,
    units, memos: through the commands, as a user builds them."""
    run("import", str(write(root.parent / "kodebok.csv", CODEBOOK)))
    run("code", "I1:2", "glede")
    run("code", "I1:3", "trygg om natta", "glede", "--note", "Sterkt utsagn")
    run("code", "I1:6", "syn og skjerm")
    night = "Trygghet/Natt og dag"
    run("subgroup", "add", "Trygghet", "Natt og dag")
    run("sort", "U2", "U1", "--into", night)
    run("condense", night, "-m", "Jeg føler meg trygg om natta, og glad 😀.")
    run("describe", night, "-m", "Informantene beskriver trygghet om natta.")
    run("describe", "Trygghet", "--heading", "Å være trygg hjemme")
    run("memo", "add", "--kind", "preunderstanding", "-m", "Jeg tror alarmen gir trygghet.")
    for on, body in (("I1", "Kari er fornøyd, men ser dårlig."), ("U2", "Gullkorn? ✨"),
                     ("code:glede", "Glede over besøk."), (f"subgroup:{night}", "Om natta."),
                     ("I1:2-3", "Segmentene om natta.")):
        run("memo", "add", "--on", on, "-m", body)


@pytest.fixture
def analysed(run: Run, project: Path) -> Path:
    write(project.parent / "I1.txt", TRANSCRIPT)
    run("import", str(project.parent / "I1.txt"), "--participant", "Kari")
    build_analysis(run, project)
    return project


def snapshot(root: Path) -> dict[str, Any]:
    """What a user sees of a project, independent of ids and the trail."""
    project = open_project(root)
    conn = project.conn

    def text(digest: str | None) -> str | None:
        return get_text(conn, digest)

    docs = {d: (text(t), p) for d, t, p in conn.execute(
        "SELECT id, text, participant FROM documents")}
    segments = sorted(tuple(r) for r in conn.execute("SELECT doc, n, start, end FROM segments"))
    turns = sorted((doc, text(label) if label else None, role, start, end)
                   for doc, label, role, start, end in conn.execute(
                       "SELECT doc, speaker, role, start, end FROM turns"))
    units = sorted(
        (doc, start, end, text(t), text(note),
         tuple(sorted(n for (n,) in conn.execute(
             "SELECT c.name FROM unit_codes uc JOIN codes c ON c.id = uc.code"
             " WHERE uc.unit = ?", (uid,)))),
         conn.execute("SELECT name FROM subgroups WHERE id = ?", (sub,)).fetchone()[0]
         if sub else None, text(nugget), aside)
        for uid, doc, start, end, t, note, sub, nugget, aside in conn.execute(
            "SELECT id, doc, start, end, text, note, subgroup_id, nugget, aside FROM units"))
    codes = sorted((n, g, text(d)) for n, g, d in conn.execute(
        "SELECT c.name, g.name, c.definition FROM codes c"
        " LEFT JOIN code_groups g ON g.id = c.group_id"))
    groups = [(n, h, text(c), text(d)) for n, h, c, d in conn.execute(
        "SELECT name, heading, condensate, description FROM code_groups ORDER BY position")]
    subgroups = sorted((g, s, h, text(c), text(d)) for g, s, h, c, d in conn.execute(
        "SELECT g.name, s.name, s.heading, s.condensate, s.description FROM subgroups s"
        " JOIN code_groups g ON g.id = s.group_id"))
    themes = [(n, g) for n, g in conn.execute(
        "SELECT t.name, g.name FROM themes t LEFT JOIN code_groups g ON g.from_theme = t.id"
        " ORDER BY t.position, g.position")]
    question = conn.execute("SELECT value FROM project WHERE key = 'question'").fetchone()
    memos = sorted((k, r, text(b)) for k, r, b in conn.execute(
        "SELECT kind, ref, body FROM memos"))
    project.close()
    return {"docs": docs, "segments": segments, "turns": turns, "units": units,
            "codes": codes, "groups": groups, "subgroups": subgroups, "memos": memos,
            "themes": themes, "question": question}


def check_qdpx(path: Path, schema: xmlschema.XMLSchema) -> dict[str, str]:
    """The rules of the schema and those it does not check; returns the plain texts."""
    import defusedxml.ElementTree as SafeET

    archive = zipfile.ZipFile(path)
    names = archive.namelist()
    assert names == sorted(names) and names[0] == "project.qde"
    assert all(n == "project.qde" or n.startswith("sources/") for n in names)
    qde = archive.read("project.qde")
    schema.validate(io.BytesIO(qde))
    root = SafeET.fromstring(qde)
    plains: dict[str, str] = {}
    for source in root.iter(f"{{{NS}}}TextSource"):
        guid = source.get("guid")
        assert source.get("plainTextPath") == f"internal://{guid}.txt"
        data = archive.read(f"sources/{guid}.txt")
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        plain = data.decode("utf-8")
        plains[guid] = plain
        for sel in source.iter(f"{{{NS}}}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start < end <= len(plain)
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag in ("Users", "Sources", "Sets", "Codes", "Notes", "Cases", "CodeBook"):
            assert len(element), f"empty <{tag}>"
    return plains


# -- export ------------------------------------------------------------------------------------

def test_export_validates_and_keeps_the_rules_the_schema_does_not_check(
        run: Run, analysed: Path, project_schema: xmlschema.XMLSchema) -> None:
    result = run("export", "out.qdpx")
    assert "1 transcript, 3 meaning units" in result.stdout
    assert "not included: the trail" in result.stdout
    plains = check_qdpx(analysed / "out.qdpx", project_schema)
    [plain] = plains.values()
    assert "😀" in plain and "𝄞" in plain
    project = open_project(analysed)
    for start, end, digest in project.conn.execute("SELECT start, end, text FROM units"):
        assert plain[start:end] == get_text(project.conn, digest)


def test_export_is_deterministic_with_stable_guids(run: Run, analysed: Path) -> None:
    run("export", "a.qdpx")
    run("export", "b.qdpx")
    assert (analysed / "a.qdpx").read_bytes() == (analysed / "b.qdpx").read_bytes()


def test_codebook_export_validates(run: Run, analysed: Path,
                                   codebook_schema: xmlschema.XMLSchema) -> None:
    run("export", "kodebok.qdc")
    data = (analysed / "kodebok.qdc").read_bytes()
    codebook_schema.validate(io.BytesIO(data))
    assert b"stc subgroups" in data


def test_export_refuses_other_suffixes_and_an_empty_codebook(run: Run, project: Path) -> None:
    assert "[E610]" in run("export", "out.zip", code=1).stderr
    assert "[E611]" in run("export", "out.qdc", code=1).stderr
    assert not (project / "out.qdc").exists()


# -- round trip --------------------------------------------------------------------------------

def test_round_trip_restores_transcripts_units_codes_groups_subgroups_and_notes(
        run: Run, analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("export", str(tmp_path / "rundtur.qdpx"))
    monkeypatch.chdir(tmp_path)
    run("init", "kopi", "--language", "nb", "--title", "Kopi")
    monkeypatch.chdir(tmp_path / "kopi")
    result = run("import", str(tmp_path / "rundtur.qdpx"))
    assert "transcripts I1; 3 meaning units" in result.stdout
    before, after = snapshot(analysed), snapshot(tmp_path / "kopi")
    for key in before:
        assert after[key] == before[key], key
    assert "OK" in run("verify").stdout
    # and once more: what came in goes out the same way
    run("export", str(tmp_path / "igjen.qdpx"))
    run("init", str(tmp_path / "kopi2"), "--language", "nb", "--title", "Kopi 2")
    run("--project", str(tmp_path / "kopi2"), "import", str(tmp_path / "igjen.qdpx"))
    assert snapshot(tmp_path / "kopi2")["units"] == before["units"]


def test_round_trip_of_the_codebook(run: Run, analysed: Path, tmp_path: Path) -> None:
    run("export", str(tmp_path / "kodebok.qdc"))
    run("init", str(tmp_path / "ny"), "--language", "nb", "--title", "Ny")
    run("--project", str(tmp_path / "ny"), "import", str(tmp_path / "kodebok.qdc"))
    before, after = snapshot(analysed), snapshot(tmp_path / "ny")
    assert after["codes"] == before["codes"]
    assert [(g[0], g[1]) for g in after["groups"]] == [(g[0], g[1]) for g in before["groups"]]
    assert [s[:3] for s in after["subgroups"]] == [s[:3] for s in before["subgroups"]]


# -- import of real exports --------------------------------------------------------------------

@needs_samples
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_imports_or_is_refused_whole(run: Run, project: Path, sample: Path) -> None:
    before = (project / "stc.db").stat().st_size, snapshot(project)
    if sample.name == "atlasti8-standard-project.qde":  # a .qde without its source files
        result = run("import", str(sample), code=1)
        assert "[E605]" in result.stderr and "Mabel.txt" in result.stderr
        assert snapshot(project) == before[1]
        return
    run("import", str(sample))
    assert "OK" in run("verify").stdout
    codes = json.loads(json.dumps(snapshot(project)["codes"]))
    assert codes


@needs_samples
def test_nvivo_codebook_becomes_groups_and_unique_codes(run: Run, project: Path) -> None:
    result = run("import", str(REFI / "samples" / "nvivo-mac15-codebook-only.qdpx"))
    assert "empty sources: 2" in result.stdout and "codes in deeper tree levels" in result.stdout
    snap = snapshot(project)
    groups = [g[0] for g in snap["groups"]]
    assert groups == ["rq1_definition", "rq2_curriculum_and_instruction", "rq3_process"]
    names = [c[0] for c in snap["codes"]]
    assert "programming" in names and "cs_as_programming::programming" in names
    assert len(names) == len({n.casefold() for n in names})


@needs_samples
def test_atlas_code_groups_written_as_sets_become_code_groups(run: Run, project: Path) -> None:
    run("import", str(REFI / "samples" / "requal-test-atlasti23-codebook.qdc"))
    snap = snapshot(project)
    assert snap["codes"] == [("code1", "code group 1", "description")]


# -- variants real programs write --------------------------------------------------------------

def qdpx(path: Path, qde: str, files: dict[str, bytes], qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _project_xml(namespace: str, sources: str, codes: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{namespace}" name="x">'
            f"<CodeBook><Codes>{codes or _CODES}</Codes></CodeBook>"
            f"<Sources>{sources}</Sources></Project>")


_CODES = '<Code guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Omsorg" isCodable="true"/>'
_GUID = "BBBBBBBB-0000-0000-0000-00000000000{}"


def _selection(n: int, start: int, end: int) -> str:
    return (f'<PlainTextSelection guid="{_GUID.format(n)}" startPosition="{start}"'
            f' endPosition="{end}"><Coding guid="{_GUID.format(n + 5)}"><CodeRef'
            ' targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>')


def _units(root: Path) -> list[tuple[str, str]]:
    project = open_project(root)
    rows = [(doc, get_text(project.conn, t) or "") for doc, t in project.conn.execute(
        "SELECT doc, text FROM units ORDER BY id")]
    project.close()
    return rows


def test_bom_crlf_upper_case_sources_and_another_namespace(run: Run, project: Path) -> None:
    text = "Kari: Hjemmetjenesten kommer 😀 hver dag.\r\nKari: Det gjør meg trygg, ærlig talt.\r\n"
    plain = text.replace("\r\n", "\n")
    first, second = _span(plain, "kommer 😀 hver"), _span(plain, "trygg, ærlig")
    source = (f'<TextSource guid="{_GUID.format(1)}" name="Intervju 1.docx"'
              f' plainTextPath="internal://{_GUID.format(1)}.txt">'
              f"{_selection(2, *first)}{_selection(3, *second)}</TextSource>")
    path = qdpx(project.parent / "a.qdpx", _project_xml("urn:QDA-XML:project:0:10", source),
                {f"Sources/{_GUID.format(1)}.TXT": b"\xef\xbb\xbf" + text.encode("utf-8")})
    run("import", str(path))
    assert _units(project) == [("Intervju_1", "kommer 😀 hver"), ("Intervju_1", "trygg, ærlig")]
    assert "OK" in run("verify").stdout


def test_plain_text_content_instead_of_a_file(run: Run, project: Path) -> None:
    source = (f'<TextSource guid="{_GUID.format(1)}" name="notat">'
              "<PlainTextContent>Første linje.\nAndre linje med å.</PlainTextContent>"
              f"{_selection(2, 14, 32)}</TextSource>")
    path = project.parent / "b.qde"
    path.write_text(_project_xml("urn:QDA-XML:project:1.0", source), encoding="utf-8")
    run("import", str(path))
    assert _units(project) == [("notat", "Andre linje med å.")]


@pytest.mark.parametrize("start,end", [(0, 999), (-1, 3), (5, 5)])
def test_a_selection_outside_its_text_imports_nothing(run: Run, project: Path, start: int,
                                                      end: int) -> None:
    source = (f'<TextSource guid="{_GUID.format(1)}" name="kort">'
              f"<PlainTextContent>Kort tekst.</PlainTextContent>{_selection(2, start, end)}"
              "</TextSource>")
    path = project.parent / "c.qde"
    path.write_text(_project_xml("urn:QDA-XML:project:1.0", source), encoding="utf-8")
    before = snapshot(project)
    assert "[E606]" in run("import", str(path), code=1).stderr
    assert snapshot(project) == before
    assert not list((project / "sources").iterdir())


def test_hostile_archives_are_refused(run: Run, project: Path) -> None:
    source = f'<TextSource guid="{_GUID.format(1)}" name="x"><PlainTextContent>Hei.' \
             "</PlainTextContent></TextSource>"
    climbing = qdpx(project.parent / "d.qdpx", _project_xml(NS, source),
                    {"../../evil.txt": b"boo"})
    assert "[E110]" in run("import", str(climbing), code=1).stderr
    bomb = qdpx(project.parent / "e.qdpx", _project_xml(NS, source),
                {"sources/big.txt": b"a" * (5 * 1024 * 1024)})
    assert "[E110]" in run("import", str(bomb), code=1).stderr
    entity = project.parent / "f.qde"
    entity.write_text('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x "y">]><Project name="&x;"/>')
    assert "[E603]" in run("import", str(entity), code=1).stderr
    broken = project.parent / "g.qdpx"
    broken.write_bytes(b"PK not really")
    assert "[E601]" in run("import", str(broken), code=1).stderr
    no_qde = qdpx(project.parent / "h.qdpx", "<x/>", {}, qde_name="other.xml")
    assert "[E604]" in run("import", str(no_qde), code=1).stderr
    assert snapshot(project)["docs"] == {}


def test_an_unknown_code_and_a_clashing_document_import_nothing(run: Run, project: Path) -> None:
    source = (f'<TextSource guid="{_GUID.format(1)}" name="I1">'
              f"<PlainTextContent>Kari: Hei på deg.</PlainTextContent>{_selection(2, 6, 9)}"
              "</TextSource>")
    unknown = project.parent / "u.qde"
    unknown.write_text(_project_xml(NS, source, codes=_CODES.replace("0001}", "0009}")))
    assert "[E608]" in run("import", str(unknown), code=1).stderr
    good = project.parent / "ok.qde"
    good.write_text(_project_xml(NS, source), encoding="utf-8")
    run("import", str(good))
    assert "[E607]" in run("import", str(good), code=1).stderr
    assert "[E612]" in run("import", str(good), str(good), code=1).stderr




def test_round_trip_of_the_demo_corpus(run: Run, project: Path, tmp_path: Path) -> None:
    """The Norwegian sample corpus, coded and condensed from its matrix, goes out and comes
    back the same: transcripts, segments, turns, units, codes, groups, subgroups, memos."""
    from tests.conftest import CORPORA

    corpus = CORPORA / "nb-hjemmetjeneste"
    run("import", *(str(corpus / n) for n in ("I1.txt", "I2.docx", "I3.vtt", "I4.txt")),
        "--speakers", "I=interviewer")
    run("matrix", "import", str(corpus / "analysis" / "koding.csv"))
    run("matrix", "import", str(corpus / "analysis" / "kondensering.csv"))
    run("memo", "add", "--kind", "preunderstanding", "-m", "Forforståelse: æ, ø, å 🙂")
    run("export", str(tmp_path / "demo.qdpx"))
    run("init", str(tmp_path / "kopi"), "--language", "nb", "--title", "Kopi")
    run("--project", str(tmp_path / "kopi"), "import", str(tmp_path / "demo.qdpx"))
    before, after = snapshot(project), snapshot(tmp_path / "kopi")
    assert before["units"] and before["subgroups"]
    for key in before:
        assert after[key] == before[key], key
    assert "OK" in run("--project", str(tmp_path / "kopi"), "verify").stdout
