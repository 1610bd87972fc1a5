"""Step 4: analytic texts, headings, order, identifying names, prevalence, stc check."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from stc import open_project
from stc.stages.checks import first_person
from stc.stages.prevalence import prevalence_words
from stc.stages.synthesis import codes_frame, names_in, names_pattern, prevalence_frame
from tests.builders import INTERVIEWS, WORDS
from tests.conftest import Run, write

NB = WORDS["nb"]
RUSH = f"{NB['time']}/{NB['rush']}"


def checks(run: Run, code: int = 0) -> dict[str, list[dict[str, Any]]]:
    """What fails each check: the problems' catalogue ids and fields (never their prose)."""
    return {c["id"]: [{k: v for k, v in f.items() if k not in ("message", "warning")}
                      for f in c["problems"] if not f["warning"]]
            for c in json.loads(run("check", "--json", code=code).stdout)}


def test_describe_sets_text_and_heading_and_heading_resets(run: Run, done: Path) -> None:
    out = run("describe", NB["tech"], "--heading", "Skjermen").stdout
    assert "heading of group 'Teknologi' set" in out
    assert "description" not in out  # the heading alone leaves the text as it was
    run("describe", NB["tech"], "--heading", "")
    assert "Teknologi" in (done / "reports").joinpath(
        run("report", "results", "--format", "md").stdout.strip()).read_text()
    assert run("describe", NB["tech"], code=2).exit_code == 2
    assert "[E401]" in run("describe", "Ukjent", "-m", "x", code=1).stderr


def test_every_check_fails_with_its_place(run: Run, done: Path) -> None:
    assert all(not f for f in checks(run).values())
    run("describe", RUSH, "--clear")  # clearing the analytic text
    run("condense", f"{NB['time']}/{NB['tired']}", "-m", "Hun blir sliten.")
    run("nugget", "U5", "--clear")
    run("code", "I3:5", "ny kode")
    run("theme", "drop", NB["themes"][0])
    found = checks(run, code=1)
    assert found["analytic-texts"] == [{"id": "analytic-texts.subcategory", "name": RUSH,
                                        "name_sh": f"'{RUSH}'"}]
    assert found["condensates"] == [{"id": "condensates.not-first-person",
                                     "target": f"{NB['time']}/{NB['tired']}"}]
    assert found["quotations"] == [{"id": "quotations.category", "name": "Teknologi"}]
    assert found["codes-grouped"] == [{"id": "codes-grouped.ungrouped", "code": "ny kode",
                                       "code_sh": "'ny kode'"}]
    assert found["units-sorted"] == [{"id": "units-sorted.ungrouped", "unit": "U8"}]
    assert found["themes"] == [{"id": "themes.count", "n": 3, "min": 4, "max": 8}]
    # what `stc check` prints is in the project's language, as the audit report is
    shown = run("check", code=1).stdout
    assert "FAIL  hver kode i en kodegruppe\n" in shown
    assert "koden 'ny kode' er ikke i noen kodegruppe (stc group 'ny kode' --into" in shown


def test_a_unit_whose_text_changed_in_a_corrected_transcript_fails_the_check(
        run: Run, done: Path) -> None:
    corrected = INTERVIEWS["nb"]["I1"].replace("Jeg blir sliten.", "Jeg blir så sliten.")
    run("import", "--replace", "I1", str(write(done.parent / "I1-rettet.txt", corrected)),
        "--speakers", "I=interviewer")
    found = checks(run, code=1)
    assert found["current"] == [{
        "id": "current.review", "unit": "U3", "doc": "I1", "reason":
        "its text changed in the corrected transcript (version 2); it still points at I1:6-7"}]
    assert found["verbatim"] == []  # U1 moved with its quotation; U3 waits for review


def test_a_quotation_altered_in_the_store_fails_the_verbatim_check(run: Run, done: Path) -> None:
    """The check is there for what no stc command does: a project database edited by hand
    or damaged. The edit is made here as such an edit would be."""
    conn = sqlite3.connect(done / "stc.db")
    conn.execute("UPDATE texts SET body = 'Jeg har masse tid' WHERE hash ="
                 " (SELECT nugget FROM units WHERE id = 1)")
    conn.commit()
    conn.close()
    found = checks(run, code=1)
    assert found["verbatim"] == [{"id": "verbatim.quotation", "unit": "U1", "doc": "I1"}]
    assert "does not match its hash" in run("verify", code=1).stderr  # and verify says so


