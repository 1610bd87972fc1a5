"""Reading transcript files into speaker turns, one module per family of formats.

`read_transcript` is the only entry point: it checks size and kind, picks the reader by suffix and
returns a `Transcript` of raw turns. Readers never touch the project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stc.errors import BadInput
from stc.formats.model import RawTurn, Transcript
from stc.formats.zipguard import max_text
from stc.texts import cleaned

# A transcript of a two-hour interview is about 150 kB of text; 20 MB leaves room for a
# year of focus groups while keeping a mistaken video or database file out.
MAX_FILE_BYTES = 20 * 1024 * 1024

Reader = Callable[[Path, bytes, "str | None"], Transcript]


def _readers() -> dict[str, Reader]:
    from stc.formats import office, pdf, plain, subtitles

    return {
        ".txt": plain.read_text,
        ".md": plain.read_markdown,
        ".rtf": plain.read_rtf,
        ".docx": office.read_docx,
        ".odt": office.read_odt,
        ".vtt": subtitles.read_vtt,
        ".srt": subtitles.read_srt,
        ".pdf": pdf.read_pdf,
    }


SUFFIXES = (".txt", ".md", ".docx", ".odt", ".rtf", ".vtt", ".srt", ".pdf")


def read_bytes(path: Path) -> bytes:
    """The file's bytes after the checks every format shares."""
    if not path.exists():
        raise BadInput("E101", path=str(path))
    if path.is_dir():
        raise BadInput("E102", path=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput("E105", path=str(path), size=size, limit=MAX_FILE_BYTES)
    if size == 0:
        raise BadInput("E104", path=str(path))
    return path.read_bytes()


def read_transcript(path: Path, encoding: str | None = None) -> tuple[Transcript, bytes]:
    suffix = path.suffix.lower()
    readers = _readers()
    if suffix not in readers:
        raise BadInput("E103", path=str(path), suffix=suffix or path.name)
    data = read_bytes(path)
    transcript = readers[suffix](path, data, encoding)
    made = sum(len(turn.text) for turn in transcript.turns)
    if made > max_text(data):  # each reader is linear; this holds them to it
        raise BadInput("E130", path=str(path),
                       detail=f"{len(data):,} bytes gave {made:,} characters of text")
    if not any(turn.text.strip() for turn in transcript.turns):
        raise BadInput("E112", path=str(path))
    return _writable(transcript), data


def _writable(transcript: Transcript) -> Transcript:
    """The transcript with what no file can hold (control characters, bidi overrides)
    replaced visibly in its labels and text, and counted: the import records how many."""
    replaced: dict[str, int] = {}
    for turn in transcript.turns:
        for field in ("speaker", "text"):
            value = getattr(turn, field)
            if value:
                value, found = cleaned(value)
                setattr(turn, field, value)
                for char, count in found.items():
                    replaced[char] = replaced.get(char, 0) + count
    transcript.replaced = dict(sorted(replaced.items()))
    return transcript


__all__ = ["SUFFIXES", "RawTurn", "Transcript", "read_bytes", "read_transcript"]
