"""Coding in the reading view over HTTP (Starlette's TestClient): a selection made a unit
exactly there by the rules of `stc code`, the picker's view of a selection, a unit's panel and
each change it makes, recorded as the command line records it and refused when based on a stale
view; two coders' units told apart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stc.project import open_project
from stc.stages.views import code_marks
from stc.units import load_doc
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot
from tests.workbench import NURSE, Tab, app, message, open_tab, study

__all__ = ["app", "study"]  # fixtures shared with the other workbench tests (tests.workbench)

QUESTION = "Hva gjorde forskjellen?"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("reading"))




@pytest.fixture
def tab(app: Any) -> Tab:
    return open_tab(app, path="/transcripts/I1")


def where(root: Path, phrase: str, doc: str = "I1") -> dict[str, str]:
    """The offsets of `phrase` in the stored text: code points, as the page counts them."""
    project = open_project(root)
    try:
        text = load_doc(project.conn, doc).text
    finally:
        project.close()
    start = text.index(phrase)
    return {"doc": doc, "start": str(start), "end": str(start + len(phrase))}


def units(run: Run) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in json.loads(run("units", "--json").stdout)}


def last(run: Run) -> dict[str, Any]:
    """The first change of the last command: it holds the command's label."""
    changes = json.loads(run("log", "--json").stdout)
    return dict(next(c for c in changes if c["seq"] == changes[-1]["command"]))


def rows(answer: str) -> list[str]:
    """The rows an answer swaps in: those a write changed."""
    return re.findall(r'<div class="row" id="s(\d+)" hx-swap-oob="true">', answer)


def picker_status(answer: str) -> str:
    found = re.search(r'<div id="picker-status"[^>]*>(.*?)</div>', answer, re.S)
    assert found
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()


# -- coding a selection ------------------------------------------------------------------------

def test_a_selection_becomes_a_unit_exactly_there_and_takes_more_codes(
        run: Run, study: Path, tab: Tab) -> None:
    phrase = f"erfaren sykepleier {NURSE}"  # the emoji: four code points, six UTF-16 units
    made = tab.post("/units/code", {**where(study, phrase), "name": "sykepleier"})
    assert made.status_code == 200
    assert message(made.text) == "U6 made at I1:6, coded sykepleier."
    assert units(run)["U6"]["text"] == phrase and units(run)["U6"]["codes"] == ["sykepleier"]
    assert [c["name"] for c in json.loads(run("codes", "--json").stdout)[-1]["codes"]] == [
        "humor", "sykepleier"]  # a new name made a new code, in no group yet
    change = last(run)
    assert change["label"] == "workbench: code I1 sykepleier --quote …"
    assert change["author"] == "tester"
    # the answer holds the rows that changed, not the whole transcript
    assert rows(made.text) == ["6"] and "<html" not in made.text
    assert re.search(r'<mark data-unit="U6"[^>]*>erfaren sykepleier', made.text)
    # Enter again in the picker: the same stretch, a second code, still one unit
    more = tab.post("/units/code", {**where(study, phrase), "name": "erfaring"})
    assert picker_status(more.text) == "U6 is exactly this stretch: erfaring added to it."
    assert units(run)["U6"]["codes"] == ["erfaring", "sykepleier"] and "U7" not in units(run)


def test_offsets_are_code_points_of_the_stored_text(run: Run, study: Path, tab: Tab) -> None:
    """Decomposed letters in the file are composed in the store (å is one code point), emoji
    before the selection count one code point each."""
    for phrase, name in (("på spøk", "spøk"), ("jeg blir mindre sliten", "mestring"),
                         ("bedre 👍🏽", "bedring")):
        assert tab.post("/units/code", {**where(study, phrase), "name": name}).status_code == 200
    made = [u["text"] for u in units(run).values()][-3:]
    assert made == ["på spøk", "jeg blir mindre sliten", "bedre 👍🏽"]


def test_a_selection_inside_words_snaps_to_them_unless_turned_off(
        run: Run, study: Path, tab: Tab) -> None:
    inside = where(study, "emte passordet to gan")
    tab.post("/units/code", {**inside, "name": "passord"})
    assert units(run)["U6"]["text"] == "glemte passordet to ganger"
    tab.post("/units/code", {**inside, "name": "passord", "snap": "0"})
    assert units(run)["U7"]["text"] == "emte passordet to gan"
    # punctuation and emoji stand alone: a selection ending before them keeps them out
    tab.post("/units/code", {**where(study, "Den første uka var kaotisk"), "name": "kaos"})
    assert units(run)["U8"]["text"] == "Den første uka var kaotisk"


