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
    return project


@pytest.mark.parametrize("args", [
    ["--version"], ["--help"], ["docs"], ["docs", "--json"], ["show", "I1"],
    ["show", "I1:1-2", "--json"], ["log"], ["log", "--json"], ["status"], ["status", "--json"],
], ids=lambda a: " ".join(a))
def test_read_only_commands_import_neither_spacy_nor_pandas(imported: Path,
                                                             args: list[str]) -> None:
    assert heavy_modules(imported, *args) == []


def test_the_probe_would_notice(imported: Path) -> None:
    """The same probe sees spaCy when a command does need it."""
    write(imported / "I2.txt", "I: Og du?\nOla: Helt fint.\n")
    assert "spacy" in heavy_modules(imported, "import", "I2.txt")
