"""What a reader returns: the turns of a transcript before sentence segmentation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawTurn:
    """One speaker turn as a reader found it, before segmentation."""

    speaker: str | None
    text: str
    begins: str | None = None  # timestamps from subtitle cues, kept as metadata
    ends: str | None = None


@dataclass
class Transcript:
    """The turns a reader found in one file, and what it noticed on the way."""

    turns: list[RawTurn]
    encoding: str | None = None  # the text encoding detected or given; None for office files
    notes: list[str] = field(default_factory=list)  # what the reader noticed, for the user
    # characters no file can hold, replaced in the text (stc.texts.cleaned): {"U+001B": 2}
    replaced: dict[str, int] = field(default_factory=dict)
