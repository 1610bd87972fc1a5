"""Correcting meaning units (issue 13, point 1): delete, uncode, edit, split, join, note; and the
library operations the workbench builds on (`code_span`, `based_on`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stc.errors import StcError
from stc.project import open_project
from stc.stages import meaning_units as mu
from stc.stages.condensation import nugget, set_aside
from stc.units import load_doc
from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = (
    "I: Hvordan har du det på jobb?\n"
    "Kari: Jeg har det travelt. Vi rekker ikke å snakke med brukerne. Men kollegene er gode.\n"
    "I: Hva med kveldene?\n"
    "Kari: Om kvelden er jeg sliten. Jeg sover dårlig. Det går ut over familien, og det går ut"
    " over meg.\n"
)
# segments: 1 question | 2 travelt 3 rekker 4 kollegene | 5 question | 6 kvelden 7 sover 8 familien

OTHER = """I: Fortell om en vanlig dag.
Ola: Dagen er full av kjøring.
"""

TIME = "Arbeidsdagen/Tidspress"


@pytest.fixture
def coded(run: Run, project: Path) -> Path:
    """U1 I1:2-3 (travelhet), U2 I1:4 (kolleger), U3 I1:6-7 (slitenhet); U1 and U3 sorted
    into Arbeidsdagen/Tidspress, which has a condensate on them; U1 a nugget."""
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)),
        str(write(project.parent / "I2.txt", OTHER)), "--speakers", "I=interviewer")
    run("code", "I1:2-3", "travelhet")
    run("code", "I1:4", "kolleger")
    run("code", "I1:6-7", "slitenhet")
    run("group", "travelhet", "slitenhet", "--into", "Arbeidsdagen")
    run("group", "kolleger", "--into", "Fellesskap")
    run("subgroup", "add", "Arbeidsdagen", "Tidspress")
    run("sort", "U1", "U3", "--into", TIME)
    run("condense", TIME, "-m", "Jeg har det travelt, og om kvelden sover jeg dårlig.")
    run("condense", "Fellesskap", "-m", "Jeg har gode kolleger.")
    run("nugget", "U1")
    return project


def units(run: Run) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in json.loads(run("units", "--json").stdout)}


def condensate_failures(run: Run) -> list[tuple[str, str]]:
    """What fails the condensates check: each problem's catalogue id and its units."""
    found = json.loads(run("check", "--json", code=1).stdout)
    return [(p["id"], p.get("units", "")) for c in found if c["id"] == "condensates"
            for p in c["problems"]]


def last_change(run: Run) -> int:
    return int(json.loads(run("log", "--json").stdout)[-1]["seq"])


# -- delete --------------------------------------------------------------------------------------

def test_delete_names_the_condensate_and_the_number_is_never_given_again(
        run: Run, coded: Path) -> None:
    out = run("unit", "delete", "U1", "--why", "coded twice").stdout
    assert out.startswith("U1 deleted\n")
    assert ("review the condensate of Arbeidsdagen/Tidspress, which rested on U1:"
            " stc condense Arbeidsdagen/Tidspress --edit") in out
    assert "U1" not in units(run)
    assert condensate_failures(run) == [("condensates.deleted", "U1")]
    assert run("code", "I1:2", "travelhet").stdout.startswith("U4 ")
    log = json.loads(run("log", "--json").stdout)
    [deleted] = [r for r in log if r["kind"] == "unit.delete"]
    assert deleted["why"] == "coded twice" and deleted["summary"] == "U1 (I1:2-3) deleted"
    run("undo")
    run("undo")
    assert units(run)["U1"]["subgroup"] == "Tidspress" and units(run)["U1"]["nugget"]
    run("verify")


def test_delete_is_refused_without_a_reason_or_for_an_unknown_unit(run: Run, coded: Path
                                                                   ) -> None:
    before = snapshot(run, coded)
    run("unit", "delete", "U1", code=2)
    assert "[E506]" in run("unit", "delete", "U9", "--why", "x", code=1).stderr
    project = open_project(coded)
    with pytest.raises(StcError) as refused:
        mu.delete_unit(project, "U1", "  ")
    project.close()
    assert refused.value.code == "E436"
    assert snapshot(run, coded) == before


