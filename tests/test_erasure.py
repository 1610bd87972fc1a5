"""Withdrawn consent: erasing a transcript and every text from it, the trail still verifiable."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = """I: Hvordan var det å begynne med medisinrobot?

Kari: Det var uvant i starten. Jeg var redd for at pasientene skulle glemme dosene.

I: Og nå?

Kari: Nå stoler jeg mer på den enn på meg selv, ærlig talt.
"""


def test_erase_removes_every_text_and_keeps_the_trail_verifiable(
    run: Run, project: Path
) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola")
                            .replace("uvant", "spennende"))))
    run("code", "I1:3", "dosering")
    result = run("erase", "I1", "--why", "samtykke trukket", "--yes")
    assert "Erased I1 (change #6): 1 unit," in result.stdout

    db = sqlite3.connect(project / "stc.db")
    bodies = [row[0] for row in db.execute("SELECT body FROM texts")]
    assert not any("uvant" in body for body in bodies)  # I1's own words are gone
    assert any("spennende" in body for body in bodies)  # I2 is untouched
    assert not list((project / "sources").glob("I1-*"))
    assert "Kari" not in run("docs").stdout
    run("show", "I1", code=1)
    assert run("verify").stdout.startswith("OK")
    assert "samtykke trukket" in run("log", "--on", "I1").stdout
    run("undo", code=1)  # an erasure cannot be undone


def test_erase_asks_for_confirmation(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    before = snapshot(run, project)
    run("erase", "I1", "--why", "x", input="n\n", code=1)
    assert snapshot(run, project) == before


def bodies(project: Path) -> list[str]:
    db = sqlite3.connect(project / "stc.db")
    found = [str(row[0]) for row in db.execute("SELECT body FROM texts")]
    db.close()
    return found


def test_a_text_another_transcript_holds_too_survives_the_erasure(run: Run, project: Path
                                                                  ) -> None:
    """Two participants said the same sentence: erasing one transcript erases that
    participant's own words and keeps the other's unit, quotation and check whole."""
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola")
                            .replace("uvant", "spennende"))))
    run("code", "I1:5", "tillit")  # the same words in both: one text in the store
    run("code", "I2:5", "tillit")
    run("code", "I1:2", "start")
    run("nugget", "U2")
    shared = "Nå stoler jeg mer på den enn på meg selv, ærlig talt."
    run("erase", "I1", "--why", "samtykke trukket", "--yes")
    kept = bodies(project)
    assert not any("uvant" in body for body in kept)  # I1's own words are gone
    assert shared in kept and any("spennende" in body for body in kept)
    [unit] = json.loads(run("units", "--json").stdout)
    assert (unit["unit"], unit["text"]) == ("U2", shared)
    checks = {c["id"]: c for c in json.loads(run("check", "--json", code=1).stdout)}
    assert checks["verbatim"]["ok"], checks["verbatim"]
    assert run("verify").stdout.startswith("OK")
