"""Shared fixtures: temporary projects driven through the real CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from stc.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPORA = Path(__file__).resolve().parents[1] / "corpora"

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own here
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output")
    parser.addoption("--workbench-screenshots", metavar="DIR", default=None,
                     help="write the README's workbench screenshots into DIR (browser tests)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments: Debian's Chromium, quiet and offline."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def spawn_eagerly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under STC_START_METHOD=spawn or forkserver (`make portability`), worker processes start
    for as little work as forked ones do, so the suite's imports and verifications run in
    spawned processes, as on Windows and macOS."""
    import os

    from stc import parallel, trail

    if os.environ.get("STC_START_METHOD") in ("spawn", "forkserver"):
        monkeypatch.setattr(parallel, "MIN_ITEMS", dict.fromkeys(parallel.MIN_ITEMS,
                                                                 parallel.MIN_ITEMS["fork"]))
        monkeypatch.setattr(trail, "WORTH_A_SPAWN", 0)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `stc ARGS...` in tmp_path; asserts the exit code (0 unless `code=` says)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STC_AUTHOR", "tester")
    monkeypatch.delenv("STC_PROJECT", raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None) -> Result:
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == code, (
            f"stc {' '.join(args)} exited {result.exit_code}, wanted {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    return invoke


@pytest.fixture
def project(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Norwegian project, the working directory inside it."""
    run("init", "proj", "--language", "nb", "--title", "Testprosjekt")
    root = tmp_path / "proj"
    monkeypatch.chdir(root)
    return root


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