def test_a_condensate_whose_units_left_its_subgroup_fails_the_check(run: Run, done: Path
                                                                    ) -> None:
    tired = f"{NB['time']}/{NB['tired']}"
    run("sort", "U7", "--into", tired)
    found = checks(run, code=1)
    assert found["condensates"] == [
        {"id": "condensates.gone", "target": RUSH, "target_sh": shlex.quote(RUSH),
         "units": "U7"},
        {"id": "condensates.uncovered", "target": tired, "target_sh": shlex.quote(tired),
         "units": "U7"}]
    run("condense", RUSH, "-m", NB["cond_rush"])  # written again on the units it rests on now
    run("condense", tired, "-m", NB["cond_tired"])
    found = checks(run, code=1)  # the category changed: it asks to be validated again
    assert found["condensates"] == [] and [k for k, v in found.items() if v] == ["validated"]


def test_a_category_no_participant_speaks_in(run: Run, done: Path) -> None:
    """Prevalence of a category whose every unit is set aside, and of an empty subcategory."""
    run("set-aside", "U5", "U6", "--why", "handler om noe annet")
    run("subgroup", "add", NB["time"], "Ingen ennå")
    rows = {(r["group"], r["subgroup"]): r for r in json.loads(run("prevalence", "--json").stdout)}
    for key in ((NB["tech"], None), (NB["time"], "Ingen ennå")):
        assert (rows[key]["units"], rows[key]["participants"], rows[key]["names"],
                rows[key]["words"], rows[key]["share"]) == (0, 0, [], "ingen av informantene", 0)
    assert (rows[(NB["time"], None)]["units"], rows[(NB["time"], None)]["participants"]) == (4, 3)


def test_identifying_names_fail_the_check_and_stop_the_report(run: Run, done: Path) -> None:
    run("names", "add", "KARI", "bruker til  bruker")
    assert json.loads(run("names", "list", "--json").stdout) == ["bruker til bruker", "kari"]
    failures = checks(run, code=1)["identifying-names"]
    assert failures == [{"id": "identifying-names.condensate", "kind": "subkategorien",
                         "label": "Tid og rutiner/Tidspress", "name": "bruker til bruker"}]
    err = run("report", "results", code=1).stderr
    assert "[E516]" in err and "bruker til bruker" in err
    run("report", "results", "--allow-identifying")
    run("names", "drop", "bruker til bruker")
    assert checks(run)["identifying-names"] == []
    assert "[E515]" in run("names", "drop", "ukjent", code=1).stderr
    trail = (done / "stc.db").read_bytes()
    assert b"KARI" not in trail and b"kari\"" not in trail  # payloads carry hashes only
    run("verify")


def test_order_of_categories_and_subcategories(run: Run, done: Path) -> None:
    run("order", "groups", NB["tech"])
    run("order", "subgroups", "--group", NB["time"], NB["tired"], NB["rush"])
    md = (done / "reports" / "results.md")
    run("report", "results", "--format", "md")
    text = md.read_text()
    assert text.index("## 3.1 Teknologi") < text.index("## 3.2 Tiden som ikke strekker til")
    assert "### 3.2.1 Å bli sliten" in text and "### 3.2.2 Tidspress" in text
    assert "[E513]" in run("order", "groups", "Ukjent", code=1).stderr
    assert run("order", "subgroups", NB["rush"], code=2).exit_code == 2
    run("verify")


def test_prevalence_in_words_and_frames(run: Run, done: Path) -> None:
    rows = json.loads(run("prevalence", "--json").stdout)
    by = {(r["group"], r["subgroup"]): r for r in rows}
    assert by[(NB["time"], NB["rush"])]["words"] == "alle informantene"
    assert by[(NB["time"], NB["rush"])]["units"] == 3
    assert by[(NB["time"], NB["tired"])]["words"] == "en av informantene"
    assert by[(NB["tech"], None)]["words"] == "to av tre informanter"
    frame = prevalence_frame(open_project(done))
    assert list(frame["participants"]) == [3, 3, 1, 2]
    codes = codes_frame(open_project(done)).set_index("code")
    assert codes.loc["tidspress", "units"] == 4


