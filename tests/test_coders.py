"""Two coders: a second coder's copy, the comparison with hand-computed figures, the places
they differ, and the merge with its recorded resolutions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write
from tests.samples import snapshot

# Fictional interviews. Segments (sentences), numbered as `stc show` gives them; the
# interviewer's (I:) are compared only where a coder coded them:
#   T1: 1 I: ..., 2 "I never have enough time.", 3 "We run from patient to patient.",
#       4 "There is no time to talk.", 5 I: ..., 6 "I get tired.", 7 "But I like the job.",
#       8 "My colleagues are good."               (8 segments, 6 of the participant: 2-4, 6-8)
#   T2: 1 I: ..., 2 "The day is full of driving.", 3 "We have too many patients.",
#       4 "I miss getting to know them."          (4 segments, 3 of the participant: 2-4)
#   T3: 1 I: ..., 2 "I hope it gets better.", 3 "I have to."   (3 segments, 2 of the participant)
T1 = ("I: How is a normal shift?\n"
      "Anna: I never have enough time. We run from patient to patient. There is no time to"
      " talk.\n"
      "I: What does it do to you?\n"
      "Anna: I get tired. But I like the job. My colleagues are good.\n")
T2 = ("I: Tell me about the day.\n"
      "Ben: The day is full of driving. We have too many patients. I miss getting to know"
      " them.\n")
T3 = "I: And hope?\nCara: I hope it gets better. I have to.\n"

# Coder A (Astrid) in project `a`, coder B (Berit) in project `b`:
A_CODING = [("T1:2", "pressure"), ("T1:3-4", "pressure"), ("T1:6", "tiredness"),
            ("T2:2-3", "pressure"), ("T2:4", "relations")]
B_CODING = [("T1:2-3", "pressure"), ("T1:6", "joy"), ("T1:7", "joy"),
            ("T2:2-3", "pressure"), ("T2:4", "relations")]
# By hand, over the 9 segments of the participants' speech in T1 and T2 (T1:2,3,4,6,7,8 and
# T2:2,3,4; no unit touches the interviewer's T1:1, T1:5, T2:1), with a both coded, b only A,
# c only B, d neither; p_e·n² = (a+b)(a+c) + (c+d)(b+d), κ = (n(a+d) - p_e·n²)/(n² - p_e·n²):
#                    B coded  B not
#   pressure  A coded   4       1     A {T1:2,3,4, T2:2,3}, B {T1:2,3, T2:2,3}
#             A not     0       4     p_o = 8/9 = 0.889; p_e·n² = 5·4 + 4·5 = 40;
#                                     κ = (72-40)/(81-40) = 32/41 = 0.780
#   relations A coded   1       0     A {T2:4}, B {T2:4}
#             A not     0       8     p_o = 1; p_e·n² = 1·1 + 8·8 = 65; κ = 16/16 = 1
#   tiredness A coded   0       1     A {T1:6}, B none
#             A not     0       8     p_o = 8/9 = 0.889; p_e·n² = 1·0 + 8·9 = 72; κ = 0/9 = 0
#   joy       A coded   0       0     A none, B {T1:6,7}
#             A not     2       7     p_o = 7/9 = 0.778; p_e·n² = 0·2 + 9·7 = 63; κ = 0/18 = 0
#   pooled    A coded   5       2     36 decisions (9 segments × 4 codes)
#             A not     2      27     p_o = 32/36 = 0.889; p_e·n² = 7·7 + 29·29 = 890;
#                                     κ = (36·32-890)/(1296-890) = 262/406 = 0.645
# Counting the 3 interviewer segments too (12 segments) gave higher figures: pressure 0.917 and
# κ 0.824, tiredness 0.917, joy 0.833, pooled 0.917 and κ 0.666.
EXPECTED = {"pressure": (0.889, 0.780), "relations": (1.0, 1.0), "tiredness": (0.889, 0.0),
            "joy": (0.778, 0.0)}
# The same decisions, segment by segment over T1:2,3,4,6,7,8, T2:2,3,4, for scikit-learn:
DECISIONS = {"pressure": ([1, 1, 1, 0, 0, 0, 1, 1, 0], [1, 1, 0, 0, 0, 0, 1, 1, 0]),
             "relations": ([0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1]),
             "tiredness": ([0, 0, 0, 1, 0, 0, 0, 0, 0], [0] * 9),
             "joy": ([0] * 9, [0, 0, 0, 1, 1, 0, 0, 0, 0])}


def _code(run: Run, project: Path, author: str, coding: list[tuple[str, str]]) -> None:
    for ref, code in coding:
        run("code", ref, code, "--project", str(project), "--author", author,
            "--allow-interviewer")


@pytest.fixture
def pair(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    """Project `a` coded by Astrid (T3 too), and Berit's copy `b` made with init --from."""
    for name, text in (("T1", T1), ("T2", T2), ("T3", T3)):
        write(tmp_path / f"{name}.txt", text)
    a, b = tmp_path / "a", tmp_path / "b"
    run("init", str(a), "--language", "en", "--title", "Shifts", "--author", "Astrid")
    run("import", *(str(tmp_path / f"T{n}.txt") for n in (1, 2, 3)), "--project", str(a),
        "--speakers", "I=interviewer")
    run("theme", "add", "Time", "--project", str(a))
    _code(run, a, "Astrid", [*A_CODING, ("T3:2", "hope")])
    run("group", "pressure", "--into", "Time", "--project", str(a))
    run("init", str(b), "--from", str(a), "--author", "Berit")
    _code(run, b, "Berit", B_CODING)
    return a, b


