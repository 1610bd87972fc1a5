"""Participants as objects: labels mapped across transcripts, names, attributes, comparisons by
attribute, focus-group wording and attribution, REFI-QDA cases, names kept out of the trail,
and projects from before participants were objects.

The focus group here is written for these tests: four home-care workers (Anne, Berit, Cecilie,
Dag) and a moderator, meeting twice (Cecilie is missing at the second meeting). Every turn is
one sentence, so segment N is line N, and the prevalence below can be counted by hand.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from stc import store
from stc.trail import canonical, record_hash
from tests.conftest import SHARED, Run, write
from tests.samples import snapshot

FG1 = """Moderator: Hva tenker dere om dispenseren?
Anne: Den piper hele tiden.
Berit: Jeg synes den gir ro.
Cecilie: Den piper om natta.
Dag: Brukerne liker den.
Moderator: Og opplæringen?
Anne: Opplæringen var for kort.
Dag: Vi lærte av hverandre.
"""
FG2 = """Moderator: Hvordan er det nå?
Anne: Nå piper den sjeldnere.
Berit: Den gir fortsatt ro.
Dag: Opplæringen kom til slutt.
"""
TABLE = """participant,yrke,ansiennitet,score,start
Anne,sykepleier,12,"18,5",2024-01-15
Berit,helsefagarbeider,3,25,2024-02-01
Cecilie,sykepleier,25,30,2023-11-20
Dag,assistent,1,12,2024-03-01
"""


def people(run: Run) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in json.loads(run("participants", "--json").stdout)}


def focus_group(run: Run, project: Path) -> None:
    """Two meetings, imported, each with its time point; nine units in three code groups."""
    write(project / "FG1.txt", FG1)
    write(project / "FG2.txt", FG2)
    run("import", "FG1.txt", "FG2.txt")
    run("doc", "set", "FG1", "tidspunkt=T1")
    run("doc", "set", "FG2", "tidspunkt=T2")
    for ref, code in (("FG1:2", "piping"), ("FG1:4", "piping"), ("FG2:2", "piping"),
                      ("FG1:3", "ro"), ("FG2:3", "ro"),
                      ("FG1:7", "opplæring"), ("FG1:8", "opplæring"), ("FG2:4", "opplæring")):
        run("code", ref, code)
    run("group", "piping", "--into", "Lyd")
    run("group", "ro", "--into", "Trygghet")
    run("group", "opplæring", "--into", "Opplæring")


# -- the model: labels, participants, names ------------------------------------------------------

def test_a_member_at_two_meetings_is_one_participant(run: Run, project: Path) -> None:
    write(project / "FG1.txt", FG1)
    write(project / "FG2.txt", FG2)
    out = run("import", "FG1.txt", "FG2.txt").stdout
    assert "participants Anne (P1, new), Berit (P2, new), Cecilie (P3, new), Dag (P4, new)" \
        in out
    assert "participants Anne (P1), Berit (P2), Dag (P4)" in out  # the second meeting
    found = people(run)
    assert {n: (p["id"], p["transcripts"], p["turns"]) for n, p in found.items()} == {
        "Anne": ("P1", ["FG1", "FG2"], 3), "Berit": ("P2", ["FG1", "FG2"], 2),
        "Cecilie": ("P3", ["FG1"], 1), "Dag": ("P4", ["FG1", "FG2"], 3)}
    assert found["Anne"]["words"] == 4 + 4 + 4  # her three sentences
    # the moderator is a role, never a participant
    assert "Moderator" not in found
    docs = run("docs").stdout
    assert "4 participants (P1, P2, P3, P4)" in docs and "3 participants (P1, P2, P4)" in docs
    run("verify")


def test_a_renamed_member_keeps_her_label_at_the_next_meeting(run: Run, project: Path) -> None:
    write(project / "FG1.txt", FG1)
    run("import", "FG1.txt")
    run("participant", "rename", "Anne", "Deltaker 1")
    write(project / "FG2.txt", FG2)
    out = run("import", "FG2.txt").stdout
    assert "Deltaker 1 (P1)" in out and "new" not in out.split("participants")[1]
    assert people(run)["Deltaker 1"]["transcripts"] == ["FG1", "FG2"]


def test_an_interview_names_its_participant_and_says_how_to_change_it(run: Run,
                                                                      project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    out = run("import", "I1.txt").stdout
    assert "participant I1 (P1, new); name it with --participant or" \
           " `stc participant rename P1 NAME`" in out
    write(project / "I2.txt", "I: Og nå?\nKari: Bedre.\n")
    out = run("import", "I2.txt", "--participant", "i1").stdout  # found by name
    assert "participant I1 (P1)\n" in out
    run("participant", "rename", "P1", "Kari")
    assert people(run)["Kari"]["transcripts"] == ["I1", "I2"]
    assert "Kari (P1)" in run("docs").stdout
    write(project / "I3.txt", "I: Hei.\nOla: Hei.\n")
    assert "participant Kari (P1)\n" in run("import", "I3.txt", "--participant", "P1").stdout
    write(project / "I4.txt", "I: Hei igjen.\nOla: Hei.\n")
    assert "[E800]" in run("import", "I4.txt", "--participant", "P9", code=1).stderr


def test_a_rename_shows_in_every_listing_prevalence_report_and_matrix(run: Run,
                                                                      project: Path) -> None:
    focus_group(run, project)
    run("participant", "rename", "Anne", "Deltaker A", "--why", "pseudonymer")
    assert "Deltaker A" in run("units", "--json").stdout
    lyd = json.loads(run("prevalence", "--json").stdout)[0]
    assert lyd["names"] == ["Cecilie", "Deltaker A"]
    run("report", "matrix", "--format", "csv")
    matrix = (project / "reports" / "matrix.csv").read_text(encoding="utf-8")
    assert "\nDeltaker A," in matrix and "Anne" not in matrix
    run("report", "audit")
    audit = (project / "reports" / "audit.html").read_text(encoding="utf-8")
    assert "Deltaker A" in audit and ">Anne<" not in audit
    # the old name, the new name and a name that reads as an id are refused
    assert "[E804]" in run("participant", "rename", "P1", "Deltaker A", code=1).stderr
    assert "[E802]" in run("participant", "rename", "P1", "berit", code=1).stderr
    assert "[E803]" in run("participant", "rename", "P1", "P7", code=1).stderr
    assert "[E800]" in run("participant", "rename", "Nobody", "X", code=1).stderr
    log = json.loads(run("log", "--json").stdout)
    rename = next(r for r in log if r["kind"] == "participant.rename")
    assert rename["label"] == "stc participant rename … … --why …"
    # P1's life: made by the import of the first meeting, renamed
    life = json.loads(run("log", "--on", "P1", "--json").stdout)
    assert [r["kind"] for r in life][:2] == ["document.import", "document.import"]
    assert life[-1]["kind"] == "participant.rename"
    run("verify")


def test_a_label_maps_to_another_participant_a_new_one_or_a_role(run: Run,
                                                                 project: Path) -> None:
    focus_group(run, project)
    out = run("participant", "map", "FG2", "Anne=new").stdout
    assert out.startswith("FG2: Anne -> Anne (FG2) (P5, new)")
    found = people(run)
    assert found["Anne"]["transcripts"] == ["FG1"]
    assert found["Anne (FG2)"]["transcripts"] == ["FG2"]
    lyd = json.loads(run("prevalence", "--json").stdout)[0]
    assert (lyd["participants"], lyd["total"]) == (3, 5)  # Anne at T2 now counts on her own
    run("undo")
    assert json.loads(run("prevalence", "--json").stdout)[0]["total"] == 4
    run("participant", "map", "FG1", "Dag=interviewer")
    assert people(run)["Dag"]["transcripts"] == ["FG2"]
    run("participant", "map", "FG1", "dag=P4")  # labels are matched case-insensitively
    assert people(run)["Dag"]["transcripts"] == ["FG1", "FG2"]
    before = snapshot(run, project)
    assert "[E806]" in run("participant", "map", "FG1", "Dag=Dag", code=1).stderr
    assert "[E805]" in run("participant", "map", "FG1", "Erik=P1", code=1).stderr
    assert "[E800]" in run("participant", "map", "FG1", "Dag=P42", code=1).stderr
    assert "[E807]" in run("participant", "map", "FG1", "Dag", code=1).stderr
    assert snapshot(run, project) == before
    run("verify")


def test_a_corrected_transcript_keeps_its_labels_participants(run: Run, project: Path) -> None:
    focus_group(run, project)
    run("participant", "rename", "Berit", "Deltaker B")
    write(project / "FG2b.txt", FG2.replace("fortsatt ro", "fortsatt god ro")
          + "Erik: Jeg kom i dag.\n")
    run("import", "--replace", "FG2", "FG2b.txt", "--why", "rettet")
    found = people(run)
    assert found["Deltaker B"]["transcripts"] == ["FG1", "FG2"]
    assert found["Erik"]["transcripts"] == ["FG2"]
    run("verify")


# -- names stay out of the trail -----------------------------------------------------------------

def test_names_labels_and_file_names_are_kept_only_by_hash(run: Run, project: Path) -> None:
    write(project / "intervju-kari-nordmann.txt",
          "I: Hvordan går det?\nKari Nordmann: Det går bra.\n")
    run("import", "intervju-kari-nordmann.txt", "--id", "I1", "--participant", "Kari Nordmann")
    write(project / "gruppe-solbakken.txt", FG1)
    run("import", "gruppe-solbakken.txt", "--id", "FG1")
    run("participant", "rename", "Kari Nordmann", "Karianne Nordmann")
    run("participant", "set", "Anne", "yrke=sykepleier", "bosted=Solbakken")
    write(project / "deltakere.csv", "participant,arbeidssted\nBerit,Solbakken sykehjem\n")
    run("participants", "import", "deltakere.csv")
    run("doc", "set", "FG1", "sted=Solbakken")
    run("participant", "map", "FG1", "Cecilie=new")
    secrets = ["Kari", "Nordmann", "intervju", "solbakken", "Anne", "Berit", "Cecilie",
               "Moderator", "sykepleier", "deltakere.csv"]
    conn = sqlite3.connect(project / "stc.db")
    trail = [" ".join(str(v) for v in row if v is not None) for row in
             conn.execute("SELECT payload, label, why FROM trail")]
    state = [repr(tuple(row)) for table in ("documents", "turns", "speakers", "participants",
                                            "attributes", "project")
             for row in conn.execute(f"SELECT * FROM {table}")]
    conn.close()
    for secret in secrets:
        assert not [t for t in trail if secret.casefold() in t.casefold()], secret
        assert not [s for s in state if secret.casefold() in s.casefold()], secret
    # yet every command shows them
    assert people(run)["Karianne Nordmann"]["transcripts"] == ["I1"]
    assert "intervju-kari-nordmann.txt" in run("docs").stdout
    assert "Kari Nordmann [participant]" in run("show", "I1").stdout
    run("verify")


def test_erasing_a_participants_last_transcript_erases_her_name_and_values(
        run: Run, project: Path) -> None:
    write(project / "intervju-kari.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "intervju-kari.txt", "--id", "I1", "--participant", "Kari Nordmann")
    run("participant", "set", "Kari Nordmann", "bosted=Solbakken", "yrke=sykepleier")
    write(project / "I2.txt", "I: Og du?\nOla: Fint.\n")
    run("import", "I2.txt", "--participant", "Ola")
    run("participant", "set", "Ola", "yrke=sykepleier")
    run("erase", "I1", "--why", "samtykke trukket", "--yes")
    conn = sqlite3.connect(project / "stc.db")
    bodies = " ".join(r[0] for r in conn.execute("SELECT body FROM texts"))
    conn.close()
    for gone in ("Kari", "Solbakken", "intervju-kari"):
        assert gone not in bodies
    assert "sykepleier" in bodies and "Ola" in bodies  # still Ola's
    found = {p["id"]: (p["name"], p["attributes"]) for p in
             json.loads(run("participants", "--json").stdout)}
    assert found == {"P1": ("[erased]", {}), "P2": ("Ola", {"yrke": "sykepleier"})}
    assert run("verify").stdout.startswith("OK")


# -- attributes ----------------------------------------------------------------------------------

def test_a_participants_table_gives_typed_attributes(run: Run, project: Path) -> None:
    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    out = run("participants", "import", "deltakere.csv").stdout
    assert "  P1 yrke: (none) → sykepleier" in out and "16 values changed" in out
    anne = people(run)["Anne"]["attributes"]
    assert anne == {"ansiennitet": 12, "score": 18.5, "start": "2024-01-15",
                    "yrke": "sykepleier"}
    assert "yrke=sykepleier" in run("participants").stdout
    # the same table again changes nothing; a changed table records the difference
    assert "0 values changed, 16 unchanged; nothing recorded" in \
        run("participants", "import", "deltakere.csv").stdout
    write(project / "deltakere.csv", TABLE.replace("Dag,assistent,1,12,2024-03-01",
                                                   "P4,helsefagarbeider,2,,2024-03-01"))
    out = run("participants", "import", "deltakere.csv").stdout
    assert out.splitlines()[:3] == ["  P4 yrke: assistent → helsefagarbeider",
                                    "  P4 ansiennitet: 1 → 2",
                                    "  P4 score: 12 → (removed)"]
    log = json.loads(run("log", "--json").stdout)
    assert [r["summary"] for r in log[-3:]] == ["P4: yrke set", "P4: ansiennitet set",
                                                "P4: score cleared"]
    run("verify")


def test_a_participants_table_may_be_a_spreadsheet(run: Run, project: Path) -> None:
    import datetime

    import openpyxl

    focus_group(run, project)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["deltaker", "yrke", "score", "start"])
    sheet.append(["Anne", "sykepleier", 18.5, datetime.datetime(2024, 1, 15)])
    sheet.append(["P2", "helsefagarbeider", 25, datetime.datetime(2024, 2, 1)])
    book.save(project / "deltakere.xlsx")
    run("participants", "import", "deltakere.xlsx")
    found = people(run)
    assert found["Anne"]["attributes"] == {"score": 18.5, "start": "2024-01-15",
                                           "yrke": "sykepleier"}
    assert found["Berit"]["attributes"]["score"] == 25


BAD_TABLES = {
    "unknown participant": (TABLE + "Erik,lege,5,10,2024-01-01\n", "row 6: no participant"),
    "twice": (TABLE + "P1,lege,5,10,2024-01-01\n", "row 6: P1 is also in row 2"),
    "word in numbers": (TABLE.replace("Dag,assistent,1,12", "Dag,assistent,1,høy"), None),
}


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_a_bad_row_refuses_the_whole_table(run: Run, project: Path, name: str) -> None:
    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    run("participants", "import", "deltakere.csv")
    text, reason = BAD_TABLES[name]
    write(project / "ny.csv", text.replace("sykepleier", "vernepleier"))
    before = snapshot(run, project)
    err = run("participants", "import", "ny.csv", code=1).stderr
    assert "[E813]" in err and "nothing applied" in err
    # a column of numbers in the project takes no word
    assert (reason or "row 5: score holds numbers; 'høy' is not one") in err
    assert snapshot(run, project) == before


def test_set_and_doc_set_type_their_values(run: Run, project: Path) -> None:
    focus_group(run, project)
    assert "P1 score: (none) → 18.5" in run("participant", "set", "Anne", "score=18,5").stdout
    before = snapshot(run, project)
    assert "[E811]" in run("participant", "set", "Berit", "score=høy", code=1).stderr
    assert "[E810]" in run("participant", "set", "Berit", "score", code=1).stderr
    assert "[E800]" in run("participant", "set", "Erik", "score=3", code=1).stderr
    assert "[E202]" in run("doc", "set", "FG9", "tidspunkt=T3", code=1).stderr
    assert snapshot(run, project) == before
    run("participant", "set", "P1", "score=")
    assert people(run)["Anne"]["attributes"] == {}
    docs = {d["id"]: d["attributes"] for d in json.loads(run("docs", "--json").stdout)}
    assert docs == {"FG1": {"tidspunkt": "T1"}, "FG2": {"tidspunkt": "T2"}}
    run("doc", "set", "FG1", "dato=2025-03-01")
    assert "dato=2025-03-01  tidspunkt=T1" in run("docs").stdout
    run("verify")


# -- comparisons ---------------------------------------------------------------------------------

def by(run: Run, *args: str) -> dict[str, Any]:
    table: dict[str, Any] = json.loads(run("prevalence", "--by", *args, "--json").stdout)
    return table


def cells(table: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(category or subcategory, value) -> (units, participants, of whom)."""
    values = [c["value"] for c in table["columns"]]
    return {(r["subgroup"] or r["group"], v): (c["units"], c["participants"], c["total"])
            for r in table["rows"] for v, c in zip(values, r["cells"], strict=True)}


