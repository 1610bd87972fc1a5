"""The coding matrix round trip: export, import of the difference, refusal of bad rows."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPORA, Run, write
from tests.samples import snapshot

INTERVIEW = """I: Hva tenker du om dispenserne?
Kari: Dispenserne gir brukerne frihet. -Nå kan jeg sove, sa hun. Det er fint.
I: Og besøkene?
Kari: =Besøkene blir færre. Jeg savner besøket. Det er fint.
"""
HEADER = "unit,document,segments,quote,codes,group,subgroup,nugget,note\n"


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    return project


def units(run: Run) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run("units", "--json").stdout)
    return data


def state(project: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(project / "stc.db")
    rows = conn.execute("SELECT seq, kind FROM trail ORDER BY seq").fetchall()
    conn.close()
    return rows


def test_import_new_units_codes_groups_subgroups(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER +
                   ",I1,2-3,,frihet;søvn,Frihet,,yes,om søvn\n"
                   ",I1,,Jeg savner besøket.,savn,Nærhet,Tap,,\n")
    write(interview / "m-subgroups.csv", "group,subgroup,heading,condensate,description\n"
          "Nærhet,,Nærhet i hverdagen,,Kategorien handler om nærhet.\n"
          "Nærhet,Tap,,Jeg savner besøket.,\n")
    out = run("matrix", "import", "m.csv", "--why", "første runde").stdout
    assert "+ U1 I1:2-3  frihet; søvn" in out and "+ U2 I1:7  savn" in out
    assert "+ subgroup Nærhet/Tap" in out and "Nærhet: heading set" in out
    got = units(run)
    assert [(u["codes"], u["groups"], u["subgroup"], u["nugget"], u["note"]) for u in got] == [
        (["frihet", "søvn"], ["Frihet"], None, True, "om søvn"),
        (["savn"], ["Nærhet"], "Tap", False, None)]
    assert got[1]["text"] == "Jeg savner besøket."
    sorted_ = json.loads(run("units", "--subgroup", "nærhet/tap", "--json").stdout)
    assert [u["unit"] for u in sorted_] == ["U2"]
    log = json.loads(run("log", "--json").stdout)
    assert {r["why"] for r in log[1:] if r["kind"] != "document.import"} == {"første runde"}
    assert "Nothing to change" in run("matrix", "import", "m.csv").stdout
    run("verify")


def test_dry_run_prints_and_changes_nothing(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER + ",I1,2,,frihet,,,,\n")
    before = state(interview)
    out = run("matrix", "import", "m.csv", "--dry-run").stdout
    assert "+ U1 I1:2  frihet" in out and "Dry run" in out
    assert state(interview) == before
    run("matrix", "import", "m.csv")
    assert units(run)[0]["unit"] == "U1"  # the dry run did not use up a number


def test_bad_rows_are_refused_with_numbers_and_nothing_applied(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER +
          ",I1,2,,frihet,,,,\n"
          ",I9,2,,frihet,,,,\n"
          ",I1,,Det er fint.,fint,,,,\n"
          ",I1,,Finnes ikke,fint,,,,\n"
          ",I1,99,,fint,,,,\n"
          ",I1,3,,,,,yes,\n"
          "0,I1,3,,x,,,,\n")
    before = snapshot(run, interview)
    result = run("matrix", "import", "m.csv", code=1)
    err = result.stderr
    assert "[E418]" in err and "6 rows refused" in err
    for row, reason in [(3, "unknown document 'I9'"), (4, "occurs 2 times (I1:4, I1:8)"),
                        (5, "not found"), (6, "outside them"), (7, "no codes"),
                        (8, "is not a unit")]:
        assert f"row {row}: " in err and reason in err
    assert snapshot(run, interview) == before  # row 2 was good: it is not applied either


def test_code_changes_nuggets_and_subgroups_on_existing_units(run: Run, interview: Path
                                                               ) -> None:
    run("code", "I1:2", "frihet", "--group", "Frihet")
    run("code", "I1:7", "savn")
    run("matrix", "export", "m.csv")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    rows[1][4] = "frihet; selvbestemmelse"
    rows[1][6], rows[1][7] = "Egen tid", "yes"
    rows[2][5] = "Nærhet"
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = run("matrix", "import", "m.csv").stdout
    assert "~ U1 codes +selvbestemmelse" in out and "+ subgroup Frihet/Egen tid" in out
    assert "~ code 'savn' into group 'Nærhet'" in out
    got = units(run)
    assert got[0]["subgroup"] == "Egen tid" and got[0]["nugget"]
    assert got[1]["groups"] == ["Nærhet"]
    run("verify")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_keeps_everything_and_neutralises_formulas(
        run: Run, interview: Path, suffix: str) -> None:
    run("code", "I1:3", "sitat", "--group", "=SUM(A1)", "--note", "@note")
    run("code", "I1:7", "færre", "--group", "=SUM(A1)")
    run("matrix", "export", f"m{suffix}", "--all-segments")
    if suffix == ".xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(interview / "m.xlsx")["units"]
        cells = [c.value for row in sheet.iter_rows() for c in row]
    else:
        cells = [c for row in csv.reader((interview / "m.csv").open(encoding="utf-8-sig"))
                 for c in row]
    assert "'-Nå kan jeg sove, sa hun." in cells and "'=SUM(A1)" in cells
    assert "'=Besøkene blir færre." in cells and "'@note" in cells
    assert not [c for c in cells if isinstance(c, str) and c[:1] and c[:1] in "=+-@"]
    before = state(interview)
    assert "Nothing to change" in run("matrix", "import", f"m{suffix}").stdout
    assert state(interview) == before
    groups = [g["name"] for g in json.loads(run("codes", "--json").stdout)]
    assert groups == ["=SUM(A1)"]


def test_a_unit_with_codes_in_two_groups_round_trips(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet", "--group", "Frihet")
    run("code", "I1:3", "tap", "--group", "Nærhet")
    run("code", "I1:4", "frihet", "tap")
    run("matrix", "export", "m.csv")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    assert rows[3][5] == "Frihet; Nærhet"
    assert "Nothing to change" in run("matrix", "import", "m.csv").stdout


def test_all_segments_rows_can_be_coded_in_the_sheet(run: Run, interview: Path) -> None:
    run("matrix", "export", "m.csv", "--all-segments")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 1 + 8
    rows[3][4] = "søvn"  # segment 3
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = run("matrix", "import", "m.csv").stdout
    assert "+ U1 I1:3  søvn" in out


def test_unknown_format_and_missing_columns(run: Run, interview: Path) -> None:
    assert "[E416]" in run("matrix", "export", "m.ods", code=1).stderr
    write(interview / "m.csv", "document,quote\nI1,x\n")
    assert "[E417]" in run("matrix", "import", "m.csv", code=1).stderr


def test_sample_corpus_matrix_with_revisions(run: Run, project: Path) -> None:
    corpus = CORPORA / "nb-hjemmetjeneste"
    matrix = corpus / "analysis" / "koding.csv"
    if not matrix.exists():
        pytest.skip("sample corpus analysis not present")
    files = sorted(str(p) for p in corpus.iterdir() if p.stem[:1] == "I" and p.is_file())
    run("import", *files, "--speakers", "I=interviewer")
    run("matrix", "import", str(matrix))
    rows = list(csv.DictReader(matrix.open(encoding="utf-8")))
    got = units(run)
    assert len(got) == len(rows)
    for unit, row in zip(got, rows, strict=True):
        assert " ".join(unit["text"].split()) == " ".join(row["quote"].split())
        assert unit["codes"] == sorted(c.strip() for c in row["codes"].split(";"))
    run("verify")


def test_unit_numbers_from_a_matrix_written_elsewhere_are_kept(run: Run, interview: Path
                                                                ) -> None:
    write(interview / "m.csv", HEADER + "U5,I1,2,,frihet,,,,\n,I1,3,,søvn,,,,\nU2,I1,7,,savn,,,,\n")
    run("matrix", "import", "m.csv")
    assert [u["unit"] for u in units(run)] == ["U2", "U5", "U6"]
    run("code", "I1:8", "fint")
    assert units(run)[-1]["unit"] == "U7"
    run("drop", "code", "fint", "--force")
    run("undo")
    write(interview / "n.csv", HEADER + "U1,I1,4,,x,,,,\nU5,I1,6,,y,,,,\n")
    err = run("matrix", "import", "n.csv", code=1).stderr
    assert "1 row refused" in err and "row 2: U1 is not a unit" in err
    run("verify")


def test_loose_quotes(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER + ",I1,,–Nå kan jeg sove,søvn,,,,\n")
    assert "not found" in run("matrix", "import", "m.csv", code=1).stderr
    run("matrix", "import", "m.csv", "--loose")
    assert units(run)[0]["text"] == "-Nå kan jeg sove"


def test_semicolon_separated_csv_from_a_nordic_spreadsheet(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER.replace(",", ";") + ';I1;2;;"frihet; søvn";Frihet;;;\n',
          encoding="utf-8-sig")
    run("matrix", "import", "m.csv")
    assert units(run)[0]["codes"] == ["frihet", "søvn"]


def test_csv_in_the_windows_code_page(run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER + ",I1,7,,savn,Nærhet,,,\n", encoding="cp1252")
    run("matrix", "import", "m.csv")
    assert units(run)[0]["groups"] == ["Nærhet"]


def test_translations_travel_in_the_matrix(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet", "--group", "Frihet")
    run("nugget", "U1", "--translation", "The dispensers give the users freedom.")
    run("matrix", "export", "m.csv")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    column = rows[0].index("translation")
    assert rows[1][column] == "The dispensers give the users freedom."
    rows[1][column] = "The dispensers give users their freedom."
    rows.append(["", "I1", "7", "", "savn", "Frihet", "", "", "I miss the visit.", ""])
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    before = state(interview)
    assert "nugget column" in run("matrix", "import", "m.csv", code=1).stderr
    assert state(interview) == before  # a translation without a quotation refuses the file
    rows[-1][7] = "yes"
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = run("matrix", "import", "m.csv").stdout
    assert "~ U1 translation" in out
    run("matrix", "export", "again.csv")
    again = list(csv.reader((interview / "again.csv").open(encoding="utf-8-sig")))
    assert [r[column] for r in again[1:]] == ["The dispensers give users their freedom.",
                                              "I miss the visit."]


# -- late round trips (issue 13, point 7) ----------------------------------------------------------

def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def exported(run: Run, interview: Path) -> Path:
    """U1 I1:2-3 and U2 I1:7 in group Frihet with subgroup Søvn; exported to m.csv."""
    run("code", "I1:2-3", "frihet", "--group", "Frihet")
    run("code", "I1:7", "savn", "--group", "Frihet")
    run("subgroup", "add", "Frihet", "Søvn")
    run("matrix", "export", "m.csv")
    return interview


def test_export_names_the_change_it_shows_and_describes_each_unit(run: Run, exported: Path
                                                                  ) -> None:
    header = (exported / "m.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ("unit,document,segments,quote,codes,group,subgroup,nugget,translation,"
                      "note,speaker,participant,aside,context,as_of")
    *shown, recorded = json.loads(run("log", "--json").stdout)
    assert (recorded["kind"], recorded["payload"]["kind"]) == ("export", "matrix")
    last = shown[-1]["seq"]  # the export's own record changes no unit
    [u1, u2] = rows_of(exported / "m.csv")
    assert (u1["speaker"], u1["participant"], u1["context"], u1["as_of"]) == (
        "Kari", "I1", "Hva tenker du om dispenserne?", str(last))
    assert u2["context"] == "Og besøkene?"
    out = run("matrix", "export", "m.xlsx").stdout
    assert out.endswith(f": the project as of change #{last}.\n")


def test_rows_of_units_changed_after_the_export_are_refused_unless_forced(
        run: Run, exported: Path) -> None:
    rows = rows_of(exported / "m.csv")
    as_of = rows[0]["as_of"]
    rows[0]["note"] = "skrevet i regnearket"
    write_rows(exported / "m.csv", rows)
    run("sort", "U1", "--into", "Frihet/Søvn")  # after the export: the file still shows none
    changed = json.loads(run("log", "--json").stdout)[-1]["seq"]
    before = snapshot(run, exported)
    result = run("matrix", "import", "m.csv", code=1)
    assert "[E447]" in result.stderr and "1 row refused" in result.stderr
    assert (f"units row 2: U1 changed in #{changed} after this file was exported at #{as_of}"
            in result.stderr)
    assert snapshot(run, exported) == before
    out = run("matrix", "import", "m.csv", "--force").stdout
    assert "~ U1 out of its subgroup, note" in out
    assert units(run)[0]["note"] == "skrevet i regnearket"


def test_a_row_that_matches_the_project_now_is_not_refused(run: Run, exported: Path) -> None:
    rows = rows_of(exported / "m.csv")
    rows[1]["note"] = "lagt til i regnearket"
    write_rows(exported / "m.csv", rows)
    run("unit", "note", "U2", "-m", "lagt til i regnearket")  # after the export, as the sheet
    out = run("matrix", "import", "m.csv").stdout
    assert out.startswith("Nothing to change")


def test_units_missing_from_the_file_are_named_and_deleted_only_when_asked(
        run: Run, exported: Path) -> None:
    rows = rows_of(exported / "m.csv")
    write_rows(exported / "m.csv", rows[:1])
    run("code", "I1:4", "fint")  # U3, made after the export: not missing from the file
    out = run("matrix", "import", "m.csv", "--dry-run").stdout
    assert "? U2 I1:7 not in the file (kept; --delete-missing deletes it)" in out
    assert "U3" not in out
    out = run("matrix", "import", "m.csv", "--delete-missing").stdout
    assert "- U2 I1:7 deleted: not in the file" in out and "1 unit deleted" in out
    assert [u["unit"] for u in units(run)] == ["U1", "U3"]
    out = run("undo").stdout
    assert out.startswith('#') and 'undid "stc matrix import … --delete-missing"' in out
    assert [u["unit"] for u in units(run)] == ["U1", "U2", "U3"]
    run("verify")


def test_delete_missing_needs_a_file_that_says_when_it_was_exported(run: Run, exported: Path
                                                                     ) -> None:
    rows = [{k: v for k, v in row.items() if k != "as_of"} for row in rows_of(exported / "m.csv")]
    write_rows(exported / "m.csv", rows[:1])
    before = snapshot(run, exported)
    assert "[E446]" in run("matrix", "import", "m.csv", "--delete-missing", code=1).stderr
    assert snapshot(run, exported) == before
    assert "not in the file" in run("matrix", "import", "m.csv").stdout


def test_descriptive_columns_are_ignored_on_import(run: Run, exported: Path) -> None:
    rows = rows_of(exported / "m.csv")
    for row in rows:
        row.update(speaker="Noen", participant="P9", aside="?", context="Et annet spørsmål")
    write_rows(exported / "m.csv", rows)
    assert run("matrix", "import", "m.csv").stdout.startswith("Nothing to change")


def test_a_matrix_import_of_several_changes_is_undone_as_one_command(run: Run, exported: Path
                                                                     ) -> None:
    rows = rows_of(exported / "m.csv")
    rows[0]["subgroup"], rows[1]["subgroup"] = "Søvn", "Søvn"
    rows[1]["codes"] = "savn; tap"
    write_rows(exported / "m.csv", rows)
    before = json.loads(run("units", "--json").stdout)
    out = run("matrix", "import", "m.csv").stdout
    assert "2 units changed" in out
    out = run("undo").stdout
    assert 'undid "stc matrix import …" (#' in out and ": 4 changes)" in out
    assert json.loads(run("units", "--json").stdout) == before
    run("verify")


def test_a_new_row_of_the_interviewers_words_alone_needs_allow_interviewer(
        run: Run, interview: Path) -> None:
    write(interview / "m.csv", HEADER + ",I1,1,,spørsmål,,,,\n,I1,1-2,,dispensere,,,,\n")
    before = snapshot(run, interview)
    result = run("matrix", "import", "m.csv", code=1)
    assert "units row 2: only the interviewer speaks in I1:1" in result.stderr
    assert "units row 3" not in result.stderr  # from the question into its answer: made
    assert snapshot(run, interview) == before
    run("matrix", "import", "m.csv", "--allow-interviewer")
    assert [(u["segments"], u["interviewer"]) for u in units(run)] == [
        ("I1:1", True), ("I1:1-2", False)]


FOCUS_GROUP = """I: Hva betyr nattevaktene for dere?
Anne: Om natten er det stille. Da rekker jeg å prate med dem som er våkne.
Bodil: For meg er natten ensom. Jeg savner kollegene.
"""


def refused_rows(run: Run, project: Path, rows: str) -> list[str]:
    """The rows `stc matrix import` refuses in a file of `rows` (the header added), each as
    `units row N: reason`; the project is left exactly as it was."""
    write(project / "m.csv", HEADER + rows)
    before = snapshot(run, project)
    err = run("matrix", "import", "m.csv", code=1).stderr
    assert "[E418]" in err
    assert snapshot(run, project) == before
    return [line.strip().removesuffix(" [E418]") for line in err.splitlines()
            if line.strip().startswith("units row")]


def test_a_file_whose_third_row_is_refused_changes_nothing(run: Run, interview: Path) -> None:
    """The rows before and after a bad one are good: none of them is applied."""
    refused = refused_rows(run, interview, ",I1,2,,frihet,Frihet,Egen tid,yes,om søvn\n"
                           ",I1,3,,,Frihet,,,\n"
                           ",I1,7,,savn,Nærhet,,,\n")
    assert refused == ["units row 3: no codes; name at least one code (separate codes with ;)"]
    assert units(run) == []


def test_a_row_of_the_interviewers_words_alone_is_refused_one_across_speakers_warns(
        run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "FG.txt", FOCUS_GROUP)))
    refused = refused_rows(run, project, ",FG,2,,stillhet,,,,\n"
                           ",FG,1,,spørsmål,,,,\n"
                           ",FG,3-4,,natt,,,,\n")
    assert [r.split(":")[0] for r in refused] == ["units row 3"]
    write(project / "m.csv", HEADER + ",FG,2,,stillhet,,,,\n,FG,3-4,,natt,,,,\n")
    out = run("matrix", "import", "m.csv").stdout
    assert "+ U2 FG:3-4  natt\n  Warning: FG:3-4 crosses speakers: Anne, Bodil\n" in out
    assert "not in the file" not in out  # the units it made were in the file
    assert [u["participant"] for u in units(run)] == ["Anne", "Anne, Bodil"]
    write(project / "m.csv", HEADER + ",FG,1,,spørsmål,,,,\n")
    run("matrix", "import", "m.csv", "--allow-interviewer")
    assert [u["segments"] for u in units(run)] == ["FG:2", "FG:3-4", "FG:1"]


def test_a_code_put_in_two_groups_is_refused(run: Run, interview: Path) -> None:
    refused = refused_rows(run, interview, ",I1,2,,frihet,Frihet,,,\n"
                           ",I1,3,,søvn,Hvile,,,\n"
                           ",I1,7,,savn; FRIHET,Nærhet,,,\n")
    assert refused == ["units row 4: code 'FRIHET' is put in group 'Nærhet' here but in"
                       " 'Frihet' in row 2"]


def test_a_code_already_in_a_group_moves_only_when_every_row_agrees(run: Run, interview: Path
                                                                    ) -> None:
    run("code", "I1:2", "frihet", "--group", "Frihet")
    run("matrix", "export", "m.csv")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    rows.append(["", "I1", "3", "", "frihet", "Nærhet", "", "", "", ""])
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    before = snapshot(run, interview)
    err = run("matrix", "import", "m.csv", code=1).stderr
    assert "units row 3: code 'frihet' is put in group 'Nærhet' here but in 'Frihet' in row 2" \
        in err
    assert snapshot(run, interview) == before


def test_a_unit_named_in_two_rows_is_refused(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet")
    refused = refused_rows(run, interview, "U1,I1,2,,frihet,,,,\n"
                           ",I1,3,,søvn,,,,\n"
                           "u1,I1,2,,frihet; glede,,,,\n"
                           "U9,I1,7,,savn,,,,\n"
                           "U9,I1,8,,fint,,,,\n")
    assert refused == ["units row 4: U1 is in row 2 too", "units row 6: U9 is in row 5 too"]


def test_an_edited_quote_on_an_existing_unit_is_refused(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet")
    run("code", "I1:7", "savn")
    run("matrix", "export", "m.csv")
    rows = list(csv.reader((interview / "m.csv").open(encoding="utf-8-sig")))
    rows[1][3] = "Dispenserne gir  brukerne\nfrihet."  # only its spaces: the same quote
    rows[2][3] = "Jeg savner besøkene."
    rows[2][4] = "savn; lengsel"
    with (interview / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    before = snapshot(run, interview)
    err = run("matrix", "import", "m.csv", code=1).stderr
    assert "1 row refused" in err
    assert "units row 3: the quote differs from the text of U2; leave the unit empty to make" \
        " a new unit" in err
    assert snapshot(run, interview) == before


def test_the_number_of_an_undone_unit_is_never_given_again(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet")
    run("undo")  # U1 is gone; its number stays used
    assert refused_rows(run, interview, "U1,I1,3,,søvn,,,,\n") == [
        "units row 2: U1 is not a unit of this project and numbers are never reused; leave the"
        " unit cell empty to make a new unit"]
    write(interview / "m.csv", HEADER + "U2,I1,3,,søvn,,,,\n,I1,7,,savn,,,,\n")
    run("matrix", "import", "m.csv")
    assert [u["unit"] for u in units(run)] == ["U2", "U3"]
