"""stc withdraw: a participant leaves further analysis, what was done is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, write
from tests.samples import snapshot
from tests.test_erasure import INTERVIEW

OTHER = INTERVIEW.replace("Kari", "Ola").replace("pasientene", "brukerne")


@pytest.fixture
def sorted_project(run: Run, project: Path) -> Path:
    """Two interviews, a unit from each sorted into one subgroup, each a quotation."""
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", OTHER)))
    run("code", "I1:3", "dosering", "--group", "Medisiner")
    run("code", "I2:3", "dosering")
    run("subgroup", "add", "Medisiner", "Redsel")
    run("sort", "U1", "U2", "--into", "Medisiner/Redsel")
    run("nugget", "U1")
    run("condense", "Medisiner/Redsel", "-m", "Jeg var redd for at noen skulle glemme dosene.")
    return project


def test_a_withdrawn_transcript_takes_no_new_units_and_keeps_those_it_has(
        run: Run, sorted_project: Path) -> None:
    out = run("withdraw", "I1", "--why", "samtykke trukket; analyser gjort kan beholdes").stdout
    assert out.startswith("Withdrew I1 from further analysis (change #")
    before = snapshot(run, sorted_project)
    error = run("code", "I1:5", "tillit", code=1).stderr
    assert "[E213]" in error and "I1 is withdrawn" in error
    assert snapshot(run, sorted_project) == before
    units = json.loads(run("units", "--json").stdout)
    assert [u["doc"] for u in units] == ["I1", "I2"]  # nothing deleted
    run("code", "I2:5", "tillit")  # the others go on
    assert "[E212]" in run("withdraw", "I1", "--why", "igjen", code=1).stderr
    assert "[E211]" in run("withdraw", "I2", "--why", " ", code=1).stderr


def test_the_reports_keep_its_units_in_the_counts_and_print_no_quotation_from_it(
        run: Run, sorted_project: Path) -> None:
    run("nugget", "U2")
    run("report", "results", "--format", "md")
    quoted = (sorted_project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "redd for at pasientene skulle glemme dosene" in quoted  # I1's quotation
    run("withdraw", "I1", "--why", "samtykke trukket")
    run("report", "results")  # md, html and docx
    run("report", "audit")
    results = (sorted_project / "reports" / "results.md").read_text(encoding="utf-8")
    assert "Trukket fra videre analyse etter at materialet var analysert: ett intervju." \
        in results
    assert "pasientene skulle glemme" not in results  # I1's quotation is held back
    assert "brukerne skulle glemme" in results  # I2's is printed
    prevalence = json.loads(run("prevalence", "--json").stdout)
    assert prevalence[0]["units"] == 2  # both units still count
    from docx import Document

    word = [p.text for p in Document(str(sorted_project / "reports" / "results.docx")).paragraphs]
    assert any(line.startswith("Trukket fra videre analyse") for line in word)
    assert not any("pasientene skulle glemme" in line for line in word)
    audit = (sorted_project / "reports" / "audit.html").read_text(encoding="utf-8")
    assert "trukket fra videre analyse (endring nr. " in audit
    assert "samtykke trukket" in audit  # the reason, in the history


def quotations_missing(run: Run) -> list[str]:
    found = json.loads(run("check", "--json", code=1).stdout)
    return [str(f) for c in found if c["id"] == "quotations" for f in c["failures"]]


def test_the_check_asks_for_another_quotation(run: Run, sorted_project: Path) -> None:
    assert quotations_missing(run) == []
    run("withdraw", "I1", "--why", "samtykke trukket")
    assert any("Medisiner/Redsel" in f for f in quotations_missing(run))


def test_undo_takes_a_withdrawal_back_and_the_trail_keeps_both(
        run: Run, sorted_project: Path) -> None:
    run("withdraw", "I1", "--why", "samtykke trukket")
    run("undo")
    run("code", "I1:5", "tillit")
    log = run("log").stdout
    assert "I1 withdrawn from further analysis" in log and "undid" in log


def test_a_withdrawn_transcript_can_still_be_erased(run: Run, sorted_project: Path) -> None:
    run("withdraw", "I1", "--why", "samtykke trukket")
    run("erase", "I1", "--why", "sletting krevd", "--yes")
    assert run("verify").stdout.startswith("OK")
    assert "I1" not in run("docs").stdout
