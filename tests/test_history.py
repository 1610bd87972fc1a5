"""History follows objects, not names: `stc log --on` finds an object's whole life across
renames and merges, the units on a stretch of segments (also numbers from before a corrected
transcript replaced them), and memos stay on what they were written on."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write

INTERVIEW = (
    "I: Hvordan starter dagen?\n"
    "Kari: Jeg logger meg på og ser på oversikten. Det tar tid. Skjermen er det første jeg ser.\n"
    "I: Og så?\n"
    "Kari: Så ringer jeg rundt. Det er masse ringing. Jeg vet ikke om vi sparer tid.\n"
)


@pytest.fixture
def coded(run: Run, project: Path) -> Path:
    write(project / "I1.txt", INTERVIEW)
    run("import", "I1.txt", "--speakers", "I=interviewer")
    run("code", "I1:2", "tid foran skjermen")
    run("code", "I1:4", "tid foran skjermen", "ringing")
    run("rename", "code", "tid foran skjermen", "skjermarbeid", "--why", "kortere")
    run("code", "I1:6", "skjermarbeid")
    return project


def on(run: Run, ref: str) -> list[dict[str, Any]]:
    return list(json.loads(run("log", "--on", ref, "--json").stdout))


def test_a_code_shows_its_creation_under_its_old_name_and_every_coding(run: Run,
                                                                       coded: Path) -> None:
    life = on(run, "skjermarbeid")
    summaries = [r["summary"] for r in life]
    assert summaries[0] == "code 'tid foran skjermen' added"
    assert [r["kind"] for r in life] == ["code.add", "unit.add", "unit.add", "rename",
                                         "unit.add"]
    assert on(run, "tid foran skjermen") == life  # the old name finds the same object
    assert on(run, "code:skjermarbeid") == life
    # a code that never bore that name is not in it
    assert all("ringing" not in s or "U2" in s for s in summaries)


def test_a_merge_target_shows_the_life_of_what_was_merged_into_it(run: Run,
                                                                    coded: Path) -> None:
    run("merge", "code", "ringing", "skjermarbeid", "--into", "tidsbruk", "--why", "ett tema")
    life = on(run, "tidsbruk")
    added = [r["summary"] for r in life if r["kind"] == "code.add"]
    assert added == ["code 'tid foran skjermen' added", "code 'ringing' added",
                     "code 'tidsbruk' added"]
    assert life[-1]["kind"] == "merge"


def test_a_subgroup_by_group_and_name_and_a_group_with_its_theme(run: Run, coded: Path) -> None:
    run("theme", "add", "Tid foran skjermen")
    run("group", "skjermarbeid", "--into", "Tid foran skjermen")
    run("rename", "group", "Tid foran skjermen", "Tid som flyttes", "--why", "flyttes")
    run("subgroup", "add", "Tid som flyttes", "Skjerm")
    run("sort", "U1", "--into", "Tid som flyttes/Skjerm")
    group = [r["kind"] for r in on(run, "group:Tid som flyttes")]
    assert group[0] == "theme.add" and "group.add" in group and "rename" in group
    sub = [r["kind"] for r in on(run, "Tid som flyttes/Skjerm")]
    assert sub == ["subgroup.add", "unit.set"]


def test_segments_find_the_units_on_them_also_by_numbers_before_a_correction(
        run: Run, coded: Path) -> None:
    assert [(r["kind"], r["payload"]["id"]) for r in on(run, "I1:4")] == [("unit.add", 2)]
    units = {r["payload"]["id"] for r in on(run, "I1:4-6") if r["kind"] == "unit.add"}
    assert units == {2, 3}
    corrected = write(coded / "I1-b.txt", INTERVIEW.replace("masse ringing", "mye ringing"))
    run("import", "--replace", "I1", str(corrected), "--why", "skrivefeil")
    old = {r["payload"]["id"] for r in on(run, "I1:4-6") if r["kind"] == "unit.add"}
    assert old == {2, 3}  # the old numbers still lead to the units that stood on them
    newest = json.loads(run("show", "I1", "--json").stdout)["segments"]
    first_new = newest[0]["n"]
    moved = {r["payload"]["id"] for r in on(run, f"I1:{first_new + 3}") if r["kind"] in
             ("unit.add", "unit.set")}
    assert 2 in moved


def test_a_memo_stays_on_the_subgroup_it_was_written_on(run: Run, coded: Path) -> None:
    run("group", "skjermarbeid", "--into", "A")
    run("group", "ringing", "--into", "B")
    run("subgroup", "add", "A", "S")
    run("subgroup", "add", "B", "S")
    run("memo", "add", "--on", "A/S", "-m", "Om skjermen")
    run("rename", "subgroup", "B/S", "T", "--why", "klarere")
    memos = json.loads(run("memos", "--json").stdout)
    assert [m["ref"] for m in memos] == ["subgroup:A/S"]
    run("rename", "group", "A", "C", "--why", "nytt navn")
    run("rename", "subgroup", "C/S", "Skjerm", "--why", "tydeligere")
    memos = json.loads(run("memos", "--json").stdout)
    assert [m["ref"] for m in memos] == ["subgroup:C/Skjerm"]
    assert [m["ref"] for m in json.loads(run("memos", "--on", "C/Skjerm", "--json").stdout)] \
        == ["subgroup:C/Skjerm"]
    assert json.loads(run("memos", "--on", "B/T", "--json").stdout) == []
    run("verify")


def test_a_memo_on_a_merged_code_moves_to_the_target(run: Run, coded: Path) -> None:
    run("memo", "add", "--on", "code:ringing", "-m", "Mye telefon")
    run("merge", "code", "ringing", "--into", "skjermarbeid", "--why", "samme")
    memos = json.loads(run("memos", "--json").stdout)
    assert [m["ref"] for m in memos] == ["code:skjermarbeid"]
    memo_life = [r["kind"] for r in on(run, "skjermarbeid")]
    assert "memo.add" in memo_life
    run("verify")


# -- reasons, and what the audit report tells about each unit --------------------------------

def test_revisions_without_a_reason_fail_the_check_until_one_is_given(run: Run,
                                                                      coded: Path) -> None:
    run("rename", "code", "ringing", "telefoner")  # no --why
    renamed = json.loads(run("log", "--json").stdout)[-1]["seq"]
    failures = json.loads(run("check", "--json", code=1).stdout)
    reasons = next(c for c in failures if c["id"] == "reasons")
    assert reasons["failures"] == [f"endring nr. {renamed} (kode «ringing» omdøpt til"
                                   f" «telefoner») har ingen begrunnelse (stc reason {renamed}"
                                   " TEKST)"]
    out = run("reason", str(renamed), "Ordet informantene bruker").stdout
    assert f"reason given for change #{renamed}" in out
    checks = json.loads(run("check", "--json", code=1).stdout)
    assert next(c for c in checks if c["id"] == "reasons")["ok"]
    assert "[E333]" in run("reason", "9999", "x", code=1).stderr
    assert "[E332]" in run("reason", str(renamed), " ", code=1).stderr


def test_require_reasons_can_be_turned_off(run: Run, coded: Path) -> None:
    run("drop", "code", "ringing", "--force")
    checks = json.loads(run("check", "--json", code=1).stdout)
    assert not next(c for c in checks if c["id"] == "reasons")["ok"]
    run("config", "set", "check.require_reasons", "false")
    checks = json.loads(run("check", "--json", code=1).stdout)
    assert next(c for c in checks if c["id"] == "reasons")["ok"]


def test_the_audit_names_coder_note_subgroup_and_missing_reasons(run: Run, coded: Path) -> None:
    run("group", "skjermarbeid", "ringing", "--into", "Tid")
    run("subgroup", "add", "Tid", "Skjerm")
    run("sort", "U1", "U2", "--into", "Tid/Skjerm", "--author", "Berit")
    run("set-aside", "U3", "--why", "Handler om noe annet")
    run("rename", "subgroup", "Tid/Skjerm", "Skjermen")
    run("matrix", "export", "m.csv")  # a note on a unit coded earlier, through the matrix
    rows = list(csv.reader((coded / "m.csv").open(encoding="utf-8-sig")))
    rows[1][rows[0].index("note")] = "Sjekk tonen her"
    with (coded / "m.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert "~ U1 note" in run("matrix", "import", "m.csv").stdout
    run("report", "audit")
    html = (coded / "reports" / "audit.html").read_text(encoding="utf-8")
    add = next(r for r in json.loads(run("log", "--json").stdout) if r["kind"] == "unit.add")
    assert f"kodet av tester, {add['at'][:16].replace('T', ' ')} (<a href=\"#c{add['seq']}\">" \
        in html
    assert "notat: Sjekk tonen her" in html
    assert "U1 sortert i «Tid/Skjerm»" in html
    assert "U3 satt til side: Handler om noe annet" in html
    assert html.count('<span class="bad">ingen begrunnelse</span>') == 1  # the rename


def test_as_of_writes_beside_the_present_reports(run: Run, coded: Path) -> None:
    run("report", "results", "--format", "md")
    present = (coded / "reports" / "results.md").read_bytes()
    run("report", "results", "--format", "md", "--as-of", "3")
    assert (coded / "reports" / "as-of-3" / "results.md").exists()
    assert (coded / "reports" / "results.md").read_bytes() == present
