"""Pseudonymisation as a user meets it: `stc import --pseudonymise`, `stc pseudonymise`.

Constructed Norwegian, Swedish and English interviews with known names, identity numbers (valid
and with a wrong check digit), phone numbers, addresses, dates and words that are also names.
After an import every byte of the project folder (database, its WAL, sources/, the reports,
the entries inside .docx and .xlsx) is searched for every original identifier.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from stc.formats import read_transcript
from stc.importing import build_document
from tests.conftest import Run, write
from tests.samples import make_docx, snapshot
from tests.test_pseudonymise import DNR, FNR, FNR_BAD, PNR, PNR_BAD

NB_INTERVIEW = "\n".join([
    "Intervjuer: Kan du fortelle litt om deg selv?",
    "Kari: Jeg heter Kari Nordby og jobber på Solsiden sykehjem i Sagene bydel. Karis mann,"
    " Tor Lie, jobber på Legevakta.",
    "Intervjuer: Hvordan er en vanlig dag?",
    "Kari: Per dag har vi over førti brukere, og livet blir travelt. Hans bil står alltid ute."
    " Per kom inn, og Liv sa at Hans var syk.",
    "Kari: Ring meg gjerne på 912 34 567 eller på jobb, +47 22 33 44 55. E-posten er"
    " kari.nordby@solsiden.example.no, og vi har en side på"
    " https://solsiden.example.no/hjemmetjeneste.",
    f"Kari: Fødselsnummeret mitt er {FNR}, og D-nummeret til kollegaen er {DNR}. Det på"
    f" skjemaet, {FNR_BAD}, er feil.",
    "Kari: Jeg begynte 01.09.2015 og fikk fast stilling 3. mars 2021. Før det jobbet jeg i"
    " England, og mora mi er 94 år gammel.",
]) + "\n"
NB_NAMES = """\
Kari Nordby | Kari = participant
Tor Lie | Tor = person
Per = person
Liv = person
Hans = person
Sagene = place
Solsiden sykehjem | Solsiden = workplace
Legevakt = institution
"""
NB_SECRETS = ["Kari", "Nordby", "Tor Lie", "Sagene", "Solsiden", "Legevakt", "Per kom",
              "Liv sa", "Hans var", "912 34 567", "22 33 44 55", "kari.nordby", "solsiden.ex",
              FNR, DNR, "01.09.2015", "3. mars 2021"]
ORDINARY = ["Per dag", "livet", "Hans bil", FNR_BAD]


def project_bytes(root: Path) -> list[tuple[str, bytes]]:
    """Every file under the project folder, and every entry of the zip files among them."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found.append((str(path), data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found += [(f"{path}!{name}", archive.read(name)) for name in archive.namelist()]
    return found


def assert_nothing_of(root: Path, secrets: list[str]) -> None:
    leaks = [(secret, where) for where, data in project_bytes(root) for secret in secrets
             if secret.encode("utf-8") in data or secret.encode("utf-16-le") in data]
    assert not leaks, leaks


