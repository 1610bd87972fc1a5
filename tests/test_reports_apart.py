"""A large project's audit trail and matrix are made in other processes (stc.parallel) while
the chapter is written: the same bytes as in one process, of the same state even when a change
lands meanwhile, and a failure there is the one-line error it is here.

The size from which reports are made apart is lowered to nothing, so the small analysed
project of the golden files takes that way, with forked and with spawned workers (as on
Windows and macOS); STC_WORKERS=1 keeps everything in one process."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stc import parallel
from stc.reports import render as rendering
from tests.builders import analysed_project
from tests.conftest import Run, write


@pytest.fixture(params=["fork", "spawn"])
def apart(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Reports of any size made apart, by forked or spawned workers (as on Windows and
    macOS); the list names those that were."""
    if request.param == "fork" and not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setenv("STC_START_METHOD", request.param)
    monkeypatch.setattr(rendering, "APART_FROM", dict.fromkeys(rendering.APART_FROM, 0))
    monkeypatch.delenv("STC_WORKERS", raising=False)
    started: list[str] = []
    real = parallel.in_background

    def noting(function: Callable[..., Any], root: Path, report: str, *rest: Any) -> Any:
        started.append(report)
        return real(function, root, report, *rest)

    monkeypatch.setattr(rendering, "in_background", noting)
    return started


def reports_of(run: Run, root: Path, out: Path) -> dict[str, bytes]:
    run("report", "all", "--project", str(root), "--out", str(out))
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.usefixtures("stable_salts")
def test_reports_made_apart_are_those_made_in_one_process(
        run: Run, tmp_path: Path, apart: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    (tmp_path / "apart").mkdir()
    (tmp_path / "here").mkdir()
    made_apart = reports_of(run, root, tmp_path / "apart")
    assert apart == ["audit", "matrix"]
    monkeypatch.setenv("STC_WORKERS", "1")
    made_here = reports_of(run, root, tmp_path / "here")
    assert apart == ["audit", "matrix"]  # none started with STC_WORKERS=1
    assert len(made_apart) == 10 and made_apart == made_here


def stamps(folder: Path) -> set[str]:
    """The trail hashes (the states) the chapter, the audit trail and the matrix name."""
    last = [re.findall(r"\b[0-9a-f]{64}\b", (folder / name).read_text(encoding="utf-8"))[-1]
            for name in ("results.md", "audit.html")]
    sidecar = json.loads((folder / "matrix.csv.json").read_text(encoding="utf-8"))
    return {*last, sidecar["state"]["trail_hash"]}


def test_a_change_recorded_meanwhile_leaves_every_report_of_one_state(
        run: Run, tmp_path: Path, apart: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ["STC_START_METHOD"] != "fork":  # the change is put into the worker's code
        pytest.skip("a spawned worker imports its own code, without this test's change")
    from stc.project import open_project
    from stc.stages.impression import add_memo
    from stc.trail import head

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    _, shown = head(open_project(root).conn)
    real = rendering._parted_files

    def after_a_change(*args: Any) -> Any:  # another user's change, before this one reads
        add_memo(open_project(root), "Notat skrevet mens rapportene ble laget.")
        return real(*args)

    monkeypatch.setattr(rendering, "_parted_files", after_a_change)
    (tmp_path / "out").mkdir()
    run("report", "all", "--project", str(root), "--out", str(tmp_path / "out"))
    assert apart == ["audit", "matrix"]
    assert stamps(tmp_path / "out") == {shown}  # the state the chapter shows, in all three
    assert head(open_project(root).conn)[1] != shown  # the changes did land meanwhile


def test_a_failure_apart_is_the_error_it_is_here(run: Run, tmp_path: Path,
                                                 apart: list[str]) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    (root / "templates").mkdir()
    write(root / "templates" / "audit.html.j2", "{{ missing_value }}")
    result = run("report", "all", "--project", str(root), code=1)
    assert apart == ["audit", "matrix"]
    assert result.stderr.count("Error:") == 1
    assert "[E534]" in result.stderr and "templates/audit.html.j2" in result.stderr
    assert not (root / "reports").exists() or not any((root / "reports").iterdir())


def unreaped_children() -> set[int]:
    """The processes this one started and has not reaped (a zombie included), from /proc."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[1]) == os.getpid():
            out.add(int(stat.parent.name))
    return out


def test_a_failure_in_the_chapter_leaves_no_worker_behind(run: Run, tmp_path: Path,
                                                          apart: list[str]) -> None:
    """The chapter fails while the audit trail and the matrix are made apart: the one-line
    error, and no forked worker left working (or unreaped) for a report nobody waits for."""
    if os.environ["STC_START_METHOD"] != "fork" or not Path("/proc/self/stat").exists():
        pytest.skip("forked workers, counted in /proc")
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    (root / "templates").mkdir()
    write(root / "templates" / "results.html.j2", "{{ missing_value }}")
    before = unreaped_children()
    result = run("report", "all", "--project", str(root), code=1)
    assert apart == ["audit", "matrix"]
    assert result.stderr.count("Error:") == 1
    assert "[E534]" in result.stderr and "templates/results.html.j2" in result.stderr
    assert unreaped_children() == before


def test_a_preview_shows_one_state_when_a_change_lands_meanwhile(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench's preview (`render.page`): its checks and its model read one state."""
    from stc.project import open_project
    from stc.stages.impression import add_memo
    from stc.trail import head

    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    project = open_project(root)
    _, shown = head(project.conn)
    from stc.reports.model import build as real

    def after_a_change(*args: Any, **kwargs: Any) -> Any:  # another user's, between the reads
        add_memo(open_project(root), "Notat skrevet mens forhåndsvisningen ble laget.")
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "build", after_a_change)
    html = rendering.page(project, "audit").html
    assert re.findall(r"\b[0-9a-f]{64}\b", html)[-1] == shown
    assert "Notat skrevet" not in html
    assert head(project.conn)[1] != shown
