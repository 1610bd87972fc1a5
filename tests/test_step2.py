"""Step 2: meaning units, codes and code groups, rename/merge/drop, search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write

INTERVIEW = """I: Hva tenker du om dispenserne?
Kari: Dispenserne gir brukerne frihet. Hun sa: «Nå kan jeg sove til jeg våkner.» Det er fint.
Kari: Og hun   sover
lenger nå.
I: Og besøkene?
Kari: Besøkene blir færre. Jeg savner besøket, for da ser jeg brukerne. Det er fint.
"""


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)))
    return project


def units(run: Run, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(run("units", "--json", *args).stdout)
    return data


def test_code_segments_makes_a_unit(run: Run, interview: Path) -> None:
    out = run("code", "I1:2-3", "frihet", "søvn").stdout
    assert out.startswith("U1 I1:2-3  frihet, søvn")
    [unit] = units(run)
    assert unit["unit"] == "U1" and unit["codes"] == ["frihet", "søvn"]
    assert unit["text"].startswith("Dispenserne gir") and unit["text"].endswith("våkner.»")
    assert unit["participant"] == "I1"
    run("verify")


def test_quote_is_found_with_whitespace_runs_as_one_space(run: Run, interview: Path) -> None:
    out = run("code", "I1:4-5", "søvn", "--quote", "hun sover lenger").stdout
    assert out.startswith("U1 I1:5")
    assert units(run)[0]["text"] == "hun sover lenger"


def test_quote_typographic_marks_need_loose(run: Run, interview: Path) -> None:
    quote = '"Nå kan jeg sove til jeg våkner."'
    assert "[E404]" in run("code", "I1:3", "søvn", "--quote", quote, code=1).stderr
    run("code", "I1:3", "søvn", "--quote", quote, "--loose")
    assert units(run)[0]["text"] == "«Nå kan jeg sove til jeg våkner.»"


def test_quote_found_twice_lists_every_place(run: Run, interview: Path) -> None:
    result = run("code", "I1", "fint", "--quote", "Det er fint.", code=1)
    assert "[E405]" in result.stderr and "I1:4" in result.stderr and "I1:9" in result.stderr
    run("code", "I1:9", "fint", "--quote", "Det er fint.")
    assert units(run)[0]["segments"] == "I1:9"


def test_a_unit_across_participants_is_made_with_a_warning(run: Run, project: Path) -> None:
    """In a focus group meaning lives in the exchange: a unit across speakers is made, the
    speakers named in a warning; its participants are both, never the interviewer."""
    group = "I: Velkommen.\nAnne: Jeg liker det.\nBo: Jeg liker det ikke.\n"
    run("import", str(write(project.parent / "F1.txt", group)))
    result = run("code", "F1:2-3", "uenighet")
    assert result.stderr == "Warning: F1:2-3 crosses speakers: Anne, Bo\n"
    assert units(run)[0]["participant"] == "Anne, Bo"
    assert units(run)[0]["text"] == "Jeg liker det.\n\nJeg liker det ikke."
    [add] = [r for r in json.loads(run("log", "--json").stdout) if r["kind"] == "unit.add"]
    assert add["payload"]["turns"] == [2, 3] and "across 2 turns" in add["summary"]
    run("code", "F1:1-2", "velkommen")  # the interviewer may be inside


def test_bad_references(run: Run, interview: Path) -> None:
    assert "[E204]" in run("code", "I1:40", "x", code=1).stderr
    assert "[E202]" in run("code", "I9:1", "x", code=1).stderr
    assert "[E409]" in run("code", "I1:1", " ", code=1).stderr
    assert units(run) == []


def test_codes_tree_groups_and_counts(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet", "--group", "Nærhet")
    run("code", "I1:8", "savn", "frihet")
    run("code", "I1:9", "observasjon")
    run("group", "savn", "observasjon", "--into", "Nærhet")
    tree = json.loads(run("codes", "--json").stdout)
    assert [g["name"] for g in tree] == ["Nærhet"]
    assert {c["name"]: c["units"] for c in tree[0]["codes"]} == {
        "frihet": 2, "observasjon": 1, "savn": 1}
    assert tree[0]["units"] == 3 and tree[0]["participants"] == 1
    assert [u["unit"] for u in units(run, "--code", "FRIHET")] == ["U1", "U2"]
    assert len(units(run, "--group", "nærhet")) == 3
    assert "Nærhet  [3 units, 1 participant]" in run("codes").stdout


def test_rename_merge_drop_are_recorded_with_why(run: Run, interview: Path) -> None:
    run("code", "I1:2", "feilalarmer")
    run("code", "I1:3", "alarmtretthet", "feilalarmer")
    run("rename", "code", "feilalarmer", "feilalarm", "--why", "entall")
    out = run("merge", "code", "feilalarm", "alarmtretthet", "--into", "falske alarmer",
              "--why", "samme sak").stdout
    assert "(new)" in out
    assert [u["codes"] for u in units(run)] == [["falske alarmer"], ["falske alarmer"]]
    result = run("drop", "code", "falske alarmer", code=1)
    assert "[E407]" in result.stderr and "2 meaning units" in result.stderr
    run("drop", "code", "falske alarmer", "--force", "--why", "ut")
    assert [u["codes"] for u in units(run)] == [[], []]
    log = json.loads(run("log", "--json").stdout)
    assert [r["why"] for r in log if r["kind"] in ("rename", "merge", "drop")] == [
        "entall", "samme sak", "ut"]
    run("undo")
    assert [u["codes"] for u in units(run)] == [["falske alarmer"], ["falske alarmer"]]
    run("verify")


def test_rename_refuses_a_taken_name(run: Run, interview: Path) -> None:
    run("code", "I1:2", "a", "b")
    assert "[E402]" in run("rename", "code", "a", "B", code=1).stderr
    run("rename", "code", "a", "A")  # only the case changes
    run("rename", "kode", "a", "c", code=2)


def test_merge_groups_into_a_new_group(run: Run, interview: Path) -> None:
    run("code", "I1:2", "a", "--group", "Opplæring")
    run("code", "I1:3", "b", "--group", "Ledelse")
    run("merge", "group", "Opplæring", "Ledelse", "--into", "Innføring i praksis")
    tree = json.loads(run("codes", "--json").stdout)
    assert [(g["name"], [c["name"] for c in g["codes"]]) for g in tree] == [
        ("Innføring i praksis", ["a", "b"])]
    run("verify")


def test_search_word_lemma_and_regex(run: Run, interview: Path) -> None:
    hits = json.loads(run("search", "fint", "--json").stdout)
    assert [h["ref"] for h in hits] == ["I1:4", "I1:9"]
    assert hits[0]["match"] == "fint" and hits[0]["left"].endswith("Det er")
    lemma = json.loads(run("search", "--lemma", "besøk", "--json").stdout)
    assert {h["match"].lower() for h in lemma} >= {"besøkene", "besøket"}
    regex = json.loads(run("search", "--regex", r"bruker\w*", "--json").stdout)
    assert len(regex) == 2
    assert "[E415]" in run("search", "--regex", "(", code=1).stderr
    shown = run("search", "savner").stdout
    assert shown.startswith("I1:8") and "[savner]" in shown
    run("code", hits[0]["ref"], "fint", "--quote", "Det er fint.")


def test_subgroups_rename_merge_drop(run: Run, interview: Path) -> None:
    write(interview / "m.csv", "unit,document,segments,quote,codes,group,subgroup,nugget,note\n"
          ",I1,2,,frihet,Nærhet,Frihet,,\n,I1,3,,søvn,Nærhet,Søvn,,\n,I1,8,,savn,Nærhet,Savn,,\n")
    run("matrix", "import", "m.csv")
    run("rename", "subgroup", "nærhet/søvn", "Hvile", "--why", "bredere")
    out = run("merge", "subgroup", "Nærhet/Frihet", "Nærhet/Hvile", "--into", "Egen tid").stdout
    assert "Nærhet/Frihet, Nærhet/Hvile merged into Nærhet/Egen tid (new)" in out
    assert [u["subgroup"] for u in units(run)] == ["Egen tid", "Egen tid", "Savn"]
    assert "[E407]" in run("drop", "subgroup", "Nærhet/Savn", code=1).stderr
    run("drop", "subgroup", "Nærhet/Savn", "--force")
    assert units(run)[2]["subgroup"] is None
    assert "[E401]" in run("rename", "subgroup", "Savn", "X", code=1).stderr
    run("verify")


def test_coding_the_same_stretch_again_adds_codes_to_its_unit(run: Run, interview: Path) -> None:
    run("code", "I1:2", "frihet")
    out = run("code", "I1:2", "frihet", "selvstendighet").stdout
    assert out.startswith("U1 I1:2") and "U1 is exactly this stretch already" in out
    assert [u["codes"] for u in units(run)] == [["frihet", "selvstendighet"]]
    run("verify")


def test_quote_matching_maps_back_to_the_original_offsets() -> None:
    from stc.quotes import find_all

    text = "Kari: Jeg  sa\n\n«ja» – og gikk.\tJeg sa ja."
    [(start, end)] = find_all(text, "Jeg sa «ja» – og", start=0, end=30)
    assert text[start:end] == "Jeg  sa\n\n«ja» – og"
    assert find_all(text, 'sa "ja" - og') == []
    [(start, end)] = find_all(text, 'sa "ja" - og', loose=True)
    assert text[start:end] == "sa\n\n«ja» – og"
    assert len(find_all(text, "Jeg sa")) == 2


DECOMPOSED = "\u0301"  # a combining acute accent: "e" + DECOMPOSED is "é" written as two


def test_a_quote_with_a_decomposed_letter_finds_the_composed_one(run: Run, project: Path
                                                                 ) -> None:
    """A transcript saved with decomposed letters (NFD, as macOS may write them) is kept
    composed (NFC); a quote typed or pasted either way finds its words, and the unit's text
    is the transcript's own."""
    said = "Kari: Vi møttes på kafe\u0301en. Kaféen var stengt om kvelden.\n"
    run("import", str(write(project.parent / "K.txt", said)))
    shown = json.loads(run("show", "K:1", "--json").stdout)
    assert "kaféen" in json.dumps(shown, ensure_ascii=False)
    assert run("code", "K", "kafé", "--quote", "på kafe\u0301en").stdout.startswith("U1 K:1")
    assert run("code", "K", "kveld", "--quote", "Kafe\u0301en var stengt").stdout.startswith(
        "U2 K:2")
    assert [u["text"] for u in units(run)] == ["på kaféen", "Kaféen var stengt"]
    write(project / "m.csv", "unit,document,segments,quote,codes,group,subgroup,nugget,note\n"
          ",K,,møttes på kafe\u0301en,møte,,,,\n")
    run("matrix", "import", "m.csv")
    assert units(run)[2]["text"] == "møttes på kaféen"
    run("verify")