# -- uncode --------------------------------------------------------------------------------------

def test_uncode_takes_a_code_off_and_the_unit_leaves_a_subgroup_it_no_longer_belongs_to(
        run: Run, coded: Path) -> None:
    run("code", "I1:2-3", "kolleger")  # U1 now also in Fellesskap
    out = run("uncode", "U1", "travelhet").stdout
    assert out.startswith("U1 I1:2-3  kolleger  (uncoded travelhet)\n")
    assert ("U1 left subgroup Arbeidsdagen/Tidspress: none of its codes is in 'Arbeidsdagen'"
            " any longer") in out
    assert "review the condensate of Arbeidsdagen/Tidspress, which rested on U1" in out
    unit = units(run)["U1"]
    assert unit["codes"] == ["kolleger"] and unit["subgroup"] is None
    assert condensate_failures(run) == [("condensates.gone", "U1"),  # Arbeidsdagen/Tidspress
                                        ("condensates.uncovered", "U1")]  # Fellesskap
    run("verify")


def test_uncode_refuses_a_code_the_unit_lacks_and_its_last_code(run: Run, coded: Path) -> None:
    before = snapshot(run, coded)
    result = run("uncode", "U1", "kolleger", code=1)
    assert "[E434]" in result.stderr and "its codes: travelhet" in result.stderr
    result = run("uncode", "U1", "travelhet", code=1)
    assert "[E435]" in result.stderr and "stc unit delete U1" in result.stderr
    assert "[E401]" in run("uncode", "U1", "ukjent", code=1).stderr
    assert snapshot(run, coded) == before


# -- edit ----------------------------------------------------------------------------------------

def test_edit_moves_the_boundaries_clears_a_quotation_no_longer_in_it_and_check_names_it(
        run: Run, coded: Path) -> None:
    out = run("unit", "edit", "U1", "--segments", "3-4").stdout
    assert out.startswith("U1 I1:3-4  travelhet  (moved)\n"
                          "    Vi rekker ikke å snakke med brukerne. Men kollegene er gode.\n")
    assert "the illustrative quotation of U1 is no longer in its text, so it was cleared" in out
    assert not units(run)["U1"]["nugget"]
    assert condensate_failures(run) == [("condensates.changed", "U1")]
    out = run("unit", "edit", "U1", "--quote", "snakke med brukerne").stdout
    assert out.startswith("U1 I1:3  travelhet  (moved)\n    snakke med brukerne\n")
    summaries = [r["summary"] for r in json.loads(run("log", "--json").stdout)]
    assert "U1 boundaries moved: I1:2-3 -> I1:3-4" in summaries
    run("verify")


def test_edit_keeps_a_quotation_that_still_lies_in_the_text(run: Run, coded: Path) -> None:
    run("nugget", "U1", "--quote", "Vi rekker ikke")
    out = run("unit", "edit", "U1", "--segments", "3").stdout
    assert "quotation" not in out and units(run)["U1"]["nugget"]


def test_edit_finds_a_quote_outside_the_unit_in_the_whole_transcript(run: Run, coded: Path
                                                                      ) -> None:
    run("unit", "edit", "U2", "--quote", "Det går ut over familien")
    assert units(run)["U2"]["segments"] == "I1:8"


def test_edit_refusals_change_nothing(run: Run, coded: Path) -> None:
    before = snapshot(run, coded)
    assert "[E442]" in run("unit", "edit", "U1", "--segments", "4", code=1).stderr
    assert "[E431]" in run("unit", "edit", "U1", "--segments", "1", code=1).stderr
    assert "[E444]" in run("unit", "edit", "U1", "--segments", "I2:1", code=1).stderr
    assert "[E204]" in run("unit", "edit", "U1", "--segments", "40", code=1).stderr
    assert "[E404]" in run("unit", "edit", "U1", "--quote", "finnes ikke", code=1).stderr
    run("unit", "edit", "U1", code=2)
    assert snapshot(run, coded) == before


