"""Step 1: preliminary themes, memos, frequent words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, write

INTERVIEW = """I: Hva tenker du om dispenserne?
Kari: Dispenserne gir brukerne frihet. Brukerne sover lenger, og dispenseren piper når det er tid.
I: Og besøkene?
Kari: Besøkene blir færre. Jeg savner besøkene, for da ser jeg brukerne.
"""


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    return project


def test_themes_warn_outside_four_to_eight(run: Run, project: Path) -> None:
    result = run("theme", "add", "Frigjort tid", "Nærhet")
    assert "Warning:" in result.stderr and "4 to 8" in result.stderr
    run("theme", "add", "Trygghet", "Opplæring")
    result = run("themes")
    assert "Warning" not in result.stderr
    assert [line.split(". ", 1)[1] for line in result.stdout.splitlines()] == [
        "Frigjort tid", "Nærhet", "Trygghet", "Opplæring"]
    run("theme", "add", *[f"T{i}" for i in range(5)])
    assert "at most 8" in run("themes").stderr


def test_theme_rename_drop_and_duplicates(run: Run, project: Path) -> None:
    run("theme", "add", "Frigjort tid")
    assert "[E402]" in run("theme", "add", "frigjort TID", code=1).stderr
    run("theme", "rename", "frigjort tid", "Tid som flyttes", "--why", "tiden flyttes")
    run("theme", "drop", "Tid som flyttes")
    assert json.loads(run("themes", "--json").stdout)["themes"] == []
    assert "[E401]" in run("theme", "drop", "Borte", code=1).stderr
    log = run("log").stdout
    assert "renamed 'Tid som flyttes'" in log and "why: tiden flyttes" in log
    run("verify")


def test_a_theme_can_become_a_code_group(run: Run, interview: Path) -> None:
    run("theme", "add", "Frihet")
    run("code", "I1:2", "frihet")
    run("group", "frihet", "--into", "Frihet")
    assert "-> group Frihet" in run("themes").stdout


def test_memos_on_project_document_and_named_things(run: Run, interview: Path) -> None:
    run("memo", "add", "--kind", "preunderstanding", "-m", "Jeg venter å finne tidspress.")
    made = run("memo", "add", "--on", "i1", "-m", "Et tydelig inntrykk.").stdout
    assert made.startswith("M2: impression memo on I1")
    run("theme", "add", "Frihet")
    run("memo", "add", "--on", "Frihet", "-m", "Om frihet")
    run("memo", "add", "--on", "I1:2-3", "-m", "Se dette")
    memos = json.loads(run("memos", "--json").stdout)
    assert [(m["kind"], m["ref"]) for m in memos] == [
        ("preunderstanding", None), ("impression", "I1"), ("note", "theme:Frihet"),
        ("note", "I1:2-3")]
    assert memos[0]["author"] == "tester" and memos[0]["body"].startswith("Jeg venter")
    on_doc = json.loads(run("memos", "--on", "I1", "--json").stdout)
    assert [m["id"] for m in on_doc] == [2, 4]
    assert len(json.loads(run("memos", "--kind", "impression", "--json").stdout)) == 1
    run("verify")


def test_memo_from_file_and_editor(run: Run, interview: Path, monkeypatch: pytest.MonkeyPatch
                                   ) -> None:
    path = write(interview / "pre.md", "Min forforståelse.\n")
    run("memo", "add", "--kind", "preunderstanding", "--file", str(path))
    monkeypatch.setattr("click.edit", lambda text, **_: "Skrevet i editor\n# kommentar\n")
    monkeypatch.setattr("stc.cli.common.has_terminal", lambda: True)  # as in a terminal
    run("memo", "add", "--on", "I1", "--edit")
    bodies = [m["body"] for m in json.loads(run("memos", "--json").stdout)]
    assert bodies == ["Min forforståelse.", "Skrevet i editor"]


def test_memo_on_unknown_or_ambiguous_reference(run: Run, interview: Path) -> None:
    assert "[E410]" in run("memo", "add", "--on", "Ingenting", "-m", "x", code=1).stderr
    assert "[E204]" in run("memo", "add", "--on", "I1:99", "-m", "x", code=1).stderr
    run("theme", "add", "Frihet")
    run("code", "I1:2", "Frihet")
    assert "[E411]" in run("memo", "add", "--on", "Frihet", "-m", "x", code=1).stderr
    run("memo", "add", "--on", "code:frihet", "-m", "x")
    run("memo", "add", "-m", "x", "--edit", code=2)  # -m and --edit together


def test_terms_leave_out_interviewer_and_stop_words(run: Run, interview: Path) -> None:
    data = json.loads(run("terms", "I1", "--json").stdout)
    lemmas = [t["lemma"] for t in data[0]["top"]]
    assert "tenk" not in lemmas and "tenke" not in lemmas  # only the interviewer said it
    assert "og" not in lemmas and "jeg" not in lemmas
    counts = {t["lemma"]: t["count"] for t in data[0]["top"]}
    assert max(counts.values()) >= 3  # brukerne/besøkene/dispenserne counted across forms
    everyone = json.loads(run("terms", "I1", "--all-speakers", "--json").stdout)
    assert everyone[0]["words"] > data[0]["words"]
    assert "I1 (" in run("terms").stdout


def test_terms_use_the_lookup_lemmas_of_the_project_language(run: Run, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    run("init", "en", "--language", "en", "--title", "Pain")
    monkeypatch.chdir(tmp_path / "en")
    text = ("Interviewer: Do you walk?\nAnn: I walked daily. Walking helps, maybe. "
            "I was walking with the dogs and the dog walks me.\n")
    run("import", str(write(tmp_path / "P1.txt", text)))
    top = {t["lemma"]: t["count"] for t in json.loads(run("terms", "--json").stdout)[0]["top"]}
    assert top["walk"] == 4 and top["dog"] == 2 and "maybe" in top


def test_memos_follow_renames_and_merges(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet", "--group", "Nærhet")
    run("memo", "add", "--on", "code:frihet", "-m", "om frihet")
    run("memo", "add", "--on", "group:Nærhet", "-m", "om nærhet")
    run("rename", "code", "frihet", "selvbestemmelse")
    run("merge", "group", "Nærhet", "--into", "Relasjon")
    refs = [m["ref"] for m in json.loads(run("memos", "--json").stdout)]
    assert refs == ["code:selvbestemmelse", "group:Relasjon"]
    found = json.loads(run("memos", "--on", "code:selvbestemmelse", "--json").stdout)
    assert [m["body"] for m in found] == ["om frihet"]
    run("undo")
    assert json.loads(run("memos", "--json").stdout)[1]["ref"] == "group:Nærhet"