def test_merges_that_would_clash_are_refused(run: Run, interview: Path) -> None:
    write(interview / "m.csv", "unit,document,segments,quote,codes,group,subgroup,nugget,note\n"
          ",I1,2,,a,A,Felles,,\n,I1,3,,b,B,Felles,,\n")
    run("matrix", "import", "m.csv")
    assert "[E413]" in run("merge", "subgroup", "A/Felles", "B/Felles", "--into", "A/Ny",
                           code=1).stderr
    assert "[E414]" in run("merge", "group", "A", "B", "--into", "C", code=1).stderr
    assert json.loads(run("codes", "--json").stdout)[0]["name"] == "A"  # nothing changed
    run("theme", "add", "T1", "T2")
    run("merge", "theme", "T1", "T2", "--into", "T2")
    assert [t["name"] for t in json.loads(run("themes", "--json").stdout)["themes"]] == ["T2"]
    run("verify")


FOCUS_GROUP = """I: Hva betyr nattevaktene for dere?
Anne: Om natten er det stille. Da rekker jeg å prate med dem som er våkne.
Bodil: For meg er natten ensom. Jeg savner kollegene.
"""


def test_a_unit_from_the_question_into_an_answer_is_the_answerers(run: Run, project: Path
                                                                   ) -> None:
    """Who speaks in a unit: the participants of the turns it overlaps, never the interviewer;
    the listing, the code tree and prevalence agree."""
    run("import", str(write(project.parent / "FG.txt", FOCUS_GROUP)))
    run("code", "FG:1-2", "stillhet", "--group", "Natten")
    [unit] = units(run)
    assert unit["participant"] == "Anne"
    [group] = json.loads(run("codes", "--json").stdout)
    assert (group["participants"], group["codes"][0]["participants"]) == (1, 1)
    [row] = json.loads(run("prevalence", "--json").stdout)
    assert (row["names"], row["total"]) == (["Anne"], 2)
    run("code", "FG:2-4", "natt")  # across participants: made, with a warning
    assert units(run)[1]["participant"] == "Anne, Bodil"