@pytest.mark.parametrize(("language", "n", "total", "words"), [
    ("nb", 4, 4, "alle informantene"), ("nb", 3, 4, "tre av fire informanter"),
    ("nb", 1, 4, "en av informantene"), ("en", 3, 4, "three of four participants"),
    ("en", 4, 4, "all participants"), ("en", 1, 3, "one of the participants"),
    ("sv", 2, 5, "två av fem informanter"), ("da", 1, 4, "en af informanterne"),
    ("nn", 1, 4, "ein av informantane"), ("nb", 14, 20, "14 av 20 informanter"),
    ("de", 2, 2, "both participants"), ("nb", 0, 3, "ingen av informantene"),
    ("en", 0, 1, "none of the participants"), ("nb", 1, 1, "informanten"),
])
def test_prevalence_words(language: str, n: int, total: int, words: str) -> None:
    assert prevalence_words(language, n, total) == words


@pytest.mark.parametrize(("language", "text", "first"), [
    ("nb", "Jeg blir sliten.", True), ("nb", "Hun blir sliten.", False),
    ("nn", "Eg blir trøytt.", True), ("sv", "Jag blir trött.", True),
    ("da", "Vi bliver trætte.", True), ("en", "I'm tired.", True),
    ("en", "She is tired.", False),
])
def test_first_person(language: str, text: str, first: bool) -> None:
    assert first_person(text, language) is first


def test_names_match_whole_words_in_any_case() -> None:
    pattern = names_pattern(["kari", "sagene bydel"])
    assert names_in("Karianne og KARI fra Sagene\nbydel.", pattern) == ["KARI", "Sagene\nbydel"]
    assert names_in("ingen her", pattern) == []


# -- the sample corpus's validation memos ---------------------------------------------------------

ALL_FOUR = {"I1", "I2", "I3", "I4"}
# what the validation memos of the sample corpus (corpora/nb-hjemmetjeneste) say about who
# speaks of what, the words the participants use for it, and the interviews where they do
MEMO_CLAIMS = [
    ("Nærhet og relasjon", "Alle fire omtaler videobesøk",
     "videobesøk|nettbrett|digitalt tilsyn", ALL_FOUR),
    ("Nærhet og relasjon", "Ensomhet tas opp med rene ord i I3 og I4", "ensom", {"I3", "I4"}),
    ("Trygghet for hvem", "I1 og I3 forteller om færre avvik", "færre avvik", {"I1", "I3"}),
    # a wrong tablet or dose: I1 says the dispenser never gives one, I4 speaks of one in case
    ("Trygghet for hvem", "I3 har ingen slik fortelling", "feil (tablett|dose)|feil i dose",
     {"I1", "I4"}),
    ("Trygghet for hvem", "Spørsmålet om samtykke reises av I3 og I4, ikke av I2",
     "samtykk|sagt ja til", {"I3", "I4"}),
    ("Tid som flyttes", "sier I1 og I3 rett ut, og I2 viser til at noen har regnet på sparte"
     " kilometer; I4 nevner bare", "kjør|kilometer", {"I1", "I2", "I3"}),
    ("Innføring i praksis", "I2 nevner ikke superbrukerne", "superbruker", {"I3", "I4"}),
    ("Innføring i praksis", "Måltallene omtales av alle fire",
     "antall dispensere|måltall|så og så mange", ALL_FOUR),
]


def test_the_sample_corpus_validation_memos_say_what_the_interviews_say(run: Run,
                                                                       project: Path) -> None:
    """A validation memo checks a category against the transcripts, so the demo's memos must
    be right themselves: each says who speaks of a matter as the interviews where a participant
    (not the interviewer) uses its words."""
    import csv

    from tests.conftest import CORPORA

    corpus = CORPORA / "nb-hjemmetjeneste"
    run("import", *(str(next(corpus.glob(f"{doc}.*"))) for doc in sorted(ALL_FOUR)),
        "--speakers", "I=interviewer")
    with (corpus / "analysis" / "validering.csv").open(encoding="utf-8", newline="") as handle:
        memos = {row["group"]: row["memo"] for row in csv.DictReader(handle)}
    for group, claim, words, said_in in MEMO_CLAIMS:
        assert claim in memos[group], (group, claim)
        found = json.loads(run("search", "--regex", words, "--json").stdout)
        assert {hit["doc"] for hit in found if hit["role"] == "participant"} == said_in, claim
