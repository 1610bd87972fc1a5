"""Exchange with the programs students and supervisors use: files in the shapes QualCoder,
MAXQDA, NVivo and Taguette write come in without silent loss, stc's own files come back whole,
and what stc writes carries what those programs need (creators, dates, note text as files).

Fixtures are written by hand in the shapes real programs write: one selection per coding, two
coders, undated notes, note text only in files, annotations, cases with variables. The texts
are fictional interviews written for these tests.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from stc import open_project
from tests.conftest import CORPORA, Run, shared_schema, write
from tests.samples import snapshot as full_snapshot
from tests.test_exchange import check_qdpx, snapshot

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return shared_schema("Project-mrt2019.xsd")


def trail(root: Path) -> list[dict[str, Any]]:
    project = open_project(root)
    rows = [{"seq": s, "author": a, "kind": k, "payload": json.loads(p)}
            for s, a, k, p in project.conn.execute(
                "SELECT seq, author, kind, payload FROM trail ORDER BY seq")]
    project.close()
    return rows


def units_json(run: Run, root: Path) -> list[dict[str, Any]]:
    return list(json.loads(run("--project", str(root), "units", "--json").stdout))


# -- a project as QualCoder writes it ------------------------------------------------------------

TEXT = (
    "Intervjuer: Hvordan var det da alarmen kom?\n"
    "Berit: Jeg var redd om natta før. Nå sover jeg bedre, for jeg vet at noen kommer.\n"
    "Intervjuer: Og dagene?\n"
    "Berit: Dagene er lange. Jeg savner praten med de som kom før.\n"
)
KARI, OLA, NOBODY = ("5C94BC9E-DB8C-4F1D-9CD6-E900C7440860", "6D05CDAF-EC9D-4A2E-8DE7-F011D8551971",
                     "7E16DEB0-FDAE-4B3F-9EF8-0122E9662A82")
G = "{:08X}-0000-4000-8000-000000000000".format  # a GUID from a number
SOURCE, JOURNAL, IDEAS, ANNOTATION = G(1), G(2), G(3), G(4)
TRYGGHET, NATT, TRYGG, HVERDAG, SAVN = G(11), G(12), G(13), G(14), G(15)


def _span(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def _selection(n: int, quote: str, code: str, user: str, description: str = "") -> str:
    """One PlainTextSelection per coding, named by the selected text, as QualCoder writes."""
    start, end = _span(quote)
    memo = f"<Description>{description}</Description>" if description else ""
    return (f'<PlainTextSelection guid="{G(100 + n)}" startPosition="{start}"'
            f' endPosition="{end}" name="{quote}" creatingUser="{user}"'
            f' creationDateTime="2025-03-0{n % 9 + 1}T10:00:00Z">{memo}'
            f'<Coding guid="{G(200 + n)}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
            "</Coding></PlainTextSelection>")


def qualcoder_project() -> str:
    night, better = "Jeg var redd om natta før.", "Nå sover jeg bedre, for jeg vet at noen kommer."
    days, miss = "Dagene er lange.", "Jeg savner praten med de som kom før."
    selections = "".join([
        _selection(1, night, NATT, KARI), _selection(2, night, TRYGG, KARI),  # one coder, 2 codes
        _selection(3, night, NATT, OLA),  # the second coder, the same stretch
        _selection(4, better, TRYGG, KARI, "Sterkt utsagn"),
        _selection(5, miss, SAVN, OLA),
    ])
    days_start, days_end = _span(days)
    uncoded = (f'<PlainTextSelection guid="{G(120)}" startPosition="{days_start}"'
               f' endPosition="{days_end}"><Description>Se også I2</Description>'
               "</PlainTextSelection>")  # MAXQDA writes a memo on a stretch so
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Alarmprosjekt" origin="QualCoder 3.6" creatingUserGUID="{KARI}">
<Users><User guid="{KARI}" name="kari"/><User guid="{OLA}" name="ola"/>
<User guid="{NOBODY}" name="default"/></Users>
<CodeBook><Codes>
<Code guid="{TRYGGHET}" name="Trygghet" isCodable="false">
<Description>Om å føle seg trygg</Description>
<Code guid="{NATT}" name="natt" isCodable="true" color="#F1C40F"/>
<Code guid="{TRYGG}" name="trygghet" isCodable="true" color="#5DADE2">
<Description>Å vite at noen kommer</Description></Code>
<Code guid="{HVERDAG}" name="Hverdagen" isCodable="false"><Description>Underkategori</Description>
<Code guid="{SAVN}" name="savn" isCodable="true"/></Code>
</Code></Codes></CodeBook>
<Variables><Variable guid="{G(30)}" name="Alder" typeOfVariable="Text"><Description/></Variable>
<Variable guid="{G(31)}" name="Yrke" typeOfVariable="Text"/></Variables>
<Cases><Case guid="{G(40)}" name="Berit"><Description>Bor alene siden 2019.</Description>
<VariableValue><VariableRef targetGUID="{G(30)}"/><TextValue>80-89</TextValue></VariableValue>
<VariableValue><VariableRef targetGUID="{G(31)}"/><TextValue>pensjonist</TextValue></VariableValue>
<SourceRef targetGUID="{SOURCE}"/></Case></Cases>
<Sources>
<TextSource guid="{SOURCE}" name="Berit.docx" richTextPath="internal://{G(50)}.docx"
 plainTextPath="internal://{G(51)}.txt" creatingUser="{KARI}"
 creationDateTime="2025-03-01T09:00:00Z">
<Description>Intervjuet ble gjort hjemme hos Berit.</Description>
{selections}{uncoded}<NoteRef targetGUID="{ANNOTATION}"/></TextSource>
<PictureSource guid="{G(52)}" name="alarm.png" path="internal://{G(52)}.png"/>
<PDFSource guid="{G(53)}" name="brev.pdf" path="internal://{G(53)}.pdf"/>
<AudioSource guid="{G(54)}" name="intervju.m4a" path="internal://{G(54)}.m4a"/>
</Sources>
<Notes>
<Note guid="{JOURNAL}" name="Refleksjon etter intervjuet" plainTextPath="internal://{JOURNAL}.txt"
 creatingUser="{OLA}" creationDateTime="2025-03-02T20:00:00Z"><Description/></Note>
<Note guid="{IDEAS}" name="Ideer">
<PlainTextContent>Spør om natta i neste intervju.</PlainTextContent></Note>
<Note guid="{ANNOTATION}" creatingUser="{KARI}" creationDateTime="2025-03-02T21:00:00Z">
<PlainTextContent>Stemmen brister her.</PlainTextContent>
<PlainTextSelection guid="{G(121)}" startPosition="{days_start}" endPosition="{days_end}"/></Note>
</Notes>
<Links><Link guid="{G(60)}" originGUID="{JOURNAL}" targetGUID="{SOURCE}"/></Links>
<Sets><Set guid="{G(70)}" name="Eldre"><MemberSource targetGUID="{SOURCE}"/></Set></Sets>
<Graphs><Graph guid="{G(80)}" name="Kart"/></Graphs>
<Description>Prosjekt om trygghetsalarmer i hjemmet.</Description>
</Project>
"""