def compared(run: Run, a: Path, *args: str) -> dict[str, Any]:
    out = run("compare", *args, "--json", "--project", str(a)).stdout
    return dict(json.loads(out))


# -- a second coder's copy -----------------------------------------------------------------------

def test_init_from_copies_transcripts_and_codebook_without_units(run: Run, pair: tuple[Path, Path]
                                                                  ) -> None:
    a, b = pair
    assert "OK" in run("verify", "--project", str(b)).stdout
    docs_a = json.loads(run("docs", "--json", "--project", str(a)).stdout)
    docs_b = json.loads(run("docs", "--json", "--project", str(b)).stdout)
    assert docs_b == docs_a  # ids, participants, speakers and roles, segment counts
    for doc in ("T1", "T2", "T3"):
        shown = [json.loads(run("show", doc, "--json", "--project", str(p)).stdout)
                 for p in (a, b)]
        assert shown[0] == shown[1]
    codes_b = json.loads(run("codes", "--json", "--project", str(b)).stdout)
    names = {c["name"] for g in codes_b for c in g["codes"]}
    assert names == {"pressure", "tiredness", "relations", "hope", "joy"}  # joy: Berit's own
    time = next(g for g in codes_b if g["name"] == "Time")
    assert [c["name"] for c in time["codes"]] == ["pressure"]
    assert "Time" in run("themes", "--project", str(b)).stdout
    log_b = json.loads(run("log", "--json", "--project", str(b)).stdout)
    assert {r["author"] for r in log_b} == {"Berit"}
    copied = log_b[:next(i for i, r in enumerate(log_b) if r["kind"] == "unit.add")]
    assert {r["kind"] for r in copied} == {"project.init", "document.import", "theme.add",
                                           "group.add", "code.add"}
    assert sorted(p.name for p in (b / "sources").iterdir()) == \
        sorted(p.name for p in (a / "sources").iterdir())


def test_init_from_keeps_segment_numbers_of_a_corrected_transcript(run: Run, tmp_path: Path
                                                                    ) -> None:
    write(tmp_path / "T1.txt", T1)
    a = tmp_path / "a"
    run("init", str(a), "--language", "en", "--title", "Shifts")
    run("import", str(tmp_path / "T1.txt"), "--project", str(a))
    corrected = write(tmp_path / "T1-fixed.txt", T1.replace("job.", "work."))
    run("import", "--replace", "T1", str(corrected), "--why", "typo", "--project", str(a))
    run("init", str(tmp_path / "b"), "--from", str(a))
    shown = [json.loads(run("show", "T1", "--json", "--project", str(p)).stdout)
             for p in (a, tmp_path / "b")]
    assert shown[0] == shown[1] and shown[0]["segments"][0]["n"] == 9
    assert "OK" in run("verify", "--project", str(tmp_path / "b")).stdout


