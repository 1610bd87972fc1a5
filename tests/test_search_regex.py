"""`stc search --regex` cannot hang: RE2 where it is installed, and where it is not (or the
pattern needs Python's own syntax) Python's `re` only for patterns that cannot backtrack badly."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPORA, Run

SAME_IN_BOTH = [r"\w*tid\w*", "på", r"[æøå]\w+", r"\d+", "HJEMMETJENESTEN", "^jeg",
                r"\s\w{3}\s", "video(besøk|samtale)", r"hjemme\w*", r"\S+ø\S*", r"[^\w\s]+",
                r"\W+$", r"tid{,2}", r"\w+\s+\w+\s+\w+", r"(?:ja|nei)\b"]


@pytest.fixture
def demo(run: Run, project: Path) -> Path:
    """The Norwegian sample corpus: four interviews, .txt, .docx and .vtt."""
    corpus = CORPORA / "nb-hjemmetjeneste"
    files = sorted(str(p) for p in corpus.iterdir() if p.stem[:1] == "I" and p.is_file())
    run("import", *files, "--speakers", "I=interviewer")
    return project


@pytest.fixture
def without_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine where google-re2 is not installed."""
    monkeypatch.setitem(sys.modules, "re2", None)  # `import re2` raises ImportError


def hits(run: Run, pattern: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(run("search", "--regex", pattern, "--json").stdout)
    return found


def test_a_catastrophic_pattern_ends_at_once_with_re2(run: Run, demo: Path) -> None:
    pytest.importorskip("re2")
    assert hits(run, "(.+)+QQQ") == []
    assert len(hits(run, "(.+)+(tid)")) > 10  # and it still finds what is there


def test_without_re2_it_is_refused_with_a_message(run: Run, demo: Path,
                                                 without_re2: None) -> None:
    result = run("search", "--regex", "(.+)+QQQ", code=1)
    line = result.stderr.strip()
    assert line.startswith("Error:") and "[E131]" in line and "google-re2" in line
    assert len(line.splitlines()) == 1


@pytest.mark.parametrize("pattern", [r"(a|ab)*c", r"(\w+\s?)+$", r"(.)\1", r"\b(\w+)+\b",
                                     r"(?=(a+)+b)", r".*a.*b.*c.*d"])
def test_patterns_that_could_backtrack_are_refused_where_re2_cannot_take_them(
        run: Run, demo: Path, without_re2: None, pattern: str) -> None:
    assert "[E131]" in run("search", "--regex", pattern, code=1).stderr


def test_word_boundaries_and_back_references_go_to_python_safely(run: Run, demo: Path) -> None:
    # RE2's \b knows only ASCII letters: "på" must still be a word here
    found = hits(run, r"\bpå\b")
    assert found and all(h["match"].lower() == "på" for h in found)
    assert "[E131]" in run("search", "--regex", r"\b(\w+\s?)+\b", code=1).stderr
    assert "[E131]" in run("search", "--regex", r"(\w)\1+", code=1).stderr


def test_both_engines_find_the_same(run: Run, demo: Path, monkeypatch: pytest.MonkeyPatch
                                    ) -> None:
    pytest.importorskip("re2")
    with_re2 = {p: hits(run, p) for p in SAME_IN_BOTH}
    monkeypatch.setitem(sys.modules, "re2", None)
    for pattern in SAME_IN_BOTH:
        assert hits(run, pattern) == with_re2[pattern], pattern
    assert all(with_re2[p] for p in SAME_IN_BOTH if p != r"\d+")  # no digits in the corpus


@pytest.mark.parametrize("engine", ["re2", "re"])
def test_invalid_patterns_are_refused_in_either(run: Run, demo: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                engine: str) -> None:
    if engine == "re":
        monkeypatch.setitem(sys.modules, "re2", None)
    assert "[E415]" in run("search", "--regex", "(", code=1).stderr
    assert "[E415]" in run("search", "--regex", "a{2,1}", code=1).stderr
