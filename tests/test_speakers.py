"""Units and speakers (issue 13, point 6): a unit's text holds no speaker label; the
interviewer's words alone need --allow-interviewer; a unit across speakers is made with a
warning; the question before a unit is its context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stc.project import open_project
from stc.stages.views import transcript
from stc.texts import doc_owner
from stc.units import load_doc, place_fields
from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = (
    "Intervjuer: Hva betyr dispenserne for brukerne?\n"
    "Informant 1: De gir frihet. Hun sa at hun kan sove lenge nå.\n"
    "Intervjuer: Og for deg?\n"
    "Informant 1: Ja.\n"
    "Intervjuer: Kan du si mer om det?\n"
    "Informant 1: Jeg ser brukerne sjeldnere. Det savner jeg.\n"
)
# segments: 1 Q | 2-3 answer | 4 Q | 5 "Ja." | 6 Q | 7-8 answer


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)),
        "--speakers", "Intervjuer=interviewer")
    return project


def units(run: Run) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run("units", "--json").stdout)
    return data


def verbatim_problems(run: Run) -> list[dict[str, Any]]:
    found = json.loads(run("check", "--json", code=1).stdout)
    return [{k: v for k, v in p.items() if k != "message"}
            for c in found if c["id"] == "verbatim" for p in c["problems"]]


def test_a_short_answer_with_its_question_holds_no_label(run: Run, interview: Path) -> None:
    """The issue's `stc code I1:7-9`: the unit's text held "Informant 1:"."""
    result = run("code", "I1:4-5", "eget syn")
    assert result.stderr == "Warning: I1:4-5 crosses speakers: Intervjuer, Informant 1\n"
    [unit] = units(run)
    assert unit["text"] == "Og for deg?\n\nJa."
    assert "Informant 1" not in result.stdout and unit["participant"] == "I1"
    assert unit["speakers"] == ["Intervjuer", "Informant 1"]
    run("nugget", "U1")
    assert verbatim_problems(run) == []


def test_the_interviewers_words_alone_are_refused_unless_allowed(run: Run, interview: Path
                                                                 ) -> None:
    before = snapshot(run, interview)
    result = run("code", "I1:6", "oppfølging", code=1)
    assert "[E431]" in result.stderr and "only the interviewer speaks in I1:6" in result.stderr
    assert snapshot(run, interview) == before
    run("code", "I1:6", "oppfølging", "--allow-interviewer")
    [unit] = units(run)
    assert unit["interviewer"] is True and unit["participant"] == ""
    log = json.loads(run("log", "--json").stdout)
    assert log[-1]["summary"] == "U1 from I1:6 coded oppfølging (the interviewer's words)"
    [first] = [r for r in log if r["seq"] == log[-1]["command"]]
    assert first["label"] == "stc code I1:6 'oppfølging' --allow-interviewer"
    run("verify")


def test_a_quote_may_run_from_a_question_into_its_answer_but_never_holds_a_label(
        run: Run, interview: Path) -> None:
    before = snapshot(run, interview)
    result = run("code", "I1:4-5", "x", "--quote", "deg? Informant 1: Ja.", code=1)
    assert "[E404]" in result.stderr
    assert snapshot(run, interview) == before
    run("code", "I1:4-5", "eget syn", "--quote", "for deg? Ja.")
    assert units(run)[0]["text"] == "for deg?\n\nJa."


def test_the_question_before_a_unit_is_its_context(run: Run, interview: Path) -> None:
    run("code", "I1:7-8", "savn")
    run("code", "I1:3", "søvn")
    run("code", "I1:4-5", "eget syn")
    contexts = {u["unit"]: u["context"] for u in units(run)}
    assert contexts == {"U1": "Kan du si mer om det?",
                        "U2": "Hva betyr dispenserne for brukerne?",
                        "U3": ""}  # it opens with the question itself
    project = open_project(interview)
    shown = transcript(project.conn, "I1").units  # the workbench's reading view
    project.close()
    assert shown[1].context == "Kan du si mer om det?"
    assert shown[3].speakers == ["Intervjuer", "Informant 1"]


def test_a_unit_recorded_with_its_labels_before_is_still_verbatim(run: Run, interview: Path
                                                                   ) -> None:
    """Projects from before this version hold units whose text kept the speaker labels (the
    stretch as it stood in the transcript, `Label: ` included). They stay verbatim; they are
    shown without the labels; a quotation that holds a label is named for what it is. The
    fixture records such a unit the way earlier versions did (that payload is what they
    wrote, and the change kind still applies it)."""
    run("code", "I1:1", "spørsmål", "--allow-interviewer")  # makes the code
    project = open_project(interview)
    doc = load_doc(project.conn, "I1")
    start, end = doc.span(4, 5)
    with project.batch() as b:
        fields = {**place_fields(b.conn, doc, start, end), "text": b.text(doc.text[start:end],
                                                                      doc_owner("I1"))}
        b.record("unit.add", {"id": b.take_number("unit"), **fields, "codes": [1],
                              "code_names": ["spørsmål"]})
        b.record("unit.set", {"id": 2, "nugget": fields["text"]})
    project.close()
    unit = units(run)[1]
    assert "Informant 1:" not in unit["text"]
    assert verbatim_problems(run) == [
        {"id": "verbatim.label", "unit": "U2", "doc": "I1", "warning": False}]
    run("nugget", "U2")
    assert verbatim_problems(run) == []
    run("verify")