def the_text(run: Run, doc: str) -> str:
    return " ".join(s["text"] for s in json.loads(run("show", doc, "--json").stdout)["segments"])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project for what must stay out of it: key, names list, originals."""
    folder = tmp_path / "hemmelig"
    folder.mkdir()
    write(folder / "intervju-kari.txt", NB_INTERVIEW)
    write(folder / "navn.txt", NB_NAMES)
    return folder


def import_nb(run: Run, outside: Path, *more: str) -> str:
    return run("import", str(outside / "intervju-kari.txt"), "--pseudonymise",
               str(outside / "studie.key"), "--names", str(outside / "navn.txt"), *more).stdout


def test_no_identifier_reaches_any_byte_of_the_project(run: Run, project: Path,
                                                       outside: Path) -> None:
    out = import_nb(run, outside)
    assert "intervju-INFORMANT1:" in out and "intervju-INFORMANT1:13 country «England»" in out
    assert "intervju-INFORMANT1:13 age «94 år gammel»" in out
    assert ("intervju-INFORMANT1: may be names, not on the list, left as they are: England"
            in out)
    run("report", "all")
    assert (project / "reports" / "results.docx").exists()
    text = the_text(run, "intervju-INFORMANT1")
    assert "Jeg heter [INFORMANT 1] og jobber på [ARBEIDSSTED 1] i [STED 1] bydel." in text
    assert "[INFORMANT 1]s mann, [PERSON 1], jobber på [INSTITUSJON 1]a." in text
    assert "[PERSON 2] kom inn, og [PERSON 3] sa at [PERSON 4] var syk." in text
    assert "Ring meg gjerne på [TELEFON] eller på jobb, [TELEFON]." in text
    assert "E-posten er [E-POST], og vi har en side på [URL]." in text
    assert (f"Fødselsnummeret mitt er [FØDSELSNUMMER], og D-nummeret til kollegaen er"
            f" [FØDSELSNUMMER]. Det på skjemaet, {FNR_BAD}, er feil.") in text
    assert "Jeg begynte [DATO] og fikk fast stilling [DATO]." in text
    for word in ORDINARY:
        assert word in text
    assert_nothing_of(project, NB_SECRETS)
    assert [p.suffix for p in (project / "sources").iterdir()] == [".txt"]
    assert "OK" in run("verify").stdout


def test_the_default_key_holds_only_the_participant_link(run: Run, project: Path,
                                                         outside: Path) -> None:
    import_nb(run, outside)
    stored = (outside / "studie.key").read_text(encoding="utf-8")
    key = json.loads(stored)
    assert key["participants"] == {"1": ["Kari Nordby", "Kari"]}
    for secret in ["Tor", "Sagene", "Solsiden", "Legevakt", "912 34 567", FNR, "kari.nordby"]:
        assert secret not in stored
    assert key["names"] == {} and key["texts"] == {}
    assert (outside / "studie.key").stat().st_mode & 0o077 == 0


def test_the_trail_records_rules_and_key_hash_but_no_name(run: Run, project: Path,
                                                          outside: Path) -> None:
    from stc.pseudokey import read_key

    import_nb(run, outside)
    record = json.loads(run("log", "--json").stdout)[-1]
    stamp = record["payload"]["pseudonymised"]
    key = read_key(outside / "studie.key")
    assert stamp["key"] == key.id and stamp["mapping"] == key.mapping_hash()
    assert stamp["full_key"] is False
    assert stamp["rules"]["names"] == {"participant": 1, "person": 4, "place": 1,
                                       "workplace": 1, "institution": 1}
    assert stamp["replaced"]["FØDSELSNUMMER"] == 2 and stamp["replaced"]["TELEFON"] == 2
    assert "pseudonymised" in record["summary"]
    # the file name is kept by hash, and its text is the pseudonymised name
    assert "INFORMANT1.txt" not in json.dumps(record["payload"])
    assert json.loads(run("docs", "--json").stdout)[0]["filename"] == "intervju-INFORMANT1.txt"


def test_the_full_key_restores_the_original_text(run: Run, project: Path, outside: Path,
                                                 tmp_path: Path) -> None:
    import_nb(run, outside, "--full-key")
    restored = tmp_path / "tilbake"
    run("pseudonymise", "--restore", *map(str, (project / "sources").iterdir()), "--key",
        str(outside / "studie.key"), "--out", str(restored))
    transcript, _ = read_transcript(outside / "intervju-kari.txt")
    [back] = restored.iterdir()
    assert back.read_text(encoding="utf-8") == build_document(transcript.turns)[0] + "\n"


def test_originals_are_not_restored_into_the_project(run: Run, project: Path,
                                                    outside: Path) -> None:
    import_nb(run, outside, "--full-key")
    sources = [str(p) for p in (project / "sources").iterdir()]
    before = snapshot(run, project)
    refused = run("pseudonymise", "--restore", *sources, "--key", str(outside / "studie.key"),
                  "--out", str(project / "tilbake"), code=1)
    assert "[E917]" in refused.stderr and not (project / "tilbake").exists()
    assert snapshot(run, project) == before


def test_review_and_copies_work_outside_a_project(run: Run, outside: Path,
                                                  tmp_path: Path) -> None:
    write(outside / "navn.txt", "")
    run("pseudonymise", str(outside / "intervju-kari.txt"), "--names",
        str(outside / "navn.txt"), "--review", "--language", "nb")
    listing = (outside / "navn.txt").read_text(encoding="utf-8")
    assert "? Kari Nordby = person" in listing and "? Tor Lie = person" in listing
    assert "[E904]" in run("pseudonymise", str(outside / "intervju-kari.txt"), "--key",
                           str(outside / "k.key"), "--names", str(outside / "navn.txt"),
                           "--out", str(tmp_path / "kopier"), "--language", "nb",
                           code=1).stderr
    assert "outside a project, give --language" in run(
        "pseudonymise", str(outside / "intervju-kari.txt"), "--check", code=2).stderr


def test_without_the_cryptography_package_a_passphrase_is_refused_clearly(
        run: Run, project: Path, outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cryptography", None)
    monkeypatch.setitem(sys.modules, "cryptography.fernet", None)
    write(outside / "pass.txt", "hemmelig\n")
    before = snapshot(run, project)
    refused = run("import", str(outside / "intervju-kari.txt"), "--pseudonymise",
                  str(outside / "studie.key"), "--passphrase-file", str(outside / "pass.txt"),
                  code=1)
    assert "[E908]" in refused.stderr and "cryptography" in refused.stderr
    assert snapshot(run, project) == before and not (outside / "studie.key").exists()


def test_the_copies_to_read_first_are_what_import_stores(run: Run, project: Path,
                                                         outside: Path, tmp_path: Path) -> None:
    copies = tmp_path / "lesekopier"
    out = run("pseudonymise", str(outside / "intervju-kari.txt"), "--key",
              str(outside / "studie.key"), "--names", str(outside / "navn.txt"), "--out",
              str(copies)).stdout
    assert "intervju-INFORMANT1.txt" in out and "2 FØDSELSNUMMER" in out
    import_nb(run, outside)
    [stored] = (project / "sources").iterdir()
    assert (copies / "intervju-INFORMANT1.txt").read_bytes() == stored.read_bytes()


def test_a_participant_named_on_the_command_line_counts_as_listed(
        run: Run, project: Path, outside: Path) -> None:
    write(outside / "I9.txt", "Intervjuer: Hvem er du?\nBerit: Berit, og Eva Moe er mor.\n")
    out = run("import", str(outside / "I9.txt"), "--participant", "Berit", "--pseudonymise",
              str(outside / "studie.key")).stdout
    assert "may be names, not on the list, left as they are: Eva Moe" in out
    docs = json.loads(run("docs", "--json").stdout)
    assert docs[0]["participant"] == "[INFORMANT 1]"
    assert the_text(run, "I9") == "Hvem er du? [INFORMANT 1], og Eva Moe er mor."


def test_placeholders_stay_the_same_across_transcripts_and_runs(run: Run, project: Path,
                                                                outside: Path) -> None:
    import_nb(run, outside)
    write(outside / "navn.txt", "Siv = participant\nHans = person\n" + NB_NAMES)
    write(outside / "intervju-siv.txt",
          "Intervjuer: Hvem jobber du med?\nSiv: Med Kari og Tor på Solsiden. Hans er sjef.\n")
    run("import", str(outside / "intervju-siv.txt"), "--pseudonymise",
        str(outside / "studie.key"), "--names", str(outside / "navn.txt"))
    assert the_text(run, "intervju-INFORMANT2") == (
        "Hvem jobber du med? Med [INFORMANT 1] og [PERSON 1] på [ARBEIDSSTED 1]."
        " [PERSON 4] er sjef.")


def test_review_lists_words_that_may_be_names_and_imports_nothing(run: Run, project: Path,
                                                                  outside: Path) -> None:
    before = snapshot(run, project)
    write(outside / "navn.txt", "Kari Nordby | Kari = participant\n")
    out = import_nb(run, outside, "--review")
    assert "marked ?" in out and snapshot(run, project) == before
    listing = (outside / "navn.txt").read_text(encoding="utf-8")
    for line in ("? Tor Lie = person", "? Sagene = person", "? Solsiden = workplace",
                 "? Legevakta = workplace", "? Per = person", "? Liv = person"):
        assert line in listing
    assert "Per dag" not in listing and "? Hans bil" not in listing
    refused = run("import", str(outside / "intervju-kari.txt"), "--pseudonymise",
                  str(outside / "studie.key"), "--names", str(outside / "navn.txt"), code=1)
    assert "[E904]" in refused.stderr and snapshot(run, project) == before
    decided = listing.replace("? Tor Lie", "Tor Lie").replace("? ", "- ")
    write(outside / "navn.txt", decided)
    import_nb(run, outside, "--review")
    assert (outside / "navn.txt").read_text(encoding="utf-8") == decided  # nothing new


def test_a_key_or_list_inside_the_project_is_refused(run: Run, project: Path,
                                                     outside: Path) -> None:
    before = snapshot(run, project)
    (project / "lenke").symlink_to(outside)
    for key, names, code in ((project / "studie.key", outside / "navn.txt", "E900"),
                             (project / "lenke" / "studie.key", outside / "navn.txt", "E900"),
                             (outside / "studie.key", project / "navn.txt", "E901")):
        result = run("import", str(outside / "intervju-kari.txt"), "--pseudonymise", str(key),
                     "--names", str(names), code=1)
        assert f"[{code}]" in result.stderr
    (project / "lenke").unlink()
    assert snapshot(run, project) == before
    assert not (project / "studie.key").exists() and not (outside / "studie.key").exists()


def test_an_encrypted_key_is_read_with_its_passphrase_only(run: Run, project: Path,
                                                           outside: Path) -> None:
    write(outside / "pass.txt", "lang og hemmelig setning\n")
    write(outside / "feil.txt", "noe annet\n")
    import_nb(run, outside, "--passphrase-file", str(outside / "pass.txt"))
    assert b"Kari" not in (outside / "studie.key").read_bytes()
    before = snapshot(run, project)
    write(outside / "intervju-siv.txt", "Intervjuer: Hei.\nSiv: Hei, Kari.\n")
    args = ["import", str(outside / "intervju-siv.txt"), "--pseudonymise",
            str(outside / "studie.key"), "--names", str(outside / "navn.txt")]
    assert "[E907]" in run(*args, "--passphrase-file", str(outside / "feil.txt"),
                           code=1).stderr
    assert "[E907]" in run(*args, input="gjett\n", code=1).stderr
    assert snapshot(run, project) == before
    run(*args, input="lang og hemmelig setning\n")
    assert the_text(run, "intervju-siv") == "Hei. Hei, [INFORMANT 1]."


def test_destroying_the_key_is_recorded(run: Run, project: Path, outside: Path) -> None:
    import_nb(run, outside)
    key = outside / "studie.key"
    ident = json.loads(key.read_text(encoding="utf-8"))["id"]
    out = run("pseudonymise", "--destroy-key", str(key)).stdout
    assert not key.exists() and ident in out
    last = json.loads(run("log", "--json").stdout)[-1]
    assert last["kind"] == "key.destroyed" and last["payload"] == {"key": ident}
    # a record of a fact outside the project: undo passes over it to the command before
    assert "undid \"stc import" in run("undo").stdout
    assert json.loads(run("log", "--json").stdout)[-2]["kind"] == "key.destroyed"
    assert "OK" in run("verify").stdout


def test_a_pseudonymised_project_refuses_a_transcript_imported_as_it_is(
        run: Run, project: Path, outside: Path) -> None:
    import_nb(run, outside)
    write(outside / "I2.txt", "Intervjuer: Hei.\nOla: Hei.\n")
    before = snapshot(run, project)
    assert "[E910]" in run("import", str(outside / "I2.txt"), code=1).stderr
    assert snapshot(run, project) == before
    run("import", str(outside / "I2.txt"), "--no-pseudonymise")


def test_a_corrected_transcript_is_pseudonymised_too(run: Run, project: Path,
                                                     outside: Path) -> None:
    import_nb(run, outside)
    corrected = write(outside / "rettet.txt", NB_INTERVIEW.replace("førti", "femti"))
    doc = "intervju-INFORMANT1"
    assert "[E910]" in run("import", "--replace", doc, str(corrected), "--why", "skrivefeil",
                           code=1).stderr
    run("import", "--replace", doc, str(corrected), "--why", "skrivefeil", "--pseudonymise",
        str(outside / "studie.key"), "--names", str(outside / "navn.txt"))
    assert "femti" in the_text(run, doc)
    assert_nothing_of(project, NB_SECRETS)


def test_the_check_lists_rare_attributes_with_their_turns(run: Run, outside: Path) -> None:
    out = run("pseudonymise", "--check", str(outside / "intervju-kari.txt"), "--language",
              "nb").stdout
    assert "intervju-kari.txt turn 7: country «England»" in out
    assert "intervju-kari.txt turn 7: age «94 år gammel»" in out
    assert "2 rare attributes found in 1 file." in out


SV_INTERVIEW = [
    "Intervjuare: Berätta om ditt arbete.",
    "Anna: Jag heter Anna Berg och jobbar på Solgårdens äldreboende i Malmö. Min chef,"
    " Erik Holm, ringer ofta.",
    "Intervjuare: Hur når man dig?",
    f"Anna: På 070-123 45 67 eller anna.berg@solgarden.example.se. Mitt personnummer är {PNR};"
    f" det på blanketten, {PNR_BAD}, är fel. Jag började den 2 maj 2019.",
    "Anna: Per dag har vi tjugo boende, och livet är fullt. Per ringde igår.",
]
SV_NAMES = "Anna Berg | Anna = deltagare\nErik Holm = person\nPer = person\nMalmö = plats\n" \
           "Solgårdens äldreboende | Solgården = arbetsplats\n"


def test_a_swedish_word_file(run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "hemligt"
    outside.mkdir()
    make_docx(outside / "anna.docx", SV_INTERVIEW)
    write(outside / "namn.txt", SV_NAMES)
    run("init", "sv", "--language", "sv", "--title", "Äldreomsorg")
    root = tmp_path / "sv"
    run("--project", str(root), "import", str(outside / "anna.docx"), "--pseudonymise",
        str(outside / "nyckel.key"), "--names", str(outside / "namn.txt"), "--full-key")
    run("--project", str(root), "report", "all")
    text = the_text(lambda *a, **k: run("--project", str(root), *a, **k), "INFORMANT1")
    assert ("Jag heter [INFORMANT 1] och jobbar på [ARBETSPLATS 1] i [PLATS 1]. Min chef,"
            " [PERSON 1], ringer ofta.") in text
    assert (f"På [TELEFON] eller [E-POST]. Mitt personnummer är [PERSONNUMMER]; det på"
            f" blanketten, {PNR_BAD}, är fel. Jag började den [DATUM].") in text
    assert "Per dag har vi tjugo boende, och livet är fullt. [PERSON 2] ringde igår." in text
    assert_nothing_of(root, ["Anna", "Berg", "Erik", "Holm", "Malmö", "Solgård", "070-123",
                             PNR, "2 maj 2019", "Per ringde"])
    assert [p.suffix for p in (root / "sources").iterdir()] == [".txt"]


EN_INTERVIEW = "\n".join([
    "Interviewer: Could you tell me about your work?",
    "Tom: My name is Tom Reed and I work at Riverside Surgery in Leeds. Will Hart, my"
    " colleague, helps.",
    "Interviewer: May I ask how to reach you?",
    "Tom: May I say first that I will answer? Call 020 7946 0958 or write to"
    " tom.reed@riverside.example.org.",
    "Tom: I started on 4 March 2019. Will asked me to stay, and Will is kind. I will stay.",
]) + "\n"
EN_NAMES = "Tom Reed | Tom = participant\nWill Hart | Will = person\nLeeds = place\n" \
           "Riverside Surgery | Riverside = workplace\n"


def test_an_english_transcript(run: Run, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    write(outside / "tom.txt", EN_INTERVIEW)
    write(outside / "names.txt", EN_NAMES)
    run("init", "en", "--language", "en", "--title", "Primary care")
    root = tmp_path / "en"
    run("--project", str(root), "import", str(outside / "tom.txt"), "--pseudonymise",
        str(outside / "k.key"), "--names", str(outside / "names.txt"))
    text = the_text(lambda *a, **k: run("--project", str(root), *a, **k), "PARTICIPANT1")
    assert ("My name is [PARTICIPANT 1] and I work at [WORKPLACE 1] in [PLACE 1]. [PERSON 1],"
            " my colleague, helps.") in text
    assert "May I ask how to reach you? May I say first that I will answer?" in text
    assert "Call [PHONE] or write to [EMAIL]." in text
    assert "I started on [DATE]. [PERSON 1] asked me to stay, and [PERSON 1] is kind." in text
    assert "I will stay." in text
    assert_nothing_of(root, ["Tom", "Reed", "Hart", "Riverside", "Leeds", "7946 0958",
                             "March 2019", "Will asked", "Will is"])