def test_edit_moves_a_unit_left_on_an_earlier_version_onto_the_current_one(
        run: Run, coded: Path) -> None:
    changed = INTERVIEW.replace("Vi rekker ikke å snakke med brukerne.",
                                "Vi rekker aldri å prate med brukerne.")
    run("import", "--replace", "I1", str(write(coded.parent / "I1b.txt", changed)))
    assert units(run)["U1"]["review"]
    before = snapshot(run, coded)
    assert "[E443]" in run("unit", "split", "U1", "--at", "Vi", code=1).stderr
    assert "[E443]" in run("unit", "join", "U1", "U2", code=1).stderr
    assert snapshot(run, coded) == before
    run("unit", "edit", "U1", "--segments", "10-11")
    unit = units(run)["U1"]
    assert unit["review"] is None and unit["segments"] == "I1:10-11"
    assert unit["text"] == "Jeg har det travelt. Vi rekker aldri å prate med brukerne."
    run("verify")


# -- split and join ------------------------------------------------------------------------------

def test_split_gives_the_second_part_a_new_number_with_the_same_codes_and_subgroup(
        run: Run, coded: Path) -> None:
    run("unit", "note", "U3", "-m", "Familien betaler.")
    out = run("unit", "split", "U3", "--at", "Jeg sover").stdout
    assert out.startswith("U3 I1:6  slitenhet  (split)\n    Om kvelden er jeg sliten.\n"
                          "U4 I1:7  slitenhet  (split)\n    Jeg sover dårlig.\n")
    found = units(run)
    assert found["U4"]["subgroup"] == "Tidspress" and found["U4"]["note"] is None
    assert found["U3"]["note"] == "Familien betaler."
    assert condensate_failures(run) == [("condensates.changed", "U3"),
                                        ("condensates.uncovered", "U4")]
    [add] = [r for r in json.loads(run("log", "--json").stdout) if r["kind"] == "unit.add"
             and r["payload"]["id"] == 4]
    assert "the second part of U3" in add["summary"]
    out = run("undo").stdout
    assert 'undid "stc unit split U3 --at …"' in out
    assert "U4" not in units(run) and units(run)["U3"]["segments"] == "I1:6-7"
    assert run("code", "I1:8", "familie").stdout.startswith("U5 ")  # U4 is never given again
    run("verify")


def test_split_takes_the_quotation_with_the_part_that_holds_it(run: Run, coded: Path) -> None:
    run("nugget", "U1", "--quote", "Vi rekker ikke å snakke")
    out = run("unit", "split", "U1", "--at", "Vi rekker").stdout
    assert "the illustrative quotation of U1 lies in the second part: it is now U4's" in out
    found = units(run)
    assert not found["U1"]["nugget"] and found["U4"]["nugget"]
    run("verify")


def test_split_refusals_change_nothing(run: Run, coded: Path) -> None:
    before = snapshot(run, coded)
    assert "[E437]" in run("unit", "split", "U1", "--at", "sliten", code=1).stderr
    run("code", "I1:6-8", "kveld")
    before = snapshot(run, coded)
    result = run("unit", "split", "U4", "--at", "går ut", code=1)
    assert "[E438]" in result.stderr and "2 times" in result.stderr
    assert "[E439]" in run("unit", "split", "U1", "--at", "Jeg har", code=1).stderr
    assert snapshot(run, coded) == before


def test_join_keeps_the_first_with_the_codes_and_notes_of_both(run: Run, coded: Path) -> None:
    run("unit", "note", "U1", "-m", "Travelt.")
    run("unit", "note", "U2", "-m", "Kolleger.")
    out = run("unit", "join", "U1", "U2").stdout
    assert out.startswith("U1 I1:2-4  kolleger; travelhet  (joined with U2)\n")
    found = units(run)
    assert "U2" not in found
    assert found["U1"]["note"] == "Travelt.\n\nKolleger."
    assert found["U1"]["subgroup"] == "Tidspress" and found["U1"]["nugget"]
    assert found["U1"]["groups"] == ["Arbeidsdagen", "Fellesskap"]
    summaries = [r["summary"] for r in json.loads(run("log", "--json").stdout)]
    assert "U2 (I1:4) deleted, joined into U1" in summaries
    run("undo")
    assert set(units(run)) == {"U1", "U2", "U3"}
    run("verify")