def qualcoder_qdpx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qualcoder_project())
        # QualCoder writes its text files with a byte-order mark
        archive.writestr(f"sources/{G(51)}.txt", "\ufeff" + TEXT)
        archive.writestr(f"sources/{G(50)}.docx", b"PK not read")
        archive.writestr(f"sources/{JOURNAL}.txt",
                         "\ufeffBerit virket trygg, men sliten.")  # note text only in a file
    return path


LEFT_OUT = {"case descriptions": 1, "users": 1,
            "sub-category descriptions": 1, "codes in deeper tree levels": 1, "code colours": 2,
            "picture sources": 1, "PDF sources": 1, "audio sources": 1, "links": 1,
            "graphs": 1, "document sets": 1, "creation dates": 8, "rich-text files": 1}


def test_a_qualcoder_project_comes_in_one_unit_per_coder_and_stretch(
        run: Run, project: Path, project_schema: xmlschema.XMLSchema) -> None:
    path = qualcoder_qdpx(project.parent / "alarm.qdpx")
    result = run("import", str(path))
    assert "transcripts Berit; 4 meaning units" in result.stdout
    assert "1 case as participants; 2 attribute values" in result.stdout
    # the case is the participant of its transcript, its variables are attributes
    people = json.loads(run("participants", "--json").stdout)
    assert [(p["name"], p["transcripts"], p["attributes"]) for p in people] == [
        ("Berit", ["Berit"], {"Alder": "80-89", "Yrke": "pensjonist"})]
    units = units_json(run, project)
    got = [(u["text"], sorted(u["codes"]), u["note"]) for u in units]
    assert got == [
        ("Jeg var redd om natta før.", ["natt", "trygghet"], None),  # kari: two selections
        ("Jeg var redd om natta før.", ["natt"], None),  # ola: the same stretch, his own unit
        ("Nå sover jeg bedre, for jeg vet at noen kommer.", ["trygghet"], "Sterkt utsagn"),
        ("Jeg savner praten med de som kom før.", ["savn"], None),
    ]
    records = trail(project)
    authors = [r["author"] for r in records if r["kind"] == "unit.add"]
    assert authors == ["kari", "ola", "kari", "ola"]
    first = records[1]  # the import's own record, by the local user who imported
    assert first["kind"] == "exchange.import" and first["author"] == "tester"
    assert first["payload"]["left_out"] == LEFT_OUT
    assert first["payload"]["origin"] == "QualCoder 3.6"
    assert all(r["author"] == "tester" for r in records
               if r["kind"] in ("document.import", "code.add", "group.add"))
    # one summary, by kind and count
    summary = result.stdout.split("Left out (by kind; also recorded in the trail):\n")[1]
    assert [line.split(":")[0].strip() for line in summary.splitlines()] == list(LEFT_OUT)
    for kind, count in LEFT_OUT.items():
        assert f"  {kind}: {count} (" in summary
    assert "OK" in run("verify").stdout
    # and out again: valid, with both coders as users of their selections
    run("export", "tilbake.qdpx")
    check_qdpx(project / "tilbake.qdpx", project_schema)
    root = ET.fromstring(zipfile.ZipFile(project / "tilbake.qdpx").read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    assert [users[s.get("creatingUser")] for s in root.iter(f"{Q}PlainTextSelection")] == [
        "kari", "ola", "kari", "ola"]


def test_a_qualcoder_project_keeps_its_memos_where_they_were(run: Run, project: Path) -> None:
    run("import", str(qualcoder_qdpx(project.parent / "alarm.qdpx")))
    memos = json.loads(run("memos", "--json").stdout)
    by_body = {m["body"].split("\n")[0]: (m["ref"], m["author"]) for m in memos}
    segment = json.loads(run("show", "Berit", "--json").stdout)["segments"]
    days = next(s["n"] for s in segment if s["text"] == "Dagene er lange.")
    assert by_body == {
        "Om å føle seg trygg": ("group:Trygghet", "tester"),
        "Project description": (None, "tester"),
        "Intervjuet ble gjort hjemme hos Berit.": ("Berit", "kari"),
        "Se også I2": (f"Berit:{days}", "tester"),  # a memo on an uncoded stretch
        "Refleksjon etter intervjuet": (None, "ola"),  # note text read from its file
        "Ideer": (None, "tester"),  # an undated note without a creator
        "Stemmen brister her.": (f"Berit:{days}", "kari"),  # an annotation: its segments
    }
    bodies = {m["body"] for m in memos}
    assert "Refleksjon etter intervjuet\n\nBerit virket trygg, men sliten." in bodies
    assert "Project description\n\nProsjekt om trygghetsalarmer i hjemmet." in bodies
    docs = json.loads(run("docs", "--json").stdout)
    assert [(d["id"], d["participant"]) for d in docs] == [("Berit", "Berit")]


def test_a_codings_own_creator_is_the_author_of_its_unit(run: Run, project: Path) -> None:
    """One selection, coded by two people (each Coding names its creatingUser): a unit each."""
    start, end = _span("Dagene er lange.")
    codings = "".join(f'<Coding guid="{G(210 + n)}" creatingUser="{user}">'
                      f'<CodeRef targetGUID="{code}"/></Coding>'
                      for n, (user, code) in enumerate(((KARI, NATT), (OLA, SAVN))))
    path = project.parent / "to.qde"
    path.write_text(
        f'<Project xmlns="{NS}" name="x"><Users><User guid="{KARI}" name="kari"/>'
        f'<User guid="{OLA}" name="ola"/></Users><CodeBook><Codes>'
        f'<Code guid="{NATT}" name="natt" isCodable="true"/>'
        f'<Code guid="{SAVN}" name="savn" isCodable="true"/></Codes></CodeBook><Sources>'
        f'<TextSource guid="{SOURCE}" name="Berit"><PlainTextContent>{TEXT}</PlainTextContent>'
        f'<PlainTextSelection guid="{G(130)}" startPosition="{start}" endPosition="{end}"'
        f' creatingUser="{KARI}">{codings}</PlainTextSelection></TextSource></Sources></Project>',
        encoding="utf-8")
    run("import", str(path))
    assert [(u["text"], u["codes"]) for u in units_json(run, project)] == [
        ("Dagene er lange.", ["natt"]), ("Dagene er lange.", ["savn"])]
    assert [r["author"] for r in trail(project) if r["kind"] == "unit.add"] == ["kari", "ola"]


def test_nothing_left_out_says_so(run: Run, project: Path) -> None:
    source = (f'<TextSource guid="{SOURCE}" name="kort"><PlainTextContent>Berit: Hei.'
              "</PlainTextContent></TextSource>")
    path = project.parent / "kort.qde"
    path.write_text(f'<Project xmlns="{NS}" name="x"><Sources>{source}</Sources></Project>',
                    encoding="utf-8")
    result = run("import", str(path))
    assert "Nothing left out." in result.stdout
    assert trail(project)[1]["payload"]["left_out"] == {}


# -- what stc writes, for the programs that read it ----------------------------------------------

def _build_demo(run: Run, root: Path) -> None:
    """The Norwegian sample corpus analysed through the commands, with what REFI-QDA has no
    place for: a research question, themes, set-aside units, quotations with cuts, headings."""
    corpus = CORPORA / "nb-hjemmetjeneste"
    run("init", str(root), "--language", "nb", "--title", "Hjemmetjenesten",
        "--question", "Hvordan erfarer ansatte velferdsteknologi?")
    at = ("--project", str(root))
    run(*at, "import", *(str(corpus / n) for n in ("I1.txt", "I2.docx", "I3.vtt", "I4.txt")),
        "--speakers", "I=interviewer")
    for theme in ("Frigjort tid", "Nærhet og relasjon", "Trygghet og risiko"):
        run(*at, "theme", "add", theme)
    run(*at, "memo", "add", "--kind", "preunderstanding", "-m", "Forforståelse: æ, ø, å 🙂")
    run(*at, "memo", "add", "--on", "I1", "-m", "Kari er positiv.", "--author", "Veileder Ola")
    run(*at, "matrix", "import", str(corpus / "analysis" / "koding.csv"))
    run(*at, "matrix", "import", str(corpus / "analysis" / "kondensering.csv"))
    run(*at, "rename", "group", "Nærhet og relasjon", "Nærhet når besøkene blir færre")
    units = units_json(run, root)
    loose = [u for u in units if u["subgroup"] is None]
    run(*at, "set-aside", loose[0]["unit"], "--why", "Handler om intervjuerens egen erfaring")
    words = units[2]["text"].split()
    run(*at, "nugget", units[2]["unit"], "--quote",
        f"{' '.join(words[:3])} … {' '.join(words[-3:])}")


def test_every_note_and_source_names_its_creator_and_has_a_text_file(
        run: Run, tmp_path: Path, project_schema: xmlschema.XMLSchema) -> None:
    _build_demo(run, tmp_path / "demo")
    run("--project", str(tmp_path / "demo"), "export", str(tmp_path / "demo.qdpx"))
    check_qdpx(tmp_path / "demo.qdpx", project_schema)
    archive = zipfile.ZipFile(tmp_path / "demo.qdpx")
    root = ET.fromstring(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    notes = list(root.iter(f"{Q}Note"))
    for element in [*notes, *root.iter(f"{Q}TextSource"), *root.iter(f"{Q}PlainTextSelection")]:
        assert element.get("creatingUser") in users, element.attrib
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z",
                            element.get("creationDateTime") or ""), element.attrib
    names = [n.get("name", "") for n in notes]
    assert len(names) == len(set(names))  # QualCoder refuses a journal name twice
    texts = {}
    for note in notes:  # the text in a file, never also inline (the specification: not both)
        guid = note.get("guid")
        assert note.get("plainTextPath") == f"internal://{guid}.txt"
        assert note.find(f"{Q}PlainTextContent") is None
        data = archive.read(f"sources/{guid}.txt")
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        texts[note.get("name")] = (data.decode("utf-8"), users[note.get("creatingUser")])
    assert texts["M1 preunderstanding"] == ("Forforståelse: æ, ø, å 🙂", "tester")
    memo_on_i1 = next(n for n in notes if n.get("name", "").endswith("on I1"))
    assert texts[memo_on_i1.get("name")] == ("Kari er positiv.", "Veileder Ola")
    i1 = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "I1")
    assert memo_on_i1.get("guid") in [r.get("targetGUID") for r in i1.findall(f"{Q}NoteRef")]
    kinds = {name.split(":")[0] for name in names if ":" in name}
    assert kinds == {"Condensate", "Analytic text", "Illustrative quotation", "Set aside",
                     "Preliminary theme"}
    sets = {s.get("name"): len(s.findall(f"{Q}MemberNote")) for s in root.iter(f"{Q}Set")}
    assert sets["stc preliminary themes"] == 3 and sets["stc set-aside units"] == 1


