"""Plain text, Markdown and RTF transcripts."""

from __future__ import annotations

import re
from pathlib import Path

from stc.errors import BadInput
from stc.formats.decode import decode, normalise
from stc.formats.model import Transcript
from stc.formats.speakers import turns_from_lines


def read_text(path: Path, data: bytes, encoding: str | None) -> Transcript:
    text, used = decode(data, path, encoding)
    return Transcript(turns_from_lines(normalise(text).split("\n")), encoding=used)


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_RULE = re.compile(r"^\s*([-*_])\s*(\1\s*){2,}$")


def read_markdown(path: Path, data: bytes, encoding: str | None) -> Transcript:
    """Markdown: headings and rules are dropped from the turns (a title is not speech);
    bold labels such as `**Tom:**` are recognised by the speaker parser."""
    text, used = decode(data, path, encoding)
    lines = [
        "" if (_MD_HEADING.match(line) or _MD_RULE.match(line)) else line
        for line in normalise(text).split("\n")
    ]
    return Transcript(turns_from_lines(lines), encoding=used)


def read_rtf(path: Path, data: bytes, encoding: str | None) -> Transcript:
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit with escapes for other characters; latin-1 reads any stray 8-bit byte
    raw, used = decode(data, path, encoding or "latin-1")
    if not raw.lstrip().startswith("{\\rtf"):
        raise BadInput("E109", path=str(path), kind="RTF", detail="no {\\rtf header")
    try:
        text = str(rtf_to_text(raw, errors="ignore"))  # type: ignore[no-untyped-call]
    except Exception as exc:  # striprtf raises plain exceptions on broken groups
        raise BadInput("E109", path=str(path), kind="RTF", detail=str(exc)[:80]) from None
    return Transcript(turns_from_lines(normalise(text).split("\n")), encoding=used)
