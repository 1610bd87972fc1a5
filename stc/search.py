"""Keyword in context across transcripts: by word, by lemma or by regular expression (in
linear time where it can be, see stc.patterns).

Each hit names its segment as DOC:N, which `stc code` accepts.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from stc.errors import StcError
from stc.patterns import Spans, compile_regex
from stc.refs import resolve_doc
from stc.texts import must_text, stored_value

CONTEXT = 40


@dataclass
class Hit:
    """One search match: its segment and speaker, and the words around it."""

    doc: str
    n: int
    speaker: str | None
    role: str
    left: str
    match: str
    right: str
    start: int
    end: int

    @property
    def ref(self) -> str:
        return f"{self.doc}:{self.n}"

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, **asdict(self)}


@dataclass
class _Segment:
    """A segment's place and speaker, looked up for the search matches inside it."""

    doc: str
    n: int
    start: int
    end: int
    speaker: str | None
    role: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _documents(conn: sqlite3.Connection, doc: str | None) -> Iterator[tuple[str, str,
                                                                          list[_Segment]]]:
    ids = [resolve_doc(conn, doc)] if doc else \
        [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    for d in ids:
        text_hash, version = conn.execute("SELECT text, version FROM documents WHERE id = ?",
                                          (d,)).fetchone()
        rows = conn.execute(
            "SELECT s.n, s.start, s.end, t.speaker, t.role FROM segments s JOIN turns t"
            " ON t.doc = s.doc AND t.version = s.version AND t.turn = s.turn"
            " WHERE s.doc = ? AND s.version = ? ORDER BY s.n", (d, version)).fetchall()
        labels = {label: stored_value(conn, label) for label in {r[3] for r in rows} if label}
        segments = [_Segment(d, n, start, end, labels.get(label), role)
                    for n, start, end, label, role in rows]
        yield d, must_text(conn, text_hash), segments


def _hit(text: str, seg: _Segment, start: int, end: int) -> Hit:
    left = _one_line(text[max(0, start - CONTEXT):start])
    right = _one_line(text[end:end + CONTEXT])
    return Hit(seg.doc, seg.n, seg.speaker, seg.role, left, text[start:end], right, start, end)


def compile_pattern(pattern: str, regex: bool) -> Spans:
    """The matches of a word, phrase or regular expression in a text, as (start, end)."""
    if regex:
        return compile_regex(pattern)
    words = [re.escape(w) for w in pattern.split()]
    if not words:
        raise StcError("E415", pattern=pattern, detail="it is empty")
    compiled = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
    return lambda text: (m.span() for m in compiled.finditer(text))


def search(conn: sqlite3.Connection, pattern: str, regex: bool = False,
           doc: str | None = None) -> list[Hit]:
    """Hits of a word, phrase or regular expression, segment by segment: each segment is
    searched on its own, so `^` and `$` mean its start and end."""
    spans = compile_pattern(pattern, regex)
    hits: list[Hit] = []
    for _, text, segments in _documents(conn, doc):
        for seg in segments:
            for start, end in spans(text[seg.start:seg.end]):
                if end > start:
                    hits.append(_hit(text, seg, seg.start + start, seg.start + end))
    return hits


def _lowered(sentence: str) -> str:
    """Lookup tables hold lower-case forms; keep the case where lowering would move offsets."""
    lowered = sentence.lower()
    return lowered if len(lowered) == len(sentence) else sentence


def search_lemma(conn: sqlite3.Connection, pattern: str, lang: str,
                 pipeline: str | None = None, doc: str | None = None) -> list[Hit]:
    """Hits of every form of a word: tokens whose lemma is the pattern's lemma."""
    from stc.language import lemma_of, lemma_pipeline

    nlp = lemma_pipeline(lang, pipeline)
    wanted = {lemma_of(t, lang) for t in nlp(pattern.strip()) if t.is_alpha}
    wanted |= {pattern.strip().lower()}
    hits: list[Hit] = []
    for _, text, segments in _documents(conn, doc):
        parsed = nlp.pipe((_lowered(text[s.start:s.end]) for s in segments), batch_size=256)
        for seg, sentence in zip(segments, parsed, strict=True):
            for token in sentence:
                if token.is_alpha and (token.text.lower() in wanted
                                       or lemma_of(token, lang) in wanted):
                    start = seg.start + token.idx
                    hits.append(_hit(text, seg, start, start + len(token.text)))
    return hits