def test_our_own_file_comes_back_whole(run: Run, tmp_path: Path) -> None:
    before, after = tmp_path / "demo", tmp_path / "kopi"
    _build_demo(run, before)
    run("--project", str(before), "validate", "Nærhet når besøkene blir færre",
        "-m", "Leste alle fire intervjuene på nytt; beskrivelsen holder.")
    run("--project", str(before), "export", str(tmp_path / "demo.qdpx"))
    run("init", str(after), "--language", "nb", "--title", "Hjemmetjenesten")
    result = run("--project", str(after), "import", str(tmp_path / "demo.qdpx"))
    assert "3 preliminary themes" in result.stdout
    for command in ("units", "subgroups", "codes", "themes"):
        old = run("--project", str(before), command, "--json").stdout
        assert run("--project", str(after), command, "--json").stdout == old, command
    units = units_json(run, after)
    assert sum(1 for u in units if u["aside"]) == 1 and sum(1 for u in units if u["nugget"]) > 1
    assert snapshot(after) == snapshot(before)
    memos = [[(m["kind"], m["ref"], m["body"], m["author"])
              for m in json.loads(run("--project", str(root), "memos", "--json").stdout)]
             for root in (before, after)]
    assert memos[0] == memos[1] and ("validation", "group:Nærhet når besøkene blir færre") \
        in [m[:2] for m in memos[1]]  # the category stays validated
    for root in (before, after):
        run("--project", str(root), "report", "results", "--format", "md")
    reports = [(root / "reports" / "results.md").read_text(encoding="utf-8").splitlines()[:-1]
               for root in (before, after)]  # the last line names the trail's own state
    assert reports[0] == reports[1]
    assert "Hvordan erfarer ansatte velferdsteknologi?" in open_project(after).conn.execute(
        "SELECT value FROM project WHERE key = 'question'").fetchone()[0]
    for kind in ("unit.add", "memo.add"):  # coders and memo writers keep their names
        old_authors = [r["author"] for r in trail(before) if r["kind"] == kind]
        assert [r["author"] for r in trail(after) if r["kind"] == kind] == old_authors
    assert "Veileder Ola" in old_authors