def test_the_interviewers_words_alone_are_refused_unless_coded_on_purpose(
        run: Run, study: Path, tab: Tab) -> None:
    before = snapshot(run, study)
    question = where(study, QUESTION)
    refused = tab.post("/units/code", {**question, "name": "spørsmål"})
    assert refused.status_code == 400
    assert "only the interviewer speaks in I1:5" in picker_status(refused.text)
    assert "[E431]" in picker_status(refused.text)
    assert snapshot(run, study) == before
    done = tab.post("/units/code", {**question, "name": "spørsmål", "allow_interviewer": "1"})
    assert done.status_code == 200 and units(run)["U6"]["interviewer"] is True
    # quoted as a shell quotes a word outside ASCII, as every workbench label names things
    assert last(run)["label"] == "workbench: code I1 'spørsmål' --quote … --allow-interviewer"


def test_a_stretch_across_speakers_is_made_with_a_warning_and_no_speaker_label(
        run: Run, study: Path, tab: Tab) -> None:
    across = where(study, f"{QUESTION}\n\nKari: Kollegaen min")
    done = tab.post("/units/code", {**across, "name": "overgang"})
    assert done.status_code == 200
    assert "Warning: I1:5-6 crosses speakers: I, Kari." in picker_status(done.text)
    assert units(run)["U6"]["text"] == f"{QUESTION}\n\nKollegaen min"  # no "Kari:"
    assert rows(done.text) == ["5", "6"]


def test_a_selection_of_no_speech_or_outside_the_text_is_refused(run: Run, study: Path,
                                                                  tab: Tab) -> None:
    before = snapshot(run, study)
    label = where(study, "Kari: ")  # the speaker's label alone, and the space after it
    for fields, code in (({**label, "end": str(int(label["end"]) - 1)}, "E432"),
                         ({"doc": "I1", "start": "10", "end": "99999"}, "E433"),
                         ({"doc": "I1", "start": "30", "end": "20"}, "E433"),
                         ({"doc": "I1", "start": "x", "end": "20"}, "E722"),
                         ({"doc": "I1", "start": "10"}, "E723"),
                         ({**where(study, "Kollegaen"), "name": ""}, "E723")):
        refused = tab.post("/units/code", {"name": "x", **fields})
        assert refused.status_code == 400 and f"[{code}]" in picker_status(refused.text), fields
    unknown = tab.post("/units/code", {"doc": "I9", "start": "1", "end": "5", "name": "x"})
    assert unknown.status_code == 404 and "[E202]" in unknown.text
    assert snapshot(run, study) == before


def test_a_selection_on_a_transcript_changed_since_the_page_is_refused(
        run: Run, study: Path, tab: Tab, tmp_path: Path) -> None:
    stale = tab.seen
    changed = tmp_path / "I1-ny.txt"
    changed.write_text(workbench.INTERVIEW.replace("Den første uka", "Den aller første uka"),
                       encoding="utf-8")
    run("import", "--replace", "I1", str(changed), "--why", "skrivefeil")
    before = snapshot(run, study)
    refused = tab.post("/units/code", {**where(study, "Kollegaen min"), "name": "x",
                                       "based_on": stale})
    assert refused.status_code == 409 and "[E323]" in picker_status(refused.text)
    assert "I1 in #" in picker_status(refused.text)
    assert snapshot(run, study) == before
    assert refused.headers["hx-reswap"] == "none" and "<html" in refused.text  # as it is now