def test_prevalence_by_time_point_counts_as_by_hand(run: Run, project: Path) -> None:
    focus_group(run, project)
    table = by(run, "tidspunkt")
    assert [(c["value"], c["participants"]) for c in table["columns"]] == [("T1", 4), ("T2", 3)]
    assert cells(table) == {
        ("Lyd", "T1"): (2, 2, 4), ("Lyd", "T2"): (1, 1, 3),
        ("Trygghet", "T1"): (1, 1, 4), ("Trygghet", "T2"): (1, 1, 3),
        ("Opplæring", "T1"): (2, 2, 4), ("Opplæring", "T2"): (1, 1, 3)}
    out = run("prevalence", "--by", "tidspunkt")
    assert "tidspunkt = T2  (3 participants)" in out.stdout
    assert "Lyd" in out.stdout and "1/3  en av deltakerne" in out.stdout
    assert "på tvers av to gruppemøter" in out.stdout  # the wording says how it counts
    assert out.stderr == ""  # time points name no one: nothing to warn about


def test_prevalence_by_participant_attribute_and_bands(run: Run, project: Path) -> None:
    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    run("participants", "import", "deltakere.csv")
    assert cells(by(run, "yrke")) == {
        ("Lyd", "assistent"): (0, 0, 1), ("Lyd", "helsefagarbeider"): (0, 0, 1),
        ("Lyd", "sykepleier"): (3, 2, 2),
        ("Trygghet", "assistent"): (0, 0, 1), ("Trygghet", "helsefagarbeider"): (2, 1, 1),
        ("Trygghet", "sykepleier"): (0, 0, 2),
        ("Opplæring", "assistent"): (2, 1, 1), ("Opplæring", "helsefagarbeider"): (0, 0, 1),
        ("Opplæring", "sykepleier"): (1, 1, 2)}
    assert cells(by(run, "score=0-20,20-40")) == {
        ("Lyd", "0-20"): (2, 1, 2), ("Lyd", "20-40"): (1, 1, 2),
        ("Trygghet", "0-20"): (0, 0, 2), ("Trygghet", "20-40"): (2, 1, 2),
        ("Opplæring", "0-20"): (3, 2, 2), ("Opplæring", "20-40"): (0, 0, 2)}
    # a band holds its start, not its end; the last band holds its end too
    run("participant", "set", "Dag", "score=20")
    run("participant", "set", "Cecilie", "score=40")
    assert cells(by(run, "score=0-20,20-40")) == {
        ("Lyd", "0-20"): (2, 1, 1), ("Lyd", "20-40"): (1, 1, 3),
        ("Trygghet", "0-20"): (0, 0, 1), ("Trygghet", "20-40"): (2, 1, 3),
        ("Opplæring", "0-20"): (1, 1, 1), ("Opplæring", "20-40"): (2, 1, 3)}
    run("participant", "set", "Dag", "score=12")
    run("participant", "set", "Cecilie", "score=30")
    # the analyst sees the real counts, and is warned that reports hide the small ones
    out = run("prevalence", "--by", "yrke")
    assert "sykepleier  (2 participants *)" in out.stdout
    assert "Warning: counts marked * are of fewer than 3 participants" in out.stderr
    assert "[E814]" in run("prevalence", "--by", "alder", code=1).stderr
    assert "[E815]" in run("prevalence", "--by", "score=20-10", code=1).stderr
    assert "[E816]" in run("prevalence", "--by", "yrke=0-20", code=1).stderr


