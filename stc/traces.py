"""Finding a transcript's words in files: what an erasure looks for in the project folder.

A text is known by its runs of words (`Words`): every run of five consecutive words of it,
casefolded, or the whole text when it is shorter; a name or a speaker label is known by its
words alone. A file holds the text when any of those runs occurs in the words a person could
read in it: its bytes decoded as UTF-8 (or UTF-16 after a byte-order mark), and inside a zip
(.docx, .xlsx, .qdpx) every member the same way, with markup and character references
undone. Five words are enough to tell a quotation (cut or not) from common phrases, and
short enough that a report's line breaks, markup and cuts rarely split every run of it.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"<[^<>]{0,2000}>")
RUN = 5  # words in a run that tells a text


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class Words:
    """The runs of words that tell a set of texts."""

    def __init__(self, run: int = RUN) -> None:
        self.run = run
        self.runs: set[tuple[str, ...]] = set()
        self.lengths: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.runs)

    def add(self, text: str) -> None:
        """A text: each run of `run` words, or all its words when fewer (at least two: one
        word alone tells nothing)."""
        found = words(text)
        if len(found) >= self.run:
            self._keep(self.run, (tuple(found[i:i + self.run])
                                  for i in range(len(found) - self.run + 1)))
        elif len(found) >= 2:
            self._keep(len(found), [tuple(found)])

    def add_name(self, name: str) -> None:
        """A name or label: its words, even one."""
        found = words(name)
        if found:
            self._keep(len(found), [tuple(found)])

    def _keep(self, length: int, runs: Iterable[tuple[str, ...]]) -> None:
        self.runs.update(runs)
        self.lengths.add(length)

    def found_in(self, text: str) -> bool:
        found = words(text)
        return any(tuple(found[i:i + n]) in self.runs
                   for n in self.lengths for i in range(len(found) - n + 1))


def readable_text(path: Path) -> str | None:
    """What a person could read in the file, markup undone; None when it cannot be read
    (a damaged or hostile archive, a file that vanished)."""
    from stc.errors import BadInput
    from stc.formats.zipguard import check_members

    try:
        data = path.read_bytes()
        parts = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                check_members(path, archive)
                parts += [archive.read(info) for info in archive.infolist() if not info.is_dir()]
    except (OSError, zipfile.BadZipFile, BadInput, RuntimeError, EOFError):
        return None
    return "\n".join(_decoded(part) for part in parts)


def _decoded(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    # markup becomes a space: words are what counts, not how they were formatted
    return html.unescape(_MARKUP.sub(" ", text))