def test_the_picker_shows_what_a_selection_would_make(study: Path, tab: Tab) -> None:
    def preview(phrase: str, **more: str) -> str:
        shown = tab.client.get("/transcripts/I1/selection", params={**where(study, phrase),
                                                                     **more})
        assert shown.status_code == 200
        return re.sub(r"\s+", " ", shown.text)

    seen = preview("Kollegaen min")
    assert "<strong>I1:6</strong>" in seen
    assert f'After the question:</span> <span lang="nb">{QUESTION}' in seen
    assert ('<blockquote class="chosen-text" lang="nb" spellcheck="false">Kollegaen min'
            '</blockquote>') in seen
    assert "exactly the stretch of U5" in preview("Nå bruker jeg det hver dag")
    assert "snap" not in preview("ollegaen mi", snap="0") and ">ollegaen mi<" in preview(
        "ollegaen mi", snap="0")
    asked = preview(QUESTION)
    assert "only the interviewer speaks in I1:5" in asked and "[E431]" in asked
    assert 'name="allow_interviewer" value="1">' in asked  # the choice to code it anyway
    allowed = preview(QUESTION, allow_interviewer="1")
    assert "[E431]" not in allowed and 'value="1" checked>' in allowed
    assert "Warning: I1:5-6 crosses speakers: I, Kari." in preview(f"{QUESTION}\n\nKari: Koll")
    refused = tab.client.get("/transcripts/I1/selection", params={"start": "5", "end": "1"})
    assert refused.status_code == 400 and "[E433]" in refused.text


# -- working on a unit -------------------------------------------------------------------------

def panel(tab: Tab, unit: str) -> str:
    shown = tab.client.get("/transcripts/I1/unit", params={"unit": unit})
    assert shown.status_code == 200
    return re.sub(r"\s+", " ", shown.text)


def panel_seen(shown: str) -> str:
    found = re.search(r'name="based_on" value="(\d+)"', shown)
    assert found
    return found.group(1)


def test_a_units_panel_shows_its_text_codes_note_context_and_maker(run: Run,
                                                                   tab: Tab) -> None:
    run("unit", "note", "U2", "-m", "Glemte to ganger <b>")
    shown = panel(tab, "u2")
    assert 'data-unit-panel="U2"' in shown
    assert 'Meaning unit U2 <span class="place">I1:3</span>' in shown
    assert ('<blockquote class="unit-text" lang="nb" spellcheck="false">Jeg glemte passordet'
            ' to ganger</blockquote>') in shown
    assert "Hvordan var den første uka med nettbrettet?" in shown  # the question before it
    assert re.search(r'Made by <strong>tester</strong> on \d{4}-\d\d-\d\d at \d\d:\d\d', shown)
    assert '<li class="g1"><span class="group">Å ta i bruk:</span> passord' in shown
    assert "Glemte to ganger &lt;b&gt;</textarea>" in shown
    assert "Kari" in shown
    # a unit no longer there says so; a reference that is no unit is an error
    assert "U99 is no longer there" in panel(tab, "U99")
    wrong = tab.client.get("/transcripts/I1/unit", params={"unit": "X7"})
    assert wrong.status_code == 400 and "[E505]" in wrong.text


def test_codes_are_added_to_a_unit_and_taken_off_as_the_command_line_records_it(
        run: Run, study: Path, tab: Tab) -> None:
    shown = panel(tab, "U2")
    stretch = dict(re.findall(r'name="(doc|start|end)" value="([^"]+)"', shown))
    added = tab.post("/units/code", {**stretch, "name": "humor", "snap": "0", "unit": "U2",
                                     "based_on": panel_seen(shown)})
    assert message(added.text) == "U2 is exactly this stretch: humor added to it."
    assert units(run)["U2"]["codes"] == ["humor", "passord"]
    assert 'data-unit-panel="U2"' in added.text  # the panel, as it is now
    assert rows(added.text) == ["3"]
    taken = tab.post("/units/uncode", {"unit": "U2", "name": "passord",
                                       "based_on": panel_seen(panel(tab, "U2"))})
    assert message(taken.text) == "passord taken off U2."
    assert units(run)["U2"]["codes"] == ["humor"]
    assert last(run)["label"] == "workbench: uncode U2 passord"
    before = snapshot(run, study)
    refused = tab.post("/units/uncode", {"unit": "U2", "name": "humor"})
    assert refused.status_code == 400 and "[E435]" in message(refused.text)
    assert snapshot(run, study) == before