def test_init_from_a_folder_that_is_no_project_leaves_nothing(run: Run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "[E850]" in run("init", str(tmp_path / "b"), "--from", str(tmp_path / "empty"),
                           code=1).stderr
    assert not (tmp_path / "b").exists()
    assert "Usage" in run("init", str(tmp_path / "c"), code=2).stderr


# -- the figures ---------------------------------------------------------------------------------

def test_compare_gives_the_hand_computed_figures(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    data = compared(run, a, str(b))
    assert data["documents"] == ["T1", "T2"]
    assert (data["segments"], data["segments_left_out"]) == (9, 3)
    assert any("T3: left out, only A has units" in n for n in data["notes"])
    got = {c["code"]: (round(c["percent_agreement"], 3), round(c["kappa"], 3))
           for c in data["codes"]}
    assert got == EXPECTED
    pressure = next(c for c in data["codes"] if c["code"] == "pressure")
    assert (pressure["both"], pressure["only_a"], pressure["only_b"], pressure["neither"]) == \
        (4, 1, 0, 4)
    overall = data["overall"]
    assert (overall["both"], overall["only_a"], overall["only_b"], overall["neither"]) == \
        (5, 2, 2, 27)
    assert round(overall["percent_agreement"], 3) == 0.889
    assert round(overall["kappa"], 3) == 0.645
    _agrees_with_scikit_learn(data, DECISIONS)
    assert data["a"]["coders"] == ["Astrid"] and data["b"]["coders"] == ["Berit"]


def test_compare_prints_the_figures_and_undefined_as_such(run: Run, pair: tuple[Path, Path]
                                                          ) -> None:
    a, b = pair
    out = run("compare", str(b), "--project", str(a)).stdout
    assert "pressure" in out and "0.780" in out and "88.9 %" in out
    assert "all codes, pooled" in out and "0.645" in out
    assert "Compared: T1, T2 (9 segments: participants' speech" in out
    assert "Left out: 3 segments of the interviewer's or other speech nobody coded" in out
    # hope: a code of the codebook neither coder used on T1 and T2: nothing to agree about
    data = compared(run, a, str(b), "--codes", "hope,pressure")
    hope = next(c for c in data["codes"] if c["code"] == "hope")
    assert hope["kappa"] is None and hope["percent_agreement"] == 1.0
    out = run("compare", str(b), "--codes", "hope", "--project", str(a)).stdout
    hope_line = next(line for line in out.splitlines() if line.startswith("hope"))
    assert hope_line.split()[-1] == "undefined"


def test_compare_on_named_transcripts_counts_a_silent_coder(run: Run, pair: tuple[Path, Path]
                                                            ) -> None:
    a, b = pair
    data = compared(run, a, str(b), "--docs", "t3", "--disagreements")
    # T3: the participant's T3:2 and T3:3 (the interviewer's T3:1 nobody coded); A coded T3:2
    # with hope, B nothing:
    #              B coded  B not
    #   A coded       0       1      p_o = 1/2 = 0.5; p_e·n² = 1·0 + 1·2 = 2, p_e = 0.5;
    #   A not         0       1      κ = (2·1 - 2)/(4 - 2) = 0     (with T3:1 p_o was 2/3)
    assert data["documents"] == ["T3"] and data["segments"] == 2
    (hope,) = data["codes"]
    assert (hope["percent_agreement"], hope["kappa"]) == (0.5, 0.0)
    assert [d["kind"] for d in data["disagreements"]] == ["only_a"]


def _agrees_with_scikit_learn(data: dict[str, Any],
                              decisions: dict[str, tuple[list[int], list[int]]]) -> None:
    """The figures `stc compare` gave, against scikit-learn's κ over the decisions written out
    segment by segment (per code, and all codes one after the other for the pooled row)."""
    from tests.test_agreement import sklearn_kappa

    def kappa(a: list[int], b: list[int]) -> float:
        return sklearn_kappa([bool(x) for x in a], [bool(x) for x in b])

    assert {c["code"] for c in data["codes"]} == set(decisions)
    for code in data["codes"]:
        a, b = decisions[code["code"]]
        assert code["segments"] == len(a) == len(b) == data["segments"]
        assert code["kappa"] == pytest.approx(kappa(a, b))
    pooled_a = [x for a, _ in decisions.values() for x in a]
    pooled_b = [x for _, b in decisions.values() for x in b]
    assert data["overall"]["kappa"] == pytest.approx(kappa(pooled_a, pooled_b))


# An interview with long questions: 15 segments, 10 of them the interviewer's.
#   1-5 I: "Thank you for taking part." ... "Can you tell me about a day at work?"
#   6 "I start at seven.", 7 "I visit eight patients.", 8 "I am always behind."
#   9-13 I: "I see." "Many nurses say the same." ... "What about you?"
#   14 "It gets worse.", 15 "I think about quitting."
T4 = ("I: Thank you for taking part. I would like to hear about your work. There are no right"
      " or wrong answers. Take the time you need. Can you tell me about a day at work?\n"
      "Eva: I start at seven. I visit eight patients. I am always behind.\n"
      "I: I see. Many nurses say the same. Some say it gets better with time. Others say it"
      " gets worse. What about you?\n"
      "Eva: It gets worse. I think about quitting.\n")


@pytest.fixture
def long_questions(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    """Astrid and Berit code Eva's answers in T4 a little differently; nobody codes the
    interviewer."""
    write(tmp_path / "T4.txt", T4)
    a, b = tmp_path / "a", tmp_path / "b"
    run("init", str(a), "--language", "en", "--title", "Shifts", "--author", "Astrid")
    run("import", str(tmp_path / "T4.txt"), "--project", str(a))
    run("init", str(b), "--from", str(a), "--author", "Berit")
    _code(run, a, "Astrid", [("T4:7-8", "pressure"), ("T4:15", "quitting")])
    _code(run, b, "Berit", [("T4:8", "pressure"), ("T4:14-15", "quitting")])
    return a, b


def test_interviewer_questions_nobody_coded_do_not_raise_the_figures(
        run: Run, long_questions: tuple[Path, Path]) -> None:
    a, b = long_questions
    shown = json.loads(run("show", "T4", "--json", "--project", str(a)).stdout)
    assert [s["n"] for s in shown["segments"]] == list(range(1, 16))  # the segments above
    data = compared(run, a, str(b), "--disagreements")
    # Compared: Eva's 6, 7, 8, 14, 15; the interviewer's 1-5 and 9-13 are left out.
    #                    B coded  B not
    #   pressure  A coded   1       1     A {7,8}, B {8}: p_o = 4/5 = 0.8;
    #             A not     0       3     p_e·n² = 2·1 + 3·4 = 14; κ = (20-14)/(25-14) = 6/11
    #   quitting  A coded   1       0     A {15}, B {14,15}: p_o = 4/5 = 0.8;
    #             A not     1       3     p_e·n² = 1·2 + 4·3 = 14; κ = 6/11 = 0.545
    #   pooled    A coded   2       1     10 decisions: p_o = 8/10 = 0.8;
    #             A not     1       6     p_e·n² = 3·3 + 7·7 = 58; κ = (80-58)/(100-58) = 22/42
    # Counted, the 10 interviewer segments would add 10 agreements on "not coded" per code:
    # pressure d = 13 of 15, p_o = 14/15 = 0.933, p_e·n² = 2·1 + 13·14 = 184,
    # κ = (210-184)/(225-184) = 26/41 = 0.634; pooled d = 26 of 30, p_o = 0.933,
    # p_e·n² = 3·3 + 27·27 = 738, κ = (840-738)/(900-738) = 102/162 = 0.630.
    assert (data["segments"], data["segments_left_out"]) == (5, 10)
    got = {c["code"]: (c["both"], c["only_a"], c["only_b"], c["neither"],
                       round(c["percent_agreement"], 3), round(c["kappa"], 3))
           for c in data["codes"]}
    assert got == {"pressure": (1, 1, 0, 3, 0.8, 0.545), "quitting": (1, 0, 1, 3, 0.8, 0.545)}
    overall = data["overall"]
    assert (overall["both"], overall["only_a"], overall["only_b"], overall["neither"]) == \
        (2, 1, 1, 6)
    assert round(overall["percent_agreement"], 3) == 0.8
    assert overall["kappa"] == pytest.approx(22 / 42) and round(overall["kappa"], 3) == 0.524
    _agrees_with_scikit_learn(data, {"pressure": ([0, 1, 1, 0, 0], [0, 0, 1, 0, 0]),
                                     "quitting": ([0, 0, 0, 0, 1], [0, 0, 0, 1, 1])})
    # the places to discuss are where the coders' units are; no question is listed
    places = [(d["place"], d["segments"], d["kind"]) for d in data["disagreements"]]
    assert places == [("T4#1", "T4:7-8", "different_boundaries"),
                      ("T4#2", "T4:14-15", "different_boundaries")]
    assert not any("nurses" in d["text"] or "Thank you" in d["text"]
                   for d in data["disagreements"])
    out = run("compare", str(b), "--project", str(a)).stdout
    assert "Compared: T4 (5 segments" in out and "Left out: 10 segments" in out
    assert "0.545" in out and "0.634" not in out


def test_an_interviewer_segment_a_coder_coded_is_compared(
        run: Run, long_questions: tuple[Path, Path]) -> None:
    a, b = long_questions
    # Berit marks the interviewer's leading remark T4:10 "Many nurses say the same."
    _code(run, b, "Berit", [("T4:10", "leading question")])
    data = compared(run, a, str(b), "--disagreements")
    # Compared: Eva's 6, 7, 8, 14, 15 and T4:10, which B's unit touches (n = 6).
    #                    B coded  B not
    #   pressure  A coded   1       1     p_o = 5/6 = 0.833; p_e·n² = 2·1 + 4·5 = 22;
    #             A not     0       4     κ = (30-22)/(36-22) = 8/14 = 0.571
    #   quitting  A coded   1       0     p_o = 5/6; p_e·n² = 1·2 + 5·4 = 22; κ = 8/14 = 0.571
    #             A not     1       4
    #   leading   A coded   0       0     p_o = 5/6; p_e·n² = 0·1 + 6·5 = 30;
    #   question  A not     1       5     κ = (30-30)/(36-30) = 0 (not undefined: B coded it)
    #   pooled    A coded   2       1     18 decisions: p_o = 15/18 = 0.833;
    #             A not     2      13     p_e·n² = 3·4 + 15·14 = 222; κ = 48/102 = 0.471
    assert (data["segments"], data["segments_left_out"]) == (6, 9)
    got = {c["code"]: (c["both"], c["only_a"], c["only_b"], c["neither"],
                       round(c["percent_agreement"], 3), round(c["kappa"], 3))
           for c in data["codes"]}
    assert got == {"leading question": (0, 0, 1, 5, 0.833, 0.0),
                   "pressure": (1, 1, 0, 4, 0.833, 0.571),
                   "quitting": (1, 0, 1, 4, 0.833, 0.571)}
    overall = data["overall"]
    assert (overall["both"], overall["only_a"], overall["only_b"], overall["neither"]) == \
        (2, 1, 2, 13)
    assert round(overall["kappa"], 3) == round(48 / 102, 3) == 0.471
    #                        T4:6 7  8  10 14 15
    _agrees_with_scikit_learn(data, {"leading question": ([0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0]),
                                     "pressure": ([0, 1, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0]),
                                     "quitting": ([0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1])})
    assert ("T4:10", "only_b") in {(d["segments"], d["kind"]) for d in data["disagreements"]}
    # the figures of a code do not depend on which other codes are asked for
    alone = compared(run, a, str(b), "--codes", "pressure")
    assert alone["segments"] == 6 and alone["codes"][0]["kappa"] == pytest.approx(8 / 14)


def test_compare_within_one_project_by_author(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "T1.txt", T1)
    write(tmp_path / "T2.txt", T2)
    p = tmp_path / "one"
    run("init", str(p), "--language", "en", "--title", "Shifts")
    run("import", str(tmp_path / "T1.txt"), str(tmp_path / "T2.txt"), "--project", str(p))
    # the same stretch coded by both goes into one unit, so B's differ from A's by a quote
    _code(run, p, "Astrid", A_CODING)
    run("code", "T1:2-3", "pressure", "--quote", "I never have enough time. We run from patient"
        " to patient.", "--project", str(p), "--author", "Berit")
    run("code", "T1:7", "joy", "--project", str(p), "--author", "Berit")
    data = compared(run, p, "--coders", "astrid,Berit")
    pressure = next(c for c in data["codes"] if c["code"] == "pressure")
    # B coded T1 only, so only T1 is compared: its participant's segments 2,3,4,6,7,8
    #              B coded  B not
    #   A coded       2       1      A {2,3,4}, B {2,3}: p_o = 5/6; p_e·n² = 3·2 + 3·4 = 18;
    #   A not         0       3      κ = (6·5 - 18)/(36 - 18) = 12/18 = 0.667
    #   (with the interviewer's T1:1 and T1:5: p_o = 7/8, κ = 20/28 = 0.714)
    assert data["documents"] == ["T1"] and data["segments"] == 6
    assert pressure["percent_agreement"] == pytest.approx(5 / 6)
    assert round(pressure["kappa"], 3) == round(12 / 18, 3) == 0.667
    assert "[E853]" in run("compare", "--coders", "Astrid,Nobody", "--project", str(p),
                           code=1).stderr


def test_transcripts_are_matched_by_their_text_not_their_name(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "T1.txt", T1)
    write(tmp_path / "T2.txt", T2)
    write(tmp_path / "other.txt", T3)
    a, c = tmp_path / "a", tmp_path / "c"
    for root in (a, c):
        run("init", str(root), "--language", "en", "--title", "Shifts")
    run("import", str(tmp_path / "T1.txt"), str(tmp_path / "T2.txt"), "--project", str(a))
    run("import", str(tmp_path / "T1.txt"), "--id", "X1", "--project", str(c))
    run("import", str(tmp_path / "other.txt"), "--id", "T2", "--project", str(c))
    _code(run, a, "Astrid", A_CODING)
    run("code", "X1:2-3", "pressure", "--project", str(c), "--author", "Carl")
    run("code", "T2:2", "hope", "--project", str(c), "--author", "Carl")
    data = compared(run, a, str(c))
    assert data["documents"] == ["T1"]
    assert any("T1 is X1 in c" in n for n in data["notes"])
    assert any("T2: not in c" in n for n in data["notes"])
    assert "hope" not in {x["code"] for x in data["codes"]}


def test_compare_refuses_what_it_cannot_compare(run: Run, pair: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    a, b = pair
    p = ["--project", str(a)]
    assert "[E865]" in run("compare", *p, code=1).stderr
    assert "[E865]" in run("compare", str(b), "--coders", "x,y", *p, code=1).stderr
    assert "[E850]" in run("compare", str(tmp_path), *p, code=1).stderr
    assert "[E851]" in run("compare", str(a), *p, code=1).stderr
    assert "[E855]" in run("compare", str(b), "--docs", "T9", *p, code=1).stderr
    assert "[E856]" in run("compare", str(b), "--codes", "nothing", *p, code=1).stderr
    assert "[E859]" in run("compare", "--coders", "Astrid", *p, code=1).stderr
    assert "[E863]" in run("compare", str(b), "--out", str(tmp_path / "x.pdf"), *p,
                           code=1).stderr


def test_compare_only_reads_the_other_project(run: Run, pair: tuple[Path, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair
    monkeypatch.chdir(b)
    before = snapshot(run, b)
    run("compare", str(b), "--disagreements", "--project", str(a))
    assert snapshot(run, b) == before


# -- the places where they differ ----------------------------------------------------------------

def test_disagreements_are_classified(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    data = compared(run, a, str(b), "--disagreements")
    places = {d["place"]: d for d in data["disagreements"]}
    assert list(places) == ["T1#1", "T1#2", "T1#3"]
    one, two, three = places.values()
    assert one["kind"] == "different_boundaries" and one["segments"] == "T1:2-4"
    assert [u["segments"] for u in one["a"]] == ["T1:2", "T1:3-4"]
    assert [u["segments"] for u in one["b"]] == ["T1:2-3"]
    assert one["text"].startswith("I never have enough time.")
    assert (two["kind"], two["a_codes"], two["b_codes"]) == \
        ("different_codes", ["tiredness"], ["joy"])
    assert (three["kind"], three["a"], three["b_codes"]) == ("only_b", [], ["joy"])
    assert data["same_units"] == 2  # T2:2-3 pressure and T2:4 relations
    assert data["disagreement_counts"] == {"only_a": 0, "only_b": 1, "different_codes": 1,
                                           "different_boundaries": 1}
    out = run("compare", str(b), "--disagreements", "--project", str(a)).stdout
    assert "T1#2  T1:6  same stretch, different codes" in out
    assert "B  U2 T1:6: joy  (Berit)" in out and "\u201cI get tired.\u201d" in out


def test_places_by_hand() -> None:
    from stc.stages.coders import Coded, places_in

    def unit(n: int, start: int, end: int, *codes: str) -> Coded:
        return Coded(n, "D", start, end, codes, "x", None)

    a = [unit(1, 0, 10, "p"), unit(2, 12, 20, "q"), unit(3, 30, 40, "r"), unit(4, 50, 60, "s"),
         unit(5, 55, 58, "s")]
    b = [unit(1, 0, 10, "P"), unit(2, 12, 20, "z"), unit(3, 35, 45, "r"), unit(4, 70, 80, "t"),
         unit(5, 50, 60, "s")]
    kinds = [(p.id, p.kind, [u.id for u in p.a], [u.id for u in p.b])
             for p in places_in("D", a, b)]
    assert kinds == [
        ("", "same", [1], [1]),  # codes compare case-insensitively
        ("D#1", "different_codes", [2], [2]),
        ("D#2", "different_boundaries", [3], [3]),
        ("", "same", [4], [5]),
        ("D#3", "only_a", [5], []),  # inside an agreed unit, but B made no unit like it
        ("D#4", "only_b", [], [4]),
    ]


def test_units_that_touch_without_overlapping_are_two_places() -> None:
    """A ends where B begins ("ja" | "nei" in "ja/nei"): no stretch both coded."""
    from stc.stages.coders import Coded, places_in

    a = [Coded(1, "D", 10, 12, ("svar",), "ja", None)]
    b = [Coded(1, "D", 12, 16, ("svar",), "/nei", None)]
    assert [(p.kind, [u.id for u in p.a], [u.id for u in p.b]) for p in places_in("D", a, b)] \
        == [("only_a", [1], []), ("only_b", [], [1])]


def test_disagreements_as_a_table_and_a_report(run: Run, pair: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    import openpyxl

    a, b = pair
    p = ["--project", str(a)]
    run("compare", str(b), "--out", str(tmp_path / "c.csv"), *p)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert [r["place"] for r in rows] == ["T1#1", "T1#2", "T1#3"]
    assert rows[0]["a_units"] == "U1 (T1:2); U2 (T1:3-4)" and rows[0]["b_units"] == "U1 (T1:2-3)"
    assert rows[1]["a_codes"] == "tiredness" and rows[1]["b_codes"] == "joy"
    run("compare", str(b), "--out", str(tmp_path / "c.xlsx"), *p)
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert book.sheetnames == ["disagreements", "agreement", "about"]
    figures = [list(r) for r in book["agreement"].iter_rows(values_only=True)]
    assert ["pressure", 5, 4, 4, "88.9 %", "0.780"] in figures
    assert figures[-1] == ["all codes, pooled", 7, 7, 5, "88.9 %", "0.645"]
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert str(about["segments compared"]).startswith("9 (participants' speech")
    assert str(about["segments left out"]).startswith("3 (the interviewer's")
    first = (tmp_path / "c.xlsx").read_bytes()
    run("compare", str(b), "--out", str(tmp_path / "c.xlsx"), *p)
    assert (tmp_path / "c.xlsx").read_bytes() == first  # the same states, the same bytes
    run("compare", str(b), "--out", str(tmp_path / "c.html"), *p)
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "serve the discussion of the disagreements" in html
    assert 'id="T1#2"' in html and "0.780" in html and "undefined" in html
    assert "9 sentence segments\ncompared: those of the participants' speech" in html
    assert "<script" not in html


def test_transcript_text_in_the_report_is_escaped(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "T1.txt", "I: Hi?\nAnna: <script>alert(1)</script> I am fine.\n")
    a, b = tmp_path / "a", tmp_path / "b"
    run("init", str(a), "--language", "en", "--title", "<b>t</b>")
    run("import", str(tmp_path / "T1.txt"), "--project", str(a))
    run("code", "T1:2", "x", "--project", str(a))
    run("init", str(b), "--from", str(a))
    run("code", "T1:2", "y", "--project", str(b))
    run("compare", str(b), "--out", str(tmp_path / "c.html"), "--project", str(a))
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>t</b>" not in html


# -- merging -------------------------------------------------------------------------------------

def test_a_merge_without_decisions_lists_the_places_and_changes_nothing(
        run: Run, pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair
    monkeypatch.chdir(a)
    before = snapshot(run, a)
    result = run("merge-from", str(b), "--why", "second coding", code=1)
    assert "[E860]" in result.stderr and "T1#1, T1#2, T1#3" in result.stderr
    assert "T1#3  T1:7  only B coded it" in result.stdout
    assert snapshot(run, a) == before
    run("merge-from", str(b), "--keep", "both", "--dry-run", "--why", "second coding")
    assert snapshot(run, a) == before
    assert "[E860]" not in run("merge-from", str(b), "--keep", "a", "--dry-run", "--why",
                               "x").stderr
    assert "Usage" in run("merge-from", str(b), "--keep", "a", code=2).stderr  # --why


def test_a_dry_run_shows_what_the_merge_records(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    p = ["--project", str(a)]
    dry = run("merge-from", str(b), "--keep", "b", "--dry-run", "--why", "w", *p).stdout
    real = run("merge-from", str(b), "--keep", "b", "--why", "w", *p).stdout
    assert dry.splitlines()[:-1] == real.splitlines()[:-1]
    assert "Dry run: 3 places decided, 3 units brought in, 3 units deleted, 1 code added;" \
           " nothing recorded." in dry


def test_keep_b_takes_b_units_with_b_as_author(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    p = ["--project", str(a)]
    run("merge-from", str(b), "--keep", "b", "--why", "B read it better", *p, "--author",
        "Supervisor")
    assert "OK" in run("verify", *p).stdout
    units = json.loads(run("units", "--json", *p).stdout)
    on_t1 = sorted((u["segments"], tuple(u["codes"])) for u in units if u["doc"] == "T1")
    assert on_t1 == [("T1:2-3", ("pressure",)), ("T1:6", ("joy",)), ("T1:7", ("joy",))]
    log = json.loads(run("log", "--json", *p).stdout)
    merged_at = next(r["seq"] for r in log if r["kind"] == "merge.from")
    added = [r for r in log if r["kind"] == "unit.add" and r["seq"] > merged_at]
    assert len(added) == 3 and {r["author"] for r in added} == {"Berit"}
    deleted = [r for r in log if r["kind"] == "unit.delete"]
    assert len(deleted) == 3 and {r["author"] for r in deleted} == {"Supervisor"}
    resolved = [r for r in log if r["kind"] == "merge.resolve"]
    assert [(r["payload"]["place"], r["payload"]["decision"], r["author"], r["why"])
            for r in resolved] == [(f"T1#{n}", "keep-b", "Supervisor", "B read it better")
                                   for n in (1, 2, 3)]
    merged = [r for r in log if r["kind"] == "merge.from"]
    assert merged[0]["payload"]["state"]["seq"] == json.loads(
        run("log", "--json", "--project", str(b)).stdout)[-1]["seq"]
    # now the two agree on T1 and T2: nothing left to decide or bring
    again = compared(run, a, str(b))
    assert again["disagreement_counts"] == {"only_a": 0, "only_b": 0, "different_codes": 0,
                                            "different_boundaries": 0}
    assert "Nothing to merge" in run("merge-from", str(b), "--why", "again", *p).stdout


def test_keep_both_adds_b_units_and_b_codes(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    p = ["--project", str(a)]
    run("merge-from", str(b), "--keep", "both", "--why", "both readings", *p)
    units = json.loads(run("units", "--json", *p).stdout)
    on_t1 = sorted((u["segments"], tuple(u["codes"])) for u in units if u["doc"] == "T1")
    assert on_t1 == [("T1:2", ("pressure",)), ("T1:2-3", ("pressure",)),
                     ("T1:3-4", ("pressure",)), ("T1:6", ("joy", "tiredness")),
                     ("T1:7", ("joy",))]
    assert "OK" in run("verify", *p).stdout


def test_resolutions_decide_place_by_place_and_are_in_the_log(
        run: Run, pair: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = pair
    p = ["--project", str(a)]
    table = tmp_path / "decisions.csv"
    run("compare", str(b), "--out", str(table), *p)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    decide = {"T1#1": ("adjust", "2-4", "pressure; time", "one stretch about time"),
              "T1#2": ("keep-a", "", "", "tired, not joyful"),
              "T1#3": ("keep-b", "", "", "B is right")}
    for row in rows:
        row["decision"], row["new_segments"], row["new_codes"], row["reason"] = \
            decide[row["place"]]
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = run("merge-from", str(b), "--resolutions", str(table), "--why", "meeting", *p,
              "--author", "Astrid").stdout
    assert "= T1#1 T1:2-4 (overlapping stretches, different boundaries): adjust" in out
    units = json.loads(run("units", "--json", *p).stdout)
    on_t1 = sorted((u["unit"], u["segments"], tuple(u["codes"])) for u in units
                   if u["doc"] == "T1")
    # U1 reshaped to T1:2-4 with both codes, U2 deleted, U3 kept, B's joy on T1:7 brought in
    assert on_t1 == [("U1", "T1:2-4", ("pressure", "time")), ("U3", "T1:6", ("tiredness",)),
                     ("U7", "T1:7", ("joy",))]
    log = run("log", *p).stdout
    assert "T1#2 T1:6 (same stretch, different codes): keep-a" in log
    assert "tired, not joyful" in log and "one stretch about time" in log and "B is right" in log
    assert "OK" in run("verify", *p).stdout


def test_a_stale_or_bad_resolutions_file_merges_nothing(
        run: Run, pair: tuple[Path, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = pair
    monkeypatch.chdir(a)
    table = tmp_path / "decisions.csv"
    run("compare", str(b), "--out", str(table))
    text = table.read_text(encoding="utf-8")
    before = snapshot(run, a)

    def attempt(body: str, code: str) -> None:
        table.write_text(body, encoding="utf-8")
        stderr = run("merge-from", str(b), "--resolutions", str(table), "--keep", "a",
                     "--why", "w", code=1).stderr
        assert f"[{code}]" in stderr, stderr
        assert snapshot(run, a) == before

    header, first = text.splitlines()[:2]
    attempt("\n".join([header, first.replace(",,,,,", ",maybe,,,,")]), "E861")
    attempt("\n".join([header, first.replace(",,,,,", ",adjust,,,,")]), "E861")
    attempt("\n".join([header, first.replace(",,,,,", ",adjust,T1:40,,,")]), "E861")
    attempt("\n".join([header, first.replace("T1#1", "T1#9").replace(",,,,,", ",keep-a,,,,")]),
            "E861")
    # the place changed since the file was written: A coded more there
    run("code", "T1:3", "pressure", "--author", "Astrid")
    before = snapshot(run, a)
    attempt("\n".join([header, first.replace(",,,,,", ",keep-a,,,,")]), "E862")


def test_a_merge_brings_codes_by_name_with_a_map_and_memos(
        run: Run, pair: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = pair
    pb = ["--project", str(b)]
    run("memo", "add", "--on", "T1", "-m", "Tiredness is everywhere.", *pb, "--author", "Berit")
    run("memo", "add", "--on", "U3", "-m", "Joy despite it all.", *pb, "--author", "Berit")
    run("memo", "add", "--on", "code:joy", "-m", "Joy: liking the work.", *pb,
        "--author", "Berit")
    mapping = write(tmp_path / "map.csv", "old,new\njoy,job satisfaction\n")
    data = compared(run, a, str(b), "--map", str(mapping))
    assert "job satisfaction" in {c["code"] for c in data["codes"]}
    run("merge-from", str(b), "--keep", "both", "--map", str(mapping), "--why", "w",
        "--project", str(a))
    codes = json.loads(run("codes", "--json", "--project", str(a)).stdout)
    names = {c["name"] for g in codes for c in g["codes"]}
    assert "job satisfaction" in names and "joy" not in names
    memos = json.loads(run("memos", "--json", "--project", str(a)).stdout)
    got = {(m["ref"], m["body"], m["author"]) for m in memos}
    brought_u3 = next(u["unit"] for u in json.loads(
        run("units", "--json", "--project", str(a)).stdout) if u["segments"] == "T1:7")
    assert got >= {("T1", "Tiredness is everywhere.", "Berit"),
                   (brought_u3, "Joy despite it all.", "Berit"),
                   ("code:job satisfaction", "Joy: liking the work.", "Berit")}
    assert "OK" in run("verify", "--project", str(a)).stdout
    # a second merge brings no memo twice; A's own units are now the open places (only A)
    again = run("merge-from", str(b), "--keep", "a", "--map", str(mapping), "--why", "again",
                "--project", str(a)).stdout
    assert "memo" not in again and "only A coded it): keep-a" in again
    assert len(json.loads(run("memos", "--json", "--project", str(a)).stdout)) == len(memos)


def test_a_merge_says_what_it_leaves_behind(run: Run, pair: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    a, b = pair
    write(tmp_path / "T9.txt", "I: Anything else?\nDina: No, that was all.\n")
    run("import", str(tmp_path / "T9.txt"), "--project", str(b))
    run("code", "T9:2", "closing", "--project", str(b), "--author", "Berit")
    run("subgroup", "add", "Time", "Rush", "--project", str(b))
    run("sort", "U1", "--into", "Time/Rush", "--project", str(b))
    out = run("merge-from", str(b), "--keep", "b", "--why", "w", "--project", str(a)).stdout
    assert "not brought: 1 unit on T9 (this project holds no transcript with its text)" in out
    assert "not brought: the subgroups, set-asides and quotations of 1 unit brought in" in out
    assert "closing" not in out


def test_units_on_transcripts_only_b_coded_come_in_without_a_decision(
        run: Run, tmp_path: Path) -> None:
    write(tmp_path / "T1.txt", T1)
    write(tmp_path / "T2.txt", T2)
    a, b = tmp_path / "a", tmp_path / "b"
    run("init", str(a), "--language", "en", "--title", "Shifts")
    run("import", str(tmp_path / "T1.txt"), str(tmp_path / "T2.txt"), "--project", str(a))
    _code(run, a, "Astrid", [("T1:2", "pressure")])
    run("init", str(b), "--from", str(a))
    _code(run, b, "Berit", [("T1:2", "pressure"), ("T2:2-3", "pressure"), ("T2:4", "missing")])
    out = run("merge-from", str(b), "--why", "Berit coded T2", "--project", str(a)).stdout
    assert "+ U2 T2:2-3 pressure  (B's U2, by Berit)" in out
    assert "+ U3 T2:4 missing  (B's U3, by Berit)" in out and "+ code 'missing'" in out
    assert "=" not in out.split("Merged")[0]  # no place to decide: T1 is the same in both
    units = json.loads(run("units", "--json", "--project", str(a)).stdout)
    assert [(u["segments"], u["codes"]) for u in units] == [
        ("T1:2", ["pressure"]), ("T2:2-3", ["pressure"]), ("T2:4", ["missing"])]
    assert "OK" in run("verify", "--project", str(a)).stdout


def test_compare_imports_neither_spacy_nor_pandas(pair: tuple[Path, Path]) -> None:
    from tests.test_startup import heavy_modules

    a, b = pair
    assert heavy_modules(a, "compare", str(b), "--disagreements") == []


def test_one_undo_reverts_a_whole_merge(run: Run, pair: tuple[Path, Path]) -> None:
    a, b = pair
    p = ["--project", str(a)]
    before = run("units", "--json", *p).stdout
    run("merge-from", str(b), "--keep", "b", "--why", "w", *p)
    assert run("units", "--json", *p).stdout != before
    assert "merge-from" in run("undo", *p).stdout
    assert run("units", "--json", *p).stdout == before
    assert "OK" in run("verify", *p).stdout