def test_join_refusals_change_nothing(run: Run, coded: Path) -> None:
    run("code", "I2:2", "kjøring")
    before = snapshot(run, coded)
    assert "[E440]" in run("unit", "join", "U1", "U4", code=1).stderr
    assert "[E441]" in run("unit", "join", "U1", "u1", code=1).stderr
    assert snapshot(run, coded) == before


def test_note_is_written_and_cleared(run: Run, coded: Path) -> None:
    assert run("unit", "note", "U2", "-m", "Viktig.").stdout == "Note on U2 written\n"
    assert units(run)["U2"]["note"] == "Viktig."
    assert run("unit", "note", "U2", "-m", "").stdout == "Note on U2 cleared\n"
    assert units(run)["U2"]["note"] is None
    label = json.loads(run("log", "--json").stdout)[-1]["label"]
    assert label == "stc unit note U2 --message …"  # the trail keeps no text


# -- the library the workbench builds on ---------------------------------------------------------

def test_code_span_narrows_a_selection_to_the_speech_by_the_rules_of_code(
        run: Run, coded: Path) -> None:
    project = open_project(coded)
    text = project.conn.execute("SELECT t.body FROM documents d JOIN texts t"
                                " ON t.hash = d.text WHERE d.id = 'I1'").fetchone()[0]
    start = text.index("I: Hva med")  # from the label of the question into the answer
    end = text.index("sliten.") + len("sliten.") + 1
    made = mu.code_span(project, "I1", start, end, ["kveld"])
    assert made.text == "Hva med kveldene?\n\nOm kvelden er jeg sliten."
    assert made.warnings == ["I1:5-6 crosses speakers: I, Kari"]
    again = mu.code_span(project, "i1", text.index("Om kvelden"), end - 1, ["trøtt"])
    assert (again.id, again.existing) == (made.id + 1, False)
    same = mu.code_span(project, "I1", start + 3, end, ["trøtt"])
    assert (same.id, same.existing) == (made.id, True)
    project.close()
    before = snapshot(run, coded)
    project = open_project(coded)
    for bad, code in (((start, start + 2), "E432"), ((0, len(text) + 1), "E433"),
                      ((text.index("Hva med"), text.index("kveldene?") + 9), "E431")):
        with pytest.raises(StcError) as refused:
            mu.code_span(project, "I1", bad[0], bad[1], ["x"])
        assert refused.value.code == code
    project.close()
    assert snapshot(run, coded) == before
    run("verify")


def test_a_command_based_on_an_earlier_view_is_refused_for_units_changed_since(
        run: Run, coded: Path) -> None:
    """The workbench records each write as a command `based_on` the change its page showed:
    every correction of units refuses through it what another command changed since."""
    run("code", "I1:4", "samhold")  # U2 has two codes: one can be taken off
    seen = last_change(run)
    run("unit", "note", "U2", "-m", "Endret i et annet vindu.")
    before = snapshot(run, coded)
    project = open_project(coded)
    writes: list[Callable[[], object]] = [
        lambda: mu.note_unit(project, "U2", "x"),
        lambda: mu.delete_unit(project, "U2", "x"),
        lambda: mu.edit_unit(project, "U2", "3"),
        lambda: mu.split_unit(project, "U2", "kollegene"),
        lambda: mu.join_units(project, "U1", "U2"),
        lambda: mu.uncode(project, "U2", ["kolleger"]),
        lambda: nugget(project, "U2"),
        lambda: set_aside(project, ["U1", "U2"], "x")]
    for write_unit in writes:
        with pytest.raises(StcError) as refused, project.command("a page", based_on=seen):
            write_unit()
        assert refused.value.code == "E323" and "U2 in #" in refused.value.message
    project.close()
    assert snapshot(run, coded) == before
    project = open_project(coded)
    with project.command("a page", based_on=seen):
        mu.note_unit(project, "U1", "ikke endret siden")  # U1 did not change
    project.close()
    assert units(run)["U1"]["note"] == "ikke endret siden"


