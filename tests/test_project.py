"""Projects: init, discovery, author, status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run


def test_init_makes_the_contract_layout(run: Run, tmp_path: Path) -> None:
    result = run("init", "study", "--language", "no", "--title", "Studie")
    root = tmp_path / "study"
    assert {p.name for p in root.iterdir()} >= {"stc.toml", "stc.db", "sources", "reports"}
    assert 'language = "nb"' in (root / "stc.toml").read_text()  # `no` is taken as nb
    assert "Created project" in result.stdout


def test_init_refuses_an_existing_project(run: Run) -> None:
    run("init", "study", "--language", "en", "--title", "A")
    result = run("init", "study", "--language", "en", "--title", "B", code=1)
    assert result.stderr.startswith("Error:") and "[E002]" in result.stderr


def test_init_with_unknown_language_leaves_nothing(run: Run, tmp_path: Path) -> None:
    run("init", "study", "--language", "klingon", "--title", "A", code=1)
    assert not (tmp_path / "study").exists()


def test_project_is_found_from_a_subfolder_and_by_option_and_env(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "sources")
    assert "Testprosjekt" in run("status").stdout
    monkeypatch.chdir(project.parent)
    run("status", code=1)
    assert "Testprosjekt" in run("--project", "proj", "status").stdout
    assert "Testprosjekt" in run("status", "--project", "proj").stdout
    monkeypatch.setenv("STC_PROJECT", str(project))
    assert "Testprosjekt" in run("status").stdout


def test_author_resolution_order(run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = project / "stc.toml"
    settings.write_text(settings.read_text().replace('# name = "Your Name"', 'name = "Toml Name"'))
    monkeypatch.delenv("STC_AUTHOR")
    run("undo", code=1)  # nothing to undo: no author needed, no change
    from stc import open_project

    assert open_project(project).author == "Toml Name"
    monkeypatch.setenv("STC_AUTHOR", "Env Name")
    assert open_project(project).author == "Env Name"
    assert open_project(project, author="Option Name").author == "Option Name"


def test_status_names_the_next_command(run: Run, project: Path) -> None:
    data = json.loads(run("status", "--json").stdout)
    assert [s["step"] for s in data["steps"]] == [1, 2, 3, 4]
    assert data["steps"][0]["next"] == "stc import FILE..."
    assert "Next: stc import" in run("status").stdout


def test_status_counts_in_the_singular_and_the_plural(run: Run, project: Path) -> None:
    (project / "I1.txt").write_text("I: Hvordan går det?\nKari: Bra.\n", encoding="utf-8")
    run("import", "I1.txt")
    out = run("status").stdout
    assert "   1 transcript\n" in out and "0 of 1 transcript with an impression memo" in out
    assert "   0 meaning units\n" in out and "0 of 0 categories described" in out
