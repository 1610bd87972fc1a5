"""The trail: log and its filters, verify and what it catches, undo, concurrent writers,
an import killed at fixed points, and schema upgrades."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stc import store
from tests.conftest import Run, write
from tests.samples import snapshot

STC = str(Path(sys.executable).with_name("stc"))


def import_two(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    write(project / "I2.txt", "I: Og du?\nOla: Helt fint.\n")
    run("import", "I1.txt", "--author", "Kari")
    run("import", "I2.txt")


def sql(project: Path, statement: str, *args: object) -> None:
    conn = sqlite3.connect(project / "stc.db")
    with conn:
        conn.execute(statement, args)
    conn.close()


# -- log --------------------------------------------------------------------------------------

def test_log_lists_every_change_with_author_time_and_hash(run: Run, project: Path) -> None:
    import_two(run, project)
    log = json.loads(run("log", "--json").stdout)
    assert [r["seq"] for r in log] == [1, 2, 3]
    assert [r["kind"] for r in log] == ["project.init", "document.import", "document.import"]
    assert [r["author"] for r in log] == ["tester", "Kari", "tester"]
    assert all(r["at"].endswith("Z") and len(r["hash"]) == 64 for r in log)
    text = run("log").stdout
    # the file name may name a person: the trail keeps it only as a hash
    assert "#2" in text and "imported I1 (2 segments; participant P1)" in text and "Kari" in text
    assert "I1.txt" not in text


def test_log_filters(run: Run, project: Path) -> None:
    import_two(run, project)
    on = json.loads(run("log", "--on", "i2", "--json").stdout)
    assert [r["seq"] for r in on] == [3]
    by = json.loads(run("log", "--author", "kari", "--json").stdout)
    assert [r["seq"] for r in by] == [2]
    assert json.loads(run("log", "--since", "2999-01-01", "--json").stdout) == []
    assert len(json.loads(run("log", "--since", "2000-01-01", "--json").stdout)) == 3
    assert run("log", "--on", "nothing-here").stdout == ""


def test_log_since_takes_dates_times_and_zones(clock: datetime, run: Run, project: Path
                                              ) -> None:
    # the clock is pinned (before the project is made): every change is on the same day
    import_two(run, project)
    log = json.loads(run("log", "--json").stdout)
    second = log[1]["at"]
    assert second.startswith(clock.date().isoformat())
    after = json.loads(run("log", "--since", second, "--json").stdout)
    assert [r["seq"] for r in after] == [2, 3]
    day = second[:10]
    assert len(json.loads(run("log", "--since", day, "--json").stdout)) == 3
    # the same moment written in another zone
    oslo = timezone(timedelta(hours=2))
    shifted = datetime.fromisoformat(second.replace("Z", "+00:00")).astimezone(oslo).isoformat()
    assert len(json.loads(run("log", "--since", shifted, "--json").stdout)) == 2
    assert "--since" in run("log", "--since", "last tuesday", code=2).stderr


# -- verify -----------------------------------------------------------------------------------

def test_verify_accepts_an_untouched_project(run: Run, project: Path) -> None:
    import_two(run, project)
    out = run("verify").stdout
    assert out.startswith("OK: 3 changes")


def verify_fails(run: Run, naming: str) -> str:
    result = run("verify", code=1)
    assert "OK" not in result.stdout
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith("Error:") and naming in first, result.stderr
    return first


TRAIL_TAMPERING = [
    ("payload", "UPDATE trail SET payload = replace(payload, '\"I1\"', '\"X1\"') WHERE seq = 2"),
    ("author", "UPDATE trail SET author = 'Mallory' WHERE seq = 2"),
    ("time", "UPDATE trail SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2"),
    ("reason", "UPDATE trail SET why = 'because' WHERE seq = 2"),
    ("hash", "UPDATE trail SET hash = '" + "0" * 64 + "' WHERE seq = 2"),
    ("prev", "UPDATE trail SET prev = '" + "1" * 64 + "' WHERE seq = 2"),
]


@pytest.mark.parametrize("statement", [s for _, s in TRAIL_TAMPERING],
                         ids=[n for n, _ in TRAIL_TAMPERING])
def test_verify_names_the_first_altered_change(run: Run, project: Path, statement: str) -> None:
    import_two(run, project)
    sql(project, statement)
    verify_fails(run, "change #2")


def test_verify_catches_a_removed_change(run: Run, project: Path) -> None:
    import_two(run, project)
    sql(project, "DELETE FROM trail WHERE seq = 2")
    verify_fails(run, "change #2 is missing")


def test_verify_catches_a_removed_last_change(run: Run, project: Path) -> None:
    import_two(run, project)
    sql(project, "DELETE FROM trail WHERE seq = 3")
    verify_fails(run, "documents: I2 is in the project but not in the trail")


STATE_TAMPERING = [
    ("UPDATE segments SET end = end - 1 WHERE doc = 'I1' AND n = 1",
     "segments: I1:1: end is 18 in the project, 19 by the trail"),
    ("UPDATE turns SET role = 'participant' WHERE doc = 'I1' AND turn = 1",
     "turns: I1 turn 1: role is 'participant' in the project, 'interviewer' by the trail"),
    ("UPDATE documents SET participant = 'Someone' WHERE id = 'I2'",
     "documents: I2: participant is 'Someone' in the project, 2 by the trail"),
    ("DELETE FROM segments WHERE doc = 'I2' AND n = 2",
     "segments: I2:2 is in the trail but missing from the project"),
    ("INSERT INTO themes VALUES (99, 'smuggled', 1)",
     "themes: theme 'smuggled' is in the project but not in the trail"),
]


@pytest.mark.parametrize(("statement", "message"), STATE_TAMPERING)
def test_verify_names_table_object_column_and_values(run: Run, project: Path, statement: str,
                                                     message: str) -> None:
    import_two(run, project)
    sql(project, statement)
    verify_fails(run, message)


def test_verify_catches_an_altered_text(run: Run, project: Path) -> None:
    import_two(run, project)
    sql(project, "UPDATE texts SET body = replace(body, 'bra', 'dårlig')")
    verify_fails(run, "does not match its hash")


def test_verify_catches_an_altered_or_missing_original(run: Run, project: Path) -> None:
    import_two(run, project)
    original = next((project / "sources").glob("I1-*"))
    original.write_bytes(original.read_bytes() + b"\n")
    verify_fails(run, "the original of I1 was changed")
    original.unlink()
    verify_fails(run, "the original of I1 is missing")


# -- undo -------------------------------------------------------------------------------------

def test_undo_appends_a_record_and_restores_the_state_before(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    conn = sqlite3.connect(project / "stc.db")
    before = store.dump_state(conn)
    conn.close()
    write(project / "I2.txt", "I: Og du?\nOla: Helt fint.\n")
    run("import", "I2.txt")
    out = run("undo", "--why", "wrong file").stdout
    assert out == '#4: undid "stc import …" (#3: imported I2 (2 segments; participant P2))\n'
    conn = sqlite3.connect(project / "stc.db")
    assert store.dump_state(conn) == before
    conn.close()
    log = json.loads(run("log", "--json").stdout)
    assert [r["kind"] for r in log] == ["project.init", "document.import", "document.import",
                                        "undo"]
    assert log[-1]["why"] == "wrong file"
    assert [d["id"] for d in json.loads(run("docs", "--json").stdout)] == ["I1"]
    run("verify")
    # undo again goes one further back, and the project's creation is never undone
    run("undo")
    assert json.loads(run("docs", "--json").stdout) == []
    assert "[E301]" in run("undo", code=1).stderr
    run("verify")


def test_undo_of_init_is_refused_and_changes_nothing(run: Run, project: Path) -> None:
    before = snapshot(run, project)
    result = run("undo", code=1)
    assert result.stderr.startswith("Error: nothing to undo") and "[E301]" in result.stderr
    assert snapshot(run, project) == before


def test_an_undone_import_can_be_imported_again(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    run("undo")
    assert "I1: I1.txt" in run("import", "I1.txt").stdout
    run("verify")


# -- two writers, a killed writer -------------------------------------------------------------

def _big_transcript(path: Path, turns: int) -> Path:
    sentence = "Jeg var ikke sikker på om alarmen ville virke, men nå føler jeg meg tryggere. "
    lines = [f"{'I' if n % 2 else 'Kari'}: {sentence * 3}{n}." for n in range(turns)]
    lines.append(f"I: Takk for samtalen om {path.stem}.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "STC_AUTHOR": "tester", "COLUMNS": "100"}


def test_two_processes_importing_at_once_both_succeed(project: Path, run: Run) -> None:
    files = [_big_transcript(project / f"P{n}.txt", 3000) for n in (1, 2)]
    procs = [subprocess.Popen([STC, "import", str(f)], cwd=project, env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    outcomes = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outcomes
    assert [d["id"] for d in json.loads(run("docs", "--json").stdout)] == ["P1", "P2"]
    assert len(json.loads(run("log", "--json").stdout)) == 3
    run("verify")


@pytest.mark.parametrize("same_file", [True, False], ids=["same file", "same id"])
def test_an_import_that_lost_a_race_changes_nothing(project: Path, run: Run,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    same_file: bool) -> None:
    """Another process imports between this one's reading and its recording."""
    import stc.importing
    from stc import open_project

    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    other = project / "other"
    other.mkdir()
    write(other / "I1.txt", "I: Hvordan går det?\nKari: Det går bra." + ("" if same_file
                                                                         else " Ja.") + "\n")
    real_payload = stc.importing._payload

    def meanwhile(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(stc.importing, "_payload", real_payload)
        rival = open_project(project)
        stc.importing.import_files(rival, [other / "I1.txt"])
        rival.close()
        return real_payload(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stc.importing, "_payload", meanwhile)
    if same_file:
        assert "identical to document I1" in run("import", "I1.txt").stdout
    else:
        # the rival's import is there; this one's left nothing (the log and sources, below)
        assert "[E201]" in run("import", "I1.txt", code=1, leaves_project=False).stderr
    assert len(json.loads(run("log", "--json").stdout)) == 2
    assert len(list((project / "sources").iterdir())) == 1
    run("verify")


# `stc import` run with SIGKILL at a fixed point: right after the function named returns
KILL_AT = """
import os, signal, sys
import stc.importing, stc.project, stc.trail

def die_after(owner, name):
    real = getattr(owner, name)
    def then_die(*args, **kwargs):
        answer = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return answer
    setattr(owner, name, then_die)

die_after(*{
    "split": (stc.importing, "segment_document"),
    "original": (stc.project.Batch, "keep_original"),
    "record": (stc.trail, "append"),
    "recorded": (stc.importing, "_record"),
    "commit": (stc.importing, "import_files"),
}[sys.argv[1]])
from stc.cli import main
main(sys.argv[2:], prog_name="stc")
"""

KILL_POINTS = [  # where the import of I2 and I3 dies, what it leaves, whether an original
    ("split", ["I1"], False),  # sentences split, nothing written yet
    ("original", ["I1"], True),  # I2's original kept under sources/, nothing recorded
    ("record", ["I1"], True),  # I2's record written, the transaction not committed
    ("recorded", ["I1"], True),  # I2 recorded, I3 not: the one transaction of both is not
    ("commit", ["I1", "I2", "I3"], False),  # both committed, the command not yet ended
]


@pytest.mark.parametrize(("point", "docs", "original_left"), KILL_POINTS,
                         ids=[p for p, _, _ in KILL_POINTS])
def test_a_killed_import_leaves_each_file_all_there_or_not_at_all(
        project: Path, run: Run, point: str, docs: list[str], original_left: bool) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    before = snapshot(run, project)
    write(project / "I2.txt", "I: Og du?\nOla: Helt fint.\n")
    write(project / "I3.txt", "I: Og du?\nSiri: Det er travelt.\n")
    done = subprocess.run([sys.executable, "-c", KILL_AT, point, "import", "I2.txt", "I3.txt"],
                          cwd=project, env=_env(), capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    if original_left:  # verify names it and --repair removes it
        assert "left by an interrupted import" in run("verify", code=1).stderr
        assert "removed" in run("verify", "--repair").stdout
    run("verify")
    assert [d["id"] for d in json.loads(run("docs", "--json").stdout)] == docs
    if docs == ["I1"]:
        after = snapshot(run, project)
        assert (after["log"], after["rows"]) == (before["log"], before["rows"])
    out = run("import", "I2.txt", "I3.txt").stdout  # what was left out comes in
    assert ("identical to document I3" if "I3" in docs else "I3: I3.txt") in out
    assert [d["id"] for d in json.loads(run("docs", "--json").stdout)] == ["I1", "I2", "I3"]
    run("verify")


# -- schema upgrades --------------------------------------------------------------------------

def _extra_migration(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE upgrade_probe (x INTEGER)")


def test_an_upgrade_copies_the_database_aside_first(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, ("900_probe", _extra_migration)])
    run("status")
    copy = project / "stc.db.before-900_probe"
    assert copy.exists()
    old = sqlite3.connect(copy)
    names = {r[0] for r in old.execute("SELECT name FROM schema_migrations")}
    assert "900_probe" not in names
    assert old.execute("SELECT COUNT(*) FROM trail").fetchone()[0] == 2
    old.close()
    new = sqlite3.connect(project / "stc.db")
    assert new.execute("SELECT COUNT(*) FROM upgrade_probe").fetchone()[0] == 0
    new.close()
    run("verify")
    run("status")  # nothing pending now: no second copy, no error
    assert len(list(project.glob("stc.db.before-*"))) == 1


def test_a_failing_upgrade_leaves_the_database_as_it_was(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise sqlite3.OperationalError("simulated failure")

    known = store.MIGRATIONS
    monkeypatch.setattr(store, "MIGRATIONS", [*known, ("901_broken", broken)])
    result = run("status", code=1)
    assert result.stderr.startswith("Error:")
    monkeypatch.setattr(store, "MIGRATIONS", known)
    conn = sqlite3.connect(project / "stc.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "half_done" not in tables
    run("verify")


def test_a_project_from_a_newer_stc_is_refused(run: Run, project: Path) -> None:
    sql(project, "INSERT INTO schema_migrations VALUES ('999_future', '2999-01-01')")
    assert "[E005]" in run("status", code=1).stderr
