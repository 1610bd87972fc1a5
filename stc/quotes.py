"""Finding a quoted stretch in a transcript.

A quote matches when it equals the transcript's text after NFC normalisation with every
whitespace run taken as one space. `loose` also takes typographic quotation marks, apostrophes
and dashes as their plain forms: only when the user asks, because in a verbatim quotation they
can matter.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

_WHITESPACE = re.compile(r"\s+")
_LONG_RUN = re.compile(r"\s{2,}")
_LOOSE = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'",
    "\u203a": "'", "\u2032": "'", "\u00b4": "'", "`": "'", "\u2010": "-", "\u2011": "-",
    "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})


def loosen(text: str) -> str:
    """Typographic quotation marks, apostrophes and dashes as their plain forms, one character
    for one, so offsets stay."""
    return text.translate(_LOOSE)


def normalise_quote(quote: str, loose: bool = False) -> str:
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", quote)).strip()
    return text.translate(_LOOSE) if loose else text


class Haystack:
    """A transcript prepared once for many quote look-ups (the matrix import): its text with
    every whitespace run as one space (and the loose forms), searched with str.find.

    Offsets in the two texts differ by a constant between two runs of two or more whitespace
    characters, so only those runs are kept: an offset is mapped with a bisection."""

    def __init__(self, text: str, loose: bool = False) -> None:
        self.loose = loose
        squeezed = _WHITESPACE.sub(" ", text)
        self.hay = squeezed.translate(_LOOSE) if loose else squeezed
        self._run_starts: list[int] = []  # each long run's start in the text
        self._run_ends: list[int] = []  # its end in the text
        self._after: list[int] = []  # the offset in `hay` just after its single space
        shift = 0
        for run in _LONG_RUN.finditer(text):
            shift += run.end() - run.start() - 1
            self._run_starts.append(run.start())
            self._run_ends.append(run.end())
            self._after.append(run.end() - shift)

    def original(self, i: int) -> int:
        """The offset in the text of character `i` of `hay`."""
        k = bisect_right(self._after, i)
        return i + (self._run_ends[k - 1] - self._after[k - 1] if k else 0)

    def squeezed(self, offset: int) -> int:
        """The first character of `hay` at or after `offset` in the text."""
        k = bisect_right(self._run_ends, offset)  # the runs that end at or before offset
        if k < len(self._run_starts) and self._run_starts[k] < offset:
            return self._after[k]  # inside a run: the character after its space
        return offset - (self._run_ends[k - 1] - self._after[k - 1] if k else 0)

    def find(self, quote: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Every (start, end) where `quote` occurs inside text[start:end]; offsets in the
        original text, trimmed to the quote's first and last character."""
        needle = normalise_quote(quote, self.loose)
        if not needle:
            return []
        lo = self.squeezed(start)
        hi = len(self.hay) if end is None else self.squeezed(end)
        found: list[tuple[int, int]] = []
        i = self.hay.find(needle, lo, hi)
        while i != -1:
            found.append((self.original(i), self.original(i + len(needle) - 1) + 1))
            i = self.hay.find(needle, i + 1, hi)
        return found


def find_all(text: str, quote: str, loose: bool = False, start: int = 0,
             end: int | None = None) -> list[tuple[int, int]]:
    return Haystack(text, loose).find(quote, start, end)
