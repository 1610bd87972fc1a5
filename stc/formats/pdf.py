"""PDF transcripts that have a text layer, read with pypdf.

A transcript from a transcription service is laid-out text: lines wrapped at the margin, words
hyphenated at a line's end, page numbers and running headers on every page, turns that go on
over a page break. The reader takes the text of each page, drops page numbers and lines that
recur at the top or bottom of most pages, joins a word hyphenated over a line or page end, and
hands the lines to the speaker parser, which joins wrapped lines into turns. A PDF without a
text layer (a scan, a photographed page) is refused: stc does not recognise text in pictures.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

from stc.errors import BadInput
from stc.formats.decode import normalise
from stc.formats.model import Transcript
from stc.formats.speakers import turns_from_lines

# a page number alone on a line: `3`, `- 3 -`, `Side 3 av 12`, `Page 3 of 12`, `s. 3`, `3/12`
_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?:side|sida|page|seite|s\.|p\.)\s*)?\d{1,4}(?:\s*(?:av|af|of|von|/)\s*\d{1,4})?\W*$",
    re.IGNORECASE,
)
# a line ending in a hyphen before one of these words ends a word shared with the next one,
# as in "helse- og omsorgstjenester": the hyphen stays and the words stay apart
_CONJUNCTIONS = {"og", "eller", "samt", "men", "och", "and", "or", "und", "oder", "til",
                 "to", "nor"}
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st",
                            "ﬆ": "st"})
# What reading a PDF may cost (bytes of page content parsed, operations run) per byte of the
# file: pypdf parses about a megabyte a second. A PDF of text as word processors write it
# (fonts and all) asks for 2-3 times its size; a few kilobytes that repeat one compressed
# stream of megabytes on every page would ask for thousands of times.
WORK_RATIO = 20
WORK_SLACK = 256 * 1024
EDGE_LINES = 2  # how many lines at the top and bottom of a page may be running heads or feet


def read_pdf(path: Path, data: bytes, encoding: str | None) -> Transcript:
    pages = _page_texts(path, data)
    if not any(page.strip() for page in pages):
        raise BadInput("E652", path=str(path))
    lines = join_hyphenated(without_running_lines([_lines(page) for page in pages]))
    return Transcript(turns_from_lines(lines, hard_wrapped=True))


def _page_texts(path: Path, data: bytes) -> list[str]:
    import logging

    from pypdf import PdfReader

    # pypdf logs what it repairs in a damaged file ("EOF marker not found") to stderr; what
    # stc cannot read becomes one Error: line below, and what it can is read
    logging.getLogger("pypdf").setLevel(logging.ERROR + 1)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened(reader):
            raise BadInput("E653", path=str(path))
        budget = _Work(path, WORK_RATIO * len(data) + WORK_SLACK)
        pages = []
        for page in reader.pages:
            contents = page.get_contents()
            budget.spend(len(contents.get_data()) if contents is not None else 0)
            pages.append(page.extract_text(visitor_operand_before=budget.operation) or "")
        return pages
    except BadInput:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise BadInput("E109", path=str(path), kind="PDF", detail=str(exc)[:80]) from None


class _Work:
    """What reading a PDF may still cost, bounded by its size as every reader's output is
    (`zipguard.max_text`): a few kilobytes can hold one compressed stream of megabytes that
    every page shows again, or a form drawn thousands of times, which pypdf would parse for
    minutes. Each page's content is counted before it is parsed, each operation as it runs."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.left = path, limit

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise BadInput("E130", path=str(self.path),
                           detail="its pages repeat far more content than the file holds")

    def operation(self, operator: bytes, operands: Any, *matrices: Any) -> None:
        self.spend(1 + len(operator))


def _opened(reader: object) -> bool:
    """Whether an encrypted PDF opens without a password (many are only protected from
    editing); a PDF that needs one is refused, as the specification of REFI-QDA asks."""
    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]
    except Exception:  # pypdf needs an extra package for some ciphers: treat as locked
        return False


def _lines(page: str) -> list[str]:
    text = normalise(page.translate(_LIGATURES))
    # a soft hyphen inside a line is invisible; at a line's end it marks a broken word
    return [re.sub("\u00ad(?!$)", "", line.rstrip()) for line in text.split("\n")]


def _edges(lines: list[str]) -> list[tuple[str, int]]:
    """The first and last few non-blank lines of a page, as (side, index)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return [("top", i) for i in filled[:EDGE_LINES]] + [
        ("bottom", i) for i in filled[-EDGE_LINES:] if i not in filled[:EDGE_LINES]]


def _shape(line: str) -> str:
    """A line with its digits blanked, so `Side 2 av 5` and `Side 3 av 5` look alike."""
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def without_running_lines(pages: list[list[str]]) -> list[str]:
    """The lines of all pages, less page numbers and the running heads and feet: lines at
    the top (or bottom) of a page that recur there, digits aside, on at least half the pages
    and at least two."""
    seen = Counter((side, _shape(page[i])) for page in pages for side, i in _edges(page))
    needed = max(2, (len(pages) + 1) // 2)
    out: list[str] = []
    for page in pages:
        drop = {i for side, i in _edges(page)
                if _PAGE_NUMBER.match(page[i].strip()) or seen[side, _shape(page[i])] >= needed}
        out += [line for i, line in enumerate(page) if i not in drop]
    return out


def join_hyphenated(lines: list[str]) -> list[str]:
    """A word broken at a line's end is joined with its end on the next line (blank lines
    between, from a page break, skipped): without the hyphen when the hyphen only broke the
    word (`vanske-`/`lig`), with it when it belongs to the word (`e-`/`post`, `IT-`/`avdelingen`:
    one letter or an abbreviation before it). A line whose next starts with a capital, a digit
    or a conjunction (`helse-`/`og omsorg`) is left as it is."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if pending:
            if not line.strip():
                continue
            head = line.lstrip()
            word = re.match(r"\w+", head)
            if word and head[0].islower() and word.group().lower() not in _CONJUNCTIONS:
                line = (pending if _hyphen_kept(pending) else pending[:-1]) + head
            else:
                out.append(pending)
            pending = ""
        if _broken_word(line):
            pending = line
        else:
            out.append(line)
    if pending:
        out.append(pending)
    return out


def _broken_word(line: str) -> bool:
    return bool(re.search(r"[^\W\d_][-\u00ad\u2010]$", line))


def _hyphen_kept(line: str) -> bool:
    """Whether the hyphen ending `line` is part of the word: after one letter or an
    abbreviation in capitals (a soft hyphen never is)."""
    m = re.search(r"(\w+)-$", line)
    return bool(m and (len(m.group(1)) == 1 or m.group(1).isupper()))
