"""Withdrawn consent: erasing a transcript and every text from it, the trail still verifiable."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = """I: Hvordan var det å begynne med medisinrobot?

Kari: Det var uvant i starten. Jeg var redd for at pasientene skulle glemme dosene.

I: Og nå?

Kari: Nå stoler jeg mer på den enn på meg selv, ærlig talt.
"""


def test_erase_removes_every_text_and_keeps_the_trail_verifiable(
    run: Run, project: Path
) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola")
                            .replace("uvant", "spennende"))))
    run("code", "I1:3", "dosering")
    result = run("erase", "I1", "--why", "samtykke trukket", "--yes")
    assert "Erased I1 (change #6): 1 unit," in result.stdout

    db = sqlite3.connect(project / "stc.db")
    bodies = [row[0] for row in db.execute("SELECT body FROM texts")]
    assert not any("uvant" in body for body in bodies)  # I1's own words are gone
    assert any("spennende" in body for body in bodies)  # I2 is untouched
    assert not list((project / "sources").glob("I1-*"))
    assert "Kari" not in run("docs").stdout
    run("show", "I1", code=1)
    assert run("verify").stdout.startswith("OK")
    assert "samtykke trukket" in run("log", "--on", "I1").stdout
    run("undo", code=1)  # an erasure cannot be undone


def test_erase_asks_for_confirmation(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    before = snapshot(run, project)
    run("erase", "I1", "--why", "x", input="n\n", code=1)
    assert snapshot(run, project) == before


# -- who else holds the project ---------------------------------------------------------------

def test_erase_is_refused_while_another_process_holds_the_project_and_names_it(
        run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stc import store

    monkeypatch.setattr(store, "SOLE_ACCESS_WAIT", 0.3)
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    before = snapshot(run, project)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "conn = sqlite3.connect('stc.db')\n"
         "conn.execute('PRAGMA journal_mode = WAL').fetchone()\n"
         "print(conn.execute('SELECT count(*) FROM texts').fetchone()[0], flush=True)\n"
         "sys.stdin.read()\n"],
        cwd=project, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline()  # it has read
        error = run("erase", "I1", "--why", "samtykke trukket", "--yes", code=1).stderr
    finally:
        holder.communicate("")
    assert "[E210]" in error and "nothing was erased" in error
    if Path("/proc").is_dir():  # Linux tells which process
        assert f"process {holder.pid} (" in error
    assert snapshot(run, project) == before
    assert "Erased I1" in run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout


def test_erase_while_the_workbench_runs(run: Run, project: Path) -> None:
    """The workbench opens the project for each request and holds it between none."""
    import httpx

    from tests.workbench import serving

    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola"))))
    with serving(project) as (_, link), httpx.Client(follow_redirects=True) as browser:
        assert 'data-doc="I1"' in browser.get(link).text
        site = link.split("?")[0].rstrip("/")
        for page in ("/transcripts/I1", "/board", "/step1", "/step4", "/recontext",
                     "/comments", "/since", "/trail", "/report"):  # every page read once
            assert browser.get(site + page).status_code == 200, page
        assert "Erased I1" in run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout
        page = browser.get(link.split("?")[0]).text
    assert 'data-doc="I2"' in page and 'data-doc="I1"' not in page


# -- what it leaves to her ---------------------------------------------------------------------

def test_files_of_her_own_in_the_folder_are_named_and_left(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    mine = write(project / "notater.txt", "Hun sa: Det var uvant i starten. Jeg var redd for at"
                                          " pasientene skulle glemme dosene.\n")
    out = run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout
    assert "not written by stc" in out and "  notater.txt" in out
    assert mine.exists()


def test_what_she_wrote_with_its_words_is_listed(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola"))))
    run("code", "I1:3", "dosering", "--group", "Medisiner")
    run("code", "I2:5", "tillit", "--group", "Tillit")
    run("describe", "Tillit", "-m", "De var redd for at pasientene skulle glemme noe.")
    run("memo", "add", "--on", "code:tillit", "-m", "Stoler mer på den enn på meg selv.")
    run("comment", "add", "text:Tillit", "-m", "Hun sa jo: «redd for at pasientene skulle"
                                           " glemme dosene». Bruk det?")
    run("comment", "add", "group:Tillit", "-m", "Stoler mer på den enn på meg selv: fra I2.")
    out = run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout
    assert "the analytic text of Tillit (shares words)" in out
    assert "comment C1 on text:Tillit (shares words)" in out
    assert "comment C2" not in out
    assert "memo M1 on code:tillit" not in out  # its words come from I2's unit, not I1's


# -- a project from an earlier stc --------------------------------------------------------------

def old_project_of_kari(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project as an earlier stc made it, Kari's interview in it as I1, the working
    directory inside it."""
    from tests.test_participants import old_project

    files = tmp_path / "filer"
    files.mkdir()
    write(files / "I1.txt", INTERVIEW)
    root = tmp_path / "gammelt"
    old_project(root, [(files / "I1.txt", "I1", "Kari")])
    monkeypatch.chdir(root)
    return root