# -- stc -> QualCoder -> stc -------------------------------------------------------------------

def as_qualcoder(source: Path, target: Path) -> None:
    """An stc export rewritten the way QualCoder writes a project it imported: one selection
    per coding, named by its text; no sets; its own origin."""
    archive = zipfile.ZipFile(source)
    ET.register_namespace("", NS)
    root = ET.fromstring(archive.read("project.qde"))
    root.set("origin", "QualCoder 3.6")
    plains = {s.get("guid"): archive.read(f"sources/{s.get('guid')}.txt").decode("utf-8")
              for s in root.iter(f"{Q}TextSource")}
    numbers = itertools.count(9000)
    for text_source in root.iter(f"{Q}TextSource"):
        plain = plains[text_source.get("guid")]
        for selection in text_source.findall(f"{Q}PlainTextSelection"):
            at = list(text_source).index(selection)
            text_source.remove(selection)
            for n, coding in enumerate(selection.findall(f"{Q}Coding")):
                copy = ET.Element(f"{Q}PlainTextSelection", dict(selection.attrib))
                copy.set("guid", G(next(numbers)))
                start, end = int(copy.get("startPosition", 0)), int(copy.get("endPosition", 0))
                copy.set("name", plain[start:end])
                copy.append(coding)
                text_source.insert(at + n, copy)
    for sets in root.findall(f"{Q}Sets"):
        root.remove(sets)
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for name in archive.namelist():
            if name.startswith("sources/"):
                out.writestr(name, b"\xef\xbb\xbf" + archive.read(name))