def test_a_note_is_written_and_cleared(run: Run, tab: Tab) -> None:
    written = tab.post("/units/note", {"unit": "U4", "text": "Hjelp fra en <erfaren> kollega"})
    assert message(written.text) == "Note on U4 written."
    assert units(run)["U4"]["note"] == "Hjelp fra en <erfaren> kollega"
    assert last(run)["label"] == "workbench: unit note U4 -m …"
    assert "Hjelp fra en &lt;erfaren&gt; kollega" in written.text  # beside the text, escaped
    tab.post("/units/note", {"unit": "U4", "text": "  "})
    assert units(run)["U4"]["note"] is None


def test_a_unit_is_moved_to_a_new_selection(run: Run, study: Path, tab: Tab) -> None:
    longer = where(study, "Nå bruker jeg det hver dag, og jeg blir mindre sliten.")
    moved = tab.post("/units/move", {"unit": "U5", "start": longer["start"],
                                     "end": longer["end"], "offsets_on": tab.seen})
    assert moved.status_code == 200 and message(moved.text) == "U5 moved."
    assert units(run)["U5"]["text"] == "Nå bruker jeg det hver dag, og jeg blir mindre sliten."
    assert last(run)["label"] == "workbench: unit edit U5 --quote …"
    assert rows(moved.text) == ["7"]
    # onto the stretch of another unit: refused, as stc unit edit refuses it
    before = snapshot(run, study)
    other = where(study, "Kollegaen min, en erfaren sykepleier")
    refused = tab.post("/units/move", {"unit": "U5", "start": other["start"], "end": "307",
                                       "offsets_on": tab.seen})
    assert refused.status_code == 400 and "[E442]" in message(refused.text)
    assert snapshot(run, study) == before


def test_a_unit_is_set_aside_from_its_panel_and_taken_back(run: Run, tab: Tab) -> None:
    aside = tab.post("/board/aside", {"units": "U5", "why": "om noe annet", "unit": "U5"})
    assert message(aside.text) == "U5 set aside." and rows(aside.text) == ["7"]
    assert units(run)["U5"]["aside"] == "om noe annet"
    assert "Set aside: om noe annet" in re.sub(r"\s+", " ", aside.text)  # in its panel
    back = tab.post("/board/unsort", {"units": "U5", "unit": "U5"})
    assert units(run)["U5"]["aside"] is None and "Take it back" not in back.text


def test_a_unit_is_deleted_with_a_reason_and_undone(run: Run, study: Path, tab: Tab) -> None:
    before = snapshot(run, study)
    refused = tab.post("/units/delete", {"unit": "U3", "why": " "})
    assert refused.status_code == 400 and "[E720]" in message(refused.text)
    assert snapshot(run, study) == before
    gone = tab.post("/units/delete", {"unit": "U3", "why": "dobbelt"})
    assert message(gone.text) == "U3 deleted." and "U3" not in units(run)
    assert last(run)["label"] == "workbench: unit delete U3 --why …"
    assert last(run)["why"] == "dobbelt"
    assert 'data-unit="U3"' not in gone.text and rows(gone.text) == ["3"]
    undone = tab.post("/undo", {})
    assert "U3" in units(run) and 'data-unit="U3"' in undone.text  # the whole page again
    assert last(run)["label"] == "workbench: undo"


@pytest.mark.parametrize(("path", "fields"), [
    ("/units/uncode", {"unit": "U2", "name": "passord"}),
    ("/units/note", {"unit": "U2", "text": "ny"}),
    ("/units/move", {"unit": "U2", "start": "84", "end": "104"}),
    ("/units/delete", {"unit": "U2", "why": "feil"}),
    ("/board/aside", {"units": "U2", "why": "annet"}),
    ("/units/code", {"doc": "I1", "start": "84", "end": "113", "name": "spøk"}),
], ids=["uncode", "note", "move", "delete", "aside", "code"])
def test_a_change_to_a_unit_changed_since_the_page_is_refused(
        run: Run, study: Path, tab: Tab, path: str, fields: dict[str, str]) -> None:
    stale = tab.seen
    run("code", "I1:3", "humor", "--quote", "Jeg glemte passordet to ganger")  # a terminal
    before = snapshot(run, study)
    refused = tab.post(path, {**fields, "based_on": stale, "offsets_on": stale})
    assert refused.status_code == 409, message(refused.text)
    assert "[E323]" in message(refused.text) and "U2 in #" in message(refused.text)
    assert snapshot(run, study) == before


