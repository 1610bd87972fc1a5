"""Settings are part of the state: `stc config`, an edited stc.toml, undo, --as-of.

The settings that change what a report says live in the state and are recorded in the trail,
so the same state gives the same reports and stc.toml and the database never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import analysed_project
from tests.conftest import Run
from tests.samples import snapshot


def config(run: Run) -> dict[str, object]:
    return {r["key"]: r["value"] for r in json.loads(run("config", "--json").stdout)}


def last_change(run: Run) -> dict[str, object]:
    return dict(json.loads(run("log", "--json").stdout)[-1])


def test_config_set_records_the_change_and_writes_stc_toml(run: Run, project: Path) -> None:
    assert config(run)["report.cut_marker"] == "(…)"  # nb's convention
    assert config(run)["report.quote_attribution"] == "none"
    run("config", "set", "cut_marker", "[…]", "--why", "my supervisor's style")
    change = last_change(run)
    assert change["kind"] == "project.set" and change["why"] == "my supervisor's style"
    assert change["payload"] == {"key": "report.cut_marker", "value": "[…]"}
    assert 'cut_marker = "[…]"' in (project / "stc.toml").read_text()
    assert "chapter = 3            # results headings" in (project / "stc.toml").read_text()
    before = len(json.loads(run("log", "--json").stdout))
    assert "nothing changed" in run("config", "set", "report.cut_marker", "[…]").stdout
    assert len(json.loads(run("log", "--json").stdout)) == before
    run("config", "unset", "cut_marker")
    assert config(run)["report.cut_marker"] == "(…)"
    assert "cut_marker" not in (project / "stc.toml").read_text()
    run("verify")


def test_unknown_keys_and_bad_values_are_refused_and_change_nothing(
        run: Run, project: Path) -> None:
    before = snapshot(run, project)
    settings = (project / "stc.toml").read_bytes()
    assert "[E540]" in run("config", "set", "quote_atribution", "participant", code=1).stderr
    assert "[E541]" in run("config", "set", "quote_attribution", "everyone", code=1).stderr
    assert "[E541]" in run("config", "set", "chapter", "three", code=1).stderr
    assert "[E541]" in run("config", "set", "language", "klingon", code=1).stderr
    assert "[E544]" in run("config", "unset", "title", code=1).stderr
    assert snapshot(run, project) == before
    assert (project / "stc.toml").read_bytes() == settings


def test_an_edited_stc_toml_is_recorded_on_the_next_command(run: Run, project: Path) -> None:
    path = project / "stc.toml"
    path.write_text(path.read_text().replace('language = "nb"', 'language = "en"')
                    .replace("chapter = 3", "chapter = 4\ninline_words = 12"))
    run("status")  # any command notices
    log = json.loads(run("log", "--json").stdout)
    edited = [r for r in log if r["kind"] == "project.set"]
    assert [r["payload"] for r in edited] == [
        {"key": "language", "value": "en"}, {"key": "report.chapter", "value": "4"},
        {"key": "report.inline_words", "value": "12"}]
    assert {r["why"] for r in edited} == {"stc.toml edited"}
    assert len({r["command"] for r in edited}) == 1  # one command: one undo takes it back
    assert json.loads(run("status", "--json").stdout)["language"] == "en"
    assert len(json.loads(run("log", "--json").stdout)) == len(log)  # noticed once
    run("undo")  # the state goes back, and stc.toml with it
    assert 'language = "nb"' in path.read_text() and "chapter = 3" in path.read_text()
    assert json.loads(run("status", "--json").stdout)["language"] == "nb"
    run("verify")


def test_a_bad_stc_toml_is_refused_with_what_to_fix(run: Run, project: Path) -> None:
    path = project / "stc.toml"
    good = path.read_text()
    path.write_text(good.replace("chapter = 3", "chapter = 3\nquote_atribution = 'participant'"))
    assert "[E542]" in run("status", code=1).stderr
    path.write_text(good.replace("chapter = 3", "chapter = -1"))
    assert "[E543]" in run("status", code=1).stderr
    path.write_text(good)
    run("status")
    assert not [r for r in json.loads(run("log", "--json").stdout) if r["kind"] == "project.set"]


def test_prevalence_and_reports_follow_the_recorded_language(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    p = ["--project", str(root)]
    settings = root / "stc.toml"
    settings.write_text(settings.read_text().replace('language = "nb"', 'language = "en"'))
    words = json.loads(run("prevalence", "--json", *p).stdout)[0]["words"]
    run("report", "results", "--format", "md", *p)
    md = (root / "reports" / "results.md").read_text()
    assert words == "all participants" and md.startswith("# 3 Results\n")


def test_as_of_uses_the_settings_of_that_state(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "en"
    analysed_project(run, root, "en")
    p = ["--project", str(root)]
    before = last_change_of(run, p)
    run("config", "set", "chapter", "5", *p)
    run("config", "set", "cut_marker", "(...)", *p)
    run("report", "results", "--format", "md", "--as-of", str(before), "--out",
        str(tmp_path / "then"), *p)
    run("report", "results", "--format", "md", "--out", str(tmp_path / "now"), *p)
    then = (tmp_path / "then" / "results.md").read_text()
    now = (tmp_path / "now" / "results.md").read_text()
    assert then.startswith("# 3 Results") and "time […] there" in then
    assert now.startswith("# 5 Results") and "time (...) there" in now


def last_change_of(run: Run, p: list[str]) -> int:
    return int(json.loads(run("log", "--json", *p).stdout)[-1]["seq"])
