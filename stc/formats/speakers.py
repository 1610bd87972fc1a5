"""Finding speaker turns in lines of text.

Recognised label forms, at the start of a line:
  `Kari: text`, `I:<tab>text`, `Interviewer:    text` (aligned), `**Tom:** text` (Markdown),
  `[id1] text` (QualCoder), `Kari<tab>text` (a label that recurs), `Speaker 1  0:03` alone on
  a line with the speech below it (Otter, Teams), and any of these after a timestamp such as
  `[00:01:23]` or `00:01:23`, which is kept as metadata.
A line without a label continues the turn before it; hard-wrapped lines are joined with a space,
paragraphs within a turn with a newline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from stc.formats.model import RawTurn

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_TIME = re.compile(rf"^\s*[\[(]?(?P<time>{_TIME})[\])]?\s*[-–]?\s*")
# Possessive `++`/`*+` where runs of blanks meet: each line is matched in time linear in its
# length, also a line of a million spaces (backtracking would take hours).
_COLON_LABEL = re.compile(
    rf"^\s*(?:\*\*|__)?(?P<label>[^\W\d_][\w.'’ -]{{0,38}}?)"
    rf"(?:\s*+[\[(](?P<time>{_TIME})[\])])?\s*+(?:\*\*|__)?\s*+:(?:\*\*|__)?"
    r"(?:[ \t]+|$)(?P<text>.*)$"
)
_BRACKET_LABEL = re.compile(r"^\s*\[(?P<label>[^\]\n\d:][^\]\n]{0,38})\]\s*:?\s*(?P<text>.*)$")
_TAB_LABEL = re.compile(r"^\s*(?P<label>[^\W\d_][\w.'’ -]{0,38}?)\t++(?P<text>\S.*)$")
# `Speaker 1  0:03` alone on a line, the speech on the lines below (Otter, Teams)
_HEADER_LABEL = re.compile(
    rf"^\s*(?P<label>[^\W\d_][\w.'’ -]{{0,38}}?)(?:[ \t]++[-–|]?[ \t]*+)[\[(]?(?P<time>{_TIME})"
    r"[\])]?\s*$(?P<text>)"
)

INTERVIEWER_LABEL = re.compile(
    r"^(i|int|intv|iv|q|interviewer|intervjuer|intervjuar|intervjuare|interviewer|moderator|mod|"
    r"researcher|forsker|forskar|forskare|facilitator)\s*\d*\.?$",
    re.IGNORECASE,
)

MAX_LABEL_WORDS = 4


@dataclass
class _Candidate:
    """A line that may start a speaker turn, with the label it seems to carry."""

    label: str
    text: str
    time: str | None
    strong: bool  # a colon or bracket label; a tab label needs to recur
    header: bool = False  # a `Name  0:03` line


def _match(line: str) -> _Candidate | None:
    time = None
    stamp = _LEADING_TIME.match(line)
    if stamp and stamp.end() < len(line):
        time, line = stamp.group("time"), line[stamp.end():]
    patterns = ((_BRACKET_LABEL, True), (_COLON_LABEL, True), (_HEADER_LABEL, False),
                (_TAB_LABEL, False))
    for pattern, strong in patterns:
        m = pattern.match(line)
        if m and len(m.group("label").split()) <= MAX_LABEL_WORDS:
            label = m.group("label").strip()
            found_time = m.groupdict().get("time") or time
            return _Candidate(label, m.group("text").strip(), found_time, strong,
                              header=pattern is _HEADER_LABEL)
    return None


def _accepted_labels(candidates: list[_Candidate | None]) -> set[str]:
    """Labels that read as speakers: recurring ones, interviewer labels, and short
    capitalised colon labels. A once-only `Note that: ...` in running text stays text."""
    counts = Counter(c.label for c in candidates if c)
    accepted = set()
    for label, count in counts.items():
        words = label.split()
        if count >= 2 or INTERVIEWER_LABEL.match(label) or (len(words) <= 2 and label[0].isupper()):
            accepted.add(label)
    for c in candidates:
        # a tab label must recur to count, unless it reads as the interviewer's (`I<tab>`)
        if c and not c.strong and counts[c.label] < 2 and not INTERVIEWER_LABEL.match(c.label):
            accepted.discard(c.label)
    return accepted


Labelled = tuple[str | None, str, str | None]  # speaker label, text, timestamp


def labelled_lines(lines: list[str]) -> list[Labelled]:
    """Each line split into its speaker label (None when it has none) and its text."""
    candidates = [_match(line) for line in lines]
    headers = [c for c in candidates if c and c.header]
    if len(headers) >= 2:  # the file is written that way: a speaker may speak only once
        for c in headers:
            c.strong = True
    accepted = _accepted_labels(candidates)
    return [
        (c.label, c.text, c.time) if c and c.label in accepted else (None, line.strip(), None)
        for line, c in zip(lines, candidates, strict=True)
    ]


def turns_from_lines(lines: list[str], hard_wrapped: bool = True) -> list[RawTurn]:
    """Turns from lines of text. With `hard_wrapped`, consecutive lines are one paragraph
    (a blank line ends it); otherwise every line is a paragraph of its own (Word, ODT)."""
    turns: list[RawTurn] = []
    paragraph_open = False
    for label, text, time in labelled_lines(lines):
        if label is not None:
            turns.append(RawTurn(label, text, time))
            paragraph_open = hard_wrapped
            continue
        if not text:
            paragraph_open = False
            continue
        if not turns:
            turns.append(RawTurn(None, text))
        elif paragraph_open and turns[-1].text:
            turns[-1].text += " " + text
        else:
            joiner = "\n" if turns[-1].text else ""
            turns[-1].text += joiner + text
        paragraph_open = hard_wrapped
    return [t for t in turns if t.text.strip()]
