"""Shared fixtures: temporary projects driven through the real CLI.

A command that fails (`run(..., code=1)`, or a usage error) is checked to leave its project as it
was: every table, every file of the folder (see `project_state`), the way a refusal test would
with the snapshot helper, for every refusal in the suite.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from click.testing import CliRunner, Result

from stc.cli import main

# the third-party files the tests read (never copied into the repository): ../shared/data beside
# the repository, or where STC_SHARED_DATA says (the mutation check runs the tests on a copy)
SHARED = Path(os.environ.get("STC_SHARED_DATA")
              or Path(__file__).resolve().parents[2] / "shared" / "data")
REFI = SHARED / "refi-qda"  # the REFI-QDA schemas and other programs' sample files
ABSENT = "the tests read ../shared/data beside the repository and never keep a copy of it"


def needs_shared(folder: Path) -> pytest.MarkDecorator:
    """Skip, saying why, a test that reads `folder` of the shared data when it is absent."""
    return pytest.mark.skipif(not folder.is_dir(), reason=f"{folder} is missing ({ABSENT})")


def shared_schema(name: str) -> xmlschema.XMLSchema:
    """A REFI-QDA schema from the shared data, or the test that needs it skipped, saying why."""

    if not (REFI / name).is_file():
        pytest.skip(f"{REFI / name} is missing ({ABSENT})")
    return xmlschema.XMLSchema(str(REFI / name))
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
def stable_salts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each owner's salt derived from its name instead of drawn at random: every text hash in
    the trail, and so the trail hash a report prints, depends on the salts, and golden files
    need the same bytes on every run (as `builders.stable_trail` fixes the change times)."""
    import hashlib

    from stc import texts

    monkeypatch.setattr(texts, "new_salt",
                        lambda owner: hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32])


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


GOLDEN_DIFFS: list[str] = []  # what --update-golden rewrote, printed at the end of the run


def compare_golden(path: Path, actual: str, update: bool) -> None:
    """`actual` equals the golden file; with --update-golden, the file is rewritten and the
    difference it makes is printed at the end of the run, to be read before committing."""
    if update:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != actual:
            tests = Path(__file__).parent
            name = str(path.relative_to(tests) if tests in path.parents else path)
            GOLDEN_DIFFS.append("".join(difflib.unified_diff(
                old.splitlines(keepends=True), actual.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config
                            ) -> None:
    if not config.getoption("--update-golden"):
        return
    terminalreporter.section("golden files rewritten")
    for diff in GOLDEN_DIFFS:
        terminalreporter.write(diff if diff.endswith("\n") else diff + "\n")
    terminalreporter.write_line(f"{len(GOLDEN_DIFFS)} golden file(s) changed")


def project_state(root: Path) -> dict[str, Any]:
    """What a failed command must leave alone: every row of every table of stc.db, and every
    other file of the project folder by its digest (stc.toml, sources/, reports/ ...)."""
    conn = sqlite3.connect(root / "stc.db")
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: sorted(map(repr, conn.execute(f"SELECT * FROM \"{t}\""))) for t in tables}
    finally:
        conn.close()
    files = {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(root.rglob("*")) if p.is_file()
             and not p.name.startswith("stc.db")}  # the database by its rows, above
    return {"rows": rows, "files": files}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between two project states, named by table or file."""
    names = [f"table {t}" for t in sorted(set(before["rows"]) | set(after["rows"]))
             if before["rows"].get(t) != after["rows"].get(t)]
    return names + [f"file {f}" for f in sorted(set(before["files"]) | set(after["files"]))
                    if before["files"].get(f) != after["files"].get(f)]


def _project_of(args: tuple[str, ...]) -> Path | None:
    """The project a command works on: --project, else the one it finds from here."""
    from stc.errors import NotAProject
    from stc.project import find_project

    for arg, value in itertools.pairwise((*args, "")):
        if arg == "--project" or arg.startswith("--project="):
            given = Path(value if arg == "--project" else arg.partition("=")[2])
            return given.resolve() if (given / "stc.db").is_file() else None
    try:
        return find_project()
    except NotAProject:
        return None


Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `stc ARGS...` in tmp_path; asserts the exit code (0 unless `code=` says), and that a
    command that fails leaves its project as it was (`leaves_project=False` only where another
    writer changes it meanwhile)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STC_AUTHOR", "tester")
    monkeypatch.delenv("STC_PROJECT", raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None,
               leaves_project: bool = True) -> Result:
        root = _project_of(args) if code and leaves_project else None
        before = project_state(root) if root else None
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == code, (
            f"stc {' '.join(args)} exited {result.exit_code}, wanted {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}")
        if root and before:
            changed = _changed(before, project_state(root))
            assert not changed, f"stc {' '.join(args)} failed but changed {', '.join(changed)}"
        return result

    return invoke


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The trail's clock pinned: each change one second after the one before, from noon UTC
    on a fixed day, so a test that compares dates cannot fail across midnight."""
    start = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    ticks = itertools.count()

    def now() -> str:
        at = start + timedelta(seconds=next(ticks))
        return at.isoformat(timespec="microseconds").replace("+00:00", "Z")

    monkeypatch.setattr("stc.trail.now", now)
    return start


@pytest.fixture
def project(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Norwegian project, the working directory inside it."""
    run("init", "proj", "--language", "nb", "--title", "Testprosjekt")
    root = tmp_path / "proj"
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def done(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Norwegian project with all four steps done (`builders.analysed_project`), the working
    directory inside it."""
    from tests.builders import analysed_project

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    monkeypatch.chdir(root)
    return root


def module_cli() -> Callable[..., str]:
    """`stc ARGS...` for a fixture that outlives one test (the `run` fixture is per test): the
    output of a command that must succeed."""
    runner = CliRunner(env={"STC_AUTHOR": "tester", "STC_PROJECT": None})

    def stc(*args: str) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    return stc


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