def test_a_round_trip_through_qualcoder_keeps_the_number_of_units(
        run: Run, tmp_path: Path) -> None:
    _build_demo(run, tmp_path / "demo")
    run("--project", str(tmp_path / "demo"), "export", str(tmp_path / "demo.qdpx"))
    as_qualcoder(tmp_path / "demo.qdpx", tmp_path / "qualcoder.qdpx")
    shape = ET.fromstring(zipfile.ZipFile(tmp_path / "qualcoder.qdpx").read("project.qde"))
    before = units_json(run, tmp_path / "demo")
    assert len(list(shape.iter(f"{Q}PlainTextSelection"))) > len(before)  # really split
    run("init", str(tmp_path / "kopi"), "--language", "nb", "--title", "Kopi")
    run("--project", str(tmp_path / "kopi"), "import", str(tmp_path / "qualcoder.qdpx"))
    after = units_json(run, tmp_path / "kopi")
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert (new["doc"], new["text"]) == (old["doc"], old["text"])
        # a subgroup comes back as a code of its group: other programs have no subgroups
        expected = set(old["codes"]) | ({old["subgroup"]} if old["subgroup"] else set())
        assert {c.split("::")[-1] for c in new["codes"]} == expected
    prevalence = json.loads(run("--project", str(tmp_path / "kopi"), "codes", "--json").stdout)
    original = json.loads(run("--project", str(tmp_path / "demo"), "codes", "--json").stdout)
    counts = {c["name"]: c["units"] for g in prevalence for c in g["codes"]}
    assert all(counts[c["name"]] == c["units"] for g in original for c in g["codes"])


