"""Commands in the trail: undo and redo of whole commands, one change undone alone, the
command line the trail keeps (without free text), and writes based on an earlier state."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from stc import history, store, trail
from stc.errors import StcError
from stc.project import open_project
from stc.stages.impression import add_themes
from tests.builders import coded_project
from tests.conftest import Run
from tests.samples import snapshot

TIME, RUSH = "Tid og rutiner", "Tidspress"


@pytest.fixture
def coded(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "nb"
    coded_project(run, root, "nb")
    monkeypatch.chdir(root)
    return root


def state(project: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(project / "stc.db")
    try:
        return store.dump_state(conn)
    finally:
        conn.close()


def log(run: Run) -> list[dict[str, Any]]:
    return list(json.loads(run("log", "--json").stdout))


def test_undo_reverts_every_change_of_the_last_command(run: Run, coded: Path) -> None:
    run("subgroup", "add", TIME, RUSH)
    before = state(coded)
    out = run("sort", "U1", "U4", "U7", "--into", f"{TIME}/{RUSH}").stdout
    assert "3 units sorted" in out
    first = log(run)[-3]["seq"]
    out = run("undo").stdout
    assert out == (f'#{first + 3}: undid "stc sort U1 U4 U7 --into \'{TIME}/{RUSH}\'"'
                   f" (#{first}-{first + 2}: 3 changes)\n")
    assert state(coded) == before
    run("verify")


def test_redo_restores_the_undone_command_until_something_new_is_recorded(
        run: Run, coded: Path) -> None:
    run("subgroup", "add", TIME, RUSH)
    run("sort", "U1", "U4", "--into", f"{TIME}/{RUSH}")
    sorted_state = state(coded)
    run("undo")
    out = run("redo").stdout
    assert f'redid "stc sort U1 U4 --into \'{TIME}/{RUSH}\'"' in out
    assert state(coded) == sorted_state
    # undo, then something new: the undone command can no longer come back
    run("undo")
    run("theme", "add", "Noe nytt")
    before = snapshot(run, coded)
    assert "[E322]" in run("redo", code=1).stderr
    assert snapshot(run, coded) == before
    run("verify")


def test_undo_and_redo_walk_back_and_forth_over_several_commands(run: Run, coded: Path) -> None:
    states = [state(coded)]
    run("theme", "add", "A")
    states.append(state(coded))
    run("theme", "add", "B")
    states.append(state(coded))
    run("undo")
    assert state(coded) == states[1]
    run("undo")
    assert state(coded) == states[0]
    run("redo")
    assert state(coded) == states[1]
    run("redo")
    assert state(coded) == states[2]
    assert "[E322]" in run("redo", code=1).stderr
    run("verify")


def test_undo_change_reverts_one_change_that_nothing_later_rests_on(
        run: Run, coded: Path) -> None:
    run("theme", "add", "Midt i")
    middle = log(run)[-1]["seq"]
    run("theme", "add", "Etterpå")
    out = run("undo", "--change", str(middle)).stdout
    assert f"undid \"stc theme add 'Midt i'\" (#{middle}: theme 'Midt i' added)" in out
    themes = [t["name"] for t in json.loads(run("themes", "--json").stdout)["themes"]]
    assert "Midt i" not in themes and "Etterpå" in themes
    run("verify")


def test_undo_change_is_refused_when_a_later_change_rests_on_it(run: Run, coded: Path) -> None:
    run("code", "I1:5", "helt ny kode")
    made = [r for r in log(run) if r["kind"] == "code.add"][-1]["seq"]
    run("code", "I2:6", "helt ny kode")  # a later unit uses the new code
    before = snapshot(run, coded)
    err = run("undo", "--change", str(made), code=1).stderr
    assert "[E321]" in err and "(U5: +helt ny kode)" in err
    assert snapshot(run, coded) == before


def test_undo_change_names_changes_that_are_not_in_effect(run: Run, coded: Path) -> None:
    run("theme", "add", "Borte")
    gone = log(run)[-1]["seq"]
    run("undo")
    before = snapshot(run, coded)
    assert "[E320]" in run("undo", "--change", str(gone), code=1).stderr
    assert "[E304]" in run("undo", "--change", "9999", code=1).stderr
    assert "[E301]" in run("undo", "--change", "1", code=1).stderr
    assert snapshot(run, coded) == before


def test_the_trail_keeps_the_command_line_without_free_text(run: Run, coded: Path) -> None:
    run("memo", "add", "--on", "U1", "-m", "Hemmelig notat om Ingrid")
    run("names", "add", "Ingrid")
    run("sort", "U2", "--into", f"{TIME}/{RUSH}", code=1)  # refused: records nothing
    run("set-aside", "U2", "--why", "Intervjuerens spørsmål")
    labels = [r["label"] for r in log(run) if r["label"]]
    assert labels[-3:] == ["stc memo add --on U1 --message …", "stc names add …",
                           "stc set-aside U2 --why …"]
    assert _only_in_texts(coded, "Hemmelig") and _only_in_texts(coded, "Ingrid")
    shown = run("log").stdout
    assert "       command: stc set-aside U2 --why …\n       why: Intervjuerens" in shown


def _only_in_texts(project: Path, word: str) -> bool:
    """The word is stored in the erasable text store only, never in the trail."""
    conn = sqlite3.connect(project / "stc.db")
    try:
        in_trail = conn.execute("SELECT COUNT(*) FROM trail WHERE payload LIKE ? OR label LIKE ?"
                                " OR why LIKE ?", (f"%{word}%",) * 3).fetchone()[0]
        return int(in_trail) == 0
    finally:
        conn.close()


def test_every_change_of_one_invocation_shares_its_command(run: Run, coded: Path) -> None:
    run("code", "I1:5", "ny", "kode", "--group", "Ny gruppe")
    records = [r for r in log(run) if r["seq"] >= log(run)[-1]["command"]]
    assert [r["kind"] for r in records] == ["group.add", "code.add", "code.add", "unit.codes"]
    assert {r["command"] for r in records} == {records[0]["seq"]}
    assert records[0]["label"] == "stc code I1:5 ny kode --group 'Ny gruppe'"
    assert all(r["label"] is None for r in records[1:])


def test_a_changed_command_or_label_breaks_the_chain(run: Run, coded: Path) -> None:
    conn = sqlite3.connect(coded / "stc.db")
    seq = conn.execute("SELECT MAX(seq) FROM trail WHERE label IS NOT NULL").fetchone()[0]
    conn.execute("UPDATE trail SET label = 'stc theme add X' WHERE seq = ?", (seq,))
    conn.commit()
    conn.close()
    err = run("verify", code=1).stderr
    assert f"change #{seq}" in err and "altered" in err


def test_changes_from_before_commands_still_verify_and_undo_one_by_one(
        run: Run, coded: Path) -> None:
    project = open_project(coded, author="old")
    with project.batch() as batch:  # recorded as an earlier stc did: no command, no label
        head = trail.append(project.conn, "old", "theme.add", {"id": 90, "name": "Gammel"},
                            command=None)
        trail.append(project.conn, "old", "theme.add", {"id": 91, "name": "Eldre"},
                     after=head, command=None)
        del batch
    project.close()
    run("verify")
    run("undo")
    names = [t["name"] for t in json.loads(run("themes", "--json").stdout)["themes"]]
    assert "Gammel" in names and "Eldre" not in names
    run("verify")


def test_a_library_command_groups_several_batches(coded: Path) -> None:
    project = open_project(coded, author="lib")
    before = dict(project.conn.execute("SELECT id, name FROM themes").fetchall())
    with project.command("stc theme add A B"):
        for name in ("A", "B"):
            add_themes(project, [name])  # a batch each
    _, reverted = project.undo()
    assert len(reverted.changes) == 2 and reverted.label == "stc theme add A B"
    assert dict(project.conn.execute("SELECT id, name FROM themes").fetchall()) == before
    project.close()


def test_a_write_based_on_an_earlier_change_is_refused_when_its_objects_changed(
        run: Run, coded: Path) -> None:
    project = open_project(coded, author="lib")
    seen = project.head()[0]
    history.require_unchanged(project.conn, {"unit:1", "unit:4"}, seen)  # nothing changed
    project.close()
    run("set-aside", "U4", "--why", "feil")
    run("theme", "add", "Uten betydning")
    project = open_project(coded, author="lib")
    changed = history.changed_since(project.conn, {"unit:1", "unit:4"}, seen)
    assert list(changed) == ["unit:4"]
    with pytest.raises(StcError) as refused:
        history.require_unchanged(project.conn, {"unit:1", "unit:4"}, seen)
    assert refused.value.code == "E323" and f"U4 in #{changed['unit:4']}" in str(refused.value)
    project.close()
    # an undo after that point changes the unit again
    run("undo")
    run("undo")
    project = open_project(coded, author="lib")
    assert history.changed_since(project.conn, {"unit:4"}, seen)["unit:4"] > changed["unit:4"]
    project.close()


def test_a_command_based_on_a_view_refuses_objects_changed_since_inside_its_transaction(
        run: Run, coded: Path) -> None:
    """What a workbench page does: its write names the change its view was made at; a change
    to an object another command changed after that is refused, and nothing is written."""
    from stc.stages import condensation

    run("subgroup", "add", TIME, RUSH)
    project = open_project(coded, author="lib")
    seen = project.head()[0]
    project.close()
    run("set-aside", "U4", "--why", "feil")  # elsewhere, after the view
    before = snapshot(run, coded)
    project = open_project(coded, author="lib")
    with pytest.raises(StcError) as refused, project.command("workbench: sort", based_on=seen):
        condensation.sort_units(project, ["U1", "U4"], f"{TIME}/{RUSH}")
    assert refused.value.code == "E323" and "U4 in #" in str(refused.value)
    assert snapshot(run, coded) == before
    # units nobody touched since the view are sorted; the command's own earlier changes
    # (U1 sorted in its first batch) do not count against its later ones
    with project.command("workbench: sort", based_on=seen) as recording:
        condensation.sort_units(project, ["U1"], f"{TIME}/{RUSH}")
        condensation.nugget(project, "U1")
    assert recording.id is not None
    assert [r.command for r in trail.records(project.conn, after=recording.id - 1)] == [
        recording.id, recording.id]
    # what the command makes anew cannot have changed elsewhere: a new subgroup is no conflict
    with project.command("workbench: subgroup add", based_on=seen):
        condensation.add_subgroup(project, TIME, "Ny")
    project.close()