def test_an_old_project_is_told_what_its_trail_still_holds(run: Run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    root = old_project_of_kari(tmp_path, monkeypatch)
    run("code", "I1:3", "dosering", "--group", "Medisiner")
    run("subgroup", "add", "Medisiner", "Redsel")
    run("sort", "U1", "--into", "Medisiner/Redsel")
    # a condensate keeps the hashes of its units' texts; unsalted, only the trail tells
    run("condense", "Medisiner/Redsel", "-m", "Jeg var redd for feil.")
    out = run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout
    assert "still holds" in out
    assert "the speaker labels, the participants' names and the file name of I1 in clear," \
           " in change #2" in out
    assert "hash(es) of its texts made without a salt" in out
    assert not any("uvant" in body or "glemme dosene" in body for body in bodies(root))
    assert run("verify").stdout.startswith("OK")


def bodies(project: Path) -> list[str]:
    db = sqlite3.connect(project / "stc.db")
    found = [str(row[0]) for row in db.execute("SELECT body FROM texts")]
    db.close()
    return found


def test_a_text_another_transcript_holds_too_survives_the_erasure(run: Run, project: Path
                                                                  ) -> None:
    """Two participants said the same sentence: erasing one transcript erases that
    participant's own words and keeps the other's unit, quotation and check whole."""
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("import", str(write(project.parent / "I2.txt", INTERVIEW.replace("Kari", "Ola")
                            .replace("uvant", "spennende"))))
    run("code", "I1:5", "tillit")  # the same words in both: one text in the store
    run("code", "I2:5", "tillit")
    run("code", "I1:2", "start")
    run("nugget", "U2")
    shared = "Nå stoler jeg mer på den enn på meg selv, ærlig talt."
    run("erase", "I1", "--why", "samtykke trukket", "--yes")
    kept = bodies(project)
    assert not any("uvant" in body for body in kept)  # I1's own words are gone
    assert shared in kept and any("spennende" in body for body in kept)
    [unit] = json.loads(run("units", "--json").stdout)
    assert (unit["unit"], unit["text"]) == ("U2", shared)
    checks = {c["id"]: c for c in json.loads(run("check", "--json", code=1).stdout)}
    assert checks["verbatim"]["ok"], checks["verbatim"]
    assert run("verify").stdout.startswith("OK")


def test_a_clean_project_from_an_old_one_holds_no_name_and_no_plain_hash(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the README advises for a project from an earlier stc: its analysis through a
    REFI-QDA file into a new project, whose trail starts with salted hashes only."""
    old_project_of_kari(tmp_path, monkeypatch)
    run("code", "I1:3", "dosering")
    run("export", str(tmp_path / "alt.qdpx"))
    run("init", str(tmp_path / "ny"), "--language", "nb", "--title", "Ny")
    monkeypatch.chdir(tmp_path / "ny")
    run("import", str(tmp_path / "alt.qdpx"))
    assert json.loads(run("units", "--json").stdout)[0]["text"].startswith("Jeg var redd")
    db = sqlite3.connect(tmp_path / "ny" / "stc.db")
    payloads = " ".join(str(r[0]) for r in db.execute("SELECT payload FROM trail"))
    plain = db.execute("SELECT count(*) FROM texts WHERE salt IS NULL").fetchone()[0]
    db.close()
    assert "Kari" not in payloads and "I1.txt" not in payloads and plain == 0


# -- hashes that confirm nothing -----------------------------------------------------------------

def test_the_trail_holds_no_hash_a_guessed_sentence_would_match(run: Run, project: Path) -> None:
    """Every text is hashed with its transcript's salt, and the salt goes with the erasure: the
    plain SHA-256 of a sentence is nowhere in the trail, before or after."""
    import hashlib

    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("code", "I1:3", "dosering")
    sentence = "Jeg var redd for at pasientene skulle glemme dosene."
    guess = hashlib.sha256(sentence.encode("utf-8")).hexdigest()
    db = sqlite3.connect(project / "stc.db")
    trail = " ".join(str(r[0]) for r in db.execute("SELECT payload FROM trail"))
    salts = {str(r[0]) for r in db.execute("SELECT owner FROM salts")}
    db.close()
    assert guess not in trail and "doc:I1" in salts
    run("erase", "I1", "--why", "samtykke trukket", "--yes")
    db = sqlite3.connect(project / "stc.db")
    assert db.execute("SELECT 1 FROM salts WHERE owner = 'doc:I1'").fetchone() is None
    db.close()


def test_a_changed_salt_is_caught_by_verify(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    db = sqlite3.connect(project / "stc.db")
    db.execute("UPDATE texts SET salt = ? WHERE salt IS NOT NULL AND rowid = (SELECT MIN(rowid)"
               " FROM texts WHERE salt IS NOT NULL)", ("0" * 32,))
    db.commit()
    db.close()
    assert "does not match its hash" in run("verify", code=1).output


def test_exports_are_recorded_as_marks_that_undo_passes_over(run: Run, project: Path,
                                                               tmp_path: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    run("code", "I1:3", "dosering")
    run("matrix", "export", str(tmp_path / "koding.xlsx"))
    run("report", "results", "--format", "md")  # in the project: found by an erasure itself
    run("report", "results", "--format", "md", "--out", str(tmp_path / "ut"))
    log = json.loads(run("log", "--json").stdout)
    exports = [(r["payload"]["kind"], len(r["payload"]["files"])) for r in log
               if r["kind"] == "export"]
    assert exports == [("matrix", 1), ("report", 1)]
    assert "koding.xlsx" not in json.dumps(log)  # the path is in the erasable store
    run("undo")
    assert "dosering" not in run("codes").stdout  # undo took the coding back, not an export
