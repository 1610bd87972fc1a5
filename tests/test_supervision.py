"""Supervision: a supervisor's comments, the validation of each category against the
transcripts, and what changed since a meeting (`stc diff --since`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import WORDS
from tests.conftest import Run
from tests.samples import snapshot

NB = WORDS["nb"]
TIME, TECH = NB["time"], NB["tech"]
RUSH = f"{TIME}/{NB['rush']}"


def comments(run: Run, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(run("comments", *args, "--json").stdout))


def checks(run: Run, code: int = 0) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in json.loads(run("check", "--json", code=code).stdout)}


# -- comments ------------------------------------------------------------------------------------

def test_comments_anchor_to_units_places_categories_and_their_texts(run: Run,
                                                                     done: Path) -> None:
    for ref, body in (("U1", "Er dette tid eller tillit?"), ("I2:2-3", "Se hva hun sier før."),
                      (TIME, "Overskriften er lang."),
                      (f"condensate:{RUSH}", "For nær ordene i U4."),
                      (f"text:{TECH}", "Hvor mange sier dette?")):
        assert run("comment", "add", ref, "-m", body).stdout.startswith("C")
    listed = comments(run)
    assert [c["ref"] for c in listed] == ["U1", "I2:2-3", f"group:{TIME}", f"condensate:{RUSH}",
                                          f"text:{TECH}"]
    assert all(c["open"] and c["author"] == "tester" for c in listed)
    # a rename: the comment stands on the same category, by its new name
    run("rename", "group", TIME, "Tiden", "--why", "kortere")
    assert comments(run)[2]["ref"] == "group:Tiden"
    assert comments(run)[3]["ref"] == f"condensate:Tiden/{NB['rush']}"


def test_a_comment_is_resolved_once_and_listed_as_such(run: Run, done: Path) -> None:
    run("comment", "add", "U1", "-m", "Sjekk koden.")
    run("comment", "add", "U3", "-m", "Godt sitat.")
    out = run("comment", "resolve", "C1", "-m", "Kodet om til tillit.").stdout
    assert out.startswith("C1 resolved")
    assert [c["comment"] for c in comments(run, "--open")] == ["C2"]
    resolved = comments(run)[0]
    assert not resolved["open"] and resolved["resolution"] == "Kodet om til tillit."
    before = snapshot(run, done)
    assert "[E562]" in run("comment", "resolve", "C1", code=1).stderr
    assert "[E561]" in run("comment", "resolve", "C9", code=1).stderr
    assert "[E560]" in run("comment", "add", "U1", "-m", " ", code=1).stderr
    assert "[E401]" in run("comment", "add", "condensate:Finnes ikke", "-m", "x", code=1).stderr
    assert snapshot(run, done) == before
    run("verify")


def test_comments_are_in_the_audit_never_in_the_chapter_and_undo_takes_them_back(
        run: Run, done: Path) -> None:
    run("comment", "add", "U1", "-m", "Dette bør drøftes i veiledning.")
    run("report", "all")
    audit = (done / "reports" / "audit.html").read_text(encoding="utf-8")
    assert "Veileders kommentarer" in audit and "Dette bør drøftes i veiledning." in audit
    for chapter in ("results.md", "results.html"):
        assert "drøftes i veiledning" not in (done / "reports" / chapter).read_text("utf-8")
    run("undo")
    assert comments(run) == []
    run("verify")


def test_erasing_a_transcript_removes_the_comments_on_it(run: Run, done: Path) -> None:
    run("comment", "add", "U1", "-m", "Kari nøler her.")
    run("comment", "add", "I1:2", "-m", "Pausen er lang.")
    run("comment", "add", "U5", "-m", "Fra Ola.")
    run("erase", "I1", "--why", "trukket samtykke", "--yes")
    assert [c["ref"] for c in comments(run)] == ["U5"]
    import sqlite3

    conn = sqlite3.connect(done / "stc.db")
    bodies = [r[0] for r in conn.execute("SELECT body FROM texts")]
    conn.close()
    assert not any("Pausen er lang" in b or "Kari nøler" in b for b in bodies)
    assert any("Fra Ola" in b for b in bodies)
    run("verify")


# -- validation ----------------------------------------------------------------------------------

def test_a_category_changed_after_its_validation_must_be_validated_again(
        run: Run, done: Path) -> None:
    assert checks(run)["validated"]["ok"]
    run("describe", TECH, "-m", "To av tre informanter forteller at skjermen hjelper.")
    found = checks(run, code=1)["validated"]
    assert not found["ok"] and len(found["failures"]) == 1 and TECH in found["failures"][0]
    assert "validate" in found["failures"][0]
    run("validate", TECH, "-m", "Lest igjen: teksten holder etter endringen.")
    assert checks(run)["validated"]["ok"]
    # a comment or a memo on the category is no change to what it holds
    run("comment", "add", f"group:{TECH}", "-m", "Fint.")
    run("memo", "add", "--on", f"group:{TECH}", "-m", "Tanke.")
    assert checks(run)["validated"]["ok"]
    # a unit coded into the category changes it
    run("code", "I3:6", "nettbrett")
    assert not checks(run, code=1)["validated"]["ok"]


def test_validate_names_an_unknown_category(run: Run, done: Path) -> None:
    before = snapshot(run, done)
    assert "[E401]" in run("validate", "Finnes ikke", "-m", "x", code=1).stderr
    assert snapshot(run, done) == before


# -- what changed since --------------------------------------------------------------------------

def test_diff_lists_each_object_with_who_why_and_a_word_diff(run: Run, done: Path) -> None:
    meeting = json.loads(run("log", "--json").stdout)[-1]["seq"]
    run("rename", "code", "nettbrett", "skjerm", "--why", "informantenes ord")
    run("condense", RUSH, "-m", "Jeg har aldri tid nok, og jeg savner å bli kjent med dem.",
        "--why", "strammere")
    run("theme", "add", "Angret", "--why", "prøve")
    run("undo")  # undone: not in the difference
    out = run("diff", "--since", str(meeting)).stdout
    assert out.startswith(f"Since change #{meeting}: 2 changes to 2 objects.")
    assert "code 'skjerm'" in out and "code 'nettbrett' renamed 'skjerm'" in out
    assert "why: informantenes ord" in out
    assert "Jeg har aldri tid [-nok. Vi løper fra bruker til bruker,-] {+nok,+} og jeg" in out
    assert "Angret" not in out
    data = json.loads(run("diff", "--since", str(meeting), "--json").stdout)
    assert data["since"] == meeting and len(data["objects"]) == 2


def test_diff_since_a_seal_or_a_date(run: Run, done: Path, tmp_path: Path) -> None:
    head = json.loads(run("log", "--json").stdout)[-1]
    note = tmp_path / "møte.txt"
    note.write_text(f"change: {head['seq']}\nhash: {head['hash']}\n", encoding="utf-8")
    run("theme", "add", "Nytt etter møtet")
    assert "theme 'Nytt etter møtet' added" in run("diff", "--since", str(note)).stdout
    assert "Since change #0:" in run("diff", "--since", "2000-01-01").stdout
    last = json.loads(run("log", "--json").stdout)[-1]["seq"]
    assert run("diff", "--since", "2999-01-01").stdout == \
        f"Since change #{last}: 0 changes to 0 objects.\n"
    assert "[E564]" in run("diff", "--since", "forrige uke", code=1).stderr


def test_diff_names_a_comment_as_its_reader_writes_it(run: Run, done: Path) -> None:
    last = json.loads(run("log", "--json").stdout)[-1]["seq"]
    run("comment", "add", "I1:2", "-m", "Se på denne.")
    said = run("diff", "--since", str(last)).stdout
    assert "\nC1\n" in said and "comment:1" not in said, said



@pytest.mark.parametrize(("args", "code"), [
    (("comment", "resolve", "C²"), "E561"), (("comment", "resolve", "C" + "9" * 30), "E136"),
    (("comment", "resolve", "C" + "9" * 5000), "E135"), (("diff", "--since", "²"), "E564"),
    (("diff", "--since", "9" * 30), "E136"), (("diff", "--since", "#" + "9" * 5000), "E135"),
    (("log", "--on", "M" + "9" * 5000), "E135"), (("log", "--on", "U" + "9" * 5000), "E135"),
    (("log", "--on", "P" + "9" * 5000), "E135"),
], ids=lambda a: a if isinstance(a, str) else f"{a[0]} {a[-1][:8]}")
def test_a_number_written_in_other_digits_or_beyond_any_is_refused_in_one_line(
        run: Run, done: Path, args: tuple[str, ...], code: str) -> None:
    """A comment, change, memo, unit or participant number in superscript digits, beyond
    SQLite's integers or beyond what Python reads: its message, never an unexpected error."""
    error = run(*args, code=1).stderr  # `run` checks the project is left as it was
    assert error.startswith("Error: ") and error.endswith(f"[{code}]\n"), error[:300]
    assert error.count("\n") == 1


def test_a_comment_on_a_place_in_a_transcript_not_there_names_the_transcript(
        run: Run, done: Path) -> None:
    """DOC:N of an unknown transcript is that transcript's error, not advice to write DOC:N;
    `log --on` with nothing to look for is a usage error, not the whole trail."""
    error = run("comment", "add", "I9:2", "-m", "Se her.", code=1).stderr
    assert "[E202]" in error and "'I9'" in error
    assert "--on needs a reference" in run("log", "--on", " ", code=2).stderr