# -- the page follows --------------------------------------------------------------------------

def test_a_write_answers_with_the_whole_page_when_more_changed(run: Run, study: Path,
                                                              tab: Tab) -> None:
    seen = tab.seen
    run("rename", "code", "mestring", "hverdag", "--why", "bedre ord")  # shows in every row
    done = tab.post("/units/code", {**where(study, "Kollegaen min"), "name": "kollega",
                                    "based_on": seen})
    assert done.status_code == 200 and "<html" in done.text
    assert "hverdag" in done.text and rows(done.text) == []


def test_two_coders_units_are_told_apart_and_each_can_be_hidden(run: Run, study: Path,
                                                                app: Any) -> None:
    run("code", "I1:6", "kollega", "--quote", "Kollegaen min", "--author", "Anna")
    tab = open_tab(app, path="/transcripts/I1")
    page = re.sub(r"\s+", " ", tab.page)
    assert re.findall(r'type="checkbox" name="show" value="([^"]+)" checked', page) == [
        "tester", "Anna"]
    assert '<span class="coder coder-2">Anna</span>' in page
    assert '<span class="coder coder-1">tester</span>' in page
    both = re.search(r'class="piece depth-2 by-1 by-2" data-start="(\d+)">'
                     r'<mark data-unit="U4"[^>]*><mark data-unit="U6" title="U6: kollega'
                     r' \(by Anna\)">Kollegaen min', page)
    assert both, "Kollegaen min: coded by both"
    only_anna = tab.get("/transcripts/I1", coders="chosen", show="Anna").text
    assert sorted(set(re.findall(r'data-unit="(U\d+)"', only_anna))) == ["U6"]
    assert re.findall(r'type="checkbox" name="show" value="([^"]+)"( checked)?', only_anna) == [
        ("tester", ""), ("Anna", " checked")]
    assert "1 of 6 meaning units shown" in re.sub(r"\s+", " ", only_anna)
    # the same units as stc compare takes for each coder: by the author of their unit.add
    compared = json.loads(run("compare", "--coders", "tester,Anna", "--disagreements",
                              "--json").stdout)
    sides = {side: {u["unit"] for place in compared["disagreements"] for u in place[side]}
             for side in ("a", "b")}
    assert sides == {"a": {"U1", "U2", "U3", "U4", "U5"}, "b": {"U6"}}


def test_a_second_coder_and_a_new_group_reach_the_filters_of_an_open_page(run: Run,
                                                                         tab: Tab) -> None:
    """The poll's answer holds the filters too: what a terminal adds can be chosen in them
    without a reload."""
    assert '<div id="filter-coders">' in tab.page and 'name="show"' not in tab.page
    seen = tab.seen
    run("code", "I1:6", "kollega", "--quote", "Kollegaen min", "--author", "Anna")
    run("group", "kollega", "--into", "Fellesskap")
    polled = tab.get("/transcripts/I1", seen=seen)
    assert polled.status_code == 200
    live = re.search(r'hx-select-oob="([^"]+)"', polled.text)
    assert live and {"#filter-coders", "#filter-group", "#filter-code"} <= set(
        live.group(1).split(","))
    coders = re.search(r'<div id="filter-coders">(.*?)</div>', polled.text, re.S)
    assert coders and re.findall(r'name="show" value="([^"]+)" checked', coders.group(1)) == [
        "tester", "Anna"]
    groups = re.search(r'<select id="filter-group" name="group">(.*?)</select>', polled.text,
                       re.S)
    assert groups and '<option value="Fellesskap">' in groups.group(1)
    assert tab.get("/transcripts/I1", seen=tab.seen).status_code == 204  # nothing more since


def test_the_code_list_of_the_picker_names_each_codes_group(tab: Tab, study: Path) -> None:
    listed = re.search(r'<ul id="code-list" hidden>(.*?)</ul>', tab.page, re.S)
    assert listed
    options = re.findall(r'<li data-code="([^"]+)">.*?<span class="in-group g\d">([^<]+)</span>',
                         listed.group(1))
    project = open_project(study)
    try:
        marks = code_marks(project.conn)
    finally:
        project.close()
    assert options == [(m.name, m.group or "no group") for m in marks.values()]
    assert ("humor", "no group") in options and ("passord", "Å ta i bruk") in options