# -- Taguette ------------------------------------------------------------------------------------

def taguette_rows(data: bytes) -> list[dict[str, str]]:
    """The rows as Taguette's codebook importer reads them: the header lower-cased, the tag
    from the one column named tag, name or path, description and parent when present."""
    import csv

    table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header = [cell.lower() for cell in table[0]]
    assert sum(c in header for c in ("tag", "name", "path")) == 1
    return [{"tag": row[header.index("tag")].strip(),
             "description": row[header.index("description")].strip(),
             "parent": row[header.index("parent")].strip()} for row in table[1:] if any(row)]


def test_codebook_csv_for_taguette(run: Run, tmp_path: Path) -> None:
    _build_demo(run, tmp_path / "demo")
    at = ("--project", str(tmp_path / "demo"))
    result = run(*at, "export", str(tmp_path / "codebook.csv"))
    assert "not included: 7 subgroups" in result.stdout
    assert "not included: 2 code groups without codes" in result.stdout
    data = (tmp_path / "codebook.csv").read_bytes()
    assert data.startswith(b"tag,parent,description,number of highlights\n")
    rows = taguette_rows(data)
    tree = json.loads(run(*at, "codes", "--json").stdout)
    groups = [g["name"] for g in tree if g["codes"]]
    assert [r["tag"] for r in rows if not r["parent"]] == groups
    assert {(r["tag"], r["parent"]) for r in rows if r["parent"]} == {
        (c["name"], g["name"]) for g in tree for c in g["codes"]}
    # and back: a new project gets the same code tree and definitions
    run("init", str(tmp_path / "ny"), "--language", "nb", "--title", "Ny")
    imported = run("--project", str(tmp_path / "ny"), "import", str(tmp_path / "codebook.csv"))
    assert f"{len(groups)} new code groups" in imported.stdout
    new = snapshot(tmp_path / "ny")
    assert new["codes"] == snapshot(tmp_path / "demo")["codes"]
    assert trail(tmp_path / "ny")[1]["payload"]["format"] == "Taguette codebook (CSV)"


