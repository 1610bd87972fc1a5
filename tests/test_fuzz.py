"""The fuzz corpus (tests/fuzzing.py) at a tenth of `make fuzz`'s size: every case gets
success or one coded `Error:` line, never `unexpected`; a refusal changes nothing; `stc verify`
passes after each."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzzing import Corpus, cases

COUNT = int(os.environ.get("STC_FUZZ_CASES", "32"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    yield Corpus(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("number", range(COUNT))
def test_a_fuzzed_input_is_taken_or_refused_cleanly(corpus: Corpus, number: int) -> None:
    case = cases(number + 1, corpus.seeds)[number]
    outcome = corpus.run(case)
    assert not outcome.problems, f"{case.name}: {outcome.problems}"


def test_the_corpus_is_the_same_every_time(tmp_path: Path, corpus: Corpus) -> None:
    first = [(c.name, c.data) for c in cases(40, corpus.seeds)]
    assert first == [(c.name, c.data) for c in cases(40, corpus.seeds)]
    assert len({name for name, _ in first}) == 40
