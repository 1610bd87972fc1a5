"""Withdrawn consent: erasing a transcript and every text from it, the trail still verifiable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import stc
from tests.conftest import Run, write

INTERVIEW = """I: Hvordan var det å begynne med medisinrobot?

Kari: Det var uvant i starten. Jeg var redd for at pasientene skulle glemme dosene.

I: Og nå?

Kari: Nå stoler jeg mer på den enn på meg selv, ærlig talt.
"""


def _add_unit(root: Path, doc: str, n: int) -> None:
    project = stc.open_project(root)
    with project.batch() as b:
        start, end = project.conn.execute(
            "SELECT start, end FROM segments WHERE doc = ? AND n = ?", (doc, n)).fetchone()
        body = project.conn.execute(
            "SELECT body FROM texts WHERE hash = (SELECT text FROM documents WHERE id = ?)",
            (doc,)).fetchone()[0]
        b.record("unit.add", {
            "id": b.take_number("unit"), "doc": doc, "version": 1, "start": start, "end": end,
            "text": b.text(body[start:end]), "before": b.text(body[max(0, start - 20):start]),
            "after": b.text(body[end:end + 20]), "codes": [], "code_names": [], "segments": n})


def test_erase_removes_every_text_and_keeps_the_trail_verifiable(
    run: Run, project: Path
) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola")
                            .replace("uvant", "spennende"))))
    _add_unit(project, "I1", 3)
    result = run("erase", "I1", "--why", "samtykke trukket", "--yes")
    assert "Erased I1: 1 unit," in result.stdout

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
    run("erase", "I1", "--why", "x", input="n\n", code=1)
    assert "I1" in run("docs").stdout
