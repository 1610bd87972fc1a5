"""WebVTT and SubRip transcripts, parsed by webvtt-py.

A cue's speaker comes from a WebVTT voice tag (`<v Name>`) or, failing that, from a `Name:` label
at the start of its text; a cue without either continues the speaker before it. Consecutive cues of
one known speaker are merged into one turn; cue times are kept as the turn's metadata.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from stc.errors import BadInput
from stc.formats.decode import decode, normalise
from stc.formats.model import RawTurn, Transcript
from stc.formats.speakers import labelled_lines

# Some tools write SRT-style times (00:00:01,500) into .vtt files; browsers accept them.
_SRT_TIME_IN_VTT = re.compile(r"(\d{2}:\d{2}:\d{2}),(\d{3})")


def _parse(text: str, fmt: str, path: Path) -> list[Any]:
    import webvtt
    from webvtt.errors import MalformedFileError

    def attempt(body: str) -> list[Any]:
        return list(webvtt.from_buffer(io.StringIO(body), format=fmt).captions)

    try:
        captions = attempt(text)
        if not captions and fmt == "vtt" and _SRT_TIME_IN_VTT.search(text):
            captions = attempt(_SRT_TIME_IN_VTT.sub(r"\1.\2", text))
    except MalformedFileError as exc:
        raise BadInput("E114", path=str(path), detail=str(exc) or "malformed") from None
    if not captions:
        raise BadInput("E114", path=str(path), detail="no cues found")
    return captions


# `<v Name` never closed by `>`: the spec would take the whole cue as the voice's name and
# leave no speech; a transcript loses no words if the tag is taken as a typo and dropped.
_UNCLOSED_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?(?:\s+|$)(?=[^>]*$)")


def _cue_text(caption: Any) -> str:
    # caption.text has the tags removed; lines of one cue are one wrapped line of speech
    text = _UNCLOSED_VOICE.sub("", caption.text.strip())
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def _turns_from_cues(captions: list[Any]) -> list[RawTurn]:
    texts = [normalise(_cue_text(c)) for c in captions]
    speakers: list[str | None]
    if any(c.voice for c in captions):
        speakers = [c.voice.strip() if c.voice else None for c in captions]
    else:  # `Name: text` inside the cues, recognised like lines of a text transcript
        split = labelled_lines(texts)
        speakers = [label for label, _, _ in split]
        texts = [text for _, text, _ in split]
    turns: list[RawTurn] = []
    current: str | None = None
    for caption, speaker, text in zip(captions, speakers, texts, strict=True):
        speaker = speaker or current
        if turns and speaker is not None and turns[-1].speaker == speaker:
            turns[-1].text += " " + text
            turns[-1].ends = caption.end
        elif text:
            turns.append(RawTurn(speaker, text, caption.start, caption.end))
        current = speaker
    return turns


def _read(path: Path, data: bytes, encoding: str | None, fmt: str) -> Transcript:
    text, used = decode(data, path, encoding)
    captions = _parse(normalise(text), fmt, path)
    return Transcript(_turns_from_cues(captions), encoding=used)


def read_vtt(path: Path, data: bytes, encoding: str | None) -> Transcript:
    return _read(path, data, encoding, "vtt")


def read_srt(path: Path, data: bytes, encoding: str | None) -> Transcript:
    return _read(path, data, encoding, "srt")
