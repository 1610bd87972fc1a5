"""An import is all or nothing over all its files: a failure in any phase, a full disk or a
kill leaves the project as it was; its workers end with it; and what a killed writer left under
sources/ is removed by the next command that writes (a file put there by hand only by `stc
verify --repair`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write
from tests.samples import snapshot

STC = str(Path(sys.executable).with_name("stc"))


def _sources(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / "sources").iterdir()}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "STC_AUTHOR": "tester", "COLUMNS": "100", **extra}


def _two(folder: Path) -> list[str]:
    write(folder / "A.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    write(folder / "Z.txt", "I: Og du?\nOla: Helt fint.\n")
    return [str(folder / "A.txt"), str(folder / "Z.txt")]


@pytest.fixture
def started(run: Run, project: Path) -> Path:
    """A project that holds a transcript a failure could damage."""
    write(project / "I1.txt", "I: Fortell.\nPer: Jeg har jobbet her lenge.\n")
    run("import", "I1.txt")
    return project


def test_a_file_that_fails_after_another_was_split_changes_nothing(
        run: Run, started: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stc.importing

    files = _two(started.parent)  # outside the project: the test changes Z, not the import
    real = stc.importing._analyse

    def changing_z(prep: Any, *args: Any, **kwargs: Any) -> Any:
        if prep.doc == "A":  # A is split; Z changes before its turn comes
            write(started.parent / "Z.txt", "I: Og du?\nOla: Noe annet.\n")
        return real(prep, *args, **kwargs)

    monkeypatch.setattr(stc.importing, "_analyse", changing_z)
    before = snapshot(run, started)
    error = run("import", *files, code=1).stderr
    assert "[E115]" in error and "Z.txt" in error
    assert snapshot(run, started) == before  # no document A, no original of A
    run("verify")


def test_a_full_disk_while_recording_changes_nothing(run: Run, started: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import stc.importing

    files = _two(started)
    write(started / "Z.txt", "".join(f"I: Spørsmål {n}?\nOla: Svar nummer {n}.\n"
                                     for n in range(2000)))  # needs new pages
    real = stc.importing._record
    calls: list[str] = []

    def filling_the_disk(batch: Any, prep: Any, analysis: Any, ids: Any) -> None:
        calls.append(prep.doc)
        if len(calls) == 2:  # SQLite's own SQLITE_FULL: the database may not grow further
            pages = batch.conn.execute("PRAGMA page_count").fetchone()[0]
            batch.conn.execute(f"PRAGMA max_page_count = {pages}")
        real(batch, prep, analysis, ids)

    monkeypatch.setattr(stc.importing, "_record", filling_the_disk)
    before = snapshot(run, started)
    error = run("import", *files, code=1).stderr
    assert "[E137]" in error and "disk is full" in error
    assert calls == ["A", "Z"]
    assert snapshot(run, started) == before
    run("verify")


KILL_AT_THE_SECOND_RECORD = """
import os, signal, sys
import stc.trail
real_append = stc.trail.append
appended = []
def append_then_die(*args, **kwargs):
    appended.append(real_append(*args, **kwargs))
    if len(appended) == 2:  # both records written, the commit not yet made
        os.kill(os.getpid(), signal.SIGKILL)
    return appended[-1]
stc.trail.append = append_then_die
from stc.cli import main
main(sys.argv[1:], prog_name="stc")
"""


def test_the_next_writer_removes_what_a_killed_import_left(run: Run, started: Path) -> None:
    files = _two(started)
    by_hand = started / "sources" / "notes.txt"
    by_hand.write_text("Mine egne notater.\n", encoding="utf-8")
    before = _sources(started)
    done = subprocess.run([sys.executable, "-c", KILL_AT_THE_SECOND_RECORD, "import", *files],
                          cwd=started, env=_env(), capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    left = set(_sources(started)) - set(before)
    assert len(left) == 2  # both originals, written under the lock before the kill
    problems = run("verify", code=1).stderr
    assert all(name in problems for name in left) and "notes.txt" in problems

    run("theme", "add", "Trygghet")  # the next command that writes
    assert _sources(started) == before  # stc's strays gone, her notes kept
    assert "notes.txt" in run("verify", code=1).stderr
    assert "removed" in run("verify", "--repair").stdout
    assert not by_hand.exists()
    run("verify")
    run("import", *files)
    run("verify")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


NO_PRCTL = """
import sys
import stc.parallel
stc.parallel._PR_SET_PDEATHSIG = -1  # no such option: prctl refuses, the watching thread stays
from stc.cli import main
main(sys.argv[1:], prog_name="stc")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["kernel", "watching thread"])
def test_workers_end_when_the_import_is_killed(run: Run, project: Path, how: str) -> None:
    sentence = "Jeg var ikke sikker på om alarmen ville virke, men nå føler jeg meg tryggere. "
    files = []
    for n in range(8):
        lines = [f"{'I' if t % 2 else 'Kari'}: {sentence * 3}{t}." for t in range(3000)]
        files.append(write(project / f"L{n}.txt", "\n".join(lines) + f"\nI: Takk {n}.\n").name)
    command = [STC] if how == "kernel" else [sys.executable, "-c", NO_PRCTL]
    proc = subprocess.Popen([*command, "import", *files], cwd=project,
                            env=_env(STC_WORKERS="2", STC_START_METHOD="fork"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the import started no workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_running, workers)), "workers outlived the killed import"
    run("verify")
    assert run("docs").stdout.startswith("No transcripts")
