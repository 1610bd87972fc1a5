"""The library behind the workbench's pages of steps 1 and 4, the validation, the comments, the
trail panel and the report preview: what each page shows, from projects built through the
commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stc import drafts, since
from stc.errors import StcError
from stc.project import Project, open_project
from stc.reports.render import page
from stc.stages import history_view, impression, recontext, supervision, writing
from tests.builders import WORDS
from tests.conftest import Run
from tests.samples import snapshot

NB = WORDS["nb"]
TIME, TECH = NB["time"], NB["tech"]
RUSH, TIRED = f"{TIME}/{NB['rush']}", f"{TIME}/{NB['tired']}"


@pytest.fixture
def project(done: Path) -> Iterator[Project]:
    opened = open_project(done)
    try:
        yield opened
    finally:
        opened.close()


# -- step 1 ------------------------------------------------------------------------------------

def test_step1_says_when_coding_began_before_the_pre_understanding(run: Run, tmp_path: Path,
                                                                    project: Project) -> None:
    on_time = impression.overview(project.conn)
    assert [m.body for m in on_time.preunderstanding] == [NB["preunderstanding"]]
    assert on_time.coding_began is not None and not on_time.written_late
    assert [t.name for t in on_time.themes] == NB["themes"] and on_time.themes_in_range
    assert [(i.doc, i.participant, i.memos) for i in on_time.impressions] == [
        ("I1", "I1", []), ("I2", "I2", []), ("I3", "I3", [])]

    late = tmp_path / "late"
    run("init", str(late), "--language", "nb", "--title", "Sent")
    run("import", str(tmp_path / "transcripts-nb" / "I1.txt"), "--speakers", "I=interviewer",
        "--project", str(late))
    run("code", "I1:2", "tidspress", "--project", str(late))
    run("memo", "add", "--on", "I1", "-m", "Travelt.", "--project", str(late))
    second = open_project(late)
    try:
        seen = impression.overview(second.conn)
        assert seen.written_late and seen.preunderstanding == []
        assert [m.body for m in seen.impressions[0].memos] == ["Travelt."]
        run("memo", "add", "--kind", "preunderstanding", "-m", "Etterpå.", "--project", str(late))
        later = impression.overview(second.conn)
        assert later.written_late and later.preunderstanding[0].seq > later.coding_began  # type: ignore[operator]
    finally:
        second.close()


def test_frequent_words_count_the_forms_of_a_lemma_together() -> None:
    found = impression.frequent(["Hun ringer. Han ringte.", "Pasientene ringer, pasienten"
                                 " venter."], "nb", top=2)
    assert found == [("ringer", "ringe", 3), ("pasienten", "pasient", 2)]


# -- step 4 ------------------------------------------------------------------------------------

def test_the_outline_has_the_categories_in_order_with_headings_and_prevalence_in_words(
        run: Run, project: Project) -> None:
    outline = writing.outline(project.conn)
    assert [(s.label, s.heading, s.described) for s in outline] == [
        (TIME, NB["heading_time"], True), (TECH, TECH, True)]
    assert [s.label for s in outline[0].subsections] == [RUSH, TIRED]
    rush = outline[0].subsections[0].prevalence
    assert rush is not None and (rush.units, rush.participants, rush.total) == (3, 3, 3)
    assert rush.words == "alle informantene"
    assert outline[0].subsections[1].prevalence.words == "en av informantene"  # type: ignore
    run("order", "groups", TECH)
    assert [s.label for s in writing.outline(project.conn)] == [TECH, TIME]


def test_the_editor_shows_its_material_and_which_quotations_the_text_places(
        project: Project) -> None:
    rush = writing.editor(project.conn, RUSH)
    assert rush.recorded == NB["desc_rush"] and rush.heading == "" and rush.changed is None
    assert rush.material.condensates == [(RUSH, NB["cond_rush"])]
    assert [(q.ref, q.placed) for q in rush.material.quotations] == [("U1", True)]
    assert rush.material.quotations[0].printed == "«Jeg har aldri tid nok (…) det er ingen tid" \
                                                  " til å prate»"
    # a category with subcategories: their condensates, its quotations printed under them
    time = writing.editor(project.conn, TIME)
    assert [owner for owner, _ in time.material.condensates] == [RUSH, TIRED]
    assert time.material.quotations == [] and time.heading == NB["heading_time"]
    # a text that places a unit that is no quotation of it is told so
    writing.save_draft(project, TIRED, "tab-a", "Tekst.\n\n[U1]\n\n[U3]", "", 0)
    tired = writing.editor(project.conn, TIRED)
    assert tired.draft is not None and tired.placed_elsewhere == [1]
    assert [(q.ref, q.placed) for q in tired.material.quotations] == [("U3", True)]


def test_an_analytic_text_is_recorded_from_its_draft_never_over_a_text_rewritten_elsewhere(
        run: Run, done: Path, project: Project) -> None:
    seen = writing.editor(project.conn, TECH)
    writing.save_draft(project, TECH, "tab-a", "Ny tekst.", "Skjermen", seen.base)
    kept = writing.editor(project.conn, TECH)
    assert (kept.draft.body, kept.heading_draft.body) == ("Ny tekst.", "Skjermen")  # type: ignore
    assert drafts.newest(project.conn, "description:group:2").docs == ["I2", "I3"]  # type: ignore
    run("describe", TECH, "-m", "Skrevet i terminalen.")
    stale = writing.editor(project.conn, TECH, seen.base, seen.digest or "")
    assert stale.changed is not None and stale.recorded == "Skrevet i terminalen."
    before = snapshot(run, done)
    with pytest.raises(StcError) as refused:
        writing.record(project, TECH, "Ny tekst.", "Skjermen", ["tab-a"], seen.digest or "",
                       seen.heading)
    assert refused.value.code == "E726"
    assert snapshot(run, done) == before  # the draft kept too
    writing.record(project, TECH, "Ny tekst.", "Skjermen", ["tab-a"], stale.digest or "", "")
    after = writing.editor(project.conn, TECH)
    assert (after.recorded, after.heading, after.draft) == ("Ny tekst.", "Skjermen", None)
    # recording what is recorded records nothing
    head = project.head()
    writing.record(project, TECH, "Ny tekst.", "Skjermen", [], after.digest or "", "Skjermen")
    assert project.head() == head


# -- the validation ------------------------------------------------------------------------------

def test_the_validation_view_marks_units_aside_other_and_uncoded_speech(
        project: Project) -> None:
    view = recontext.view(project.conn, TIME, ["jobbe", "skjermen"], "nb")
    by_doc = {t.id: t for t in view.transcripts}
    assert by_doc["I1"].units == [1, 3] and by_doc["I1"].aside == [2]
    kinds = {(doc.id, row.n): {s.kind for s in row.stretches}
             for doc in view.transcripts for turn in doc.turns for row in turn.rows}
    assert kinds[("I1", 2)] == {recontext.IN}
    assert kinds[("I1", 5)] == {recontext.ASIDE}  # the interviewer's question, set aside
    assert kinds[("I1", 1)] == {recontext.SPOKEN}  # the interviewer, not coded
    assert kinds[("I2", 6)] == {recontext.OTHER}  # the tablet: another category
    assert kinds[("I1", 4)] == {recontext.UNCODED}  # "Det er ikke sånn jeg vil jobbe."
    # the words searched for, in the participants' speech no unit holds: not "skjermen" in
    # I3:2 (a unit of Teknologi), nor the interviewer's words
    assert view.searched == ["jobbe", "skjermen"] and view.hits == [("I1", 4, "jobbe")]
    found = [s for row in by_doc["I1"].turns[1].rows for s in row.stretches if s.hit]
    assert [(s.text, s.kind) for s in found] == [("jobbe", recontext.UNCODED)]
    assert view.validation is not None and view.validation.current
    assert [m.body for m in view.validations] == [NB["valid_time"]]
    assert view.units[2].aside == NB["aside"] and view.units[1].place == RUSH


def test_the_category_words_come_from_its_units_not_set_aside(project: Project) -> None:
    view = recontext.view(project.conn, TECH, None, "nb")
    assert view.suggested and view.searched == [w for w, _, _ in view.suggested[:6]]
    assert "skjermen" in [w for w, _, _ in view.suggested]


# -- comments, the trail panel, since --------------------------------------------------------

def test_comments_are_found_by_what_they_stand_on_and_where_in_a_transcript(
        run: Run, project: Project) -> None:
    run("comment", "add", "U4", "-m", "Tid eller tillit?")
    run("comment", "add", "I3:5-6", "-m", "Se her.")
    run("comment", "add", f"text:{RUSH}", "-m", "Hvor mange?")
    assert [c.body for c in supervision.comments_on(project.conn, [f"TEXT:{RUSH}", "u4"])] \
        == ["Tid eller tillit?", "Hvor mange?"]
    assert supervision.place_of(project.conn, "U4") == ("I2", 2)
    assert supervision.place_of(project.conn, "I3:5-6") == ("I3", 5)
    assert supervision.place_of(project.conn, f"text:{RUSH}") is None
    assert supervision.place_of(project.conn, f"group:{TIME}") is None


def test_the_trail_panel_follows_an_object_across_a_rename_and_marks_what_was_undone(
        run: Run, project: Project) -> None:
    run("rename", "subgroup", RUSH, "Travelt", "--why", "kortere")
    life = history_view.object_changes(project.conn, f"subgroup:{TIME}/Travelt")
    assert life[0].what.startswith("subgroup") and life[-1].why == "kortere"
    run("undo")
    latest = history_view.recent(project.conn, limit=2)
    assert latest[0].mark and latest[1].undone and latest[1].why == "kortere"


def test_since_a_seal_is_named_by_its_change_and_no_file_is_read_from_a_page(
        project: Project, done: Path) -> None:
    assert since.seals(project.conn) == []
    (done / "seal.txt").write_text(f"change: 3\nhash: {'a' * 64}\n", encoding="utf-8")
    with pytest.raises(StcError) as refused:
        since.point(project.conn, str(done / "seal.txt"), files=False)
    assert refused.value.code == "E564"
    assert since.diff_pieces(since.word_diff("jeg har tid", "jeg har ikke tid")) == [
        ("=", "jeg har "), ("+", "ikke"), ("=", " tid")]


# -- the report preview --------------------------------------------------------------------------

def test_the_preview_is_the_results_chapter_the_report_writes(run: Run, done: Path,
                                                               project: Project) -> None:
    run("report", "results", "--format", "html")
    shown = page(project, "results")
    assert shown.html == (done / "reports" / "results.html").read_text(encoding="utf-8")
    assert shown.identifying == []
    run("names", "add", "Kari")
    run("describe", TECH, "-m", "Kari sier at skjermen hjelper.")
    assert page(project, "results").identifying  # shown, with the places the report refuses
    earlier = page(project, "results", as_of=3)
    assert "Kari sier" not in earlier.html
    assert "Revisjonsspor" in page(project, "audit").html
