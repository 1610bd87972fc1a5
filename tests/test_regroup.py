"""Revising the code tree keeps step 3 consistent (issue 13, points 4 and 5): a code moved to
another group takes its units out of the old group's subgroups, saying so; names that would be
read as GROUP/SUBGROUP are refused where they are made."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = (
    "I: Hvordan er timene hos terapeuten?\n"
    "Pasient: Vi møtes hver tirsdag klokka ni. Det passer med jobben. Jeg stoler på henne.\n"
)


@pytest.fixture
def sorted_units(run: Run, project: Path) -> Path:
    """U1 (praktiske forhold) and U2 (tillit), both in group Rammer, sorted into Rammer/Tid,
    with a condensate on both."""
    run("import", str(write(project.parent / "T1.txt", INTERVIEW)), "--speakers", "I=interviewer")
    run("code", "T1:2-3", "praktiske forhold", "--group", "Rammer")
    run("code", "T1:4", "tillit", "--group", "Rammer")
    run("subgroup", "add", "Rammer", "Tid")
    run("sort", "U1", "U2", "--into", "Rammer/Tid")
    run("condense", "Rammer/Tid", "-m", "Vi møtes hver tirsdag, og jeg stoler på henne.")
    return project


def subgroups(run: Run) -> dict[str, int]:
    rows: list[dict[str, Any]] = json.loads(run("subgroups", "--json").stdout)
    return {f"{r['group']}/{r['subgroup']}": r["units"] for r in rows}


def test_moving_a_code_takes_its_units_out_of_the_old_groups_subgroups(
        run: Run, sorted_units: Path) -> None:
    """The issue's `stc group "praktiske forhold" --into "Alliansen som redskap"` left U1
    counted in Rammer/Tid while `stc check` said it was in no subgroup."""
    out = run("group", "praktiske forhold", "--into", "Alliansen som redskap").stdout
    assert out == (
        "code group 'Alliansen som redskap' made\n"
        "praktiske forhold -> Alliansen som redskap\n"
        "  U1 left subgroup Rammer/Tid: none of its codes is in 'Rammer' any longer\n"
        "  review the condensate of Rammer/Tid, which rested on U1:"
        " stc condense Rammer/Tid --edit\n")
    assert subgroups(run) == {"Rammer/Tid": 1}
    [u1] = [u for u in json.loads(run("units", "--json").stdout) if u["unit"] == "U1"]
    assert u1["subgroup"] is None and u1["groups"] == ["Alliansen som redskap"]
    found = {c["id"]: c["problems"] for c in json.loads(run("check", "--json", code=1).stdout)}
    assert [(p["id"], p.get("units")) for p in found["condensates"]] == [
        ("condensates.gone", "U1"), ("condensates.missing", None)]  # the new group has none
    assert not any(p["unit"] == "U1" for p in found["units-sorted"])
    run("undo")
    assert subgroups(run) == {"Rammer/Tid": 2}
    run("verify")


def test_a_unit_with_another_code_in_the_group_stays_in_its_subgroup(
        run: Run, sorted_units: Path) -> None:
    run("code", "T1:2-3", "tillit")  # U1 keeps a code in Rammer
    out = run("group", "praktiske forhold", "--into", "Alliansen som redskap").stdout
    assert "left subgroup" not in out and subgroups(run) == {"Rammer/Tid": 2}


def test_code_with_group_and_uncode_and_drop_say_the_same(run: Run, sorted_units: Path) -> None:
    out = run("code", "T1:2", "tillit", "--group", "Alliansen").stdout
    assert "U2 left subgroup Rammer/Tid" in out
    out = run("drop", "code", "praktiske forhold", "--force", "--why", "ut").stdout
    assert "U1 left subgroup Rammer/Tid" in out
    assert subgroups(run) == {"Rammer/Tid": 0}
    run("verify")


@pytest.mark.parametrize("command", [
    ("group", "praktiske forhold", "--into", "Tid/rammer"),
    ("subgroup", "add", "Rammer", "tid/sted"),
    ("rename", "group", "Rammer", "Tid/rammer"),
    ("rename", "subgroup", "Rammer/Tid", "Rammer/Tid/sted"),
    ("theme", "add", "Tid/rammer"),
    ("merge", "group", "Rammer", "--into", "A/B"),
    ("code", "T1:2", "ny", "--group", "Tid/rammer"),
])
def test_a_slash_in_a_group_subgroup_or_theme_name_is_refused(
        run: Run, sorted_units: Path, command: tuple[str, ...]) -> None:
    """The issue's `stc group selvhjelp --into "Tid/rammer"` was accepted, and every later
    sort, condense and describe failed with "unknown code group 'Tid'"."""
    before = snapshot(run, sorted_units)
    result = run(*command, code=1)
    assert "[E430]" in result.stderr and "separates a code group from its subgroup" in \
        result.stderr
    assert snapshot(run, sorted_units) == before


def test_a_code_may_hold_a_slash(run: Run, sorted_units: Path) -> None:
    run("code", "T1:3", "jobb/fritid", "--group", "Rammer")
    assert [u["codes"] for u in json.loads(run("units", "--json").stdout)][-1] == ["jobb/fritid"]


def test_a_matrix_row_with_a_slash_in_its_group_is_refused(run: Run, sorted_units: Path
                                                           ) -> None:
    run("matrix", "export", "m.csv")
    text = (sorted_units / "m.csv").read_text(encoding="utf-8-sig")
    (sorted_units / "m.csv").write_text(text.replace(",Rammer,", ",Rammer/ny,", 1),
                                        encoding="utf-8")
    before = snapshot(run, sorted_units)
    result = run("matrix", "import", "m.csv", code=1)
    assert "units row 2:" in result.stderr and "'Rammer/ny'" in result.stderr
    assert snapshot(run, sorted_units) == before
