"""After `stc erase`, no byte of the project folder holds a phrase of the erased transcript or
the participant's name: database, write-ahead log, copies kept before upgrades, reports (also
of earlier states), exports written there, sources. Every file is read as UTF-8 and UTF-16
and, when it is a zip (.docx, .xlsx, .qdpx), every member of it too."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from stc.cli.demo import corpus_folder
from stc.project import open_project
from stc.units import INTERVIEWER, DocText, load_doc
from tests.conftest import Run, module_cli, write

# a fictional interview: the participant who withdraws
ERASED = (
    'I: Kan du fortelle om den første uka med medisinroboten?\n'
    '\n'
    'Ragnhild: Den første uka sov jeg nesten ikke, fordi jeg lå og lyttet etter '
    'pipelyden fra kjøkkenbenken. Datteren min ringte hver kveld klokka ni for å '
    'høre om maskinen hadde sluppet ut de blå tablettene. Jeg skrev ned hvert eneste '
    'klokkeslett i en gul notatbok som ligger i skuffen under telefonen.\n'
    '\n'
    'I: Hvordan er det nå?\n'
    '\n'
    'Ragnhild: Nå har jeg sluttet å skrive i den gule boka, men jeg teller fortsatt '
    'tablettene med fingeren. Hjemmesykepleieren sier at jeg er den mest nøye '
    'pasienten på hele Fjellsiden. Om vinteren når strømmen går, blir jeg redd for '
    'at roboten glemmer meg helt.\n'
    '\n'
)
# the corrected version brings one sentence more
CORRECTED = ERASED.replace(
    "glemmer meg helt.", "glemmer meg helt. Jeg har aldri fortalt legen om den gule notatboka.")
PHRASES = ["sov jeg nesten ikke", "lyttet etter pipelyden fra kjøkkenbenken",
           "Datteren min ringte hver kveld klokka ni", "de blå tablettene",
           "gul notatbok som ligger i skuffen", "teller fortsatt tablettene med fingeren",
           "den mest nøye pasienten på hele Fjellsiden", "når strømmen går",
           "roboten glemmer meg helt", "aldri fortalt legen om den gule notatboka"]
NAMES = ["Ragnhild", "Østby"]

KEPT = (
    'I: Hva bruker du nettbrettet til?\n'
    '\n'
    'Tormod: Jeg bruker nettbrettet til å snakke med barnebarna i Tromsø hver '
    'søndag. Det var vanskelig i starten, men nå ringer jeg dem selv.\n'
    '\n'
)
KEPT_PHRASE = "snakke med barnebarna i Tromsø"


def readable(data: bytes) -> str:
    """What any reader could find in the bytes: UTF-8 and UTF-16 (both byte orders, both
    alignments), casefolded."""
    texts = [data.decode("utf-8", errors="ignore")]
    for start in (0, 1):
        texts += [data[start:].decode(f"utf-16-{order}", errors="ignore")
                  for order in ("le", "be")]
    return "\n".join(texts).casefold()


def every_file(root: Path) -> Iterator[tuple[str, str]]:
    """(where, what could be read there) for every file under `root` and every member of
    every zip among them."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield str(path.relative_to(root)), readable(data)
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    yield f"{path.relative_to(root)}!{name}", readable(archive.read(name))


def found(root: Path, phrases: list[str]) -> list[str]:
    return [f"{phrase!r} in {where}" for where, text in every_file(root)
            for phrase in phrases if phrase.casefold() in text]


def runs_of(text: str, length: int = 5) -> set[str]:
    """Every run of `length` words (letters and digits) in the text, lower-cased."""
    words = re.findall(r"\w+", text.casefold())
    return {" ".join(words[i:i + length]) for i in range(len(words) - length + 1)}


def runs_found(root: Path, runs: set[str]) -> list[str]:
    """The runs of words any reader could find somewhere under `root`, and where: as words,
    so that punctuation or a line break between them hides nothing."""
    return [f"{run!r} in {where}" for where, text in every_file(root)
            for run in sorted(runs & runs_of(text))]


