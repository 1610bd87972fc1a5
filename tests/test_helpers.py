"""The suite's own helpers hold: a refusal that changed its project is caught, the pinned clock
is pinned, and --update-golden shows what it rewrites."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from stc.errors import StcError
from tests import conftest
from tests.conftest import Run, write


def test_a_failed_command_that_changed_its_project_is_caught(
        run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stc.importing

    real = stc.importing.import_files

    def import_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # committed: the kind of bug a refusal test is there to catch
        raise StcError("E201", doc="I1")

    monkeypatch.setattr(stc.importing, "import_files", import_then_fail)
    write(project / "I1.txt", "I: Hvordan går det?\nKari: Det går bra.\n")
    with pytest.raises(AssertionError, match=r"failed but changed .*table documents.*sources/I1-"):
        run("import", "I1.txt", code=1)


def test_a_refusal_that_changed_nothing_passes(run: Run, project: Path) -> None:
    assert "[E301]" in run("undo", code=1).stderr


def test_the_clock_is_pinned(clock: datetime, run: Run, project: Path) -> None:
    run("theme", "add", "Tid")
    log = json.loads(run("log", "--json").stdout)
    assert [r["at"] for r in log] == ["2026-03-02T12:00:00.000000Z",
                                      "2026-03-02T12:00:01.000000Z"]


def test_update_golden_rewrites_the_file_and_keeps_its_diff(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "x.md"
    monkeypatch.setattr(conftest, "GOLDEN_DIFFS", [])
    conftest.compare_golden(golden, "one\ntwo\n", update=True)
    conftest.compare_golden(golden, "one\nthree\n", update=True)
    conftest.compare_golden(golden, "one\nthree\n", update=True)  # unchanged: no diff
    assert conftest.GOLDEN_DIFFS[1] == (f"--- a/{golden}\n+++ b/{golden}\n"
                                        "@@ -1,2 +1,2 @@\n one\n-two\n+three\n")
    assert len(conftest.GOLDEN_DIFFS) == 2
    conftest.compare_golden(golden, "one\nthree\n", update=False)
    with pytest.raises(AssertionError, match="differs from its golden file"):
        conftest.compare_golden(golden, "one\n", update=False)
