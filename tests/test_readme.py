"""The README's walkthrough runs as written, and shows real output.

Every `$ stc ...` line in the walkthrough's console blocks is run in order (`$ cd DIR` changes
folder); every other line of a block must appear in the output of the command above it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import CORPORA, Run

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def walkthrough() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(section):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif line.strip():
                steps[-1][1].append(line.rstrip())
    return steps


def test_walkthrough_has_all_four_steps() -> None:
    commands = " ".join(cmd for cmd, _ in walkthrough())
    for needed in ("stc import", "stc theme add", "stc code", "stc condense", "stc describe",
                   "stc report", "stc verify"):
        assert needed in commands


def test_readme_walkthrough_runs_as_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "corpora").symlink_to(CORPORA)
    monkeypatch.setenv("STC_AUTHOR", "Ingrid")
    for command, expected in walkthrough():
        words = shlex.split(command)
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
            continue
        assert words[0] == "stc", command
        result = run(*words[1:])
        output = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
        for line in expected:
            assert line in output, f"README shows {line!r} after `{command}`; got:\n" + \
                "\n".join(output)
