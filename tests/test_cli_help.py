"""Every command explains itself: --help with an example; --version; the reading views."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from stc import __version__
from stc.cli import main
from tests.conftest import Run, write


def all_commands() -> list[list[str]]:
    """Every command path, groups included: ["import"], ["theme", "add"], ..."""
    found: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"stc {' '.join([*prefix, name])} does not load"
            found.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(main, [])
    return found


def test_version(run: Run) -> None:
    assert run("--version").stdout.strip() == f"stc, version {__version__}"


def test_the_foundation_commands_are_there() -> None:
    names = {" ".join(c) for c in all_commands()}
    assert names >= {"init", "status", "import", "docs", "show", "log", "verify", "undo"}


@pytest.mark.parametrize("command", [[], *all_commands()], ids=lambda c: " ".join(c) or "stc")
def test_every_command_has_help_with_an_example(run: Run, command: list[str]) -> None:
    out = run(*command, "--help").stdout
    assert "Usage:" in out
    example = re.search(r"^\s*Examples?:\s*\n((?:[ \t]+\S.*\n?)+)", out, re.MULTILINE)
    assert example, f"stc {' '.join(command)} --help has no Example block:\n{out}"
    assert "stc " in example.group(1)


def test_a_misused_command_exits_2(run: Run) -> None:
    assert "Usage:" in run("import", code=2).stderr
    assert "No such command" in run("frobnicate", code=2).stderr


# -- the reading views ---------------------------------------------------------------------

LONG = ("Kari: " + "Det var en lang dag med mange besøk og lite tid til hver bruker, "
        "og alarmen gikk flere ganger uten at noen hadde falt. " * 3 + "\nI: Forstår.\n")


def test_show_wraps_to_the_terminal_width(run: Run, project: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "I1.txt", LONG)
    run("import", "I1.txt")
    for columns in (50, 80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        lines = run("show", "I1").stdout.splitlines()
        assert max(len(line) for line in lines) <= columns
        assert max(len(line) for line in lines) > columns - 20  # it uses the width it has
    numbered = [line for line in lines if re.match(r"^\s+\d+  ", line)]
    assert len(numbered) == len(json.loads(run("show", "I1", "--json").stdout)["segments"])


def test_show_marks_speakers_and_numbers(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra. Takk.\n")
    run("import", "I1.txt")
    out = run("show", "I1:2-3").stdout
    assert "Kari [participant]" in out and "I [interviewer]" not in out
    assert re.search(r"^\s+2  Det går bra\.$", out, re.MULTILINE)
    assert re.search(r"^\s+3  Takk\.$", out, re.MULTILINE)
    data = json.loads(run("show", "I1:2", "--json").stdout)
    assert data["ref"] == "I1:2"
    assert data["segments"] == [{"n": 2, "turn": 2, "speaker": "Kari", "role": "participant",
                                 "text": "Det går bra.", "begins": None, "ends": None}]


def test_show_refuses_bad_references(run: Run, project: Path) -> None:
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    run("import", "I1.txt")
    assert "[E202]" in run("show", "I9", code=1).stderr
    assert "[E204]" in run("show", "I1:2-40", code=1).stderr
    assert "[E203]" in run("show", "I1:x", code=1).stderr


def test_docs_lists_transcripts_with_json(run: Run, project: Path) -> None:
    assert "No transcripts yet" in run("docs").stdout
    assert json.loads(run("docs", "--json").stdout) == []
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra. Takk.\n")
    run("import", "I1.txt", "--participant", "Kari")
    out = run("docs").stdout
    assert "I1" in out and "3 segments" in out and "Kari (participant)" in out
    assert json.loads(run("docs", "--json").stdout) == [{
        "id": "I1", "participant": "Kari", "filename": "I1.txt", "format": "txt",
        "encoding": "utf-8", "version": 1, "turns": 2, "segments": 3, "words": 7,
        "speakers": {"I": "interviewer", "Kari": "participant"}, "participants": ["P1"],
        "names": ["Kari"], "attributes": {}}]
