"""Step 3's read models and writes for the workbench: the sorting board of a code group, the
condensate and quotation editors, drafts kept outside the trail, and what erasure does to them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from stc import drafts
from stc.errors import StcError
from stc.project import Project, open_project
from stc.stages import board, condensation
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot
from tests.workbench import COLLEAGUES, CONDENSATE, COPING, SUPPORT

START = "Å ta i bruk"


@pytest.fixture
def study(run: Run, tmp_path: Path) -> Path:
    return workbench.board(run, workbench.build(run, tmp_path / "work"))


@pytest.fixture
def project(study: Path) -> Iterator[Project]:
    opened = open_project(study, author="tester")
    yield opened
    opened.close()


def cards(column: board.Column) -> list[str]:
    return [card.ref for card in column.cards]


def test_the_board_has_a_column_per_subgroup_and_the_units_waiting_or_set_aside(
        project: Project) -> None:
    shown = board.board(project.conn, "støtte")  # names as in every command: any case
    assert shown.group.name == SUPPORT and shown.colour == 2
    assert shown.groups == [(START, 1), (SUPPORT, 2)]
    assert [(c.kind, c.label, cards(c)) for c in shown.columns] == [
        ("subgroup", COLLEAGUES, ["U4"]), ("subgroup", COPING, [])]
    assert shown.unsorted is not None and cards(shown.unsorted) == ["U5"]
    assert cards(shown.aside) == []
    assert shown.seen == project.head()[0]
    written = shown.columns[0].condensate
    assert written is not None and written.text == CONDENSATE
    assert (written.rests_on, written.units, written.first_person) == ([4], [4], True)
    assert shown.columns[1].condensate == board.Condensate(
        written.target._replace(id=2, name="Mestring"), None, None, [], [], None)


def test_a_card_holds_the_units_words_place_participant_and_codes(project: Project) -> None:
    card = board.board(project.conn, START).columns[0].cards[1]
    assert (card.ref, card.segments, card.first, card.participant) == ("U2", "I1:3", 3, "Kari")
    assert card.text == "Jeg glemte passordet to ganger"
    assert [(c.name, c.group, c.group_number) for c in card.codes] == [
        ("passord", START, 1)]
    assert (card.note, card.aside, card.nugget) == (None, None, None)
    # the question before it, as context: the interviewer's turn it answers
    assert card.question == "Hvordan var den første uka med nettbrettet?"
    later = board.board(project.conn, SUPPORT).columns[0].cards[0]
    assert (later.ref, later.question) == ("U4", "Hva gjorde forskjellen?")


def test_a_group_without_subgroups_is_its_own_column_with_its_own_condensate(
        project: Project) -> None:
    shown = board.board(project.conn, START)
    assert [(c.kind, c.label, cards(c)) for c in shown.columns] == [
        ("group", START, ["U1", "U2"])]
    assert shown.unsorted is None
    assert shown.columns[0].condensate is not None
    assert shown.columns[0].condensate.units == [1, 2]
    condensation.set_aside(project, ["U2"], "om passordet, ikke om oppstarten")
    shown = board.board(project.conn, START)
    assert cards(shown.columns[0]) == ["U1"] and cards(shown.aside) == ["U2"]
    assert shown.aside.cards[0].aside == "om passordet, ikke om oppstarten"
    condensation.unsort(project, ["U2"])  # back
    assert cards(board.board(project.conn, START).columns[0]) == ["U1", "U2"]


def test_unsort_takes_units_out_of_subgroups_and_back_from_aside_and_leaves_others(
        project: Project) -> None:
    condensation.set_aside(project, ["U5"], "handler om noe annet")
    done = condensation.unsort(project, ["U4", "U5", "U2", "U4"])
    assert [r.payload for r in done] == [
        {"id": 4, "subgroup_id": None, "aside": None}, {"id": 5, "subgroup_id": None,
                                                        "aside": None}]
    shown = board.board(project.conn, SUPPORT)
    assert shown.unsorted is not None and cards(shown.unsorted) == ["U4", "U5"]


def test_the_boards_checks_are_those_of_stc_check_each_at_its_card_or_condensate(
        run: Run, study: Path, project: Project) -> None:
    checked = {c["id"]: c["failures"] for c in json.loads(
        run("check", "--json", "--project", str(study), code=1).stdout)}
    shown = board.board(project.conn, SUPPORT)
    assert [(c.unit, c.target) for c in shown.checks] == [
        (5, None), (None, COPING), (None, COLLEAGUES), (None, COPING)]
    step3 = checked["units-sorted"] + checked["condensates"] + checked["quotations"]
    assert all(c.message in step3 for c in shown.checks)
    # a condensate whose units changed is mended in its editor, though its message names units
    condensation.sort_units(project, ["U5"], COLLEAGUES)
    stale = [c for c in board.board(project.conn, SUPPORT).checks if "U5" in c.message]
    assert [(c.unit, c.target) for c in stale] == [(None, COLLEAGUES)]
    assert "dekker ennå ikke U5" in stale[0].message  # in the report language, as stc check
    # the other group's board shows its own only
    assert [c.target for c in board.board(project.conn, START).checks] == [START, START]


def test_the_editor_shows_what_the_condensate_rests_on_and_what_changed_elsewhere(
        run: Run, study: Path, project: Project) -> None:
    editor = board.condensate_editor(project.conn, COLLEAGUES)
    assert (editor.recorded, editor.base, editor.changed) == (CONDENSATE, project.head()[0], None)
    assert [c.ref for c in editor.cards] == ["U4"] and editor.key == "condensate:subgroup:1"
    base, loaded = editor.base, editor.condensate.digest
    assert loaded is not None
    # elsewhere: a unit sorted under it, the subgroup renamed; its text is the one loaded
    condensation.sort_units(project, ["U5"], COLLEAGUES)
    run("rename", "subgroup", COLLEAGUES, "Fra kollegene", "--project", str(study))
    renamed = "Støtte/Fra kollegene"
    editor = board.condensate_editor(project.conn, renamed, base, loaded)
    assert editor.changed is None and [c.ref for c in editor.cards] == ["U4", "U5"]
    assert (editor.condensate.added, editor.condensate.gone) == ([5], [])
    # rewritten elsewhere: the editor names the change
    run("condense", renamed, "-m", "Jeg lærte av en kollega.", "--project", str(study))
    editor = board.condensate_editor(project.conn, renamed, base, loaded)
    assert editor.changed == project.head()[0] and editor.recorded == "Jeg lærte av en kollega."
    assert editor.base == base
    # a page that loaded no condensate yet ('') sees the one written since
    assert board.condensate_editor(project.conn, COPING, base, "").changed is None
    run("sort", "U5", "--into", COPING, "--project", str(study))
    run("condense", COPING, "-m", "Jeg mestrer det.", "--project", str(study))
    assert board.condensate_editor(project.conn, COPING, base, "").changed == project.head()[0]
    with pytest.raises(StcError) as refused:
        board.condensate_editor(project.conn, SUPPORT)
    assert refused.value.code == "E508"


def test_drafts_are_kept_per_tab_offered_back_and_dropped_when_recorded(
        project: Project) -> None:
    base = project.head()[0]
    saved = board.save_condensate_draft(project, COLLEAGUES, "tab-a", "Jeg fikk", base)
    assert saved.first_person is True and saved.draft.docs == ["I1"]
    assert board.save_condensate_draft(project, COLLEAGUES, "tab-b", "Hun fikk hjelp",
                                       base).first_person is False
    offered = board.condensate_editor(project.conn, COLLEAGUES).draft
    assert offered is not None and offered.body in ("Jeg fikk", "Hun fikk hjelp")
    # a draft that says what is recorded offers nothing
    board.save_condensate_draft(project, COLLEAGUES, "tab-b", CONDENSATE, base)
    offered = board.condensate_editor(project.conn, COLLEAGUES).draft
    assert offered is not None and (offered.tab, offered.body) == ("tab-a", "Jeg fikk")
    # a tab that took over tab-a's draft after a reload replaces it
    board.save_condensate_draft(project, COLLEAGUES, "tab-c", "Jeg fikk hjelp av Kari", base,
                                replaces="tab-a")
    key = "condensate:subgroup:1"
    assert {d[0] for d in project.conn.execute("SELECT tab FROM drafts WHERE key = ?",
                                               (key,))} == {"tab-b", "tab-c"}
    # recorded: the condensate is in the trail, the drafts of that tab are gone
    before = project.head()[0]
    board.record_condensate(project, COLLEAGUES, "Jeg fikk hjelp av en kollega.", ["tab-c"])
    assert project.head()[0] == before + 1
    assert {d[0] for d in project.conn.execute("SELECT tab FROM drafts")} == {"tab-b"}
    assert board.condensate_editor(project.conn, COLLEAGUES).draft is not None  # tab-b's
    assert board.discard_condensate_draft(project, COLLEAGUES, ["tab-b"]) == 1
    assert board.condensate_editor(project.conn, COLLEAGUES).draft is None


def test_drafts_stay_out_of_the_trail_and_verify(run: Run, study: Path,
                                                 project: Project) -> None:
    head = project.head()
    board.save_condensate_draft(project, COLLEAGUES, "tab-a", "Jeg fikk", head[0])
    board.save_quotation_draft(project, "U2", "tab-a", "Jeg glemte …", head[0])
    assert project.head() == head
    run("verify", "--project", str(study))  # exit 0: the state still is the trail's replay


def test_erasing_a_transcript_removes_the_drafts_written_beside_it(
        run: Run, study: Path, project: Project) -> None:
    base = project.head()[0]
    board.save_condensate_draft(project, COLLEAGUES, "tab-a", "Jeg fikk hjelp av Kari", base)
    board.save_quotation_draft(project, "U2", "tab-a", "glemte passordet", base)
    # a subgroup without units yet: written beside the board's cards, which are from I1
    board.save_condensate_draft(project, COPING, "tab-a", "Nå bruker jeg det hver dag", base)
    drafts.save(project.conn, "condensate:subgroup:9", "tab-a", "om I2", base, ["I2"])
    project.close()  # an erasure needs the database alone
    out = run("erase", "I1", "--why", "samtykke trukket", "--yes", "--project",
              str(study)).stdout
    assert "3 drafts" in out
    after = open_project(study)
    left = after.conn.execute("SELECT key, body FROM drafts").fetchall()
    after.close()
    assert [tuple(r) for r in left] == [("condensate:subgroup:9", "om I2")]


def test_a_quotation_is_made_from_pieces_of_the_units_words_and_printed_as_the_report_will(
        run: Run, study: Path, project: Project) -> None:
    text = "Den første uka var kaotisk 😅. Jeg glemte passordet to ganger, og sjefen sa"
    u1 = board.quotation(project.conn, "U1").card.text
    assert u1.startswith(text)
    # code points, not UTF-16 units: the emoji is one
    first, second = (u1.index("kaotisk"), u1.index("kaotisk") + 7), \
        (u1.index("glemte"), u1.index("glemte") + 3)  # a word is taken whole
    made = board.quotation(project.conn, "U1", pieces=[second, first])
    assert made.quote == "… kaotisk … glemte …"
    assert made.printed == "«(…) kaotisk (…) glemte (…)»" and made.problem is None
    typed = board.quotation(project.conn, "U1", quote="kaotisk … to ganger")
    assert typed.printed == "«kaotisk (…) to ganger»"  # the language's cut marker
    # the report's settings: the cut marker, the participant named after it
    run("config", "set", "cut_marker", "[…]", "--project", str(study))
    run("config", "set", "quote_attribution", "participant", "--project", str(study))
    assert board.quotation(project.conn, "U1", quote="kaotisk … to ganger").printed == \
        "«kaotisk […] to ganger» (Kari)"
    wrong = board.quotation(project.conn, "U1", quote="to ganger … kaotisk")
    assert wrong.printed is None and wrong.problem is not None
    assert wrong.problem.code == "E510"
    board.save_quotation_draft(project, "U1", "tab-a", typed.quote, project.head()[0])
    assert board.quotation(project.conn, "U1").quote == typed.quote  # the draft, offered back
    board.record_quotation(project, "U1", typed.quote, ["tab-a"])
    units = {u["unit"]: u for u in json.loads(run("units", "--json", "--project",
                                                  str(study)).stdout)}
    assert units["U1"]["nugget"] is True
    again = board.quotation(project.conn, "U1")
    assert (again.card.nugget, again.draft, again.quote) == (
        "kaotisk … to ganger", None, "kaotisk … to ganger")
    board.record_quotation(project, "U1", None)
    assert board.quotation(project.conn, "U1").card.nugget is None


@pytest.mark.parametrize(("spans", "quote"), [
    ([(0, 3)], "Den …"),
    ([(4, 10), (40, 48)], "… første … passordet …"),  # widened to the whole word
    ([(27, 31), (31, 33)], "… 😅. Jeg …"),  # pieces that touch are one
    ([(52, 60), (60, 62), (62, 66)], "… to ganger, og sjefen …"),  # only punctuation between
    ([(0, 73)], "Den første uka var kaotisk 😅. Jeg glemte passordet to ganger, og sjefen sa"),
])
def test_quote_from_pieces(spans: list[tuple[int, int]], quote: str) -> None:
    source = "Den første uka var kaotisk 😅. Jeg glemte passordet to ganger, og sjefen sa"
    assert condensation.quote_from_pieces(source, spans) == quote
    assert condensation.verbatim_quote(source, quote) == quote


def test_pieces_without_words_make_no_quotation() -> None:
    with pytest.raises(StcError) as refused:
        condensation.quote_from_pieces("Ja. Nei.", [(2, 4), (9, 12)])
    assert refused.value.code == "E511"


def test_a_condensate_or_quotation_is_not_written_over_a_version_the_writer_did_not_see(
        run: Run, study: Path, project: Project) -> None:
    loaded = board.condensate_editor(project.conn, COLLEAGUES).condensate.digest
    assert loaded is not None
    run("condense", COLLEAGUES, "-m", "Jeg fikk hjelp.", "--project", str(study))
    before = snapshot(run, study)
    for write in (lambda: board.record_condensate(project, COLLEAGUES, "Jeg lærte.", over=loaded),
                  lambda: condensation.condense(project, COPING, "Jeg.", over="x" * 64),
                  lambda: board.record_quotation(project, "U4", "Kollegaen min", over="y" * 64)):
        with pytest.raises(StcError) as refused:
            write()
        assert refused.value.code == "E726"
    assert snapshot(run, study) == before
    now = board.condensate_editor(project.conn, COLLEAGUES).condensate.digest
    assert board.record_condensate(project, COLLEAGUES, "Jeg lærte.", over=now).text == \
        "Jeg lærte."
    assert board.record_quotation(project, "U4", "Kollegaen min", over="").card.nugget == \
        "Kollegaen min"
