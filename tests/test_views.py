"""The read models of the reading view: pieces cut at unit boundaries, depths, coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stc.errors import StcError
from stc.project import open_project
from stc.stages import views
from stc.stages.views import word_coverage
from stc.units import load_doc
from tests import workbench
from tests.conftest import Run


@pytest.fixture
def study(run: Run, tmp_path: Path) -> Path:
    return workbench.build(run, tmp_path / "work")


def view_of(root: Path, doc: str = "I1", **filters: Any) -> views.TranscriptView:
    project = open_project(root)
    try:
        return views.transcript(project.conn, doc, **filters)
    finally:
        project.close()


def segment(view: views.TranscriptView, n: int) -> views.SegmentPieces:
    return next(s for t in view.turns for s in t.segments if s.n == n)


def shown(seg: views.SegmentPieces) -> list[tuple[str, list[str]]]:
    return [(p.text, [f"U{u}" for u in p.units]) for p in seg.pieces]


def units_json(run: Run, root: Path) -> dict[str, dict[str, str]]:
    return {u["unit"]: u for u in json.loads(run("units", "--json", "--project", str(root)).stdout)}


def test_a_segment_is_cut_at_every_unit_boundary_with_its_depth(study: Path) -> None:
    view = view_of(study)
    assert shown(segment(view, 3)) == [
        ("Jeg glemte passordet ", ["U1", "U2"]),
        ("to ganger", ["U1", "U2", "U3"]),
        (", og sjefen", ["U1", "U3"]),
        (" sa \"<script>alert('x')</script>\" på spøk.", ["U1"]),
    ]
    assert [p.depth for p in segment(view, 3).pieces] == [2, 3, 2, 1]
    assert shown(segment(view, 7)) == [
        ("Nå bruker jeg det hver dag", ["U5"]),
        (", og jeg blir mindre sliten.", []),
    ]


def test_pieces_rebuild_every_segment_and_every_unit(run: Run, study: Path) -> None:
    """Joined, a segment's pieces are its text as `stc show` prints it, and the pieces a unit
    covers are its text as `stc units` prints it: offsets count code points right around
    emoji and the letters imported decomposed."""
    view = view_of(study)
    listed = json.loads(run("show", "I1", "--json", "--project", str(study)).stdout)
    by_number = {s["n"]: s["text"] for s in listed["segments"]}
    segments = [s for t in view.turns for s in t.segments]
    assert [s.n for s in segments] == sorted(by_number)
    for seg in segments:
        assert "".join(p.text for p in seg.pieces) == by_number[seg.n]
        assert seg.ref == f"I1:{seg.n}"
        starts = [p.start for p in seg.pieces]
        assert starts[0] == seg.start
        assert starts[1:] == [p.start + len(p.text) for p in seg.pieces[:-1]]
    units = units_json(run, study)
    for ref in ("U2", "U3", "U5", "U4"):  # units inside one segment
        number = int(ref[1:])
        pieces = [p.text for s in segments for p in s.pieces if number in p.units]
        assert "".join(pieces) == units[ref]["text"]


def test_the_text_is_nfc_and_offsets_are_code_points(study: Path) -> None:
    """Each piece's start indexes the stored (NFC) text in code points: after the emoji of
    one, two and four code points, a count in UTF-16 units or bytes would land elsewhere."""
    view = view_of(study)
    project = open_project(study)
    try:
        stored = load_doc(project.conn, "I1").text
    finally:
        project.close()
    pieces = [p for t in view.turns for s in t.segments for p in s.pieces]
    assert all(stored[p.start:p.start + len(p.text)] == p.text for p in pieces)
    last = segment(view, 7).pieces[0]
    assert last.text.startswith("Nå") and last.start > len(stored.encode("utf-16-le")) // 2 - 60
    assert stored.index("Nå bruker") == last.start
    assert "kaféen" in stored and "e\u0301" not in stored and workbench.NURSE in stored


def test_each_unit_stands_in_the_margin_of_its_first_segment(study: Path) -> None:
    view = view_of(study)
    margins = {s.n: [f"U{u}" for u in s.units] for t in view.turns for s in t.segments}
    assert margins == {1: [], 2: ["U1"], 3: ["U2", "U3"], 4: [], 5: [], 6: ["U4"], 7: ["U5"]}
    u1 = view.units[1]
    assert (u1.segments, [c.name for c in u1.codes]) == ("I1:2-4", ["oppstart"])
    assert [(c.group, c.group_number) for c in u1.codes] == [("Å ta i bruk", 1)]
    assert [(c.group, c.group_number) for c in view.units[3].codes] == [(None, 0)]
    assert view.groups() == [("Å ta i bruk", 1), ("Støtte", 2)]


def test_filters_keep_the_units_of_a_code_or_group(study: Path) -> None:
    by_code = view_of(study, code="PASSORD")
    assert sorted(by_code.units) == [2] and by_code.total == 5
    assert shown(segment(by_code, 3))[:2] == [("Jeg glemte passordet to ganger", ["U2"]),
                                              (", og sjefen sa \"<script>alert('x')</script>\""
                                               " på spøk.", [])]
    assert sorted(view_of(study, group="Støtte").units) == [4, 5]
    assert sorted(view_of(study, group="Støtte", code="mestring").units) == [5]
    with pytest.raises(StcError) as unknown:
        view_of(study, code="nothing")
    assert unknown.value.code == "E401"


def test_a_reference_names_the_whole_transcript(study: Path) -> None:
    view = view_of(study, "i1")
    assert view.id == "I1" and len([s for t in view.turns for s in t.segments]) == 7
    with pytest.raises(StcError) as unknown:
        view_of(study, "I1:3")
    assert unknown.value.code == "E202"


def test_coverage_is_the_share_of_the_participants_words_inside_units(run: Run,
                                                                      study: Path) -> None:
    listed = json.loads(run("show", "I1", "--json", "--project", str(study)).stdout)
    spoken = [s["text"] for s in listed["segments"] if s["role"] == "participant"]
    words = sum(len(t.split()) for t in spoken)
    u5 = workbench.UNITS["U5"][2]  # the quoted unit in the last segment
    assert isinstance(u5, str)
    coded = sum(len(t.split()) for t in spoken[:4]) + len(u5.split(" "))
    project = open_project(study)
    try:
        listing = views.transcript_list(project.conn)
    finally:
        project.close()
    assert [(t.id, t.participant, t.segments, t.units) for t in listing] == [
        ("I1", "Kari", 7, 5), ("I2", "Ola", 3, 0)]
    assert listing[0].coverage == views.Coverage(words, coded)
    assert listing[1].coverage == views.Coverage(8, 0)
    assert view_of(study).coverage == listing[0].coverage


def test_word_coverage_counts_a_word_a_unit_touches_once() -> None:
    text = "alpha beta gamma delta"
    everything = [(0, len(text))]
    assert word_coverage(text, everything, []) == views.Coverage(4, 0)
    assert word_coverage(text, everything, [(0, 3), (2, 5)]) == views.Coverage(4, 1)
    assert word_coverage(text, everything, [(5, 6)]) == views.Coverage(4, 0)  # a space only
    assert word_coverage(text, everything, [(9, 12)]) == views.Coverage(4, 2)  # a|beta, g|amma
    assert word_coverage(text, [(6, 16)], [(0, 22)]) == views.Coverage(2, 2)


def test_units_on_an_earlier_version_are_listed_not_placed(run: Run, study: Path) -> None:
    changed = workbench.INTERVIEW.replace("to ganger", "tre ganger")
    corrected = study.parent / "I1-korrigert.txt"
    corrected.write_text(changed, encoding="utf-8")
    run("import", "--replace", "I1", str(corrected), "--why", "hørte feil",
        "--project", str(study))
    view = view_of(study)
    assert sorted(u.id for u in view.elsewhere) == [1, 2, 3]  # their text changed
    assert all(u.review for u in view.elsewhere)
    assert sorted(view.units) == [4, 5]  # these followed their text
    placed = {u for t in view.turns for s in t.segments for p in s.pieces for u in p.units}
    assert placed == {4, 5}


def test_an_erased_transcript_leaves_the_list_and_earlier_states_show_the_marker(
        run: Run, study: Path) -> None:
    run("erase", "I2", "--why", "samtykke trukket", "--yes", "--project", str(study))
    project = open_project(study)
    try:
        assert [t.id for t in views.transcript_list(project.conn)] == ["I1"]
        with pytest.raises(StcError) as gone:
            views.transcript(project.conn, "I2")
        assert gone.value.code == "E202"
        before = project.replayed(project.head()[0] - 1)  # the state just before the erasure
        view = views.transcript(before, "I2")
        listed = {t.id: t.coverage for t in views.transcript_list(before)}
    finally:
        project.close()
    assert view.erased and view.coverage is None and listed["I2"] is None
    assert {p.text for t in view.turns for s in t.segments for p in s.pieces} == {"[erased]"}


def test_word_coverage_counts_as_word_by_word_would() -> None:
    """Counted span by span, the same as asking of every word whether a unit touches it."""
    import random
    import re

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab  c.\n") for _ in range(rng.randrange(1, 60)))
        spans = sorted((a, min(len(text), a + rng.randrange(1, 12)))
                       for a in (rng.randrange(len(text)) for _ in range(rng.randrange(4))))
        # turns, which end where speech ends: never inside a word
        gap = next((i for i in range(len(text) // 2, len(text)) if text[i].isspace()), None)
        spoken = [(0, len(text))] if gap is None else [(0, gap), (gap + 1, len(text))]
        words = [m for s, e in spoken for m in re.compile(r"\S+").finditer(text, s, e)]
        touched = [w for w in words if any(a < w.end() and b > w.start() for a, b in spans)]
        assert word_coverage(text, spoken, spans) == views.Coverage(len(words), len(touched)), (
            text, spans)


def test_only_the_rows_a_unit_change_touched_are_read_again(run: Run, study: Path) -> None:
    p = ["--project", str(study)]
    project = open_project(study)
    try:
        seen = project.head()[0]
    finally:
        project.close()

    def since() -> views.TranscriptView:
        return view_of(study, since=seen)

    run("code", "I1:6", "kollega", "--quote", "Kollegaen min", *p)
    run("unit", "edit", "U2", "--segments", "4", *p)  # from row 3 to row 4
    run("unit", "note", "U5", "-m", "hver dag", *p)
    run("code", "I2:2", "alarm", *p)  # another transcript
    view = since()
    assert view.only == [3, 4, 6, 7]
    assert [s.n for t in view.turns for s in t.segments] == [3, 4, 6, 7]
    assert view.total == 6 and view.coverage == view_of(study).coverage  # of the whole text
    run("unit", "delete", "U3", "--why", "x", *p)
    assert since().only == [3, 4, 6, 7]
    run("rename", "code", "humor", "spøk", *p)  # its name stands beside every unit
    assert since().only is None and len([s for t in since().turns for s in t.segments]) == 7


def test_a_selection_is_shown_as_the_unit_it_would_make(study: Path) -> None:
    project = open_project(study)
    try:
        text = load_doc(project.conn, "I1").text
        at = text.index("ollegaen")
        chosen = views.selection(project.conn, "i1", at, at + 10, snap=True)
        assert (chosen.doc, chosen.ref, chosen.text) == ("I1", "I1:6", "Kollegaen min")
        assert chosen.context == "Hva gjorde forskjellen?" and chosen.existing is None
        assert chosen.refusal is None and chosen.warnings == []
        question = text.index("Hva gjorde")
        asked = views.selection(project.conn, "I1", question, question + 10)
        assert asked.refusal is not None and asked.refusal.code == "E431"
        assert views.selection(project.conn, "I1", question, question + 10,
                               allow_interviewer=True).refusal is None
        across = views.selection(project.conn, "I1", question, at + 12)
        assert across.warnings == ["I1:5-6 crosses speakers: I, Kari"]
        assert across.text == "Hva gjorde forskjellen?\n\nKollegaen min"
        unit = text.index("Nå bruker")
        assert views.selection(project.conn, "I1", unit, unit + 26).existing == "U5"
        with pytest.raises(StcError) as outside:
            views.selection(project.conn, "I1", 5, len(text) + 3)
        assert outside.value.code == "E433"
    finally:
        project.close()


def test_a_unit_in_detail_names_who_made_it_and_when(run: Run, study: Path) -> None:
    run("code", "I1:6", "kollega", "--quote", "Kollegaen min", "--author", "Anna",
        "--project", str(study))
    project = open_project(study)
    try:
        detail = views.unit_detail(project.conn, "u6")
        assert detail is not None
        assert (detail.ref, detail.made.author, detail.current) == ("U6", "Anna", True)
        assert detail.made.at.startswith("20") and detail.unit.text == "Kollegaen min"
        assert [(c.name, c.group) for c in detail.codes] == [("kollega", None)]
        assert load_doc(project.conn, "I1").text[detail.start:detail.end] == "Kollegaen min"
        assert views.unit_detail(project.conn, "U99") is None
        view = views.transcript(project.conn, "I1")
        assert view.coders == ["tester", "Anna"] and view.units[6].coder == "Anna"
        alone = views.transcript(project.conn, "I1", coders=["anna"])
        assert list(alone.units) == [6] and alone.hidden == ["tester"]
        shared = next(p for t in view.turns for s in t.segments for p in s.pieces
                      if p.units == (4, 6))
        assert view.by(shared) == [1, 2] and alone.by(shared) == []
    finally:
        project.close()
