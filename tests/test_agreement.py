"""Agreement figures: hand-computed cases, and scikit-learn as a second computation."""

from __future__ import annotations

import math
import random
import warnings

import pytest

from stc.stages.agreement import (
    Table,
    chance_agreement,
    cohen_kappa,
    figures,
    percent_agreement,
    pooled,
    shown,
    shown_percent,
    table,
)

Y, N = True, False


def test_perfect_agreement_is_one() -> None:
    # 10 segments, both code the same 3: a=3 d=7; p_o=1, p_e=(3·3+7·7)/100=0.58, κ=1
    t = table([Y, Y, Y, N, N, N, N, N, N, N], [Y, Y, Y, N, N, N, N, N, N, N])
    assert t == Table(3, 0, 0, 7)
    assert percent_agreement(t) == 1.0
    assert chance_agreement(t) == pytest.approx(0.58)
    assert cohen_kappa(t) == 1.0


def test_no_agreement_is_minus_one() -> None:
    # each codes the half the other leaves: b=5 c=5; p_o=0, p_e=(5·5+5·5)/100=0.5, κ=-1
    a = [Y] * 5 + [N] * 5
    t = table(a, [not x for x in a])
    assert t == Table(0, 5, 5, 0)
    assert percent_agreement(t) == 0.0
    assert cohen_kappa(t) == -1.0


def test_chance_level_is_zero() -> None:
    # a=b=c=d=1: p_o=0.5, p_e=(2·2+2·2)/16=0.5, κ=0
    t = table([Y, Y, N, N], [Y, N, Y, N])
    assert percent_agreement(t) == 0.5
    assert chance_agreement(t) == 0.5
    assert cohen_kappa(t) == 0.0


def test_one_coder_silent_gives_zero_not_undefined() -> None:
    # A codes 2 of 10, B none: b=2 d=8; p_o=0.8, p_e=(2·0+8·10)/100=0.8, κ=0
    t = table([Y, Y] + [N] * 8, [N] * 10)
    assert t == Table(0, 2, 0, 8)
    assert percent_agreement(t) == pytest.approx(0.8)
    assert cohen_kappa(t) == 0.0


def test_both_silent_or_both_everything_is_undefined() -> None:
    # p_e = 1: no variation to agree about beyond chance
    for t in (table([N] * 6, [N] * 6), table([Y] * 6, [Y] * 6)):
        assert percent_agreement(t) == 1.0
        assert cohen_kappa(t) is None
        assert shown(cohen_kappa(t)) == "undefined"
    empty = Table(0, 0, 0, 0)
    assert percent_agreement(empty) is None and cohen_kappa(empty) is None
    assert shown_percent(None) == "undefined"


def test_a_typical_table() -> None:
    # n=20, a=6 b=2 c=1 d=11: p_o=17/20=0.85; p_e=(8·7+12·13)/400=0.53; κ=0.32/0.47=0.681
    t = Table(6, 2, 1, 11)
    assert percent_agreement(t) == pytest.approx(0.85)
    assert chance_agreement(t) == pytest.approx(0.53)
    assert cohen_kappa(t) == pytest.approx(0.32 / 0.47)
    assert shown(cohen_kappa(t)) == "0.681"
    assert shown_percent(percent_agreement(t)) == "85.0 %"


def test_the_textbook_example_of_fifty_grant_applications() -> None:
    # the worked example of the Wikipedia article "Cohen's kappa": two readers of 50 grant
    # applications, yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = 0.7, p_e = 0.5·0.6 +
    # 0.5·0.4 = 0.5, κ = 0.4
    t = Table(20, 5, 10, 15)
    assert percent_agreement(t) == pytest.approx(0.7)
    assert chance_agreement(t) == pytest.approx(0.5)
    assert shown(cohen_kappa(t)) == "0.400"


def test_figures_per_code_and_pooled() -> None:
    # 10 segments; code x: A {1,2,3}, B {2,3,4} -> a=2 b=1 c=1 d=6: p_o=0.8,
    #   p_e=(3·3+7·7)/100=0.58, κ=0.22/0.42=0.524
    # code y: A {5}, B {} -> a=0 b=1 c=0 d=9: p_o=0.9, κ=0
    # pooled (20 decisions): a=2 b=2 c=1 d=15: p_o=17/20=0.85,
    #   p_e=(4·3+16·17)/400=284/400=0.71, κ=0.14/0.29=0.483
    per_code, overall = figures(["x", "y"], {"x": {1, 2, 3}, "y": {5}}, {"x": {2, 3, 4}}, 10)
    x, y = per_code
    assert x.table == Table(2, 1, 1, 6) and shown(x.kappa) == "0.524"
    assert y.table == Table(0, 1, 0, 9) and y.kappa == 0.0 and y.percent == pytest.approx(0.9)
    assert overall.code is None and overall.table == Table(2, 2, 1, 15)
    assert overall.percent == pytest.approx(0.85)
    assert overall.kappa == pytest.approx(0.14 / 0.29) and shown(overall.kappa) == "0.483"
    assert (x.coded_a, x.coded_b) == (3, 3)


# -- a second, independent computation ---------------------------------------------------------

def sklearn_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's κ by scikit-learn, nan where it is undefined (also used by test_coders)."""
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns where κ is undefined, and gives nan
        return float(cohen_kappa_score([int(x) for x in a], [int(x) for x in b], labels=[0, 1]))


def _random_decisions(rng: random.Random) -> tuple[list[bool], list[bool]]:
    n = rng.randint(1, 60)
    share_a, share_b = rng.choice([0.0, 0.1, 0.5, 0.9, 1.0]), rng.random()
    a = [rng.random() < share_a for _ in range(n)]
    # B mostly follows A, sometimes decides on her own
    b = [x if rng.random() < 0.7 else rng.random() < share_b for x in a]
    return a, b


def test_kappa_matches_scikit_learn_on_many_tables() -> None:
    rng = random.Random(18)
    undefined = 0
    for _ in range(500):
        a, b = _random_decisions(rng)
        ours, theirs = cohen_kappa(table(a, b)), sklearn_kappa(a, b)
        if ours is None:
            undefined += 1
            assert math.isnan(theirs), (a, b)
        else:
            assert ours == pytest.approx(theirs, abs=1e-12), (a, b)
    assert undefined > 0  # the undefined case was met, and sklearn agrees it is undefined


def test_pooled_kappa_is_kappa_over_all_decisions_together() -> None:
    rng = random.Random(7)
    for _ in range(50):
        pairs = [_random_decisions(rng) for _ in range(rng.randint(1, 5))]
        together_a = [x for a, _ in pairs for x in a]
        together_b = [x for _, b in pairs for x in b]
        ours = cohen_kappa(pooled(table(a, b) for a, b in pairs))
        theirs = sklearn_kappa(together_a, together_b)
        assert (ours is None and math.isnan(theirs)) or ours == pytest.approx(theirs)