def test_code_span_refuses_offsets_read_before_the_transcript_changed(
        run: Run, coded: Path) -> None:
    seen = last_change(run)
    changed = INTERVIEW.replace("Jeg har det travelt.", "Jeg har det svært travelt.")
    run("import", "--replace", "I1", str(write(coded.parent / "I1b.txt", changed)))
    before = snapshot(run, coded)
    project = open_project(coded)
    with pytest.raises(StcError) as refused:
        mu.code_span(project, "I1", 40, 60, ["x"], based_on=seen)
    project.close()
    assert refused.value.code == "E323" and "I1 in #" in refused.value.message
    assert snapshot(run, coded) == before


def test_a_selection_snaps_to_whole_words_never_into_a_label(run: Run, coded: Path) -> None:
    project = open_project(coded)
    try:
        doc = load_doc(project.conn, "I1")
        text = doc.text
        inside = text.index("ravelt"), text.index("Vi rekker") + len("Vi rek")
        assert text[slice(*doc.selected(*inside, snap=True))] == "travelt. Vi rekker"
        assert text[slice(*doc.selected(*inside))] == "ravelt. Vi rek"  # exactly, unless snapped
        # a word ending in punctuation: the punctuation stays out
        whole = text.index("Vi rekker"), text.index("brukerne") + len("brukerne")
        snapped = text[slice(*doc.selected(*whole, snap=True))]
        assert snapped == "Vi rekker ikke å snakke med brukerne"
        # from the space after a label: the label is no word to snap into
        label = text.index("Kari: Om"), text.index("Om kvelden") + 2
        assert text[slice(*doc.selected(*label, snap=True))] == "Om"
        for bad, code in (((5, 5), "E433"), ((-1, 4), "E433"), ((0, len(text) + 1), "E433"),
                          ((text.index("Kari: Om"), text.index("Kari: Om") + 5), "E432")):
            with pytest.raises(StcError) as refused:
                doc.selected(*bad, snap=True)
            assert refused.value.code == code
    finally:
        project.close()


def test_move_unit_takes_a_selection_by_the_rules_of_edit(run: Run, coded: Path) -> None:
    project = open_project(coded)
    try:
        text = load_doc(project.conn, "I1").text
        start = text.index("ollegene")  # inside a word: snapped
        moved = mu.move_unit(project, "U2", start, text.index("gode.") + 5, snap=True)
        assert moved.units == [2] and moved.warnings == []
    finally:
        project.close()
    assert units(run)["U2"]["text"] == "Men kollegene er gode."[4:]
    assert json.loads(run("log", "--json").stdout)[-1]["kind"] == "unit.edit"
    before = snapshot(run, coded)
    seen = last_change(run)
    project = open_project(coded)
    question = text.index("Hva med kveldene?")
    try:
        for args, code in (((question, question + 17), "E431"),  # the interviewer alone
                           ((text.index("Jeg har det travelt"),
                             text.index("brukerne.") + 9), "E442")):  # U1's stretch
            with pytest.raises(StcError) as refused:
                mu.move_unit(project, "U2", *args)
            assert refused.value.code == code
    finally:
        project.close()
    assert snapshot(run, coded) == before
    changed = INTERVIEW.replace("Jeg har det travelt.", "Jeg har det svært travelt.")
    run("import", "--replace", "I1", str(write(coded.parent / "I1b.txt", changed)))
    project = open_project(coded)
    try:
        with pytest.raises(StcError) as refused:
            mu.move_unit(project, "U2", start, start + 8, based_on=seen)
        assert refused.value.code == "E323" and "I1 in #" in refused.value.message
    finally:
        project.close()
