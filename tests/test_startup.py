"""Read-only commands start fast: they never import spaCy or pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Run, write

PROBE = """
import json, sys
from stc.cli import main
try:
    main(sys.argv[1:], prog_name="stc")
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ("spacy", "pandas", "numpy", "thinc") if m in sys.modules)
print("HEAVY=" + json.dumps(heavy))
"""


def heavy_modules(project: Path, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=project, capture_output=True,
                          text=True, check=False, env={"STC_AUTHOR": "tester", "PATH": ""})
    assert "Traceback" not in done.stderr, done.stderr
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("HEAVY=")][-1]
    return list(json.loads(line.removeprefix("HEAVY=")))


@pytest.fixture
def imported(run: Run, project: Path) -> Path:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra. Takk for at du spør.\n")
    run("import", "I1.txt")
    run("code", "I1:2", "takk", "--group", "Omtanke")
    run("comment", "add", "U1", "-m", "Er dette omtanke?")
    return project


@pytest.mark.parametrize("args", [
    ["--version"], ["--help"], ["docs"], ["docs", "--json"], ["show", "I1"],
    ["show", "I1:1-2", "--json"], ["log"], ["log", "--json"], ["status"], ["status", "--json"],
    ["log", "--on", "U1"], ["log", "--on", "I1:2"], ["log", "--on", "takk", "--json"],
    ["codes"], ["codes", "--json"], ["comments"], ["comments", "--open", "--json"],
    ["diff", "--since", "1"], ["diff", "--since", "2000-01-01", "--json"],
], ids=lambda a: " ".join(a))
def test_read_only_commands_import_neither_spacy_nor_pandas(imported: Path,
                                                             args: list[str]) -> None:
    assert heavy_modules(imported, *args) == []


def test_the_probe_would_notice(imported: Path) -> None:
    """The same probe sees spaCy when a command does need it."""
    write(imported / "I2.txt", "I: Og du?\nOla: Helt fint.\n")
    assert "spacy" in heavy_modules(imported, "import", "I2.txt")


# -- the `stc` command itself, as a process ------------------------------------------------

def stc_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m stc ARGS`: the console entry, which leaves without tearing Python down."""
    return subprocess.run([sys.executable, "-m", "stc", *args], cwd=cwd, capture_output=True,
                          text=True, check=False, env={"STC_AUTHOR": "tester", "PATH": ""})


def test_the_command_flushes_its_output_and_keeps_exit_codes(imported: Path) -> None:
    listing = stc_process(imported, "show", "I1")
    assert listing.returncode == 0 and "Det går bra." in listing.stdout
    unknown = stc_process(imported, "show", "I9")
    assert unknown.returncode == 1 and unknown.stderr.startswith("Error: ")
    assert "[E202]" in unknown.stderr
    assert stc_process(imported, "no-such-command").returncode == 2


def test_after_a_change_stc_db_alone_holds_everything(imported: Path, tmp_path: Path) -> None:
    """The project is closed before the process leaves: SQLite's write-ahead log is folded
    into stc.db, so copying stc.db alone loses no change."""
    done = stc_process(imported, "memo", "add", "-m", "Først et inntrykk.", "--on", "I1")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in imported.glob("stc.db*")) == ["stc.db"]
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "stc.db").write_bytes((imported / "stc.db").read_bytes())
    (copy / "stc.toml").write_bytes((imported / "stc.toml").read_bytes())
    memos = json.loads(stc_process(copy, "memos", "--json").stdout)
    assert [m["body"] for m in memos] == ["Først et inntrykk."]


def test_ctrl_c_during_a_parallel_import_stops_cleanly(imported: Path) -> None:
    """Ctrl-C reaches the whole process group, workers included: one Error line, exit 1,
    nothing of the import recorded (it is all or nothing), no worker left running."""
    import os
    import signal
    import sqlite3

    interview = (Path(__file__).resolve().parents[1] / "corpora" / "nb-hjemmetjeneste"
                 / "I1.txt").read_text(encoding="utf-8")
    names = []
    for n in range(20):
        names.append(f"T{n}.txt")
        (imported / names[-1]).write_text(f"{interview}\n\nT{n}\n" * 8, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "stc", "import", *names], cwd=imported, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={"STC_AUTHOR": "tester", "STC_WORKERS": "2", "PATH": ""})

    def documents() -> int:
        with sqlite3.connect(imported / "stc.db", timeout=10) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    before = documents()
    assert child.stdout is not None
    for line in child.stdout:  # each phase's progress bar starts with its name
        if line.startswith("Splitting into sentences"):
            break
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert err.strip().splitlines() == [
        "Error: interrupted; the change in progress was not recorded"]
    assert documents() == before
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)  # nothing of the group is left
    assert stc_process(imported, "verify").returncode == 0
    assert not list((imported / "sources").glob("*.part"))
