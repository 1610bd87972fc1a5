"""Finding a quoted stretch in a transcript.

A quote matches when it equals the transcript's text after NFC normalisation with every
whitespace run taken as one space. `loose` also takes typographic quotation marks, apostrophes
and dashes as their plain forms: only when the user asks, because in a verbatim quotation they
can matter.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

_WHITESPACE = re.compile(r"\s+")
_LOOSE = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'",
    "\u203a": "'", "\u2032": "'", "\u00b4": "'", "`": "'", "\u2010": "-", "\u2011": "-",
    "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})


def normalise_quote(quote: str, loose: bool = False) -> str:
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", quote)).strip()
    return text.translate(_LOOSE) if loose else text


def squeeze(text: str, loose: bool = False) -> tuple[str, list[int]]:
    """The text with whitespace runs as one space (and loose forms), and for each of its
    characters the offset in the original text."""
    parts: list[str] = []
    where: list[int] = []
    cursor = 0
    for space in _WHITESPACE.finditer(text):
        parts.append(text[cursor:space.start()])
        where.extend(range(cursor, space.start()))
        parts.append(" ")
        where.append(space.start())
        cursor = space.end()
    parts.append(text[cursor:])
    where.extend(range(cursor, len(text)))
    squeezed = "".join(parts)
    return (squeezed.translate(_LOOSE) if loose else squeezed), where


class Haystack:
    """A transcript prepared once for many quote look-ups (the matrix import)."""

    def __init__(self, text: str, loose: bool = False) -> None:
        self.loose = loose
        self.hay, self.where = squeeze(text, loose)

    def find(self, quote: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Every (start, end) where `quote` occurs inside text[start:end]; offsets in the
        original text, trimmed to the quote's first and last character."""
        needle = normalise_quote(quote, self.loose)
        if not needle:
            return []
        lo = bisect_left(self.where, start)
        hi = len(self.hay) if end is None else bisect_left(self.where, end)
        found: list[tuple[int, int]] = []
        i = self.hay.find(needle, lo, hi)
        while i != -1:
            found.append((self.where[i], self.where[i + len(needle) - 1] + 1))
            i = self.hay.find(needle, i + 1, hi)
        return found


def find_all(text: str, quote: str, loose: bool = False, start: int = 0,
             end: int | None = None) -> list[tuple[int, int]]:
    return Haystack(text, loose).find(quote, start, end)
