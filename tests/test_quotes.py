"""Quotes are found in a transcript whatever its whitespace, at the right offsets."""

from __future__ import annotations

import random
import re

import pytest

from stc.quotes import Haystack, normalise_quote


def obvious_find(text: str, quote: str, start: int, end: int | None) -> list[tuple[int, int]]:
    """The slow, plain way: squeeze every whitespace run, remembering each character's place."""
    hay, where = "", []
    for match in re.finditer(r"\s+|\S", text):
        hay += " " if match.group().isspace() else match.group()
        where.append(match.start())
    needle = normalise_quote(quote)
    stop = len(text) if end is None else end
    return [(where[i], where[i + len(needle) - 1] + 1) for i in range(len(hay))
            if needle and hay.startswith(needle, i) and where[i] >= start
            and where[i + len(needle) - 1] < stop]


@pytest.mark.parametrize("seed", range(5))
def test_found_where_the_plain_way_finds_it(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        text = "".join(rng.choice("ab c\n\t  ") for _ in range(rng.randint(0, 50)))
        hay = Haystack(text)
        for _ in range(5):
            a = rng.randint(0, len(text))
            quote = text[a:rng.randint(a, len(text))]
            start = rng.randint(0, len(text))
            end = rng.choice([None, rng.randint(start, len(text))])
            assert hay.find(quote, start, end) == obvious_find(text, quote, start, end), \
                (text, quote, start, end)


def test_a_quote_across_a_line_break_and_double_spaces() -> None:
    text = "Kari: Først var jeg\n\n   skeptisk,  ærlig talt."
    assert Haystack(text).find("jeg skeptisk, ærlig") == [(text.index("jeg"),
                                                          text.index(" talt"))]


def test_a_decomposed_quote_finds_the_composed_text() -> None:
    text = "Kari: Vi møttes på kaféen.\n\nKaféen var stengt."  # as stored: NFC
    [(start, end)] = Haystack(text).find("på kafe\u0301en")  # typed decomposed (NFD)
    assert text[start:end] == "på kaféen"
    assert Haystack(text).find("Kafe\u0301en var") == [(text.index("Kaféen"),
                                                        text.index(" stengt"))]
