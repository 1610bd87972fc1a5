"""A corrected transcript brought in under coded units: `stc import --replace DOC FILE`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write

FIRST = """I: Hva tenker du?
Kari: Dispenserne gir frihet. Det er fint. Jeg sover lenger.
I: Og besøkene?
Kari: Besøkene blir færre. Jeg savner besøket. Det er fint.
"""
CORRECTED = """I: Hva tenker du om det?
Kari: Dispenserne gir frihet. Det er fint. Jeg sover mye lenger.
I: Og besøkene?
Kari: Ja. Besøkene blir færre. Jeg savner besøkene. Det er fint.
"""


@pytest.fixture
def coded(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", FIRST)))
    run("code", "I1:2", "frihet")
    run("code", "I1:3", "fint")
    run("code", "I1:4", "søvn")
    run("code", "I1:7-8", "savn")
    return project


def units(run: Run, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run("units", "--json", *args).stdout)
    return data


def test_unchanged_units_follow_their_text_changed_ones_are_flagged(run: Run, coded: Path
                                                                     ) -> None:
    path = write(coded.parent / "I1-rettet.txt", CORRECTED)
    out = run("import", "--replace", "I1", str(path), "--why", "rettet transkripsjon").stdout
    assert "version 2, segments 9-17" in out
    assert "moved   U1 I1:2 -> I1:10" in out and "moved   U2 I1:3 -> I1:11" in out
    assert "review  U3 I1:4" in out and "review  U4 I1:7-8" in out
    got = {u["unit"]: u for u in units(run)}
    assert got["U1"]["segments"] == "I1:10" and got["U1"]["review"] is None
    assert got["U2"]["segments"] == "I1:11" and got["U2"]["text"] == "Det er fint."
    assert got["U3"]["segments"] == "I1:4" and "changed" in got["U3"]["review"]
    assert got["U3"]["text"] == "Jeg sover lenger."  # kept, not moved or dropped
    assert [u["unit"] for u in units(run, "--review")] == ["U3", "U4"]
    assert "2 units to review after a re-import" in run("status").stdout
    assert json.loads(run("show", "I1:10", "--json").stdout)["segments"][0]["text"] == \
        "Dispenserne gir frihet."
    assert "[E204]" in run("show", "I1:2", code=1).stderr  # old numbers are not reused
    log = run("log", "--on", "I1").stdout
    assert "U1 from I1:2 coded frihet" in log and "corrected I1 (version 2, segments 9-17)" in log
    assert "I1-rettet" not in log  # the file name is not in the trail
    run("verify")


def test_context_picks_between_repeated_text(run: Run, coded: Path) -> None:
    run("code", "I1:8", "fint igjen")
    path = write(coded.parent / "I1-b.txt", FIRST.replace("Hva tenker du?", "Hva mener du?"))
    out = run("import", "--replace", "I1", str(path)).stdout
    assert "0 to review" in out
    got = {u["unit"]: u["segments"] for u in units(run)}
    assert got["U2"] == "I1:11" and got["U5"] == "I1:16"


def test_the_old_version_stays_in_the_store(run: Run, coded: Path) -> None:
    run("import", "--replace", "I1", str(write(coded.parent / "c.txt", CORRECTED)))
    conn = sqlite3.connect(coded / "stc.db")
    versions = conn.execute("SELECT version, MIN(n), MAX(n) FROM segments GROUP BY version"
                            " ORDER BY version").fetchall()
    conn.close()
    assert versions == [(1, 1, 8), (2, 9, 17)]
    assert len(list((coded / "sources").iterdir())) == 2


def test_identical_file_and_unknown_document(run: Run, coded: Path) -> None:
    same = write(coded.parent / "same.txt", FIRST)
    assert "[E419]" in run("import", "--replace", "I1", str(same), code=1).stderr
    assert "[E202]" in run("import", "--replace", "I9", str(same), code=1).stderr
    run("import", "--replace", "I1", str(same), str(same), code=2)
    run("import", "--replace", "I1", "--id", "I2", str(same), code=2)


def test_matrix_round_trip_after_a_replace(run: Run, coded: Path) -> None:
    run("import", "--replace", "I1", str(write(coded.parent / "c.txt", CORRECTED)))
    run("matrix", "export", "m.xlsx", "--all-segments")
    assert "Nothing to change" in run("matrix", "import", "m.xlsx").stdout