def test_reports_hide_small_cells_of_participant_attributes(run: Run, project: Path) -> None:
    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    run("participants", "import", "deltakere.csv")
    run("config", "set", "by", "yrke")
    run("report", "results", "--format", "md")
    chapter = (project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "**Utbredelse etter yrke**" in chapter
    assert "| Lyd | 0/< 3 (0) | 0/< 3 (0) | < 3/< 3 (3) |" in chapter
    assert "sykepleier (n = < 3)" in chapter and "vises som «< 3»" in chapter
    run("report", "audit")  # the supervisor's audit shows the real counts and the table
    audit = (project / "reports" / "audit.html").read_text(encoding="utf-8")
    assert "sykepleier (n = 2)" in audit and "<td>2/2 (3)</td>" in audit
    assert "<td>helsefagarbeider</td>" in audit and "<th>yrke</th>" in audit
    # time points are not hidden
    run("config", "set", "by", "tidspunkt")
    run("report", "results", "--format", "md")
    chapter = (project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "| Lyd | 2/4 (2) | 1/3 (1) |" in chapter and "< 3" not in chapter


def test_the_matrix_shows_participants_attributes(run: Run, project: Path) -> None:
    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    run("participants", "import", "deltakere.csv")
    run("report", "matrix", "--format", "csv")
    rows = (project / "reports" / "matrix.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "participant,ansiennitet,score,start,yrke,Lyd,Trygghet,Opplæring"
    assert rows[1] == "Anne,12,18.5,2024-01-15,sykepleier,2,0,1"
    run("matrix", "export", "koding.csv")
    units = (project / "koding.csv").read_text(encoding="utf-8-sig").splitlines()
    assert units[0].endswith(",ansiennitet,score,start,yrke")
    assert units[1].endswith(",12,18.5,2024-01-15,sykepleier")  # U1: Anne
    # read-only: the columns change nothing on import
    changed = (project / "koding.csv").read_text(encoding="utf-8-sig").replace(
        "sykepleier", "lege")
    write(project / "koding.csv", changed)
    assert "Nothing to change" in run("matrix", "import", "koding.csv").stdout
    assert people(run)["Anne"]["attributes"]["yrke"] == "sykepleier"


# -- focus-group wording and attribution ---------------------------------------------------------

def test_focus_group_prevalence_counts_participants_and_says_so(run: Run,
                                                                project: Path) -> None:
    focus_group(run, project)
    rows = json.loads(run("prevalence", "--json").stdout)
    assert [(r["group"], r["units"], r["participants"], r["total"], r["words"]) for r in rows] \
        == [("Lyd", 3, 2, 4, "to av fire deltakere"), ("Trygghet", 2, 1, 4, "en av deltakerne"),
            ("Opplæring", 3, 2, 4, "to av fire deltakere")]
    out = run("prevalence").stdout
    assert "Deltakerne er talt én gang hver på tvers av to gruppemøter" in out


def test_focus_group_quotations_say_one_participant(run: Run, project: Path) -> None:
    from stc import open_project
    from stc.participants import attribution

    focus_group(run, project)
    run("nugget", "U1")
    run("describe", "Lyd", "-m", "Lyden plager noen av deltakerne.")
    run("report", "results", "--format", "md")
    chapter = (project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "> «Den piper hele tiden.» (en deltaker)" in chapter
    opened = open_project(project)
    try:
        conn = opened.conn
        assert attribution(conn, 1, "group", "nb") == "fokusgruppe, T1"
        assert attribution(conn, 1, "one-participant-group", "nb") == \
            "en deltaker, fokusgruppe, T1"
        assert attribution(conn, 1, "one-participant", "en") == "one participant"
        assert attribution(conn, 1, "participant", "nb") == "Anne"
        assert attribution(conn, 1, "none", "nb") is None
    finally:
        opened.close()
    run("config", "set", "quote_attribution", "group")
    run("report", "results", "--format", "md")
    chapter = (project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "> «Den piper hele tiden.» (fokusgruppe, T1)" in chapter


def test_interview_quotations_carry_no_attribution_by_default(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    run("code", "I1:2", "bra")
    run("group", "bra", "--into", "Trivsel")
    run("nugget", "U1")
    run("report", "results", "--format", "md")
    chapter = (project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "> «Det går bra.»\n" in chapter


# -- REFI-QDA: participants as cases -------------------------------------------------------------

def test_cases_and_variables_go_out_and_come_back(run: Run, project: Path,
                                                  tmp_path: Path) -> None:
    from tests.test_exchange import check_qdpx

    focus_group(run, project)
    write(project / "deltakere.csv", TABLE)
    run("participants", "import", "deltakere.csv")
    run("participant", "rename", "Cecilie", "Deltaker C")
    run("export", "fg.qdpx")
    schema = xmlschema.XMLSchema(str(SHARED / "refi-qda" / "Project-mrt2019.xsd"))
    check_qdpx(project / "fg.qdpx", schema)
    qde = zipfile.ZipFile(project / "fg.qdpx").read("project.qde").decode("utf-8")
    assert 'name="score" typeOfVariable="Float"' in qde
    assert 'name="ansiennitet" typeOfVariable="Integer"' in qde
    assert 'name="start" typeOfVariable="Date"' in qde
    assert 'name="tidspunkt" typeOfVariable="Text"' in qde
    assert "<IntegerValue>12</IntegerValue>" in qde and "<DateValue>2024-01-15</DateValue>" in qde
    other = tmp_path / "other"
    run("init", str(other), "--language", "nb", "--title", "Kopi")
    out = run("import", str(project / "fg.qdpx"), "--project", str(other)).stdout
    assert "4 cases as participants; 18 attribute values" in out
    assert "cases" not in out.partition("Left out")[2] and "variable" not in out
    log = run("log", "--json", "--project", str(other)).stdout
    assert "imported REFI-QDA project from stc" in log and "fg.qdpx" not in log

    def listed(root: Path) -> list[tuple[str, list[str], dict[str, Any]]]:
        rows = json.loads(run("participants", "--json", "--project", str(root)).stdout)
        return sorted((p["name"], p["transcripts"], p["attributes"]) for p in rows)

    assert listed(other) == listed(project)
    docs = {d["id"]: d["attributes"] for d in json.loads(
        run("docs", "--json", "--project", str(other)).stdout)}
    assert docs == {"FG1": {"tidspunkt": "T1"}, "FG2": {"tidspunkt": "T2"}}
    assert by(run, "tidspunkt") == json.loads(run(
        "prevalence", "--by", "tidspunkt", "--json", "--project", str(other)).stdout)
    run("verify", "--project", str(other))


# -- the focus-group sample corpus ---------------------------------------------------------------

def test_the_focus_group_corpus_is_analysed_through_the_commands(run: Run, project: Path) -> None:
    """What `make demo-focus` does, checked against counts made by hand from the coding."""
    import shlex

    from tests.conftest import CORPORA

    corpus = CORPORA / "nb-fokusgruppe"
    analysis = corpus / "analysis"
    run("import", *(str(corpus / f"FG{n}.txt") for n in (1, 2, 3)))
    for n in (1, 2, 3):
        run("doc", "set", f"FG{n}", f"tidspunkt=T{n}")
    run("participants", "import", str(corpus / "deltakere.csv"))
    run("memo", "add", "--kind", "preunderstanding", "--file",
        str(analysis / "forforstaelse.md"))
    for theme in (analysis / "temaer.txt").read_text(encoding="utf-8").splitlines():
        run("theme", "add", theme)
    run("matrix", "import", str(analysis / "koding.csv"))
    for line in (analysis / "revisjoner.txt").read_text(encoding="utf-8").splitlines():
        run(*shlex.split(line))
    run("matrix", "import", str(analysis / "kondensering.csv"))
    for line in (analysis / "sitater.txt").read_text(encoding="utf-8").splitlines():
        unit, _, quote = line.partition("\t")
        run("nugget", unit, "--quote", quote)
    import csv

    with (analysis / "validering.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            run("validate", row["group"], "-m", row["memo"])
    assert "FAIL" not in run("check").stdout  # and it exits 0
    assert {n: p["transcripts"] for n, p in people(run).items()} == {
        "Anne": ["FG1", "FG2", "FG3"], "Bjørn": ["FG1", "FG2", "FG3"],
        "Camilla": ["FG1", "FG3"], "Dina": ["FG1", "FG2", "FG3"],
        "Emil": ["FG1", "FG2", "FG3"]}
    table = by(run, "tidspunkt")
    counted = cells(table)
    # counted by hand from analysis/koding.csv and who says each quote
    assert counted[("Varsler som aldri tar slutt", "T1")] == (2, 2, 5)  # Emil, Bjørn
    assert counted[("Varsler som aldri tar slutt", "T2")] == (4, 4, 4)  # all four present
    assert counted[("Varsler som aldri tar slutt", "T3")] == (2, 2, 5)  # Bjørn, Anne
    assert counted[("Kolleger som lærer hverandre", "T3")] == (4, 3, 5)  # Anne, Bjørn, Emil
    assert counted[("Opplæring som ikke nådde fram", "T3")] == (2, 1, 5)  # Camilla twice
    run("verify")


# -- projects from before participants were objects -----------------------------------------------

def _old_payload(path: Path, doc: str, participant: str | None) -> tuple[dict[str, Any], str,
                                                                            bytes]:
    """A `document.import` payload as stc recorded it before participants were objects: the
    transcript's participant by name (the --participant given, else the document id), each
    turn's participant by name (in a focus group the label), labels and file name in clear."""
    import hashlib

    from stc.formats import read_transcript
    from stc.importing import build_document, role_of, segment_document
    from stc.language import sentence_pipeline

    transcript, data = read_transcript(path, None)
    text, spans = build_document(transcript.turns)
    labelled = any(t.speaker for t in transcript.turns)
    roles = [role_of(t.speaker, {}, labelled) for t in transcript.turns]
    speaking = {t.speaker for t, r in zip(transcript.turns, roles, strict=True)
                if r == "participant"}
    named = participant or doc

    def who(label: str | None, role: str) -> str | None:
        if role != "participant":
            return None
        return label if len(speaking) > 1 and label else named

    payload = {
        "doc": doc, "version": 1, "participant": named, "filename": path.name,
        "format": path.suffix.lstrip("."), "source": hashlib.sha256(data).hexdigest(),
        "encoding": transcript.encoding, "text": hashlib.sha256(text.encode()).hexdigest(),
        "chars": len(text),
        "turns": [[t.speaker, r, who(t.speaker, r), s, e, t.begins, t.ends]
                  for t, r, (s, e) in zip(transcript.turns, roles, spans, strict=True)],
        "segments": [list(x) for x in segment_document(text, spans,
                                                        sentence_pipeline("nb", None))],
    }
    return payload, text, data


def old_project(root: Path, files: list[tuple[Path, str, str | None]]) -> None:
    """A project folder as stc wrote it with schema 001-003: the old tables, a trail of
    old-shape records, the state as the old change functions wrote it, the kept originals."""
    for folder in (root, root / "sources", root / "reports"):
        folder.mkdir(parents=True)
    (root / "stc.toml").write_text('title = "Gammelt"\nlanguage = "nb"\n\n[report]\n'
                                   "chapter = 3\n", encoding="utf-8")
    conn = sqlite3.connect(root / "stc.db", isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, migration in store.MIGRATIONS[:3]:  # frozen once released
        migration(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00')", (name,))
    records: list[tuple[str, dict[str, Any]]] = [
        ("project.init", {"title": "Gammelt", "language": "nb", "question": None})]
    conn.execute("INSERT INTO project VALUES ('title', 'Gammelt'), ('language', 'nb')")
    for seq, (path, doc, participant) in enumerate(files, start=2):
        payload, text, data = _old_payload(path, doc, participant)
        records.append(("document.import", payload))
        conn.execute("INSERT INTO texts VALUES (?, ?)", (payload["text"], text))
        conn.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)", (
            doc, payload["participant"], path.name, payload["format"], payload["source"],
            payload["encoding"], payload["text"], payload["chars"], 1, seq))
        conn.executemany("INSERT INTO turns VALUES (?,?,?,?,?,?,?,?,?,?)",
                         [(doc, 1, i, *t) for i, t in enumerate(payload["turns"], start=1)])
        conn.executemany("INSERT INTO segments VALUES (?,?,?,?,?,?)",
                         [(doc, n, 1, *s) for n, s in enumerate(payload["segments"], start=1)])
        (root / "sources" / f"{doc}-{payload['source'][:12]}{path.suffix}").write_bytes(data)
    prev = "0" * 64
    for seq, (kind, payload) in enumerate(records, start=1):
        at = f"2026-01-01T10:00:{seq:02d}.000000Z"
        label = "stc import …" if kind == "document.import" else None
        digest = record_hash(seq, at, "gammel", kind, canonical(payload), None, prev, seq, label)
        conn.execute("INSERT INTO trail VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (seq, at, "gammel", kind, canonical(payload), None, prev, digest, seq,
                      label))
        prev = digest
    conn.execute("COMMIT")
    conn.close()


def test_a_project_from_before_gains_participants_and_verifies(run: Run, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    files = tmp_path / "filer"
    files.mkdir()
    write(files / "I1.txt", "I: Hvordan går det?\nKari: Det går bra. Takk.\n")
    write(files / "FG1.txt", FG1.replace("Cecilie", "Kari"))
    root = tmp_path / "gammelt"
    old_project(root, [(files / "I1.txt", "I1", "Kari"), (files / "FG1.txt", "FG1", None)])
    monkeypatch.chdir(root)
    out = run("verify").stdout  # opening it runs the migration: the state is replayed
    assert out.startswith("OK: 3 changes")
    assert len(list(root.glob("stc.db.before-*"))) == 1  # kept aside before the upgrade
    found = people(run)
    assert {n: (p["id"], p["transcripts"]) for n, p in found.items()} == {
        "Kari": ("P1", ["FG1", "I1"]), "Anne": ("P2", ["FG1"]), "Berit": ("P3", ["FG1"]),
        "Dag": ("P4", ["FG1"])}
    # the old records read as they were written, names and all
    assert "imported I1 from I1.txt (3 segments)" in run("log").stdout
    docs = {d["id"]: (d["participant"], d["filename"]) for d in
            json.loads(run("docs", "--json").stdout)}
    assert docs == {"FG1": ("Anne, Berit, Kari, Dag", "FG1.txt"), "I1": ("Kari", "I1.txt")}
    # and the project goes on: new participants continue the numbers, hashed
    write(root / "I2.txt", "I: Og du?\nOla: Fint.\n")
    assert "participant I2 (P5, new)" in run("import", "I2.txt").stdout
    run("code", "FG1:2", "piping")
    run("participant", "rename", "Kari", "Deltaker K")
    run("participant", "map", "FG1", "Dag=P5")
    assert json.loads(run("prevalence", "--json").stdout) == []
    run("undo")
    run("undo")
    assert people(run)["Kari"]["transcripts"] == ["FG1", "I1"]
    assert run("verify").stdout.startswith("OK:")