def secure_delete_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection stc opens starts with secure_delete off, as some SQLite builds have
    it: the erasure must turn it on itself."""
    from stc import store

    connect = store.connect

    def connect_insecurely(path: Path | str) -> sqlite3.Connection:
        conn = connect(path)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(store, "connect", connect_insecurely)


def add_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer stc with one more migration: the next command copies stc.db aside first, as
    every upgrade does (stc.db.before-NAME)."""
    from stc import store

    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, ("999_later", lambda c: None)])


def crash_after(project: Path, *args: str) -> None:
    """Run `stc ARGS` in a process that dies (as if killed) once the command is done, before
    it closes the database: what it wrote is left in the write-ahead log."""
    crashed = subprocess.run(
        [sys.executable, "-c",
         "import os, sys\n"
         "from stc import project, store\n"
         "store.MIGRATIONS.append(('999_later', lambda c: None))\n"  # as upgraded in build
         "project.Project.close = lambda self: os._exit(9)\n"
         "from stc.cli import main\n"
         f"main({list(args)!r})\n"],
        cwd=project, env={**os.environ, "STC_AUTHOR": "tester"}, capture_output=True,
        text=True, check=False)
    assert crashed.returncode == 9, crashed.stderr


def build(run: Run, project: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A project in which the transcript to erase has been through everything: imported
    under a participant with attributes, coded (a unit undone, one edited, one split, notes),
    quoted twice and translated, memos on it, on a stretch and on a unit, a supervisor's
    comments on a unit (resolved) and on a place, sorted and
    condensed, corrected, reported (also as of an earlier state), exported into the folder
    and elsewhere, packed, and copied before an upgrade. Returns the change of a state before
    the correction."""
    outside.mkdir()
    run("import", str(write(outside / "intervju-ragnhild-østby.txt", ERASED)), "--id", "I1",
        "--participant", "Ragnhild Østby", "--speakers", "I=interviewer")
    run("import", str(write(outside / "tormod.txt", KEPT)), "--id", "I2",
        "--participant", "Tormod", "--speakers", "I=interviewer")
    run("participant", "set", "P1", "bydel=Fjellsiden", "alder=81")
    run("doc", "set", "I1", "sted=Fjellsiden")
    run("code", "I1:2", "søvn", "--note", "Hun lyttet etter pipelyden fra kjøkkenbenken")
    run("code", "I1:3", "pårørende")
    run("code", "I1:6", "kontroll")
    run("code", "I1:8", "utrygghet")
    run("undo")  # a unit undone: its text is in the trail still
    run("code", "I2:2", "kontakt")
    run("group", "søvn", "kontroll", "pårørende", "--into", "Trygghet")
    run("subgroup", "add", "Trygghet", "Natt")
    run("sort", "U1", "U3", "--into", "Trygghet/Natt")
    run("nugget", "U1", "--quote", "Den første uka sov jeg nesten ikke … lyttet etter"
                                   " pipelyden")
    run("nugget", "U1")  # an earlier quotation remains in the trail
    run("memo", "add", "--on", "U1", "-m", "Sterkt: lyttet etter pipelyden fra kjøkkenbenken")
    run("memo", "add", "--on", "I1", "-m", "Ragnhild virket sliten: gul notatbok som ligger"
                                           " i skuffen")
    run("memo", "add", "--on", "I1:6-7", "-m", "«den mest nøye pasienten på hele Fjellsiden»")
    run("comment", "add", "U1", "-m", "Er «lyttet etter pipelyden fra kjøkkenbenken» søvn?")
    run("comment", "resolve", "C1", "-m", "Ja: hun sov jeg nesten ikke, sier hun.")
    run("comment", "add", "I1:3", "-m", "Datteren min ringte hver kveld klokka ni: pårørende")
    run("unit", "edit", "U2", "--segments", "3-4")  # its earlier text is in the trail
    run("unit", "split", "U2", "--at", "Jeg skrev ned")
    run("unit", "note", "U3", "-m", "Hun teller fortsatt tablettene med fingeren")
    run("nugget", "U3", "--translation", "I still count the blue pills with my finger")
    run("condense", "Trygghet/Natt", "-m", "Jeg sov dårlig, og jeg teller fortsatt tablettene"
                                           " hver morgen.")
    before = int(json.loads(run("status", "--json").stdout)["last_change"])
    run("import", "--replace", "I1", str(write(outside / "ragnhild-v2.txt", CORRECTED)),
        "--why", "skrivefeil")
    run("code", "I1:17", "legen")  # the sentence the correction brought
    write_in_the_workbench(run, project)
    run("report")
    run("report", "results", "--as-of", str(before))
    run("matrix", "export", "koding.xlsx")  # in the project folder
    run("matrix", "export", str(outside / "koding-ragnhild.csv"))  # a name in the path
    run("export", str(outside / "prosjekt.qdpx"))
    run("report", "results", "--format", "docx", "--out", str(outside / "kapittel"))
    run("pack", str(outside / "til-veileder.stcpack"))
    add_migration(monkeypatch)
    run("status")  # the upgrade copies stc.db aside
    assert list(project.glob("stc.db.before-999_later"))
    return before


def write_in_the_workbench(run: Run, project: Path) -> None:
    """What the workbench's pages write, through the functions they call: an analytic text
    placing a quotation of hers, drafts of an analytic text, a condensate and a quotation on
    her units (naming her transcript), and a draft on a category of another participant's
    units into which her words were pasted (naming only his)."""
    from stc import open_project
    from stc.stages import board, writing

    run("describe", "Trygghet/Natt", "-m", "De fleste beskriver uro om natta.\n\n[U1]")
    run("group", "kontakt", "--into", "Kontakt")
    opened = open_project(project)
    try:
        base = opened.head()[0]
        writing.save_draft(opened, "Trygghet", "fane-1", "Som hun sa: «Datteren min ringte"
                           " hver kveld klokka ni».", "Trygghet om natta", base)
        board.save_condensate_draft(opened, "Trygghet/Natt", "fane-1", "Jeg sov jeg nesten"
                                    " ikke den første uka.", base)
        board.save_quotation_draft(opened, "U3", "fane-1", "teller fortsatt tablettene med"
                                   " fingeren", base)
        kept = writing.save_draft(opened, "Kontakt", "fane-2", "Lim inn: de blå tablettene og"
                                  " den mest nøye pasienten på hele Fjellsiden", "", base)
        assert kept.docs == ["I2"]  # only a search for her words finds this one
    finally:
        opened.close()


@pytest.mark.parametrize("secure_delete", ["as built", "forced off"])
def test_nothing_of_the_erased_transcript_is_left_in_any_byte_of_the_folder(
        run: Run, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        secure_delete: str) -> None:
    if secure_delete == "forced off":
        secure_delete_off(monkeypatch)
    before = build(run, project, tmp_path / "ute", monkeypatch)
    crash_after(project, "memo", "add", "--on", "U1", "-m", "Igjen: roboten glemmer meg helt")
    wanted = [*PHRASES, *NAMES]
    assert any("stc.db-wal" in place for place in found(project, wanted))
    assert len(found(project, wanted)) > 30  # they are everywhere before
    out = run("erase", "I1", "--why", "samtykke trukket 2026-03-02", "--yes").stdout
    run("report", "results", "--as-of", str(before))  # an earlier state, rendered again
    run("report", "results")  # its analytic text placed a quotation of hers
    assert found(project, wanted) == []
    assert found(project, [KEPT_PHRASE, "Tormod"])  # the other participant is whole
    assert run("verify").stdout.startswith("OK")
    assert "[erased]" in (project / "reports" / f"as-of-{before}" / "results.md").read_text()
    # what it could not reach, it names
    for name in ("koding-ragnhild.csv", "prosjekt.qdpx", "til-veileder.stcpack",
                 "kapittel/results.docx"):
        assert str(tmp_path / "ute" / name) in out
    assert "stc.db.before-999_later" in out and "koding.xlsx (an export)" in out
    assert "the condensate of Trygghet/Natt (rests on U1, U3)" in out
    assert ", 5 drafts." in out  # the four beside her units and the one her words were pasted into


def test_an_erasure_killed_after_its_commit_is_finished_by_running_it_again(
        run: Run, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(run, project, tmp_path / "ute", monkeypatch)
    killed = subprocess.run(
        [sys.executable, "-c",
         "import os, sys\n"
         "from stc import erasure, store\n"
         "store.MIGRATIONS.append(('999_later', lambda c: None))\n"  # as upgraded above
         "erasure.step = lambda name: os._exit(9) if name == 'committed' else None\n"
         "from stc.cli import main\n"
         "main(['erase', 'I1', '--why', 'samtykke trukket', '--yes'])\n"],
        cwd=project, env={**os.environ, "STC_AUTHOR": "tester"}, capture_output=True,
        text=True, check=False)
    assert killed.returncode == 9, killed.stderr
    assert found(project, PHRASES)  # the reports and the original are still there
    assert list((project / "sources").glob("I1-*"))
    problems = run("verify", code=1).output
    assert "erasure of I1 was interrupted" in problems
    out = run("erase", "I1", "--why", "samtykke trukket", "--yes").stdout
    assert "Finished the erasure of I1" in out
    assert found(project, [*PHRASES, *NAMES]) == []
    assert run("verify").stdout.startswith("OK")
    again = run("erase", "I1", "--why", "igjen", "--yes").stdout
    assert "0 texts and 0 original files that were left" in again


# -- the demo: one of its participants withdraws -------------------------------------------------

class ErasedDemo(NamedTuple):
    root: Path  # the demo project, I2 erased
    names: dict[str, str]  # transcript: its participant
    own: dict[str, set[str]]  # transcript: the runs of five words only its participant says


def participant_speech(doc: DocText) -> str:
    """What the participants say in a transcript, the interviewer's questions left out."""
    return "\n\n".join(doc.spoken(start, end) for (start, end, _), (_, role)
                        in zip(doc.turns, doc.speakers, strict=True) if role != INTERVIEWER)


@pytest.fixture(scope="module")
def erased_demo(tmp_path_factory: pytest.TempPathFactory) -> ErasedDemo:
    """The demo project after `stc erase I2`, with what each participant said before."""
    root = tmp_path_factory.mktemp("demo") / "eksempel"
    stc = module_cli()

    stc("demo", str(root))
    names = {d["id"]: d["participant"] for d in json.loads(stc("--project", str(root), "docs",
                                                               "--json"))}
    project = open_project(root)
    try:
        docs = {doc: load_doc(project.conn, doc) for doc in names}
    finally:
        project.close()
    whole = {doc: runs_of(text.text) for doc, text in docs.items()}
    own = {doc: runs_of(participant_speech(text)) - set().union(
        *(whole[other] for other in docs if other != doc)) for doc, text in docs.items()}
    stc("--project", str(root), "erase", "I2", "--why", "samtykke trukket 2026-03-02", "--yes")
    return ErasedDemo(root, names, own)


def test_erasing_a_participant_of_the_demo_leaves_none_of_her_words_in_the_folder(
        erased_demo: ErasedDemo) -> None:
    """The demo's condensates and analytic texts are the researcher's own words: erasing a
    participant leaves no run of five words she said (and no other transcript holds) in any
    byte of the folder, nor her name."""
    root, names, own = erased_demo
    assert len(own["I2"]) > 1000
    assert runs_found(root, own["I2"]) == []
    assert found(root, [names["I2"]]) == []
    others = set().union(*(own[doc] for doc in names if doc != "I2"))
    assert len(runs_found(root, others)) > 1000  # the others' words are still there


def researcher_texts(analysis: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for what the demo's researcher writes in her own words: headings,
    condensates, analytic texts, memos not anchored on a transcript, reasons for revisions."""
    for name, columns in (("kondensering-subgroups.csv", ("heading", "condensate",
                                                          "description")),
                          ("koding-subgroups.csv", ("heading", "condensate", "description")),
                          ("validering.csv", ("memo",))):
        with (analysis / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    yield f"{name}: {column} of {row['group']}/{row.get('subgroup')}", row[column]
    for name in ("forforstaelse.md", "revisjoner.txt", "temaer.txt"):
        yield name, (analysis / name).read_text(encoding="utf-8")


def test_the_demos_condensates_and_memos_copy_no_run_of_five_words_from_one_participant(
        erased_demo: ErasedDemo) -> None:
    """A condensate is an artificial quotation in the researcher's words: it keeps the
    participants' key terms but copies no longer run of one participant's speech (which an
    erasure of her would leave behind), nor does any other text the researcher wrote."""
    copied = [f"{where} has {run!r} of {doc}"
              for where, text in researcher_texts(corpus_folder() / "analysis")
              for doc, runs in erased_demo.own.items() for run in sorted(runs_of(text) & runs)]
    assert copied == []