@pytest.mark.parametrize("header,rows", [
    ("tag,description,number of highlights",  # what Taguette 1.x exports
     ["natt,Redd om natta,3", "trygghet,,1", "\"savn, sorg\",\"Om å savne, og sørge\",0"]),
    ("tag,parent,description,number of highlights",  # Taguette with nested tags
     ["Trygghet,,,0", "natt,Trygghet,Redd om natta,3", "trygghet,Trygghet,,1",
      "\"savn, sorg\",Hverdag,\"Om å savne, og sørge\",0"]),
])
def test_a_taguette_codebook_csv_comes_in(run: Run, project: Path, header: str,
                                          rows: list[str]) -> None:
    write(project / "codebook.csv", "\r\n".join([header, *rows, ""]))
    run("import", "codebook.csv")
    codes = snapshot(project)["codes"]
    grouped = "parent" in header
    assert codes == sorted([
        ("natt", "Trygghet" if grouped else None, "Redd om natta"),
        ("savn, sorg", "Hverdag" if grouped else None, "Om å savne, og sørge"),
        ("trygghet", "Trygghet" if grouped else None, None)])


@pytest.mark.parametrize("content,code", [
    ("kode,beskrivelse\nnatt,Redd\n", "E650"),  # no tag column
    ("tag,name\nnatt,natt\n", "E650"),  # two: Taguette cannot tell either
    ("tag,description\nnatt,Redd\n,tom\n", "E651"),  # a row without its tag
])
def test_a_csv_that_is_no_codebook_is_refused_whole(run: Run, project: Path, content: str,
                                                     code: str) -> None:
    write(project / "feil.csv", content)
    before = full_snapshot(run, project)
    result = run("import", "feil.csv", code=1)
    assert result.stderr.count("Error:") == 1 and f"[{code}]" in result.stderr
    assert "feil.csv" in result.stderr
    assert full_snapshot(run, project) == before


def test_a_taguette_qdc_with_an_empty_set_list_comes_in_with_a_note(
        run: Run, project: Path) -> None:
    qdc = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"'
           ' origin="Taguette 1.4.1"><Codes>'
           '<Code guid="1F3E2D4C-5B6A-5798-8A9B-0C1D2E3F4A5B" name="natt" isCodable="true"/>'
           '<Code guid="2F3E2D4C-5B6A-5798-8A9B-0C1D2E3F4A5B" name="trygghet" isCodable="true"/>'
           "</Codes><Sets/></CodeBook>")
    write(project / "taguette.qdc", qdc)
    result = run("import", "taguette.qdc")
    assert "Note: the file has an empty <Sets/>" in result.stdout
    assert [c[0] for c in snapshot(project)["codes"]] == ["natt", "trygghet"]


def test_a_tag_named_like_its_parent_and_a_circle_of_parents(run: Run, project: Path) -> None:
    """stc may name a code like its group; a file may name parents in a circle. Neither
    breaks the tree: the first is a code in its group, the second two codes on their own."""
    write(project / "codebook.csv", "tag,parent,description\nNatt,,\nNatt,Natt,Om natta\n"
                                    "a,b,\nb,a,\n")
    run("import", "codebook.csv")
    assert snapshot(project)["codes"] == [("Natt", "Natt", "Om natta"), ("a", None, None),
                                          ("b", None, None)]
